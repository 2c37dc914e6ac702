"""When do two figures agree, and when they don't, what kind of disagreement is it?

Pure functions over :class:`Figure` (the fields of a fact that matter here); no database.

Agreement (:func:`agreement`)
=============================

Every figure has a *written precision*: the size of its last written digit, read from the
normalised value at the scale it is written in (thousand/million/billion/trillion for USD, W
and counts): ``$1.25B`` → 0.01B, ``$1.3 billion`` → 0.1B, ``$10B`` → 1B, ``2.2 GW`` → 0.1 GW.
The *tolerance* of a pair is half the coarser of the two steps, so the more precise figure
rounded to the less precise one's digits gives the same figure (``$1.25B`` ≈ ``$1.3B``,
``about $5B`` ≈ ``$5B``). ``approx`` is treated as exact at its written precision.

===================  ===================  ==================  ===================  ==================
a \\ b               point P2             lower bound L2      ceiling U2 (up_to)   range [lo2, hi2]
===================  ===================  ==================  ===================  ==================
point P1             P1 ≈ P2              P1 ≥ L2             P1 ≈ U2 (cap hit)    lo2 ≤ P1 ≤ hi2
lower bound L1                            always compatible   L1 ≤ U2              hi2 ≥ L1
ceiling U1                                                    U1 ≈ U2              hi2 ≈ U1
range [lo1, hi1]                                                                   ranges overlap
===================  ===================  ==================  ===================  ==================

(point = exact | approx | unknown qualifier; lower bound = more_than | at_least.) "≈" allows
half the coarser written step of the pair; inequalities (bounds, range ends) allow half the
finer step, because a bound is a threshold, not a rounded figure ("more than 2 GW" vs
"1.8 GW" disagree, vs "2 GW" agree). ``up_to X`` vs a smaller point ``Y`` does *not*
agree: ``Y`` fits under the ceiling, but a tranche drawn so far is not the same figure as the
deal's total — it is reported, as class ``partial``.

Like with like (:func:`measure_of`, :func:`period_of`)
=====================================================

Figures are only compared within one measure kind: ``total`` (cumulative), ``increment`` (a
tranche, a round), ``rate`` (annualised, run-rate) or ``period`` (an amount over a stated
stretch of time, of a stated length: "over 10 years" and "nine months" are different
measures). The kind is the fact's ``measure``; where the extractor left it NULL it is read
from the sentence, conservatively, by the cue patterns of ``data/measures.jsonl`` (money
only; no cue, no kind). The kind and the period length are part of the conflict key, so a
total and a tranche, a run-rate and nine months of revenue, or a ten-year commitment and a
month's spend never meet in one conflict.

Within a key, two figures quoted in the same sentence of the same source are never two claims
about one thing (the sentence lists parts), two increments at clearly different dates are two
events (no disagreement at all), and a total that is lower at a later date is a
contradiction, not a change: a cumulative total cannot fall, so one of them is stale.

Classes of a disagreeing pair (:func:`classify_pair`), first rule that applies wins
====================================================================================

===================  ==========================================================================
contradiction        (totals only) a later total is lower than an earlier one: stale or wrong
changed_over_time    both ``as_of`` are known and lie at least 30 days apart even at their
                     coarsest precision (``2023`` vs ``2024-11``): the figure describes two
                     moments (a cumulative total that grew, a revised forecast)
partial              the two figures are quoted in the same sentence of one source; or
                     (unless both are totals) the smaller figure is a component: it plus one to three other figures of
                     the key add up to another figure of the key, at the finer precision
                     (``$1.25B + $2.75B = $4B``); or it sits under an ``up_to`` ceiling of the
                     key; or its sentence calls it a part (tranche, instalment, initial,
                     first/second/third, additional, further)
contradiction        anything else: two different figures for the same thing at the same time
===================  ==========================================================================

A conflict (one per key) takes the most serious class among its disagreeing pairs:
contradiction > changed_over_time > partial. Only contradictions need a reviewer; a key whose
figures changed over time or are parts of one another is kept as context (status ``noted``).
"""

from __future__ import annotations

import bisect
import calendar
import itertools
import json
import math
import re
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from importlib import resources

LOWER_QUALIFIERS = {"more_than", "at_least"}
CLASS_ORDER = ("contradiction", "changed_over_time", "partial")  # most serious first
MIN_TIME_GAP_DAYS = 30

