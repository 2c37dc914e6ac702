"""What a figure measures: the nearest metric cue wins; units decide power/chips/stakes.

What a figure goes into or values can override the nearest cue ("spent $8.5B on capital
expenditures" is infrastructure, "an agreement valued at $9.6B" a compute deal, "a project
valued at $15B" infrastructure). Hedges (forecasts, guidance, analyst models, talks, denials)
void a figure unless they open a later clause; a market aggregate ("interconnection requests")
before a figure names no company's figure.
"""
from __future__ import annotations

import re
from functools import lru_cache

from spacy.tokens import Span

from .components import FIGURE_SPANS, lower_words, pattern_path, read_jsonl
from .figures import DOC_TEXT, Figure
from .numbers import QUALIFIER_BEFORE, QUALIFIER_SOFTENERS
from .registry import MONEY, Registry, default_registry

_REGISTRY = default_registry()
# the metrics these rules name; a registry without one of them fails here, at import
VALUATION, INVESTMENT, SPEND, INFRASTRUCTURE, COMPUTE_DEAL, EQUITY_STAKE, FUNDING_ROUND = _REGISTRY.require(
    "valuation", "investment", "spend", "infrastructure", "compute_deal", "equity_stake", "funding_round")
NOT_A_FACT = "NONFACT"
HEDGE = "HEDGE"
MODAL = "MODAL"
AGGREGATE = "AGGREGATE"
STAKE = EQUITY_STAKE   # the stake words are the equity_stake metric's cues
COMMITMENT = "COMMITMENT"
_CLAUSE_BREAKS = _REGISTRY.word_list("clause_breaks")
# between "values X at" and the figure: a qualifier ("at about", "at just under", "at a")
_QUALIFIER_WORDS = {w for phrase, _ in QUALIFIER_BEFORE for w in phrase} | QUALIFIER_SOFTENERS | {"under", "a", "an"}
_REPORTED_REACH = 12   # "Meta said its campus in Richland Parish, Louisiana, would reach …"
_BUILD_VERBS = _REGISTRY.word_list("build_verbs")
_BUILD_REACH = 4   # words between the money and "to build" ("this fiscal year")
_PAYING_VERBS = _REGISTRY.word_list("paying_verbs")
_VALUING_VERBS = _REGISTRY.word_list("valuing_verbs")
_WORTH_WORDS = _REGISTRY.word_list("worth_words")
SPEECH_VERBS = _REGISTRY.word_list("speech_verbs")   # each rule adds what its reading needs
_REPORTED_SPEECH = SPEECH_VERBS | _REGISTRY.word_list("reported_speech")
# "## Guidance (FY2026)", "Forward-Looking Statements", "Outlook": a heading over figures that
# are forecasts; the section runs to the next heading
_FORECAST_HEADING = re.compile(
    r"^[ \t]*(?:#{1,6}[ \t]*)?(?:\*\*)?[^\n.!?]{0,40}\b(guidance|outlook|forecasts?|projections?|forward[- ]looking"
    r"(?: statements?)?|safe harbou?r|estimates|rumou?r(?: mill)?)\b[^\n.!?]{0,40}$", re.IGNORECASE | re.MULTILINE)
# the stems of those headings' words: a quick scan picks the lines _FORECAST_HEADING then tests
_FORECAST_WORDS = ("guidance", "outlook", "forecast", "projection", "forward", "safe harbo", "estimates", "rumo")
_FORECAST_WORD = re.compile("|".join(_FORECAST_WORDS))   # searched in lower case: IGNORECASE is 4x slower
_TABLE_LINE = re.compile(r"\||\t|\S {2,}\S")
_HEADING = re.compile(r"^[ \t]*(?:#{1,6}[ \t]+[^\n]*|[A-Z][^\n.!?:]{0,60})$", re.MULTILINE)


