"""Conflict detection: group facts by key, apply the agreement rules, keep conflict state.

A *key* is (subject, counterparty, metric, unit, chip_type for chips); its hash (``key_id`` on
every fact) is the conflict id, so the id is the same in every run. Facts without a value are
skipped. Syndicated copies (same story) count as one source: ``n_sources`` = distinct stories.
``severity`` = (max − min) / max × n_sources.

Statuses: ``open`` (found, not reviewed) → ``resolved`` / ``dismissed`` by a reviewer
(:mod:`warehouse.review`) → ``reopened`` when a fact the reviewer had not seen disagrees with
the accepted value (or, for a dismissal, with any other fact of the key). ``cleared`` = was
open, its facts no longer disagree (e.g. after re-extraction); it opens again if they do.
Rows are never deleted, so decisions survive re-runs and re-extraction.
"""

from __future__ import annotations

import itertools
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime

import duckdb
import pyarrow as pa

from newsfacts.warehouse.load import now_utc, staged, transaction
from newsfacts.warehouse.rules import (Figure, agreement, as_of_interval, classify_pair, format_figure,
                             most_serious, short_date)

# A conflict's life cycle (the conflict_status ENUM of migration 003). The SQL side asks
# needs_review(status), a macro in views.sql; a test holds the two equal.
NEEDS_REVIEW = ("open", "reopened")
DECIDED = ("resolved", "dismissed")
STATUSES = (*NEEDS_REVIEW, *DECIDED, "cleared")
MAX_REASONS = 4


@dataclass(frozen=True)
class KeyFact:
    """A fact with a value, as conflict detection sees it."""

    figure: Figure
    key_id: str
    subject: str
    counterparty: str | None
    metric: str
    unit: str
    chip_type: str | None
    source_id: str          # story id (syndicated copies share it), else article id
    published_at: datetime | None

    @property
    def fact_id(self) -> str:
        return self.figure.fact_id


@dataclass(frozen=True)
class Assessment:
    klass: str
    reason: str
    n_disagreeing_pairs: int


@dataclass(frozen=True)
class Resolution:
    resolution_id: str
    conflict_id: str
    action: str                 # accept | value | dismiss
    fact_id: str | None
    value: float | None
    unit: str | None
    note: str | None
    decided_by: str | None
    decided_at: datetime
    known_fact_ids: tuple[str, ...]


@dataclass
class ConflictSummary:
    new: int = 0                # conflicts found for the first time in this call
    open: int = 0               # needing review afterwards (open + reopened)
    resolved: int = 0           # resolved or dismissed afterwards
    reopened: int = 0           # reopened by this call
    by_class: dict[str, int] = field(default_factory=dict)   # among those needing review


# --------------------------------------------------------------------------- reading


def load_key_facts(con: duckdb.DuckDBPyConnection,
                   key_ids: list[str] | None = None) -> dict[str, list[KeyFact]]:
    """Facts with a value, grouped by key_id, in fact_id order."""
    sql = """
        SELECT f.fact_id, f.value, f.unit, f.qualifier, f.value_max, f.as_of, f.sentence,
               f.key_id, f.subject, f.counterparty, f.metric, f.chip_type,
               coalesce(a.story_id, a.article_id), a.published_at
        FROM fact_rows f JOIN article_rows a USING (article_id)
        WHERE f.value IS NOT NULL"""
    params = []
    if key_ids is not None:
        sql += " AND f.key_id IN (SELECT unnest(?::VARCHAR[]))"
        params = [key_ids]
    grouped: dict[str, list[KeyFact]] = defaultdict(list)
    for (fact_id, value, unit, qualifier, value_max, as_of, sentence, key_id, subject,
         counterparty, metric, chip_type, source_id, published_at) in con.execute(
            sql + " ORDER BY f.key_id, f.fact_id", params).fetchall():
        figure = Figure(fact_id, value, unit, qualifier or "exact", value_max, as_of, sentence or "")
        grouped[key_id].append(KeyFact(figure, key_id, subject, counterparty, metric, unit,
                                       chip_type, source_id, published_at))
    return dict(grouped)


def current_resolutions(con: duckdb.DuckDBPyConnection,
                        conflict_ids: list[str] | None = None) -> dict[str, Resolution]:
    """The latest decision per conflict."""
    sql = """
        SELECT resolution_id, conflict_id, action, fact_id, value, unit, note, decided_by,
               decided_at, known_fact_ids
        FROM resolution_rows
        QUALIFY row_number() OVER (PARTITION BY conflict_id
                                   ORDER BY decided_at DESC, resolution_id DESC) = 1"""
    rows = con.execute(sql).fetchall()
    found = {r[1]: Resolution(*r[:9], tuple(r[9] or ())) for r in rows}
    if conflict_ids is not None:
        found = {k: v for k, v in found.items() if k in set(conflict_ids)}
    return found


