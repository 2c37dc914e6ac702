"""The Google News link cache: Google article id → publisher URL (or why it failed), across runs.

A run reads the cache before it decodes anything (`load_cache`) and writes what it learnt in the
same transaction as its articles (`save_links`): an id resolved once is never sent to Google
again, and an id that failed is tried again only once its last attempt is `RETRY_FAILED_AFTER`
old (the next nightly run), not by every run of the same day.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import timedelta

import duckdb
import pyarrow as pa

from newsfacts.warehouse.load import now_utc, staged, transaction

RETRY_FAILED_AFTER = timedelta(hours=20)

_SCHEMA = pa.schema([("google_id", pa.string()), ("publisher_url", pa.string()), ("reason", pa.string()),
                     ("attempts", pa.int32()), ("tried_at", pa.timestamp("us")), ("run_id", pa.string())])


@dataclass(frozen=True)
class LinkCache:
    resolved: dict[str, str] = field(default_factory=dict)   # google id → publisher URL
    failed: dict[str, str] = field(default_factory=dict)     # google id → reason, tried too recently


def load_cache(con: duckdb.DuckDBPyConnection) -> LinkCache:
    resolved, failed = {}, {}
    recent = now_utc() - RETRY_FAILED_AFTER
    for google_id, url, reason, tried_at in con.execute(
            "SELECT google_id, publisher_url, reason, tried_at FROM link_cache").fetchall():
        if url:
            resolved[google_id] = url
        elif tried_at >= recent:
            failed[google_id] = reason
    return LinkCache(resolved, failed)


def save_links(con: duckdb.DuckDBPyConnection, resolved: Mapping[str, str], failed: Mapping[str, str],
               run_id: str | None = None) -> int:
    """Record one run's decoding: a resolved id keeps its URL for good; a failure counts an attempt."""
    now = now_utc()
    rows = [{"google_id": gid, "publisher_url": url, "reason": None, "attempts": 1, "tried_at": now,
             "run_id": run_id} for gid, url in resolved.items()]
    rows += [{"google_id": gid, "publisher_url": None, "reason": reason, "attempts": 1, "tried_at": now,
              "run_id": run_id} for gid, reason in failed.items() if gid not in resolved]
    if not rows:
        return 0
    with transaction(con), staged(con, "staged_links", pa.Table.from_pylist(rows, _SCHEMA)):
        con.execute("""
            INSERT INTO link_cache SELECT * FROM staged_links
            ON CONFLICT (google_id) DO UPDATE SET
                publisher_url = coalesce(link_cache.publisher_url, EXCLUDED.publisher_url),
                reason = CASE WHEN coalesce(link_cache.publisher_url, EXCLUDED.publisher_url) IS NULL
                              THEN EXCLUDED.reason END,
                attempts = link_cache.attempts + 1, tried_at = EXCLUDED.tried_at, run_id = EXCLUDED.run_id""")
    return len(rows)
