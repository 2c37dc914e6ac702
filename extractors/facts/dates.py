"""as_of: the date a sentence or table row gives for its figure, read from the text."""
from __future__ import annotations

import json
import re
from bisect import bisect_right
from functools import lru_cache
from importlib import resources

MONTHS = {
    "jan": 1, "feb": 2, "mar": 3, "apr": 4, "may": 5, "jun": 6, "jul": 7, "aug": 8, "sep": 9,
    "oct": 10, "nov": 11, "dec": 12,
}
_MONTH = (r"(?:Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?"
          r"|Sep(?:t(?:ember)?)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)\.?")
_YEAR = r"(?:19|20)\d\d"
# the lookahead lets the regex engine skip positions that cannot start a date: 1.6x faster
_DATE = re.compile(
    rf"(?=[\dJFMASOND])(?:\b(?P<day1>\d{{1,2}})\s+(?P<month1>{_MONTH})\s+(?P<year1>{_YEAR})\b"  # 25 September 2025
    rf"|\b(?P<month>{_MONTH})(?:\s*[–—-]\s*{_MONTH})?"                                  # Oct–Nov
    rf"(?:\s+(?P<day>\d{{1,2}})(?:st|nd|rd|th)?\b)?(?:,?\s+(?P<year>{_YEAR})\b)?"      # 23, 2025
    rf"|(?<![\d$€£.,#])\b(?P<bare>{_YEAR})\b(?![.,]\d))"                                # 2023
)


@lru_cache(maxsize=1)
def _cues() -> dict[str, re.Pattern]:
    """data/date_cues.jsonl: each kind as one regex matching its words at the end of a text."""
    path = resources.files("newsfacts.extractors.facts").joinpath("data", "date_cues.jsonl")
    cues = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip():
            record = json.loads(line)
            words = sorted(record["words"], key=len, reverse=True)
            alternatives = "|".join(re.escape(w) + ("" if w.endswith("-") else r"\s+") for w in words)
            cues[record["kind"]] = re.compile(rf"(?:^|\b|\s)(?:{alternatives})$", re.I)
    return cues


def dates_in(text: str, offset: int, published_at: str | None,
             skip: list[tuple[int, int]] = ()) -> list[tuple[int, str]]:
    """(character offset, ISO date) of the dates in text that can date its figures; offset is
    text's place in the document.

    A date right after a word of data/date_cues.jsonl 'not_the_figure_date' ("online in 2026",
    "beginning in 2023") is left out; "end-2024" is the year's last month; a bare month after a
    'bare_month' word ("in March") takes the year of the article's date (the year before when
    that month is still to come). skip: sorted (start, end) character ranges of figures, whose
    numbers are no dates."""
    cues = _cues()
    found = []
    for match in _DATE.finditer(text):
        start = offset + match.start()
        k = bisect_right(skip, (start, float("inf"))) - 1
        if k >= 0 and start < skip[k][1]:
            continue  # a number inside a figure
        before = text[max(0, match.start() - 24):match.start()]
        if cues["not_the_figure_date"].search(before):
            continue
        iso = _iso(match, published_at)
        if iso is None and match["month"] and cues["bare_month"].search(before):
            iso = _month_before(MONTHS[match["month"][:3].lower()], published_at)
        elif iso and match["bare"] and cues["year_end"].search(before):
            iso = f"{iso}-12"
        if iso:
            found.append((start, iso))
    return found


def _month_before(month: int, published_at: str | None) -> str | None:
    """The latest such month not after the article's date: 'in March' of a piece of 2026-06."""
    if not published_at or not published_at[:4].isdigit():
        return None
    year = int(published_at[:4])
    if published_at[5:7].isdigit() and month > int(published_at[5:7]):
        year -= 1
    return f"{year}-{month:02d}"


def _iso(match: re.Match, published_at: str | None) -> str | None:
    if match["bare"]:
        return match["bare"]
    if match["month1"]:
        return f"{match['year1']}-{MONTHS[match['month1'][:3].lower()]:02d}-{int(match['day1']):02d}"
    month = MONTHS[match["month"][:3].lower()]
    day = int(match["day"]) if match["day"] and 1 <= int(match["day"]) <= 31 else None
    year = match["year"]
    if year:
        return f"{year}-{month:02d}-{day:02d}" if day else f"{year}-{month:02d}"
    if day and published_at and published_at[:4].isdigit():
        iso = f"{published_at[:4]}-{month:02d}-{day:02d}"
        if iso > published_at[:10]:  # "December 3" in a piece published in January is last year
            iso = f"{int(published_at[:4]) - 1}-{month:02d}-{day:02d}"
        return iso
    return None  # a bare month name ("May") says too little, and may be a verb


def nearest_date(dates: list[tuple[int, str]], position: int) -> str | None:
    if not dates:
        return None
    return min(dates, key=lambda d: (abs(d[0] - position), d[0] > position))[1]
