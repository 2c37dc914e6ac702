"""One figure, one fact: currency conversions merged, repeats within a document removed."""
from __future__ import annotations

from dataclasses import replace

from .attribution import KIND_GUESS
from .components import word_list
from .figures import Figure
from .model import Fact

_CONVERSION_GLUE = word_list("conversion_glue")
_PARSED = 1.0   # the confidence of parties the dependency frames read (steps.with_parse)


def merge_conversions(figures: list[Figure]) -> list[Figure]:
    """"€10bn ($11.7bn)": one figure, valued in dollars, that keeps the euro amount."""
    merged: list[Figure] = []
    skip: set[int] = set()
    for k, fig in enumerate(figures):
        if k in skip:
            continue
        nxt = figures[k + 1] if k + 1 < len(figures) else None
        if fig.currency and nxt is not None and nxt.currency is None and nxt.unit == "USD":
            glue = [t.lower_ for t in fig.span.doc[fig.end:nxt.start]]
            if len(glue) <= 3 and all(w in _CONVERSION_GLUE for w in glue):
                merged.append(replace(fig, value=nxt.value, value_max=nxt.value_max, qualifier=nxt.qualifier
                                      if nxt.qualifier != "exact" else fig.qualifier))
                skip.add(k + 1)
                continue
        merged.append(fig)
    return merged


def _org_set(fact: Fact) -> set[str]:
    return {fact.subject, fact.counterparty} - {None}


def _same_value(a: Fact, b: Fact) -> bool:
    if a.unit != b.unit:
        return False
    if a.currency and a.currency == b.currency and a.amount is not None and b.amount is not None:
        return abs(a.amount - b.amount) <= 1e-6 * max(abs(a.amount), 1.0)
    if a.value is None or b.value is None:
        return a.value is None and b.value is None and a.currency == b.currency and a.amount == b.amount
    return abs(a.value - b.value) <= 1e-6 * max(abs(a.value), 1.0)


def _richer(first: Fact, later: Fact, headline_end: int = 0) -> Fact:
    """Keep the first mention, completed by what a later one adds (parties, a dollar value).
    A later mention with another subject does not turn the first around when it is read as
    another metric (an infrastructure fact's builder is a compute deal's supplier), nor when
    the first was read from the parse and the later one was not (a table row's guess)."""
    turns = later.subject != first.subject and (
        first.metric != later.metric or later.confidence < _PARSED <= first.confidence)
    if not turns and (len(_org_set(later)) > len(_org_set(first)) or (
            first.span[0] < headline_end and first.confidence <= KIND_GUESS < later.confidence
            and _org_set(later) == _org_set(first))):
        # more parties; or a headline whose "X signs deal with Y" left the direction to the
        # companies' kinds, where the body's "Y will buy … from X" says it in words
        first = replace(first, subject=later.subject, counterparty=later.counterparty,
                        confidence=later.confidence)
    if first.value is None and later.value is not None:
        first = replace(first, value=later.value, value_max=later.value_max)
    return first


def dedupe(facts: list[Fact], headline_end: int = 0) -> list[Fact]:
    """A figure repeated in one article (headline, body, summary table) is one fact."""
    kept: list[Fact] = []
    by_figure: dict[tuple, list[int]] = {}   # candidates share a unit and a rounded value or amount
    for fact in facts:
        keys = _figure_keys(fact)
        candidates = sorted({k for key in keys for k in by_figure.get(key, [])})
        for k in candidates:
            seen = kept[k]
            if not _same_value(fact, seen):
                continue
            same_pair = _org_set(fact) == _org_set(seen)
            nested = fact.metric == seen.metric and (_org_set(fact) <= _org_set(seen) or _org_set(seen) <= _org_set(fact))
            if same_pair or nested:
                kept[k] = _richer(seen, fact, headline_end)
                break
        else:
            for key in keys:
                by_figure.setdefault(key, []).append(len(kept))
            kept.append(fact)
    return kept


def _figure_keys(fact: Fact) -> list[tuple]:
    keys = []
    if fact.value is not None:
        keys.append((fact.unit, round(fact.value, 3)))
    if fact.currency and fact.amount is not None:
        keys.append((fact.unit, fact.currency, round(fact.amount, 3)))
    return keys
