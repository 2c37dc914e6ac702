"""The loopback demo site: files, templating, validators, routes, fault routes, clean stop."""

from __future__ import annotations

import http.client
import json
import socket
import threading
import time

import httpx
import pytest

from newsfacts.demo_site import DEFAULT_ROOT, DemoSite

from fault_site import CHARSET_SAMPLES, FaultSite


@pytest.fixture
def site(tmp_path, serve_site) -> DemoSite:
    (tmp_path / "index.html").write_text('<a href="{{base}}/post">post</a>', "utf-8")
    (tmp_path / "post.html").write_text("<p>Société</p>", "utf-8")
    (tmp_path / "feed.xml").write_text('<?xml version="1.0"?><rss><link>{{base}}/</link></rss>', "utf-8")
    (tmp_path / "sitemap.xml").write_text("<urlset></urlset>", "utf-8")
    (tmp_path / "news").mkdir()
    (tmp_path / "news" / "index.html").write_text("newsroom", "utf-8")
    (tmp_path / ".secret").write_text("hidden", "utf-8")
    (tmp_path / "_routes.json").write_text(json.dumps({
        "redirects": {"/go": "/post", "/go-absolute": "{{base}}/news/"},
        "status": {"/gone": 410},
    }), "utf-8")
    return serve_site(tmp_path)


@pytest.fixture
def client():
    with httpx.Client(timeout=5.0) as client:
        yield client


def test_serves_files_with_content_types_and_base_url(site, client):
    index = client.get(site.url("/"))
    assert index.status_code == 200
    assert index.headers["content-type"] == "text/html; charset=utf-8"
    assert index.text == f'<a href="{site.base_url}/post">post</a>'
    assert client.get(site.url("/post")).text == "<p>Société</p>"  # extensionless → post.html
    assert client.get(site.url("/news/")).text == "newsroom"
    feed = client.get(site.url("/feed.xml"))
    assert feed.headers["content-type"] == "application/rss+xml; charset=utf-8"
    assert site.base_url in feed.text
    assert client.get(site.url("/sitemap.xml")).headers["content-type"] == "application/xml; charset=utf-8"


def test_missing_hidden_and_outside_files_are_404(site, client, tmp_path):
    (tmp_path.parent / "outside.txt").write_text("secret", "utf-8")
    assert client.get(site.url("/nope.html")).status_code == 404
    assert client.get(site.url("/.secret")).status_code == 404
    for raw_path in ("/../outside.txt", "/%2e%2e/outside.txt"):  # sent verbatim, not normalised
        connection = http.client.HTTPConnection(*site._server.server_address[:2], timeout=5)
        connection.request("GET", raw_path)
        assert connection.getresponse().status == 404
        connection.close()


def test_etag_and_last_modified_give_304_and_are_counted(site, client):
    first = client.get(site.url("/post.html"))
    etag, last_modified = first.headers["etag"], first.headers["last-modified"]
    assert etag.startswith('"') and not etag.startswith('W/')
    assert client.get(site.url("/post.html"), headers={"If-None-Match": etag}).status_code == 304
    assert client.get(site.url("/post.html"), headers={"If-Modified-Since": last_modified}).status_code == 304
    changed = client.get(site.url("/post.html"), headers={"If-None-Match": '"other"'})
    assert changed.status_code == 200
    assert site.hits["/post.html"] == 4
    assert site.responses["/post.html", 200] == 2
    assert site.responses["/post.html", 304] == 2


def test_routes_file_redirects_and_forces_statuses(site, client):
    redirect = client.get(site.url("/go"))
    assert redirect.status_code == 302 and redirect.headers["location"] == "/post"
    assert client.get(site.url("/go-absolute")).headers["location"] == site.url("/news/")
    assert client.get(site.url("/gone")).status_code == 410
    followed = client.get(site.url("/go"), follow_redirects=True)
    assert followed.text == "<p>Société</p>"


def test_fault_status_with_retry_after(site, client):
    response = client.get(site.url("/_fault/status/503?retry_after=7"))
    assert response.status_code == 503 and response.headers["retry-after"] == "7"
    assert "retry-after" not in client.get(site.url("/_fault/status/500")).headers


def test_fault_flaky_fails_n_times_then_succeeds(site, client):
    statuses = [client.get(site.url("/_fault/flaky?fail=2")).status_code for _ in range(4)]
    assert statuses == [503, 503, 200, 200]
    assert client.get(site.url("/_fault/flaky?fail=1&status=429")).status_code == 429


