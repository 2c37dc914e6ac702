"""Fault suite, hostile input: one source's bad bytes fail that source or that page, never the
run. Every case runs the real stages against loopback servers (tests/hostile_site.py)."""

from __future__ import annotations

import gzip
import subprocess
import sys
import tracemalloc

import pytest
from hostile_site import DEAL, FILLER, article, config_for, fetch_one, read_rows, rss, rss_source, run, write_site

from newsfacts.flows.config import ConfigError, parse_sources

ARTICLES = "SELECT canonical_url, title, text, author, published_at FROM article_rows"


def feed_site(tmp_path, serve_site, items, pages):
    files = {"feed.xml": rss(*items), **pages}
    return serve_site(write_site(tmp_path / "site", files))


def good_item(path="/good.html"):
    return {"title": "Good news", "link": "{{base}}" + path}


GOOD_PAGE = {"good.html": article("Good news", DEAL, FILLER)}


# --- charsets ------------------------------------------------------------------------------------

@pytest.mark.parametrize("label", ["rot13", "hex", "base64", "zlib", "unicode_escape", "undefined"])
@pytest.mark.parametrize("declare", ["header", "meta"])
def test_a_charset_that_is_no_text_encoding_is_ignored(site_server, label, declare):
    result = fetch_one(site_server.url(f"/_fault/label?charset={label}&declare={declare}"),
                       allow_private_addresses=True)
    assert result.ok and result.error is None
    assert "Acme Cloud will invest $2 billion" in result.text


def test_a_run_survives_pages_with_bogus_charsets(tmp_path, serve_site, site_server, extractor):
    items = [good_item()] + [{"title": f"Label {label}", "link": site_server.url(
        f"/_fault/label?charset={label}&declare={declare}")}
        for label in ("rot13", "hex") for declare in ("header", "meta")]
    site = feed_site(tmp_path, serve_site, items, GOOD_PAGE)
    config = config_for(rss_source("s", site.url("/feed.xml")), settings="allow_private_addresses = true")
    feeds, pages, extracted, articles = run(config, tmp_path / "w.duckdb", extractor)
    assert feeds.outcomes[0].status == "ok"
    assert articles.new == 5 - articles.duplicate and len(read_rows(tmp_path / "w.duckdb", ARTICLES)) >= 2


# --- lone surrogates -----------------------------------------------------------------------------

def test_lone_surrogates_in_feed_titles_and_json_ld_are_stored_as_replacement_chars(
        tmp_path, serve_site, extractor):
    json_ld = ('<script type="application/ld+json">{"@type": "NewsArticle", '
               '"author": {"name": "Ann \\ud800 Lee"}, "datePublished": "2025-06-02"}</script>')
    items = [good_item(),
             {"title": "Borealis &#xD800; raises funds", "link": "{{base}}/missing.html",
              "description": "Borealis AI raised $300 million &#xDC00; from investors."},
             {"title": "Signed", "link": "{{base}}/jsonld.html"}]
    site = feed_site(tmp_path, serve_site, items, {
        **GOOD_PAGE, "jsonld.html": article("Signed", DEAL.replace("Acme", "Zenith"), FILLER, head=json_ld)})
    db = tmp_path / "w.duckdb"
    run(config_for(rss_source("s", site.url("/feed.xml"))), db, extractor)
    rows = {url.rsplit("/", 1)[-1]: (title, author) for url, title, _text, author, _p in read_rows(db, ARTICLES)}
    assert rows["missing.html"][0] == "Borealis \ufffd raises funds"   # snippet-only, from the feed
    assert rows["jsonld.html"][1] == "Ann \ufffd Lee"
    assert "good.html" in rows


# --- invalid item URLs ---------------------------------------------------------------------------

@pytest.mark.parametrize("bad", ["http://[::1", "http://example.com:port/x", "http://[zz]/"])
def test_an_invalid_item_link_costs_that_item_only(tmp_path, serve_site, extractor, bad):
    site = feed_site(tmp_path, serve_site, [{"title": "Bad", "link": bad}, good_item()], GOOD_PAGE)
    feeds, pages, extracted, articles = run(
        config_for(rss_source("s", site.url("/feed.xml"))), tmp_path / "w.duckdb", extractor)
    assert feeds.outcomes[0].status == "ok"
    assert articles.new == 1
    assert [url for url, *_ in read_rows(tmp_path / "w.duckdb", ARTICLES)] == [site.url("/good.html")]


def test_a_fetch_of_an_invalid_url_is_one_failed_result():
    result = fetch_one("http://[::1", allow_private_addresses=True)
    assert result.status is None and result.error.startswith("invalid URL")