def choose_metric(figure: Figure, cues: list[Span], commitment_fallback: bool = True,
                  registry: Registry = _REGISTRY) -> str | None:
    """The metric for a figure given the cue spans of its sentence (or table cell).

    Only metrics of the figure's unit compete: a unit one metric decides alone (W: power)
    needs no cue; otherwise the nearest cue of a metric of that unit names it."""
    if figure.unit != MONEY:
        return _by_unit(figure, cues, registry)
    if _values_at(figure):
        return VALUATION
    if _paid_for_stake(figure, cues) or _paid_for_part(figure) or _shares_bought(figure, cues):
        return INVESTMENT
    if _paid(figure, cues):
        return SPEND
    money = registry.for_unit(MONEY)
    candidates = [c for c in cues if (c.label_ in money or c.label_ == NOT_A_FACT)
                  and (c.end <= figure.start or c.start >= figure.end) and not _purpose(figure, c)]
    # in a compound ("infrastructure investment", "secured financing facility") the last word
    # is the head; a cue inside a longer one ("financing" in "financing package") is no head
    heads = [c for c in candidates if not any(o.start == c.end and o.label_ != c.label_ for o in candidates)
             and not any(o.start <= c.start and c.end <= o.end and o.end - o.start > c.end - c.start
                         for o in candidates)]
    heads = [c for c in heads if not any(o.start == c.end and o in heads and o.label_ != c.label_ for o in heads)]
    if not heads:
        # "a $30B commitment to Azure": a commitment with no other word is a compute deal, and
        # "committed $2.5 billion to build out Childress" a build budget
        if commitment_fallback and any(c.label_ == COMMITMENT for c in cues):
            return INFRASTRUCTURE if _to_build(figure) else COMPUTE_DEAL
        return None
    # a cue of the figure's own clause names it before one across a comma or a dash
    # ("capital expenditures were $1.05 billion, primarily for GPU servers")
    best = min(heads, key=lambda c: (_across_clause(figure, c), _distance(figure, c), c.start < figure.start))
    if best.label_ in (INVESTMENT, SPEND):
        into = _invested_in(figure, heads)
        # "spent $610M on 18,000 GPUs" is a purchase: spend; only a build makes it infrastructure
        best = into if into is not None and (best.label_ == INVESTMENT or into.label_ == INFRASTRUCTURE) else best
        if best.label_ == INVESTMENT and _to_build(figure):
            return INFRASTRUCTURE
    if best.label_ == FUNDING_ROUND and _finances_a_build(figure, candidates):
        return INFRASTRUCTURE
    if best.label_ == VALUATION and best.text.lower() == "valued":
        valued = _thing_valued(best, candidates)
        if valued is not None:
            return valued
    if _holding_worth(figure, cues):
        return None
    return None if best.label_ == NOT_A_FACT else best.label_


def _by_unit(figure: Figure, cues: list[Span], registry: Registry) -> str | None:
    names = registry.for_unit(figure.unit)
    cued = [c for c in cues if c.label_ in names]
    if cued:
        return min(cued, key=lambda c: _distance(figure, c)).label_
    return next((name for name in names if not registry.get(name).cues), None)


_VALUED_REACH = 20


def _values_at(figure: Figure) -> bool:
    """"The deal values Kinross at about $7.3 billion": the verb "values" (not the noun) and
    "at" before the figure say what it is, whatever the nearer cue."""
    doc = figure.span.doc
    words = lower_words(doc)
    at = next((i for i in range(figure.start - 1, max(figure.start - 4, -1), -1) if words[i] == "at"), None)
    if at is None or not all(w in _QUALIFIER_WORDS for w in words[at + 1:figure.start]):
        return False
    # the company valued may be long ("the four-year-old company") or carry a clause of its
    # own between commas ("values Tanjong Pacific, which owns 58 warehouses, at $4.2 billion");
    # "that deal valued Anthropic at": the past tense with an object values too
    for k in range(at - 2, max(at - _VALUED_REACH, 0) - 1, -1):
        if words[k] in (".", ";", "\n", "\n\n") or (k < at - 6 and words[k] in _CLAUSE_BREAKS):
            return False
        if words[k] in _VALUING_VERBS or (words[k] == "valued" and words[k + 1] not in ("at", "by")):
            return True
    return False