_SCALES = (1e12, 1e9, 1e6, 1e3)
_SCALED_UNITS = {"USD", "W", "count"}
_COMPONENT_WORDS = re.compile(
    r"\b(tranche|tranches|instal?l?ments?|initial|additional|first|second|third|further)\b", re.I
)


@dataclass(frozen=True)
class Figure:
    """The part of a fact the rules look at."""

    fact_id: str
    value: float
    unit: str
    qualifier: str = "exact"
    value_max: float | None = None
    as_of: str | None = None
    sentence: str = ""
    measure: str | None = None      # total | increment | rate | period | None (unknown)
    origin: str = ""                # the article (or story) quoting it: same sentence, same origin

    @property
    def kind(self) -> str:
        if self.qualifier in LOWER_QUALIFIERS:
            return "lower"
        if self.qualifier == "up_to":
            return "ceiling"
        if self.qualifier == "range" and self.value_max is not None:
            return "range"
        return "point"

    @property
    def low(self) -> float:
        return self.value

    @property
    def high(self) -> float:
        return self.value_max if self.kind == "range" else self.value


@dataclass(frozen=True)
class Agreement:
    agree: bool
    rule: str  # which rule decided, in words


# --------------------------------------------------------------------------- precision


@lru_cache(maxsize=1 << 16)
def precision_step(value: float, unit: str) -> float:
    """Size of the last written digit of ``value`` (see module docstring)."""
    magnitude = abs(value)
    scale = 1.0
    if unit in _SCALED_UNITS:
        scale = next((s for s in _SCALES if magnitude >= s), 1.0)
    mantissa = f"{magnitude / scale:.12g}"
    if "e" in mantissa:  # extremely large or small: fall back to the scale itself
        return scale
    decimals = len(mantissa.split(".")[1]) if "." in mantissa else 0
    return scale * 10.0**-decimals


def tolerance(a: Figure, b: Figure, *, finer: bool = False) -> float:
    """Half the coarser (or ``finer``) written step of the two figures, plus float noise."""
    steps = [precision_step(f.value, f.unit) for f in (a, b)]
    if a.kind == "range":
        steps.append(precision_step(a.value_max, a.unit))
    if b.kind == "range":
        steps.append(precision_step(b.value_max, b.unit))
    step = min(steps) if finer else max(steps)
    return step / 2 + 1e-9 * max(abs(a.high), abs(b.high), 1.0)


# --------------------------------------------------------------------------- agreement


def agreement(a: Figure, b: Figure) -> Agreement:
    """Do two figures of the same key agree? Symmetric; see the table in the module docstring.

    It reads only value, value_max, unit and qualifier: a key's n² pairs hold few distinct
    ones, so the verdict is computed once per distinct pair of them."""
    return _agreement((a.value, a.unit, a.qualifier, a.value_max), (b.value, b.unit, b.qualifier, b.value_max))


@lru_cache(maxsize=1 << 16)
def _agreement(first: tuple, second: tuple) -> Agreement:
    a, b = Figure("", *first), Figure("", *second)
    order = ("point", "lower", "ceiling", "range")
    if order.index(a.kind) > order.index(b.kind):
        a, b = b, a
    tol, bound_tol = tolerance(a, b), tolerance(a, b, finer=True)
    close = lambda x, y: abs(x - y) <= tol  # noqa: E731 - reads like the table
    pair = (a.kind, b.kind)
    if pair == ("point", "point"):
        return Agreement(close(a.value, b.value), "same figure at written precision")
    if pair == ("point", "lower"):
        return Agreement(a.value >= b.value - bound_tol, "point within the lower bound")
    if pair == ("point", "ceiling"):
        if close(a.value, b.value):
            return Agreement(True, "point equals the ceiling")
        if a.value < b.value:
            return Agreement(False, "point under the ceiling: a part, not the total")
        return Agreement(False, "point above the ceiling")
    if pair == ("point", "range"):
        return Agreement(b.low - bound_tol <= a.value <= b.high + bound_tol, "point within the range")
    if pair == ("lower", "lower"):
        return Agreement(True, "two lower bounds are compatible")
    if pair == ("lower", "ceiling"):
        return Agreement(a.value <= b.value + bound_tol, "lower bound below the ceiling")
    if pair == ("lower", "range"):
        return Agreement(b.high >= a.value - bound_tol, "range reaches the lower bound")
    if pair == ("ceiling", "ceiling"):
        return Agreement(close(a.value, b.value), "same ceiling at written precision")
    if pair == ("ceiling", "range"):
        return Agreement(close(a.value, b.high), "ceiling equals the top of the range")
    return Agreement(a.low <= b.high + bound_tol and b.low <= a.high + bound_tol, "ranges overlap")


