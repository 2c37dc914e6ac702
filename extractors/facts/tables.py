"""Plain-text and Markdown tables: which cell, column and caption a figure sits in.

A row such as "| September 2023 | $1.25B |" states nothing by itself; its subject is in
the sentence above the table ("Amazon has invested $8 billion in Anthropic"), its date in
another cell, and what the figure measures in the column header ("Valuation").

Besides pipe and tab tables, plain-text tables whose columns are aligned with spaces:
under a rule line of dash groups ("--------  -----"), whose groups give the columns, or,
with no rule, a header and at least two rows whose cells start at the same positions.
"""
from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Callable
from dataclasses import dataclass

from .metrics import NOT_A_FACT

_SEPARATOR_ROW = re.compile(r"^\s*\|?[\s:|-]+\|?\s*$")
_RULE_LINE = re.compile(r" *-{2,}(?: +-{2,})+ *")         # "-------  ----  -----": two+ dash groups
_DASH_GROUP = re.compile(r"-+")
_WIDE_GAP = re.compile(r" {2,}")                         # the runs that separate aligned columns
_FENCE = re.compile(r" {0,3}(?:```|~~~)")
# cheap tests over the whole text, for may_hold_table
_RULE_HINT = re.compile(r"-- +--")                       # a literal prefix: a fast scan
_ANY_RULE = re.compile(r"(?m)^ *-{2,}(?: +-{2,})+ *\r?$")
_CHUNK = r"[^ \n](?:[^ \n]| (?=[^ \n]))*"                # text up to a run of 2+ spaces (no backtracking)
_GAPPY_LINE = rf" *{_CHUNK} {{2,}}{_CHUNK} {{2,}}[^ \n]"  # a line with two runs of 2+ spaces between text
_ANY_ALIGNED = re.compile(rf"(?m)^(?:{_GAPPY_LINE}[^\n]*\n){{2}}{_GAPPY_LINE}")
_OVERFLOW = 2   # characters a cell may reach past its column's edge
_MAX_COLUMNS = 40


@dataclass(frozen=True)
class Cell:
    start: int
    end: int
    text: str


@dataclass(frozen=True)
class TableRow:
    start: int
    end: int
    cells: tuple[Cell, ...]
    header: tuple[Cell, ...]       # the table's first row
    is_header: bool
    caption: tuple[int, int] | None   # the paragraph introducing the table
    heading: str | None               # the nearest Markdown heading above

    def cell_at(self, offset: int) -> int | None:
        for i, cell in enumerate(self.cells):
            if cell.start <= offset < cell.end:
                return i
        return None

    def column_name(self, index: int) -> str:
        return self.header[index].text if index < len(self.header) else ""


def _split_cells(text: str, line_start: int, delimiter: str) -> tuple[Cell, ...]:
    cells, pos = [], 0
    parts = text.split(delimiter)
    if delimiter == "|":
        # a leading and trailing pipe frame the row
        if parts and not parts[0].strip():
            pos += len(parts[0]) + 1
            parts = parts[1:]
        if parts and not parts[-1].strip():
            parts = parts[:-1]
    for part in parts:
        stripped = part.strip()
        lead = len(part) - len(part.lstrip())
        cells.append(Cell(line_start + pos + lead, line_start + pos + lead + len(stripped), stripped))
        pos += len(part) + 1
    return tuple(cells)


def _delimiter(line: str) -> str | None:
    if line.lstrip().startswith("|") and line.count("|") >= 2:
        return "|"
    if " | " in line:
        return "|"  # "Company | Lead | Amount" without the outer pipes
    if line.count("\t") >= 1 and len(line.split("\t")) >= 2:
        return "\t"
    return None


def may_hold_table(text: str) -> bool:
    """A cheap test, true for every text in which find_tables can find a table (find_tables
    makes it itself before any per-line work)."""
    return "|" in text or "\t" in text or _may_hold_aligned(text)


def _may_hold_aligned(text: str) -> bool:
    if "--" in text and _RULE_HINT.search(text) and _ANY_RULE.search(text):
        return True
    return "  " in text and _ANY_ALIGNED.search(text) is not None


