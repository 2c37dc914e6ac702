"""The decision about one figure, as a loop over small named steps.

A figure in prose goes through SENTENCE_STEPS, a figure in a table cell through TABLE_STEPS.
Each step takes what is decided so far (a Decision) and the page it is read on (extractor.py's
DocumentFacts: the document's organisations, cues, sentences and what earlier figures decided),
refines the decision and returns it, or returns None: the figure is no fact.

A step marked per_metric runs only for the metrics whose registry entry lists it
(data/metrics.jsonl, "steps"); the others run for every figure. The registry's STEPS are
exactly the per-metric steps here (a test checks it), so a new metric chooses its steps as data.
"""
from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING

from spacy.tokens import Span

from .attribution import CONTRIBUTING_VERBS, PROVIDING_VERBS, Attribution, Roles, attribute, read_roles
from .dates import dates_in, nearest_date
from .figures import Figure, chip_makers
from .metrics import choose_metric, is_hedged, measure_named, metric_in_text, valued_company
from .model import Fact
from .orgs import NOT_ORG_WORDS, ORG_SUFFIXES
from .parties import outside_figure_clause, parties
from .registry import default_registry
from .tables import Cell, TableRow, first_named, row_at

if TYPE_CHECKING:
    from .extractor import DocumentFacts, Mark

_ELLIPTICAL_TOKENS = 6
# attribution reads the packaged metrics; a new metric is read as the one with its roles
_ATTRIBUTION_READS = default_registry().names
_RULE_DISCOUNT = 0.1   # parties from the word-window rules where no dependency frame fits weigh less
LIST_ITEM = re.compile(r"^\s*(?:#{1,6}\s*)?(\d{1,2}[.)]|[-*•])\s")   # "1. X", "- X", "## 3. X"
# table column headers by the party their cells name (the metric registry's word lists)
_SUBJECT_COLUMN = tuple(sorted(default_registry().word_list("subject_columns")))
_INVESTOR_COLUMN = tuple(sorted(default_registry().word_list("investor_columns")))
_PARTNER_COLUMN = tuple(sorted(default_registry().word_list("partner_columns")))
_NAME_JOINERS = default_registry().word_list("name_joiners")
_COMPUTE_GOODS = re.compile(r"\b(?:" + "|".join(
    re.escape(w) for w in sorted(default_registry().word_list("compute_goods"), key=len, reverse=True)) + r")\b", re.I)


@dataclass
class Decision:
    """What is decided about one figure so far."""
    figure: Figure
    metric: str | None = None
    attr: Attribution | None = None        # subject, counterparty, confidence
    as_of: str | None = None
    measure: str | None = None
    sentence: Span | None = None           # the figure's sentence (a table row is one)
    scope: Span | None = None              # where its parties are read (the next sentence explains a bare figure)
    cues: list[Mark] = field(default_factory=list)
    roles: Roles | None = None             # the scope's organisations by role (attribution.py)
    context: Attribution | None = None     # the parties of the sentences before


@dataclass
class TableDecision(Decision):
    """A figure in a table cell: the row, its cell and column, and what introduces the table."""
    row: TableRow | None = None
    index: int = 0                         # the cell's column
    cell: Span | None = None
    column: str = ""
    caption: tuple[Attribution | None, str | None] = (None, None)
    row_subject: str | None = None
    label_orgs: list[Mark] = field(default_factory=list)


Run = Callable[["DocumentFacts", Decision], "Decision | None"]


@dataclass(frozen=True)
class Step:
    name: str
    run: Run
    per_metric: bool   # runs only for metrics whose registry entry lists it


def step(per_metric: bool = False) -> Callable[[Run], Step]:
    def named(run: Run) -> Step:
        return Step(run.__name__, run, per_metric)
    return named


