"""The pipeline end to end against the fixture site on 127.0.0.1, faults included."""

from __future__ import annotations

import asyncio
from pathlib import Path

import duckdb
import pytest

import newsfacts.flows.stages as stages
from newsfacts.warehouse.db import open_reader, open_writer

from conftest import DEMO_SOURCES, demo_config, run_pipeline_once

FAULTY_SOURCES = """
[[source]]
name = "answers-500"
kind = "rss"
url = "{{base}}/_fault/status/500"

[[source]]
name = "times-out"
kind = "rss"
url = "{{base}}/_fault/slow?delay=3"

[[source]]
name = "malformed-xml"
kind = "rss"
url = "{{base}}/_fault/malformed.xml"
"""


def test_failing_sources_are_reported_while_the_others_load(site_server, tmp_path, extractor):
    config = demo_config(site_server, FAULTY_SOURCES)
    run = run_pipeline_once(config, tmp_path / "w.duckdb", extractor)

    outcome = {o.source: o for o in run.feeds.outcomes}
    assert outcome["answers-500"].status == "failed" and "500" in outcome["answers-500"].error
    assert outcome["times-out"].status == "failed" and "timed out" in outcome["times-out"].error
    # feedparser recovers the one good item of the malformed feed; either way it is named
    malformed = outcome["malformed-xml"]
    assert malformed.status == "failed" or malformed.warning
    for name in ("demo-google-news", "demo-newsroom", "demo-company-blog"):
        assert outcome[name].status == "ok", outcome[name]
    assert run.articles.new >= 5

    con = open_reader(tmp_path / "w.duckdb")
    errors = dict(con.execute("SELECT source, error FROM fetch_log WHERE error IS NOT NULL").fetchall())
    assert "500" in errors["answers-500"] and "timed out" in errors["times-out"]
    n_articles = con.execute("SELECT count(*) FROM articles").fetchone()[0]
    assert n_articles == run.articles.new


def test_snippet_only_items_keep_the_feed_text(site_server, tmp_path, extractor):
    config = demo_config(site_server)
    run_pipeline_once(config, tmp_path / "w.duckdb", extractor)
    con = open_reader(tmp_path / "w.duckdb")
    rows = con.execute("SELECT title, text, publisher FROM articles WHERE snippet_only").fetchall()
    publishers = {publisher for _title, _text, publisher in rows}
    assert {"Storyboard18", "Let's Data Science"} <= publishers
    for title, text, _publisher in rows:
        assert text.startswith(title)


def test_unchanged_feeds_cost_a_304_and_no_parse(site_server, tmp_path, extractor, monkeypatch):
    config = demo_config(site_server)
    db = tmp_path / "w.duckdb"
    run_pipeline_once(config, db, extractor)

    parsed = []
    real_parse = stages.parse_feed
    monkeypatch.setattr(stages, "parse_feed", lambda *a, **k: parsed.append(a) or real_parse(*a, **k))
    site_server.reset_counters()
    run = run_pipeline_once(config, db, extractor)

    assert parsed == []
    assert {o.status for o in run.feeds.outcomes} == {"unchanged"}
    assert site_server.responses["/news/rss/search.xml", 304] == 1
    assert site_server.responses["/news/rss/search.xml", 200] == 0
    assert run.articles.new == 0 and run.extracted_urls == []


def test_syndicated_copies_share_one_story(site_server, tmp_path, extractor):
    run_pipeline_once(demo_config(site_server), tmp_path / "w.duckdb", extractor)
    con = open_reader(tmp_path / "w.duckdb")
    stories = dict(con.execute("SELECT publisher, story_id FROM articles WHERE snippet_only").fetchall())
    assert stories["Storyboard18"] == stories["Let's Data Science"]
    others = con.execute(
        "SELECT count(DISTINCT story_id) FROM articles WHERE NOT snippet_only").fetchone()[0]
    assert others >= 3   # unrelated articles keep stories of their own


def test_the_same_page_from_two_sources_is_fetched_once(site_server, tmp_path, extractor):
    config = demo_config(site_server)
    urls = run_pipeline_once(config, tmp_path / "w.duckdb", extractor).extracted_urls
    assert len(urls) == len(set(urls))
    assert not any("utm_" in url for url in urls)


# --- the real Prefect flow ----------------------------------------------------------------------

def table_counts(db_path) -> dict[str, int]:
    con = duckdb.connect(str(db_path), read_only=True)
    try:
        return {t: con.execute(f"SELECT count(*) FROM {t}").fetchone()[0]
                for t in ("articles", "stories", "facts", "conflicts")}
    finally:
        con.close()


