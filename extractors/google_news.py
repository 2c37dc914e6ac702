"""Google News RSS: feed URLs, article links, the link-decoding protocol and Google's own pages.

Google News feed links point at news.google.com. The old link form (``/__i/rss/rd/articles/CBMi…``,
and ``/rss/articles/CBMi…`` until mid-2024) carries the publisher URL inside a base64url-encoded
protobuf message, so it can be decoded without a request (``decode_article_link``). Newer ids hold
an opaque token, and news.google.com answers a plain HTTP client with a page that moves on by
JavaScript, not a redirect. Those ids are decoded the way maintained decoders do it:

1. GET ``{base}/rss/articles/{id}?hl=…&gl=…&ceid=…``: the page carries a signature and a timestamp
   in the ``data-n-a-sg`` and ``data-n-a-ts`` attributes of one element (``parse_signature``);
2. POST ``{base}/_/DotsSplashUi/data/batchexecute`` with a form field ``f.req`` holding one
   ``Fbv4je`` call (``garturlreq``: context, id, timestamp, signature) per id, many ids in one
   request (``batchexecute_body``); the answer holds one ``garturlres`` row with the publisher URL
   per id, tagged with the request's own tag (``parse_batchexecute``).

This module only builds and reads bytes; ``flows.google_links`` makes the requests.
``google_page_reason`` recognises Google's own pages (consent, "unusual traffic", sign-in, the
news.google.com interstitial) so that none is ever stored as an article.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
from dataclasses import dataclass
from datetime import date, timedelta
from importlib import resources
from urllib.parse import parse_qsl, quote, urlencode, urlsplit

from bs4 import BeautifulSoup

GOOGLE_NEWS_HOST = "news.google.com"
_ARTICLE_PATH_PREFIXES = ("/__i/rss/rd/articles/", "/rss/articles/", "/articles/")

# protobuf wire types
_VARINT, _FIXED64, _LENGTH_DELIMITED, _FIXED32 = 0, 1, 2, 5


def build_search_url(
    query: str,
    *,
    hl: str = "en-US",
    gl: str = "US",
    ceid: str = "US:en",
    when: str | None = None,
    base_url: str = "https://news.google.com",
    days: DaySlice | None = None,
) -> str:
    """URL of the Google News RSS search feed for `query`.

    `when` like "1d" or "7d" limits recency relative to now; `days` asks for a fixed range of
    days with the ``after:`` and ``before:`` operators instead (see ``DaySlice``).
    """
    if days is not None:
        query = f"{query} {days.operators}"
    elif when:
        query = f"{query} when:{when}"
    params = urlencode({"q": query, "hl": hl, "gl": gl, "ceid": ceid})
    return f"{base_url.rstrip('/')}/rss/search?{params}"


def build_topic_url(topic: str, *, hl: str = "en-US", gl: str = "US", ceid: str = "US:en",
                    base_url: str = "https://news.google.com") -> str:
    """A topic feed: a section name (TECHNOLOGY, BUSINESS, …) or a topic id (``CAAq…``)."""
    params = urlencode({"hl": hl, "gl": gl, "ceid": ceid})
    if topic.isupper() and topic.replace("_", "").isalpha():
        return f"{base_url.rstrip('/')}/rss/headlines/section/topic/{quote(topic)}?{params}"
    return f"{base_url.rstrip('/')}/rss/topics/{quote(topic)}?{params}"


def build_top_stories_url(*, hl: str = "en-US", gl: str = "US", ceid: str = "US:en",
                          base_url: str = "https://news.google.com") -> str:
    """The top-stories feed of an edition."""
    return f"{base_url.rstrip('/')}/rss?{urlencode({'hl': hl, 'gl': gl, 'ceid': ceid})}"


# --- date slices: more than the ~100 items one feed returns ----------------------------------

_WINDOW = re.compile(r"^\s*(\d+)\s*([hdwmy])\s*$")
_WINDOW_DAYS = {"d": 1, "w": 7, "m": 30, "y": 365}


def window_days(text: str) -> int | None:
    """Whole days of a window written "30d", "2w", "3m" (30 days) or "1y"; None for hours or junk."""
    match = _WINDOW.match(text or "")
    if not match or match.group(2) == "h" or int(match.group(1)) < 1:
        return None
    return int(match.group(1)) * _WINDOW_DAYS[match.group(2)]


def is_window(text: str) -> bool:
    """True for a `when` Google understands: a positive number of hours, days, weeks, months, years."""
    match = _WINDOW.match(text or "")
    return bool(match) and int(match.group(1)) > 0


@dataclass(frozen=True)
class DaySlice:
    """The days first..last (both included) as one feed request.

    Google documents ``after:`` and ``before:`` as "after" and "before" a date without saying
    whether the date itself is included, so the query names the day before `first` and the
    day after `last`: read exclusively this is exactly the slice, read inclusively it overlaps
    its neighbours by a day (the overlap is fetched twice and stored once), and either way no
    day falls between two slices.
    """

    first: date
    last: date

    @property
    def operators(self) -> str:
        return f"after:{self.first - timedelta(days=1):%Y-%m-%d} before:{self.last + timedelta(days=1):%Y-%m-%d}"


def day_slices(first: date, last: date, days_per_slice: int) -> list[DaySlice]:
    """first..last (both included) cut into slices of `days_per_slice` days, newest first."""
    if days_per_slice < 1:
        raise ValueError("a slice is at least one day")
    slices = []
    end = last
    while end >= first:
        start = max(first, end - timedelta(days=days_per_slice - 1))
        slices.append(DaySlice(start, end))
        end = start - timedelta(days=1)
    return slices


def is_google_news_link(url: str) -> bool:
    """True for links on news.google.com (articles, stories, search)."""
    try:
        host = (urlsplit(url).hostname or "").lower()
    except ValueError:
        return False
    return host == GOOGLE_NEWS_HOST or host.endswith("." + GOOGLE_NEWS_HOST)


def decode_article_link(url: str) -> str | None:
    """The publisher URL inside an old-format Google News article link, or None.

    None when `url` is not a Google News article link or its id does not decode to a message
    carrying an http(s) URL (the current opaque ids).
    """
    if not is_google_news_link(url):
        return None
    path = urlsplit(url).path
    prefix = next((p for p in _ARTICLE_PATH_PREFIXES if path.startswith(p)), None)
    if prefix is None:
        return None
    article_id = path[len(prefix):].split("/", 1)[0]
    message = _base64url_decode(article_id)
    if message is None:
        return None
    for value in _length_delimited_fields(message):
        candidate = _as_http_url(value)
        if candidate:
            return candidate
    return None


def _base64url_decode(text: str) -> bytes | None:
    try:
        return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except (binascii.Error, ValueError):
        return None


def _read_varint(data: bytes, pos: int) -> tuple[int, int]:
    """(value, next position); raises ValueError on truncated input."""
    value = shift = 0
    while True:
        if pos >= len(data) or shift > 63:
            raise ValueError("truncated varint")
        byte = data[pos]
        pos += 1
        value |= (byte & 0x7F) << shift
        if not byte & 0x80:
            return value, pos
        shift += 7


def _length_delimited_fields(message: bytes) -> list[bytes]:
    """Values of the top-level length-delimited fields, in order; stops at the first malformed byte."""
    values: list[bytes] = []
    pos = 0
    try:
        while pos < len(message):
            key, pos = _read_varint(message, pos)
            wire_type = key & 0x7
            if wire_type == _VARINT:
                _, pos = _read_varint(message, pos)
            elif wire_type == _FIXED64:
                pos += 8
            elif wire_type == _FIXED32:
                pos += 4
            elif wire_type == _LENGTH_DELIMITED:
                length, pos = _read_varint(message, pos)
                if pos + length > len(message):
                    break
                values.append(message[pos:pos + length])
                pos += length
            else:  # groups (3, 4) are not used by these messages
                break
    except ValueError:
        pass
    return values


def _as_http_url(value: bytes) -> str | None:
    try:
        text = value.decode("utf-8")
    except UnicodeDecodeError:
        return None
    if not text.startswith(("http://", "https://")) or any(c.isspace() for c in text):
        return None
    try:
        parts = urlsplit(text)
    except ValueError:
        return None
    return text if parts.hostname else None


# --- current ids: the article page's signature and the batchexecute call ---------------------

BATCHEXECUTE_PATH = "/_/DotsSplashUi/data/batchexecute"
DECODE_RPC = "Fbv4je"


def article_id(link: str, base_url: str = "https://news.google.com") -> str | None:
    """The id in a Google News article link under `base_url`'s origin (or news.google.com), else None."""
    try:
        parts, base = urlsplit(link), urlsplit(base_url)
    except ValueError:
        return None
    same_origin = (parts.scheme, parts.netloc.lower()) == (base.scheme, base.netloc.lower())
    if not (same_origin or is_google_news_link(link)):
        return None
    for prefix in _ARTICLE_PATH_PREFIXES + ("/read/",):
        if parts.path.startswith(prefix):
            found = parts.path[len(prefix):].split("/", 1)[0]
            return found if re.fullmatch(r"[A-Za-z0-9_-]{8,}", found) else None
    return None