def decide(page: DocumentFacts, figure: Figure) -> Fact | None:
    """The figure's fact: every step in turn refines the decision; a step may end it."""
    row = row_at(page.rows, figure.span.start_char) if page.rows else None
    table = row is not None and not row.is_header
    decision = TableDecision(figure, row=row) if table else Decision(figure)
    for each in TABLE_STEPS if table else SENTENCE_STEPS:
        if each.per_metric and not page.registry.takes(decision.metric, each.name):
            continue
        decision = each.run(page, decision)
        if decision is None:
            return None
    return page.make(decision)


# -- steps of every figure ----------------------------------------------------------------


@step()
def outside_forecast(page: DocumentFacts, d: Decision) -> Decision | None:
    """A figure in a forecast section (an outlook, a projection) is no fact."""
    start = d.figure.span.start_char
    return None if any(a <= start < b for a, b in page.forecasts) else d


@step()
def date_nearby(page: DocumentFacts, d: Decision) -> Decision | None:
    """The date nearest the figure in its sentence or row (else the publication date)."""
    d.as_of = nearest_date(page.dates_in(d.sentence, d.figure), d.figure.span.start_char)
    return d


@step()
def measure_in_sentence(page: DocumentFacts, d: Decision) -> Decision | None:
    """Total, increment, rate or period, as the figure's sentence says."""
    d.measure = d.measure or page.measure(d.figure, d.metric)
    return d


# -- a figure in prose --------------------------------------------------------------------


@step()
def unhedged_sentence(page: DocumentFacts, d: Decision) -> Decision | None:
    """The figure's sentence and its cues; a hedged figure ("could", "up for talks") is none."""
    d.sentence = d.scope = page.sentence_of(d.figure.start)
    d.cues = page.cues_in(d.sentence.start, d.sentence.end)
    return None if is_hedged(d.cues, page.doc, d.figure) else d


@step()
def metric_from_cues(page: DocumentFacts, d: Decision) -> Decision | None:
    """The registry's cues near the figure decide its metric; a list item's, the list title."""
    d.metric = choose_metric(d.figure, d.cues, registry=page.registry) or list_item_metric(page, d.figure, d.sentence)
    return d


@step()
def metric_from_next_sentence(page: DocumentFacts, d: Decision) -> Decision | None:
    """"Two: $27 billion. Meta agreed a financing deal with Blue Owl …": the next sentence
    explains a bare figure, and names its parties. No metric: no fact."""
    if d.metric is None and len(d.sentence) <= _ELLIPTICAL_TOKENS:
        d.scope = page.next_sentence(d.sentence)
        d.cues = page.cues_in(d.scope.start, d.scope.end) if d.scope is not None else []
        d.metric = choose_metric(d.figure, d.cues, registry=page.registry) \
            if not is_hedged(d.cues, page.doc) else None
    return d if d.metric is not None else None


@step(per_metric=True)
def compute_goods(page: DocumentFacts, d: Decision) -> Decision | None:
    """"ordered 60 jets in a deal valued at $8.4 billion": a deal word makes a compute deal
    only where the sentence names compute (a compute_goods word, a chip, a compute provider);
    any other purchase is spend."""
    if not names_compute(page, d.scope):
        d.metric = "spend"
    return d


@step()
def roles_in_scope(page: DocumentFacts, d: Decision) -> Decision | None:
    """The organisations of the figure's clause by role (agent, target, source, partner)."""
    scope = d.scope
    start, end = (d.figure.start, d.figure.end) if scope is d.sentence else (scope.start, scope.start)
    d.roles = read_roles(page.doc, scope, start, end, page.orgs_in(scope.start, scope.end), page.inside_figures)
    return d


@step(per_metric=True)
def part_of_round(page: DocumentFacts, d: Decision) -> Decision | None:
    """"SpaceX contributed $2 billion of the round": one investor's part of xAI's round."""
    agent = d.roles.agent
    if agent is not None and agent.end <= d.figure.start and agent.verb_after(page.doc) in CONTRIBUTING_VERBS:
        d.metric = "investment"
    return d


@step(per_metric=True)
def sold_as_compute(page: DocumentFacts, d: Decision) -> Decision | None:
    """"Nebius will provide Meta with $3B of AI infrastructure" sells compute."""
    if any(m.words_after(page.doc, 3) & PROVIDING_VERBS for m in d.roles.mentions if m.end <= d.figure.start):
        d.metric = "compute_deal"
    return d


