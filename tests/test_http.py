"""flows.http.Fetcher against the loopback demo site: every behaviour of the contract, bounded in time."""

from __future__ import annotations

import asyncio
import codecs
import json
import socket
import time
from datetime import datetime, timedelta, timezone
from email.utils import format_datetime

import pytest

from newsfacts.extractors.charset import decode_body
from newsfacts.flows.http import DEFAULT_USER_AGENT, Fetcher, FetchResult, retry_after_seconds

from fault_site import CHARSET_SAMPLES

FAST = {"timeout": 2.0, "backoff_base": 0.01,  # short timeouts, near-instant retries
        "allow_private_addresses": True}  # the test servers are on 127.0.0.1


def fetch(url: str, **options) -> FetchResult:
    return fetch_all([url], **options)[0]


def fetch_all(urls: list[str], *, conditional: bool = True, **options) -> list[FetchResult]:
    async def run():
        async with Fetcher(**{**FAST, **options}) as fetcher:
            return await fetcher.fetch_all(urls, conditional=conditional)

    return asyncio.run(run())


def timed(call):
    started = time.monotonic()
    result = call()
    return result, time.monotonic() - started


@pytest.fixture
def site(tmp_path, serve_site):
    (tmp_path / "page.html").write_text("<p>Deal: $5 billion</p>", "utf-8")
    (tmp_path / "private").mkdir()
    (tmp_path / "private" / "a.html").write_text("secret", "utf-8")
    (tmp_path / "_routes.json").write_text(json.dumps({"redirects": {
        "/old": "/page.html", "/absolute": "{{base}}/page.html", "/loop-a": "/loop-b", "/loop-b": "/loop-a",
        "/to-ftp": "ftp://127.0.0.1/x", "/to-private": "/private/a.html",
    }}), "utf-8")
    return serve_site(tmp_path)


def test_success(site):
    result = fetch(site.url("/page.html"))
    assert result.ok and result.status == 200 and result.error is None
    assert result.text == "<p>Deal: $5 billion</p>" and result.body == result.text.encode()
    assert result.content_type == "text/html; charset=utf-8"
    assert result.final_url == result.url == site.url("/page.html")
    assert result.etag and result.last_modified and result.elapsed_ms >= 0


def test_conditional_get_is_answered_by_304(site):
    url = site.url("/page.html")

    async def twice():  # two runs: the second is given what the first learnt (and stored)
        async with Fetcher(**FAST) as fetcher:
            first = await fetcher.fetch(url)
        async with Fetcher(**FAST, validators=dict(fetcher.validators)) as fetcher:
            return first, await fetcher.fetch(url), fetcher.validators

    first, second, validators = asyncio.run(twice())
    assert first.ok and not first.not_modified
    assert second.not_modified and second.status == 304 and second.error is None
    assert second.body == b"" and second.text is None and not second.ok
    assert second.etag == first.etag
    assert validators[url] == (first.etag, first.last_modified)
    assert site.responses["/page.html", 200] == 1 and site.responses["/page.html", 304] == 1


def test_validators_carry_over_to_the_next_run(site):
    url = site.url("/page.html")
    validators: dict = {}
    fetch(url, validators=validators)
    assert fetch(url, validators=validators).not_modified
    assert fetch(url, validators={url: (None, validators[url][1])}).not_modified  # If-Modified-Since alone
    assert fetch(url, validators=validators, conditional=False).status == 200
    assert site.responses["/page.html", 200] == 2 and site.responses["/page.html", 304] == 2


def test_retries_on_503_then_succeeds(site):
    result = fetch(site.url("/_fault/flaky?fail=2"), retries=2)
    assert result.ok and result.text == "flaky ok after 2 failures\n"
    assert site.responses["/_fault/flaky", 503] == 2 and site.responses["/_fault/flaky", 200] == 1


def test_retry_after_is_honoured(site):
    result, seconds = timed(lambda: fetch(site.url("/_fault/flaky?fail=1&status=429&retry_after=1")))
    assert result.ok
    assert 0.9 < seconds < 2.5  # waited the server's 1 s, not the 0.01 s backoff


def test_retry_after_over_the_limit_fails_at_once(site):
    result, seconds = timed(lambda: fetch(site.url("/_fault/status/503?retry_after=3600"), max_retry_wait=5))
    assert result.status == 503
    assert result.error == "HTTP 503 Service Unavailable; Retry-After 3600s is over the 5s limit"
    assert seconds < 1 and site.hits["/_fault/status/503"] == 1


def test_retry_after_values():
    now = datetime(2026, 1, 1, tzinfo=timezone.utc)
    assert retry_after_seconds("3") == 3.0
    assert retry_after_seconds(format_datetime(now + timedelta(seconds=90), usegmt=True), now) == 90.0
    assert retry_after_seconds(format_datetime(now - timedelta(seconds=90), usegmt=True), now) == 0.0
    assert retry_after_seconds("soon") is None