def valued_company(figure: Figure, orgs: list) -> str | None:
    """"led a $300 million round that values Kestrel Labs at $9.5 billion": the company a
    valuing verb after the figure names (right after the verb, or after "the") raised it."""
    words = lower_words(figure.span.doc)
    for org in orgs:
        if org.start <= figure.end or org.start - figure.end > 8:
            continue
        verb = org.start - 1 if words[org.start - 1] != "the" else org.start - 2
        if words[verb] in _VALUING_VERBS and org.end < len(words) and words[org.end] == "at":
            return org.label_
    return None


def _paid_for_stake(figure: Figure, cues: list[Span]) -> bool:
    """"to take a 49% stake in Kinross for $3.6 billion": money paid for a stake is invested."""
    doc = figure.span.doc
    return figure.start > 0 and lower_words(doc)[figure.start - 1] == "for" \
        and any(c.label_ == STAKE and c.text.lower() == "stake" and c.end <= figure.start for c in cues)


_PART_REACH = 16   # "buy a 19.9% stake in Kinnear Copper, the Vancouver-based developer, for $300 million"


def _paid_for_part(figure: Figure) -> bool:
    """"bought about 3.6% of Intel for $4.2 billion", "acquire a 49% interest in PropCo for
    $1.15 billion": money paid for a percentage of a company buys part of it, an investment."""
    doc = figure.span.doc
    words = lower_words(doc)
    for span in doc.spans.get(FIGURE_SPANS, []):
        if span.label_ != "PERCENT" or span.end > figure.start or figure.start - span.end > _PART_REACH:
            continue
        between = words[span.end:figure.start]
        if "for" in between and not any(w in (";", ".") or w in _CLAUSE_BREAKS for w in between):
            return True
    return False


def _shares_bought(figure: Figure, cues: list[Span]) -> bool:
    """"purchase $50 million of Orison common stock": money for a company's shares is invested."""
    words = lower_words(figure.span.doc)
    return figure.end < len(words) and words[figure.end] == "of" and any(
        c.label_ == INVESTMENT and 0 < c.start - figure.end <= 4 and c.text.lower() != "put" for c in cues)


def _paid(figure: Figure, cues: list[Span]) -> bool:
    """"Cohere paid Vantor $150 million", "it paid NVIDIA $1.1 billion for GPUs": a payment
    made is spend, though it buys capacity (a contract to buy it is a compute deal). The
    payee may stand between the verb and the figure; a stake bought after it is an investment."""
    words = lower_words(figure.span.doc)
    before = words[max(figure.start - 5, 0):figure.start]
    if not any(w in _PAYING_VERBS for w in before):
        return False
    verb = max(i for i, w in enumerate(before) if w in _PAYING_VERBS)
    if any(w in _CLAUSE_BREAKS or w in (",", ".") for w in before[verb + 1:]):
        return False
    return not any(c.label_ == STAKE and 0 <= c.start - figure.end <= 6 for c in cues)


def _invested_in(figure: Figure, cues: list[Span]) -> Span | None:
    """"invests $50B in AI infrastructure", "spent $8.5B on capital expenditures": what the
    money goes into names the metric."""
    doc = figure.span.doc
    end = figure.end
    if end < len(doc) and doc[end].text == "(":   # "€1.7 billion ($2 billion) in a campus"
        end = next((i + 1 for i in range(end, min(end + 8, len(doc))) if doc[i].text == ")"), end)
    for cue in cues:
        if cue.label_ in (INFRASTRUCTURE, COMPUTE_DEAL) and 0 < cue.start - end <= 8:
            between = lower_words(doc)[end:cue.start]
            if between[0] in ("in", "into", "on") and not any(w in (",", ";", "and", "to") for w in between):
                return cue  # "… on the second phase of its data-centre campus"
    return None


_ROUND_WORDS = _REGISTRY.word_list("round_words")
_FOR_A_BUILD = 12   # "$29 billion of financing from PIMCO for its Hyperion data centre"


