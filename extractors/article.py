"""Article HTML → Article: main text without boilerplate, plus title, date, author, canonical URL.

Main text comes from trafilatura (measured against a BeautifulSoup heuristic on
fixtures/articles/ by bench/article_quality.py). Metadata is read from the page's own
declarations first (meta tags, JSON-LD, <time>), with trafilatura's guesses as the fallback.
The page is parsed once: the metadata is read from the same lxml tree trafilatura extracts from.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import datetime, timezone
from email.utils import parsedate_to_datetime
from urllib.parse import urljoin, urlsplit

import trafilatura
from htmldate import find_date
from lxml.html import HtmlElement
from trafilatura import metadata as trafilatura_metadata

from newsfacts.extractors.charset import decode_body
from newsfacts.extractors.dedup import same_site


@dataclass(frozen=True)
class Article:
    title: str | None
    text: str                   # main text, boilerplate removed, paragraphs separated by "\n\n"
    published_at: str | None    # ISO 8601 date or datetime
    author: str | None
    url: str | None             # canonical URL from the page, else the URL given
    site_name: str | None = None  # og:site_name / application-name: who published it


class ArticleError(ValueError):
    """Empty or unextractable page."""


# Pages beyond this are cut: real articles are far smaller, and parsing cost grows with size.
MAX_HTML_CHARS = 3_000_000
_TRAFILATURA_OPTIONS = dict(
    include_comments=False,
    include_tables=True,
    # No justext/readability fallback: it is quadratic in the number of paragraphs (16 s on a
    # page of 10,000 blocks) and changed nothing on fixtures/articles/.
    fast=True,
)
# Dates the page declares only; the page-wide heuristic search costs seconds on big pages.
_DATE_SEARCH = {"extensive_search": False, "original_date": True}
_TITLE_SEPARATORS = (" | ", " - ", " — ", " – ", " · ", " :: ")
_MAX_SITE_SUFFIX_WORDS = 4
_WHITESPACE = re.compile(r"\s+")


def extract_article(html: str | bytes, url: str | None = None) -> Article:
    markup = _decode(html)[:MAX_HTML_CHARS]
    if not markup.strip():
        raise ArticleError("empty page")

    try:
        tree = trafilatura.load_html(markup)
        # trafilatura works on its own copy of the tree: ours stays whole for the metadata.
        document = trafilatura.bare_extraction(tree, url=url, **_TRAFILATURA_OPTIONS) if tree is not None else None
        blocks = _blocks(document.body) if document is not None and document.body is not None else []
        if not blocks:
            raise ArticleError("no main text found on the page")
        metadata = _page_metadata(tree)
        metadata.update(_guesses(tree, metadata, url))
        site_name = metadata.get("site_name")
        title = _title(tree, metadata, site_name) or _clean(trafilatura_metadata.extract_title(tree))
    except ArticleError:
        raise
    except Exception as error:  # trafilatura/lxml failures on hostile markup: report, don't crash
        raise ArticleError(f"unextractable page: {type(error).__name__}: {error}") from error
    author = metadata.get("author")
    text = "\n\n".join(_without_boilerplate(blocks, title, author))
    if not text:
        raise ArticleError("no main text found on the page")
    return Article(
        title=title,
        text=text,
        published_at=metadata.get("published_at"),
        author=author,
        url=_canonical_url(metadata, url),
        site_name=site_name,
    )


def _decode(html: str | bytes) -> str:
    if isinstance(html, str):
        return html
    if html.isascii():  # every ASCII-compatible encoding reads these bytes alike
        return html.decode("ascii")
    return decode_body(html, "text/html")


# --- main text -----------------------------------------------------------------------------

def _blocks(body) -> list[str]:
    """trafilatura's XML body → text blocks (paragraphs, headings, lists, tables).

    Lists become "- item" lines and tables "| cell | cell |" lines, one block each, so the
    fact extractor still sees which figure belongs to which row. One-row tables are page
    layout, not data.
    """
    blocks: list[str] = []
    for element in body:
        if element.tag == "list":
            items = (_text_of(item) for item in element.iter("item"))
            block = "\n".join(f"- {text}" for text in items if text)
        elif element.tag == "table":
            rows = [_table_row(row) for row in element.iter("row") if _text_of(row)]
            block = "\n".join(rows) if len(rows) > 1 else ""
        else:  # head, p, quote, code
            block = _text_of(element)
        if block:
            blocks.append(block)
    return blocks


# Boilerplate trafilatura lets through, recognised by its wording: link lead-ins ("Also read:",
# "Related articles"), sign-up boxes and copyright lines. Only short blocks qualify.
_LEAD_IN = re.compile(
    r"^(also read|read more|read next|related( articles| stories| posts)?|recommended( for you)?|"
    r"see also|more from)\b\s*[:→—-]", re.IGNORECASE)
_SIGN_UP = re.compile(r"\b(newsletter|subscribe|sign up|sign-up|unsubscribe)\b", re.IGNORECASE)
_COPYRIGHT = re.compile(r"^(©|\(c\)|copyright\b)|\ball rights reserved\b", re.IGNORECASE)
_MAX_BOILERPLATE_WORDS = 60
_MAX_KICKER_WORDS = 4


def _without_boilerplate(blocks: list[str], title: str | None, author: str | None) -> list[str]:
    kept = _after_headline(blocks, title)
    return [
        block for block in kept
        if not (len(block.split()) <= _MAX_BOILERPLATE_WORDS and (
            _LEAD_IN.match(block) or _SIGN_UP.search(block) or _COPYRIGHT.search(block)
            or (author and block.startswith(author + " ")))  # the author's bio
        )
    ]


def _after_headline(blocks: list[str], title: str | None) -> list[str]:
    """Drop the headline repeated at the top of the text, and a short kicker above it."""
    if not title:
        return blocks
    for index, block in enumerate(blocks[:3]):
        if block == title or block.startswith(title + " - "):
            if all(len(b.split()) <= _MAX_KICKER_WORDS for b in blocks[:index]):
                return blocks[index + 1:]
            return blocks[:index] + blocks[index + 1:]
    return blocks


def _table_row(row) -> str:
    return "| " + " | ".join(_text_of(cell) for cell in row.iter("cell")) + " |"


def _text_of(element) -> str:
    return _WHITESPACE.sub(" ", "".join(element.itertext())).strip()


# --- metadata ------------------------------------------------------------------------------

_DATE_META = ("article:published_time", "og:published_time", "datepublished", "pubdate",
              "publishdate", "date", "dc.date", "dc.date.issued", "parsely-pub-date",
              "sailthru.date")


def _page_metadata(tree: HtmlElement) -> dict[str, str]:
    """What the page declares about itself (values are untrusted text; only stored)."""
    meta: dict[str, str] = {}
    for tag in tree.iter("meta"):
        key = (tag.get("property") or tag.get("name") or tag.get("itemprop") or "").strip().lower()
        value = _clean(tag.get("content"))
        if key and value and key not in meta:
            meta[key] = value
    linked = _json_ld_article(tree)

    found: dict[str, str] = {}
    for candidate in [meta.get(key) for key in _DATE_META] + [
        linked.get("datePublished"), _first_time_datetime(tree)
    ]:
        date = _iso_date(candidate)
        if date:
            found["published_at"] = date
            break

    rel_author = _first(tree, ".//a" + _HAS_REL.format("author"))
    for candidate in (meta.get("author"), _json_ld_author(linked.get("author")),
                      _text(rel_author) if rel_author is not None else None, meta.get("article:author")):
        author = _clean(candidate)
        if author and not author.startswith(("http://", "https://")):
            found["author"] = author
            break

    for key, source in (("og_title", "og:title"), ("site_name", "og:site_name"),
                        ("og_url", "og:url")):
        if meta.get(source):
            found[key] = meta[source]
    if not found.get("site_name") and meta.get("application-name"):
        found["site_name"] = meta["application-name"]
    canonical = _first(tree, ".//link[@href]" + _HAS_REL.format("canonical"))
    if canonical is not None:
        found["canonical"] = _clean(canonical.get("href"))
    return found


def _guesses(tree: HtmlElement, declared: dict[str, str], url: str | None) -> dict[str, str]:
    """trafilatura's guesses for what the page does not declare, piece by piece as its own
    metadata pass makes them: that whole pass costs more than the text extraction (its author
    search alone about 2 ms a page), and most pages declare most of it."""
    found: dict[str, str] = {}
    missing = [key for key in ("author", "published_at", "site_name") if not declared.get(key)]
    if not missing:
        return found
    guessed = trafilatura_metadata.examine_meta(tree)   # meta tags it knows beyond ours
    guessed = trafilatura_metadata.extract_meta_json(tree, guessed)
    page_url = guessed.url or trafilatura_metadata.extract_url(tree, url)
    if "author" in missing:
        author = guessed.author if guessed.author and " " in guessed.author else None
        author = _clean(author or trafilatura_metadata.extract_author(tree))
        if author:
            found["author"] = author
    if "published_at" in missing:
        date = _iso_date(find_date(tree, url=page_url, **_DATE_SEARCH))
        if date:
            found["published_at"] = date
    if "site_name" in missing:
        name = guessed.sitename or trafilatura_metadata.extract_sitename(tree)
        name = _clean(name.lstrip("@")) if name else None
        if name and "." not in name and not name[0].isupper():
            name = name.title()
        match = trafilatura_metadata.META_URL.match(page_url or "") if not name else None
        name = name or (match[1] if match else None)
        if name:
            found["site_name"] = name
    return found


# rel holds a space-separated list of link types
_HAS_REL = "[contains(concat(' ', normalize-space(@rel), ' '), ' {} ')]"


def _first(tree: HtmlElement, path: str) -> HtmlElement | None:
    found = tree.xpath(path)
    return found[0] if found else None


def _text(element: HtmlElement) -> str:
    return " ".join(element.itertext())


def _json_ld_article(tree: HtmlElement) -> dict:
    """The first JSON-LD object (top level, list or @graph) that has a datePublished or author."""
    for script in tree.xpath(".//script[@type='application/ld+json']"):
        try:
            data = json.loads(script.text or "")
        except (ValueError, RecursionError):
            continue
        stack = [data]
        while stack:
            node = stack.pop(0)
            if isinstance(node, list):
                stack.extend(node)
            elif isinstance(node, dict):
                if "datePublished" in node or "author" in node:
                    return node
                stack.extend(node.get("@graph") or [])
    return {}


def _json_ld_author(author) -> str | None:
    if isinstance(author, list):
        names = [_json_ld_author(a) for a in author]
        return ", ".join(n for n in names if n) or None
    if isinstance(author, dict):
        author = author.get("name")
    return author if isinstance(author, str) else None


def _first_time_datetime(tree: HtmlElement) -> str | None:
    scope = _first(tree, ".//article")
    time_tag = _first(tree if scope is None else scope, ".//time[@datetime]")
    return time_tag.get("datetime") if time_tag is not None else None


def _iso_date(value) -> str | None:
    """A date or datetime in ISO 8601 (UTC when the zone is known); None if unreadable."""
    text = _clean(value if isinstance(value, str) else None)
    if not text:
        return None
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        try:
            parsed = parsedate_to_datetime(text)  # RFC 2822, as in some meta tags
        except (TypeError, ValueError, IndexError):
            return None
    if parsed.tzinfo is not None:
        try:
            return parsed.astimezone(timezone.utc).isoformat()
        except OverflowError:  # 9999-12-31T23:59:59-05:00 is past the calendar's end in UTC
            return None
    if len(text) <= 10:  # a plain date
        return parsed.date().isoformat()
    return parsed.isoformat()


def _title(tree: HtmlElement, metadata: dict[str, str], site_name: str | None) -> str | None:
    if metadata.get("og_title"):
        return _trim_site_name(metadata["og_title"], site_name, guess=False)
    h1 = _first(tree, ".//h1")
    if h1 is not None and _clean(_text(h1)):
        return _clean(_text(h1))
    title = _first(tree, ".//title")
    if title is not None and _clean(_text(title)):
        return _trim_site_name(_clean(_text(title)), site_name, guess=True)
    return None


def _trim_site_name(title: str, site_name: str | None, *, guess: bool) -> str:
    """Drop a " | Site" suffix: the declared site name, or (for <title>) a short last segment."""
    for separator in _TITLE_SEPARATORS:
        if separator not in title:
            continue
        head, suffix = title.rsplit(separator, 1)
        is_site = (site_name and suffix.strip().lower() == site_name.strip().lower()) or (
            guess and len(suffix.split()) <= _MAX_SITE_SUFFIX_WORDS
        )
        if is_site and head.strip():
            return head.strip()
    return title


def _canonical_url(metadata: dict[str, str], url: str | None) -> str | None:
    """The page's own canonical URL, if it is on the site the page came from: a page may not
    claim (and so overwrite) an article of another site."""
    for candidate in (metadata.get("canonical"), metadata.get("og_url")):
        if candidate:
            try:
                absolute = urljoin(url or "", candidate)
                scheme = urlsplit(absolute).scheme
            except ValueError:
                continue
            if scheme in ("http", "https") and (url is None or same_site(absolute, url)):
                return absolute
    return url


def _clean(value) -> str | None:
    if not isinstance(value, str):
        return None
    return _WHITESPACE.sub(" ", value).strip() or None
