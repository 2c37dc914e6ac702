"""robots.txt: a subscribed feed is fetched as a feed reader does; crawled pages obey it, and a
crawled source it blocks says so."""

from __future__ import annotations

from newsfacts.flows.config import parse_sources
from newsfacts.warehouse.db import open_reader

from conftest import run_pipeline_once

FEED = """<?xml version="1.0"?><rss version="2.0"><channel><title>Wire</title>
<item><title>Acme raises $50 million</title><link>{base}/private/acme.html</link>
<description>Acme raised $50 million.</description></item></channel></rss>"""
PAGE = "<html><body><article><h1>Acme raises $50 million</h1><p>{text}</p></article></body></html>"


def test_feeds_are_read_crawled_pages_obey_robots_txt(tmp_path, serve_site, extractor):
    root = tmp_path / "site"
    (root / "private").mkdir(parents=True)
    (root / "robots.txt").write_text("User-agent: *\nDisallow: /\n", "utf-8")
    (root / "index.html").write_text('<a class="post" href="/private/acme.html">Acme</a>', "utf-8")
    (root / "private" / "acme.html").write_text(PAGE.format(text="Acme raised $50 million. " * 20), "utf-8")
    site = serve_site(root)
    (root / "feed.xml").write_text(FEED.format(base=site.base_url), "utf-8")
    config = parse_sources(f"""
[[source]]
name = "wire"
kind = "rss"
url = "{site.base_url}/feed.xml"

[[source]]
name = "newsroom"
kind = "blog"
url = "{site.base_url}/index.html"
link_selector = "a.post"
""")
    run = run_pipeline_once(config, tmp_path / "w.duckdb", extractor)
    outcome = {o.source: o for o in run.feeds.outcomes}
    assert outcome["wire"].status == "ok" and outcome["wire"].n_items == 1        # the feed was read
    host = site.base_url.split("//")[1]
    assert outcome["newsroom"].status == "failed"
    assert outcome["newsroom"].error == f"robots.txt of {host} blocks this source's URL"
    # the article page the feed points at is crawled, so robots.txt keeps it out: snippet only
    stored = open_reader(tmp_path / "w.duckdb").execute("SELECT snippet_only, snippet_reason FROM articles").fetchall()
    assert stored == [(True, "disallowed by robots.txt")]
    assert site.hits["/private/acme.html"] == 0 and site.hits["/robots.txt"] == 1
