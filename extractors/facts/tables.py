"""Plain-text and Markdown tables: which cell, column and caption a figure sits in.

A row such as "| September 2023 | $1.25B |" states nothing by itself; its subject is in
the sentence above the table ("Amazon has invested $8 billion in Anthropic"), its date in
another cell, and what the figure measures in the column header ("Valuation").
"""
from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass

_SEPARATOR_ROW = re.compile(r"^\s*\|?[\s:|-]+\|?\s*$")


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


def find_tables(text: str) -> list[TableRow]:
    """Every row of every table in the text, with its header, caption and heading."""
    rows: list[TableRow] = []
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
        if delimiter is None or i + 1 >= len(lines) or _delimiter(lines[i + 1][1]) != delimiter:
            if line.lstrip().startswith("#"):
                heading = line.lstrip("# ").strip()
                last_paragraph = None  # a caption does not reach across a heading
            elif line.strip():
                last_paragraph = (start, start + len(line))
            i += 1
            continue
        header = _split_cells(line, start, delimiter)
        rows.append(TableRow(start, start + len(line), header, header, True, last_paragraph, heading))
        i += 1
        while i < len(lines) and _delimiter(lines[i][1]) == delimiter:
            row_start, row_line = lines[i]
            if not _SEPARATOR_ROW.match(row_line):
                cells = _split_cells(row_line, row_start, delimiter)
                rows.append(TableRow(row_start, row_start + len(row_line), cells, header, False, last_paragraph, heading))
            i += 1
    return rows


def row_at(rows: list[TableRow], offset: int) -> TableRow | None:
    """The row holding a character offset (rows are in text order)."""
    k = bisect_right(rows, offset, key=lambda row: row.start) - 1
    return rows[k] if k >= 0 and offset < rows[k].end else None