def test_permanent_500_is_reported_after_the_retries(site):
    result = fetch(site.url("/_fault/status/500"), retries=2)
    assert result.error == "HTTP 500 Internal Server Error (3 attempts)"
    assert result.status == 500 and not result.ok and result.body == b""
    assert site.hits["/_fault/status/500"] == 3


def test_404_is_not_retried(site):
    result = fetch(site.url("/missing.html"), retries=2)
    assert result.error == "HTTP 404 Not Found" and result.status == 404
    assert site.hits["/missing.html"] == 1


def test_slow_server_times_out(site):
    result, seconds = timed(lambda: fetch(site.url("/_fault/slow?delay=5"), timeout=0.5, retries=0))
    assert result.error == "timed out after 0.5s" and result.status is None
    assert seconds < 1.5


def test_dripping_body_times_out_on_the_total(site):
    # a byte every 0.1 s never trips a 0.5 s read timeout: only the total bound stops it
    url = site.url("/_fault/drip?seconds=10&interval=0.1")
    result, seconds = timed(lambda: fetch(url, timeout=0.5, retries=0))
    assert result.error == "timed out after 0.5s"
    assert seconds < 1.5


def test_timeouts_are_retried(site):
    result = fetch(site.url("/_fault/slow?delay=5"), timeout=0.3, retries=1)
    assert result.error == "timed out after 0.3s (2 attempts)"
    assert site.hits["/_fault/slow"] == 2


def test_connection_refused():
    with socket.socket() as unused:
        unused.bind(("127.0.0.1", 0))
        port = unused.getsockname()[1]
    result = fetch(f"http://127.0.0.1:{port}/", retries=1, respect_robots=False)
    assert result.error == "connection refused (2 attempts)" and result.status is None
    blocked = fetch(f"http://127.0.0.1:{port}/", retries=0)  # its robots.txt is unreachable too
    assert blocked.error == "robots.txt unreachable, host skipped: connection refused"


@pytest.mark.parametrize("path", ["/_fault/huge?bytes=100000", "/_fault/huge?bytes=100000&no_length=1"])
def test_body_cap(site, path):
    result = fetch(site.url(path), max_bytes=10_000)
    assert result.error == "body larger than 10000 bytes" and not result.ok and result.body == b""
    assert fetch(site.url("/_fault/huge?bytes=10000&no_length=1"), max_bytes=10_000).ok


@pytest.mark.parametrize("declare", ["header", "meta", "http-equiv", "xml"])
@pytest.mark.parametrize("encoding", sorted(CHARSET_SAMPLES))
def test_charset_decoding(site, encoding, declare):
    result = fetch(site.url(f"/_fault/charset?enc={encoding}&declare={declare}"))
    assert result.ok and CHARSET_SAMPLES[encoding] in result.text
    assert "\ufffd" not in result.text


def test_decoding_without_the_network():
    text = "Société Générale’s “€2 billion” deal"
    assert decode_body(codecs.BOM_UTF8 + text.encode(), "text/html; charset=iso-8859-1") == text  # BOM wins
    assert decode_body(codecs.BOM_UTF16_LE + text.encode("utf-16-le")) == text
    assert decode_body(text.encode("cp1252"), "text/html; charset=ISO-8859-1") == text  # read as windows-1252
    assert decode_body(text.encode(), "text/plain") == text  # valid UTF-8, nothing declared
    assert decode_body(b"caf\xe9 \xff\xfe", "text/html; charset=utf-8") == "caf\ufffd \ufffd\ufffd"
    assert decode_body(b"<p>x</p>", "text/html; charset=bogus-charset") == "<p>x</p>"
    assert decode_body(b'<meta charset="utf-16"><p>\xc3\xa9</p>') == '<meta charset="utf-16"><p>é</p>'
    sentence = "Le président a annoncé un accord énergétique à Zürich, où l'équipe célèbre déjà. "
    assert decode_body((sentence * 5).encode("cp1252")) == sentence * 5  # undeclared: windows-1252
    japanese = "ソフトバンク、OpenAIに4兆円を投資します。" * 5
    assert decode_body(japanese.encode("shift_jis"), "text/html") == japanese  # undeclared: detected


def test_robots_txt_is_respected_and_fetched_once(tmp_path, serve_site):
    (tmp_path / "robots.txt").write_text("User-agent: *\nDisallow: /private/\n", "utf-8")
    (tmp_path / "page.html").write_text("ok", "utf-8")
    site = serve_site(tmp_path)
    private, public = site.url("/private/a.html"), site.url("/page.html")
    results = fetch_all([private, public, private, public])
    assert [r.error for r in results] == ["disallowed by robots.txt", None, "disallowed by robots.txt", None]
    assert results[0].status is None and site.hits["/private/a.html"] == 0
    assert site.hits["/robots.txt"] == 1
    assert fetch(private, respect_robots=False).status == 404  # nothing there, but it was asked


def test_robots_txt_rules_for_our_user_agent(tmp_path, serve_site):
    rules = "User-agent: newsfacts\nDisallow: /\n\nUser-agent: *\nAllow: /\n"
    (tmp_path / "robots.txt").write_text(rules, "utf-8")
    (tmp_path / "page.html").write_text("ok", "utf-8")
    site = serve_site(tmp_path)
    assert fetch(site.url("/page.html")).error == "disallowed by robots.txt"
    assert fetch(site.url("/page.html"), user_agent="otherbot/1.0").ok