def _finances_a_build(figure: Figure, cues: list[Span]) -> bool:
    """"secures £1.2bn to build Teesside AI campus", "closes $2.4 billion financing for Caprock
    AI Campus": money raised for one facility is the money to build it, not a round (unless a
    round is named: "a Series C to build data centres"). A facility in the plural ("data
    centres") is no one facility."""
    if any(c.label_ == FUNDING_ROUND and c.text.lower().split()[0] in _ROUND_WORDS for c in cues):
        return False
    words = lower_words(figure.span.doc)
    for cue in cues:
        if cue.label_ != INFRASTRUCTURE or not 0 <= cue.start - figure.end <= _FOR_A_BUILD:
            continue
        name = cue.text.lower()
        if name.endswith("s") and not name.endswith(("campus", "infrastructure")):
            continue
        between = words[figure.end:cue.start]
        if any(w in (";", ".") for w in between):
            continue
        if "for" in between or "toward" in between or "towards" in between or any(
                w == "to" and k + 1 < len(between) and between[k + 1] in _BUILD_VERBS | {"finance", "fund"}
                for k, w in enumerate(between)):
            return True
    return False


def _to_build(figure: Figure) -> bool:
    """"will invest approximately $4.6 billion to build the campus", "$80 billion this fiscal
    year to build out data centers": money invested to build something, with no company
    invested in, is a build budget."""
    words = lower_words(figure.span.doc)
    window = words[figure.end:figure.end + _BUILD_REACH + 2]
    for k, word in enumerate(window[:-1]):
        if word in _CLAUSE_BREAKS or word in (",", ".", "in", "into"):
            return False
        if word == "to":
            return window[k + 1] in _BUILD_VERBS
    return False


def _purpose(figure: Figure, cue: Span) -> bool:
    """"secures £850M to build data centres": what the money is for is not what it is."""
    doc = figure.span.doc
    return cue.start > figure.end and lower_words(doc)[cue.start - 1] == "to" and cue.start - figure.end <= 3


def _thing_valued(valued: Span, cues: list[Span]) -> str | None:
    """"an agreement (with Microsoft is now) valued at $14.2B" values a deal, "a project valued
    at $15B" a build: not a company. The noun is at most a few words before "valued"."""
    nouns = [c for c in cues if c.label_ in (COMPUTE_DEAL, INFRASTRUCTURE) and 0 <= valued.start - c.end <= 5]
    return max(nouns, key=lambda c: c.end).label_ if nouns else None


def _holding_worth(figure: Figure, cues: list[Span]) -> bool:
    """"a 27% stake worth about $135B" is what a holding is worth, not a deal."""
    text = figure.span.doc._.get(DOC_TEXT) or figure.span.doc.text
    before = text[max(figure.span.start_char - 30, 0):figure.span.start_char].lower()
    if not any(word in before for word in _WORTH_WORDS):
        return False
    return any(c.label_ == STAKE and 0 <= figure.start - c.end <= 14 for c in cues)


# punctuation that ends a clause, and words that open a time clause ("$420 million since its
# 2021 acquisition of the business" is no acquisition)
_CLAUSE_MARKS = frozenset({",", ";", "—", "–", "(", ")"}) | _REGISTRY.word_list("time_clauses")


def _across_clause(figure: Figure, cue: Span) -> bool:
    words = lower_words(figure.span.doc)
    between = words[cue.end:figure.start] if cue.end <= figure.start else words[figure.end:cue.start]
    return any(w in _CLAUSE_MARKS for w in between)


def _distance(figure: Figure, cue: Span) -> int:
    return figure.start - cue.end if cue.end <= figure.start else cue.start - figure.end


def is_hedged(cues: list[Span], doc, figure: Figure | None = None) -> bool:
    """Forecasts, denials, talks and hypotheticals state no fact.

    With a figure, a hedge that comes after it in a new clause ("revenue reached $1.1B and
    reiterated a target of …") leaves it alone; a modal verb does not hedge a planned capacity
    ceiling ("could scale to as much as 1.4 gigawatts"); a market aggregate before it ("interconnection requests
    topped 200 GW") names no company's figure."""
    for cue in cues:
        if cue.label_ == AGGREGATE:
            if figure is not None and cue.end <= figure.start:
                return True
            continue
        if cue.label_ not in (HEDGE, MODAL) or cue.text == "May":
            continue
        if figure is not None and cue.start >= figure.end and _new_clause(doc, figure.end, cue.start):
            continue
        if cue.label_ == MODAL:
            if figure is not None and figure.unit == "W" and figure.qualifier == "up_to":
                continue  # "could scale to as much as 1.4 GW": a planned ceiling, not speculation
            before = set(lower_words(doc)[max(cue.start - _REPORTED_REACH, 0):cue.start])
            if cue.text.lower() == "would" and before & _REPORTED_SPEECH:
                continue  # "said it would invest" reports an announcement
        return True
    return False


