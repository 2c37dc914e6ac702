"""Bulk, transactional, idempotent loading: runs, sources, fetch log, validators, articles, facts.

Every loader stages its batch as one Arrow table and writes it with one ``INSERT … SELECT …
ON CONFLICT`` per target table (no row-at-a-time loops). Keys are de-duplicated inside a batch
first (first occurrence wins). Each call is one transaction, or joins the caller's open one.
Loading the same inputs twice adds no rows.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timezone

import duckdb
import pyarrow as pa

from newsfacts.warehouse import ids
from newsfacts.warehouse.rules import measure_of, period_of

# --------------------------------------------------------------------------- helpers


def in_transaction(con: duckdb.DuckDBPyConnection) -> bool:
    """True inside an explicit transaction (autocommit gives each statement a new id).

    Probing with BEGIN would abort the caller's transaction, hence this.
    """
    probe = "SELECT txid_current()"
    return con.execute(probe).fetchall() == con.execute(probe).fetchall()


@contextmanager
def transaction(con: duckdb.DuckDBPyConnection) -> Iterator[None]:
    """Begin/commit around the block, or join the caller's transaction if one is open."""
    if in_transaction(con):
        yield  # the caller began it and will commit or roll back
        return
    con.begin()
    try:
        yield
        con.commit()
    except BaseException:
        con.rollback()
        raise


@contextmanager
def staged(con: duckdb.DuckDBPyConnection, name: str, table: pa.Table) -> Iterator[str]:
    """Expose an Arrow table to SQL under ``name`` for the duration of the block."""
    con.register(name, table)
    try:
        yield name
    finally:
        con.unregister(name)


def field_of(obj: object, name: str, default=None):
    """Read a field from a dict or any object with attributes."""
    if isinstance(obj, Mapping):
        return obj.get(name, default)
    return getattr(obj, name, default)


def utc_naive(value) -> datetime | None:
    """ISO-8601 string / datetime → naive UTC datetime (dates become midnight); else None."""
    if value is None or value == "":
        return None
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
        except ValueError:
            return None
    if not isinstance(value, datetime):  # a date
        try:
            value = datetime(value.year, value.month, value.day)
        except AttributeError:
            return None
    if value.tzinfo is not None:
        try:
            value = value.astimezone(timezone.utc).replace(tzinfo=None)
        except OverflowError:  # beyond year 9999 once in UTC
            return None
    return value


def now_utc() -> datetime:
    return datetime.now(timezone.utc).replace(tzinfo=None)


def _first_per_key(rows: list[dict], key: str) -> list[dict]:
    seen: dict = {}
    for row in rows:
        seen.setdefault(row[key], row)
    return list(seen.values())


def _json(value) -> str | None:
    return None if value is None else json.dumps(value, default=str, sort_keys=True)


# --------------------------------------------------------------------------- runs, sources, fetches


def start_run(con: duckdb.DuckDBPyConnection, *, run_id: str | None = None,
              started_at: datetime | str | None = None, **details) -> str:
    """Record a run as ``running``; ``details`` (e.g. sources_file) go into its summary."""
    started = utc_naive(started_at) or now_utc()
    run_id = run_id or f"{started:%Y%m%dT%H%M%SZ}-{uuid.uuid4().hex[:6]}"
    with transaction(con):
        con.execute(
            "INSERT INTO runs (run_id, started_at, status, summary) VALUES (?, ?, 'running', ?)"
            " ON CONFLICT (run_id) DO NOTHING",
            [run_id, started, _json(details or None)],
        )
    return run_id


def finish_run(con: duckdb.DuckDBPyConnection, run_id: str, status: str, summary: dict) -> None:
    with transaction(con):
        con.execute(
            "UPDATE runs SET finished_at = ?, status = ?, summary = ? WHERE run_id = ?",
            [now_utc(), status, _json(summary), run_id],
        )


_SOURCE_SCHEMA = pa.schema([("name", pa.string()), ("kind", pa.string()), ("url", pa.string()),
                            ("query", pa.string()), ("settings", pa.string()),
                            ("updated_at", pa.timestamp("us"))])