def article_page_url(base_url: str, article: str, *, hl: str = "en-US", gl: str = "US",
                     ceid: str = "US:en") -> str:
    """The page that carries an id's signature. (``/articles/{id}`` sends plain HTTP clients to
    Google's "unusual traffic" page; the feed's own ``/rss/articles/{id}`` path answers.)"""
    return f"{base_url.rstrip('/')}/rss/articles/{article}?{urlencode({'hl': hl, 'gl': gl, 'ceid': ceid})}"


def batchexecute_url(base_url: str) -> str:
    return f"{base_url.rstrip('/')}{BATCHEXECUTE_PATH}?{urlencode({'rpcids': DECODE_RPC})}"


@dataclass(frozen=True)
class Signature:
    article: str      # the id
    signature: str    # data-n-a-sg
    timestamp: int    # data-n-a-ts (seconds)


def parse_signature(article: str, html: str) -> Signature | None:
    """The signature and timestamp Google embeds in an article page, or None when absent."""
    if "data-n-a-sg" not in html:
        return None
    element = BeautifulSoup(html, "html.parser").find(attrs={"data-n-a-sg": True, "data-n-a-ts": True})
    if element is None:
        return None
    signature, timestamp = element["data-n-a-sg"].strip(), element["data-n-a-ts"].strip()
    if not signature or not timestamp.isdigit():
        return None
    return Signature(article, signature, int(timestamp))


