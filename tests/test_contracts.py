"""Contracts written once: the fact record and its table, the closed vocabularies the
database checks, the views' column docs and their data tests (warehouse/schema/tests/*.sql)."""

from __future__ import annotations

import dataclasses
import shutil
from pathlib import Path

import duckdb
import pytest

from newsfacts.extractors.facts import Fact
from newsfacts.extractors.facts.model import QUALIFIERS
from newsfacts.extractors.facts.registry import MEASURES, UNITS, default_registry
from newsfacts.warehouse import conflicts, load
from newsfacts.warehouse.db import _schema_files, open_reader, open_writer
from newsfacts.warehouse.rules import as_of_interval
from newsfacts.warehouse.sql import run_query

PROJECT = Path(__file__).resolve().parents[1]
DATA_TESTS = sorted((PROJECT / "warehouse" / "schema" / "tests").glob("*.sql"))
# Columns the warehouse adds to a fact: its ids and where and when it was extracted.
STORED_ONLY = ["fact_id", "article_id", "key_id", "extracted_at", "extractor_version", "first_seen_run"]


def enum_values(con, type_name: str) -> tuple[str, ...]:
    return tuple(con.execute(f"SELECT unnest(enum_range(NULL::{type_name}))").fetchall()[i][0]
                 for i in range(con.execute(f"SELECT len(enum_range(NULL::{type_name}))").fetchone()[0]))


def test_the_fact_record_its_arrow_schema_and_its_table_agree(con):
    record_fields = []
    for f in dataclasses.fields(Fact):
        record_fields += ["span_start", "span_end"] if f.name == "span" else [f.name]
    arrow = load._FACT_SCHEMA.names
    table = [row[0] for row in con.execute("DESCRIBE fact_rows").fetchall()]
    assert arrow == table          # INSERT … SELECT * relies on the order
    assert sorted(table) == sorted(record_fields + STORED_ONLY)
    view = {row[0] for row in con.execute("DESCRIBE facts").fetchall()}
    assert set(record_fields) <= view


def test_closed_vocabularies_are_the_extractors_and_the_conflict_life_cycle(con):
    assert set(enum_values(con, "metric_name")) == set(default_registry().names)
    assert enum_values(con, "unit_name") == UNITS
    assert enum_values(con, "qualifier_kind") == QUALIFIERS
    assert enum_values(con, "measure_kind") == MEASURES
    assert enum_values(con, "conflict_status") == conflicts.STATUSES
    needing = {s for s in conflicts.STATUSES
               if con.execute("SELECT needs_review(?::conflict_status)", [s]).fetchone()[0]}
    assert needing == set(conflicts.NEEDS_REVIEW)


@pytest.mark.parametrize("column, value", [("metric", "revenues"), ("unit", "EUR"), ("qualifier", "maybe")])
def test_the_database_refuses_a_fact_outside_the_vocabulary(con, column, value):
    row = {"fact_id": "f1", "article_id": "a1", "key_id": "k1", "subject": "Acme",
           "metric": "investment", "unit": "USD", "qualifier": "exact", column: value}
    with pytest.raises(duckdb.ConversionException):
        con.execute(f"INSERT INTO fact_rows ({', '.join(row)}) VALUES ({', '.join('?' * len(row))})",
                    list(row.values()))


def test_the_database_refuses_an_unknown_conflict_status(con):
    with pytest.raises(duckdb.ConversionException):
        con.execute("INSERT INTO conflict_rows (conflict_id, subject, metric, unit, status)"
                    " VALUES ('c1', 'Acme', 'investment', 'USD', 'pending')")


def warehouse_before_migration_003(path: Path) -> duckdb.DuckDBPyConnection:
    """A connection to a new warehouse at PATH with migrations 001 and 002 only, no views."""
    con = duckdb.connect(str(path))
    con.execute("CREATE TABLE schema_version (version INTEGER PRIMARY KEY, name VARCHAR NOT NULL,"
                " applied_at TIMESTAMP NOT NULL)")
    for version, name, sql in _schema_files():
        if version < 3:
            con.execute(sql)
            con.execute("INSERT INTO schema_version VALUES (?, ?, now()::TIMESTAMP)", [version, name])
    return con


