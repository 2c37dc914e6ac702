"""Google News as it is today, against the loopback imitation (tests/gnews_imitation.py): day
slices past the 100-item cap, current links decoded through the article page and batchexecute
(batched, rate-limited, 429 honoured), consent walls never stored, the link cache."""

from __future__ import annotations

import math
import time

import pytest
from gnews_imitation import CONSENT_TEXT, FEED_CAP, GoogleNewsImitation, make_corpus

from newsfacts.flows.config import parse_sources
from newsfacts.flows.http import DEFAULT_USER_AGENT
from newsfacts.warehouse.db import open_reader

from conftest import run_pipeline_once

SOURCES = """
[settings]
timeout = 5.0
allow_private_addresses = true   # the publishers are other loopback servers
decode_rate = 100.0
decode_batch = 50

[[source]]
name = "gnews-compute-30d"
kind = "google_news"
query = "AI compute deal"
when = "30d"
slice = "1d"
max_items = 100
resolve_links = true
base_url = "{google}"
"""


@pytest.fixture(scope="module")
def corpus():
    return make_corpus(n=300, days=30)


def test_thirty_days_in_day_slices_reach_the_publishers_and_a_second_run_decodes_nothing(
        corpus, tmp_path, extractor):
    consent = {story.google_id for story in corpus[::40]}          # 8 ids behind a consent wall
    db = tmp_path / "w.duckdb"
    with GoogleNewsImitation(corpus, consent_ids=consent, posts_per_second=3) as google:
        config = parse_sources(SOURCES.format(google=google.google_url))
        assert len(google.search("AI compute deal when:30d")) == FEED_CAP   # one feed stops at 100

        started = time.monotonic()
        run = run_pipeline_once(config, db, extractor)
        links = run.links
        assert run.summary.line().endswith(
            f"Google News links {len(corpus) - len(consent)} decoded / 0 cached / {len(consent)} not decoded "
            f"({len(corpus) + google.hits['batchexecute']} requests)")
        first_run = time.monotonic() - started

        assert google.hits["search"] == 30                              # one request per day slice
        assert google.hits["google_robots"] == 0                        # a subscribed feed: no robots.txt
        # decoding: one page per id, the signatures batched 50 to a POST; the 429s were waited out
        decodable = len(corpus) - len(consent)
        assert google.hits["article_page"] == len(corpus)
        assert google.hits["batchexecute"] == math.ceil(decodable / 50)
        assert google.hits["batchexecute_429"] >= 1
        assert len(links.resolved) == decodable and set(links.failed) == consent
        # a browser's User-Agent only where the endpoint needs one
        assert google.user_agents["search"] == {DEFAULT_USER_AGENT}
        assert all(agent.startswith("Mozilla/5.0") for agent in google.user_agents["batchexecute"])
        assert google.user_agents["publisher"] == {DEFAULT_USER_AGENT}

        con = open_reader(db)
        rows = con.execute("SELECT url, text, snippet_only, snippet_reason FROM articles").fetchall()
        con.close()
        by_url = {google.article_url(story): story for story in corpus}
        full = [url for url, text, snippet_only, _reason in rows
                if not snippet_only and url in by_url and by_url[url].paragraphs[0] in text]
        assert len(rows) == len(corpus) > FEED_CAP                      # each story stored once
        assert len(full) / len(rows) >= 0.95
        assert not any(CONSENT_TEXT in text or "Sign in Home For you" in text for _u, text, _s, _r in rows)
        reasons = [reason for _url, _text, snippet_only, reason in rows if snippet_only]
        assert len(reasons) == len(consent) and all("consent" in reason for reason in reasons)
        print(f"\nfirst run {first_run:.1f}s: {len(rows)} articles, {len(full)} with publisher URL and text "
              f"({len(full) / len(rows):.1%}), {google.hits['batchexecute']} batchexecute POSTs, "
              f"{google.hits['batchexecute_429']} answered 429")

        # second run: the feeds are served in full again (no 304), every id is known
        google.etags = False
        google.hits.clear()
        run = run_pipeline_once(config, db, extractor)
        assert google.hits["search"] == 30
        assert google.decode_requests() == 0 and google.hits["batchexecute_429"] == 0
        assert run.links.cached == len(corpus)
        assert run.articles.new == 0


def test_without_resolve_links_google_pages_are_never_stored(corpus, tmp_path, extractor):
    """The issue's production failure: links followed over HTTP land on Google's own pages."""
    small = corpus[:12]
    consent = {small[0].google_id, small[1].google_id}
    sources = SOURCES.replace("resolve_links = true\n", "").replace('slice = "1d"\n', "")
    with GoogleNewsImitation(small, consent_ids=consent) as google:
        config = parse_sources(sources.format(google=google.google_url))
        run_pipeline_once(config, tmp_path / "w.duckdb", extractor)
        google_url = google.google_url
        assert google.hits["consent"] == 2 and google.hits["article_page"] == 12   # what a plain client meets
    con = open_reader(tmp_path / "w.duckdb")
    rows = con.execute("SELECT url, text, snippet_only, snippet_reason FROM articles").fetchall()
    assert len(rows) == 12 and all(snippet_only for _u, _t, snippet_only, _r in rows)
    assert not any(CONSENT_TEXT in text or "Sign in Home" in text for _u, text, _s, _r in rows)
    reasons = sorted(reason for *_rest, reason in rows)
    assert sum("consent" in r for r in reasons) == 2 and sum("interstitial" in r for r in reasons) == 10
    assert all(url.startswith(google_url + "/rss/articles/") for url, *_rest in rows)


def test_top_stories_and_topic_feeds(corpus, tmp_path, extractor):
    sources = """
[settings]
allow_private_addresses = true   # the publishers are other loopback servers
decode_rate = 100.0

[[source]]
name = "top"
kind = "google_news"
top_stories = true
resolve_links = true
base_url = "{google}"

[[source]]
name = "tech"
kind = "google_news"
topic = "TECHNOLOGY"
base_url = "{google}"
"""
    with GoogleNewsImitation(corpus[:40]) as google:
        config = parse_sources(sources.format(google=google.google_url))
        assert [s.feed_url.split("?")[0] for s in config.sources] == [
            f"{google.google_url}/rss", f"{google.google_url}/rss/headlines/section/topic/TECHNOLOGY"]
        run = run_pipeline_once(config, tmp_path / "w.duckdb", extractor)
        hits = google.hits.copy()
    assert {o.source: o.n_items for o in run.feeds.outcomes} == {"top": 30, "tech": 30}
    assert len(run.links.resolved) == 30 and hits["article_page"] == 30   # once per id
    assert run.articles.new == 30   # the topic feed's copies use the ids the other source decoded