def upsert_sources(con: duckdb.DuckDBPyConnection, sources: Iterable) -> int:
    """Insert or update sources (dicts or objects with name, kind, url, query, settings)."""
    now = now_utc()
    rows = _first_per_key([
        {"name": field_of(s, "name"), "kind": field_of(s, "kind"), "url": field_of(s, "url"),
         "query": field_of(s, "query"), "settings": _json(field_of(s, "settings")),
         "updated_at": now}
        for s in sources], "name")
    if not rows:
        return 0
    with transaction(con), staged(con, "staged_sources", pa.Table.from_pylist(rows, _SOURCE_SCHEMA)):
        con.execute("""
            INSERT INTO sources SELECT name, kind, url, query, settings::JSON, updated_at
            FROM staged_sources
            ON CONFLICT (name) DO UPDATE SET kind = EXCLUDED.kind, url = EXCLUDED.url,
                query = EXCLUDED.query, settings = EXCLUDED.settings,
                updated_at = EXCLUDED.updated_at""")
    return len(rows)


_FETCH_SCHEMA = pa.schema([("run_id", pa.string()), ("url", pa.string()), ("source", pa.string()),
                           ("status", pa.int32()), ("error", pa.string()),
                           ("not_modified", pa.bool_()), ("bytes", pa.int64()),
                           ("elapsed_ms", pa.int32()), ("fetched_at", pa.timestamp("us"))])


def log_fetches(con: duckdb.DuckDBPyConnection, run_id: str, rows: Iterable) -> int:
    """Append fetch results (dicts or FetchResult-like objects) to fetch_log."""
    now = now_utc()
    staged_rows = []
    for r in rows:
        body = field_of(r, "body")
        size = field_of(r, "bytes", len(body) if body is not None else None)
        staged_rows.append({
            "run_id": run_id, "url": field_of(r, "url"), "source": field_of(r, "source"),
            "status": field_of(r, "status"), "error": field_of(r, "error"),
            "not_modified": bool(field_of(r, "not_modified", False)), "bytes": size,
            "elapsed_ms": field_of(r, "elapsed_ms"),
            "fetched_at": utc_naive(field_of(r, "fetched_at")) or now,
        })
    if not staged_rows:
        return 0
    table = pa.Table.from_pylist(staged_rows, _FETCH_SCHEMA)
    with transaction(con), staged(con, "staged_fetches", table):
        con.execute("INSERT INTO fetch_log SELECT * FROM staged_fetches")
    return len(staged_rows)


def load_validators(con: duckdb.DuckDBPyConnection) -> dict[str, tuple[str | None, str | None]]:
    """url → (etag, last_modified), the shape ``Fetcher(validators=…)`` takes."""
    return {url: (etag, modified) for url, etag, modified
            in con.execute("SELECT url, etag, last_modified FROM http_cache").fetchall()}


def save_validators(con: duckdb.DuckDBPyConnection,
                    validators: Mapping[str, tuple[str | None, str | None]]) -> int:
    rows = [{"url": url, "etag": etag, "last_modified": modified, "updated_at": now_utc()}
            for url, (etag, modified) in validators.items() if etag or modified]
    if not rows:
        return 0
    schema = pa.schema([("url", pa.string()), ("etag", pa.string()),
                        ("last_modified", pa.string()), ("updated_at", pa.timestamp("us"))])
    with transaction(con), staged(con, "staged_validators", pa.Table.from_pylist(rows, schema)):
        con.execute("""
            INSERT INTO http_cache SELECT * FROM staged_validators
            ON CONFLICT (url) DO UPDATE SET etag = EXCLUDED.etag,
                last_modified = EXCLUDED.last_modified, updated_at = EXCLUDED.updated_at
            WHERE http_cache.etag IS DISTINCT FROM EXCLUDED.etag
               OR http_cache.last_modified IS DISTINCT FROM EXCLUDED.last_modified""")
    return len(rows)