# --------------------------------------------------------------------------- measure kind


@lru_cache(maxsize=1)
def _measure_data() -> tuple[list[tuple[str, re.Pattern]], list[re.Pattern], dict[str, int]]:
    """data/measures.jsonl: (measure, cue) in order of precedence, period lengths, number words."""
    path = resources.files("newsfacts.warehouse").joinpath("data", "measures.jsonl")
    cues, lengths, numbers = [], [], {}
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        record = json.loads(line)
        if record["kind"] == "measure":
            cues.append((record["measure"], re.compile("|".join(record["patterns"]), re.I)))
        elif record["kind"] == "period_length":
            lengths.extend(re.compile(p, re.I) for p in record["patterns"])
        elif record["kind"] == "number_words":
            numbers.update(record["words"])
    return cues, lengths, numbers


def measure_of(unit: str, sentence: str | None, stored: str | None = None) -> str | None:
    """The fact's measure kind, the one place it is decided for comparison.

    A total, rate or period the extractor stored stands. ``increment`` is also the extractor's
    default for most money metrics when the figure's clause names no kind, so there, and where
    nothing is stored, the sentence's cues decide: the first kind whose cue it has (rate,
    period, total, increment: a sentence with a run-rate and a total speaks of a rate). Money
    only; None when nothing is stored and the sentence gives no cue."""
    if stored in ("total", "rate", "period") or unit != "USD" or not sentence:
        return stored
    cues, _, _ = _measure_data()
    return next((measure for measure, cue in cues if cue.search(sentence)), stored)


def period_of(measure: str | None, sentence: str | None) -> str | None:
    """Length of a ``period`` figure's period as written (``10 years``, ``9 months``,
    ``1 quarter``); None for other kinds or when the sentence does not say."""
    if measure != "period" or not sentence:
        return None
    _, lengths, numbers = _measure_data()
    for pattern in lengths:
        match = pattern.search(sentence)
        if match:
            groups = match.groupdict()
            unit = (groups.get("unit") or "quarter").lower()
            count = (groups.get("n") or "1").lower()
            n = int(count) if count.isdigit() else numbers.get(count, 1)
            if unit == "half":
                unit, n = "month", 6 * n
            return f"{n} {unit}{'s' if n != 1 else ''}"
    return None


def measure_label(measure: str | None, period: str | None = None) -> str:
    """``total``, ``period of 10 years``; "" for an unknown kind."""
    if measure == "period":
        return f"period of {period}" if period else "period"
    return {"rate": "run-rate"}.get(measure or "", measure or "")


# --------------------------------------------------------------------------- time


@lru_cache(maxsize=1 << 16)
def as_of_interval(as_of: str | None) -> tuple[date, date] | None:
    """``2023`` → whole year, ``2023-09`` → the month, ``2023-09-14…`` → the day; else None."""
    if not as_of:
        return None
    match = re.match(r"^(\d{4})(?:-(\d{2}))?(?:-(\d{2}))?", as_of.strip())
    if not match:
        return None
    year, month, day = (int(g) if g else None for g in match.groups())
    try:
        if month is None:
            return date(year, 1, 1), date(year, 12, 31)
        if day is None:
            return date(year, month, 1), date(year, month, calendar.monthrange(year, month)[1])
        return date(year, month, day), date(year, month, day)
    except ValueError:
        return None


def same_sentence(a: Figure, b: Figure) -> bool:
    """Quoted in one sentence of one source: the sentence lists them as different figures."""
    return bool(a.sentence) and a.sentence == b.sentence and a.origin == b.origin


def separate_events(a: Figure, b: Figure) -> bool:
    """Two increments (tranches, rounds) at clearly different dates: two events, no conflict."""
    return a.measure == b.measure == "increment" and clearly_different_times(a, b)


def clearly_different_times(a: Figure, b: Figure) -> bool:
    """Both as_of known and at least MIN_TIME_GAP_DAYS apart at their coarsest precision."""
    ia, ib = as_of_interval(a.as_of), as_of_interval(b.as_of)
    if ia is None or ib is None:
        return False
    gap = max((ib[0] - ia[1]).days, (ia[0] - ib[1]).days)
    return gap >= MIN_TIME_GAP_DAYS


# --------------------------------------------------------------------------- components


def component_reason(small: Figure, others: list[Figure]) -> str | None:
    """Why ``small`` looks like a component of another figure of the key, or None.

    ``others`` are the key's other figures (excluding ``small``), in the key's order.
    """
    return ComponentIndex([small, *others]).reason(0)


