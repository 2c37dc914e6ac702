"""The CLI as users run it: article, extract, eval, review/resolve, report, sql, export, reextract, serve."""

from __future__ import annotations

import csv
import io
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from newsfacts.cli import cli

PROJECT = Path(__file__).resolve().parents[1]
SITE = PROJECT / "fixtures" / "site"
SEEDS = PROJECT / "fixtures" / "corpus" / "seeds"
ARTICLE_PAGE = SITE / "publishers" / "foundersdaily" / "anthropic-amazon-5-gigawatts-100-billion.html"
RESEARCH_PAGE = SEEDS / "002_267fb876bd63ffe6.txt"


def invoke(*args, input=None):
    result = CliRunner().invoke(cli, [str(a) for a in args], input=input, catch_exceptions=False)
    return result


@pytest.fixture
def warehouse(demo_warehouse, tmp_path) -> Path:
    """A private copy of the session's demo warehouse, safe to write to."""
    copy = tmp_path / "w.duckdb"
    shutil.copy(demo_warehouse, copy)
    return copy


def amazon_conflict(db) -> dict:
    result = invoke("sql", "--db", db, "--format", "json",
                    "SELECT conflict_id, fact_ids, status FROM conflicts "
                    "WHERE subject = 'Anthropic' AND counterparty = 'Amazon' AND metric = 'investment' "
                    "AND class = 'contradiction'")
    assert result.exit_code == 0, result.output
    rows = json.loads(result.output)
    assert len(rows) == 1
    return rows[0]


# --- extraction commands ---------------------------------------------------------------------

def test_article_prints_one_json_object_without_boilerplate():
    result = invoke("article", ARTICLE_PAGE, "--url", "https://example.org/a")
    assert result.exit_code == 0, result.output
    page = json.loads(result.output)
    assert set(page) == {"title", "text", "published_at", "author", "url"}
    assert "5 gigawatts" in page["text"]
    assert "Also read" not in page["text"] and "Subscribe" not in page["text"]
    assert page["published_at"].startswith("2026-06-03")


def test_article_jsonl_keeps_the_order_of_the_files():
    pages = sorted((SITE / "publishers").rglob("*.html"))
    result = invoke("article", "--format", "jsonl", *pages)
    assert result.exit_code == 0, result.output
    lines = [json.loads(line) for line in result.output.splitlines()]
    assert len(lines) == len(pages)
    assert "5 gigawatts" in lines[[p.name for p in pages].index(ARTICLE_PAGE.name)]["text"]


def test_article_needs_jsonl_for_several_files():
    result = invoke("article", ARTICLE_PAGE, ARTICLE_PAGE)
    assert result.exit_code != 0 and "--format jsonl" in result.output


def test_extract_prints_fact_records_from_text_and_html():
    result = invoke("extract", "--format", "jsonl", RESEARCH_PAGE, ARTICLE_PAGE)
    assert result.exit_code == 0, result.output
    facts = [json.loads(line) for line in result.output.splitlines()]
    required = {"subject", "counterparty", "metric", "value", "unit", "qualifier", "sentence", "as_of", "span"}
    assert all(required <= set(f) for f in facts)
    eight = [f for f in facts if f["metric"] == "investment" and f["value"] == 8e9]
    assert eight and eight[0]["subject"] == "Anthropic" and eight[0]["counterparty"] == "Amazon"
    from_html = [f for f in facts if f["file"] == str(ARTICLE_PAGE)]
    assert any(f["metric"] == "power" and f["value"] == 5e9 and f["unit"] == "W" for f in from_html)


def test_extract_reads_stdin():
    result = invoke("extract", "-", input="Microsoft will invest $5 billion in Anthropic.\n")
    assert result.exit_code == 0, result.output
    fact = json.loads(result.output.splitlines()[0])
    assert (fact["subject"], fact["counterparty"], fact["value"]) == ("Anthropic", "Microsoft", 5e9)


def test_eval_scores_the_seed_gold_set():
    result = invoke("eval", PROJECT / "fixtures" / "gold" / "seeds.jsonl", "--format", "json")
    assert result.exit_code == 0, result.output
    scores = json.loads(result.output)
    assert scores["scores"]["attributed"]["f1"] >= 0.90


