"""The conflict detector as it was: every pair of a key's facts compared, one by one.

Kept only as a test oracle (tests/test_conflicts_grouped.py): `assess` here must find what
`newsfacts.warehouse.conflicts.assess` finds without visiting every pair. The component search
is the original loop over every other figure of the key, not the indexed one.
"""

from __future__ import annotations

import itertools

from newsfacts.warehouse.conflicts import MAX_REASONS, reason_order, timeline
from newsfacts.warehouse.rules import _COMPONENT_WORDS, Figure, agreement, classify_pair, format_figure, most_serious, separate_events, tolerance


def component_reason(small: Figure, others: list[Figure]) -> str | None:
    addends = [f for f in others if f.kind == "point" and f.value > 0][:12]
    totals = [f for f in others if f.value > small.value]
    for size in (1, 2, 3):
        for combo in itertools.combinations(addends, size):
            total_value = small.value + sum(f.value for f in combo)
            for total in totals:
                if total in combo:
                    continue
                if abs(total_value - total.value) <= tolerance(small, total, finer=True):
                    parts = " + ".join(format_figure(f, bare=True) for f in (small, *combo))
                    return f"{parts} = {format_figure(total, bare=True)}"
    for other in others:
        if other.kind == "ceiling" and small.value < other.value - tolerance(small, other):
            return f"{format_figure(small)} fits under the ceiling {format_figure(other)}"
    if _COMPONENT_WORDS.search(small.sentence or ""):
        return f"{format_figure(small)} is described as a tranche or part"
    return None


def assess(figures: list[Figure]) -> tuple[str, str] | None:
    """(class, reason) of a key's figures, every pair compared; None when they all agree."""
    cache: dict[str, str | None] = {}
    verdicts = []
    for a, b in itertools.combinations(figures, 2):
        if agreement(a, b).agree or separate_events(a, b):
            continue
        for f in (a, b):
            if f.fact_id not in cache:
                cache[f.fact_id] = component_reason(f, [o for o in figures if o.fact_id != f.fact_id])
        verdicts.append(classify_pair(a, b, figures, cache))
    if not verdicts:
        return None
    klass = most_serious([v.klass for v in verdicts])
    reasons = [timeline(figures)] if any(v.klass == "changed_over_time" for v in verdicts) else []
    for wanted in ("contradiction", "partial"):
        first: dict[str, tuple] = {}
        for v in verdicts:
            if v.klass == wanted:
                first[v.reason] = min(first.get(v.reason, reason_order(v)), reason_order(v))
        reasons += sorted(first, key=first.get)
    text = "; ".join(reasons[:MAX_REASONS])
    if len(reasons) > MAX_REASONS:
        text += f" (and {len(reasons) - MAX_REASONS} more)"
    return klass, text