def _new_clause(doc, start: int, end: int) -> bool:
    return any(w in _CLAUSE_BREAKS for w in lower_words(doc)[start:end])


@lru_cache(maxsize=8)
def _text_cues(registry: Registry) -> tuple[re.Pattern, list[tuple[int, int, str]]]:
    """Every money metric's cues and the non-fact cues as one pattern, a group per cue, and
    each group's (words, strength, label): a non-fact first, then the registry's order."""
    labels = {cue: name for name in registry.for_unit(MONEY) for cue in registry.get(name).cues}
    for rec in read_jsonl(pattern_path("cues.jsonl")):
        if rec["label"] == NOT_A_FACT:
            labels.setdefault(rec["pattern"], NOT_A_FACT)
    order = (NOT_A_FACT,) + registry.for_unit(MONEY)
    cues = sorted(labels, key=len, reverse=True)
    groups = [(len(cue.split()), order.index(labels[cue]), labels[cue]) for cue in cues]
    return re.compile("|".join(rf"\b({re.escape(cue)})s?\b" for cue in cues), re.I), groups


@lru_cache(maxsize=4096)
def metric_in_text(text: str, registry: Registry = _REGISTRY) -> str | None:
    """The money metric a short text (a column header, a caption, a heading) names.

    The most specific cue wins, one of more words ("raised their capital spending": capital
    spending), then the registry's order of strength. A non-fact ("Market value") comes first
    in a header of a few words, and as the head of a compound anywhere ("their contract
    backlog"), and gives NOT_A_FACT; elsewhere in a longer text it is a passing mention."""
    pattern, groups = _text_cues(registry)
    matches = list(_overlapping(pattern, text))
    found = []
    for m in matches:
        words, strength, label = groups[m.lastindex - 1]
        if label == NOT_A_FACT:
            # a compound's last word is its head: "their contract backlog" names a backlog
            modified = [groups[o.lastindex - 1][0] for o in matches
                        if o.end() < m.start() and not text[o.end():m.start()].strip(" -")]
            if modified:
                words += max(modified)
            elif len(text.split()) > _HEADER_WORDS:
                continue
        found.append((words, strength, label))
    return min(found, key=lambda f: (-f[0], f[1]))[2] if found else None


_HEADER_WORDS = 4


def _overlapping(pattern: re.Pattern, text: str):
    """Matches starting at every word: "capital spending" and "spending" both."""
    pos = 0
    while (m := pattern.search(text, pos)) is not None:
        yield m
        pos = m.start() + 1


def forecast_sections(text: str) -> list[tuple[int, int]]:
    """Character ranges under headings that announce forecasts ("Guidance", "Outlook",
    "Forward-Looking Statements"): every figure there is a forecast, whatever its sentence says.

    Only the lines holding a forecast word are tested as headings (the heading pattern run
    over every line of every article was a tenth of the extraction time)."""
    sections: list[tuple[int, int]] = []
    lower = text.lower()
    if not any(word in lower for word in _FORECAST_WORDS):
        return sections   # the usual case: a few substring scans in C
    if len(lower) != len(text):   # "İ" lower-cases to two characters: keep offsets aligned
        lower = "".join(ch.lower() if len(ch.lower()) == 1 else ch for ch in text)
    for word in _FORECAST_WORD.finditer(lower):
        if sections and word.start() < sections[-1][1]:
            continue
        line_start = text.rfind("\n", 0, word.start()) + 1
        line_end = text.find("\n", word.end())
        line_end = len(text) if line_end < 0 else line_end
        line = text[line_start:line_end]
        if not _FORECAST_HEADING.fullmatch(line) or not _HEADING.fullmatch(line) or len(line.split()) > 8 \
                or _TABLE_LINE.search(line):
            continue   # a sentence mentioning guidance is no heading, nor a table's header row
        following = next((m for m in _HEADING.finditer(text, line_end + 1)
                          if text[m.start() - 2:m.start()] == "\n\n" or text[m.start():m.start() + 1] == "#"), None)
        sections.append((line_end, following.start() if following else len(text)))
    return sections


