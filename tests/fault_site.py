"""The demo site plus fault routes, for tests only (the product's demo site serves the demo).

    with FaultSite(root) as site:       # everything DemoSite does, and:
        site.url("/_fault/status/503")

Fault routes (all bounded, see the MAX_ constants), served whatever the root:
    /_fault/status/<code>[?retry_after=<seconds or HTTP-date>]
    /_fault/slow?delay=<s>                      waits, then answers
    /_fault/gate?n=<k>                          answers once k requests are waiting at the gate
                                                (bounded by MAX_DELAY): proves k were in flight at once
    /_fault/drip?seconds=<s>[&interval=<s>]     headers at once, then one byte per interval (1 s)
    /_fault/huge?bytes=<n>[&no_length=1]        n bytes, with or without Content-Length
    /_fault/malformed.xml                       broken RSS with one good item
    /_fault/flaky?fail=<n>[&status=503][&retry_after=<s>]   n failures per client and URL, then 200
    /_fault/charset?enc=<iso-8859-1|windows-1252|shift_jis>&declare=<header|meta|http-equiv|xml>
                                                CHARSET_SAMPLES[enc] in that charset, declared once
    /_fault/headers                             the request headers, as JSON
    /_fault/gzip?bytes=<n>[&layers=<k>]         n bytes of HTML padding, gzipped k times (1-3),
                                                sent as Content-Encoding: gzip, gzip, ...
    /_fault/label?charset=<any label>&declare=<header|meta>   an ASCII page declaring that label
"""

from __future__ import annotations

import json
import threading
import zlib
from collections import Counter

from newsfacts.demo_site import DemoSite, SiteHandler

MAX_DELAY = 10.0  # seconds, slow
MAX_DRIP = 30.0  # seconds, drip
MAX_HUGE = 64 * 1024 * 1024  # bytes, huge
MAX_FLAKY = 10  # failures, flaky

CHARSET_SAMPLES = {
    "iso-8859-1": "Société Générale investit 2 milliards à Zürich",
    "windows-1252": "Société Générale’s “€2 billion” deal — naïve",
    "shift_jis": "ソフトバンク、OpenAIに4兆円を投資",
}

MALFORMED_RSS = b"""<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0"><channel><title>Malformed feed</title>
<item><title>Good item: Acme raises $50 million - Example Wire</title>
<link>{{base}}/_fault/good-item</link><pubDate>Mon, 02 Jun 2025 08:00:00 GMT</pubDate>
<description>Acme raised $50 million.</description></item>
<item><title>Broken item <b>unclosed
<link>{{base}}/_fault/broken-item
<description>never closed &nbsp; & stray ampersand
</channel>
"""


class FaultSite(DemoSite):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.handler_class = _FaultHandler
        self._flaky_failures: Counter[tuple[str, str]] = Counter()
        self._gate = threading.Condition()
        self._at_gate = 0

    def reset_counters(self) -> None:
        super().reset_counters()
        with self._lock:
            self._flaky_failures.clear()

    def _pass_gate(self, needed: int) -> bool:
        """Wait until ``needed`` requests are at the gate together; False when that never happens."""
        with self._gate:
            self._at_gate += 1
            self._gate.notify_all()
            arrived = self._gate.wait_for(lambda: self._at_gate >= needed or self._stopping.is_set(),
                                          timeout=MAX_DELAY)
        return arrived and not self._stopping.is_set()

    def _next_flaky_attempt(self, client: str, url: str) -> int:
        """How many times this client asked for this flaky URL before."""
        with self._lock:
            seen = self._flaky_failures[client, url]
            self._flaky_failures[client, url] += 1
            return seen


