"""Fault suite, data: nothing lost, nothing collapsed, nothing grown, nothing left behind."""

from __future__ import annotations

import asyncio
import base64
import os
import random
import shutil

from hostile_site import DEAL, FILLER, article, config_for, read_rows, rss, rss_source, run, write_site

import newsfacts.flows.stages as stages
from newsfacts.warehouse.db import open_reader, open_writer

from conftest import quick_fetcher

ARTICLES = "SELECT url, title, snippet_only FROM article_rows ORDER BY url"


# --- validators: saved only once what they cover is stored ---------------------------------------

def test_a_retried_feed_stage_reads_the_feed_again_not_a_304(tmp_path, serve_site):
    """Prefect retries the feed task with the same fetcher: the retry must not be answered 304
    on the strength of an ETag learnt by the failed attempt (its items were never stored)."""
    site = serve_site(write_site(tmp_path / "site", {
        "feed.xml": rss({"title": "Deal", "link": "{{base}}/deal.html"}),
        "deal.html": article("Deal", DEAL)}))
    config = config_for(rss_source("s", site.url("/feed.xml")))

    async def attempt_and_retry():
        async with quick_fetcher(config, {}) as fetcher:
            await stages.fetch_feeds(config, fetcher)          # the attempt that then failed
            return await stages.fetch_feeds(config, fetcher)   # Prefect's retry

    retry = asyncio.run(attempt_and_retry())
    assert retry.outcomes[0].status == "ok"
    assert [c.url for c in retry.candidates] == [site.url("/deal.html")]


def test_a_feeds_validator_waits_until_all_its_pages_were_fetched(tmp_path, serve_site, extractor):
    """A page that failed tonight is fetched again tomorrow: the feed is not answered 304."""
    flaky = "/_fault/flaky?fail=3"        # fails both attempts of run 1, works in run 2
    site = serve_site(write_site(tmp_path / "site", {
        "feed.xml": rss({"title": "Deal", "link": "{{base}}/deal.html"},
                        {"title": "Flaky", "link": "{{base}}" + flaky}),
        "deal.html": article("Deal", DEAL)}))
    config = config_for(rss_source("s", site.url("/feed.xml")))
    db = tmp_path / "w.duckdb"
    _feeds, pages, _extracted, _articles = run(config, db, extractor)
    assert not dict((c.url, r.ok) for c, r in pages.pages)[site.url(flaky)]
    feeds, pages, _extracted, _articles = run(config, db, extractor)
    assert feeds.outcomes[0].status == "ok"          # not "unchanged": its page was missing
    assert site.responses["/feed.xml", 200] == 2
    assert site.responses["/_fault/flaky", 200] == 1
    feeds, _pages, _extracted, _articles = run(config, db, extractor)
    assert feeds.outcomes[0].status == "unchanged"   # everything it lists is stored now


# --- an unchanged re-run does not grow the warehouse ---------------------------------------------

def test_an_unchanged_rerun_does_not_grow_the_warehouse(tmp_path, serve_site, extractor):
    noise = random.Random(7)      # text that does not compress, the same in every run
    pages = {f"p{i}.html": article(f"Page {i}", DEAL.replace("Acme", f"Firm{i}"), *(
        f"Section {k}: {FILLER} " + base64.b64encode(noise.randbytes(700)).decode() for k in range(300)))
        for i in range(4)}                                             # ~300 KB of HTML each
    site = serve_site(write_site(tmp_path / "site", {
        "feed.xml": rss(*({"title": f"Page {i}", "link": "{{base}}/" + f"p{i}.html"} for i in range(4))),
        **pages}))
    site.send_validators = False      # like most article pages: no ETag, no Last-Modified
    config = config_for(rss_source("s", site.url("/feed.xml")))
    db = tmp_path / "w.duckdb"
    run(config, db, extractor)
    sizes = [db.stat().st_size]
    updated = read_rows(db, "SELECT max(updated_at) FROM article_rows")
    for _ in range(4):
        *_rest, articles = run(config, db, extractor)
        assert articles.unchanged == 4 and articles.new == articles.updated == 0
        sizes.append(db.stat().st_size)
    assert read_rows(db, "SELECT max(updated_at) FROM article_rows") == updated
    # DuckDB reuses the blocks a checkpoint frees, one checkpoint later: the size settles by
    # the third run. Rewriting the 1.2 MB of raw HTML every run made it grow every run.
    assert max(sizes[3:]) <= max(sizes[:3]), sizes


# --- feed items without a link --------------------------------------------------------------------

def test_feed_items_without_a_link_are_kept_apart(tmp_path, serve_site, extractor):
    site = serve_site(write_site(tmp_path / "site", {"feed.xml": rss(
        {"title": "Acme raises $50 million", "description": "Acme raised $50 million from investors."},
        {"title": "Borealis raises $80 million", "description": "Borealis raised $80 million."},
        {"title": "Cobalt raises $20 million", "description": "Cobalt raised $20 million in a round."},
    )}))
    db = tmp_path / "w.duckdb"
    run(config_for(rss_source("s", site.url("/feed.xml"))), db, extractor)
    rows = read_rows(db, ARTICLES)
    assert sorted(title for _url, title, _s in rows) == [
        "Acme raises $50 million", "Borealis raises $80 million", "Cobalt raises $20 million"]
    assert all(snippet_only for *_r, snippet_only in rows)
    assert len({url for url, _t, _s in rows}) == 3
    run(config_for(rss_source("s", site.url("/feed.xml"))), db, extractor)
    assert len(read_rows(db, ARTICLES)) == 3       # the same items next time are the same articles


# --- the published file ---------------------------------------------------------------------------

def test_a_symlinked_db_stays_a_symlink_and_its_target_is_updated(tmp_path):
    target_dir = tmp_path / "data"
    target_dir.mkdir()
    target = target_dir / "real.duckdb"
    link = tmp_path / "newsfacts.duckdb"
    with open_writer(target) as con:
        con.execute("CREATE TABLE IF NOT EXISTS probe (n INTEGER)")
    link.symlink_to(target)
    with open_writer(link) as con:
        con.execute("INSERT INTO probe VALUES (42)")
    assert link.is_symlink() and os.readlink(link) == str(target)
    con = open_reader(target)
    assert con.execute("SELECT n FROM probe").fetchall() == [(42,)]
    con.close()


def test_leftovers_of_a_killed_publish_are_cleaned_at_the_next_run(tmp_path):
    db = tmp_path / "w.duckdb"
    with open_writer(db):
        pass
    # what a writer killed between its copy and its rename leaves beside the file
    leftover = tmp_path / ".w.duckdb.publish-99999"
    shutil.copyfile(db, leftover)
    other = tmp_path / ".other.duckdb.publish-99999"
    other.write_bytes(b"not ours")
    with open_writer(db):
        pass
    assert not leftover.exists()
    assert other.exists()              # another warehouse's files are not touched
