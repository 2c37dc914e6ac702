from pathlib import Path

import pytest

from newsfacts.extractors.feeds import FeedError, FeedItem, ParsedFeed, parse_feed

FEEDS = Path(__file__).resolve().parents[1] / "fixtures" / "feeds"


def _rss(items: str, channel: str = "<title>Example</title>") -> bytes:
    return f'<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel>{channel}{items}</channel></rss>'.encode()


def test_google_news_reference_feed():
    feed = parse_feed((FEEDS / "google-news-fr-BE-2020.xml").read_bytes(), "https://news.google.com/rss")
    assert isinstance(feed, ParsedFeed) and feed.warning is None
    assert feed.title == "À la une - Google Actualités"  # a channel title is never split
    [item] = feed.items
    assert isinstance(item, FeedItem)
    assert item.title == ("Coronavirus en Belgique: 200 cas détectés au total, un nombre limité de "
                          "tests effectués par manque de réactifs")
    assert item.publisher == "RTBF" and item.publisher_url == "https://www.rtbf.be"
    assert item.url.startswith("https://www.rtbf.be/info/societe/detail_coronavirus-en-belgique")
    assert item.feed_link.startswith("https://news.google.com/__i/rss/rd/articles/CBMi")
    assert item.published_at == "2020-03-08T10:32:07+00:00"
    assert item.guid == "52782335008021"
    assert [u.split("/")[2] for u in item.related_urls] == [
        "www.sudinfo.be", "www.dhnet.be", "www.lesoir.be", "www.notele.be"]
    assert item.url not in item.related_urls
    lines = item.snippet.split("\n")
    assert lines[0].endswith("manque de réactifs RTBF") and len(lines) == 5
    assert "&nbsp;" not in item.snippet and "<" not in item.snippet
    assert "couverture complète" not in item.snippet


def test_company_blog_reference_feed_prefers_the_summary():
    feed = parse_feed((FEEDS / "google-blog-2026.xml").read_bytes(), "https://blog.google/rss/")
    assert feed.title == "The Official Google Blog" and feed.warning is None
    first, second = feed.items
    assert first.title == "Investing in Ukraine’s AI leadership and economic future"
    assert first.url == first.feed_link == (
        "https://blog.google/company-news/inside-google/around-the-globe/google-europe/"
        "investing-in-ukraines-ai-leadership-and-economic-future/")
    assert first.snippet.startswith("Google.org is providing a $5 million grant to scale Obrii")
    assert first.published_at == "2026-06-25T17:40:00+00:00"
    assert first.publisher is None and first.related_urls == ()
    # an <img> in the description leaves only text
    assert second.snippet.startswith("Use Google AI tools — like Career Dreamer")


def test_title_suffix_split_only_when_it_names_the_source():
    items = (
        "<item><title>Acme raises $50M - Example Wire</title><link>https://a.example/1</link>"
        '<source url="https://wire.example">Example Wire</source></item>'
        "<item><title>Q3 results - a closer look</title><link>https://a.example/2</link></item>"
    )
    first, second = parse_feed(_rss(items), "https://a.example/feed").items
    assert (first.title, first.publisher, first.publisher_url) == (
        "Acme raises $50M", "Example Wire", "https://wire.example")
    assert (second.title, second.publisher) == ("Q3 results - a closer look", None)


def test_google_news_feed_splits_on_the_last_separator():
    channel = "<generator>NFE/5.0</generator><title>x</title>"
    items = "<item><title>Chips - the next war - Some Outlet</title><link>https://news.google.com/rss/articles/CBMiAA</link></item>"
    [item] = parse_feed(_rss(items, channel), "https://news.google.com/").items
    assert (item.title, item.publisher) == ("Chips - the next war", "Some Outlet")