# --- sitemaps ------------------------------------------------------------------------------------

def test_a_corrupt_gzip_sitemap_costs_its_links_only(tmp_path, serve_site, extractor):
    root = write_site(tmp_path / "site", {
        "index.html": '<html><body><a class="post" href="/good.html">Good</a></body></html>',
        **GOOD_PAGE,
        "sitemap.xml": gzip.compress(b"<urlset>" + b"<url><loc>x</loc></url>" * 50 + b"</urlset>")[:40]
        + b"\x00garbage",
        "feed.xml": rss(good_item()),
    })
    site = serve_site(root)
    blog = (f'name = "blog"\nkind = "blog"\nurl = "{site.url("/index.html")}"\n'
            f'link_selector = "a.post"\nsitemap = "{site.url("/sitemap.xml")}"')
    feeds, pages, extracted, articles = run(
        config_for(blog, rss_source("feed", site.url("/feed.xml"))), tmp_path / "w.duckdb", extractor)
    assert site.hits["/sitemap.xml"] == 1
    assert [o.status for o in feeds.outcomes] == ["ok", "ok"]
    assert len(read_rows(tmp_path / "w.duckdb", ARTICLES)) == 1


# --- dates the calendar cannot hold --------------------------------------------------------------

def test_a_date_past_the_end_of_the_calendar_is_dropped_not_fatal(tmp_path, serve_site, extractor):
    head = '<meta property="article:published_time" content="9999-12-31T23:59:59-05:00">'
    json_ld = ('<script type="application/ld+json">{"@type": "NewsArticle", '
               '"datePublished": "9999-12-31T23:59:59-05:00", "author": "Ann Lee"}</script>')
    site = feed_site(tmp_path, serve_site, [
        {"title": "Late", "link": "{{base}}/late.html", "date": "Fri, 31 Dec 9999 23:59:59 -0500"},
        {"title": "Later", "link": "{{base}}/later.html"}, good_item()], {
        **GOOD_PAGE, "late.html": article("Late", DEAL.replace("Acme", "Orbit"), head=head),
        "later.html": article("Later", DEAL.replace("Acme", "Vega"), head=json_ld)})
    db = tmp_path / "w.duckdb"
    run(config_for(rss_source("s", site.url("/feed.xml"))), db, extractor)
    rows = {url.rsplit("/", 1)[-1]: published for url, _t, _x, _a, published in read_rows(db, ARTICLES)}
    assert set(rows) == {"late.html", "later.html", "good.html"}
    assert rows["late.html"] is None or rows["late.html"].year <= 9999


# --- text longer than the NLP pipeline takes -----------------------------------------------------

def test_an_article_longer_than_the_pipelines_limit_is_read_up_to_it(tmp_path, serve_site, extractor):
    long_text = [DEAL.replace("Acme", "Titan")] + [f"Site {i} of the plan opens in year {i + 3}; {FILLER}"
                                                  for i in range(200)]  # ~24 KB of text
    site = feed_site(tmp_path, serve_site, [{"title": "Long", "link": "{{base}}/long.html"}, good_item()],
                     {**GOOD_PAGE, "long.html": article("Long", *long_text)})
    limit = extractor.nlp.max_length
    extractor.nlp.max_length = 8_000           # spaCy's own check, at a size a test can afford
    try:
        feeds, pages, extracted, articles = run(
            config_for(rss_source("s", site.url("/feed.xml"))), tmp_path / "w.duckdb", extractor)
    finally:
        extractor.nlp.max_length = limit
    assert articles.new == 2 and not extracted.failed
    long_url = site.url("/long.html")
    assert len(next(r for r in extracted.records if r.url == long_url).text) > 8_000  # stored whole
    assert any(f.counterparty == "Titan Cloud" for f in extracted.facts[long_url])


# --- compression bombs ---------------------------------------------------------------------------

@pytest.mark.parametrize("layers", [1, 2, 3])
def test_a_compression_bomb_is_stopped_while_decoding_every_layer(site_server, layers):
    inside = 48 * 1024 * 1024
    tracemalloc.start()
    try:
        result = fetch_one(site_server.url(f"/_fault/gzip?bytes={inside}&layers={layers}"),
                           allow_private_addresses=True, max_bytes=1_000_000)
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert result.error == "body larger than 1000000 bytes"
    assert peak < 16 * 1024 * 1024, f"peak {peak / 2**20:.0f} MiB while refusing a bomb"