def test_robots_txt_wildcards_and_the_longest_rule(tmp_path, serve_site):
    # RFC 9309: "*" and "$" in paths; the most specific rule wins, whatever the order of the file
    rules = ("User-agent: *\nDisallow: /news/\nAllow: /news/2025/\nDisallow: /*.pdf$\n"
             "Disallow: /*?session=\n")
    (tmp_path / "robots.txt").write_text(rules, "utf-8")
    for name in ("a.html", "b.pdf", "b.pdf.html"):
        (tmp_path / name).write_text("ok", "utf-8")
    (tmp_path / "news" / "2025").mkdir(parents=True)
    (tmp_path / "news" / "2025" / "deal.html").write_text("ok", "utf-8")
    (tmp_path / "news" / "old.html").write_text("ok", "utf-8")
    site = serve_site(tmp_path)
    results = fetch_all([site.url(p) for p in ("/news/2025/deal.html", "/news/old.html", "/b.pdf", "/b.pdf.html",
                                                "/a.html?session=42", "/a.html")])
    assert [r.error for r in results] == [None, "disallowed by robots.txt", "disallowed by robots.txt", None,
                                          "disallowed by robots.txt", None]
    assert site.hits["/news/old.html"] == 0 and site.hits["/b.pdf"] == 0


def test_robots_txt_missing_allows_and_failing_disallows(tmp_path, serve_site):
    (tmp_path / "page.html").write_text("ok", "utf-8")
    assert fetch(serve_site(tmp_path).url("/page.html")).ok  # 404 robots.txt: allowed
    (tmp_path / "_routes.json").write_text('{"status": {"/robots.txt": 503}}', "utf-8")
    site = serve_site(tmp_path)
    result = fetch(site.url("/page.html"), retries=1)
    assert result.error == "robots.txt unreachable, host skipped: HTTP 503 Service Unavailable (2 attempts)"
    assert site.hits["/page.html"] == 0


@pytest.mark.parametrize(
    "url", ["ftp://127.0.0.1/feed.xml", "file://localhost/feed.xml", "javascript:alert(1)", "no-scheme"])
def test_only_http_and_https(url):
    result = fetch(url)
    assert result.error.startswith("unsupported URL scheme") and result.status is None


def test_redirects_are_followed(site):
    relative, absolute = fetch_all([site.url("/old"), site.url("/absolute")])
    for result in relative, absolute:
        assert result.ok and result.final_url == site.url("/page.html")
        assert result.text == "<p>Deal: $5 billion</p>"
    assert relative.url == site.url("/old")


def test_redirects_are_bounded_and_checked(tmp_path, site):
    (tmp_path / "robots.txt").write_text("User-agent: *\nDisallow: /private/\n", "utf-8")
    loop, ftp, private = fetch_all([site.url("/loop-a"), site.url("/to-ftp"), site.url("/to-private")])
    assert loop.error == "too many redirects (more than 5)"
    assert ftp.error.startswith("unsupported URL scheme 'ftp'") and ftp.final_url == "ftp://127.0.0.1/x"
    assert private.error == "disallowed by robots.txt"
    assert site.hits["/private/a.html"] == 0


def test_per_host_bound(site):
    urls = [site.url(f"/_fault/slow?delay=0.2&n={i}") for i in range(6)]
    results = fetch_all(urls, per_host=2, max_connections=8)
    assert all(r.ok for r in results)
    assert site.max_in_flight == 2


def test_overall_bound_across_hosts(site):
    # one server under two names: two hosts as far as the Fetcher knows
    port = site.base_url.rsplit(":", 1)[1]
    urls = [f"http://{host}:{port}/_fault/slow?delay=0.2&n={i}"
            for i in range(3) for host in ("127.0.0.1", "localhost")]
    results = fetch_all(urls, per_host=2, max_connections=3)
    assert all(r.ok for r in results), [r.error for r in results]
    assert site.max_in_flight == 3  # per_host alone would have allowed 4


def test_fetch_all_keeps_input_order(site):
    urls = [site.url("/_fault/slow?delay=0.3"), site.url("/missing.html"), site.url("/page.html"),
            "ftp://127.0.0.1/", site.url("/_fault/slow?delay=0.1")]
    results = fetch_all(urls, per_host=4)
    assert [r.url for r in results] == urls
    assert [r.status for r in results] == [200, 404, 200, None, 200]


def test_user_agent(site):
    default = json.loads(fetch(site.url("/_fault/headers")).text)
    assert default["User-Agent"] == DEFAULT_USER_AGENT
    assert DEFAULT_USER_AGENT.startswith("newsfacts/")
    assert DEFAULT_USER_AGENT.endswith(" (+https://github.com/newsfacts/newsfacts)")
    custom = json.loads(fetch(site.url("/_fault/headers"), user_agent="tester/2.0").text)
    assert custom["User-Agent"] == "tester/2.0"
