"""What a figure measures: the nearest metric cue wins; units decide power/chips/stakes."""
from __future__ import annotations

import re
from functools import lru_cache

from spacy.tokens import Span

from .components import pattern_path, read_jsonl
from .figures import Figure

MONEY_METRICS = ("funding_round", "valuation", "revenue", "investment", "spend", "infrastructure", "compute_deal")
NOT_A_FACT = "NONFACT"
HEDGE = "HEDGE"
STAKE = "STAKE"
COMMITMENT = "COMMITMENT"
_REPORTED_SPEECH = {"said", "says", "announced", "confirmed", "agreed", "told"}


def choose_metric(figure: Figure, cues: list[Span], commitment_fallback: bool = True) -> str | None:
    """The metric for a figure given the cue spans of its sentence (or table cell)."""
    if figure.unit == "W":
        return "power"
    if figure.unit == "count":
        return "chips"
    if figure.unit == "percent":
        return "equity_stake" if any(c.label_ == STAKE for c in cues) else None
    candidates = [c for c in cues if c.label_ in MONEY_METRICS + (NOT_A_FACT,)
                  and (c.end <= figure.start or c.start >= figure.end) and not _purpose(figure, c)]
    # in a compound ("infrastructure investment") the last word is the head
    heads = [c for c in candidates if not any(o.start == c.end and o.label_ != c.label_ for o in candidates)]
    if not heads:
        # "a $30B commitment to Azure": a commitment with no other word is a compute deal
        if commitment_fallback and any(c.label_ == COMMITMENT for c in cues):
            return "compute_deal"
        return None
    best = min(heads, key=lambda c: (_distance(figure, c), c.start < figure.start))
    if best.label_ == "investment":
        best = _invested_in(figure, candidates) or best
    if best.label_ == "valuation" and _deal_valued_at(best, candidates):
        return "compute_deal"
    if _holding_worth(figure, cues):
        return None
    return None if best.label_ == NOT_A_FACT else best.label_


def _invested_in(figure: Figure, cues: list[Span]) -> Span | None:
    """"invests $50B in AI infrastructure": what the money goes into names the metric."""
    doc = figure.span.doc
    for cue in cues:
        if cue.label_ in ("infrastructure", "compute_deal") and 0 < cue.start - figure.end <= 5:
            if any(t.lower_ in ("in", "into") for t in doc[figure.end:cue.start]):
                return cue
    return None


def _purpose(figure: Figure, cue: Span) -> bool:
    """"secures £850M to build data centres": what the money is for is not what it is."""
    doc = figure.span.doc
    return cue.start > figure.end and doc[cue.start - 1].lower_ == "to" and cue.start - figure.end <= 3


def _deal_valued_at(valued: Span, cues: list[Span]) -> bool:
    """"an agreement valued at $14.2B" values a deal, not a company."""
    return any(c.label_ == "compute_deal" and 0 <= valued.start - c.end <= 3 for c in cues)


def _holding_worth(figure: Figure, cues: list[Span]) -> bool:
    """"a 27% stake worth about $135B" is what a holding is worth, not a deal."""
    doc = figure.span.doc
    before = [t.lower_ for t in doc[max(figure.start - 4, 0):figure.start]]
    if not ("worth" in before or "valued" in before):
        return False
    return any(c.label_ == STAKE and 0 <= figure.start - c.end <= 14 for c in cues)


def _distance(figure: Figure, cue: Span) -> int:
    return figure.start - cue.end if cue.end <= figure.start else cue.start - figure.end


def is_hedged(cues: list[Span], doc) -> bool:
    """Forecasts, denials, talks and hypotheticals state no fact."""
    for cue in cues:
        if cue.label_ != HEDGE or cue.text == "May":
            continue
        if cue.text.lower() == "would":
            before = {t.lower_ for t in doc[max(cue.start - 4, 0):cue.start]}
            if before & _REPORTED_SPEECH:
                continue  # "said it would invest" reports an announcement
        return True
    return False


@lru_cache(maxsize=1)
def _text_cues() -> list[tuple[re.Pattern, str]]:
    order = {m: i for i, m in enumerate(MONEY_METRICS)}
    cues = [(rec["pattern"], rec["label"]) for rec in read_jsonl(pattern_path("cues.jsonl"))
            if rec["label"] in MONEY_METRICS]
    cues.sort(key=lambda c: order[c[1]])
    return [(re.compile(rf"\b{re.escape(word)}s?\b", re.I), label) for word, label in cues]


@lru_cache(maxsize=4096)
def metric_in_text(text: str) -> str | None:
    """The strongest money metric a short text (a column header, a heading) names."""
    for pattern, label in _text_cues():
        if pattern.search(text):
            return label
    return None
