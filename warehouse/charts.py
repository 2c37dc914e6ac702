"""Small inline SVG charts of a conflict's values over time, written directly (no plotting
library: a chart is a few dozen elements, built in well under a millisecond).

Readable by construction: one colour per publisher with a legend (no labels piled on the
points; each mark's full text is its hover title), a date known only to the year or month is
drawn as a span over that year or month, and the value axis turns logarithmic when one value
would flatten the others (largest / smallest positive value of 20 or more). Every piece of
text goes through :func:`markupsafe.escape`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, timedelta

from markupsafe import Markup, escape

from newsfacts.warehouse.rules import format_value

WIDTH, PLOT_HEIGHT = 640, 170
LEFT, RIGHT, TOP = 64, 16, 12
AXIS_HEIGHT, LEGEND_ROW = 24, 18
LOG_RATIO = 20.0            # largest / smallest positive value from which the axis is logarithmic
# Okabe-Ito: tells colours apart for the common colour-vision deficiencies
PALETTE = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#D55E00", "#56B4E9", "#000000", "#F0E442")


@dataclass(frozen=True)
class Mark:
    """One value: where it goes and what its hover title says."""

    publisher: str
    start: date             # first day the date stands for (a year: 1 January)
    end: date               # last day (a year: 31 December; a day: the same day)
    value: float
    value_max: float | None = None      # the top of a range
    qualifier: str = "exact"
    rank: str = "normal"
    title: str = ""


def chart_svg(marks: list[Mark], unit: str, label: str = "values over time") -> Markup | None:
    """The chart as an inline ``<svg>`` element; None when nothing has a date and a value."""
    marks = [m for m in marks if m.value is not None and math.isfinite(m.value)]
    if not marks:
        return None
    publishers = list(dict.fromkeys(m.publisher for m in marks))
    colour = {p: PALETTE[i % len(PALETTE)] for i, p in enumerate(publishers)}
    x = _time_scale(marks)
    y, ticks, log = _value_scale(marks)
    legend_rows = math.ceil(len(publishers) / 3)
    height = TOP + PLOT_HEIGHT + AXIS_HEIGHT + LEGEND_ROW * legend_rows + 6
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {height}" width="{WIDTH}" '
           f'height="{height}" role="img" aria-label="{escape(label)}" font-family="system-ui, sans-serif" '
           'font-size="11">', f"<title>{escape(label)}</title>"]
    bottom = TOP + PLOT_HEIGHT
    for value in ticks:
        at = y(value)
        out.append(f'<line x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{at:.1f}" y2="{at:.1f}" stroke="#e4e8ec"/>')
        out.append(f'<text x="{LEFT - 6}" y="{at + 4:.1f}" text-anchor="end" fill="#59636e">'
                   f"{escape(format_value(value, unit))}</text>")
    if log:
        out.append(f'<text x="{LEFT - 6}" y="{TOP - 2}" text-anchor="end" fill="#59636e" '
                   'font-style="italic">log scale</text>')
    out.append(f'<line x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{bottom}" y2="{bottom}" stroke="#8c959f"/>')
    for day, text in _time_ticks(x.low, x.high):
        at = x(day)
        out.append(f'<line x1="{at:.1f}" x2="{at:.1f}" y1="{bottom}" y2="{bottom + 4}" stroke="#8c959f"/>')
        out.append(f'<text x="{at:.1f}" y="{bottom + 16}" text-anchor="middle" fill="#59636e">{escape(text)}</text>')
    for m in sorted(marks, key=lambda m: m.rank != "deprecated"):   # deprecated drawn first, below
        out.append(_mark(m, x, y, colour[m.publisher]))
    for i, publisher in enumerate(publishers):
        lx = LEFT + (i % 3) * 190
        ly = bottom + AXIS_HEIGHT + LEGEND_ROW * (i // 3) + 8
        out.append(f"<g><title>{escape(publisher)}</title>"
                   f'<rect x="{lx}" y="{ly - 8}" width="10" height="10" fill="{colour[publisher]}"/>'
                   f'<text x="{lx + 14}" y="{ly + 1}">{escape(_clip(publisher, 28))}</text></g>')
    out.append("</svg>")
    return Markup("".join(out))


def _mark(m: Mark, x, y, colour: str) -> str:
    opacity = ' opacity="0.35"' if m.rank == "deprecated" else ""
    title = f"<title>{escape(m.title or m.publisher)}</title>"
    x0, x1, cy = x(m.start), x(m.end + timedelta(days=1)), y(m.value)
    parts = [f'<g{opacity}>', title]
    if x1 - x0 > 3:   # a year or month: a span with end ticks
        parts.append(f'<line x1="{x0:.1f}" x2="{x1:.1f}" y1="{cy:.1f}" y2="{cy:.1f}" stroke="{colour}" '
                     f'stroke-width="3"/><line x1="{x0:.1f}" x2="{x0:.1f}" y1="{cy - 4:.1f}" y2="{cy + 4:.1f}" '
                     f'stroke="{colour}"/><line x1="{x1:.1f}" x2="{x1:.1f}" y1="{cy - 4:.1f}" '
                     f'y2="{cy + 4:.1f}" stroke="{colour}"/>')
    cx = (x0 + x1) / 2
    if m.qualifier == "range" and m.value_max is not None:
        parts.append(f'<line x1="{cx:.1f}" x2="{cx:.1f}" y1="{cy:.1f}" y2="{y(m.value_max):.1f}" '
                     f'stroke="{colour}" stroke-width="2"/>')
    ring = ' stroke="#1a7f37" stroke-width="2.5"' if m.rank == "preferred" else ' stroke="#fff" stroke-width="1"'
    if m.qualifier == "up_to":          # a ceiling: a triangle pointing down
        shape = f'<path d="M{cx - 6:.1f},{cy - 4:.1f} L{cx + 6:.1f},{cy - 4:.1f} L{cx:.1f},{cy + 6:.1f} Z"'
    elif m.qualifier in ("more_than", "at_least"):   # a lower bound: pointing up
        shape = f'<path d="M{cx - 6:.1f},{cy + 4:.1f} L{cx + 6:.1f},{cy + 4:.1f} L{cx:.1f},{cy - 6:.1f} Z"'
    else:
        shape = f'<circle cx="{cx:.1f}" cy="{cy:.1f}" r="5"'
    parts.append(f'{shape} fill="{colour}"{ring}/></g>')
    return "".join(parts)


class _Scale:
    def __init__(self, low: date, high: date):
        self.low, self.high = low, high
        self.days = max((high - low).days, 1)

    def __call__(self, day: date) -> float:
        return LEFT + (day - self.low).days / self.days * (WIDTH - LEFT - RIGHT)


def _time_scale(marks: list[Mark]) -> _Scale:
    low = min(m.start for m in marks)
    high = max(m.end for m in marks) + timedelta(days=1)
    pad = max(timedelta(days=15), (high - low) * 0.04)
    if (high - low).days < 60:   # a few days: show a season around them
        pad = timedelta(days=45)
    return _Scale(low - pad, high + pad)


def _time_ticks(low: date, high: date) -> list[tuple[date, str]]:
    """Year starts when the span is long, else month starts (every 1, 3 or 6), at most 8."""
    years = list(range(low.year + (low > date(low.year, 1, 1)), high.year + 1))
    if len(years) >= 2:
        step = max(1, math.ceil(len(years) / 8))
        return [(date(year, 1, 1), str(year)) for year in years[::step]]
    months, day = [], date(low.year, low.month, 1)
    while day <= high:
        if day >= low:
            months.append(day)
        day = date(day.year + (day.month == 12), day.month % 12 + 1, 1)
    step = next(s for s in (1, 3, 6, 12) if len(months) / s <= 8)
    return [(d, f"{d:%b %Y}" if d.month == 1 or d == months[0] else f"{d:%b}")
            for d in months if (d.month - 1) % step == 0]


def _value_scale(marks: list[Mark]):
    values = [m.value for m in marks] + [m.value_max for m in marks if m.value_max is not None]
    positive = [v for v in values if v > 0]
    top = TOP + 4
    bottom = TOP + PLOT_HEIGHT
    if len(positive) == len(values) and min(positive) * LOG_RATIO <= max(positive):
        low = 10 ** math.floor(math.log10(min(positive)))
        high = 10 ** math.ceil(math.log10(max(positive)))
        span = math.log10(high) - math.log10(low)

        def y(v: float) -> float:
            return bottom - (math.log10(max(v, low)) - math.log10(low)) / span * (bottom - top)
        decades = [low * 10 ** k for k in range(round(span) + 1)]
        ticks = decades if len(decades) >= 4 else sorted(
            {d * f for d in decades for f in (1, 2, 5) if d * f <= high})
        return y, ticks, True
    high = max(values + [0.0])
    low = min(values + [0.0])
    step = _nice_step((high - low) / 5 or 1.0)
    low, high = math.floor(low / step) * step, math.ceil(high / step) * step or step

    def y(v: float) -> float:
        return bottom - (v - low) / (high - low) * (bottom - top)
    ticks = [low + k * step for k in range(round((high - low) / step) + 1)]
    return y, ticks, False


def _nice_step(raw: float) -> float:
    power = 10 ** math.floor(math.log10(raw))
    return next(f * power for f in (1, 2, 2.5, 5, 10) if f * power >= raw)


def _clip(text: str, length: int) -> str:
    return text if len(text) <= length else text[:length - 1] + "…"
