"""RSS 2.0 / Atom bytes → FeedItem, with the Google News specifics handled.

Always parse bytes fetched by the flow's Fetcher: ``feedparser.parse(url)`` has no timeout.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import datetime, timezone
from urllib.parse import urljoin, urlsplit

import feedparser
from bs4 import BeautifulSoup

from newsfacts.extractors.google_news import decode_article_link, is_google_news_link


@dataclass(frozen=True)
class FeedItem:
    title: str                  # headline; a Google News " - Publisher" suffix is removed
    url: str                    # best article URL known offline (decoded publisher URL, else feed link)
    feed_link: str              # the link exactly as the feed gave it
    publisher: str | None       # <source> text, or the split-off suffix
    publisher_url: str | None   # <source url=…>
    published_at: str | None    # ISO 8601, UTC
    snippet: str                # plain text (HTML stripped); "" if none
    guid: str | None
    related_urls: tuple[str, ...]   # other outlets' links in the same Google News cluster


@dataclass(frozen=True)
class ParsedFeed:
    title: str | None
    items: list[FeedItem]
    warning: str | None         # set when the XML was malformed but entries were recovered


class FeedError(ValueError):
    """Unparseable feed: nothing recovered."""


_TITLE_SEPARATOR = " - "
_WHITESPACE = re.compile(r"\s+")


def parse_feed(body: bytes, base_url: str, max_items: int | None = None) -> ParsedFeed:
    """Items of an RSS 2.0 or Atom document, in feed order; links resolved against base_url.

    Raises FeedError when nothing can be recovered. Entries with neither title nor link (which
    feedparser can invent when recovering from broken XML) are dropped.
    """
    parsed = feedparser.parse(_CHARACTER_REFERENCE.sub(_no_surrogate, body))
    problem = _malformation(parsed)
    entries = [e for e in parsed.entries if e.get("title") or e.get("link")]
    if not entries and problem:
        raise FeedError(f"malformed feed: {problem}")
    if not entries and not parsed.get("version"):
        raise FeedError("malformed feed: not an RSS or Atom document")

    google_news = _is_google_news_feed(parsed.feed)
    items, skipped = [], []
    for entry in entries[:max_items]:
        try:  # one hostile item (a link such as "http://[::1") costs that item only
            items.append(_to_item(entry, base_url, google_news))
        except ValueError as exc:
            skipped.append(str(exc))
    if not items and skipped:
        raise FeedError(f"no readable item ({skipped[0]})")
    notes = ([f"malformed feed, {len(entries)} item(s) recovered: {problem}"] if problem else []) + (
        [f"{len(skipped)} item(s) skipped ({skipped[0]})"] if skipped else [])
    warning = "; ".join(notes) or None
    return ParsedFeed(
        title=_plain_text(parsed.feed.get("title", "")) or None, items=items, warning=warning
    )


# "&#xD800;" (also escaped once more, as in HTML descriptions): feedparser encodes what it
# names to UTF-8 and fails on a lone surrogate, so those become U+FFFD before it reads them.
_CHARACTER_REFERENCE = re.compile(rb"&(?:amp;)?#(x[0-9a-f]{1,8}|[0-9]{1,10});", re.IGNORECASE)


def _no_surrogate(match: re.Match) -> bytes:
    number = match.group(1)
    value = int(number[1:], 16) if number[:1] in b"xX" else int(number)
    return b"&#xFFFD;" if 0xD800 <= value <= 0xDFFF else match.group(0)


def _malformation(parsed) -> str | None:
    """Why feedparser flagged the document, ignoring notices that do not affect the content."""
    if not parsed.get("bozo"):
        return None
    error = parsed.get("bozo_exception")
    if isinstance(error, feedparser.ThingsNobodyCaresAboutButMe):  # e.g. charset override
        return None
    return _WHITESPACE.sub(" ", str(error) or type(error).__name__).strip()


def _is_google_news_feed(feed) -> bool:
    generator = feed.get("generator", "") or ""
    return generator.startswith("NFE/") or is_google_news_link(feed.get("link", "") or "")


def _to_item(entry, base_url: str, google_news: bool) -> FeedItem:
    feed_link = (entry.get("link") or "").strip()
    link = urljoin(base_url, feed_link) if feed_link else ""
    if link:
        parts = urlsplit(link)  # raises ValueError on "http://[::1" and its kind
        parts.port  # noqa: B018 - and on a port that is not a number

    source = entry.get("source") or {}
    publisher = _plain_text(source.get("title", "")) or None
    publisher_url = source.get("href") or None

    title, publisher = _split_publisher(_plain_text(entry.get("title", "")), publisher, google_news)

    description = _description_html(entry)
    related = _cluster_links(description, base_url, own_link=link) if google_news else ()
    return FeedItem(
        title=title,
        url=decode_article_link(link) or link,
        feed_link=feed_link,
        publisher=publisher,
        publisher_url=publisher_url,
        published_at=_iso_utc(entry.get("published_parsed") or entry.get("updated_parsed")),
        snippet=_snippet(description, google_news),
        guid=entry.get("id") or None,
        related_urls=related,
    )


def _split_publisher(title: str, publisher: str | None, google_news: bool) -> tuple[str, str | None]:
    """"Headline - Publisher" → (headline, publisher); ordinary titles with " - " stay whole."""
    if publisher and title.endswith(_TITLE_SEPARATOR + publisher):
        return title[: -len(_TITLE_SEPARATOR + publisher)].strip(), publisher
    if google_news and _TITLE_SEPARATOR in title:
        headline, suffix = title.rsplit(_TITLE_SEPARATOR, 1)
        return headline.strip(), publisher or suffix.strip()
    return title, publisher


def _description_html(entry) -> str:
    """The teaser: a non-empty summary first (feedparser may invent an empty `content`)."""
    summary = entry.get("summary") or ""
    if summary.strip():
        return summary
    for content in entry.get("content") or ():
        if (content.get("value") or "").strip():
            return content["value"]
    return ""


def _snippet(description: str, google_news: bool) -> str:
    if not google_news:
        return _plain_text(description)
    # One line per cluster entry ("Headline Publisher"), without the "full coverage" link.
    soup = BeautifulSoup(description, "html.parser")
    for full_coverage in soup.find_all("strong"):
        full_coverage.decompose()
    entries = soup.find_all("li") or [soup]
    lines = [_collapse_whitespace(entry.get_text(" ")) for entry in entries]
    return "\n".join(line for line in lines if line)


def _cluster_links(description: str, base_url: str, own_link: str) -> tuple[str, ...]:
    """Other outlets' articles in a Google News story cluster, decoded where possible."""
    soup = BeautifulSoup(description, "html.parser")
    own = {own_link, decode_article_link(own_link) or own_link}
    related: list[str] = []
    for anchor in soup.find_all("a", href=True):
        if anchor.find_parent("strong"):  # "View full coverage" → a story page, not an article
            continue
        href = urljoin(base_url, anchor["href"].strip())
        if urlsplit(href).scheme not in ("http", "https"):
            continue
        url = decode_article_link(href) or href
        if href in own or url in own or url in related:
            continue
        related.append(url)
    return tuple(related)


def _plain_text(markup: str) -> str:
    """HTML fragment or text → one line of plain text, entities unescaped."""
    if "<" in markup or "&" in markup:
        markup = BeautifulSoup(markup, "html.parser").get_text(" ")
    return _collapse_whitespace(markup)


def _collapse_whitespace(text: str) -> str:
    return _WHITESPACE.sub(" ", text.replace("\xa0", " ")).strip()


def _iso_utc(parsed_time) -> str | None:
    """feedparser's UTC struct_time → ISO 8601."""
    if not parsed_time:
        return None
    try:
        return datetime.fromtimestamp(calendar.timegm(parsed_time), tz=timezone.utc).isoformat()
    except (OverflowError, ValueError, OSError):
        return None
