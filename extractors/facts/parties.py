"""The parties of one figure, read from the role frames its parsed sentence matched.

Coordination ("Microsoft and Nvidia invested …") gives every conjunct the role; gapping ("X
will invest up to $40 million in Y and Z up to $25 million") gives the company right before a
later figure the subject-side roles of the first figure's verb, and takes it out of the first
figure's roles; "respectively" pairs the k-th figure with the k-th company. The metric's entry
in patterns/roles.jsonl then says which role is the subject and which the counterparty.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from spacy.tokens import Doc

from .attribution import is_model_number
from .components import FIGURE_SPANS, sentence_bounds, word_list
from .dependency import SUBJECT_RELATIONS, metric_roles
from .syntax import PARSES, Parse, unknown_company

_GAP_FILLERS = {"up", "to", "about", "nearly", "roughly", "around", "another", "a", "further", "some",
                "approximately", "over", "more", "than", "just", "almost", "an", "additional", "only"}


@dataclass
class Parties:
    subject: str | None
    counterparty: str | None
    named: set[str] = field(default_factory=set)   # every company some role names

    @property
    def found(self) -> bool:
        return self.subject is not None or self.counterparty is not None


def parse_of(doc: Doc, token_index: int) -> Parse | None:
    parses = doc._.get(PARSES) or {}
    return parses.get(sentence_bounds(doc, token_index)[0])


def party_name(parse: Parse, k: int, doc: Doc) -> str | None:
    token = parse.doc[k]
    if _makes_a_model(parse, k):
        return None
    if token.ent_type_ == "ORG":
        return parse.names.get(k)
    if token.ent_type_ == "NAME":
        return unknown_company(parse, token, doc)
    return None


def _makes_a_model(parse: Parse, k: int) -> bool:
    """"60 Airbus A321neo jets", "Siemens SGT-800 turbines": a name before a model number is the
    product's maker, which the parse must not read as a party of the verb."""
    ent = _entity(parse, k)
    if ent is None or ent.end >= len(parse.doc):
        return False
    return is_model_number(parse.doc[ent.end].text)


def _entity(parse: Parse, k: int):
    return next((e for e in parse.doc.ents if e.start <= k < e.end), None)


def _conjuncts(parse: Parse, k: int) -> list[int]:
    """The party token and the companies coordinated with it ("Microsoft and Nvidia")."""
    ent = _entity(parse, k)
    tokens = range(ent.start, ent.end) if ent is not None else [k]
    found = [k]
    for t in tokens:
        for child in parse.doc[t].children:
            if child.dep_ == "conj" and child.ent_type_ in ("ORG", "NAME"):
                found.append(child.i)
    if ent is not None:
        # "Oracle, Meta and Amazon": a list of names is coordinated however the parser labelled it
        found += [other.start for other in _listed_with(parse, ent) if other.start not in found]
    return found


def _listed_with(parse: Parse, ent) -> list:
    """The companies in a run of names joined by ',' / 'and' that holds an entity."""
    ents = [e for e in parse.doc.ents if e.label_ in ("ORG", "NAME")]
    joined = lambda a, b: b.start > a.end and all(  # noqa: E731
        t.text in (",", "and", "&") for t in parse.doc[a.end:b.start])
    k = next((j for j, e in enumerate(ents) if e.start == ent.start), None)
    if k is None:
        return []
    first = last = k
    while first > 0 and joined(ents[first - 1], ents[first]):
        first -= 1
    while last + 1 < len(ents) and joined(ents[last], ents[last + 1]):
        last += 1
    run = ents[first:last + 1]
    if len(run) < 2 or not any(parse.doc[a.end].lower_ in ("and", "&") or
                               (parse.doc[a.end].text == "," and parse.doc[a.end + 1].lower_ in ("and", "&"))
                               for a in run[:-1]):
        return []   # "Oracle, Meta" without an "and" may be an apposition
    return [e for e in run if e.start != ent.start]


