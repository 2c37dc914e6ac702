"""The pipeline end to end against the fixture site on 127.0.0.1, faults included."""

from __future__ import annotations

import asyncio
from pathlib import Path

import duckdb
import pytest

import flows.stages as stages
from extractors.facts import FactExtractor
from flows.http import Fetcher
from newsfacts.config import load_sources, parse_sources
from warehouse import load as loading
from warehouse.db import open_reader, open_writer

PROJECT = Path(__file__).resolve().parents[1]
DEMO_SOURCES = PROJECT / "fixtures" / "sources.demo.toml"

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


def demo_config(site, extra: str = ""):
    text = DEMO_SOURCES.read_text() + extra
    return parse_sources(text.replace("{{base}}", site.base_url))


def quick_fetcher(config, validators):
    """Short timeouts and backoff so that fault tests stay bounded."""
    return Fetcher(timeout=1.0, retries=1, backoff_base=0.01, validators=validators)


async def fetch_everything(config, validators):
    async with quick_fetcher(config, validators) as fetcher:
        feeds = await stages.fetch_feeds(config, fetcher)
        pages = await stages.fetch_articles(feeds.candidates, fetcher)
    return feeds, pages


@pytest.fixture(scope="module")
def extractor():
    return FactExtractor()


def run_once(config, db_path, extractor):
    """fetch → extract → load, as the flow does, without Prefect."""
    with open_writer(db_path) as con:
        run_id = loading.start_run(con)
        validators = loading.load_validators(con)
        feeds, pages = asyncio.run(fetch_everything(config, validators))
        extracted = stages.extract_pages(pages.pages, extractor)
        loading.log_fetches(con, run_id, feeds.fetches + pages.fetches)
        loading.save_validators(con, validators)
        articles = loading.load_articles(con, run_id, extracted.records)
        loading.replace_facts(
            con,
            {articles.article_ids[r.canonical_url]: extracted.facts[r.canonical_url]
             for r in extracted.records if r.canonical_url in articles.changed_urls},
            "test",
        )
    return feeds, pages, extracted, articles


def test_failing_sources_are_reported_while_the_others_load(site_server, tmp_path, extractor):
    config = demo_config(site_server, FAULTY_SOURCES)
    feeds, pages, extracted, articles = run_once(config, tmp_path / "w.duckdb", extractor)

    outcome = {o.source: o for o in feeds.outcomes}
    assert outcome["answers-500"].status == "failed" and "500" in outcome["answers-500"].error
    assert outcome["times-out"].status == "failed" and "timed out" in outcome["times-out"].error
    # feedparser recovers the one good item of the malformed feed; either way it is named
    malformed = outcome["malformed-xml"]
    assert malformed.status == "failed" or malformed.warning
    for name in ("demo-google-news", "demo-newsroom", "demo-company-blog"):
        assert outcome[name].status == "ok", outcome[name]
    assert articles.new >= 5

    con = open_reader(tmp_path / "w.duckdb")
    errors = dict(con.execute("SELECT source, error FROM fetch_log WHERE error IS NOT NULL").fetchall())
    assert "500" in errors["answers-500"] and "timed out" in errors["times-out"]
    n_articles = con.execute("SELECT count(*) FROM articles").fetchone()[0]
    assert n_articles == articles.new


def test_snippet_only_items_keep_the_feed_text(site_server, tmp_path, extractor):
    config = demo_config(site_server)
    run_once(config, tmp_path / "w.duckdb", extractor)
    con = open_reader(tmp_path / "w.duckdb")
    rows = con.execute("SELECT title, text, publisher FROM articles WHERE snippet_only").fetchall()
    publishers = {publisher for _title, _text, publisher in rows}
    assert {"Storyboard18", "Let's Data Science"} <= publishers
    for title, text, _publisher in rows:
        assert text.startswith(title)


def test_unchanged_feeds_cost_a_304_and_no_parse(site_server, tmp_path, extractor, monkeypatch):
    config = demo_config(site_server)
    db = tmp_path / "w.duckdb"
    run_once(config, db, extractor)

    parsed = []
    real_parse = stages.parse_feed
    monkeypatch.setattr(stages, "parse_feed", lambda *a, **k: parsed.append(a) or real_parse(*a, **k))
    site_server.reset_counters()
    feeds, pages, extracted, articles = run_once(config, db, extractor)

    assert parsed == []
    assert {o.status for o in feeds.outcomes} == {"unchanged"}
    assert site_server.responses["/news/rss/search.xml", 304] == 1
    assert site_server.responses["/news/rss/search.xml", 200] == 0
    assert articles.new == 0 and extracted.records == []


def test_syndicated_copies_share_one_story(site_server, tmp_path, extractor):
    run_once(demo_config(site_server), tmp_path / "w.duckdb", extractor)
    con = open_reader(tmp_path / "w.duckdb")
    stories = dict(con.execute("SELECT publisher, story_id FROM articles WHERE snippet_only").fetchall())
    assert stories["Storyboard18"] == stories["Let's Data Science"]
    others = con.execute(
        "SELECT count(DISTINCT story_id) FROM articles WHERE NOT snippet_only").fetchone()[0]
    assert others >= 3   # unrelated articles keep stories of their own


def test_the_same_page_from_two_sources_is_fetched_once(site_server, tmp_path, extractor):
    config = demo_config(site_server)
    feeds, pages, extracted, articles = run_once(config, tmp_path / "w.duckdb", extractor)
    urls = [record.canonical_url for record in extracted.records]
    assert len(urls) == len(set(urls))
    assert not any("utm_" in url for url in urls)


# --- the real Prefect flow ----------------------------------------------------------------------

@pytest.fixture(scope="session")
def prefect_harness():
    from prefect.testing.utilities import prefect_test_harness

    with prefect_test_harness():
        yield


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
    from flows.nightly import nightly

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
    """).fetchall()
    assert len(amazon) == 1
    values = {v for (v,) in con.execute(
        "SELECT value FROM facts WHERE fact_id IN (SELECT unnest(?::VARCHAR[]))", [amazon[0][2]]).fetchall()}
    assert {8e9, 4e9} <= values
    con.close()

    second = asyncio.run(nightly(**params))
    assert second.articles_new == 0 and second.facts_new == 0 and second.conflicts_new == 0
    assert second.sources_unchanged == 3
    assert table_counts(db) == counts