def find_tables(text: str) -> list[TableRow]:
    """Every row of every table in the text, with its header, caption and heading."""
    rows: list[TableRow] = []
    aligned = _may_hold_aligned(text)
    if not aligned and "|" not in text and "\t" not in text:
        return rows   # most texts hold no table: no per-line work for them
    lines, offset = [], 0
    for line in text.splitlines(keepends=True):
        lines.append((offset, line.rstrip("\r\n")))
        offset += len(line)
    heading: str | None = None
    last_paragraph: tuple[int, int] | None = None
    i = 0
    while i < len(lines):
        start, line = lines[i]
        delimiter = _delimiter(line)
        if delimiter is not None and i + 1 < len(lines) and _delimiter(lines[i + 1][1]) == delimiter:
            header = _split_cells(line, start, delimiter)
            rows.append(TableRow(start, start + len(line), header, header, True, last_paragraph, heading))
            i += 1
            while i < len(lines) and _delimiter(lines[i][1]) == delimiter:
                row_start, row_line = lines[i]
                if not _SEPARATOR_ROW.match(row_line):
                    cells = _split_cells(row_line, row_start, delimiter)
                    rows.append(TableRow(row_start, row_start + len(row_line), cells, header, False,
                                         last_paragraph, heading))
                i += 1
            continue
        if aligned and i + 1 < len(lines):
            found, after = _aligned_table(lines, i)
            if found:
                header = found[0][1]
                for k, (row_start, cells, row_end) in enumerate(found):
                    rows.append(TableRow(row_start, row_end, cells, header, k == 0, last_paragraph, heading))
                i = after
                continue
        if line.lstrip().startswith("#"):
            heading = line.lstrip("# ").strip()
            last_paragraph = None  # a caption does not reach across a heading
        elif line.strip() and not _FENCE.match(line):
            last_paragraph = (start, start + len(line))
        i += 1
    return rows


# -- space-aligned tables ----------------------------------------------------------------------

_Found = list[tuple[int, tuple[Cell, ...], int]]   # (row start, cells, row end); the header first


def _aligned_table(lines: list[tuple[int, str]], i: int) -> tuple[_Found, int]:
    """The rows of a space-aligned table whose header is line i ([] if none starts there),
    and the index of the first line after the table."""
    line = lines[i][1]
    if not _is_row_line(line):
        return [], i
    following = lines[i + 1][1]
    if "--" in following and _RULE_LINE.fullmatch(following):
        return _ruled_table(lines, i)
    if "  " in line and i + 2 < len(lines) and "  " in following and "  " in lines[i + 2][1]:
        return _unruled_table(lines, i)
    return [], i


def _chunks(line: str) -> list[tuple[int, int]]:
    """The (start, end) of the stretches of text between runs of 2+ spaces."""
    body = line.rstrip()
    chunks, pos = [], len(body) - len(body.lstrip())
    for gap in _WIDE_GAP.finditer(body, pos):
        chunks.append((pos, gap.start()))
        pos = gap.end()
    if pos < len(body):
        chunks.append((pos, len(body)))
    return chunks


def _is_row_line(line: str) -> bool:
    return bool(line.strip()) and "\t" not in line and not line.lstrip().startswith("#") \
        and not _FENCE.match(line)


def _ruled_table(lines: list[tuple[int, str]], i: int) -> tuple[_Found, int]:
    """A header line, a rule line of dash groups giving the columns, then the rows."""
    columns = [(m.start(), m.end()) for m in _DASH_GROUP.finditer(lines[i + 1][1])]
    if len(columns) > _MAX_COLUMNS:
        return [], i
    start, line = lines[i]
    header = _fit_ruled(line, start, columns)
    if header is None or not any(cell.text for cell in header[1:]):
        return [], i
    found: _Found = [(start, header, start + len(line))]
    j = i + 2
    while j < len(lines):
        row_start, row_line = lines[j]
        if "--" in row_line and _RULE_LINE.fullmatch(row_line):
            j += 1
            continue  # a rule between groups of rows, or closing the table
        cells = _fit_ruled(row_line, row_start, columns) if _is_row_line(row_line) else None
        if cells is None:
            break
        found.append((row_start, cells, row_start + len(row_line)))
        j += 1
    return found, j