def _gap_party(parse: Parse, figure_tokens: list[int]) -> int | None:
    """"… and Novo Holdings up to $25 million": the company right before a later figure."""
    sent = parse.doc
    k = min(figure_tokens) - 1
    while k >= 0 and sent[k].lower_ in _GAP_FILLERS and sent[k].ent_type_ != "FIG":
        k -= 1
    if k < 1 or sent[k].ent_type_ not in ("ORG", "NAME"):
        return None
    ent = _entity(parse, k)
    before = sent[ent.start - 1] if ent.start > 0 else None
    if before is None or before.lower_ not in ("and", ",", ";", "while"):
        return None
    if not any(sent[j].ent_type_ == "FIG" for j in range(0, ent.start)):
        return None
    return k


def _figure_groups(parse: Parse) -> dict[int, list[int]]:
    groups: dict[int, list[int]] = {}
    for k, start in parse.figures.items():
        groups.setdefault(start, []).append(k)
    return groups


def read_roles(doc: Doc, figure_start: int) -> dict[str, list[tuple[int, int, str]]] | None:
    """role -> [(rank, 0 for a noun frame else 1, distance, token, company)], best first, for the figure
    starting at an article token."""
    parse = parse_of(doc, figure_start)
    if parse is None:
        return None
    groups = _figure_groups(parse)
    tokens = groups.get(figure_start)
    if not tokens:
        return None
    gaps = {start: gap for start, toks in groups.items() if (gap := _gap_party(parse, toks)) is not None}
    gap_tokens = {t for g in gaps.values() for t in range(_entity(parse, g).start, _entity(parse, g).end)}
    roles: dict[str, list[tuple[int, int, str]]] = {}
    later_figures = [min(toks) for start, toks in groups.items() if start != figure_start]

    def add(role: str, rank: int, k: int, noun: bool = False, relation: str = "") -> None:
        name = party_name(parse, k, doc)
        if relation == "prep" and k < min(tokens):
            rank += 1   # a prepositional phrase follows what it belongs to: "$5B from Oracle and $2.5B from CoreWeave"
        if relation == "prep" and any(max(tokens) < other < k for other in later_figures):
            return      # "… $5B of capacity and $2.5B from CoreWeave": the phrase belongs to the later figure
        if name:
            roles.setdefault(role, []).append((rank, 0 if noun else 1, abs(k - min(tokens)), k, name))

    own = [m for m in parse.matches if m.figure in tokens]
    respectively = "respectively" in (t.lower_ for t in parse.doc)
    if respectively and not own:
        # "… take 300 MW and 180 MW, respectively": a coordinated figure the parse left unattached
        own = [m for start, toks in groups.items() if start != figure_start
               for m in parse.matches if m.figure in toks]
    if figure_start in gaps:
        # the gapped figure borrows the verb frames of the figure before it
        earlier = [start for start in sorted(groups) if start < figure_start]
        donor = [m for m in parse.matches if earlier and m.figure in groups[earlier[-1]]]
        gap = gaps[figure_start]
        gap_name = party_name(parse, gap, doc)
        for m in donor:
            if m.relation in SUBJECT_RELATIONS:
                add(m.role, m.rank, gap, m.noun)
            elif party_name(parse, m.party, doc) != gap_name:
                add(m.role, m.rank, m.party, m.noun, m.relation)
        own = [m for m in own if m.relation not in SUBJECT_RELATIONS and m.frame.startswith("figure-")]
    for m in own:
        for k in _conjuncts(parse, m.party):
            if k == m.party or k not in gap_tokens:
                add(m.role, m.rank, k, m.noun, m.relation)
    for role, items in roles.items():
        items.sort()
    if respectively:
        _listed_before(parse, groups, roles, add)
    _respectively(doc, parse, figure_start, roles)
    return roles