@step()
def context_without_agent(page: DocumentFacts, d: Decision) -> Decision | None:
    """A sentence naming no one in a role reads its parties from the sentences before."""
    if not d.roles.targets and d.roles.agent is None:
        d.context = context(page, d.sentence, d.metric)
    return d


@step(per_metric=True)
def subject_from_context(page: DocumentFacts, d: Decision) -> Decision | None:
    """"Amazon will invest $4B": the agent is the investor; with no target named, the company
    invested in is the one the sentences before are about."""
    if not d.roles.targets and d.roles.agent is not None:
        d.context = context(page, d.sentence, d.metric)
    return d


@step()
def parties_from_roles(page: DocumentFacts, d: Decision) -> Decision | None:
    """The metric's reading of the roles decides subject and counterparty; who the sentence
    (then the context, then the article) is about fills a missing subject."""
    # "Nvidia owns 6% of CoreWeave, having invested $100M in the company": the sentence's
    # own subject comes before the article's
    same_sentence = page.sentence_attr.get(d.sentence.start)
    fallback = (same_sentence[0].subject if same_sentence else None) \
        or (d.context.subject if d.context else None) or page.main
    d.attr = attribute(page.registry.reading(d.metric, _ATTRIBUTION_READS), d.roles, page.doc, fallback,
                       page.lexicon, page.runner_up)
    if d.context is not None and not d.roles.mentions:
        d.attr = d.context  # "The contract will require 4.5 GW": the parties of the sentence before
    return d


@step(per_metric=True)
def raiser_of_valued_round(page: DocumentFacts, d: Decision) -> Decision | None:
    """"X led a round that values Y at …": Y raised it, X led it."""
    named = page.orgs_in(d.sentence.start, d.sentence.end)
    raiser = valued_company(d.figure, named)
    if raiser is not None and raiser != d.attr.subject:
        lead = d.attr.counterparty or d.attr.subject
        in_sentence = {o.label_ for o in named}
        d.attr = Attribution(raiser, lead if lead in in_sentence and lead != raiser else None, d.attr.confidence)
    return d


@step(per_metric=True)
def respective_parties(page: DocumentFacts, d: Decision) -> Decision | None:
    """"Broadcom and AMD deals (10 GW and 6 GW respectively)": the k-th figure, the k-th name."""
    respective = respective_party(page, d.figure, d.sentence, d.roles)
    if respective is not None:
        d.attr = Attribution(d.context.subject if d.context else page.main, respective, 0.7)
    return d


@step(per_metric=True)
def lead_in_next_sentence(page: DocumentFacts, d: Decision) -> Decision | None:
    """"X raised $2B. The round was led by Y.": the lead is named one sentence later."""
    if d.attr.counterparty is None and not d.roles.leads:
        d.attr = replace(d.attr, counterparty=lead_after(page, d.sentence))
    return d


@step(per_metric=True)
def same_deal_counterparty(page: DocumentFacts, d: Decision) -> Decision | None:
    """"Anthropic will also contract up to one gigawatt": the deal of the sentence before."""
    if d.attr.counterparty is None and d.roles.agent is not None:
        d.attr = replace(d.attr, counterparty=deal_before(page, d.sentence, d.attr.subject))
    return d


@step()
def parties_from_parse(page: DocumentFacts, d: Decision) -> Decision | None:
    """The parties the dependency frames read win over the word-window rules (in the figure's
    own sentence)."""
    if d.scope is d.sentence:
        d.attr = with_parse(page, d.figure, d.metric, d.attr)
    return d


@step()
def remember_parties(page: DocumentFacts, d: Decision) -> Decision | None:
    """The first figure's parties are what its sentence is about, for the figures after it."""
    page.sentence_attr.setdefault(d.sentence.start, (d.attr, d.metric))
    return d


