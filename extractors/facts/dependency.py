"""Roles read from dependency structure: who pays, who receives, who leads, whose figure it is.

The frames live in patterns/roles.jsonl, one per line: a head (a word class from
data/word_classes.jsonl, or the figure itself), a relation from the head to the party
(subject, agent, object, passive subject, possessor, a preposition, a preposition on a noun the
head governs) and the role the party plays. This module turns each frame into spaCy
DependencyMatcher patterns: the figure attaches to the head directly or through one noun ("a
$600 million round led by …"), a subject may be read through a relative clause ("X, which
owns 80% of Y") or a controlling verb ("X agreed to buy …"), and a passive agent through
"by". The same file maps each metric's subject and counterparty to roles, in order of
preference.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from spacy.matcher import DependencyMatcher
from spacy.vocab import Vocab

from .components import pattern_path, read_jsonl
from .orgs import default_data_path
from .registry import default_registry

FIG = {"ENT_TYPE": "FIG"}
PARTY = {"ENT_TYPE": {"IN": ["ORG", "NAME"]}}
_NOUN_TAGS = ["NN", "NNS", "NNP", "NNPS", "CD", "$"]
# relations whose party is the grammatical subject side: gapping copies these ("X up to $10B and Z up to $5B")
SUBJECT_RELATIONS = ("subject", "agent")


@dataclass(frozen=True)
class RoleMatch:
    role: str
    rank: int          # 0: the figure on the head itself; higher: a longer or less direct path
    figure: int        # parse token of the figure
    party: int         # parse token of the party
    frame: str
    relation: str
    noun: bool = False  # a noun's or the figure's own frame ("investment in Y"): more specific than a verb's


@lru_cache(maxsize=1)
def word_classes() -> dict[str, list[str]]:
    return {rec["class"]: rec["words"] for rec in read_jsonl(default_data_path("word_classes.jsonl"))}


@lru_cache(maxsize=1)
def frames() -> tuple[list[dict], list[dict]]:
    """The role frames, and how each role of the metric registry is read from frame roles."""
    records = read_jsonl(pattern_path("roles.jsonl"))
    return [rec for rec in records if "id" in rec], [rec for rec in records if "reads" in rec]


def frame_roles(role: str | None, unit: str) -> list[str]:
    """The frame roles, best first, that fill a registry role (data/metrics.jsonl) for a unit."""
    if role is None:
        return []
    fitting = [rec for rec in frames()[1] if rec["reads"] == role]
    if not fitting:
        raise KeyError(f"no reading for the role {role!r} in patterns/roles.jsonl")
    return next((rec for rec in fitting if unit in rec.get("units", ())), fitting[0])["roles"]


def metric_roles(metric: str, unit: str = "USD", registry=None) -> tuple[list[str], list[str]]:
    """(subject frame roles, counterparty frame roles) of a metric, from the metric registry."""
    subject, counterparty = (registry or default_registry()).roles(metric)
    return frame_roles(subject, unit), frame_roles(counterparty, unit)


def _node(node_id: str, attrs: dict, left: str | None = None, rel: str | None = None) -> dict:
    if left is None:
        return {"RIGHT_ID": node_id, "RIGHT_ATTRS": attrs}
    return {"LEFT_ID": left, "REL_OP": rel, "RIGHT_ID": node_id, "RIGHT_ATTRS": attrs}


def _with(attrs: dict, **extra) -> dict:
    merged = dict(attrs)
    merged.update(extra)
    return merged


def _heads(frame: dict) -> list[tuple[list[dict], dict, int]]:
    """Ways the figure attaches to the frame's head: (nodes so far, head attrs, rank)."""
    if frame["head"] == "figure":
        return [([], FIG, 0)]
    head = {"LOWER": {"IN": word_classes()[frame["head"]]}}
    anchor = _node("figure", FIG)
    noun = {"TAG": {"IN": _NOUN_TAGS}, "ENT_TYPE": {"NOT_IN": ["ORG", "NAME"]}}
    ways = [([anchor], head, 0, "direct"), ([anchor, _node("via", noun, "figure", "<")], head, 1, "noun")]
    if frame["head"].endswith("_noun"):
        ways.append(([anchor], head, 1, "under"))   # "$5 billion of capacity": the noun hangs on the figure
    else:
        # "a $600 million round led by Atomico", "the $5 billion X invested": a clause on the figure
        ways.append(([anchor], _with(head, DEP={"IN": ["acl", "acl:relcl"]}), 1, "under"))
    return [(nodes, attrs, rank) if kind == "direct" else (nodes, _with(attrs, _kind=kind), rank)
            for nodes, attrs, rank, kind in ways]