@pytest.mark.prefect
def test_demo_flow_twice_flags_the_amazon_conflict_and_adds_nothing_the_second_time(
    prefect_harness, site_server, tmp_path
):
    from newsfacts.flows.nightly import nightly

    db, reports = tmp_path / "demo.duckdb", tmp_path / "reports"
    params = dict(sources_path=str(DEMO_SOURCES), db_path=str(db), reports_dir=str(reports),
                  substitutions={"base": site_server.base_url})

    first = asyncio.run(nightly(**params))
    assert first.sources_failed == 0 and first.articles_new == 5
    assert Path(first.report_path).is_file()
    counts = table_counts(db)

    con = open_reader(db)
    amazon = con.execute("""
        SELECT min_value, max_value, fact_ids FROM conflicts
        WHERE subject = 'Anthropic' AND counterparty = 'Amazon' AND metric = 'investment'
          AND class = 'contradiction'
    """).fetchall()
    assert len(amazon) == 1
    values = {v for (v,) in con.execute(
        "SELECT value FROM facts WHERE fact_id IN (SELECT unnest(?::VARCHAR[]))", [amazon[0][2]]).fetchall()}
    assert {8e9, 4e9} <= values
    ids_after_first = [r[0] for r in con.execute("SELECT conflict_id FROM conflicts ORDER BY 1").fetchall()]
    con.close()

    from newsfacts.warehouse.review import resolve

    with open_writer(db) as writer:
        conflict_id = writer.execute(
            "SELECT conflict_id FROM conflicts WHERE counterparty = 'Amazon' AND metric = 'investment'"
            " AND class = 'contradiction'"
        ).fetchone()[0]
        resolve(writer, conflict_id, value=8e9, note="three tranches add up to $8B", user="reviewer")

    second = asyncio.run(nightly(**params))
    assert second.articles_new == 0 and second.facts_new == 0 and second.conflicts_new == 0
    assert second.sources_unchanged == 3
    assert table_counts(db) == counts

    con = open_reader(db)
    assert [r[0] for r in con.execute("SELECT conflict_id FROM conflicts ORDER BY 1").fetchall()] == ids_after_first
    assert con.execute("SELECT status FROM conflicts WHERE conflict_id = ?", [conflict_id]).fetchone()[0] == "resolved"


ANALYST = """
import sys, duckdb
con = duckdb.connect(sys.argv[1], read_only=True)
before = con.execute("SELECT count(*) FROM articles").fetchone()[0]
print("open", before, flush=True)
sys.stdin.readline()                      # hold the file open until the run has finished
after = con.execute("SELECT count(*) FROM articles").fetchone()[0]
print("still reading", after, flush=True)
"""


def test_an_analyst_holding_the_warehouse_open_neither_blocks_nor_is_blocked(site_server, tmp_path, extractor):
    import subprocess
    import sys

    db = tmp_path / "w.duckdb"
    run_pipeline_once(demo_config(site_server), db, extractor)   # something to look at
    analyst = subprocess.Popen([sys.executable, "-c", ANALYST, str(db)], stdin=subprocess.PIPE,
                               stdout=subprocess.PIPE, text=True)
    try:
        assert analyst.stdout.readline().split() == ["open", "5"]
        extra = demo_config(site_server, '\n[[source]]\nname = "wire"\nkind = "rss"\n'
                                         'url = "{{base}}/_fault/malformed.xml"\n'.replace("{{base}}", site_server.base_url))
        articles = run_pipeline_once(extra, db, extractor).articles
        analyst.stdin.write("\n")
        analyst.stdin.flush()
        assert analyst.stdout.readline().strip() == "still reading 5"   # their snapshot
    finally:
        analyst.stdin.close()
        analyst.wait(timeout=30)
    # a new connection sees what the run published
    assert articles.new >= 1
    con = open_reader(db)
    assert con.execute("SELECT count(*) FROM articles").fetchone()[0] == 5 + articles.new


def test_publisher_comes_from_the_feed_else_the_page(site_server, tmp_path, extractor):
    run_pipeline_once(demo_config(site_server), tmp_path / "w.duckdb", extractor)
    con = open_reader(tmp_path / "w.duckdb")
    by_source = dict(con.execute("SELECT source, publisher FROM articles WHERE source <> 'demo-google-news'").fetchall())
    assert by_source == {"demo-newsroom": "Compute Atlas Newsroom"}   # the blog feed's copy was deduplicated
    news = {p for (p,) in con.execute("SELECT publisher FROM articles WHERE source = 'demo-google-news'").fetchall()}
    assert news == {"Compute Desk", "Founders Daily", "Storyboard18", "Let's Data Science"}