MAX_ADDENDS = 12    # the first point figures of a key tried as the other parts of a sum


class ComponentIndex:
    """The figures of one key, indexed so that :meth:`reason` costs about the same for a key of
    ten figures as for one of ten thousand: sums are looked up among the figures sorted by
    value (a window of the tolerance around the sum), not compared with every figure.

    ``reason(i)`` is the component reason of ``figures[i]`` against the other figures: the
    first ``MAX_ADDENDS`` positive point figures (in the key's order) as the other parts of a
    sum of two to four, the first figure in the key's order that the sum equals at the finer
    precision; else the first ceiling it fits under; else its own wording."""

    def __init__(self, figures: list[Figure]) -> None:
        self.figures = figures
        points = [i for i, f in enumerate(figures) if f.kind == "point" and f.value > 0]
        self.first_points = points[:MAX_ADDENDS + 1]   # the addends of any one figure
        members: dict[tuple, list[int]] = {}
        for i, f in enumerate(figures):
            members.setdefault(_shape(f), []).append(i)
        self.members = members
        self.by_value = sorted(members, key=lambda shape: shape[0])
        self.values = [shape[0] for shape in self.by_value]
        self.ceilings = [shape for shape in members if figures[members[shape][0]].kind == "ceiling"]
        self.max_high = max((abs(f.high) for f in figures), default=0.0)

    def addends(self, i: int) -> tuple[int, ...]:
        return tuple(j for j in self.first_points if j != i)[:MAX_ADDENDS]

    def reason_depends_on(self, i: int) -> tuple:
        """What ``reason(i)`` reads: figures with equal tuples have the same reason."""
        f = self.figures[i]
        return _shape(f), bool(_COMPONENT_WORDS.search(f.sentence or "")), self.addends(i)

    def reason(self, i: int) -> str | None:
        small = self.figures[i]
        addends = [self.figures[j] for j in self.addends(i)]
        ids = self.addends(i)
        for size in (1, 2, 3):
            for combo in itertools.combinations(range(len(addends)), size):
                total_value = small.value + sum(addends[k].value for k in combo)
                total = self._first_total(small, total_value, {ids[k] for k in combo})
                if total is not None:
                    parts = " + ".join(format_figure(f, bare=True) for f in (small, *(addends[k] for k in combo)))
                    return f"{parts} = {format_figure(total, bare=True)}"
        ceiling = self._first_ceiling(small, i)
        if ceiling is not None:
            return f"{format_figure(small)} fits under the ceiling {format_figure(ceiling)}"
        if _COMPONENT_WORDS.search(small.sentence or ""):
            return f"{format_figure(small)} is described as a tranche or part"
        return None

    def _first_total(self, small: Figure, total_value: float, used: set[int]) -> Figure | None:
        """The first figure (key order) larger than ``small`` that ``total_value`` equals at
        the finer precision of the two, not one of the parts."""
        # no tolerance(small, total, finer=True) exceeds this: the window to look in
        reach = (precision_step(small.value, small.unit) / 2
                 + 1e-9 * max(abs(small.high), self.max_high, 1.0)) * 1.01
        lo = bisect.bisect_left(self.values, total_value - reach)
        hi = bisect.bisect_right(self.values, total_value + reach)
        best = None
        for shape in self.by_value[lo:hi]:
            indices = self.members[shape]
            total = self.figures[indices[0]]
            if total.value > small.value and abs(total_value - total.value) <= tolerance(small, total, finer=True):
                first = next((j for j in indices if j not in used), None)
                if first is not None and (best is None or first < best):
                    best = first
        return None if best is None else self.figures[best]

    def _first_ceiling(self, small: Figure, i: int) -> Figure | None:
        best = None
        for shape in self.ceilings:
            indices = self.members[shape]
            ceiling = self.figures[indices[0]]
            if small.value < ceiling.value - tolerance(small, ceiling):
                first = next((j for j in indices if j != i), None)
                if first is not None and (best is None or first < best):
                    best = first
        return None if best is None else self.figures[best]


def _shape(f: Figure) -> tuple:
    """What agreement, tolerance and formatting read of a figure."""
    return (f.value, f.unit, f.qualifier, f.value_max)


# --------------------------------------------------------------------------- classes


@dataclass(frozen=True)
class PairVerdict:
    a: Figure
    b: Figure
    klass: str
    reason: str


