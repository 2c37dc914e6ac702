"""Analyst access: read-only queries and Parquet export of the documented views."""

from __future__ import annotations

import csv
import io
import json
import os
from pathlib import Path

import duckdb
import pyarrow.parquet as pq

from newsfacts.warehouse.db import WarehouseError, first_line, open_reader


class QueryError(WarehouseError):
    """The query failed (syntax, unknown column, attempted write, …)."""


# What `newsfacts sql` runs: queries, and EXPLAIN of queries. Everything else (ATTACH, DETACH,
# USE, SET, COPY, INSTALL/LOAD, EXPORT, PRAGMA, CALL, writes) is refused before it runs.
_ALLOWED_STATEMENTS = {"SELECT", "EXPLAIN"}


def run_query(path: str | os.PathLike, sql: str, params: list | dict | None = None
              ) -> tuple[list[str], list[tuple]]:
    """Run one query on a read-only, confined connection; returns (column names, rows)."""
    _screen(sql)
    con = open_reader(path)
    try:
        cursor = con.execute(sql, params) if params is not None else con.execute(sql)
        if cursor.description is None:
            return [], []
        return [d[0] for d in cursor.description], cursor.fetchall()
    except duckdb.PermissionException as exc:
        raise QueryError("refused: queries cannot read or write files outside the warehouse "
                         f"({first_line(exc)})") from exc
    except duckdb.Error as exc:
        if "read-only" in str(exc):
            raise QueryError("the warehouse is read-only for queries: only SELECT-style "
                             f"statements are allowed ({first_line(exc)})") from exc
        raise QueryError(first_line(exc)) from exc
    finally:
        con.close()


def _screen(sql: str) -> None:
    """Refuse, with one line, anything but SELECT-style statements."""
    try:
        statements = duckdb.extract_statements(sql)
    except duckdb.Error as exc:
        raise QueryError(first_line(exc)) from exc
    if not statements:
        raise QueryError("empty query: give a SELECT statement")
    for statement in statements:
        kind = statement.type.name
        if kind not in _ALLOWED_STATEMENTS:
            words = (statement.query.split() or [kind])[0].upper()
            raise QueryError(f"refused: {words} is not allowed; newsfacts sql runs read-only "
                             "queries (SELECT, EXPLAIN) on the warehouse only")


def documented_views(con: duckdb.DuckDBPyConnection) -> list[str]:
    """Views that carry a COMMENT (the analyst-facing ones), by name."""
    return [name for (name,) in con.execute(
        "SELECT view_name FROM duckdb_views() WHERE NOT internal AND NOT temporary"
        " AND database_name = current_database() AND comment IS NOT NULL ORDER BY view_name").fetchall()]


def export_parquet(path: str | os.PathLike, out_dir: str | os.PathLike) -> list[Path]:
    """Write every documented view to ``out_dir/<view>.parquet``."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    con = open_reader(path)  # confined: it cannot write files, so pyarrow writes them
    written = []
    try:
        for view in documented_views(con):
            target = out_dir / f"{view}.parquet"
            pq.write_table(con.sql(f'SELECT * FROM "{view}"').to_arrow_table(), target)
            written.append(target)
    finally:
        con.close()
    return written


def format_rows(columns: list[str], rows: list[tuple], fmt: str = "table") -> str:
    """Render query results as an aligned text table, CSV, or JSON (list of objects)."""
    if fmt == "json":
        return json.dumps([dict(zip(columns, row)) for row in rows], default=str, indent=2)
    if fmt == "csv":
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(columns)
        writer.writerows(rows)
        return out.getvalue().rstrip("\n")
    if fmt != "table":
        raise ValueError(f"format must be table, csv or json, got {fmt!r}")
    cells = [[_cell(v) for v in row] for row in rows]
    widths = [max([len(c)] + [len(r[i]) for r in cells]) for i, c in enumerate(columns)]
    line = lambda values: "  ".join(v.ljust(w) for v, w in zip(values, widths)).rstrip()  # noqa: E731
    return "\n".join([line(columns), line(["-" * w for w in widths]), *map(line, cells)])


def _cell(value) -> str:
    if value is None:
        return ""
    text = str(value).replace("\n", " ")
    return text if len(text) <= 80 else text[:77] + "..."