def forget_validators(con: duckdb.DuckDBPyConnection, urls: Iterable[str]) -> None:
    """Drop stored validators: the next fetch of these URLs is unconditional."""
    urls = list(urls)
    if urls:
        with transaction(con):
            con.execute("DELETE FROM http_cache WHERE url IN (SELECT unnest(?::VARCHAR[]))", [urls])


# --------------------------------------------------------------------------- articles


@dataclass(frozen=True)
class ArticleRecord:
    """An article as the flow hands it to the warehouse."""

    url: str
    canonical_url: str
    source: str | None
    publisher: str | None
    title: str | None
    text: str
    raw_html: str | None
    published_at: str | datetime | None
    author: str | None
    snippet_only: bool
    google_link: str | None
    related_urls: list[str]
    content_hash: str
    signature: list[int]
    snippet_reason: str | None = None   # why only the feed's snippet was kept


@dataclass
class LoadStats:
    new: int = 0
    unchanged: int = 0
    updated: int = 0
    duplicate: int = 0      # new URL whose content_hash is already stored under another URL
    article_ids: dict[str, str] = field(default_factory=dict)   # canonical_url → article_id
    changed_urls: set[str] = field(default_factory=set)         # new or updated: extract these


_ARTICLE_SCHEMA = pa.schema([
    ("article_id", pa.string()), ("url", pa.string()), ("canonical_url", pa.string()),
    ("source", pa.string()), ("publisher", pa.string()), ("title", pa.string()),
    ("text", pa.string()), ("raw_html", pa.string()), ("published_at", pa.timestamp("us")),
    ("author", pa.string()), ("snippet_only", pa.bool_()), ("content_hash", pa.string()),
    ("google_link", pa.string()), ("related_urls", pa.list_(pa.string())),
    ("signature", pa.list_(pa.uint64())), ("story_id", pa.string()),
    ("duplicate_of", pa.string()), ("first_seen_run", pa.string()),
    ("last_seen_run", pa.string()), ("first_seen_at", pa.timestamp("us")),
    ("updated_at", pa.timestamp("us")), ("snippet_reason", pa.string()),
])

# The columns story grouping reads, for new rows and for stored articles alike.
STORY_COLUMNS = ("article_id", "canonical_url", "url", "google_link", "title", "related_urls",
                 "signature", "story_id", "published_at")


def _article_row(record, run_id: str, now: datetime) -> dict:
    canonical = field_of(record, "canonical_url") or field_of(record, "url")
    signature = field_of(record, "signature") or []
    if isinstance(signature, int):
        signature = [signature]
    return {
        "article_id": ids.article_id(canonical), "url": field_of(record, "url") or canonical,
        "canonical_url": canonical, "source": field_of(record, "source"),
        "publisher": field_of(record, "publisher"), "title": field_of(record, "title"),
        "text": field_of(record, "text") or "", "raw_html": field_of(record, "raw_html"),
        "published_at": utc_naive(field_of(record, "published_at")),
        "author": field_of(record, "author"),
        "snippet_only": bool(field_of(record, "snippet_only", False)),
        "content_hash": field_of(record, "content_hash"),
        "google_link": field_of(record, "google_link"),
        "related_urls": list(field_of(record, "related_urls") or []),
        "signature": [int(v) for v in signature], "story_id": None, "duplicate_of": None,
        "first_seen_run": run_id, "last_seen_run": run_id, "first_seen_at": now, "updated_at": now,
        "snippet_reason": field_of(record, "snippet_reason"),
    }


@dataclass
class ArticlePlan:
    """What loading a batch of articles will do, decided by content hash before any extraction.

    ``rows`` hold one row per article id (first occurrence wins); ``stats`` counts new,
    updated, unchanged and duplicate articles and names the changed ones (the only ones whose
    facts need extracting). ``new_rows`` are the new, non-duplicate articles story grouping
    places.
    """

    rows: list[dict]
    stats: LoadStats

    @property
    def new_rows(self) -> list[dict]:
        return [row for row in self.rows if row["change"] == "new"]