@step(per_metric=True)
def remember_deal(page: DocumentFacts, d: Decision) -> Decision | None:
    """A deal with a named counterparty, for same_deal_counterparty in the next sentence."""
    if d.attr.counterparty:
        page.sentence_deal[d.sentence.start] = d.attr
    return d


@step()
def has_subject(page: DocumentFacts, d: Decision) -> Decision | None:
    """A figure that belongs to no one is no fact."""
    return d if d.attr.subject is not None else None


SENTENCE_STEPS = (
    outside_forecast,
    unhedged_sentence,
    metric_from_cues,
    metric_from_next_sentence,
    compute_goods,
    roles_in_scope,
    part_of_round,
    sold_as_compute,
    context_without_agent,
    subject_from_context,
    parties_from_roles,
    raiser_of_valued_round,
    respective_parties,
    lead_in_next_sentence,
    same_deal_counterparty,
    parties_from_parse,
    remember_parties,
    remember_deal,
    has_subject,
    date_nearby,
    measure_in_sentence,
)


# -- a figure in a table cell -------------------------------------------------------------


@step()
def unhedged_cell(page: DocumentFacts, d: TableDecision) -> TableDecision | None:
    """The figure's cell, column and row; a hedged row is no fact."""
    row = d.row
    d.index = row.cell_at(d.figure.span.start_char)
    if d.index is None:
        return None
    cell = row.cells[d.index]
    d.cell = page.doc.char_span(cell.start, cell.end, alignment_mode="expand")
    d.sentence = page.row_span(row)
    d.column = row.column_name(d.index)
    return None if is_hedged(page.cues_in(d.sentence.start, d.sentence.end), page.doc) else d


@step()
def row_parties(page: DocumentFacts, d: TableDecision) -> TableDecision | None:
    """The company of the column header or of the row, and the other names in the row's label."""
    d.caption = page.caption(d.row)
    d.row_subject = header_org(page, d.row, d.index) or row_subject(page, d.row, d.index)
    label = d.row.cells[0]
    d.label_orgs = [o for o in page.orgs_in_chars(label.start, label.end)
                    if o.label_ != d.row_subject] if d.index != 0 else []
    return d


@step()
def table_metric(page: DocumentFacts, d: TableDecision) -> TableDecision | None:
    """The cell's cues; else (money) the column, the row's label, then the sentence introducing
    the table and its heading: the first that names a metric (or a non-fact: "Backlog") decides."""
    figure, column, index = d.figure, d.column, d.index
    cell_cues = page.cues_in(d.cell.start, d.cell.end)
    metric = choose_metric(figure, cell_cues, commitment_fallback=False, registry=page.registry)
    if metric is None and figure.unit == "USD":
        caption_metric = d.caption[1]
        table_wide = caption_metric or metric_in_text(d.row.heading or "", page.registry)
        label_text = d.row.cells[0].text
        metric = first_named(
            lambda: "investment" if any(word in column.lower() for word in _INVESTOR_COLUMN) else None,
            lambda: metric_in_text(column, page.registry),
            lambda: metric_in_text(label_text, page.registry) if index != 0 else None,
            lambda: "investment" if d.label_orgs and table_wide == "funding_round" else None,
            lambda: table_wide,
            lambda: "compute_deal" if "commitment" in column.lower() else None,
            lambda: choose_metric(figure, cell_cues, registry=page.registry))
    if metric == "spend" and _role_column(d.row, d.index, "builder", page) is not None:
        metric = "infrastructure"   # a developer's capex in a table of builds is a build budget
    if metric == "spend" and part_bought(page, d.row):
        metric = "investment"       # a price paid for a stake of less than all of a company
    d.metric = metric
    return d if metric is not None else None


