"""Polite, bounded HTTP fetching: one `Fetcher` per run, one `FetchResult` per URL.

A per-URL failure never raises: it comes back as a FetchResult whose `error` is one line a
person can read. Redirects are followed by hand so that every hop gets the same checks (scheme,
robots.txt, per-host bound). Logs go to the stdlib logger "newsfacts.http".
"""

from __future__ import annotations

import asyncio
import email.utils
import ipaddress
import logging
import random
import re
import socket
import time
import zlib
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timezone
from http import HTTPStatus
from importlib import metadata
from urllib.parse import urljoin, urlsplit

import httpx

from newsfacts.extractors.charset import decode_body
from newsfacts.flows.robots import RobotsPolicy

log = logging.getLogger("newsfacts.http")


def _version() -> str:
    try:
        return metadata.version("newsfacts")
    except metadata.PackageNotFoundError:
        return "0"


DEFAULT_USER_AGENT = f"newsfacts/{_version()} (+https://github.com/newsfacts/newsfacts)"
REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})


@dataclass(frozen=True)
class FetchResult:
    url: str  # requested
    final_url: str  # after redirects
    status: int | None  # None when no response (timeout, refused, blocked)
    body: bytes  # b"" on 304 / error
    text: str | None  # body decoded with the right charset (None for 304 / error)
    content_type: str | None
    etag: str | None
    last_modified: str | None
    not_modified: bool  # a 304 answered our conditional GET
    error: str | None  # one line a person can read
    elapsed_ms: int
    transient: bool = False  # the failure may pass (timeout, 5xx, 429, connection): try next run

    @property
    def ok(self) -> bool:
        """2xx with a body."""
        return self.error is None and self.status is not None and 200 <= self.status < 300 and bool(self.body)


class _Failure(Exception):
    """A per-URL failure; its message becomes FetchResult.error."""

    def __init__(self, message: str, *, status: int | None = None, retryable: bool = False,
                 retry_after: str | None = None):
        super().__init__(message)
        self.status = status
        self.retryable = retryable
        self.retry_after = retry_after  # the header, as the server sent it
        self.url: str | None = None  # the hop that failed, set while following redirects

    def after(self, attempts: int) -> _Failure:
        if attempts == 1:
            return self
        return _Failure(f"{self} ({attempts} attempts)", status=self.status, retryable=self.retryable)


@dataclass(frozen=True)
class _Response:
    url: str
    status: int
    headers: httpx.Headers
    body: bytes  # read for 2xx only


