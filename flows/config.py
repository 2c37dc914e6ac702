"""Sources configuration: `sources.toml`, one `[[source]]` table per source.

Every mistake a user can make in the file becomes one `ConfigError` whose message names the
file, the source and the key, so the CLI can print it and exit without a traceback.
"""

from __future__ import annotations

import math
import tomllib
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from urllib.parse import urlsplit

import soupsieve

from newsfacts.extractors.google_news import build_search_url, build_top_stories_url, build_topic_url, day_slices, is_window, window_days

KINDS = ("google_news", "rss", "blog")
GOOGLE_NEWS_BASE_URL = "https://news.google.com"
DEFAULT_MAX_ITEMS = 40
# Decoding current Google News links (resolve_links): the endpoints answer browsers only.
DEFAULT_DECODE_USER_AGENT = ("Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
                             "Chrome/131.0.0.0 Safari/537.36")
DEFAULT_DECODE_RATE = 1.0        # decode requests per second, all sources together
DEFAULT_DECODE_BATCH = 20        # ids per batchexecute request


class ConfigError(ValueError):
    """The sources file cannot be used as written."""


@dataclass(frozen=True)
class Source:
    name: str
    kind: str
    url: str | None = None            # rss, blog: the feed or index page
    query: str | None = None          # google_news search
    topic: str | None = None          # google_news topic feed: TECHNOLOGY, BUSINESS, … or a CAAq… id
    top_stories: bool = False         # google_news top-stories feed
    hl: str = "en-US"
    gl: str = "US"
    ceid: str = "US:en"
    when: str | None = None           # google_news search window, e.g. "1d"
    slice: str | None = None          # google_news search: cut `when` into day slices, e.g. "1d"
    resolve_links: bool = False       # google_news: decode current links to publisher URLs
    base_url: str = GOOGLE_NEWS_BASE_URL
    link_selector: str | None = None  # blog: CSS selector for article links on the index page
    sitemap: str | None = None        # blog: optional sitemap.xml listing posts
    enabled: bool = True
    max_items: int = DEFAULT_MAX_ITEMS
    since: date | None = None         # set by `run --since`: fetch this past period once
    until: date | None = None

    @property
    def feed_url(self) -> str:
        """The URL fetched first for this source: a feed, or a newsroom index page."""
        return self.feed_urls()[0]

    @property
    def is_feed(self) -> bool:
        """A subscribed feed (fetched as a feed reader does), not a page the pipeline crawls."""
        return self.kind in ("google_news", "rss")

    def feed_urls(self, today: date | None = None) -> list[str]:
        """Every feed request of the source: one, or one per day slice (newest first)."""
        if self.kind != "google_news":
            return [self.url or ""]
        edition = dict(hl=self.hl, gl=self.gl, ceid=self.ceid, base_url=self.base_url)
        if self.top_stories:
            return [build_top_stories_url(**edition)]
        if self.topic:
            return [build_topic_url(self.topic, **edition)]
        query = self.query or ""
        if not (self.slice or self.since):
            return [build_search_url(query, when=self.when, **edition)]
        last = self.until or today or datetime.now(timezone.utc).date()
        first = self.since or last - timedelta(days=window_days(self.when or "") - 1)
        days = window_days(self.slice or "1d")
        return [build_search_url(query, days=days_slice, **edition) for days_slice in day_slices(first, last, days)]

    def as_row(self) -> dict:
        """The record the warehouse keeps in its `sources` table."""
        settings = {
            key: value
            for key, value in {
                "hl": self.hl, "gl": self.gl, "ceid": self.ceid, "when": self.when,
                "link_selector": self.link_selector, "sitemap": self.sitemap,
                "max_items": self.max_items, "topic": self.topic, "slice": self.slice,
                "top_stories": self.top_stories or None, "resolve_links": self.resolve_links or None,
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
    decode_user_agent: str = DEFAULT_DECODE_USER_AGENT
    decode_rate: float = DEFAULT_DECODE_RATE
    decode_batch: int = DEFAULT_DECODE_BATCH
    alert_block: str | None = None      # Prefect notification block "type-slug/name" (flows.alerts)
    alert_min_usd: float = 1e9          # new money facts from this size on are alerted
    alert_min_watts: float = 1e9        # new power facts from this size on are alerted
    allow_private_addresses: bool = False  # fetch links that lead to private/loopback addresses

    @property
    def enabled(self) -> list[Source]:
        return [source for source in self.sources if source.enabled]

    @property
    def trusted_urls(self) -> list[str]:
        """The URLs the file itself names: their hosts may be private (an intranet, the demo)."""
        return [url for source in self.enabled for url in (source.feed_url, source.sitemap) if url]


_SOURCE_KEYS = {
    "name", "kind", "url", "query", "hl", "gl", "ceid", "when", "base_url", "link_selector",
    "sitemap", "enabled", "max_items", "topic", "top_stories", "slice", "resolve_links",
}
_SETTINGS_KEYS = {"user_agent", "timeout", "decode_user_agent", "decode_rate", "decode_batch",
                  "alert_block", "alert_min_usd", "alert_min_watts", "allow_private_addresses"}


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
    if not isinstance(settings, dict):
        raise ConfigError(f"{where}: [settings] must be a table")
    unknown_settings = set(settings) - _SETTINGS_KEYS
    if unknown_settings:
        raise ConfigError(f"{where}: unknown [settings] key(s): {', '.join(sorted(unknown_settings))}")

    sources = [_parse_source(table, index, where) for index, table in enumerate(tables, start=1)]
    names = [source.name for source in sources]
    duplicates = sorted({name for name in names if names.count(name) > 1})
    if duplicates:
        raise ConfigError(f"{where}: duplicate source name(s): {', '.join(duplicates)}")

    timeout = settings.get("timeout", 10.0)
    if (not isinstance(timeout, (int, float)) or isinstance(timeout, bool) or not math.isfinite(timeout)
            or timeout <= 0):
        raise ConfigError(f"{where}: [settings] timeout must be a positive, finite number of seconds")
    user_agent = settings.get("user_agent")
    if user_agent is not None and (not isinstance(user_agent, str) or not user_agent.strip()
                                   or not user_agent.isprintable()):
        raise ConfigError(f"{where}: [settings] user_agent must be a non-empty one-line string")
    allow_private = settings.get("allow_private_addresses", False)
    if not isinstance(allow_private, bool):
        raise ConfigError(f"{where}: [settings] allow_private_addresses must be true or false")
    decode_rate = settings.get("decode_rate", DEFAULT_DECODE_RATE)
    if not isinstance(decode_rate, (int, float)) or isinstance(decode_rate, bool) or decode_rate <= 0:
        raise ConfigError(f"{where}: [settings] decode_rate must be a positive number of requests per second")
    decode_batch = settings.get("decode_batch", DEFAULT_DECODE_BATCH)
    if not isinstance(decode_batch, int) or isinstance(decode_batch, bool) or decode_batch < 1:
        raise ConfigError(f"{where}: [settings] decode_batch must be a positive integer")
    decode_user_agent = settings.get("decode_user_agent", DEFAULT_DECODE_USER_AGENT)
    if not isinstance(decode_user_agent, str) or not decode_user_agent.strip():
        raise ConfigError(f"{where}: [settings] decode_user_agent must be a non-empty string")
    return SourcesConfig(
        path=origin, sources=sources, user_agent=user_agent, timeout=float(timeout),
        decode_user_agent=decode_user_agent, decode_rate=float(decode_rate), decode_batch=decode_batch,
        **_alert_settings(settings, where),
        allow_private_addresses=allow_private,
    )


def for_period(config: SourcesConfig, since: date, until: date | None = None) -> SourcesConfig:
    """The configuration for fetching a past period once (`run --since`): every Google News
    search asks for since..until (default today) in day slices; other sources are unchanged."""
    if until is not None and until < since:
        raise ConfigError(f"--until {until} is before --since {since}")
    sources = [
        replace(source, since=since, until=until) if source.kind == "google_news" and source.query else source
        for source in config.sources
    ]
    return replace(config, sources=sources)


def _alert_settings(settings: dict, where: str) -> dict:
    found = {}
    block = settings.get("alert_block")
    if block is not None:
        if not isinstance(block, str) or block.count("/") != 1 or not all(block.split("/")):
            raise ConfigError(f"{where}: [settings] alert_block must name a Prefect block as "
                              "'block-type/block-name', e.g. 'custom-webhook/newsfacts-alerts'")
        found["alert_block"] = block
    for key in ("alert_min_usd", "alert_min_watts"):
        if key in settings:
            value = settings[key]
            if isinstance(value, bool) or not isinstance(value, (int, float)) or not value >= 0:
                raise ConfigError(f"{where}: [settings] {key} must be a number, zero or more")
            found[key] = float(value)
    return found


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

    for key in ("url", "query", "hl", "gl", "ceid", "when", "base_url", "link_selector", "sitemap",
                "topic", "slice"):
        if key in table and not isinstance(table[key], str):
            raise ConfigError(f"{label}: '{key}' must be a string")
    for key in ("enabled", "top_stories", "resolve_links"):
        if key in table and not isinstance(table[key], bool):
            raise ConfigError(f"{label}: '{key}' must be true or false")
    max_items = table.get("max_items", DEFAULT_MAX_ITEMS)
    if not isinstance(max_items, int) or isinstance(max_items, bool) or max_items < 1:
        raise ConfigError(f"{label}: 'max_items' must be a positive integer")

    if kind == "google_news":
        _check_google_news(table, label)
    else:
        google_only = sorted({"topic", "top_stories", "slice", "resolve_links"} & set(table))
        if google_only:
            raise ConfigError(f"{label}: {', '.join(google_only)} only for kind 'google_news'")
        if "url" not in table:
            raise ConfigError(f"{label}: kind {kind!r} needs a 'url'")
        _check_http_url(table["url"], f"{label}: 'url'")
    if kind == "blog" and not table.get("link_selector", "").strip():
        raise ConfigError(f"{label}: kind 'blog' needs a 'link_selector' (CSS selector for article links)")
    if "link_selector" in table:
        try:
            soupsieve.compile(table["link_selector"])
        except (soupsieve.SelectorSyntaxError, NotImplementedError, ValueError) as exc:
            problem = str(exc).splitlines()[0]
            raise ConfigError(f"{label}: 'link_selector' is not a valid CSS selector ({problem})") from None
    if "sitemap" in table:
        _check_http_url(table["sitemap"], f"{label}: 'sitemap'")

    fields = {key: value for key, value in table.items() if key in _SOURCE_KEYS}
    fields["max_items"] = max_items
    return Source(**fields)


def _check_google_news(table: dict, label: str) -> None:
    feeds = [key for key in ("query", "topic") if table.get(key, "").strip()] + (
        ["top_stories"] if table.get("top_stories") else [])
    if len(feeds) != 1:
        raise ConfigError(f"{label}: kind 'google_news' needs a 'query' (a search), or else one 'topic' "
                          f"(a topic feed) or 'top_stories = true' (one of the three)")
    if feeds[0] != "query" and ("when" in table or "slice" in table):
        raise ConfigError(f"{label}: 'when' and 'slice' apply to a search ('query') only")
    if "when" in table and not is_window(table["when"]):
        raise ConfigError(f"{label}: 'when' must be a window such as \"12h\", \"1d\" or \"30d\", "
                          f"got {table['when']!r}")
    if "slice" in table:
        if window_days(table["slice"]) is None:
            raise ConfigError(f"{label}: 'slice' must be a whole number of days such as \"1d\", "
                              f"got {table['slice']!r} (after:/before: take dates, not hours)")
        if window_days(table.get("when", "")) is None:
            raise ConfigError(f"{label}: 'slice' needs 'when' in days (e.g. when = \"30d\")")
    _check_http_url(table.get("base_url", GOOGLE_NEWS_BASE_URL), f"{label}: 'base_url'")


def _check_http_url(url: str, label: str) -> None:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ConfigError(f"{label} must be an http(s) URL, got {url!r}")
