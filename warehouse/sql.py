"""Analyst access: read-only queries and Parquet export of the documented views."""

from __future__ import annotations

import csv
import io
import json
import os
from pathlib import Path

import duckdb

from newsfacts.warehouse.db import WarehouseError, open_reader


class QueryError(WarehouseError):
    """The query failed (syntax, unknown column, attempted write, …)."""


def run_query(path: str | os.PathLike, sql: str, params: list | dict | None = None
              ) -> tuple[list[str], list[tuple]]:
    """Run one query on a read-only connection; returns (column names, rows)."""
    con = open_reader(path)
    try:
        cursor = con.execute(sql, params) if params is not None else con.execute(sql)
        if cursor.description is None:
            return [], []
        return [d[0] for d in cursor.description], cursor.fetchall()
    except duckdb.Error as exc:
        if "read-only" in str(exc):
            raise QueryError("the warehouse is read-only for queries: only SELECT-style "
                             f"statements are allowed ({exc})") from exc
        raise QueryError(str(exc)) from exc
    finally:
        con.close()


def documented_views(con: duckdb.DuckDBPyConnection) -> list[str]:
    """Views that carry a COMMENT (the analyst-facing ones), by name."""
    return [name for (name,) in con.execute(
        "SELECT view_name FROM duckdb_views() WHERE NOT internal AND NOT temporary"
        " AND database_name = current_database() AND comment IS NOT NULL ORDER BY view_name").fetchall()]


def export_parquet(path: str | os.PathLike, out_dir: str | os.PathLike) -> list[Path]:
    """Write every documented view to ``out_dir/<view>.parquet``."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    con = open_reader(path)
    written = []
    try:
        for view in documented_views(con):
            target = out_dir / f"{view}.parquet"
            literal = str(target).replace("'", "''")
            con.execute(f"COPY (SELECT * FROM \"{view}\") TO '{literal}' (FORMAT parquet)")
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
