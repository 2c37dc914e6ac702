"""docs/analyst-queries.md runs as written; read-only queries; Parquet export."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from review_docs import review_docs

from newsfacts.warehouse.db import open_writer
from newsfacts.warehouse.review import list_conflicts, resolve
from newsfacts.warehouse.sql import QueryError, export_parquet, format_rows, run_query

from test_warehouse_support import Doc, fact_in, run_once

DOC = Path(__file__).resolve().parents[1] / "docs" / "analyst-queries.md"


def sql_blocks() -> list[str]:
    return re.findall(r"```sql\n(.*?)```", DOC.read_text(encoding="utf-8"), re.S)


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory):
    path = tmp_path_factory.mktemp("analyst") / "newsfacts.duckdb"
    text = "Meta signed for more than 2 GW of power from a new plant."
    power = Doc("https://power.example/meta", text, "2025-06-01", "Power Daily", "Meta power",
                [fact_in(text, "more than 2 GW", 2e9, qualifier="more_than", subject="Meta",
                         counterparty=None, metric="power", unit="W", as_of="2025-06")])
    run_once(path, review_docs() + [power])
    with open_writer(path) as con:
        resolve(con, list_conflicts(con)[0]["conflict_id"], value=8e9, note="latest total", user="analyst")
    return path


def test_the_doc_has_queries():
    assert len(sql_blocks()) >= 8


@pytest.mark.parametrize("index", range(len(sql_blocks())))
def test_every_documented_query_runs(warehouse, index):
    columns, rows = run_query(warehouse, sql_blocks()[index])
    assert columns


@pytest.mark.parametrize("index", range(len(sql_blocks())))
def test_every_documented_query_runs_on_the_demo_warehouse(demo_warehouse, index):
    """The page's queries against what the real pipeline loads from the demo site."""
    query = sql_blocks()[index]
    columns, rows = run_query(demo_warehouse, query)
    assert columns
    assert rows or "FROM resolutions" in query   # nobody has reviewed the demo yet


def test_documented_queries_find_the_canonical_case(warehouse):
    evidence = next(b for b in sql_blocks() if "c.subject = 'Anthropic'" in b)
    _, rows = run_query(warehouse, evidence)
    assert sorted(r[0] for r in rows) == [4.0, 4.0, 8.0]   # the totals; tranches are another key
    figures = next(b for b in sql_blocks() if "FROM current_figures\nWHERE unit = 'USD'" in b)
    _, rows = run_query(warehouse, figures)
    assert rows[0][:5] == ("Anthropic", "Amazon", "investment", "accepted", 8.0)


def test_run_query_is_read_only_and_takes_parameters(warehouse):
    with pytest.raises(QueryError, match="read-only"):
        run_query(warehouse, "DELETE FROM fact_rows")
    with pytest.raises(QueryError, match="read-only"):
        run_query(warehouse, "CREATE TABLE x AS SELECT 1")
    with pytest.raises(QueryError):
        run_query(warehouse, "SELECT no_such_column FROM facts")
    columns, rows = run_query(warehouse, "SELECT count(*) AS n FROM facts WHERE subject = ?", ["Meta"])
    assert (columns, rows) == (["n"], [(1,)])


def test_export_parquet_writes_every_documented_view(warehouse, tmp_path):
    paths = export_parquet(warehouse, tmp_path / "out")
    names = sorted(p.stem for p in paths)
    assert names == ["articles", "conflicts", "current_figures", "facts", "resolutions", "stories"]
    assert pq.read_table(tmp_path / "out" / "facts.parquet").num_rows == 7
    assert pq.read_table(tmp_path / "out" / "conflicts.parquet").column("fact_ids").to_pylist()[0]


def test_format_rows():
    columns, rows = ["a", "b"], [(1, "x"), (None, "long\ntext")]
    assert format_rows(columns, rows, "table").splitlines() == ["a  b", "-  ---------", "1  x", "   long text"]
    assert format_rows(columns, rows, "csv") == "a,b\n1,x\n,\"long\ntext\""
    assert json.loads(format_rows(columns, rows, "json")) == [{"a": 1, "b": "x"}, {"a": None, "b": "long\ntext"}]
