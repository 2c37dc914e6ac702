"""Sources configuration: `sources.toml`, one `[[source]]` table per source.

Every mistake a user can make in the file becomes one `ConfigError` whose message names the
file, the source and the key, so the CLI can print it and exit without a traceback.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from newsfacts.extractors.google_news import build_search_url

KINDS = ("google_news", "rss", "blog")
GOOGLE_NEWS_BASE_URL = "https://news.google.com"
DEFAULT_MAX_ITEMS = 40


class ConfigError(ValueError):
    """The sources file cannot be used as written."""


@dataclass(frozen=True)
class Source:
    name: str
    kind: str
    url: str | None = None            # rss, blog: the feed or index page
    query: str | None = None          # google_news
    hl: str = "en-US"
    gl: str = "US"
    ceid: str = "US:en"
    when: str | None = None           # google_news search window, e.g. "1d"
    base_url: str = GOOGLE_NEWS_BASE_URL
    link_selector: str | None = None  # blog: CSS selector for article links on the index page
    sitemap: str | None = None        # blog: optional sitemap.xml listing posts
    enabled: bool = True
    max_items: int = DEFAULT_MAX_ITEMS

    @property
    def feed_url(self) -> str:
        """The URL fetched first for this source: a feed, or a newsroom index page."""
        if self.kind == "google_news":
            return build_search_url(
                self.query or "", hl=self.hl, gl=self.gl, ceid=self.ceid, when=self.when,
                base_url=self.base_url,
            )
        return self.url or ""

    def as_row(self) -> dict:
        """The record the warehouse keeps in its `sources` table."""
        settings = {
            key: value
            for key, value in {
                "hl": self.hl, "gl": self.gl, "ceid": self.ceid, "when": self.when,
                "link_selector": self.link_selector, "sitemap": self.sitemap,
                "max_items": self.max_items,
            }.items()
            if value is not None
        }
        return {
            "name": self.name, "kind": self.kind, "url": self.feed_url, "query": self.query,
            "enabled": self.enabled, "settings": settings,
        }


@dataclass(frozen=True)
class SourcesConfig:
    path: Path | None
    sources: list[Source] = field(default_factory=list)
    user_agent: str | None = None
    timeout: float = 10.0

    @property
    def enabled(self) -> list[Source]:
        return [source for source in self.sources if source.enabled]


_SOURCE_KEYS = {
    "name", "kind", "url", "query", "hl", "gl", "ceid", "when", "base_url", "link_selector",
    "sitemap", "enabled", "max_items",
}
_SETTINGS_KEYS = {"user_agent", "timeout"}


def load_sources(path: str | Path, *, substitutions: dict[str, str] | None = None) -> SourcesConfig:
    """Read and validate a sources file.

    `substitutions` replaces `{{key}}` placeholders in the raw text before parsing; the demo
    uses it to point its sources at the fixture site's loopback address.
    """
    path = Path(path)
    try:
        raw = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(f"{path}: sources file not found") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: cannot read sources file ({exc})") from None
    for key, value in (substitutions or {}).items():
        raw = raw.replace("{{" + key + "}}", value)
    return parse_sources(raw, origin=path)


def parse_sources(text: str, *, origin: Path | None = None) -> SourcesConfig:
    where = str(origin) if origin else "sources"
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{where}: not valid TOML: {exc}") from None

    unknown_top = set(data) - {"source", "settings"}
    if unknown_top:
        raise ConfigError(f"{where}: unknown top-level key(s): {', '.join(sorted(unknown_top))}")
    tables = data.get("source", [])
    if not isinstance(tables, list) or not tables:
        raise ConfigError(f"{where}: no [[source]] tables found")

    settings = data.get("settings", {})
    unknown_settings = set(settings) - _SETTINGS_KEYS
    if unknown_settings:
        raise ConfigError(f"{where}: unknown [settings] key(s): {', '.join(sorted(unknown_settings))}")

    sources = [_parse_source(table, index, where) for index, table in enumerate(tables, start=1)]
    names = [source.name for source in sources]
    duplicates = sorted({name for name in names if names.count(name) > 1})
    if duplicates:
        raise ConfigError(f"{where}: duplicate source name(s): {', '.join(duplicates)}")

    timeout = settings.get("timeout", 10.0)
    if not isinstance(timeout, (int, float)) or timeout <= 0:
        raise ConfigError(f"{where}: [settings] timeout must be a positive number of seconds")
    return SourcesConfig(
        path=origin, sources=sources, user_agent=settings.get("user_agent"), timeout=float(timeout)
    )


def _parse_source(table: dict, index: int, where: str) -> Source:
    label = f"{where}: source #{index}"
    if not isinstance(table, dict):
        raise ConfigError(f"{label}: must be a table")
    name = table.get("name")
    if not isinstance(name, str) or not name.strip():
        raise ConfigError(f"{label}: missing 'name'")
    label = f"{where}: source {name!r}"

    unknown = set(table) - _SOURCE_KEYS
    if unknown:
        raise ConfigError(f"{label}: unknown key(s): {', '.join(sorted(unknown))}")
    kind = table.get("kind")
    if kind not in KINDS:
        raise ConfigError(f"{label}: unknown kind {kind!r} (expected one of: {', '.join(KINDS)})")

    for key in ("url", "query", "hl", "gl", "ceid", "when", "base_url", "link_selector", "sitemap"):
        if key in table and not isinstance(table[key], str):
            raise ConfigError(f"{label}: '{key}' must be a string")
    if "enabled" in table and not isinstance(table["enabled"], bool):
        raise ConfigError(f"{label}: 'enabled' must be true or false")
    max_items = table.get("max_items", DEFAULT_MAX_ITEMS)
    if not isinstance(max_items, int) or isinstance(max_items, bool) or max_items < 1:
        raise ConfigError(f"{label}: 'max_items' must be a positive integer")

    if kind == "google_news":
        if not table.get("query", "").strip():
            raise ConfigError(f"{label}: kind 'google_news' needs a 'query'")
        _check_http_url(table.get("base_url", GOOGLE_NEWS_BASE_URL), f"{label}: 'base_url'")
    else:
        if "url" not in table:
            raise ConfigError(f"{label}: kind {kind!r} needs a 'url'")
        _check_http_url(table["url"], f"{label}: 'url'")
    if kind == "blog" and not table.get("link_selector", "").strip():
        raise ConfigError(f"{label}: kind 'blog' needs a 'link_selector' (CSS selector for article links)")
    if "sitemap" in table:
        _check_http_url(table["sitemap"], f"{label}: 'sitemap'")

    fields = {key: value for key, value in table.items() if key in _SOURCE_KEYS}
    fields["max_items"] = max_items
    return Source(**fields)


def _check_http_url(url: str, label: str) -> None:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ConfigError(f"{label} must be an http(s) URL, got {url!r}")