class _FaultHandler(SiteHandler):
    def _route(self, path: str, query: dict[str, str]) -> None:
        if path.startswith("/_fault/") and path not in self.server.site.forced_status \
                and path not in self.server.site.redirects:
            self._fault(path.removeprefix("/_fault/"), query)
        else:
            super()._route(path, query)

    def _fault(self, name: str, query: dict[str, str]) -> None:
        site = self.server.site
        if name.startswith("status/"):
            code = name.removeprefix("status/")
            status = _clamp(int(code), 200, 599) if code.isdigit() else 400
            self._send_status(status, query.get("retry_after"))
        elif name == "slow":
            site._stopping.wait(_number(query, "delay", 1.0, 0.0, MAX_DELAY))
            self._send(200, b"slow ok\n", "text/plain; charset=utf-8")
        elif name == "gate":
            passed = site._pass_gate(int(_number(query, "n", 2, 1, 16)))
            self._send(200 if passed else 504, b"gate open\n" if passed else b"gate timeout\n",
                       "text/plain; charset=utf-8")
        elif name == "drip":
            self._drip(seconds=_number(query, "seconds", 10.0, 0.0, MAX_DRIP),
                       interval=_number(query, "interval", 1.0, 0.05, 5.0))
        elif name == "huge":
            self._huge(int(_number(query, "bytes", 1_000_000, 0, MAX_HUGE)), query.get("no_length") == "1")
        elif name == "malformed.xml":
            self._send(200, site._templated(MALFORMED_RSS), "application/rss+xml; charset=utf-8")
        elif name == "flaky":
            failures = int(_number(query, "fail", 2, 0, MAX_FLAKY))
            if site._next_flaky_attempt(self.client_address[0], self.path) < failures:
                status = int(_number(query, "status", 503, 429, 599))
                self._send_status(status, query.get("retry_after"))
            else:
                self._send(200, f"flaky ok after {failures} failures\n".encode(), "text/plain; charset=utf-8")
        elif name == "charset" and query.get("enc") in CHARSET_SAMPLES:
            self._charset(query["enc"], query.get("declare", "header"))
        elif name == "gzip":
            self._gzip(int(_number(query, "bytes", 1_000_000, 0, MAX_HUGE)),
                       int(_number(query, "layers", 1, 1, 3)))
        elif name == "label":
            self._label(query.get("charset", ""), query.get("declare", "header"))
        elif name == "headers":
            headers = json.dumps(dict(self.headers.items())).encode()
            self._send(200, headers, "application/json; charset=utf-8")
        else:
            self._send_status(404)

    def _gzip(self, size: int, layers: int) -> None:
        """Streamed through `layers` gzip compressors, so the server never holds the page."""
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Encoding", ", ".join(["gzip"] * layers))
        self._end_count()
        self.end_headers()
        compressors = [zlib.compressobj(9, zlib.DEFLATED, 31) for _ in range(layers)]

        def send(data: bytes, final: bool = False) -> None:
            for compressor in compressors:
                data = compressor.compress(data) + (compressor.flush() if final else b"")
            self.wfile.write(data)

        send(b"<!doctype html><html><body><p>")
        for start in range(0, size, 65536):
            send(b" " * min(65536, size - start))
        send(b"</p></body></html>", final=True)

    def _label(self, label: str, declare: str) -> None:
        label = "".join(ch for ch in label if ch.isalnum() or ch in "-_.:")[:40]
        head = f'<meta charset="{label}">' if declare == "meta" else ""
        page = (f"<!doctype html><html><head>{head}<title>Label</title></head>"
                "<body><p>Acme Cloud will invest $2 billion in Borealis AI.</p></body></html>")
        content_type = f"text/html; charset={label}" if declare == "header" else "text/html"
        self._send(200, page.encode("ascii"), content_type)

    def _drip(self, seconds: float, interval: float) -> None:
        count = int(seconds / interval)
        self.send_response(200)
        self.send_header("Content-Type", "text/plain; charset=utf-8")
        self.send_header("Content-Length", str(count))
        self.end_headers()
        self.wfile.flush()
        for _ in range(count):
            if self.server.site._stopping.wait(interval):
                return
            self.wfile.write(b".")
            self.wfile.flush()

    def _huge(self, size: int, no_length: bool) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "application/octet-stream")
        if not no_length:
            self.send_header("Content-Length", str(size))
        self.end_headers()
        chunk = b"x" * 65536
        for start in range(0, size, len(chunk)):
            self.wfile.write(chunk[: size - start])

    def _charset(self, encoding: str, declare: str) -> None:
        sample = CHARSET_SAMPLES[encoding]
        content_type = f"text/html; charset={encoding}" if declare == "header" else "text/html"
        head = {"meta": f'<meta charset="{encoding}">',
                "http-equiv": f'<meta http-equiv="Content-Type" content="text/html; charset={encoding}">',
                }.get(declare, "")
        page = ("<!doctype html><html>"
                f"<head>{head}<title>Charset</title></head><body><p>{sample}</p></body></html>")
        if declare == "xml":
            content_type = "application/xml"
            page = (f'<?xml version="1.0" encoding="{encoding}"?>'
                    f'<rss version="2.0"><channel><title>{sample}</title></channel></rss>')
        self._send(200, page.encode(encoding), content_type)


def _number(query: dict[str, str], name: str, default: float, low: float, high: float) -> float:
    try:
        value = float(query.get(name, default))
    except ValueError:
        value = default
    return _clamp(value, low, high)


def _clamp(value, low, high):
    return max(low, min(high, value))