# --- review --------------------------------------------------------------------------------------

def review_table(db) -> tuple[list[str], dict]:
    """The review table's lines, and the suggestion of its first conflict."""
    result = invoke("review", "--db", db)
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    accept = next(l for l in lines if "accept it: newsfacts resolve" in l).split()
    return lines, {"conflict_id": accept[4], "fact_id": accept[6]}


def test_review_prints_a_table_with_the_amazon_conflict_first_and_its_suggestion(warehouse):
    lines, suggestion = review_table(warehouse)
    assert lines[0].split() == ["CONFLICT", "CLASS", "KEY"]
    assert lines[1].split() == ["VALUE", "FACT", "SOURCE", "AS", "OF", "PUBLISHED"]
    assert lines[0].index("KEY") == lines[1].index("VALUE")
    conflict = amazon_conflict(warehouse)
    lines = lines[1:]
    assert lines[1].startswith(conflict["conflict_id"]) and "contradiction (open)" in lines[1]
    assert lines[1].endswith("Anthropic – Amazon: investment, total (USD)")
    eight = next(l for l in lines[2:4] if l.split()[0] == "$8B")
    four = next(l for l in lines[2:4] if "up to $4B" in l)
    assert "Compute Atlas Newsroom" in eight and "2026-02-02" in eight and eight.endswith("<- suggested")
    assert "Founders Daily" in four and "2026-06-03" in four
    assert set(conflict["fact_ids"]) == {eight.split()[1], four.split()[3]}
    assert suggestion == {"conflict_id": conflict["conflict_id"], "fact_id": eight.split()[1]}
    said = next(l for l in lines if "suggested: $8B" in l)
    assert "a primary source" in said


def test_accepting_the_suggestion_is_one_command_and_current_figures_returns_it(warehouse):
    _, suggestion = review_table(warehouse)
    result = invoke("resolve", suggestion["conflict_id"], "--accept", suggestion["fact_id"], "--db", warehouse)
    assert result.exit_code == 0 and result.output.strip() == f"{suggestion['conflict_id']}: resolved"
    ranks = json.loads(invoke("sql", "--db", warehouse, "--format", "json",
                              f"SELECT fact_id, rank FROM facts WHERE key_id = '{suggestion['conflict_id']}'").output)
    assert [r["fact_id"] for r in ranks if r["rank"] == "preferred"] == [suggestion["fact_id"]]
    assert {r["rank"] for r in ranks if r["fact_id"] != suggestion["fact_id"]} == {"deprecated"}
    figure = json.loads(invoke("sql", "--db", warehouse, "--format", "json",
                               "SELECT status, value, fact_id FROM current_figures "
                               f"WHERE key_id = '{suggestion['conflict_id']}'").output)
    assert figure == [{"status": "accepted", "value": 8e9, "fact_id": suggestion["fact_id"]}]


def test_a_series_without_open_conflict_gives_its_latest_value(warehouse):
    rows = json.loads(invoke("sql", "--db", warehouse, "--format", "json",
                             "SELECT f.status, f.value, f.as_of FROM current_figures f JOIN conflicts c "
                             "ON c.conflict_id = f.key_id WHERE c.class = 'changed_over_time'").output)
    assert rows and all(r["status"] == "uncontested" and r["value"] is not None for r in rows)
    revenue = json.loads(invoke("sql", "--db", warehouse, "--format", "json",
                                "SELECT value, as_of FROM current_figures WHERE metric = 'revenue' "
                                "AND key_id IN (SELECT conflict_id FROM conflicts)").output)
    assert revenue == [{"value": 9e9, "as_of": "2025-12"}]   # ~$1B end-2024 → ~$9B end-2025


def test_dismiss_says_dismissed_and_bad_values_are_refused(warehouse):
    conflict = amazon_conflict(warehouse)
    for bad in ("-5", "nan", "inf", "-inf"):
        result = invoke("resolve", conflict["conflict_id"], "--value", bad, "--db", warehouse)
        assert result.exit_code != 0 and "finite number, zero or more" in result.output, bad
    assert amazon_conflict(warehouse)["status"] == "open"
    result = invoke("resolve", conflict["conflict_id"], "--dismiss", "--note", "two deals", "--db", warehouse)
    assert result.exit_code == 0 and result.output.strip() == f"{conflict['conflict_id']}: dismissed"
    assert amazon_conflict(warehouse)["status"] == "dismissed"


