"""Google News RSS: search-feed URLs and offline decoding of article links.

Google News feed links point at news.google.com, which redirects to the publisher. The old link
form (``/__i/rss/rd/articles/CBMi…``, and ``/rss/articles/CBMi…`` until mid-2024) carries the
publisher URL inside a base64url-encoded protobuf message, so it can be decoded without a request.
Newer ids hold an opaque token instead; for those ``decode_article_link`` returns None and the
flow follows the redirect over HTTP.
"""

from __future__ import annotations

import base64
import binascii
from urllib.parse import urlencode, urlsplit

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
) -> str:
    """URL of the Google News RSS search feed for `query`; `when` like "1d" or "7d" limits recency."""
    if when:
        query = f"{query} when:{when}"
    params = urlencode({"q": query, "hl": hl, "gl": gl, "ceid": ceid})
    return f"{base_url.rstrip('/')}/rss/search?{params}"


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