def test_migration_003_converts_a_warehouse_of_the_previous_schema(tmp_path):
    path = tmp_path / "old.duckdb"
    con = warehouse_before_migration_003(path)
    con.execute("INSERT INTO fact_rows (fact_id, article_id, key_id, subject, metric, unit, qualifier, value)"
                " VALUES ('f1', 'a1', 'k1', 'Anthropic', 'investment', 'USD', 'up_to', 4e9)")
    con.execute("INSERT INTO conflict_rows (conflict_id, subject, metric, unit, status)"
                " VALUES ('k1', 'Anthropic', 'investment', 'USD', 'reopened')")
    con.execute("CREATE VIEW facts AS SELECT * FROM fact_rows")   # old views depend on the columns
    con.close()

    with open_writer(path) as writer:
        assert writer.execute("SELECT max(version) FROM schema_version").fetchone()[0] >= 3
    reader = open_reader(path)
    assert reader.execute("SELECT metric, unit, qualifier, value FROM fact_rows").fetchall() == [
        ("investment", "USD", "up_to", 4e9)]
    assert reader.execute("SELECT status FROM conflicts WHERE needs_review(status)").fetchall() == [("reopened",)]
    types = dict(reader.execute("SELECT column_name, data_type FROM duckdb_columns()"
                                " WHERE table_name = 'fact_rows'").fetchall())
    assert types["metric"].startswith("ENUM") and types["qualifier"].startswith("ENUM")



def test_a_reader_of_a_warehouse_older_than_the_macros_still_has_them(tmp_path):
    """A warehouse written before migration 003 (no writer of this version has opened it yet):
    reports, `newsfacts review` and analysts' SQL ask needs_review(status) all the same."""
    path = tmp_path / "old.duckdb"
    con = warehouse_before_migration_003(path)
    con.execute("INSERT INTO conflict_rows (conflict_id, subject, metric, unit, status)"
                " VALUES ('k1', 'Anthropic', 'investment', 'USD', 'open'), ('k2', 'Anthropic', 'revenue', 'USD', 'dismissed')")
    con.close()

    reader = open_reader(path)
    assert reader.execute("SELECT conflict_id FROM conflict_rows WHERE needs_review(status)").fetchall() == [("k1",)]
    reader.close()
    assert run_query(path, "SELECT count(*) FROM conflict_rows WHERE needs_review(status)")[1] == [(1,)]


@pytest.mark.parametrize("as_of", ["2025", "2024", "2025-02", "2024-02", "2025-12", "2025-03-31",
                                   "2026-02-02T09:00:00+00:00", " 2025-06 ", "2025-13", "2025-02-30",
                                   "soon", "", None])
def test_the_sql_end_of_an_as_of_is_the_python_one(con, as_of):
    interval = as_of_interval(as_of)
    assert con.execute("SELECT as_of_end(?)", [as_of]).fetchone()[0] == (interval[1] if interval else None)

def test_every_view_column_is_documented(con):
    undocumented = con.execute("""
        SELECT v.view_name || '.' || c.column_name FROM duckdb_views() v
        JOIN duckdb_columns() c ON c.table_name = v.view_name AND c.schema_name = v.schema_name
        WHERE NOT v.internal AND v.schema_name = 'main' AND c.comment IS NULL
        ORDER BY 1""").fetchall()
    assert undocumented == []


def test_the_data_tests_pass_on_the_demo_warehouse(demo_warehouse):
    assert {path.stem for path in DATA_TESTS} == {"not_null", "accepted_values", "relationships", "unique", "names"}
    con = open_reader(demo_warehouse)
    assert con.execute("SELECT count(*) FROM facts").fetchone()[0] > 0
    failures = {path.stem: con.execute(path.read_text()).fetchall() for path in DATA_TESTS}
    assert failures == {path.stem: [] for path in DATA_TESTS}


def test_the_data_tests_catch_a_broken_warehouse(demo_warehouse, tmp_path):
    db = tmp_path / "broken.duckdb"
    shutil.copy(demo_warehouse, db)
    with open_writer(db) as con:
        with_facts = con.execute("SELECT min(article_id) FROM fact_rows").fetchone()[0]
        con.execute("UPDATE article_rows SET story_id = 'no-such-story' WHERE article_id <> ?", [with_facts])
        con.execute("DELETE FROM article_rows WHERE article_id = ?", [with_facts])
    con = open_reader(db)
    failures = {kind for (kind, _row) in con.execute(
        (PROJECT / "warehouse" / "schema" / "tests" / "relationships.sql").read_text()).fetchall()}
    assert {"articles.story_id not in stories", "facts.article_id not in articles"} <= failures