def batchexecute_body(signatures: list[Signature], *, hl: str = "en-US", gl: str = "US",
                      ceid: str = "US:en") -> str:
    """The form body of one batchexecute POST asking for the publisher URL of every id.

    Each call is tagged with its position in `signatures`; the answer's rows carry the tag back.
    """
    # The client context of the garturlreq call: locale and edition, the rest fixed flags.
    context = [[hl, gl, [], None, None, 1, 1, ceid, None, 1, None, None, None, None, None, 0, 1],
               hl, gl, 1, [1, 1, 1], 1, 1, None, 0, 0, None, 0]
    calls = [
        [DECODE_RPC, _compact(["garturlreq", context, s.article, s.timestamp, s.signature]), None, str(tag)]
        for tag, s in enumerate(signatures)
    ]
    return urlencode({"f.req": _compact([calls])})


def parse_batchexecute(text: str) -> dict[int, str]:
    """Tag → publisher URL for every call the answer resolved; calls it refused are absent.

    The answer starts with the anti-JSON-hijacking line ``)]}'``, then one JSON array of rows,
    or (with ``rt=c``) several, each after a line giving its length. Rows of interest look like
    ``["wrb.fr", "Fbv4je", "[\\"garturlres\\",\\"https://…\\",1]", null, null, null, "3"]``.
    Raises ValueError when the text is not such an answer at all.
    """
    body = text.lstrip()
    if body.startswith(")]}'"):
        body = body[4:]
    chunks = list(_json_values(body))
    if not chunks:
        raise ValueError("not a batchexecute answer")
    found: dict[int, str] = {}
    for chunk in chunks:
        for row in chunk if isinstance(chunk, list) else ():
            if not (isinstance(row, list) and len(row) >= 3 and row[0] == "wrb.fr" and row[1] == DECODE_RPC):
                continue
            tag = next((cell for cell in reversed(row[3:]) if cell is not None), None)
            try:
                payload = json.loads(row[2]) if isinstance(row[2], str) else None
                tag = int(tag)
            except (TypeError, ValueError):
                continue
            if isinstance(payload, list) and len(payload) > 1 and payload[0] == "garturlres":
                url = payload[1]
                if isinstance(url, str) and urlsplit(url).scheme in ("http", "https") and urlsplit(url).hostname:
                    found[tag] = url
    return found


