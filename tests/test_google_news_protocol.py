"""The Google News decoding protocol, day slices, feed URLs and Google's own pages: bytes in, bytes out."""

from __future__ import annotations

import json
from datetime import date
from urllib.parse import parse_qs, urlsplit

import pytest

from newsfacts.extractors.google_news import (
    Signature,
    article_id,
    article_page_url,
    batchexecute_body,
    batchexecute_url,
    build_search_url,
    build_top_stories_url,
    build_topic_url,
    day_slices,
    google_page_reason,
    parse_batchexecute,
    parse_signature,
    window_days,
)

CURRENT_ID = "CBMiqAFBVV95cUxPZ3pVUVpLb2xhWTVrT2ZMVjRjUV9uQ2pNR3RmZkZxS2o4U0x3"


def test_article_id_from_feed_links_on_google_or_the_configured_base():
    assert article_id(f"https://news.google.com/rss/articles/{CURRENT_ID}?oc=5") == CURRENT_ID
    assert article_id(f"https://news.google.com/read/{CURRENT_ID}") == CURRENT_ID
    assert article_id(f"http://127.0.0.1:8080/rss/articles/{CURRENT_ID}?oc=5", "http://127.0.0.1:8080") == CURRENT_ID
    assert article_id(f"http://127.0.0.1:9999/rss/articles/{CURRENT_ID}", "http://127.0.0.1:8080") is None
    assert article_id("https://example.com/rss/articles/abc") is None
    assert article_id("https://news.google.com/rss/search?q=x") is None


def test_page_and_endpoint_urls_stay_under_the_base_url():
    page = article_page_url("http://127.0.0.1:8080/", CURRENT_ID, hl="en-GB", gl="GB", ceid="GB:en")
    assert page.startswith(f"http://127.0.0.1:8080/rss/articles/{CURRENT_ID}?")
    assert parse_qs(urlsplit(page).query) == {"hl": ["en-GB"], "gl": ["GB"], "ceid": ["GB:en"]}
    assert batchexecute_url("http://127.0.0.1:8080") == (
        "http://127.0.0.1:8080/_/DotsSplashUi/data/batchexecute?rpcids=Fbv4je")


def test_signature_and_timestamp_are_read_from_the_page():
    page = ('<html><body><c-wiz><div jscontroller="x" data-n-a-id="A" data-n-a-sg="AZ5r_sig-1" '
            'data-n-a-ts="1733400000"></div></c-wiz></body></html>')
    assert parse_signature("A", page) == Signature("A", "AZ5r_sig-1", 1733400000)
    assert parse_signature("A", "<html><body>no attributes</body></html>") is None
    assert parse_signature("A", '<div data-n-a-sg="s" data-n-a-ts="soon"></div>') is None


def test_one_form_body_carries_every_id_tagged_by_position():
    body = batchexecute_body([Signature("ID1", "S1", 11), Signature("ID2", "S2", 22)], hl="de", gl="DE", ceid="DE:de")
    calls = json.loads(parse_qs(body)["f.req"][0])[0]
    assert [(rpc, tag) for rpc, _payload, _none, tag in calls] == [("Fbv4je", "0"), ("Fbv4je", "1")]
    inner = [json.loads(payload) for _rpc, payload, _none, _tag in calls]
    assert [(i[0], i[2], i[3], i[4]) for i in inner] == [("garturlreq", "ID1", 11, "S1"), ("garturlreq", "ID2", 22, "S2")]
    assert inner[0][1][0][0] == "de" and "DE:de" in inner[0][1][0]


def _row(url, tag):
    return ["wrb.fr", "Fbv4je", json.dumps(["garturlres", url, 1]), None, None, None, tag]


def test_the_answer_gives_the_url_of_each_tag_and_skips_refused_calls():
    rows = [_row("https://pub.example/a", "0"), ["wrb.fr", "Fbv4je", None, None, None, [3], "1"],
            _row("https://pub.example/c", "2"), ["di", 40], ["af.httprm", 39, "x", 5]]
    assert parse_batchexecute(")]}'\n\n" + json.dumps(rows)) == {0: "https://pub.example/a", 2: "https://pub.example/c"}


