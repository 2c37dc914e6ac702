"""Reviewer decisions on conflicts (Wikidata-like: every value kept with its reference and
point in time; one preferred, wrong ones deprecated, none deleted).

Decisions are rows in ``resolution_rows`` (append-only; the latest per conflict is current).
They store the accepted value and the facts the reviewer saw, so they survive re-runs and
re-extraction (fact ids are stable), and a later fact that disagrees reopens the conflict
(see :func:`warehouse.conflicts.should_reopen`).
"""

from __future__ import annotations

import getpass
import os
import uuid

import duckdb

from newsfacts.warehouse.conflicts import (Resolution, current_resolutions, load_key_facts, member_ranks,
                                           write_members)
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


def list_conflicts(con: duckdb.DuckDBPyConnection, status: str | None = "open") -> list[dict]:
    """Conflicts as dicts (the ``conflicts`` view's columns plus ``values``), most severe first.

    ``status="open"`` means needing review (open or reopened); None lists all.
    """
    sql = """
        SELECT c.*,
               (SELECT list_sort(list(DISTINCT f.value)) FROM fact_rows f
                WHERE f.key_id = c.conflict_id AND f.value IS NOT NULL) AS "values"
        FROM conflicts c"""
    params: list = []
    if status == "open":
        sql += " WHERE needs_review(c.status)"
    elif status is not None:
        sql += " WHERE c.status = ?"
        params = [status]
    cursor = con.execute(sql + " ORDER BY c.severity DESC, c.conflict_id", params)
    columns = [d[0] for d in cursor.description]
    return [{**dict(zip(columns, row)), "values": list(row[-1] or [])} for row in cursor.fetchall()]


def decision_for(con: duckdb.DuckDBPyConnection, conflict_id: str) -> Resolution | None:
    """The current decision on a conflict, if any."""
    return current_resolutions(con, [conflict_id]).get(conflict_id)


def _current_user() -> str:
    try:
        return os.environ.get("USER") or getpass.getuser()
    except Exception:  # no passwd entry in some containers
        return "unknown"