def _compact(value) -> str:
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


def _json_values(text: str):
    """The JSON values in `text` one after another, skipping the length lines between them."""
    decoder = json.JSONDecoder()
    pos = 0
    while pos < len(text):
        while pos < len(text) and (text[pos].isspace() or text[pos].isdigit()):
            pos += 1
        if pos >= len(text):
            return
        try:
            value, pos = decoder.raw_decode(text, pos)
        except json.JSONDecodeError:
            return
        yield value


# --- Google's own pages: never an article ----------------------------------------------------

_TAGS = re.compile(r"<(script|style)\b.*?</\1\s*>|<[^>]+>", re.IGNORECASE | re.DOTALL)
_SPACES = re.compile(r"\s+")
_HEAD_CHARS = 3000   # text markers are looked for at the start of a page only


def _google_page_rules() -> list[dict]:
    path = resources.files("newsfacts.extractors").joinpath("data", "google_pages.jsonl")
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


GOOGLE_PAGE_RULES = _google_page_rules()


def google_page_reason(url: str, html: str | None) -> str | None:
    """Why the page at `url` is Google's own (consent, "unusual traffic", sign-in, the News
    interstitial) and not an article, or None when it is not recognised as one.

    The rules (host, host + path, a string in the markup, a phrase at the start of the visible
    text) are data: extractors/data/google_pages.jsonl.
    """
    try:
        parts = urlsplit(url or "")
        host = (parts.hostname or "").lower()
    except ValueError:
        host, parts = "", None
    markup = html or ""
    text = None
    for rule in GOOGLE_PAGE_RULES:
        if "host" in rule:
            on_host = host == rule["host"] or host.endswith("." + rule["host"])
            if on_host and parts is not None and parts.path.startswith(rule.get("path", "")):
                return rule["reason"]
        elif "markup" in rule:
            if rule["markup"] in markup:
                return rule["reason"]
        elif "text" in rule:
            if text is None:
                text = _SPACES.sub(" ", _TAGS.sub(" ", markup[:200_000])).strip()[:_HEAD_CHARS]
            if rule["text"] in text:
                return rule["reason"]
    return None


def feed_edition(url: str) -> dict[str, str]:
    """hl, gl and ceid of a Google News URL's query (the edition a link belongs to)."""
    try:
        query = dict(parse_qsl(urlsplit(url).query))
    except ValueError:
        return {}
    return {key: query[key] for key in ("hl", "gl", "ceid") if query.get(key)}