def test_the_chunked_answer_form_is_read_too():
    first, second = json.dumps([_row("https://pub.example/a", "0")]), json.dumps([["e", 4, None, None, 120]])
    text = f")]}}'\n\n{len(first)}\n{first}\n{len(second)}\n{second}\n"
    assert parse_batchexecute(text) == {0: "https://pub.example/a"}


def test_a_non_url_or_a_foreign_answer_gives_nothing():
    assert parse_batchexecute(")]}'\n\n" + json.dumps([_row("javascript:alert(1)", "0")])) == {}
    with pytest.raises(ValueError):
        parse_batchexecute("<html>Error 400 (Bad Request)</html>")


@pytest.mark.parametrize("url, html, kind", [
    ("https://consent.google.com/ml?continue=https://news.google.com/rss/articles/X", "", "consent"),
    ("https://example.org/page", "<h1>Before you continue to Google</h1><p>We use cookies</p>", "consent"),
    ("https://www.google.com/sorry/index?continue=x", "", "unusual traffic"),
    ("https://accounts.google.com/ServiceLogin", "", "sign-in"),
    ("https://news.google.com/rss/articles/X", "<html></html>", "interstitial"),
    ("http://127.0.0.1:1/rss/articles/X", '<div data-n-a-sg="s" data-n-a-ts="1"></div>', "interstitial"),
    ("http://127.0.0.1:1/x", "<header>Google News</header><a>Sign in</a><nav>Home For you</nav>", "Sign in"),
])
def test_googles_own_pages_are_recognised(url, html, kind):
    assert kind in google_page_reason(url, html)


def test_articles_are_not_googles_pages():
    article = ("<html><body><h1>Why consent banners matter</h1><p>" + "Publishers rely on cookies. " * 200
               + "One reader wrote: Before you continue to Google, read this.</p></body></html>")
    assert google_page_reason("https://publisher.example/sorry/we-were-wrong", article) is None
    assert google_page_reason("https://blog.google/technology/ai/", "<p>An article.</p>") is None


def test_day_slices_cover_the_window_without_a_gap_newest_first():
    slices = day_slices(date(2026, 11, 4), date(2026, 12, 3), 1)
    assert len(slices) == 30 and slices[0].first == date(2026, 12, 3) and slices[-1].last == date(2026, 11, 4)
    assert slices[0].operators == "after:2026-12-02 before:2026-12-04"
    weekly = day_slices(date(2026, 11, 4), date(2026, 12, 3), 7)
    assert [(s.last - s.first).days + 1 for s in weekly] == [7, 7, 7, 7, 2]
    assert all((a.first - b.last).days == 1 for a, b in zip(weekly, weekly[1:]))


def test_windows_in_days_and_feed_urls():
    assert [window_days(w) for w in ("30d", "2w", "1m", "12h", "x", "0d")] == [30, 14, 30, None, None, None]
    sliced = build_search_url("Nvidia", days=day_slices(date(2026, 12, 1), date(2026, 12, 1), 1)[0])
    assert parse_qs(urlsplit(sliced).query)["q"] == ["Nvidia after:2026-11-30 before:2026-12-02"]
    assert build_topic_url("TECHNOLOGY").startswith("https://news.google.com/rss/headlines/section/topic/TECHNOLOGY?")
    assert build_topic_url("CAAqJggKIiBDQkFTRWdvSUwyMHZNRGRqTVhZU0FtVnVHZ0pWVXlnQVAB").startswith(
        "https://news.google.com/rss/topics/CAAq")
    assert build_top_stories_url(hl="fr", gl="BE", ceid="BE:fr") == "https://news.google.com/rss?hl=fr&gl=BE&ceid=BE%3Afr"