def plan_articles(con: duckdb.DuckDBPyConnection, records: Iterable, *, run_id: str = "",
                  now: datetime | None = None) -> ArticlePlan:
    """Classify records against the stored articles: new, updated, unchanged (same content
    hash as stored) or duplicate (a new URL whose content hash another article holds)."""
    now = now or now_utc()
    rows = _first_per_key([_article_row(r, run_id, now) for r in records], "article_id")
    stats = LoadStats(article_ids={r["canonical_url"]: r["article_id"] for r in rows})
    if not rows:
        return ArticlePlan(rows, stats)
    stored = {
        article_id: (content_hash, story_id)
        for article_id, content_hash, story_id in con.execute(
            "SELECT article_id, content_hash, story_id FROM article_rows"
            " WHERE article_id IN (SELECT unnest(?::VARCHAR[]))",
            [[r["article_id"] for r in rows]]).fetchall()
    }
    holder_of_hash = dict(con.execute(
        "SELECT content_hash, min(article_id) FROM article_rows"
        " WHERE content_hash IN (SELECT unnest(?::VARCHAR[])) GROUP BY content_hash",
        [[r["content_hash"] for r in rows if r["content_hash"]]]).fetchall())

    for row in rows:
        if row["article_id"] in stored:
            old_hash, row["story_id"] = stored[row["article_id"]]
            if old_hash == row["content_hash"]:
                row["change"] = "unchanged"
                stats.unchanged += 1
            else:
                row["change"] = "updated"
                stats.updated += 1
                stats.changed_urls.add(row["canonical_url"])
            continue
        holder = holder_of_hash.get(row["content_hash"]) if row["content_hash"] else None
        if holder is not None:
            row["change"], row["duplicate_of"] = "duplicate", holder
            stats.duplicate += 1
        else:
            row["change"] = "new"
            stats.new += 1
            stats.changed_urls.add(row["canonical_url"])
            if row["content_hash"]:
                holder_of_hash[row["content_hash"]] = row["article_id"]
    return ArticlePlan(rows, stats)


def story_rows(con: duckdb.DuckDBPyConnection, article_ids: Iterable[str] | None = None) -> list[dict]:
    """Stored articles (duplicates aside) with the columns story grouping reads, oldest first;
    with `article_ids`, only those and every other article of their stories."""
    query = f"SELECT {', '.join(STORY_COLUMNS)} FROM article_rows WHERE duplicate_of IS NULL"
    order = " ORDER BY first_seen_at, published_at NULLS LAST, article_id"
    if article_ids is None:
        return [dict(zip(STORY_COLUMNS, values)) for values in con.execute(query + order).fetchall()]
    chosen = pa.table({"article_id": pa.array(sorted(set(article_ids)), pa.string())})
    with staged(con, "staged_story_ids", chosen):
        return [dict(zip(STORY_COLUMNS, values)) for values in con.execute(
            query + " AND (article_id IN (SELECT article_id FROM staged_story_ids) OR story_id IN"
            " (SELECT story_id FROM article_rows JOIN staged_story_ids USING (article_id)))" + order).fetchall()]


def story_key_matches(con: duckdb.DuckDBPyConnection, probes: Iterable[tuple[int, int]]) -> tuple[pa.Table, pa.Table]:
    """The stored articles (duplicates aside) filed under the probes' keys (save_story_keys),
    probes being (probe, key): the (probe, article_id) pairs, and each matched article's
    (article_id, signature) once."""
    probes = list(probes)
    table = pa.table({"probe": pa.array([probe for probe, _ in probes], pa.int64()),
                      "key": pa.array([key for _, key in probes], pa.int64())})
    with staged(con, "staged_probes", table):
        con.execute("CREATE OR REPLACE TEMP TABLE story_hits AS SELECT DISTINCT p.probe, k.article_id"
                    " FROM staged_probes p JOIN story_keys k USING (key)"
                    " JOIN article_rows a USING (article_id) WHERE a.duplicate_of IS NULL")
    try:
        pairs = con.sql("SELECT probe, article_id FROM story_hits").to_arrow_table()
        signatures = con.sql("SELECT article_id, signature FROM article_rows"
                                 " WHERE article_id IN (SELECT article_id FROM story_hits)").to_arrow_table()
    finally:
        con.execute("DROP TABLE story_hits")
    return pairs, signatures


