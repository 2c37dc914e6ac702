"""Newsrooms without a feed: post links from an index page (CSS selector) or a sitemap.xml."""

from __future__ import annotations

import zlib
from urllib.parse import urldefrag, urljoin, urlsplit

from bs4 import BeautifulSoup
from lxml import etree
from soupsieve import SelectorSyntaxError

from newsfacts.extractors.dedup import same_site as is_same_site

_MAX_SITEMAP_BYTES = 50_000_000  # the sitemap protocol's own limit (uncompressed)


def extract_links(html: str | bytes, base_url: str, selector: str, *, same_site: bool = True) -> list[str]:
    """Absolute http(s) URLs of the elements matching `selector`, in page order, without repeats.

    A matched element that is not a link contributes its first descendant `a[href]` (so
    `article.post-card` works as well as `article.post-card a.post-link`). With `same_site`,
    links to other sites (subdomains of the same site count as the same site) are dropped.
    """
    soup = BeautifulSoup(html, "lxml")
    try:
        matches = soup.select(selector)
    except SelectorSyntaxError as error:
        raise ValueError(f"invalid CSS selector {selector!r}: {error}") from error

    links: list[str] = []
    seen: set[str] = set()  # a list scan per link made pages with 100k links take minutes
    for element in matches:
        anchor = element if element.has_attr("href") else element.find("a", href=True)
        if anchor is None:
            continue
        url = _absolute_http_url(str(anchor["href"]), base_url)
        if url is None or url in seen:
            continue
        if same_site and not is_same_site(url, base_url):
            continue
        seen.add(url)
        links.append(url)
    return links


def parse_sitemap(body: bytes) -> list[tuple[str, str | None]]:
    """(loc, lastmod) of every entry of a urlset or a sitemapindex (gzip accepted).

    Index entries are child sitemaps; the caller fetches and parses those in turn.
    Malformed XML is parsed as far as it goes; entries without an http(s) loc are skipped.
    """
    body = _gunzip(body) if body[:2] == b"\x1f\x8b" else body
    parser = etree.XMLParser(recover=True, resolve_entities=False, no_network=True, huge_tree=False)
    try:
        root = etree.fromstring(body, parser)
    except etree.XMLSyntaxError:
        return []
    if root is None:
        return []

    entries: list[tuple[str, str | None]] = []
    for element in root.iter():
        if _local_name(element) not in ("url", "sitemap"):
            continue
        fields = {_local_name(child): (child.text or "").strip() for child in element}
        loc = fields.get("loc", "")
        if urlsplit(loc).scheme in ("http", "https"):
            entries.append((loc, fields.get("lastmod") or None))
    return entries


def _gunzip(body: bytes) -> bytes:
    decompressor = zlib.decompressobj(16 + zlib.MAX_WBITS)
    try:
        data = decompressor.decompress(body, _MAX_SITEMAP_BYTES)
    except zlib.error as error:
        raise ValueError(f"corrupt gzip sitemap: {error}") from error
    if decompressor.unconsumed_tail:
        raise ValueError(f"sitemap larger than {_MAX_SITEMAP_BYTES} bytes uncompressed")
    return data


def _local_name(element) -> str:
    tag = element.tag
    return etree.QName(tag).localname if isinstance(tag, str) else ""


def _absolute_http_url(href: str, base_url: str) -> str | None:
    href = href.strip()
    if not href or href.startswith("#"):
        return None
    try:
        url, _fragment = urldefrag(urljoin(base_url, href))
        parts = urlsplit(url)
    except ValueError:
        return None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return None  # mailto:, javascript:, tel:, data:
    return url
