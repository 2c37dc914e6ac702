"""The fixture site on a loopback HTTP server, for `newsfacts run --demo` and for the tests.

    with DemoSite(root) as site:          # 127.0.0.1, ephemeral port, daemon thread
        site.url("/feed.xml")             # -> "http://127.0.0.1:41234/feed.xml"
        site.hits["/feed.xml"]            # requests seen for a path (query ignored)
        site.responses["/feed.xml", 304]  # ... answered with a given status
        site.max_in_flight                # most requests ever handled at the same time
        site.send_validators = False      # serve files without ETag/Last-Modified (no 304s)

Files under `root` are served by path: a directory ("/" or "/news/") serves its index.html,
"/post" serves post.html when there is no "post". Text files (html, xml, txt, json; UTF-8) have `{{base}}`
replaced by the base URL so absolute links point back here. Every file gets a strong ETag (hash
of the bytes served) and Last-Modified (file mtime) and conditional GETs get 304.

`root/_routes.json` (optional) adds {"redirects": {"/path": "/target or {{base}}/target or
absolute"}, "status": {"/path": 404}}: 302 redirects and forced statuses.

The tests serve the same site with fault routes added (tests/fault_site.py).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
import threading
from collections import Counter
from email.utils import formatdate, parsedate_to_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qsl, unquote, urlsplit

from newsfacts.resources import DEMO_SITE

DEFAULT_ROOT = DEMO_SITE

TEMPLATED_SUFFIXES = {".html", ".htm", ".xml", ".txt", ".json"}
CONTENT_TYPES = {
    ".html": "text/html; charset=utf-8",
    ".htm": "text/html; charset=utf-8",
    ".txt": "text/plain; charset=utf-8",
    ".json": "application/json; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".svg": "image/svg+xml",
}

class DemoSite:
    def __init__(self, root: Path | str, host: str = "127.0.0.1", port: int = 0, *,
                 log_requests: bool = False):
        self.root = Path(root).resolve()
        self.host = host
        self.port = port
        self.log_requests = log_requests
        self.hits: Counter[str] = Counter()
        self.responses: Counter[tuple[str, int]] = Counter()
        self.max_in_flight = 0
        self.redirects: dict[str, str] = {}
        self.forced_status: dict[str, int] = {}
        self.send_validators = True  # False: files get no ETag/Last-Modified and never a 304
        self._in_flight = 0
        self._lock = threading.Lock()
        self._stopping = threading.Event()  # wakes sleeping handlers on stop()
        self.handler_class: type[SiteHandler] = SiteHandler
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None

    @property
    def base_url(self) -> str:
        if self._server is None:
            raise RuntimeError("the demo site is not started")
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def url(self, path: str) -> str:
        return self.base_url + path

    def start(self) -> DemoSite:
        if not self.root.is_dir():
            raise FileNotFoundError(f"demo site root is not a directory: {self.root}")
        self._load_routes()
        self._server = _Server((self.host, self.port), self)
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.02},
                                        name="demo-site", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is None:
            return
        self._stopping.set()
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)
        self._server = self._thread = None

    def __enter__(self) -> DemoSite:
        return self.start()

    def __exit__(self, *exc_info) -> None:
        self.stop()

    def reset_counters(self) -> None:
        with self._lock:
            self.hits.clear()
            self.responses.clear()
            self.max_in_flight = 0

    def _load_routes(self) -> None:
        routes_file = self.root / "_routes.json"
        routes = json.loads(routes_file.read_text("utf-8")) if routes_file.is_file() else {}
        self.redirects = {str(path): str(target) for path, target in routes.get("redirects", {}).items()}
        self.forced_status = {str(path): int(status) for path, status in routes.get("status", {}).items()}

    def _request_started(self, path: str) -> None:
        with self._lock:
            self.hits[path] += 1
            self._in_flight += 1
            self.max_in_flight = max(self.max_in_flight, self._in_flight)

    def _request_ended(self) -> None:
        with self._lock:
            self._in_flight -= 1

    def _responded(self, path: str, status: int) -> None:
        with self._lock:
            self.responses[path, status] += 1

    def _templated(self, body: bytes) -> bytes:
        return body.replace(b"{{base}}", self.base_url.encode())

    def _find_file(self, url_path: str) -> Path | None:
        relative = unquote(url_path).lstrip("/")
        if any(part.startswith(".") for part in relative.split("/")):
            return None
        target = (self.root / relative).resolve()
        if not target.is_relative_to(self.root):
            return None  # ../ out of the root
        if target.is_dir():
            target = target / "index.html"
        elif not target.exists():
            target = target.with_name(target.name + ".html")
        return target if target.is_file() else None


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, address: tuple[str, int], site: DemoSite):
        self.site = site
        super().__init__(address, site.handler_class)

    def handle_error(self, request, client_address) -> None:
        if isinstance(sys.exc_info()[1], (ConnectionError, TimeoutError)):
            return  # the client went away (a timeout or a body cap on its side): expected here
        super().handle_error(request, client_address)


class SiteHandler(BaseHTTPRequestHandler):
    server: _Server
    server_version = "newsfacts-demo"
    protocol_version = "HTTP/1.0"  # one request per connection keeps the in-flight count exact
    _path = ""  # the request's path, for the counters; set in do_GET
    _counted = False  # is this request still counted as in flight?

    def do_GET(self) -> None:
        site = self.server.site
        parts = urlsplit(self.path)
        self._path = parts.path
        site._request_started(self._path)
        self._counted = True
        try:
            self._route(parts.path, dict(parse_qsl(parts.query)))
        finally:
            self._end_count()

    def _end_count(self) -> None:
        """Stop counting this request. _send calls it before the last bytes go out: once the
        client has the whole response it may start its next request, and that one must not
        overlap this one in the count."""
        if self._counted:
            self._counted = False
            self.server.site._request_ended()

    def send_response(self, code: int, message: str | None = None) -> None:
        self.server.site._responded(self._path, code)
        super().send_response(code, message)

    def log_message(self, format: str, *args) -> None:
        if self.server.site.log_requests:
            super().log_message(format, *args)

    def _route(self, path: str, query: dict[str, str]) -> None:
        site = self.server.site
        if path in site.forced_status:
            self._send_status(site.forced_status[path])
        elif path in site.redirects:
            target = site.redirects[path].replace("{{base}}", site.base_url)
            self._send(302, b"", "text/plain", {"Location": target})
        else:
            self._serve_file(path)

    def _serve_file(self, path: str) -> None:
        site = self.server.site
        file = site._find_file(path)
        if file is None:
            self._send_status(404)
            return
        body = file.read_bytes()
        if file.suffix in TEMPLATED_SUFFIXES:
            body = site._templated(body)
        mtime = int(file.stat().st_mtime)
        validators = {"ETag": f'"{hashlib.sha256(body).hexdigest()[:32]}"',
                      "Last-Modified": formatdate(mtime, usegmt=True)}
        content_type = _xml_content_type(body) if file.suffix == ".xml" else CONTENT_TYPES.get(
            file.suffix, "application/octet-stream")
        if not site.send_validators:
            self._send(200, body, content_type)
        elif self._not_modified(validators["ETag"], mtime):
            self._send(304, b"", content_type, validators)
        else:
            self._send(200, body, content_type, validators)

    def _not_modified(self, etag: str, mtime: int) -> bool:
        if_none_match = self.headers.get("If-None-Match")
        if if_none_match is not None:  # takes precedence over If-Modified-Since (RFC 9110)
            tags = [tag.strip().removeprefix("W/") for tag in if_none_match.split(",")]
            return "*" in tags or etag in tags
        if_modified_since = self.headers.get("If-Modified-Since")
        if if_modified_since is None:
            return False
        try:
            return mtime <= parsedate_to_datetime(if_modified_since).timestamp()
        except (TypeError, ValueError):
            return False

    def _send_status(self, status: int, retry_after: str | None = None) -> None:
        headers = {"Retry-After": retry_after} if retry_after and retry_after.isprintable() else {}
        self._send(status, f"HTTP {status}\n".encode(), "text/plain; charset=utf-8", headers)

    def _send(self, status: int, body: bytes, content_type: str,
              headers: dict[str, str] | None = None) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        if status != 304:
            self.send_header("Content-Length", str(len(body)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self._end_count()
        self.end_headers()
        if status != 304:
            self.wfile.write(body)


def _xml_content_type(body: bytes) -> str:
    head = body[:1024]
    if b"<rss" in head:
        return "application/rss+xml; charset=utf-8"
    if b"<feed" in head:
        return "application/atom+xml; charset=utf-8"
    return "application/xml; charset=utf-8"


def main() -> None:
    """`python -m newsfacts.demo_site [root]`: serve a site until Ctrl-C."""
    parser = argparse.ArgumentParser(description=main.__doc__)
    parser.add_argument("root", nargs="?", type=Path, default=DEFAULT_ROOT)
    parser.add_argument("--port", type=int, default=0)
    args = parser.parse_args()
    with DemoSite(args.root, port=args.port, log_requests=True) as site:
        print(f"serving {site.root} at {site.base_url}/ (Ctrl-C to stop)", flush=True)
        try:
            threading.Event().wait()
        except KeyboardInterrupt:
            pass


if __name__ == "__main__":
    main()