def _party_paths(frame: dict, head: dict) -> list[tuple[dict, list[dict], int]]:
    """(head attrs, nodes from the head to the party, extra rank) for the frame's relation."""
    rel = frame["relation"] if "relation" in frame else frame["rel"]
    case = frame.get("case", [])
    party = lambda deps=None: _with(PARTY, DEP={"IN": deps}) if deps else PARTY  # noqa: E731
    by_case = lambda words: _node("case", {"DEP": "case", "LOWER": {"IN": words}}, "party", ">")  # noqa: E731
    if rel == "subject":
        return [(head, [_node("party", party(["nsubj"]), "head", ">")], 0),
                (_with(head, DEP="acl:relcl"), [_node("party", PARTY, "head", "<")], 0),
                (_with(head, DEP={"IN": ["xcomp", "conj"]}),
                 [_node("ctl", {}, "head", "<"), _node("party", party(["nsubj"]), "ctl", ">")], 1)]
    if rel == "agent":
        return [(head, [_node("party", party(["obl:agent"]), "head", ">")], 0),
                (head, [_node("party", party(["obl", "nmod", "obl:agent"]), "head", ">"), by_case(["by"])], 0)]
    if rel == "object":
        return [(head, [_node("party", party(["obj", "iobj"]), "head", ">")], 0)]
    if rel == "passive":
        return [(head, [_node("party", party(["nsubj:pass"]), "head", ">")], 0),
                (_with(head, DEP="acl", TAG="VBN"), [_node("party", PARTY, "head", "<")], 0)]
    if rel == "poss":
        return [(head, [_node("party", party(["nmod:poss"]), "head", ">")], 0)]
    if rel == "prep":
        return [(head, [_node("party", PARTY, "head", ">"), by_case(case)], 0)]
    if rel == "noun_prep":
        via = frame["via"]
        noun = {"DEP": {"IN": via["deps"]}, "LOWER": {"IN": word_classes()[via["nouns"]]}}
        return [(head, [_node("noun", noun, "head", ">"), _node("party", PARTY, "noun", ">"), by_case(case)], 0)]
    raise ValueError(f"frame {frame['id']}: unknown relation {rel!r}")


def build_matcher(vocab: Vocab) -> tuple[DependencyMatcher, dict[str, tuple[dict, int]]]:
    matcher = DependencyMatcher(vocab)
    keys: dict[str, tuple[dict, int]] = {}
    for frame in frames()[0]:
        for k, (nodes, head_attrs, rank) in enumerate(_heads(frame)):
            kind = head_attrs.get("_kind")
            head_attrs = {a: v for a, v in head_attrs.items() if a != "_kind"}
            for j, (head, path, extra) in enumerate(_party_paths(frame, head_attrs)):
                if frame["head"] == "figure":
                    pattern = [_node("head", head)] + path
                elif kind == "noun":
                    pattern = nodes + [_node("head", head, "via", "<")] + path
                elif kind == "under":
                    pattern = nodes + [_node("head", head, "figure", ">")] + path
                else:
                    pattern = nodes + [_node("head", head, "figure", "<")] + path
                key = f"{frame['id']}#{k}.{j}"
                matcher.add(key, [pattern])
                keys[key] = (frame, rank + extra)
    return matcher, keys


_MATCHERS: dict[int, tuple[DependencyMatcher, dict]] = {}


def matcher_for(vocab: Vocab) -> tuple[DependencyMatcher, dict]:
    if id(vocab) not in _MATCHERS:
        _MATCHERS[id(vocab)] = build_matcher(vocab)
    return _MATCHERS[id(vocab)]


def role_matches(sent) -> list[RoleMatch]:
    """Every (role, figure token, party token) the frames find in a parsed sentence."""
    matcher, keys = matcher_for(sent.vocab)
    found: dict[tuple, RoleMatch] = {}
    for match_id, tokens in matcher(sent):
        frame, rank = keys[sent.vocab.strings[match_id]]
        key_names = [node["RIGHT_ID"] for node in matcher.get(sent.vocab.strings[match_id])[1][0]]
        where = dict(zip(key_names, tokens))
        figure = where.get("figure", where.get("head"))
        party = where["party"]
        if sent[party].ent_type_ == "FIG":
            continue
        rel = frame["rel"]
        if "ctl" in where and _has_subject(sent[where["head"]]):
            continue   # "X agreed to buy": only a verb without a subject of its own borrows one
        noun = frame["head"] == "figure" or frame["head"].endswith("_noun")
        match = RoleMatch(frame["role"], rank, figure, party, frame["id"], rel, noun)
        k = (frame["role"], figure, party)
        if k not in found or found[k].rank > rank:
            found[k] = match
    return list(found.values())


def _has_subject(verb) -> bool:
    if any(child.dep_ in ("nsubj", "nsubj:pass", "expl", "csubj") for child in verb.children):
        return True
    # a company right before the verb is its subject, however the parser labelled it
    return any(t.ent_type_ in ("ORG", "NAME") for t in verb.doc[max(verb.i - 2, 0):verb.i])
