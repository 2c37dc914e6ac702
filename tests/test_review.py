"""Resolutions: accept / value / dismiss, ranks, current_figures, surviving re-runs, reopening."""

from __future__ import annotations

import pytest
from review_docs import STALE_URL, review_docs, total_doc

from newsfacts.warehouse import conflicts, load
from newsfacts.warehouse.db import open_reader, open_writer
from newsfacts.warehouse.review import ReviewError, decision_for, list_conflicts, resolve

from test_warehouse_support import RESEARCH_URL, WIRE_2024_URL, Doc, canonical_docs, load_docs, run_once


def the_conflict(con) -> dict:
    [row] = list_conflicts(con, status=None)
    return row


def fact_id_of(con, url: str, value: float) -> str:
    return con.execute("SELECT fact_id FROM facts WHERE url = ? AND value = ?", [url, value]).fetchall()[0][0]


def new_source(value: float, as_of: str = "2024-11", url: str = "https://late.example/amazon") -> Doc:
    return total_doc(value, as_of, url)


@pytest.fixture
def warehouse(tmp_path):
    path = tmp_path / "newsfacts.duckdb"
    run_once(path, review_docs())
    return path


def figures_of(con, conflict_id, columns="status, value"):
    return con.execute(f"SELECT {columns} FROM current_figures WHERE key_id = ?", [conflict_id]).fetchall()


def accept_research_figure(path, note="research page is the latest total"):
    with open_writer(path) as con:
        conflict = the_conflict(con)
        decision = resolve(con, conflict["conflict_id"], accept_fact_id=fact_id_of(con, RESEARCH_URL, 8e9),
                           note=note, user="alice")
    return conflict["conflict_id"], decision


def test_list_conflicts_gives_values_and_filters_by_status(warehouse):
    reader = open_reader(warehouse)
    [row] = list_conflicts(reader)
    assert row["values"] == [4e9, 8e9]
    assert row["status"] == "open" and row["class"] == "contradiction"
    assert row["suggestion"] is not None
    assert list_conflicts(reader, status="resolved") == []
    reader.close()


def test_accepting_a_fact_ranks_values_and_sets_the_current_figure(warehouse):
    conflict_id, decision = accept_research_figure(warehouse)
    assert decision.value == 8e9 and decision.decided_by == "alice" and len(decision.known_fact_ids) == 3
    reader = open_reader(warehouse)
    assert the_conflict(reader)["status"] == "resolved"
    assert list_conflicts(reader) == []
    ranks = dict(reader.execute("SELECT url, rank FROM facts WHERE key_id = ?", [conflict_id]).fetchall())
    assert ranks == {RESEARCH_URL: "preferred", WIRE_2024_URL: "deprecated", STALE_URL: "deprecated"}
    figure = reader.execute("SELECT status, value, url, sentence FROM current_figures WHERE key_id = ?",
                            [conflict_id]).fetchall()
    assert figure == [("accepted", 8e9, RESEARCH_URL,
                       "Amazon has invested $8B in Anthropic in total (November 2024).")]
    [res] = reader.execute("SELECT action, value, note, decided_by, is_current FROM resolutions").fetchall()
    assert res == ("accept", 8e9, "research page is the latest total", "alice", True)
    reader.close()


def test_a_resolution_made_after_run_1_holds_after_run_2(warehouse):
    conflict_id, _ = accept_research_figure(warehouse)
    summary = run_once(warehouse, review_docs())["conflicts"]
    assert (summary.new, summary.open, summary.resolved, summary.reopened) == (0, 0, 1, 0)
    reader = open_reader(warehouse)
    row = the_conflict(reader)
    assert (row["conflict_id"], row["status"], row["accepted_value"]) == (conflict_id, "resolved", 8e9)
    reader.close()


def test_a_resolution_survives_reextraction(warehouse):
    accept_research_figure(warehouse)
    with open_writer(warehouse) as con:
        stored = load.stored_articles(con)
        by_url = {d.url: d for d in review_docs()}
        result = load.replace_facts(con, {a.article_id: by_url[a.url].facts for a in stored}, "test-2")
        assert (result.new, result.removed) == (0, 0)
        conflicts.detect_conflicts(con)
        assert the_conflict(con)["status"] == "resolved"


def test_a_new_disagreeing_fact_reopens_and_an_agreeing_one_does_not(warehouse):
    accept_research_figure(warehouse)
    agreeing = run_once(warehouse, review_docs() + [new_source(8e9)])["conflicts"]
    assert (agreeing.reopened, agreeing.open) == (0, 0)
    disagreeing = run_once(warehouse, review_docs() + [new_source(8e9), new_source(10e9, url="https://x.example/10")])
    assert (disagreeing["conflicts"].reopened, disagreeing["conflicts"].open) == (1, 1)
    reader = open_reader(warehouse)
    [row] = list_conflicts(reader)
    assert row["status"] == "reopened" and row["accepted_value"] == 8e9  # the decision is kept
    ranks = dict(reader.execute("SELECT url, rank FROM facts WHERE value IN (8e9, 10e9)").fetchall())
    # exactly the accepted fact is preferred; an unseen agreeing one stays normal
    assert ranks == {RESEARCH_URL: "preferred", "https://late.example/amazon": "normal",
                     "https://x.example/10": "normal"}
    assert figures_of(reader, row["conflict_id"], "status") == [("contested",)]
    reader.close()