_MEASURE_REACH = 60    # characters between a measure cue and its figure
_CLAUSE_BREAK = re.compile(r"[,;:]\s|\s[—–-]\s|[()]")   # not the comma inside "$1,200"
_MEASURE_ORDER = ("total", "rate", "period")   # two cues as near to a figure: the first kind wins


@lru_cache(maxsize=64)
def _measure_cues(registry: Registry, text: str, start: int, end: int) -> list[tuple[str, re.Match]]:
    """The measure cues of a sentence (read once for all its figures)."""
    return [(kind, cue) for kind, pattern in _measure_patterns(registry) for cue in pattern.finditer(text, start, end)]


@lru_cache(maxsize=8)
def _measure_patterns(registry: Registry) -> list[tuple[str, re.Pattern]]:
    """Each measure kind's cues as one pattern ("a year", not "a year ago")."""
    return [(kind, re.compile(r"(?<![\w-])(?:" + "|".join(re.escape(c) for c in sorted(cues, key=len, reverse=True))
                              + r")(?![\w-])(?!\s+(?:ago|earlier|later|before|after|on)\b)", re.I))
            for kind, cues in registry.measure_cues.items()]


def measure_of(metric: str, text: str, scope: tuple[int, int], figure: tuple[int, int],
               others: list[tuple[int, int]], registry: Registry = _REGISTRY) -> str | None:
    """What kind of amount a money figure is (total, increment, rate, period), from the cues in
    its sentence or row (scope, in characters of text); the metric's default otherwise.

    A cue belongs to the figure it is nearest to ("raised $400M, bringing its total to $1.6B":
    "total" is the second figure's), and must be one of the kinds the metric can have."""
    entry = registry.get(metric)
    if not entry.money or not entry.measures:
        return None
    start, end = scope
    cues = _measure_cues(registry, text, start, end)
    if not cues:
        return entry.measure   # the usual case
    opening = _CLAUSE_BREAK.search(text, start, end)   # "In total, …", "In the third quarter, …"
    opening_end = opening.start() if opening and not any(o[0] < opening.start() for o in others + [figure]) else start
    found: list[tuple[int, int, str]] = []   # (distance, rank, kind): the nearest cue, then the stronger kind
    for kind, cue in cues:
        if kind in entry.measures:
            # "raised $400M, bringing its total to $1.6B": a cue names a figure of its own clause
            # (or any, from the sentence's opening phrase), the nearest one
            reached = [(_char_distance(cue.span(), f), f is figure) for f in others + [figure]
                       if cue.end() <= opening_end or not _CLAUSE_BREAK.search(text, *_between(cue.span(), f))]
            distance, mine = min(reached, default=(0, False))
            if not mine or distance > _MEASURE_REACH:
                continue
            found.append((distance, _MEASURE_ORDER.index(kind) if kind in _MEASURE_ORDER else len(_MEASURE_ORDER), kind))
    return min(found)[2] if found else entry.measure


def measure_named(metric: str, text: str, registry: Registry = _REGISTRY) -> str | None:
    """The measure kind a short text (a column header: "Total raised", "Q3 revenue") names, if
    the metric can have it; None when it names none."""
    allowed = registry.get(metric).measures
    named = {kind for kind, pattern in _measure_patterns(registry) if kind in allowed and pattern.search(text)}
    return next((kind for kind in _MEASURE_ORDER if kind in named), None)


def _between(a: tuple[int, int], b: tuple[int, int]) -> tuple[int, int]:
    return (a[1], b[0]) if a[1] <= b[0] else (b[1], a[0])


def _char_distance(a: tuple[int, int], b: tuple[int, int]) -> int:
    return max(b[0] - a[1], a[0] - b[1], 0)
