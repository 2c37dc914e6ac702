import gzip

import pytest

from newsfacts.extractors.blog_index import extract_links, parse_sitemap

INDEX = """<html><body>
<nav><a class="post-link" href="/about">About</a></nav>
<article class="post-card"><a class="thumb" href="/posts/one.html"><img></a>
  <h2><a class="post-link" href="/posts/one.html">One</a></h2>
  <a class="post-link" href="/posts/one.html#comments">Comments</a></article>
<article class="post-card"><h2><a class="post-link" href="posts/two.html?x=1">Two</a></h2></article>
<article class="post-card"><a class="post-link" href="mailto:press@a.example">Mail</a>
  <a class="post-link" href="javascript:alert(1)">JS</a><a class="post-link" href="#top">Top</a>
  <a class="post-link" href="  ">Blank</a><a class="post-link">No href</a></article>
<article class="post-card"><a class="post-link" href="https://other.example/story">Elsewhere</a>
  <a class="post-link" href="https://blog.a.example/posts/three">Subdomain</a>
  <a class="post-link" href="//a.example/posts/four">Protocol-relative</a></article>
</body></html>"""


def test_links_matching_the_selector_in_order_absolute_and_unique():
    links = extract_links(INDEX, "https://www.a.example/news/", "article.post-card a.post-link")
    assert links == [
        "https://www.a.example/posts/one.html",
        "https://www.a.example/news/posts/two.html?x=1",
        "https://blog.a.example/posts/three",
        "https://a.example/posts/four",
    ]


def test_other_sites_only_when_asked():
    links = extract_links(INDEX, "https://a.example/", "article.post-card a.post-link", same_site=False)
    assert "https://other.example/story" in links


def test_selector_on_the_card_takes_its_first_link():
    links = extract_links(INDEX, "https://a.example/", "article.post-card")
    # the third card's first link is a mailto:, the fourth's another site: both skipped
    assert links == ["https://a.example/posts/one.html", "https://a.example/posts/two.html?x=1"]


def test_invalid_selector_is_a_value_error():
    with pytest.raises(ValueError, match="invalid CSS selector"):
        extract_links(INDEX, "https://a.example/", "article[")


@pytest.mark.parametrize("html", ["", b"\x00\xff\xfe garbage", "<a href='/x'", "<div>" * 5000 + "<a class=p href=/deep>",
                                  "<a class=p href='http://[::1'>bad</a><a class=p href='/ok'>ok</a>"])
def test_hostile_html_does_not_crash(html):
    links = extract_links(html, "https://a.example/", "a")
    assert all(link.startswith("https://a.example/") for link in links)


def test_urlset_sitemap():
    body = b"""<?xml version="1.0" encoding="UTF-8"?>
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
<url><loc> https://a.example/posts/one </loc><lastmod>2026-02-02</lastmod></url>
<url><loc>https://a.example/posts/two</loc></url>
<url><loc>javascript:alert(1)</loc></url><url><lastmod>2026-01-01</lastmod></url>
</urlset>"""
    assert parse_sitemap(body) == [("https://a.example/posts/one", "2026-02-02"),
                                   ("https://a.example/posts/two", None)]


def test_sitemap_index_and_gzip():
    body = b"""<?xml version="1.0"?><sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
<sitemap><loc>https://a.example/sitemap-posts.xml</loc><lastmod>2026-02-02T09:00:00+00:00</lastmod></sitemap>
</sitemapindex>"""
    expected = [("https://a.example/sitemap-posts.xml", "2026-02-02T09:00:00+00:00")]
    assert parse_sitemap(body) == expected
    assert parse_sitemap(gzip.compress(body)) == expected


def test_malformed_sitemaps():
    assert parse_sitemap(b"") == []
    assert parse_sitemap(b"not xml at all") == []
    truncated = b"<urlset><url><loc>https://a.example/1</loc></url><url><loc>https://a.exa"
    assert parse_sitemap(truncated)[0] == ("https://a.example/1", None)
    entity = b"""<?xml version="1.0"?><!DOCTYPE u [<!ENTITY x SYSTEM "file:///etc/passwd">]>
<urlset><url><loc>https://a.example/&x;</loc></url></urlset>"""
    assert all("root:" not in loc for loc, _ in parse_sitemap(entity))
    with pytest.raises(ValueError, match="gzip"):
        parse_sitemap(b"\x1f\x8b not really gzip")