def _listed_before(parse: Parse, groups: dict, roles: dict, add) -> None:
    """"Microsoft, Alphabet and Amazon reported capex of $41.2B, $36.8B and $44.5B, respectively":
    where no frame fits, a list of as many companies as figures before the first figure is the
    subject of each in turn (role "respective")."""
    if any(role != "respective" for role in roles):
        return
    first = min(min(toks) for toks in groups.values())
    ents = [e for e in parse.doc.ents if e.label_ in ("ORG", "NAME") and e.end <= first]
    run: list = []
    for ent in ents:
        if run and not all(t.text in (",", "and", "&") for t in parse.doc[run[-1].end:ent.start]):
            run = []
        run.append(ent)
    after = parse.doc[run[-1].end] if run and run[-1].end < len(parse.doc) else None
    if after is None or not (after.tag_.startswith("VB") or after.tag_ == "MD"):
        return   # "Broadcom and AMD deals …": the list names a noun's parties, not the subject
    if len(run) == len(groups) > 1:
        for ent in run:
            add("respective", 0, ent.start)


def _respectively(doc: Doc, parse: Parse, figure_start: int, roles: dict) -> None:
    """"Meta and Oracle signed PPAs for 700 MW and 450 MW, respectively": k-th figure, k-th name."""
    if "respectively" not in (t.lower_ for t in parse.doc):
        return
    label = next((s.label_ for s in doc.spans.get(FIGURE_SPANS, []) if s.start == figure_start), None)
    same = sorted(s.start for s in doc.spans.get(FIGURE_SPANS, [])
                  if s.label_ == label and s.start in set(parse.figures.values()))
    if len(same) < 2:
        return
    position = same.index(figure_start)
    for role, items in roles.items():
        names = list(dict.fromkeys(item[-1] for item in sorted(items, key=lambda item: item[3])))
        if len(names) == len(same):
            roles[role] = [(0, 0, 0, 0, names[position])]


_CLAUSES = word_list("clause_relations")
_NAME_PARTS = word_list("name_part_relations")


def _clause(token):
    """The head of the finite clause a token stands in (a relative, adverbial or reported
    clause, or the sentence)."""
    while token.dep_ not in _CLAUSES and token.head.i != token.i:
        token = token.head
    return token


def outside_figure_clause(doc: Doc, figure_start: int, name: str) -> bool:
    """Is a company named in the figure's sentence only inside another clause ("… deploy 60,000
    GPUs at a campus where it has contracted 300 MW from Solvane")? Such a company belongs to
    that clause's figure or fact, not to this one. False when the parse does not name it."""
    parse = parse_of(doc, figure_start)
    if parse is None:
        return False
    figure = [k for k, start in parse.figures.items() if start == figure_start]
    mentions = [k for k in range(len(parse.doc)) if parse.doc[k].ent_type_ in ("ORG", "NAME")
                and party_name(parse, k, doc) == name]
    if not figure or not mentions:
        return False
    own = _clause(parse.doc[figure[0]])
    for k in mentions:
        clause = _clause(parse.doc[k])
        if clause == own or clause.dep_ not in _CLAUSES or clause in own.ancestors:
            return False
        # the company acts in that clause ("a round led by Lightspeed", "with Lightspeed leading"):
        # the clause tells what it did for this figure
        actor = parse.doc[k]
        while actor.dep_ in _NAME_PARTS and actor.head.i != clause.i:
            actor = actor.head
        if actor.dep_ in ("nsubj", "obl:agent") or \
                not any(t.dep_ in ("nsubj", "nsubj:pass") for t in clause.children):
            return False
    return True


def parties(doc: Doc, figure_start: int, metric: str, unit: str = "USD", registry=None) -> Parties | None:
    """Subject and counterparty of a figure as the parse reads them; None without a parse."""
    roles = read_roles(doc, figure_start)
    if roles is None:
        return None
    subject_roles, counterparty_roles = metric_roles(metric, unit, registry)
    named = {item[-1] for items in roles.values() for item in items}
    subject = next((roles[r][0][-1] for r in subject_roles if r in roles), None)
    counterparty = None
    for role in counterparty_roles:
        items = [item for item in roles.get(role, []) if item[-1] != subject]
        if not items:
            continue
        best = [item[-1] for item in items if item[:2] == items[0][:2]]
        if len(set(best)) == 1:
            counterparty = best[0]
        break
    return Parties(subject, counterparty, named)