@step()
def table_parties(page: DocumentFacts, d: TableDecision) -> TableDecision | None:
    """The row's company (else the caption's, else the article's) and the counterparty a
    cell, an investor or partner column or the row's label names."""
    caption_attr = d.caption[0]
    by_role = role_columns(page, d)
    subject = by_role[0] if by_role else None
    subject = subject or d.row_subject or (caption_attr.subject if caption_attr else None) or page.main
    cp = by_role[1] if by_role else table_counterparty(page, d, subject)
    if cp is None and not by_role and caption_attr and caption_attr.subject == subject:
        cp = caption_attr.counterparty
    if cp == subject or page.registry.roles(d.metric)[1] is None:
        cp = None
    if subject is None:
        return None
    d.attr = Attribution(subject, cp, 0.8)
    return d


@step()
def date_of_row(page: DocumentFacts, d: TableDecision) -> TableDecision | None:
    """The date in the row, else the one the caption gives."""
    d.as_of = nearest_date(page.dates_in(d.sentence, d.figure), d.figure.span.start_char)
    caption = d.row.caption
    if d.as_of is None and caption:
        d.as_of = nearest_date(dates_in(page.text[caption[0]:caption[1]], caption[0], page.published_at), caption[1])
    return d


@step()
def measure_of_column(page: DocumentFacts, d: TableDecision) -> TableDecision | None:
    """The column header may say what kind of amount its cells are ("Total raised")."""
    d.measure = measure_named(d.metric, d.column, page.registry)
    return d


TABLE_STEPS = (
    outside_forecast,
    unhedged_cell,
    row_parties,
    table_metric,
    table_parties,
    date_of_row,
    measure_of_column,
    measure_in_sentence,
)

PER_METRIC = tuple(s.name for s in SENTENCE_STEPS + TABLE_STEPS if s.per_metric)


# -- what the steps read ------------------------------------------------------------------


def with_parse(page: DocumentFacts, figure: Figure, metric: str, attr: Attribution) -> Attribution:
    """The parties the dependency frames read win over the word-window rules; where no
    frame fits, the rules answer at lower confidence, and a rule's counterparty that the
    parse names as the subject (a reversed direction) is dropped."""
    read = parties(page.doc, figure.start, metric, figure.unit, page.registry)
    if read is None:
        return attr
    fallback = replace(attr, confidence=round(attr.confidence - _RULE_DISCOUNT, 2))
    if not read.found:
        return fallback
    subject = read.subject
    if subject is None:
        subject = attr.subject if attr.subject != read.counterparty else \
            (attr.counterparty if attr.counterparty not in (None, read.counterparty) else None)
        if subject is None:
            return fallback
    counterparty = read.counterparty
    if counterparty is None and attr.counterparty not in (None, subject) and attr.subject == subject \
            and not outside_figure_clause(page.doc, figure.start, attr.counterparty):
        counterparty = attr.counterparty
    if page.registry.roles(metric)[1] is None or counterparty == subject:
        counterparty = None
    return Attribution(subject, counterparty, 1.0 if read.subject else fallback.confidence)


def context(page: DocumentFacts, sent: Span, metric: str) -> Attribution | None:
    """Who the previous sentences (at most two back) were about, read for this metric."""
    if LIST_ITEM.match(page.text_of(sent)):
        return None  # each list item stands alone
    k = page.sentence_index.get(sent.start, 0)
    for previous in (page.sentence(j) for j in range(k - 1, max(k - 2, 0) - 1, -1)):
        if page.text_of(previous)[:1] == "#" or (page.rows and row_at(page.rows, previous.start_char)):
            return None  # headings and table rows end the thread
        known = page.sentence_attr.get(previous.start)
        if known:
            attr = known[0]
            # a metric with no counterparty keeps only the subject
            return replace(attr, counterparty=None) if page.registry.roles(metric)[1] is None else attr
        orgs = page.orgs_in(previous.start, previous.end)
        if orgs:
            # read the sentence from its start: its first organisation is what it is about
            roles = read_roles(page.doc, previous, previous.start, previous.start, orgs, page.inside_figures)
            attr = attribute(metric, roles, page.doc, page.main, page.lexicon)
            return attr if attr.subject else None
    return None