class Fetcher:
    """Async context manager that fetches URLs within bounds and never raises per URL.

    `timeout` bounds each attempt from the first byte sent to the last byte read, so a server
    that drips its body still times out. Retries (429, 5xx, connect errors, timeouts) back off
    exponentially with jitter from `backoff_base` seconds, or wait as long as Retry-After says;
    a wait longer than `max_retry_wait` is not made: the URL fails at once.
    `min_interval` spaces the starts of all requests of this Fetcher (a global rate limit, retries
    included); a 429 with Retry-After then holds every request of the Fetcher, not only its own.
    `validators` (url -> (etag, last_modified)) is updated in place after every 200, so the
    caller can persist it and pass it to the next run's Fetcher for conditional GETs. The
    conditional GETs themselves use only the validators given at the start (what the caller
    has stored): a URL fetched again in the same run (a retried stage) gets its body again,
    not a 304 for a copy that was never stored.
    """

    def __init__(self, *, user_agent: str = DEFAULT_USER_AGENT, timeout: float = 10.0,
                 connect_timeout: float = 5.0, max_connections: int = 8, per_host: int = 2,
                 retries: int = 2, max_bytes: int = 5_000_000, respect_robots: bool = True,
                 validators: dict[str, tuple[str | None, str | None]] | None = None,
                 backoff_base: float = 0.5, max_retry_wait: float = 30.0, max_redirects: int = 5,
                 min_interval: float = 0.0, trusted_urls: Iterable[str] = (),
                 allow_private_addresses: bool = False):
        if max_connections < 1 or per_host < 1 or retries < 0 or max_redirects < 0:
            raise ValueError("max_connections and per_host must be >= 1; retries, max_redirects >= 0")
        self.user_agent = user_agent
        self.timeout = timeout
        self.connect_timeout = min(connect_timeout, timeout)
        self.max_connections = max_connections
        self.per_host = per_host
        self.retries = retries
        self.max_bytes = max_bytes
        self.respect_robots = respect_robots
        self.validators = validators if validators is not None else {}
        self._stored_validators = dict(self.validators)
        self.backoff_base = backoff_base
        self.max_retry_wait = max_retry_wait
        self.max_redirects = max_redirects
        self.min_interval = max(0.0, min_interval)
        self._next_start = 0.0  # monotonic time before which no request starts
        self._pace_lock = asyncio.Lock()
        # Server-side request forgery: a feed or a redirect may not send us to a private,
        # loopback or link-local address, unless that host and port is one the configuration
        # names (a source on an intranet or on 127.0.0.1) or private addresses are allowed.
        self.trusted_origins = {_origin_key(url) for url in trusted_urls}
        self.allow_private_addresses = allow_private_addresses
        self._address_checks: dict[str, asyncio.Task[str | None]] = {}
        self._client: httpx.AsyncClient | None = None
        self._slots = asyncio.Semaphore(max_connections)
        self._host_slots: dict[str, asyncio.Semaphore] = {}
        self._robots: dict[str, asyncio.Task[RobotsPolicy]] = {}  # origin -> one shared fetch

    async def __aenter__(self) -> Fetcher:
        self._client = httpx.AsyncClient(
            headers={"User-Agent": self.user_agent, "Accept-Encoding": "gzip, deflate"},
            timeout=httpx.Timeout(self.timeout, connect=self.connect_timeout),
            limits=httpx.Limits(max_connections=self.max_connections,
                                max_keepalive_connections=self.max_connections),
            follow_redirects=False,  # followed by hand, see the module docstring
        )
        return self

    async def __aexit__(self, *exc_info) -> None:
        for task in self._address_checks.values():
            task.cancel()
        for task in self._robots.values():
            task.cancel()  # only unfinished ones: their fetches were cancelled
        await asyncio.gather(*self._robots.values(), return_exceptions=True)
        await self._client.aclose()
        self._client = None

    async def fetch_all(self, urls: Iterable[str], *, conditional: bool = True) -> list[FetchResult]:
        """Fetch concurrently within the bounds; results in the order of `urls`."""
        return list(await asyncio.gather(*(self.fetch(url, conditional=conditional) for url in urls)))

    async def fetch(self, url: str, *, conditional: bool = True, robots: bool | None = None) -> FetchResult:
        """GET `url`; `robots=False` skips robots.txt for this URL (a subscribed feed: RFC 9309
        governs crawlers, and a feed reader asks for the URL its user gave it)."""
        if self._client is None:
            raise RuntimeError("use the Fetcher inside 'async with Fetcher(...) as fetcher:'")
        started = time.monotonic()
        check_robots = self.respect_robots if robots is None else robots and self.respect_robots
        try:
            response = await self._follow(url, conditional=conditional, check_robots=check_robots)
            return self._result(url, response, started)  # decoding too: a bad charset fails one URL
        except _Failure as failure:
            log.info("%s: %s", url, failure)
            return _failed(url, failure, started)
        except Exception as exc:  # a bug or a surprise from below must not sink the whole batch
            log.warning("unexpected error fetching %s: %s: %s", url, type(exc).__name__, exc)
            return _failed(url, _Failure(f"unexpected error: {type(exc).__name__}: {exc}"), started)

    async def post(self, url: str, form_body: str, *, robots: bool | None = None) -> FetchResult:
        """POST a URL-encoded form; no redirect is followed (an API answers or fails)."""
        if self._client is None:
            raise RuntimeError("use the Fetcher inside 'async with Fetcher(...) as fetcher:'")
        started = time.monotonic()
        headers = {"Content-Type": "application/x-www-form-urlencoded;charset=UTF-8"}
        try:
            _check_url(url)
            if (self.respect_robots if robots is None else robots) and (refusal := await self._robots_refusal(url)):
                raise _Failure(refusal)
            response = await self._get_with_retries(url, headers, form_body.encode("utf-8"))
            if response.status in REDIRECT_STATUSES:
                raise _Failure(f"HTTP {response.status} redirect from an API endpoint", status=response.status)
        except _Failure as failure:
            log.info("POST %s: %s", url, failure)
            return _failed(url, failure, started)
        except Exception as exc:  # as in fetch(): one URL's surprise must not sink the batch
            log.exception("unexpected error posting to %s", url)
            return _failed(url, _Failure(f"unexpected error: {type(exc).__name__}: {exc}"), started)
        return self._result(url, response, started)

    async def _follow(self, url: str, *, conditional: bool, check_robots: bool) -> _Response:
        hop = url
        for _ in range(self.max_redirects + 1):
            try:
                _check_url(hop)
                if refusal := await self._private_address_refusal(hop):
                    raise _Failure(refusal)
                if check_robots and (refusal := await self._robots_refusal(hop)):
                    raise _Failure(refusal)
                headers = self._conditional_headers(hop) if conditional else {}
                response = await self._get_with_retries(hop, headers)
            except _Failure as failure:
                failure.url = hop
                raise
            if response.status not in REDIRECT_STATUSES:
                return response
            location = response.headers.get("location")
            if not location:
                raise _Failure(f"HTTP {response.status} redirect without a Location header",
                               status=response.status)
            hop = urljoin(hop, location)
        failure = _Failure(f"too many redirects (more than {self.max_redirects})")
        failure.url = hop
        raise failure

    async def _get_with_retries(self, url: str, headers: dict[str, str], form: bytes | None = None) -> _Response:
        attempts = self.retries + 1
        for attempt in range(1, attempts + 1):
            try:
                return await self._get_once(url, headers, form)
            except _Failure as failure:
                if not failure.retryable or attempt == attempts:
                    raise failure.after(attempt) from None
                delay = self._delay_before_retry(failure, attempt)
                log.debug("%s: %s; retrying in %.2fs (attempt %d of %d)",
                         url, failure, delay, attempt + 1, attempts)
            await asyncio.sleep(delay)
        raise AssertionError("unreachable")

    def _delay_before_retry(self, failure: _Failure, attempt: int) -> float:
        wait = retry_after_seconds(failure.retry_after) if failure.retry_after else None
        if wait is None:
            return min(self.max_retry_wait, self.backoff_base * 2 ** (attempt - 1) * random.uniform(0.5, 1.5))
        if wait > self.max_retry_wait:
            raise _Failure(f"{failure}; Retry-After {wait:.0f}s is over the {self.max_retry_wait:g}s limit",
                           status=failure.status)
        if self.min_interval and failure.status == 429:  # the server asked this whole client to wait
            self._next_start = max(self._next_start, time.monotonic() + wait)
        return wait

    async def _get_once(self, url: str, headers: dict[str, str], form: bytes | None = None) -> _Response:
        async with self._host_slot(url), self._slots:  # host first: a queued host holds no global slot
            await self._pace()
            try:
                async with asyncio.timeout(self.timeout):
                    method = "GET" if form is None else "POST"
                    async with self._client.stream(method, url, headers=headers, content=form) as response:
                        ok = 200 <= response.status_code < 300
                        body = await self._read_capped(response) if ok else b""
            except (TimeoutError, httpx.TimeoutException):
                raise _Failure(f"timed out after {float(self.timeout)}s", retryable=True) from None
            except httpx.ConnectError as exc:
                raise _Failure(_connect_error_line(exc, url), retryable=True) from None
            except (httpx.NetworkError, httpx.RemoteProtocolError) as exc:
                raise _Failure(f"connection broken: {exc or type(exc).__name__}", retryable=True) from None
            except (httpx.HTTPError, httpx.InvalidURL) as exc:
                raise _Failure(f"request failed: {exc or type(exc).__name__}") from None
        status = response.status_code
        if ok or status == 304 or status in REDIRECT_STATUSES:
            return _Response(str(response.url), status, response.headers, body)
        raise _Failure(_status_line(status, response.reason_phrase), status=status,
                       retryable=status == 429 or status >= 500,
                       retry_after=response.headers.get("retry-after"))

    async def _pace(self) -> None:
        """Wait for this request's turn under `min_interval` (and any Retry-After hold)."""
        if not self.min_interval:
            return
        async with self._pace_lock:
            wait = self._next_start - time.monotonic()
            if wait > 0:
                await asyncio.sleep(wait)
            self._next_start = max(self._next_start, time.monotonic()) + self.min_interval

    async def _read_capped(self, response: httpx.Response) -> bytes:
        """The decoded body, refused as soon as any layer of its Content-Encoding would pass
        `max_bytes` (a 3 KB response can hold gigabytes when gzip is applied twice)."""
        too_large = _Failure(f"body larger than {self.max_bytes} bytes", status=response.status_code)
        declared = response.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > self.max_bytes:
            raise too_large  # refuse before reading anything
        decoder = _CappedDecoder(response.headers.get("content-encoding", ""), self.max_bytes)
        body = bytearray()
        try:
            async for chunk in response.aiter_raw():  # raw: decoded here, layer by layer, capped
                body += decoder.feed(chunk)
                if len(body) > self.max_bytes:
                    raise too_large
            body += decoder.flush()
        except _TooLarge:
            raise too_large from None
        except zlib.error as exc:
            raise _Failure(f"corrupt compressed body: {exc}", status=response.status_code) from None
        if len(body) > self.max_bytes:
            raise too_large
        return bytes(body)

    def _host_slot(self, url: str) -> asyncio.Semaphore:
        host = urlsplit(url).netloc.lower()
        if host not in self._host_slots:
            self._host_slots[host] = asyncio.Semaphore(self.per_host)
        return self._host_slots[host]

    def _conditional_headers(self, url: str) -> dict[str, str]:
        etag, last_modified = self._stored_validators.get(url, (None, None))
        headers = {}
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        return headers

    async def _private_address_refusal(self, url: str) -> str | None:
        """Why `url` may not be fetched for pointing inside a private network; None if it may."""
        if self.allow_private_addresses or _origin_key(url) in self.trusted_origins:
            return None
        host = (urlsplit(url).hostname or "").lower()
        if host not in self._address_checks:
            self._address_checks[host] = asyncio.ensure_future(_private_address_of(host))
        address = await asyncio.shield(self._address_checks[host])
        if address is None:
            return None
        return (f"refused: {host} is a private address ({address}); set allow_private_addresses "
                "in [settings] to fetch it")

    async def _robots_refusal(self, url: str) -> str | None:
        parts = urlsplit(url)
        origin = f"{parts.scheme}://{parts.netloc}".lower()
        if origin not in self._robots:
            self._robots[origin] = asyncio.ensure_future(self._load_robots(origin))
        # shielded: one caller being cancelled must not cancel the fetch the others wait on
        policy = await asyncio.shield(self._robots[origin])
        return policy.refusal_for(url, self.user_agent)

    async def _load_robots(self, origin: str) -> RobotsPolicy:
        """RFC 9309: 4xx means no rules (allow all); 5xx or no answer means disallow all."""
        try:
            response = await self._follow(f"{origin}/robots.txt", conditional=False, check_robots=False)
        except _Failure as failure:
            if failure.status is not None and 400 <= failure.status < 500:
                return RobotsPolicy.unavailable()
            if str(failure).startswith("network unreachable"):  # the network, not the robots.txt file
                host = urlsplit(origin).hostname or origin
                reason = str(failure).split(" (", 1)[0]
                log.info("network unreachable: %s (%s); its URLs are skipped this run", host, reason)
                return RobotsPolicy(allow_all=False, refusal=f"network unreachable: {host} ({reason})")
            log.warning("robots.txt of %s unreachable (%s): skipping the host for this run", origin, failure)
            return RobotsPolicy.unreachable(str(failure))
        return RobotsPolicy.from_text(decode_body(response.body, response.headers.get("content-type")))

    def _result(self, url: str, response: _Response, started: float) -> FetchResult:
        content_type = response.headers.get("content-type")
        etag = response.headers.get("etag")
        last_modified = response.headers.get("last-modified")
        if response.status == 304:
            known_etag, known_last_modified = self.validators.get(response.url, (None, None))
            log.debug("%s: not modified", url)
            return FetchResult(url, response.url, 304, b"", None, content_type, etag or known_etag,
                               last_modified or known_last_modified, True, None, _ms_since(started))
        for key in {url, response.url}:
            if etag or last_modified:
                self.validators[key] = (etag, last_modified)
            else:
                self.validators.pop(key, None)
        log.debug("%s: HTTP %d, %d bytes", url, response.status, len(response.body))
        return FetchResult(url, response.url, response.status, response.body,
                           decode_body(response.body, content_type), content_type, etag, last_modified,
                           False, None, _ms_since(started))