# What an article's story keys are computed from: a change to any of these files them anew.
# (DuckDB's hash: should a new version hash otherwise, every article is filed once more.)
_STORY_FINGERPRINT = "hash(canonical_url, url, google_link, title, related_urls, signature)"


def unkeyed_story_rows(con: duckdb.DuckDBPyConnection) -> list[dict]:
    """Queued articles (story_queue: what loading wrote since story grouping last ran; not
    duplicates) whose story keys are missing or out of date, with their fingerprint. Queued
    articles that need nothing leave the queue; the others leave it when save_story_keys files
    them."""
    with transaction(con):
        rows = [dict(zip((*STORY_COLUMNS, "fingerprint"), values)) for values in con.execute(
            f"SELECT {', '.join(STORY_COLUMNS)}, {_STORY_FINGERPRINT} AS fingerprint"
            " FROM article_rows a WHERE a.article_id IN (SELECT article_id FROM story_queue)"
            " AND duplicate_of IS NULL AND NOT EXISTS (SELECT 1 FROM story_keyed k"
            f" WHERE k.article_id = a.article_id AND k.fingerprint = {_STORY_FINGERPRINT})").fetchall()]
        con.execute("DELETE FROM story_queue WHERE article_id NOT IN (SELECT unnest(?::VARCHAR[]))",
                    [[row["article_id"] for row in rows]])
    return rows


def save_story_keys(con: duckdb.DuckDBPyConnection, keyed: Mapping[str, tuple[int, Iterable[int]]]) -> None:
    """File articles under their story keys: article id → (fingerprint, keys), replacing what
    was filed for them before."""
    if not keyed:
        return
    ids = pa.array(list(keyed), pa.string())
    pairs = [(key, article_id) for article_id, (_, keys) in keyed.items() for key in keys]
    with transaction(con):
        con.register("_keyed", pa.table({"article_id": ids,
                                         "fingerprint": pa.array([fingerprint for fingerprint, _ in keyed.values()],
                                                                pa.uint64())}))
        con.register("_keys", pa.table({"key": pa.array([k for k, _ in pairs], pa.int64()),
                                        "article_id": pa.array([a for _, a in pairs], pa.string())}))
        try:
            con.execute("DELETE FROM story_keys WHERE article_id IN (SELECT article_id FROM _keyed)")
            con.execute("DELETE FROM story_keyed WHERE article_id IN (SELECT article_id FROM _keyed)")
            con.execute("DELETE FROM story_queue WHERE article_id IN (SELECT article_id FROM _keyed)")
            con.execute("INSERT INTO story_keyed SELECT article_id, fingerprint FROM _keyed")
            con.execute("INSERT INTO story_keys SELECT key, article_id FROM _keys")
        finally:
            con.unregister("_keyed")
            con.unregister("_keys")