def test_a_small_compressed_page_in_two_layers_is_read(site_server):
    result = fetch_one(site_server.url("/_fault/gzip?bytes=1000&layers=2"), allow_private_addresses=True)
    assert result.ok and result.text.startswith("<!doctype html>") and len(result.body) > 1000


# --- sources.toml settings -----------------------------------------------------------------------

SOURCE = '[[source]]\nname = "s"\nkind = "rss"\nurl = "https://feeds.example/x.xml"\n'


@pytest.mark.parametrize("text, complaint", [
    ("[settings]\nuser_agent = 5\n" + SOURCE, "user_agent"),
    ('[settings]\nuser_agent = "a\\nb"\n' + SOURCE, "user_agent"),
    ("[settings]\ntimeout = nan\n" + SOURCE, "timeout"),
    ("[settings]\ntimeout = inf\n" + SOURCE, "timeout"),
    ("[settings]\ntimeout = true\n" + SOURCE, "timeout"),
    ("settings = 5\n" + SOURCE, "[settings] must be a table"),
    ("[settings]\nallow_private_addresses = 1\n" + SOURCE, "allow_private_addresses"),
    ('[[source]]\nname = "b"\nkind = "blog"\nurl = "https://b.example/"\nlink_selector = "a["\n',
     "not a valid CSS selector"),
    ('[[source]]\nname = "b"\nkind = "blog"\nurl = "https://b.example/"\nlink_selector = "a:nosuch"\n',
     "not a valid CSS selector"),
])
def test_invalid_settings_are_rejected_with_one_line(text, complaint):
    with pytest.raises(ConfigError) as caught:
        parse_sources(text)
    assert complaint in str(caught.value) and "\n" not in str(caught.value)


def test_newsfacts_sources_rejects_invalid_settings(tmp_path):
    bad = tmp_path / "sources.toml"
    bad.write_text("[settings]\ntimeout = nan\n" + SOURCE)
    result = subprocess.run([sys.executable, "-m", "newsfacts.cli", "sources", "--sources", str(bad)],
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert "timeout must be a positive, finite number" in result.stderr


# --- the next unknown failure: one guard per source, page and article ---------------------------

def test_unknown_failures_are_contained_per_source_page_and_article(
        tmp_path, serve_site, extractor, monkeypatch, caplog):
    """Whatever the next surprise is, it fails one source, page or article, with its reason."""
    import newsfacts.flows.stages as stages

    site = serve_site(write_site(tmp_path / "site", {
        "a.xml": rss(good_item(), {"title": "Trap", "link": "{{base}}/trap.html"},
                     {"title": "Snag", "link": "{{base}}/snag.html"}),
        "b.xml": rss({"title": "Other", "link": "{{base}}/other.html"}),
        **GOOD_PAGE,
        "trap.html": article("Trap", DEAL.replace("Acme", "Nova")),
        "snag.html": article("Snag", DEAL.replace("Acme", "Polar")),
        "other.html": article("Other", DEAL.replace("Acme", "Kappa")),
    }))
    real_parse, real_article, real_many = stages.parse_feed, stages.extract_article, extractor.extract_many

    def parse_feed(body, base_url, **kw):
        if base_url.endswith("/b.xml"):
            raise RecursionError("a surprise in the feed parser")
        return real_parse(body, base_url, **kw)

    def extract_article(html, url=None):
        if url and url.endswith("/trap.html"):
            raise MemoryError("a surprise in the article extractor")
        return real_article(html, url=url)

    def extract_many(docs):
        docs = list(docs)
        if any("Polar" in text for text, _day in docs):
            raise RuntimeError("a surprise in the fact rules")
        return real_many(docs)

    monkeypatch.setattr(stages, "parse_feed", parse_feed)
    monkeypatch.setattr(stages, "extract_article", extract_article)
    monkeypatch.setattr(extractor, "extract_many", extract_many)
    config = config_for(rss_source("a", site.url("/a.xml")), rss_source("b", site.url("/b.xml")))
    feeds, pages, extracted, articles = run(config, tmp_path / "w.duckdb", extractor)
    by_source = {o.source: o for o in feeds.outcomes}
    assert by_source["a"].status == "ok"
    assert by_source["b"].status == "failed" and "RecursionError" in by_source["b"].error
    failed = dict(extracted.failed)
    assert "MemoryError" in failed[site.url("/trap.html")]
    assert failed[site.url("/snag.html")] == "fact extraction failed"
    assert [url for url, *_ in read_rows(tmp_path / "w.duckdb", ARTICLES)] == [site.url("/good.html")]
    assert "a surprise in the fact rules" in caplog.text
