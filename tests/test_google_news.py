import base64
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

from newsfacts.extractors.google_news import build_search_url, decode_article_link, is_google_news_link

FEEDS = Path(__file__).resolve().parents[1] / "fixtures" / "feeds"

OLD_LINK = (
    "https://news.google.com/__i/rss/rd/articles/CBMiiwFodHRwczovL3d3dy5ydGJmLmJlL2luZm8vc29jaWV0ZS9k"
    "ZXRhaWxfY29yb25hdmlydXMtZW4tYmVsZ2lxdWUtMjAwLWNhcy1kZXRlY3Rlcy1hdS10b3RhbC1sYS1jaXJjdWxhdGlvbi1kdS1"
    "2aXJ1cy1yZXN0ZS1saW1pdGVlP2lkPTEwNDUwNzkz0gEA?oc=5"
)
RTBF_URL = (
    "https://www.rtbf.be/info/societe/detail_coronavirus-en-belgique-200-cas-detectes-au-total-"
    "la-circulation-du-virus-reste-limitee?id=10450793"
)


def _article_id(message: bytes) -> str:
    return base64.urlsafe_b64encode(message).decode().rstrip("=")


def test_search_url_encodes_query_and_window():
    url = build_search_url("Anthropic compute", when="1d")
    parts = urlsplit(url)
    assert (parts.scheme, parts.netloc, parts.path) == ("https", "news.google.com", "/rss/search")
    assert parse_qs(parts.query) == {
        "q": ["Anthropic compute when:1d"], "hl": ["en-US"], "gl": ["US"], "ceid": ["US:en"],
    }
    assert "q=Anthropic+compute+when%3A1d" in url


def test_search_url_without_window_and_other_base():
    url = build_search_url('"Anthropic" & AWS', hl="fr", gl="BE", ceid="BE:fr",
                           base_url="http://127.0.0.1:8000/news/")
    assert url.startswith("http://127.0.0.1:8000/news/rss/search?")
    assert parse_qs(urlsplit(url).query) == {
        "q": ['"Anthropic" & AWS'], "hl": ["fr"], "gl": ["BE"], "ceid": ["BE:fr"],
    }


def test_old_link_decodes_to_publisher_url():
    assert decode_article_link(OLD_LINK) == RTBF_URL


def test_every_link_of_the_reference_feed_decodes():
    feed = (FEEDS / "google-news-fr-BE-2020.xml").read_text("utf-8")
    links = {line.split("&quot;")[0] for line in feed.split("href=&quot;")[1:]}
    decoded = {link: decode_article_link(link.replace("&amp;", "&")) for link in links}
    articles = {k: v for k, v in decoded.items() if "/articles/" in k}
    assert len(articles) == 5
    assert all(url and url.startswith("https://www.") for url in articles.values())
    assert {urlsplit(u).hostname for u in articles.values()} == {
        "www.rtbf.be", "www.sudinfo.be", "www.dhnet.be", "www.lesoir.be", "www.notele.be"}
    story = next(k for k in decoded if "/stories/" in k)
    assert decoded[story] is None  # a story page, not an article


def test_pre_2024_rss_articles_path_decodes_too():
    url = "https://example.org/news/1"
    message = b"\x08\x13\x22" + bytes([len(url)]) + url.encode() + b"\xd2\x01\x00"
    assert decode_article_link(f"https://news.google.com/rss/articles/{_article_id(message)}?oc=5") == url


def test_long_url_uses_a_two_byte_length():
    url = "https://example.org/" + "a" * 300
    length = len(url)
    message = b"\x08\x13\x22" + bytes([length & 0x7F | 0x80, length >> 7]) + url.encode()
    assert decode_article_link(f"https://news.google.com/rss/articles/{_article_id(message)}") == url


def test_new_opaque_ids_do_not_decode():
    token = b"AU_yqLOpaqueTokenThatIsNotAUrl_0123456789"
    message = b"\x08\x13\x22" + bytes([len(token)]) + token
    assert decode_article_link(f"https://news.google.com/rss/articles/{_article_id(message)}?oc=5") is None


def test_garbage_and_foreign_links_do_not_decode():
    assert decode_article_link("https://news.google.com/rss/articles/!!!notbase64?oc=5") is None
    assert decode_article_link("https://news.google.com/rss/articles/CBMi____?oc=5") is None  # truncated
    assert decode_article_link("https://news.google.com/rss/articles/") is None
    assert decode_article_link("https://example.com/__i/rss/rd/articles/" + OLD_LINK.split("/")[-1]) is None
    assert decode_article_link("not a url") is None
    js = b"\x22\x13javascript:alert(1)"
    assert decode_article_link(f"https://news.google.com/rss/articles/{_article_id(js)}") is None


def test_is_google_news_link():
    assert is_google_news_link(OLD_LINK)
    assert is_google_news_link("https://NEWS.google.com/rss/articles/CBMi?oc=5")
    assert not is_google_news_link("https://news.google.com.evil.example/rss/articles/x")
    assert not is_google_news_link("http://127.0.0.1:8000/rss/articles/CBMi?oc=5")
    assert not is_google_news_link("http://[::1")  # malformed: no exception