class _TooLarge(Exception):
    pass


class _CappedDecoder:
    """Content-Encoding layers (gzip, deflate, identity) undone chunk by chunk, no layer ever
    producing more than `cap` bytes in total (so no layer holds more than cap + 1 in memory)."""

    def __init__(self, header: str, cap: int):
        codings = [c.strip().lower() for c in header.split(",") if c.strip()]
        unknown = [c for c in codings if c not in _CODINGS]
        if unknown:
            raise _Failure(f"unsupported Content-Encoding {unknown[0]!r}")
        # the last coding listed was applied last, so it is undone first
        self.layers = [zlib.decompressobj(_CODINGS[c]) for c in reversed(codings) if _CODINGS[c]]
        self.produced = [0] * len(self.layers)
        self.cap = cap

    def feed(self, data: bytes) -> bytes:
        for index, layer in enumerate(self.layers):
            if layer.eof:  # trailing bytes after the stream end are ignored, as browsers do
                data = b""
                continue
            room = self.cap - self.produced[index] + 1
            data = layer.decompress(data, room)
            self.produced[index] += len(data)
            if self.produced[index] > self.cap or layer.unconsumed_tail:
                raise _TooLarge
        return data

    def flush(self) -> bytes:
        data = b""
        for index, layer in enumerate(self.layers):
            data = (layer.decompress(data, self.cap - self.produced[index] + 1) if data and not layer.eof
                    else b"") + layer.flush()
            self.produced[index] += len(data)
            if self.produced[index] > self.cap:
                raise _TooLarge
        return data


