"""Reviewer decisions on conflicts (Wikidata-like: every value kept with its reference and
point in time; one preferred, wrong ones deprecated, none deleted).

Decisions are rows in ``resolution_rows`` (append-only; the latest per conflict is current).
They store the accepted value and the facts the reviewer saw, so they survive re-runs and
re-extraction (fact ids are stable), and a later fact that disagrees reopens the conflict
(see :func:`warehouse.conflicts.should_reopen`).
"""

from __future__ import annotations

import getpass
import math
import os
import uuid
from datetime import datetime

import duckdb

from newsfacts.warehouse.conflicts import (
    NEEDS_REVIEW,
    KeyFact,
    Resolution,
    Suggestion,
    current_resolutions,
    load_key_facts,
    member_ranks,
    publisher_trust,
    suggest,
    write_members,
)
from newsfacts.warehouse.db import WarehouseError
from newsfacts.warehouse.load import now_utc, transaction


class ReviewError(WarehouseError):
    """A decision that cannot be recorded (unknown conflict, fact not in it, …)."""


def resolve(con: duckdb.DuckDBPyConnection, conflict_id: str, *, accept_fact_id: str | None = None,
            value: float | None = None, dismiss: bool = False, note: str | None = None,
            user: str | None = None) -> Resolution:
    """Record one decision: accept a fact's value, record a value, or dismiss the conflict."""
    if sum((accept_fact_id is not None, value is not None, bool(dismiss))) != 1:
        raise ReviewError("give exactly one of accept_fact_id, value, dismiss")
    if value is not None and not (isinstance(value, (int, float)) and math.isfinite(value) and value >= 0):
        raise ReviewError(f"the value must be a finite number, zero or more (got {value!r})")
    with transaction(con):
        found = con.execute("SELECT unit FROM conflict_rows WHERE conflict_id = ?",
                            [conflict_id]).fetchall()
        if not found:
            raise ReviewError(f"no conflict {conflict_id!r} (list them with `newsfacts review`)")
        unit = found[0][0]
        facts = load_key_facts(con, [conflict_id]).get(conflict_id, [])
        action = "dismiss" if dismiss else "accept" if accept_fact_id is not None else "value"
        if action == "accept":
            chosen = next((f for f in facts if f.fact_id == accept_fact_id), None)
            if chosen is None:
                raise ReviewError(f"fact {accept_fact_id!r} is not a value of conflict {conflict_id}")
            value = chosen.figure.value
        decision = Resolution(
            resolution_id=uuid.uuid4().hex[:16], conflict_id=conflict_id, action=action,
            fact_id=accept_fact_id, value=None if value is None else float(value), unit=unit,
            note=note, decided_by=user or _current_user(), decided_at=now_utc(),
            known_fact_ids=tuple(f.fact_id for f in facts),
        )
        con.execute("INSERT INTO resolution_rows VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    [decision.resolution_id, decision.conflict_id, decision.action,
                     decision.fact_id, decision.value, decision.unit, decision.note,
                     decision.decided_by, decision.decided_at, list(decision.known_fact_ids)])
        con.execute("UPDATE conflict_rows SET status = ?, status_changed_at = ?, updated_at = ?"
                    " WHERE conflict_id = ?",
                    ["dismissed" if dismiss else "resolved", decision.decided_at,
                     decision.decided_at, conflict_id])
        write_members(con, {conflict_id: member_ranks(facts, decision)})
    return decision


def list_conflicts(con: duckdb.DuckDBPyConnection, status: str | None = "open",
                   conflict_ids: list[str] | None = None) -> list[dict]:
    """Conflicts as dicts (the ``conflicts`` view's columns plus ``values``, ``facts``, the
    key's :class:`KeyFact` list in date order, and ``suggestion``), most severe first.

    ``status="open"`` means needing review (open or reopened); None lists all. ``conflict_ids``
    keeps those conflicts only.
    """
    sql = """
        SELECT c.*,
               (SELECT list_sort(list(DISTINCT f.value)) FROM fact_rows f
                WHERE f.key_id = c.conflict_id AND f.value IS NOT NULL) AS "values"
        FROM conflicts c WHERE true"""
    params: list = []
    if status == "open":
        sql += " AND needs_review(c.status)"
    elif status is not None:
        sql += " AND c.status = ?"
        params = [status]
    if conflict_ids is not None:
        sql += " AND c.conflict_id IN (SELECT unnest(?::VARCHAR[]))"
        params.append(list(conflict_ids))
    cursor = con.execute(sql + " ORDER BY c.severity DESC, c.conflict_id", params)
    columns = [d[0] for d in cursor.description]
    rows = [{**dict(zip(columns, row)), "values": list(row[-1] or [])} for row in cursor.fetchall()]
    facts = load_key_facts(con, [r["conflict_id"] for r in rows]) if rows else {}
    trust = publisher_trust(con) if rows else {}
    for row in rows:
        row["facts"] = sorted(facts.get(row["conflict_id"], []), key=_date_order)
        row["suggestion"] = suggestion_for(row["facts"], trust) if row["status"] in NEEDS_REVIEW else None
    return rows


def suggestion_for(facts: list[KeyFact], trust: dict) -> Suggestion | None:
    return suggest(facts, trust) if len(facts) > 1 else None


def _date_order(f: KeyFact) -> tuple:
    return (f.figure.as_of is None, f.figure.as_of or "", f.published_at or datetime.min, f.fact_id)


def decisions_since(con: duckdb.DuckDBPyConnection, since: datetime | None) -> list[dict]:
    """Decisions taken at or after ``since`` (all when None), oldest first: which conflict,
    what was decided (value), by whom, the note."""
    cursor = con.execute("""
        SELECT r.conflict_id, r.subject, r.counterparty, r.metric, r.unit, r.action, r.fact_id,
               r.value, r.note, r.decided_by, r.decided_at,
               (SELECT any_value(f.measure) FROM fact_rows f WHERE f.key_id = r.conflict_id) AS measure
        FROM resolutions r WHERE r.decided_at >= ?
        ORDER BY r.decided_at, r.resolution_id""", [since or datetime(1970, 1, 1)])
    columns = [d[0] for d in cursor.description]
    return [dict(zip(columns, row)) for row in cursor.fetchall()]


def decision_for(con: duckdb.DuckDBPyConnection, conflict_id: str) -> Resolution | None:
    """The current decision on a conflict, if any."""
    return current_resolutions(con, [conflict_id]).get(conflict_id)


def _current_user() -> str:
    try:
        return os.environ.get("USER") or getpass.getuser()
    except Exception:  # no passwd entry in some containers
        return "unknown"