def test_a_dismissal_reopens_only_on_new_disagreement(warehouse):
    with open_writer(warehouse) as con:
        decision = resolve(con, the_conflict(con)["conflict_id"], dismiss=True, note="different deals")
        assert decision.action == "dismiss" and decision.value is None and decision.decided_by
    assert run_once(warehouse, review_docs())["conflicts"].reopened == 0
    reader = open_reader(warehouse)
    row = the_conflict(reader)
    assert row["status"] == "dismissed"
    # no open conflict: the latest value of the series
    assert figures_of(reader, row["conflict_id"], "status, value, as_of") == [("uncontested", 4e9, "2025-02")]
    reader.close()
    assert run_once(warehouse, review_docs() + [new_source(30e9)])["conflicts"].reopened == 1


def test_a_typed_value_is_kept_even_without_a_matching_fact(warehouse):
    with open_writer(warehouse) as con:
        conflict_id = the_conflict(con)["conflict_id"]
        resolve(con, conflict_id, value=8.0e9, note="checked the 10-Q")
        resolve(con, conflict_id, value=6.5e9, note="corrected")  # a later decision supersedes
        assert decision_for(con, conflict_id).value == 6.5e9
    reader = open_reader(warehouse)
    rows = reader.execute("SELECT value, is_current FROM resolutions ORDER BY decided_at").fetchall()
    assert rows == [(8.0e9, False), (6.5e9, True)]  # none deleted
    assert figures_of(reader, conflict_id, "status, value, fact_id") == [("accepted", 6.5e9, None)]
    reader.close()


def test_invalid_decisions_are_refused(warehouse):
    with open_writer(warehouse) as con:
        conflict_id = the_conflict(con)["conflict_id"]
        with pytest.raises(ReviewError, match="exactly one"):
            resolve(con, conflict_id, value=1.0, dismiss=True)
        with pytest.raises(ReviewError, match="no conflict"):
            resolve(con, "nope", dismiss=True)
        with pytest.raises(ReviewError, match="not a value of conflict"):
            resolve(con, conflict_id, accept_fact_id="0000")
        for bad in (-1.0, float("nan"), float("inf"), float("-inf")):
            with pytest.raises(ReviewError, match="finite number, zero or more"):
                resolve(con, conflict_id, value=bad)
        assert con.execute("SELECT count(*) FROM resolution_rows").fetchall() == [(0,)]


def test_uncontested_keys_show_their_most_recent_value(tmp_path):
    path = tmp_path / "w.duckdb"
    wire = [d for d in canonical_docs() if d.url == WIRE_2024_URL][0]
    wire.facts = wire.facts[1:]  # only "$4 billion"
    run_once(path, [wire])
    reader = open_reader(path)
    assert reader.execute("SELECT status, value, as_of, url, conflict_id FROM current_figures").fetchall() == [
        ("uncontested", 4e9, "2024-03", WIRE_2024_URL, None)]
    reader.close()



def test_a_bare_year_is_as_recent_as_its_last_day(con):
    """'2025' covers the whole year: it is newer than '2025-06-30' (text order says older), as the
    conflict suggestion counts it (warehouse.conflicts._latest)."""
    con.execute("INSERT INTO article_rows (article_id, url, canonical_url) VALUES ('a1', 'u1', 'u1'), ('a2', 'u2', 'u2')")
    for fact_id, article_id, value, as_of in [("f1", "a1", 4e9, "2025-06-30"), ("f2", "a2", 8e9, "2025"),
                                             ("f3", "a1", 1e9, "2024-12-31T23:00:00+00:00")]:
        con.execute("INSERT INTO fact_rows (fact_id, article_id, key_id, subject, metric, unit, qualifier, value, as_of)"
                    " VALUES (?, ?, 'k1', 'Amazon', 'investment', 'USD', 'exact', ?, ?)", [fact_id, article_id, value, as_of])
    assert con.execute("SELECT value, as_of, fact_id FROM current_figures").fetchall() == [(8e9, "2025", "f2")]
    con.execute("UPDATE fact_rows SET as_of = '2026-01-02' WHERE fact_id = 'f1'")
    assert con.execute("SELECT value, as_of FROM current_figures").fetchall() == [(4e9, "2026-01-02")]

def test_review_works_inside_the_callers_transaction(tmp_path):
    path = tmp_path / "w.duckdb"
    with open_writer(path) as con:
        load_docs(con, "r1", review_docs())
        conflicts.detect_conflicts(con, "r1")
        con.begin()
        resolve(con, the_conflict(con)["conflict_id"], dismiss=True)
        con.rollback()
        assert the_conflict(con)["status"] == "open"