def load_articles(con: duckdb.DuckDBPyConnection, run_id: str, records: Iterable,
                  *, stories: Mapping[str, str] | None = None) -> LoadStats:
    """Insert new articles, update changed ones, mark the rest as seen.

    ``records`` are :class:`ArticleRecord`, dicts or objects with the same fields.
    ``stories`` maps article ids to story ids, as story grouping (a stage before this one,
    in flows/) decided: new articles not in it start a story of their own; stored articles in
    it move to the given story (two stories merged). A duplicate follows the story of the
    article it duplicates.
    """
    now = now_utc()
    stories = stories or {}
    with transaction(con):
        plan = plan_articles(con, records, run_id=run_id, now=now)
        rows, stats = plan.rows, plan.stats
        if not rows:
            return stats
        fresh = [row for row in rows if row["change"] in ("new", "duplicate")]
        for row in plan.new_rows:
            row["story_id"] = stories.get(row["article_id"], row["article_id"])
        for row in fresh:  # a duplicate follows the story of the article it duplicates
            if row["duplicate_of"] is not None:
                row["story_id"] = _story_of(con, row["duplicate_of"], fresh)
        fresh_ids = {row["article_id"] for row in fresh}
        merged = {doc: story for doc, story in stories.items() if doc not in fresh_ids}

        _write_stories(con, fresh, run_id, now)
        unchanged = {row["article_id"] for row in rows if row["change"] == "unchanged"}
        if unchanged:  # same text: its small fields are refreshed, the text and raw HTML stay
            same = pa.Table.from_pylist([{k: row[k] for k in _ARTICLE_SCHEMA.names} for row in rows
                                         if row["article_id"] in unchanged], _ARTICLE_SCHEMA)
            with staged(con, "staged_unchanged", same):
                con.execute("""
                    UPDATE article_rows SET url = s.url, title = s.title,
                        publisher = coalesce(s.publisher, article_rows.publisher),
                        published_at = s.published_at, author = s.author, google_link = s.google_link,
                        related_urls = s.related_urls, last_seen_run = s.last_seen_run
                    FROM staged_unchanged s WHERE article_rows.article_id = s.article_id""")
        table = pa.Table.from_pylist([{k: row[k] for k in _ARTICLE_SCHEMA.names} for row in rows
                                      if row["article_id"] not in unchanged], _ARTICLE_SCHEMA)
        with staged(con, "staged_articles", table):
            con.execute("""
                INSERT INTO article_rows SELECT * FROM staged_articles
                ON CONFLICT (article_id) DO UPDATE SET
                    url = EXCLUDED.url, source = coalesce(EXCLUDED.source, article_rows.source),
                    publisher = coalesce(EXCLUDED.publisher, article_rows.publisher),
                    title = EXCLUDED.title, text = EXCLUDED.text,
                    raw_html = EXCLUDED.raw_html, published_at = EXCLUDED.published_at,
                    author = EXCLUDED.author, snippet_only = EXCLUDED.snippet_only,
                    snippet_reason = EXCLUDED.snippet_reason,
                    content_hash = EXCLUDED.content_hash, google_link = EXCLUDED.google_link,
                    related_urls = EXCLUDED.related_urls, signature = EXCLUDED.signature,
                    last_seen_run = EXCLUDED.last_seen_run,
                    updated_at = CASE WHEN article_rows.content_hash IS DISTINCT FROM
                        EXCLUDED.content_hash THEN EXCLUDED.updated_at ELSE article_rows.updated_at END""")
        # story grouping files these articles' keys next time (migration 008)
        con.execute("INSERT INTO story_queue SELECT unnest(?::VARCHAR[]) ON CONFLICT DO NOTHING",
                    [sorted({row["article_id"] for row in rows})])
        if merged:
            moves = pa.table({"article_id": list(merged), "story_id": list(merged.values())})
            with staged(con, "staged_story_moves", moves):
                # a key's independent sources are its stories: its conflict is evaluated again
                queue_keys(con, """
                    SELECT f.key_id FROM fact_rows f JOIN article_rows a USING (article_id)
                    JOIN staged_story_moves m USING (article_id)
                    WHERE a.story_id IS DISTINCT FROM m.story_id""")
                con.execute("""
                    UPDATE article_rows SET story_id = m.story_id FROM staged_story_moves m
                    WHERE article_rows.article_id = m.article_id
                      AND article_rows.story_id IS DISTINCT FROM m.story_id""")
    return stats


def _story_of(con, article_id: str, fresh: list[dict]) -> str:
    for row in fresh:
        if row["article_id"] == article_id:
            return row["story_id"]
    found = con.execute("SELECT story_id FROM article_rows WHERE article_id = ?", [article_id]).fetchall()
    return (found and found[0][0]) or article_id


def _write_stories(con, fresh: list[dict], run_id: str, now: datetime) -> None:
    by_story: dict[str, dict] = {}
    for row in fresh:  # the story's own article gives the title when present
        current = by_story.get(row["story_id"])
        if current is None or row["article_id"] == row["story_id"]:
            by_story[row["story_id"]] = {"story_id": row["story_id"], "title": row["title"],
                                         "first_seen": now, "first_seen_run": run_id}
    if not by_story:
        return
    schema = pa.schema([("story_id", pa.string()), ("title", pa.string()),
                        ("first_seen", pa.timestamp("us")), ("first_seen_run", pa.string())])
    with staged(con, "staged_stories", pa.Table.from_pylist(list(by_story.values()), schema)):
        con.execute("INSERT INTO story_rows SELECT * FROM staged_stories ON CONFLICT DO NOTHING")