# --------------------------------------------------------------------------- rules over a key


def assess(facts: list[KeyFact]) -> Assessment | None:
    """Compare every pair of the key's facts; None when they all agree."""
    figures = [f.figure for f in facts]
    cache: dict[str, str | None] = {}
    verdicts = [
        classify_pair(a, b, figures, cache)
        for a, b in itertools.combinations(figures, 2)
        if not agreement(a, b).agree
    ]
    if not verdicts:
        return None
    klass = most_serious([v.klass for v in verdicts])
    reasons: list[str] = [timeline(figures)] if klass == "changed_over_time" else []
    for wanted in ("contradiction", "partial"):  # changed_over_time pairs are the timeline
        for verdict in verdicts:
            if verdict.klass == wanted and verdict.reason not in reasons:
                reasons.append(verdict.reason)
    text = "; ".join(reasons[:MAX_REASONS])
    if len(reasons) > MAX_REASONS:
        text += f" (and {len(reasons) - MAX_REASONS} more)"
    return Assessment(klass, text, len(verdicts))


def timeline(figures: list[Figure]) -> str:
    """``figures by date: up to $4B, $1.25B (2023-09) → $8B (2024-11)``."""
    by_date: dict[str | None, list[str]] = {}
    for figure in sorted(figures, key=lambda f: (as_of_interval(f.as_of) is None,
                                                 as_of_interval(f.as_of) or (), -f.value)):
        shown = by_date.setdefault(figure.as_of, [])
        if format_figure(figure) not in shown:
            shown.append(format_figure(figure))
    steps = [f"{', '.join(shown)} ({short_date(as_of)})" for as_of, shown in by_date.items()]
    return "figures by date: " + " → ".join(steps)


def n_sources(facts: list[KeyFact]) -> int:
    """Independent sources: distinct stories (syndicated copies count once)."""
    return len({f.source_id for f in facts})


def severity(facts: list[KeyFact]) -> float:
    """Relative spread (max − min) / max, times the number of independent sources."""
    low = min(f.figure.low for f in facts)
    high = max(f.figure.high for f in facts)
    spread = (high - low) / abs(high) if high else 0.0
    return round(spread * n_sources(facts), 4)


def should_reopen(resolution: Resolution, facts: list[KeyFact]) -> bool:
    """A fact the reviewer had not seen disagrees with the decision."""
    known = set(resolution.known_fact_ids)
    unseen = [f.figure for f in facts if f.fact_id not in known]
    if not unseen:
        return False
    if resolution.action in ("accept", "value"):
        accepted = Figure("accepted", resolution.value, resolution.unit or unseen[0].unit)
        return any(not agreement(f, accepted).agree for f in unseen)
    everyone = [f.figure for f in facts]
    return any(not agreement(new, other).agree
               for new in unseen for other in everyone if other.fact_id != new.fact_id)


def member_ranks(facts: list[KeyFact], resolution: Resolution | None) -> dict[str, str]:
    """Wikidata-like ranks: values agreeing with the accepted one are preferred, values the
    reviewer saw and rejected are deprecated, everything else (and dismissals) normal."""
    if resolution is None or resolution.action not in ("accept", "value"):
        return {f.fact_id: "normal" for f in facts}
    accepted = Figure("accepted", resolution.value, resolution.unit or facts[0].unit)
    known = set(resolution.known_fact_ids)
    ranks = {}
    for f in facts:
        if f.fact_id == resolution.fact_id or agreement(f.figure, accepted).agree:
            ranks[f.fact_id] = "preferred"
        else:
            ranks[f.fact_id] = "deprecated" if f.fact_id in known else "normal"
    return ranks


# --------------------------------------------------------------------------- writing state

_CONFLICT_SCHEMA = pa.schema([
    ("conflict_id", pa.string()), ("subject", pa.string()), ("counterparty", pa.string()),
    ("metric", pa.string()), ("unit", pa.string()), ("chip_type", pa.string()),
    ("status", pa.string()), ("class", pa.string()), ("severity", pa.float64()),
    ("reason", pa.string()), ("n_facts", pa.int32()), ("n_sources", pa.int32()),
    ("min_value", pa.float64()), ("max_value", pa.float64()), ("fact_ids", pa.list_(pa.string())),
    ("first_seen_run", pa.string()), ("last_seen_run", pa.string()),
    ("first_detected_at", pa.timestamp("us")), ("status_changed_at", pa.timestamp("us")),
    ("updated_at", pa.timestamp("us")),
])
_MEMBER_SCHEMA = pa.schema([("conflict_id", pa.string()), ("fact_id", pa.string()),
                            ("rank", pa.string())])


