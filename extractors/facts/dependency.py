"""Roles read from dependency structure: who pays, who receives, who leads, whose figure it is.

The frames live in patterns/roles.jsonl, one per line: a head (a word class from
data/word_classes.jsonl, or the figure itself), a relation from the head to the party
(subject, agent, object, passive subject, possessor, a company naming the head noun, a
preposition, a preposition on a noun the head governs) and the role the party plays. This
module turns each frame into patterns in spaCy's DependencyMatcher format: the figure
attaches to the head directly or through one noun ("a $600 million round led by …"), a
subject may be read through a relative clause ("X, which owns 80% of Y") or a controlling
verb ("X agreed to buy …"), and a passive agent through "by".
The patterns are compiled into lookup tables (head word -> routes) walked from each figure
token: spaCy's DependencyMatcher tries every pattern on every token, this costs figures x
candidate heads; a test checks that both find the same matches. The same file maps each
metric's subject and counterparty to roles, in order of preference.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np
from spacy.strings import get_string_id
from spacy.tokens import Doc

from .components import pattern_path, read_jsonl, word_list
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
    if not frame["head"].endswith("_noun"):
        # a verb's word that modifies no figure: "a $2.6 billion contract with Meta" is the noun, whose
        # "with" names no seller
        modifies = {"NOT_IN": sorted(word_list("modifier_relations"))}
        ways[0] = ([_node("figure", _with(FIG, DEP=modifies))], head, 0, "direct")
        ways[1] = ([anchor, _node("via", _with(noun, DEP=modifies), "figure", "<")], head, 1, "noun")
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

    def on_figure(words: list[str]) -> list[tuple[dict, list[dict], int]]:
        """"pay $450 million to Orlen Ridge", "buy $1.3 billion of capacity from Cerebras": the
        parser often hangs a verb's prepositional phrase on its figure, or on the figure's noun."""
        if frame["head"] == "figure":
            return []
        of_noun = {"DEP": "nmod", "TAG": {"IN": ["NN", "NNS"]}, "ENT_TYPE": {"NOT_IN": ["ORG", "NAME", "FIG"]}}
        return [(head, [_node("party", party(["nmod", "obl"]), "figure", ">"), by_case(words)], 1),
                (head, [_node("fnoun", of_noun, "figure", ">"), _node("ofcase", {"DEP": "case", "LOWER": "of"},
                                                                      "fnoun", ">"),
                        _node("party", party(["nmod"]), "fnoun", ">"), by_case(words)], 1)]
    if rel == "subject":
        return [(head, [_node("party", party(["nsubj"]), "head", ">")], 0),
                (_with(head, DEP="acl:relcl"), [_node("party", PARTY, "head", "<")], 0),
                (_with(head, DEP={"IN": ["xcomp", "conj"]}),
                 [_node("ctl", {}, "head", "<"), _node("party", party(["nsubj"]), "ctl", ">")], 1)]
    if rel == "agent":
        return [(head, [_node("party", party(["obl:agent"]), "head", ">")], 0),
                (head, [_node("party", party(["obl", "nmod", "obl:agent"]), "head", ">"), by_case(["by"])], 0)] + \
            on_figure(["by"])
    if rel == "object":
        return [(head, [_node("party", party(["obj", "iobj"]), "head", ">")], 0)]
    if rel == "passive":
        return [(head, [_node("party", party(["nsubj:pass"]), "head", ">")], 0),
                (_with(head, DEP="acl", TAG="VBN"), [_node("party", PARTY, "head", "<")], 0)]
    if rel == "compound":
        # "an $11 billion AWS data center campus": the company naming the facility, or a noun of its name
        plain = {"DEP": "compound", "ENT_TYPE": {"NOT_IN": ["ORG", "NAME", "FIG"]}}
        return [(head, [_node("party", party(["compound"]), "head", ">")], 0),
                (head, [_node("mod", plain, "head", ">"), _node("party", party(["compound"]), "mod", ">")], 0)]
    if rel == "of_poss":
        # "4.8% of Corvalis's outstanding shares": the company whose shares the figure is part of
        of_noun = {"DEP": "nmod", "TAG": {"IN": ["NN", "NNS"]}, "ENT_TYPE": {"NOT_IN": ["ORG", "NAME", "FIG"]}}
        return [(head, [_node("noun", of_noun, "head", ">"), _node("ofcase", {"DEP": "case", "LOWER": "of"}, "noun", ">"),
                        _node("party", party(["nmod:poss"]), "noun", ">")], 0)]
    if rel == "poss":
        paths = [(head, [_node("party", party(["nmod:poss"]), "head", ">")], 0)]
        if frame["head"] != "figure":
            # "Lufthansa's $1.2 billion investment": the parser often hangs the possessor on the figure
            paths.append((head, [_node("party", party(["nmod:poss"]), "figure", ">")], 0))
        return paths
    if rel == "prep":
        paths = [(head, [_node("party", PARTY, "head", ">"), by_case(case)], 0)] + on_figure(case)
        if frame.get("modifier"):
            # "spent $610 million on Nvidia GPUs": the party names the thing the preposition governs
            thing = {"TAG": {"IN": ["NN", "NNS"]}, "ENT_TYPE": {"NOT_IN": ["ORG", "NAME", "FIG"]}}
            paths.append((head, [_node("thing", thing, "head", ">"),
                                 _node("case", {"DEP": "case", "LOWER": {"IN": case}}, "thing", ">"),
                                 _node("party", party(["compound", "nmod:poss"]), "thing", ">")], 1))
        return paths
    if rel == "noun_prep":
        via = frame["via"]
        noun = {"DEP": {"IN": via["deps"]}, "LOWER": {"IN": word_classes()[via["nouns"]]}}
        on_figure_noun = _with(noun, DEP={"IN": via["deps"] + ["nmod"]})
        return [(head, [_node("noun", noun, "head", ">"), _node("party", PARTY, "noun", ">"), by_case(case)], 0),
                # "paid $700 million for a stake in Nebius": the noun hung on the figure
                (head, [_node("noun", on_figure_noun, "figure", ">"), _node("party", PARTY, "noun", ">"),
                        by_case(case)], 0),
                # "bought a stake in Nebius for $700 million": the phrase hung on the verb beside the noun
                (head, [_node("noun", noun, "head", ">"), _node("party", party(["obl"]), "head", ">"),
                        by_case(case)], 1)]
    raise ValueError(f"frame {frame['id']}: unknown relation {rel!r}")


def frame_patterns() -> list[tuple[str, dict, int, list[dict]]]:
    """(key, frame, rank, pattern) for every way a frame can match, in spaCy's DependencyMatcher
    pattern format: the reference the compiled matcher is built from (a test hands the same
    patterns to spaCy's DependencyMatcher and compares)."""
    out = []
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
                out.append((f"{frame['id']}#{k}.{j}", frame, rank + extra, pattern))
    return out


# The compiled matcher. A pattern is a short path of tokens: the first node (a figure token),
# then each node the head (REL_OP "<") or a child (">") of an earlier one, each with a few
# attribute tests. Patterns are grouped by how they reach their "head" node and indexed there by
# the head's word, so from each figure token only the frames of the words actually met are
# tried: the cost is figures x candidate heads, not patterns x tokens.
_COLUMNS = ("LOWER", "TAG", "DEP", "ENT_TYPE")
_ARRAY = list(_COLUMNS) + ["HEAD"]
_LOWER = 0

Check = tuple   # ((column, frozenset of string ids, wanted), ...): every test must hold


def _check(attrs: dict) -> Check:
    tests = []
    for name, value in attrs.items():
        if name not in _COLUMNS:
            raise ValueError(f"role patterns: attribute {name!r} is not supported by the compiled matcher")
        if isinstance(value, str):
            values, wanted = [value], True
        elif isinstance(value, dict) and len(value) == 1 and ("IN" in value or "NOT_IN" in value):
            values, wanted = next(iter(value.values())), "IN" in value
        else:
            raise ValueError(f"role patterns: {name}={value!r} is not supported by the compiled matcher")
        tests.append((_COLUMNS.index(name), frozenset(get_string_id(v) for v in values), wanted))
    return tuple(sorted(tests, key=lambda t: (t[0], sorted(t[1]), t[2])))


def _holds(check: Check, row: list[int]) -> bool:
    for column, values, wanted in check:
        if (row[column] in values) is not wanted:
            return False
    return True


@dataclass(frozen=True)
class _Route:
    order: int                              # place in frame_patterns(): of equal ranks the earlier wins
    key: str
    frame: dict
    rank: int
    names: tuple[str, ...]                  # node names, pattern order
    head: int                               # index of the "head" node
    head_check: Check                       # the head's tests other than its word
    steps: tuple[tuple[int, str, Check], ...]   # nodes after the head: (earlier node, "<" or ">", tests)


@dataclass
class _Group:
    """Routes that reach their head the same way: the first node's tests, the nodes before the
    head, and the head's link to them (None: the head is the first node)."""
    root: Check
    prefix: tuple[tuple[int, str, Check], ...]
    link: tuple[int, str] | None
    by_word: dict[int, list[_Route]] = field(default_factory=dict)
    any_word: list[_Route] = field(default_factory=list)


class CompiledMatcher:
    """The role patterns compiled into lookup tables; matches() gives what spaCy's
    DependencyMatcher gives for the same patterns, in the same order."""

    def __init__(self, patterns: list[tuple[str, dict, int, list[dict]]]):
        self.routes: list[_Route] = []
        groups: dict[tuple, _Group] = {}
        checks = set()
        for order, (key, frame, rank, pattern) in enumerate(patterns):
            names = [node["RIGHT_ID"] for node in pattern]
            if "REL_OP" in pattern[0] or any("REL_OP" not in node for node in pattern[1:]):
                raise ValueError(f"role pattern {key}: only the first node may stand without a relation")
            nodes = [_check(node["RIGHT_ATTRS"]) for node in pattern]
            links = [None] + [(names.index(node["LEFT_ID"]), node["REL_OP"]) for node in pattern[1:]]
            for i, link in enumerate(links[1:], 1):
                if link[1] not in ("<", ">") or not link[0] < i:
                    raise ValueError(f"role pattern {key}: relation {link[1]!r} to a later node is not supported")
            checks.update(nodes)
            h = names.index("head")
            words = [t for t in nodes[h] if t[0] == _LOWER and t[2]]
            head_check = tuple(t for t in nodes[h] if t not in words[:1])
            steps = tuple((links[i][0], links[i][1], nodes[i]) for i in range(h + 1, len(nodes)))
            route = _Route(order, key, frame, rank, tuple(names), h, head_check, steps)
            prefix = tuple((links[i][0], links[i][1], nodes[i]) for i in range(1, h))
            group_key = (nodes[0], prefix, links[h])
            group = groups.setdefault(group_key, _Group(*group_key))
            if words:
                for word in words[0][1]:
                    group.by_word.setdefault(word, []).append(route)
            else:
                group.any_word.append(route)
            self.routes.append(route)
        self.groups = list(groups.values())
        self.by_key = {route.key: route for route in self.routes}
        self._roots = list(dict.fromkeys(group.root for group in self.groups))   # first nodes' tests, each once
        self._root_of = [self._roots.index(group.root) for group in self.groups]
        # spaCy orders matches of one pattern by parse tree, trees by the first token that any node accepts
        self._any_token = () in checks
        self._checks = list(checks)

    def matches(self, doc: Doc) -> list[tuple[_Route, tuple[int, ...]]]:
        """(route, token of each node) for every match in the parsed doc, in DependencyMatcher order."""
        n = len(doc)
        if n == 0:
            return []
        array = doc.to_array(_ARRAY)
        rows = array[:, :4].tolist()
        starts = [[i for i in range(n) if _holds(check, rows[i])] for check in self._roots]
        if not any(starts):
            return []   # no figure token: no frame can match
        heads = (np.arange(n, dtype=np.int64) + array[:, 4].astype(np.int64)).tolist()
        children: list[list[int]] = [[] for _ in range(n)]
        for i, h in enumerate(heads):
            if h != i:
                children[h].append(i)
        found = []
        for group, root in zip(self.groups, self._root_of):
            for prefix in _walk(group.prefix, [[i] for i in starts[root]], rows, heads, children):
                if group.link is None:
                    candidates = prefix[:1]
                    prefix = []
                else:
                    candidates = _neighbours(prefix[group.link[0]], group.link[1], heads, children)
                for c in candidates:
                    routes = group.by_word.get(rows[c][_LOWER], ())
                    if group.any_word:
                        routes = [*routes, *group.any_word]
                    for route in routes:
                        if _holds(route.head_check, rows[c]):
                            found += [(route, tuple(nodes)) for nodes in
                                      _walk(route.steps, [prefix + [c]], rows, heads, children)]
        if len(found) > 1:
            tree = self._tree_order(rows, heads)
            found.sort(key=lambda m: (m[0].order, tree[m[1][0]], m[1]))
        return found

    def _tree_order(self, rows: list[list[int]], heads: list[int]) -> list[int]:
        """Each token's tree, numbered in the order spaCy's DependencyMatcher first meets it."""
        n = len(heads)
        root = list(range(n))
        for i in range(n):
            j = i
            while heads[j] != j:
                j = heads[j]
            root[i] = j
        seen: dict[int, int] = {}
        for i in range(n):
            if self._any_token or any(_holds(check, rows[i]) for check in self._checks):
                seen.setdefault(root[i], len(seen))
        return [seen.get(root[i], len(seen)) for i in range(n)]


def _neighbours(token: int, op: str, heads: list[int], children: list[list[int]]) -> list[int]:
    if op == "<":
        return [] if heads[token] == token else [heads[token]]
    return children[token]


def _walk(steps, partial: list[list[int]], rows, heads, children):
    """Extend each partial assignment node by node along the steps (pattern order)."""
    for assigned in partial:
        if not steps:
            yield assigned
            continue
        (left, op, check), rest = steps[0], steps[1:]
        for t in _neighbours(assigned[left], op, heads, children):
            if _holds(check, rows[t]):
                yield from _walk(rest, [assigned + [t]], rows, heads, children)


@lru_cache(maxsize=1)
def compiled_matcher() -> CompiledMatcher:
    return CompiledMatcher(frame_patterns())


def role_matches(sent: Doc, matches=None) -> list[RoleMatch]:
    """Every (role, figure token, party token) the frames find in a parsed sentence (a Doc).

    matches: (key of frame_patterns(), token of each node) in DependencyMatcher order; by
    default the compiled matcher's."""
    if matches is None:
        matches = [(route.key, nodes) for route, nodes in compiled_matcher().matches(sent)]
    routes = compiled_matcher().by_key
    found: dict[tuple, RoleMatch] = {}
    for key, tokens in matches:
        route = routes[key]
        frame, rank = route.frame, route.rank
        where = dict(zip(route.names, tokens))
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