def test_html_in_titles_and_snippets_becomes_text():
    items = ("<item><title>AT&amp;T &lt;b&gt;buys&lt;/b&gt; &amp;amp; sells</title><link>/p/1</link>"
             "<description>&lt;p&gt;Caf&amp;eacute; &lt;script&gt;alert(1)&lt;/script&gt;deal&amp;nbsp;done&lt;/p&gt;</description></item>")
    [item] = parse_feed(_rss(items), "https://a.example/feed/").items
    assert item.title == "AT&T buys & sells"
    assert "alert" not in item.snippet and item.snippet.startswith("Café") and item.snippet.endswith("deal done")
    assert item.url == "https://a.example/p/1" and item.feed_link == "/p/1"


def test_atom_feed():
    body = b"""<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom"><title>Atom news</title><link href="https://a.example/"/>
<entry><title type="html">Big &lt;em&gt;deal&lt;/em&gt;</title><link rel="alternate" href="posts/1"/>
<id>tag:a.example,2026:1</id><updated>2026-05-07T10:00:00+02:00</updated>
<summary>Short teaser.</summary><content type="html">&lt;p&gt;Full text.&lt;/p&gt;</content></entry></feed>"""
    feed = parse_feed(body, "https://a.example/blog/feed.atom")
    [item] = feed.items
    assert feed.title == "Atom news"
    assert item.title == "Big deal" and item.url == "https://a.example/blog/posts/1"
    assert item.published_at == "2026-05-07T08:00:00+00:00"
    assert item.snippet == "Short teaser." and item.guid == "tag:a.example,2026:1"


def test_content_used_when_the_summary_is_empty():
    body = b"""<?xml version="1.0"?><rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/"><channel><title>t</title>
<item><title>Post</title><link>https://a.example/1</link><description></description>
<content:encoded><![CDATA[<p>Body text here.</p>]]></content:encoded></item></channel></rss>"""
    [item] = parse_feed(body, "https://a.example/").items
    assert item.snippet == "Body text here."


def test_max_items():
    items = "".join(f"<item><title>t{i}</title><link>https://a.example/{i}</link></item>" for i in range(5))
    assert [i.title for i in parse_feed(_rss(items), "https://a.example/", max_items=2).items] == ["t0", "t1"]


def test_malformed_feed_keeps_good_entries_with_a_warning():
    body = b"""<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0"><channel><title>Malformed feed</title>
<item><title>Good item: Acme raises $50 million - Example Wire</title>
<link>http://127.0.0.1:1/_fault/good-item</link><pubDate>Mon, 02 Jun 2025 08:00:00 GMT</pubDate>
<description>Acme raised $50 million.</description></item>
<item><title>Broken item <b>unclosed
<link>http://127.0.0.1:1/_fault/broken-item
<description>never closed &nbsp; & stray ampersand
</channel>
"""
    feed = parse_feed(body, "http://127.0.0.1:1/_fault/malformed.xml")
    assert feed.warning and feed.warning.startswith("malformed feed, 1 item(s) recovered: ")
    assert feed.items[0].title == "Good item: Acme raises $50 million - Example Wire"
    assert feed.items[0].published_at == "2025-06-02T08:00:00+00:00"
    assert all(item.title or item.url for item in feed.items)


@pytest.mark.parametrize("body", [b"", b"garbage \x00\xff", b"<html><body><p>Not a feed</p></body></html>",
                                  b"<?xml version='1.0'?><rss version='2.0'><channel><item><title"])
def test_unparseable_feeds_raise(body):
    with pytest.raises(FeedError, match="^malformed feed: "):
        parse_feed(body, "https://a.example/feed")


def test_empty_but_valid_feed_has_no_items():
    feed = parse_feed(_rss(""), "https://a.example/feed")
    assert feed.items == [] and feed.warning is None


def test_entity_expansion_bomb_is_refused():
    bomb = b"""<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">
<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
<!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
<!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
<!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
<!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
<!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
<!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]><rss version="2.0"><channel><title>&lol9;</title><item><title>&lol9;</title><link>https://a.example/</link></item></channel></rss>"""
    try:
        feed = parse_feed(bomb, "https://a.example/")
    except FeedError:
        return
    assert all(len(item.title) < 1_000_000 for item in feed.items)