def classify_pair(a: Figure, b: Figure, key_figures: list[Figure],
                  component_cache: dict[str, str | None] | None = None) -> PairVerdict:
    """Class of a disagreeing pair (first matching rule of the module docstring table).

    ``component_cache`` (fact_id → component reason) saves repeating the search per pair.
    """
    small, large = sorted((a, b), key=lambda f: (f.value, f.fact_id))
    if same_sentence(a, b):
        return PairVerdict(a, b, "partial", f"{format_figure(small)} and {format_figure(large)} "
                                            "are quoted in one sentence: different parts, not two claims")
    if clearly_different_times(a, b):
        earlier, later = sorted((a, b), key=lambda f: as_of_interval(f.as_of)[0])
        trend = "grew" if later.high > earlier.high else "fell"
        if trend == "fell" and a.measure == b.measure == "total":
            return PairVerdict(
                a, b, "contradiction",
                f"{format_figure(later)} ({short_date(later.as_of)}) is lower than "
                f"{format_figure(earlier)} ({short_date(earlier.as_of)}): a total cannot fall, "
                "one of them is stale or wrong")
        return PairVerdict(
            a, b, "changed_over_time",
            f"{format_figure(earlier)} ({short_date(earlier.as_of)}) → {format_figure(later)} "
            f"({short_date(later.as_of)}): different dates, the figure {trend}",
        )
    cache = {} if component_cache is None else component_cache
    if a.measure == b.measure == "total":
        why = None      # a total is no part of another total
    else:
        if small.fact_id not in cache:
            cache[small.fact_id] = component_reason(
                small, [f for f in key_figures if f.fact_id != small.fact_id])
        why = cache[small.fact_id]
    if why:
        return PairVerdict(a, b, "partial", f"{format_figure(small)} vs {format_figure(large)}: {why}")
    when = f" ({short_date(a.as_of)})" if a.as_of and a.as_of == b.as_of else ""
    return PairVerdict(
        a, b, "contradiction",
        f"{format_figure(small)} vs {format_figure(large)}{when}: different figures for the same time",
    )


def most_serious(classes: list[str]) -> str:
    return min(classes, key=CLASS_ORDER.index)


# --------------------------------------------------------------------------- display


def key_label(subject: str, counterparty: str | None, metric: str, unit: str,
              chip_type: str | None = None, measure: str | None = None,
              period: str | None = None) -> str:
    """``Anthropic – Amazon: investment, total (USD)``; the chip type joins the metric."""
    who = f"{subject} – {counterparty}" if counterparty else subject
    what = f"{metric} {chip_type}" if chip_type else metric
    kind = measure_label(measure, period)
    return f"{who}: {what}{', ' + kind if kind else ''} ({unit})"


def short_date(as_of: str | None) -> str:
    """The date part of an as_of (``2026-02-02T09:00:00+00:00`` → ``2026-02-02``)."""
    return (as_of or "undated")[:10]


def format_figure(f: Figure, *, bare: bool = False) -> str:
    """``up to $4B``, ``2.2 GW``, ``220,000``, ``4.5%``; ``bare`` drops the qualifier."""
    return _format_figure(f.value, f.unit, f.qualifier, f.value_max, bare)


@lru_cache(maxsize=1 << 16)
def _format_figure(value: float, unit: str, qualifier: str, value_max: float | None, bare: bool) -> str:
    f = Figure("", value, unit, qualifier, value_max)
    text = format_value(f.value, f.unit)
    if f.kind == "range":
        text = f"{text}–{format_value(f.value_max, f.unit)}"
    if bare:
        return text
    prefix = {"up_to": "up to ", "more_than": "more than ", "at_least": "at least ",
              "approx": "about "}.get(f.qualifier, "")
    return prefix + text


@lru_cache(maxsize=1 << 16)
def format_value(value: float | None, unit: str) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "?"
    if unit == "percent":
        return f"{value:g}%"
    if unit == "count":
        return f"{value:,.0f}" if value == int(value) else f"{value:,g}"
    names = {"USD": (("T", 1e12), ("B", 1e9), ("M", 1e6), ("K", 1e3)),
             "W": ((" TW", 1e12), (" GW", 1e9), (" MW", 1e6), (" kW", 1e3))}.get(unit)
    if names is None:
        return f"{value:g} {unit}"
    suffix, scale = next(((s, m) for s, m in names if abs(value) >= m), ("" if unit == "USD" else " W", 1.0))
    number = f"{value / scale:.12g}"
    return f"${number}{suffix}" if unit == "USD" else f"{number}{suffix}"