# zlib window bits per Content-Encoding; 47 = 32 + 15 accepts a zlib or a gzip header
_CODINGS = {"identity": 0, "gzip": 31, "x-gzip": 31, "deflate": 47}


def _failed(url: str, failure: _Failure, started: float) -> FetchResult:
    return FetchResult(url, failure.url or url, failure.status, b"", None, None, None, None, False,
                       str(failure), _ms_since(started), transient=failure.retryable)


def _ms_since(started: float) -> int:
    return round((time.monotonic() - started) * 1000)


def _check_url(url: str) -> None:
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises on a port that is not a number
    except ValueError as exc:
        raise _Failure(f"invalid URL: {exc}") from None
    if parts.scheme.lower() not in ("http", "https"):
        raise _Failure(f"unsupported URL scheme {parts.scheme or '(none)'!r}: only http and https")
    if not parts.hostname:
        raise _Failure("invalid URL: no host")


def _origin_key(url: str) -> tuple[str, int | None]:
    try:
        parts = urlsplit(url)
        port = parts.port or {"http": 80, "https": 443}.get(parts.scheme.lower())
    except ValueError:
        return ("", None)
    return ((parts.hostname or "").lower().rstrip("."), port)


async def _private_address_of(host: str) -> str | None:
    """The first private, loopback, link-local or otherwise non-public address `host` resolves
    to; None when all are public or the name does not resolve (the fetch then fails by itself).

    The check resolves the name once and the connection resolves it again, so a DNS server that
    answers differently the second time is not stopped by it."""
    try:
        addresses = [ipaddress.ip_address(host)]
    except ValueError:
        try:
            infos = await asyncio.get_running_loop().getaddrinfo(host, None, type=socket.SOCK_STREAM)
        except (OSError, UnicodeError):
            return None
        addresses = [ipaddress.ip_address(info[4][0].split("%")[0]) for info in infos]
    for address in addresses:
        mapped = getattr(address, "ipv4_mapped", None) or address
        if not mapped.is_global or mapped.is_multicast:
            return str(address)
    return None