def test_resolve_accept_survives_reextraction(warehouse):
    conflict = amazon_conflict(warehouse)
    accepted = conflict["fact_ids"][0]
    result = invoke("resolve", conflict["conflict_id"], "--accept", accepted, "--note", "cumulative total",
                    "--db", warehouse)
    assert result.exit_code == 0, result.output
    assert amazon_conflict(warehouse)["status"] == "resolved"
    assert conflict["conflict_id"] not in invoke("review", "--db", warehouse).output

    result = invoke("reextract", "--db", warehouse)
    assert result.exit_code == 0, result.output
    assert "re-extracted 5 article(s)" in result.output
    again = amazon_conflict(warehouse)
    assert again["status"] == "resolved" and again["conflict_id"] == conflict["conflict_id"]
    decided = invoke("sql", "--db", warehouse, "--format", "csv",
                     "SELECT fact_id, note FROM resolutions").output
    assert accepted in decided and "cumulative total" in decided


def test_resolve_an_unknown_conflict_is_a_clear_error(warehouse):
    result = invoke("resolve", "nope", "--dismiss", "--db", warehouse)
    assert result.exit_code != 0 and "nope" in result.output


# --- reports and analysts ------------------------------------------------------------------------

def test_report_formats(warehouse, tmp_path):
    out = tmp_path / "r.html"
    assert invoke("report", "--db", warehouse, "--out", out).exit_code == 0
    html = out.read_text()
    assert "Anthropic – Amazon: investment" in html and "<svg" in html
    assert "<script src" not in html and "<link rel=\"stylesheet\"" not in html   # opens offline

    md = invoke("report", "--db", warehouse, "--format", "md").output
    assert "## 1. Anthropic – Amazon: investment, total (USD)" in md and "$8 billion" in md

    rows = list(csv.DictReader(io.StringIO(invoke("report", "--db", warehouse, "--format", "csv").output)))
    assert any(r.get("counterparty") == "Amazon" for r in rows)


def test_sql_is_read_only(warehouse):
    result = invoke("sql", "--db", warehouse, "DELETE FROM facts")
    assert result.exit_code != 0
    count = invoke("sql", "--db", warehouse, "--format", "json", "SELECT count(*) AS n FROM facts").output
    assert json.loads(count)[0]["n"] > 0


def test_export_writes_parquet_that_duckdb_reads(warehouse, tmp_path):
    result = invoke("export", tmp_path / "out", "--db", warehouse)
    assert result.exit_code == 0, result.output
    facts = tmp_path / "out" / "facts.parquet"
    assert facts.is_file()
    import duckdb

    n = duckdb.connect().execute("SELECT count(*) FROM read_parquet(?)", [str(facts)]).fetchall()[0][0]
    assert n > 0


# --- scheduling --------------------------------------------------------------------------------

def _serve(tmp_path, **env):
    environment = {k: v for k, v in os.environ.items() if not k.startswith("PREFECT_")}
    environment.update(PREFECT_HOME=str(tmp_path / "prefect-home"), **env)
    return subprocess.run([sys.executable, "-m", "newsfacts.cli", "serve", "--sources", PROJECT / "newsfacts" / "sources.toml"],
                          capture_output=True, text=True, env=environment, timeout=120)


def test_serve_without_a_prefect_api_says_how_to_start_one(tmp_path):
    result = _serve(tmp_path)
    assert result.returncode != 0 and "Traceback" not in result.stderr
    assert "prefect server start" in result.stderr and "PREFECT_API_URL" in result.stderr


def test_serve_with_an_api_that_does_not_answer(tmp_path):
    result = _serve(tmp_path, PREFECT_API_URL="http://127.0.0.1:9/api")
    assert result.returncode != 0 and "Traceback" not in result.stderr
    assert "no Prefect API answers at http://127.0.0.1:9/api" in result.stderr