@dataclass(frozen=True)
class StoredArticle:
    article_id: str
    url: str
    title: str | None
    text: str
    raw_html: str | None
    published_at: datetime | None


def stored_articles(con: duckdb.DuckDBPyConnection,
                    article_ids: Iterable[str] | None = None) -> list[StoredArticle]:
    """Articles as stored (text and raw HTML), for re-extraction."""
    sql = "SELECT article_id, url, title, text, raw_html, published_at FROM article_rows"
    params = []
    if article_ids is not None:
        sql += " WHERE article_id IN (SELECT unnest(?::VARCHAR[]))"
        params = [list(article_ids)]
    return [StoredArticle(*row) for row in con.execute(sql + " ORDER BY article_id", params).fetchall()]


def update_article_texts(con: duckdb.DuckDBPyConnection, texts: Mapping[str, str],
                         hasher: Callable[[str], str]) -> int:
    """Replace stored article texts (re-extraction from raw HTML); returns how many changed."""
    rows = [{"article_id": article_id, "text": text, "content_hash": hasher(text)}
            for article_id, text in texts.items()]
    if not rows:
        return 0
    schema = pa.schema([("article_id", pa.string()), ("text", pa.string()), ("content_hash", pa.string())])
    with transaction(con), staged(con, "staged_texts", pa.Table.from_pylist(rows, schema)):
        changed = con.execute("""
            SELECT count(*) FROM article_rows a JOIN staged_texts t USING (article_id)
            WHERE a.text IS DISTINCT FROM t.text""").fetchall()[0][0]
        con.execute("""
            UPDATE article_rows SET text = t.text, content_hash = t.content_hash, updated_at = ?
            FROM staged_texts t
            WHERE article_rows.article_id = t.article_id AND article_rows.text IS DISTINCT FROM t.text""",
            [now_utc()])
    return changed


# --------------------------------------------------------------------------- facts


def queue_keys(con: duckdb.DuckDBPyConnection, select_sql: str, params: list | None = None) -> None:
    """Queue the conflict keys ``select_sql`` returns (one column) for the next conflict
    detection, which re-evaluates only queued keys (migration 006)."""
    con.execute(f"INSERT INTO conflict_queue SELECT DISTINCT * FROM ({select_sql}) ON CONFLICT DO NOTHING",
                params or [])


def extractor_versions(con: duckdb.DuckDBPyConnection) -> list[str]:
    """The extractor versions the stored facts were made with."""
    return [v for (v,) in con.execute(
        "SELECT DISTINCT extractor_version FROM fact_rows WHERE extractor_version IS NOT NULL ORDER BY 1").fetchall()]


@dataclass
class FactStats:
    new: int = 0
    removed: int = 0
    unchanged: int = 0
    total: int = 0          # facts in the warehouse afterwards


_FACT_SCHEMA = pa.schema([
    ("fact_id", pa.string()), ("article_id", pa.string()), ("key_id", pa.string()),
    ("subject", pa.string()), ("counterparty", pa.string()), ("metric", pa.string()),
    ("value", pa.float64()), ("value_max", pa.float64()), ("unit", pa.string()),
    ("qualifier", pa.string()), ("chip_type", pa.string()), ("currency", pa.string()),
    ("amount", pa.float64()), ("as_of", pa.string()), ("sentence", pa.string()),
    ("span_start", pa.int32()), ("span_end", pa.int32()), ("confidence", pa.float64()),
    ("extracted_at", pa.timestamp("us")), ("extractor_version", pa.string()),
    ("first_seen_run", pa.string()), ("measure", pa.string()),
])