def _status_line(status: int, reason: str) -> str:
    if not reason:
        try:
            reason = HTTPStatus(status).phrase
        except ValueError:
            reason = ""
    return f"HTTP {status} {reason}".rstrip()


def _connect_error_line(exc: httpx.ConnectError, url: str) -> str:
    cause: BaseException | None = exc
    while cause is not None:
        if isinstance(cause, ConnectionRefusedError) or "refused" in str(cause).lower():
            return "connection refused"
        if isinstance(cause, socket.gaierror) or _UNREACHABLE.search(str(cause)):
            # the same words for every URL of the host, so its sources share one log line
            host = urlsplit(url).hostname or url
            return f"network unreachable: {host} ({'name not resolved' if isinstance(cause, socket.gaierror) else cause})"
        cause = cause.__cause__ or cause.__context__
    return f"connection failed: {exc or 'no detail'}"


_UNREACHABLE = re.compile(r"network is unreachable|no route to host|name or service not known|"
                          r"temporary failure in name resolution|nodename nor servname", re.IGNORECASE)


def retry_after_seconds(value: str, now: datetime | None = None) -> float | None:
    """Seconds to wait from a Retry-After header (delay-seconds or HTTP-date); None if unreadable."""
    value = value.strip()
    try:
        seconds = float(value)
    except ValueError:
        try:
            when = email.utils.parsedate_to_datetime(value)
        except (TypeError, ValueError):
            return None
        if when.tzinfo is None:
            when = when.replace(tzinfo=timezone.utc)
        seconds = (when - (now or datetime.now(timezone.utc))).total_seconds()
    return max(0.0, seconds) if seconds == seconds else None  # NaN is unreadable