def respective_party(page: DocumentFacts, figure: Figure, sent: Span, roles: Roles) -> str | None:
    """"Broadcom and AMD deals (10 GW and 6 GW respectively)": the k-th figure, the k-th name."""
    if "respectively" not in page.text_of(sent):
        return None
    figures = [span for span in page.figure_spans
               if sent.start <= span.start < sent.end and span.label_ == figure.span.label_]
    groups: dict[int, list] = {}
    for mention in roles.mentions:
        groups.setdefault(mention.group, []).append(mention)
    for members in groups.values():
        if len(members) == len(figures) > 1:
            position = next(k for k, span in enumerate(figures) if span.start == figure.start)
            return members[position].name
    return None


def deal_before(page: DocumentFacts, sent: Span, subject: str | None) -> str | None:
    """The counterparty of the previous sentence's deal, when that deal is the same buyer's."""
    k = page.sentence_index.get(sent.start, 0)
    if k == 0:
        return None
    deal = page.sentence_deal.get(page.sentence_starts[k - 1])
    return deal.counterparty if deal and deal.subject == subject else None


def lead_after(page: DocumentFacts, sent: Span) -> str | None:
    """The lead investor the next sentence names ("The round was led by Y")."""
    following = page.next_sentence(sent)
    if following is None:
        return None
    roles = read_roles(page.doc, following, following.start, following.start,
                       page.orgs_in(following.start, following.end), page.inside_figures)
    return roles.leads[0].name if roles.leads else None


def names_compute(page: DocumentFacts, scope: Span) -> bool:
    """Whether a sentence names compute: a compute_goods word, a chip or a compute provider
    (in the sentence, or the provider the article is about: "signed a contract with us")."""
    if _COMPUTE_GOODS.search(page.text_of(scope)):
        return True
    if any(token.lower_ in chip_makers() for token in scope):
        return True
    named = [o.label_ for o in page.orgs_in(scope.start, scope.end)] + [page.main]
    return any(name and page.lexicon.is_provider(name) for name in named)


def list_item_metric(page: DocumentFacts, figure: Figure, sent: Span) -> str | None:
    """"1. OpenAI — $40 billion." in a listicle: the title says what the list ranks."""
    text = page.text
    line_start = text.rfind("\n", 0, figure.span.start_char) + 1
    if figure.unit != "USD" or len(sent) > 12 or not LIST_ITEM.match(text[line_start:]):
        return None
    if not any(o.end <= figure.start for o in page.orgs_in(sent.start, sent.end)):
        return None  # the item must name whom it ranks
    return first_named(lambda: metric_in_text(text.lstrip().split("\n", 1)[0], page.registry))


def table_counterparty(page: DocumentFacts, d: TableDecision, subject: str | None) -> str | None:
    figure, row, index, cell, metric = d.figure, d.row, d.index, d.cell, d.metric
    in_cell = [o for o in page.orgs_in(cell.start, cell.end) if not (figure.start <= o.start < figure.end)]
    adjacent = [o for o in in_cell if o.start == figure.end or o.end == figure.start
                or (o.end == figure.start - 1 and page.doc[o.end].text == "(")]
    if adjacent:
        return adjacent[0].label_
    names = list(dict.fromkeys(o.label_ for o in in_cell if o.label_ != subject))
    if len(names) == 1:
        return names[0]
    if len(names) > 1:
        return None
    for k, other in enumerate(row.cells):
        header = row.column_name(k).lower()
        if k == index or not any(word in header for word in _INVESTOR_COLUMN + _PARTNER_COLUMN):
            continue
        names = list(dict.fromkeys(o.label_ for o in page.orgs_in_chars(other.start, other.end)))
        names = names or name_in_cell(page, other)
        if names and (metric == "funding_round" or len(names) == 1):
            return names[0]
        if names:
            return None
    names = list(dict.fromkeys(o.label_ for o in d.label_orgs))
    return names[0] if len(names) == 1 and names[0] != subject else None