def test_fault_huge_malformed_and_headers(site, client):
    huge = client.get(site.url("/_fault/huge?bytes=200000"))
    assert len(huge.content) == 200000 and huge.headers["content-length"] == "200000"
    unsized = client.get(site.url("/_fault/huge?bytes=1000&no_length=1"))
    assert len(unsized.content) == 1000 and "content-length" not in unsized.headers
    malformed = client.get(site.url("/_fault/malformed.xml"))
    assert malformed.headers["content-type"].startswith("application/rss+xml")
    assert f"{site.base_url}/_fault/good-item" in malformed.text and "</rss>" not in malformed.text
    echoed = client.get(site.url("/_fault/headers"), headers={"User-Agent": "probe/1"}).json()
    assert echoed["User-Agent"] == "probe/1"


@pytest.mark.parametrize("encoding", sorted(CHARSET_SAMPLES))
def test_fault_charset_variants(site, client, encoding):
    header = client.get(site.url(f"/_fault/charset?enc={encoding}&declare=header"))
    assert header.headers["content-type"] == f"text/html; charset={encoding}"
    assert CHARSET_SAMPLES[encoding] in header.content.decode(encoding)
    meta = client.get(site.url(f"/_fault/charset?enc={encoding}&declare=meta"))
    assert meta.headers["content-type"] == "text/html"
    assert f'<meta charset="{encoding}">'.encode() in meta.content


def test_slow_and_drip_take_their_time(site):
    with httpx.Client(timeout=5.0) as client:
        started = time.monotonic()
        assert client.get(site.url("/_fault/slow?delay=0.3")).text == "slow ok\n"
        assert client.get(site.url("/_fault/drip?seconds=0.4&interval=0.1")).text == "...."
    assert time.monotonic() - started > 0.6     # they waited; how long a busy machine adds is not asserted


def test_max_in_flight_counts_concurrent_requests(site):
    # The gate answers only once all three requests wait at it together, so the count does not
    # depend on how fast a loaded machine starts the threads.
    statuses = []

    def get():
        statuses.append(httpx.get(site.url("/_fault/gate?n=3"), timeout=15).status_code)

    threads = [threading.Thread(target=get) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert statuses == [200, 200, 200]
    assert site.max_in_flight == 3
    site.reset_counters()
    assert site.max_in_flight == 0 and not site.hits


def test_stop_is_quick_with_a_request_in_flight_and_quiet(tmp_path, capfd):
    site = FaultSite(tmp_path).start()
    host, port = site._server.server_address[:2]
    hanging = threading.Thread(target=lambda: httpx.get(site.url("/_fault/slow?delay=10"), timeout=15))
    hanging.start()
    time.sleep(0.2)
    started = time.monotonic()
    site.stop()
    assert time.monotonic() - started < 2
    hanging.join(timeout=5)
    assert not hanging.is_alive()
    with pytest.raises(OSError), socket.create_connection((host, port), timeout=1):
        pass
    assert capfd.readouterr().err == ""


def test_the_product_demo_site_serves_no_fault_routes(tmp_path):
    (tmp_path / "index.html").write_text("home", "utf-8")
    with DemoSite(tmp_path) as plain, FaultSite(tmp_path) as faulty:
        assert httpx.get(plain.url("/_fault/status/503")).status_code == 404
        assert httpx.get(faulty.url("/_fault/status/503")).status_code == 503
        assert httpx.get(plain.url("/")).text == httpx.get(faulty.url("/")).text == "home"


def test_missing_root_is_refused(tmp_path):
    with pytest.raises(FileNotFoundError):
        DemoSite(tmp_path / "missing").start()


@pytest.mark.skipif(not DEFAULT_ROOT.is_dir(), reason="fixtures/site/ is not there yet")
def test_site_server_serves_every_bundled_file(site_server, client):
    assert site_server.base_url.startswith("http://127.0.0.1:")
    files = [path for path in DEFAULT_ROOT.rglob("*")
             if path.is_file() and not path.name.startswith((".", "_"))]
    for file in files:
        url_path = "/" + file.relative_to(DEFAULT_ROOT).as_posix()
        if url_path in site_server.forced_status:
            continue
        response = client.get(site_server.url(url_path))
        assert response.status_code == 200, url_path
        assert b"{{base}}" not in response.content, url_path