def write_members(con: duckdb.DuckDBPyConnection, ranks_by_conflict: dict[str, dict[str, str]]) -> None:
    """Replace the member rows of the given conflicts."""
    rows = [{"conflict_id": cid, "fact_id": fid, "rank": rank}
            for cid, ranks in ranks_by_conflict.items() for fid, rank in ranks.items()]
    with transaction(con):
        con.execute("DELETE FROM conflict_members WHERE conflict_id IN (SELECT unnest(?::VARCHAR[]))",
                    [list(ranks_by_conflict)])
        if rows:
            with staged(con, "staged_members", pa.Table.from_pylist(rows, _MEMBER_SCHEMA)):
                con.execute("INSERT INTO conflict_members SELECT * FROM staged_members")


def detect_conflicts(con: duckdb.DuckDBPyConnection, run_id: str | None = None) -> ConflictSummary:
    """Re-evaluate every key and update conflict state; idempotent.

    New conflicts open; decided ones stay decided unless an unseen fact disagrees
    (→ ``reopened``); open ones whose facts now agree become ``cleared``.
    """
    now = now_utc()
    with transaction(con):
        facts_by_key = load_key_facts(con)
        existing = {r[0]: dict(zip(_CONFLICT_SCHEMA.names, r)) for r in con.execute(
            f"SELECT {', '.join(_CONFLICT_SCHEMA.names)} FROM conflict_rows").fetchall()}
        resolutions = current_resolutions(con)
        summary = ConflictSummary()
        rows, ranks = [], {}
        for key in sorted(set(facts_by_key) | set(existing)):
            facts = facts_by_key.get(key, [])
            found = assess(facts) if len(facts) >= 2 else None
            previous = existing.get(key)
            if found is None and previous is None:
                continue
            status = _next_status(previous, found, resolutions.get(key), facts)
            if previous is None:
                summary.new += 1
            elif status == "reopened" and previous["status"] != "reopened":
                summary.reopened += 1
            rows.append(_conflict_row(key, facts, found, previous, status, run_id, now))
            ranks[key] = member_ranks(facts, resolutions.get(key)) if facts else {}
        if rows:
            with staged(con, "staged_conflicts", pa.Table.from_pylist(rows, _CONFLICT_SCHEMA)):
                con.execute(f"""
                    INSERT INTO conflict_rows SELECT * FROM staged_conflicts
                    ON CONFLICT (conflict_id) DO UPDATE SET
                    {', '.join(f'{c} = EXCLUDED.{c}' for c in _CONFLICT_SCHEMA.names[1:])}""")
            write_members(con, ranks)
        for status, klass in con.execute("SELECT status, class FROM conflict_rows").fetchall():
            if status in NEEDS_REVIEW:
                summary.open += 1
                summary.by_class[klass] = summary.by_class.get(klass, 0) + 1
            elif status in DECIDED:
                summary.resolved += 1
    return summary


def _next_status(previous: dict | None, found: Assessment | None,
                 resolution: Resolution | None, facts: list[KeyFact]) -> str:
    if previous is None:
        return "open"
    status = previous["status"]
    if status in DECIDED:
        return "reopened" if resolution and facts and should_reopen(resolution, facts) else status
    if found is None:
        return "cleared" if status in NEEDS_REVIEW else status
    return "open" if status == "cleared" else status


def _conflict_row(key: str, facts: list[KeyFact], found: Assessment | None, previous: dict | None,
                  status: str, run_id: str | None, now: datetime) -> dict:
    old = previous or {}
    first = facts[0] if facts else None
    changed = previous is None or previous["status"] != status
    return {
        "conflict_id": key,
        "subject": first.subject if first else old.get("subject"),
        "counterparty": first.counterparty if first else old.get("counterparty"),
        "metric": first.metric if first else old.get("metric"),
        "unit": first.unit if first else old.get("unit"),
        "chip_type": first.chip_type if first else old.get("chip_type"),
        "status": status,
        "class": found.klass if found else old.get("class"),
        "severity": severity(facts) if facts else 0.0,
        "reason": found.reason if found else old.get("reason"),
        "n_facts": len(facts),
        "n_sources": n_sources(facts),
        "min_value": min((f.figure.low for f in facts), default=None),
        "max_value": max((f.figure.high for f in facts), default=None),
        "fact_ids": [f.fact_id for f in facts],
        "first_seen_run": old.get("first_seen_run", run_id),
        "last_seen_run": run_id if found else old.get("last_seen_run", run_id),
        "first_detected_at": old.get("first_detected_at", now),
        "status_changed_at": now if changed else old.get("status_changed_at"),
        "updated_at": now,
    }