def part_bought(page: DocumentFacts, row: TableRow) -> bool:
    """A row whose stake column holds a percentage below 100: part of a company was bought."""
    for k, cell in enumerate(row.cells):
        if metric_in_text(row.column_name(k), page.registry) != "investment" and \
                "stake" not in row.column_name(k).lower():
            continue
        match = re.fullmatch(r"(\d{1,2}(?:\.\d+)?)\s*%", cell.text.strip())
        if match:
            return True
    return False


def _role_column(row: TableRow, index: int, role: str | None, page: DocumentFacts) -> int | None:
    """The column whose header names a party of this role ("Buyer / tenant", "Developer")."""
    words = page.registry.words.get(f"columns_{role}") if role else None
    if not words:
        return None
    for k in range(len(row.cells)):
        if k != index and words & set(re.findall(r"[a-z]+", row.column_name(k).lower())):
            return k
    return None


def role_columns(page: DocumentFacts, d: TableDecision) -> tuple[str | None, str | None] | None:
    """Subject and counterparty from the columns named for the metric's roles (a PPA table's
    Buyer and Seller, a campus tracker's Developer and Tenant); None when no column names the
    subject's role. A role cell naming no company ("-", "none named") leaves that party empty."""
    subject_role, counterparty_role = page.registry.roles(d.metric)
    column = _role_column(d.row, d.index, subject_role, page)
    if column is None:
        return None
    other = _role_column(d.row, d.index, counterparty_role, page)
    subject = _cell_name(page, d.row.cells[column])
    counterparty = _cell_name(page, d.row.cells[other]) if other not in (None, column) else None
    return (subject, counterparty) if subject else None


def _cell_name(page: DocumentFacts, cell: Cell) -> str | None:
    """The company a role column's cell names: one the lexicon knows, else a capitalised name
    ("Holloway Steel"; not "-", "(none named)", "new shares issued")."""
    names = list(dict.fromkeys(o.label_ for o in page.orgs_in_chars(cell.start, cell.end)))
    if len(names) == 1:
        return names[0]
    text = cell.text.strip("*_ ")
    words = text.split()
    if names or not words or len(words) > 5 or not all(w[:1].isupper() or w in _NAME_JOINERS for w in words):
        return None
    if any(ch.isdigit() or ch in "()$€£%|/+" for ch in text) or text in NOT_ORG_WORDS:
        return None
    return page.lexicon.canonical(text)


def row_subject(page: DocumentFacts, row: TableRow, index: int) -> str | None:
    """A cell holding just an organisation, in a company or customer column (or the row label)."""
    for k, cell in enumerate(row.cells):
        header = row.column_name(k).lower()
        if k == index or any(word in header for word in _INVESTOR_COLUMN + _PARTNER_COLUMN):
            continue
        if k != 0 and not any(word in header for word in _SUBJECT_COLUMN):
            continue
        orgs = page.orgs_in_chars(cell.start, cell.end)
        if len(orgs) == 1 and orgs[0].text == cell.text.strip("*_ "):
            return orgs[0].label_
        if not orgs and any(word in header for word in _SUBJECT_COLUMN) and name_in_cell(page, cell):
            return name_in_cell(page, cell)[0]
    return None


def name_in_cell(page: DocumentFacts, cell: Cell) -> list[str]:
    """A cell of a company or investor column that holds an unknown name ("ASML")."""
    text = cell.text.strip("*_ ")
    words = text.split()
    if not words or len(words) > 4 or not text[:1].isupper() or any(ch.isdigit() for ch in text):
        return []
    if any(ch in text for ch in "$€£%|,/+") or text in NOT_ORG_WORDS:
        return []
    # "Coatue", "ASML", "Aker ASA" are firms; "Jaan Tallinn" (two plain words) is likely a person
    firm = len(words) == 1 or words[-1] in ORG_SUFFIXES or any(w.isupper() and len(w) > 1 for w in words)
    return [page.lexicon.canonical(text)] if firm else []


def header_org(page: DocumentFacts, row: TableRow, index: int) -> str | None:
    if index >= len(row.header):
        return None
    header = row.header[index]
    orgs = page.orgs_in_chars(header.start, header.end)
    return orgs[0].label_ if len(orgs) == 1 else None