def _fit_ruled(line: str, line_start: int, columns: list[tuple[int, int]]) -> tuple[Cell, ...] | None:
    """The line's cells under the columns of a rule line, or None if it does not fit them.

    Cells are split on the runs of 2+ spaces, each stretch of text going to the column it
    overlaps most: a cell may overflow its column. A stretch that runs well into the next
    column is split on a single space at that column's start ("Northwind Capital $1.2B"), if
    there is one; it may not swallow the next column whole. A line that spans more than one
    column must have a 2+ space run between two of them: prose does not.
    """
    last = len(columns) - 1
    chunks = _chunks(line)
    if len(chunks) > 2 * len(columns):
        return None
    pieces: list[tuple[int, int]] = []
    for cs, ce in chunks:
        for k in range(last):
            lo, hi = columns[k][1], columns[k + 1][0]   # the gap between column k and k + 1
            if cs < hi - _OVERFLOW and cs < lo and ce > hi + _OVERFLOW:
                split = _narrow_split(line, cs, ce, lo, hi)
                if split is not None:
                    pieces.append((cs, split))
                    cs = split + 1
                elif k + 1 == last or ce >= columns[k + 1][1]:
                    return None   # it swallows the next column: prose, not a row
        pieces.append((cs, ce))
    if not pieces:
        return None
    assigned: list[list[tuple[int, int]]] = [[] for _ in columns]
    previous, wide = -1, False
    for cs, ce in pieces:
        k = max(range(len(columns)), key=lambda c: _overlap(cs, ce, columns[c], c == last))
        if _overlap(cs, ce, columns[k], k == last) <= 0:
            k = min(range(len(columns)), key=lambda c: _distance(cs, ce, columns[c]))
        k = max(k, previous)
        if previous >= 0 and k != previous and line[cs - 2:cs] == "  ":
            wide = True
        assigned[k].append((cs, ce))
        previous = k
    if not wide and sum(1 for spans in assigned if spans) > 1:
        return None
    cells = []
    for k, spans in enumerate(assigned):
        if spans:
            a, b = spans[0][0], spans[-1][1]
            cells.append(Cell(line_start + a, line_start + b, line[a:b]))
        else:
            at = line_start + min(columns[k][0], len(line.rstrip()))
            cells.append(Cell(at, at, ""))
    return tuple(cells)


def _narrow_split(line: str, cs: int, ce: int, lo: int, hi: int) -> int | None:
    """The single space in line[cs:ce] nearest a column's start (hi) after which a cell may begin."""
    best = None
    for p in range(max(cs + 1, lo - 1), min(ce - 1, hi + 1)):
        if line[p] == " " and line[p + 1] != " " and (best is None or abs(p + 1 - hi) < abs(best + 1 - hi)):
            best = p
    return best


def _overlap(cs: int, ce: int, column: tuple[int, int], open_ended: bool) -> int:
    end = ce if open_ended else min(ce, column[1])
    return end - max(cs, column[0])


def _distance(cs: int, ce: int, column: tuple[int, int]) -> int:
    return column[0] - ce if ce <= column[0] else cs - column[1] if cs >= column[1] else 0


def _unruled_table(lines: list[tuple[int, str]], i: int) -> tuple[_Found, int]:
    """A header and at least two rows, each with 3+ cells separated by 2+ spaces at the same
    starts (or, for right-aligned columns, the same ends) as the header's. Prose never fits."""
    start, line = lines[i]
    starts, ends = [], []
    for cs, ce in _chunks(line):
        starts.append(cs)
        ends.append(ce)
    if not 3 <= len(starts) <= _MAX_COLUMNS:
        return [], i
    for cs, ce in zip(starts, ends):
        if len(line[cs:ce].split()) > 5 or line[ce - 1] in ".,;:!?":
            return [], i   # headers name columns; they are not sentences
    header = tuple(Cell(start + cs, start + ce, line[cs:ce]) for cs, ce in zip(starts, ends))
    found: _Found = [(start, header, start + len(line))]
    for row_start, row_line in lines[i + 1:]:
        cells = _fit_unruled(row_line, row_start, starts, ends) if _is_row_line(row_line) else None
        if cells is None:
            break
        found.append((row_start, cells, row_start + len(row_line)))
    return (found, i + len(found)) if len(found) >= 3 else ([], i)


def _fit_unruled(line: str, line_start: int, starts: list[int], ends: list[int]) -> tuple[Cell, ...] | None:
    chunks = _chunks(line)
    if not 3 <= len(chunks) <= len(starts):
        return None   # every row has two or more runs of 2+ spaces, and no more than the header
    pieces = []
    for cs, ce in chunks:
        for c in starts[1:]:
            if cs < c < ce:   # "Northwind Capital $1.2B": a single space just before the column
                if line[c - 1] != " " or line[c] == " ":
                    return None
                pieces.append((cs, c - 1))
                cs = c
        pieces.append((cs, ce))
    if len(pieces) != len(starts):
        return None
    for (cs, ce), start, end in zip(pieces, starts, ends):
        if cs != start and (ce != end or start == starts[0]):
            return None
    return tuple(Cell(line_start + cs, line_start + ce, line[cs:ce]) for cs, ce in pieces)


def first_named(*readings: Callable[[], str | None]) -> str | None:
    """The metric the first reading that names anything names (readings run in turn, lazily):
    a reading that names a non-fact ("Backlog", "Market value") ends the search with none."""
    for reading in readings:
        named = reading()
        if named is not None:
            return None if named == NOT_A_FACT else named
    return None


def row_at(rows: list[TableRow], offset: int) -> TableRow | None:
    """The row holding a character offset (rows are in text order)."""
    k = bisect_right(rows, offset, key=lambda row: row.start) - 1
    return rows[k] if k >= 0 and offset < rows[k].end else None