def _fact_row(article_id: str, fact, extractor_version: str, now: datetime, run_id) -> dict:
    span = field_of(fact, "span")
    if span is None:
        span = (field_of(fact, "span_start", 0), field_of(fact, "span_end", 0))
    span = (int(span[0]), int(span[1]))
    subject, counterparty = field_of(fact, "subject"), field_of(fact, "counterparty")
    metric, unit, value = field_of(fact, "metric"), field_of(fact, "unit"), field_of(fact, "value")
    chip_type = field_of(fact, "chip_type")
    as_of, sentence = field_of(fact, "as_of"), field_of(fact, "sentence")
    measure = measure_of(unit, sentence, field_of(fact, "measure"))
    return {
        "fact_id": ids.fact_id(article_id, metric, subject, counterparty, unit, value, span),
        "article_id": article_id,
        "key_id": ids.key_id(subject, counterparty, metric, unit, chip_type, measure,
                             period_of(measure, sentence)),
        "subject": subject, "counterparty": counterparty, "metric": metric,
        "value": value, "value_max": field_of(fact, "value_max"), "unit": unit,
        "qualifier": field_of(fact, "qualifier") or "exact", "chip_type": chip_type,
        "currency": field_of(fact, "currency"), "amount": field_of(fact, "amount"),
        "as_of": None if as_of is None else str(as_of), "sentence": sentence,
        "span_start": span[0], "span_end": span[1],
        "confidence": field_of(fact, "confidence", 1.0),
        "extracted_at": now, "extractor_version": extractor_version, "first_seen_run": run_id,
        "measure": measure,
    }


def replace_facts(con: duckdb.DuckDBPyConnection, facts_by_article: Mapping[str, Iterable],
                  extractor_version: str, *, run_id: str | None = None) -> FactStats:
    """Make each listed article's stored facts exactly the given ones (per-article replace).

    Facts keep their ids (hash of article, metric, subject, counterparty, unit, value, span), so
    re-extraction converges: unchanged facts stay (non-key fields refreshed), vanished ones are
    removed, new ones inserted. Articles not listed are untouched.
    """
    now = now_utc()
    rows = _first_per_key(
        [_fact_row(article_id, fact, extractor_version, now, run_id)
         for article_id, facts in facts_by_article.items() for fact in facts], "fact_id")
    article_list = list(facts_by_article)
    stats = FactStats()
    with transaction(con):
        existing = {fid for (fid,) in con.execute(
            "SELECT fact_id FROM fact_rows WHERE article_id IN (SELECT unnest(?::VARCHAR[]))",
            [article_list]).fetchall()}
        incoming = {r["fact_id"] for r in rows}
        removed = sorted(existing - incoming)
        stats.new = len(incoming - existing)
        stats.unchanged = len(incoming & existing)
        stats.removed = len(removed)
        # the keys the listed articles held and the keys they hold now: conflict detection
        # evaluates these again (a fact that moved to another key changes both)
        queue_keys(con, "SELECT key_id FROM fact_rows WHERE article_id IN (SELECT unnest(?::VARCHAR[]))",
                   [article_list])
        queue_keys(con, "SELECT unnest(?::VARCHAR[])", [sorted({r["key_id"] for r in rows})])
        if removed:
            con.execute("DELETE FROM fact_rows WHERE fact_id IN (SELECT unnest(?::VARCHAR[]))",
                        [removed])
        if rows:
            with staged(con, "staged_facts", pa.Table.from_pylist(rows, _FACT_SCHEMA)):
                con.execute("""
                    INSERT INTO fact_rows SELECT * FROM staged_facts
                    ON CONFLICT (fact_id) DO UPDATE SET
                        key_id = EXCLUDED.key_id, value_max = EXCLUDED.value_max,
                        qualifier = EXCLUDED.qualifier, chip_type = EXCLUDED.chip_type,
                        currency = EXCLUDED.currency, amount = EXCLUDED.amount,
                        as_of = EXCLUDED.as_of, sentence = EXCLUDED.sentence,
                        confidence = EXCLUDED.confidence, measure = EXCLUDED.measure,
                        extractor_version = EXCLUDED.extractor_version""")
        stats.total = con.execute("SELECT count(*) FROM fact_rows").fetchall()[0][0]
    return stats
