"""Conflict detection: group facts by key, apply the agreement rules, keep conflict state.

A *key* is (subject, counterparty, metric, unit, chip_type for chips); its hash (``key_id`` on
every fact) is the conflict id, so the id is the same in every run. Facts without a value are
skipped. Syndicated copies (same story) count as one source: ``n_sources`` = distinct stories.
``severity`` = (max − min) / max × n_sources.

Only like is compared with like: the key holds the measure kind and period (see
:mod:`warehouse.rules`). Statuses: ``noted`` (the figures differ only over time or as parts of
one another: a series or context, no review needed), ``open`` (a contradiction, not reviewed) → ``resolved`` / ``dismissed`` by a reviewer
(:mod:`warehouse.review`) → ``reopened`` when a fact the reviewer had not seen disagrees with
the accepted value (or, for a dismissal, with any other fact of the key). ``cleared`` = was
open, its facts no longer disagree (e.g. after re-extraction); it opens again if they do.
Rows are never deleted, so decisions survive re-runs and re-extraction.
"""

from __future__ import annotations

import bisect
import functools
import itertools
from collections import defaultdict
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta

import duckdb
import pyarrow as pa

from newsfacts.warehouse.ids import files_digest
from newsfacts.warehouse.load import now_utc, staged, transaction
from newsfacts.warehouse.rules import (
    MIN_TIME_GAP_DAYS,
    ComponentIndex,
    Figure,
    PairVerdict,
    agreement,
    as_of_interval,
    classify_pair,
    format_figure,
    most_serious,
    same_sentence,
    separate_events,
    short_date,
)

# A conflict's life cycle (the conflict_status ENUM of migration 003). The SQL side asks
# needs_review(status), a macro in schema/macros.sql; a test holds the two equal.
NEEDS_REVIEW = ("open", "reopened")
NEEDS_REVIEW_CLASSES = ("contradiction",)
DECIDED = ("resolved", "dismissed")
STATUSES = (*NEEDS_REVIEW, *DECIDED, "cleared", "noted")   # noted: migration 005
MAX_REASONS = 4
RECENCY_BONUS = 0.25        # the newest candidate's edge: a quarter of an average source
# Keys evaluated together: their facts, conflict rows and members are held in memory at once,
# whatever the number of keys a night queued.
DETECT_KEYS_PER_CHUNK = 5_000


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
    publisher: str | None = None
    primary: bool = False   # from a company's own newsroom or blog, not a news search

    @property
    def fact_id(self) -> str:
        return self.figure.fact_id


@dataclass(frozen=True)
class Assessment:
    klass: str
    reason: str


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
    new: int = 0                # conflicts needing review found for the first time in this call
    new_ids: list[str] = field(default_factory=list)
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
               coalesce(a.story_id, a.article_id), a.published_at, f.measure, f.article_id,
               coalesce(a.publisher, a.source), coalesce(s.kind NOT IN ('google_news'), false)
        FROM fact_rows f JOIN article_rows a USING (article_id)
        LEFT JOIN sources s ON s.name = a.source
        WHERE f.value IS NOT NULL"""
    params = []
    if key_ids is not None:
        sql += " AND f.key_id IN (SELECT unnest(?::VARCHAR[]))"
        params = [key_ids]
    grouped: dict[str, list[KeyFact]] = defaultdict(list)
    for (fact_id, value, unit, qualifier, value_max, as_of, sentence, key_id, subject,
         counterparty, metric, chip_type, source_id, published_at, measure, article,
         publisher, primary) in con.execute(
            sql + " ORDER BY f.key_id, f.fact_id", params).fetchall():
        figure = Figure(fact_id, value, unit, qualifier or "exact", value_max, as_of, sentence or "",
                        measure, article)
        grouped[key_id].append(KeyFact(figure, key_id, subject, counterparty, metric, unit,
                                       chip_type, source_id, published_at, publisher, primary))
    return dict(grouped)


def current_resolutions(con: duckdb.DuckDBPyConnection,
                        conflict_ids: list[str] | None = None) -> dict[str, Resolution]:
    """The latest decision per conflict."""
    sql = """
        SELECT resolution_id, conflict_id, action, fact_id, value, unit, note, decided_by,
               decided_at, known_fact_ids
        FROM resolution_rows
        {}
        QUALIFY row_number() OVER (PARTITION BY conflict_id
                                   ORDER BY decided_at DESC, resolution_id DESC) = 1"""
    if conflict_ids is None:
        rows = con.execute(sql.format("")).fetchall()
    else:
        rows = con.execute(sql.format("WHERE conflict_id IN (SELECT unnest(?::VARCHAR[]))"),
                           [list(conflict_ids)]).fetchall()
    return {r[1]: Resolution(*r[:9], tuple(r[9] or ())) for r in rows}


# --------------------------------------------------------------------------- rules over a key


def assess(facts: list[KeyFact]) -> Assessment | None:
    """The key's disagreements, None when all its figures agree.

    What comparing every pair of the key's facts finds (the verdicts of
    :func:`warehouse.rules.classify_pair` over the disagreeing pairs that are not separate
    events), found without comparing every pair: see :class:`_KeyPairs`. The class is the most
    serious verdict; the reason lists the timeline when figures changed over time, then the
    distinct contradiction reasons, then the distinct partial ones, each in :func:`reason_order`."""
    figures = [f.figure for f in facts]
    pairs = _KeyPairs(figures)
    if not pairs.reasons and not pairs.over_time:
        return None
    classes = [klass for klass, _order in pairs.reasons.values()]
    klass = most_serious(classes + (["changed_over_time"] if pairs.over_time else []))
    reasons: list[str] = [timeline(figures)] if pairs.over_time else []
    for wanted in ("contradiction", "partial"):  # changed_over_time pairs are the timeline
        reasons += sorted((r for r, (k, _order) in pairs.reasons.items() if k == wanted),
                          key=lambda r: pairs.reasons[r][1])
    text = "; ".join(reasons[:MAX_REASONS])
    if len(reasons) > MAX_REASONS:
        text += f" (and {len(reasons) - MAX_REASONS} more)"
    return Assessment(klass, text)


def reason_order(verdict: PairVerdict) -> tuple:
    """Reasons are listed by the pair's smaller value, then its larger one, then their text."""
    low, high = sorted((verdict.a.value, verdict.b.value))
    return (low, high, verdict.reason)


_YEAR_AND_GAP = timedelta(days=366 + MIN_TIME_GAP_DAYS)


class _KeyPairs:
    """The verdicts of a key's disagreeing pairs, without visiting every pair of facts.

    Facts are filed in *buckets*: equal figure shape (value, unit, qualifier, value_max),
    measure, what their component reason depends on, and ``as_of``. Two facts of different
    buckets get the verdict their buckets' first facts get, unless they are quoted in one
    sentence of one source: those pairs are few (one article's sentence) and are classified one
    by one, and a bucket pair counts only while it holds a pair that is not one of them. Facts
    of one shape always agree, so only pairs of shapes are compared (a handful per key); for
    each, the dates are searched for one near pair with no common date, each common date, and
    (a series) one far pair; only totals compare every pair of dates, since each fallen total
    is its own reason. Two shapes of one value (a ceiling and a range from it) are compared
    fact by fact, as are shapes that disagree with themselves.
    """

    def __init__(self, figures: list[Figure]) -> None:
        self.figures = figures
        self.index = ComponentIndex(figures)
        self.cache: dict[str, str | None] = {}      # fact_id → component reason (classify_pair's)
        self._why: dict[tuple, str | None] = {}
        self.reasons: dict[str, tuple[str, tuple]] = {}   # reason → (class, order)
        self.over_time = False
        self.groups: dict[tuple, dict[str | None, list[int]]] = {}   # group → as_of → facts
        self.group_of: list[tuple] = []
        for i, f in enumerate(figures):
            group = (self.index.reason_depends_on(i), f.measure)
            self.group_of.append(group)
            self.groups.setdefault(group, {}).setdefault(f.as_of, []).append(i)
        self.same_sentence = self._same_sentence_pairs()
        groups = list(self.groups)
        for p, first in enumerate(groups):
            for second in groups[p:]:
                self._compare(first, second)

    # -- buckets

    def _bucket(self, i: int) -> tuple:
        return self.group_of[i], self.figures[i].as_of

    def _realizable(self, a: tuple, b: tuple) -> bool:
        """Do buckets a and b hold a pair of facts not quoted in one sentence?"""
        na, nb = len(self.groups[a[0]][a[1]]), len(self.groups[b[0]][b[1]])
        pairs = na * nb if a != b else na * (na - 1) // 2
        return pairs > self.same_sentence.get(frozenset((a, b)), 0)

    def _same_sentence_pairs(self) -> dict[frozenset, int]:
        by_sentence: dict[tuple, list[int]] = {}
        for i, f in enumerate(self.figures):
            if f.sentence:
                by_sentence.setdefault((f.origin, f.sentence), []).append(i)
        counts: dict[frozenset, int] = {}
        for indices in by_sentence.values():
            for i, j in itertools.combinations(indices, 2):
                key = frozenset((self._bucket(i), self._bucket(j)))
                counts[key] = counts.get(key, 0) + 1
                self._pair(i, j)
        return counts

    # -- verdicts

    def _pair(self, i: int, j: int) -> None:
        a, b = self.figures[i], self.figures[j]
        if agreement(a, b).agree or separate_events(a, b):
            return
        for k in (i, j):
            self._prime(k)
        self._add(classify_pair(a, b, self.figures, self.cache))

    def _prime(self, i: int) -> None:
        """classify_pair's component cache, filled from the index (one search per kind of fact)."""
        fact_id = self.figures[i].fact_id
        if fact_id not in self.cache:
            depends = self.index.reason_depends_on(i)
            if depends not in self._why:
                self._why[depends] = self.index.reason(i)
            self.cache[fact_id] = self._why[depends]

    def _bucket_pair(self, first: tuple, x, second: tuple, y) -> None:
        """The verdict of two buckets, from their first facts (as if from two sentences)."""
        i, j = self.groups[first][x][0], self.groups[second][y][0]
        self._prime(i)
        self._prime(j)
        a = replace(self.figures[i], origin="\0first")
        b = replace(self.figures[j], origin="\0second")
        self._add(classify_pair(a, b, self.figures, self.cache))

    def _add(self, verdict: PairVerdict) -> None:
        if verdict.klass == "changed_over_time":
            self.over_time = True
            return
        order = reason_order(verdict)
        known = self.reasons.get(verdict.reason)
        if known is None or order < known[1]:
            self.reasons[verdict.reason] = (verdict.klass, order)

    # -- pairs of groups

    def _compare(self, first: tuple, second: tuple) -> None:
        a = self.figures[next(iter(self.groups[first].values()))[0]]
        b = self.figures[next(iter(self.groups[second].values()))[0]]
        if agreement(a, b).agree:
            return
        if first == second or a.value == b.value:   # fact by fact (see the class docstring)
            mine = [i for indices in self.groups[first].values() for i in indices]
            theirs = [j for indices in self.groups[second].values() for j in indices]
            pairs = (itertools.combinations(sorted(mine), 2) if first == second
                     else (tuple(sorted((i, j))) for i in mine for j in theirs))
            for i, j in pairs:
                if not same_sentence(self.figures[i], self.figures[j]):
                    self._pair(i, j)
            return
        xs, ys = self.groups[first], self.groups[second]
        for day in xs.keys() & ys.keys():       # one date: near; the reason may name it
            if self._realizable((first, day), (second, day)):
                self._bucket_pair(first, day, second, day)
        plain = self._near_pair(first, second)
        if plain is not None:
            self._bucket_pair(first, plain[0], second, plain[1])
        measures = (first[1], second[1])
        if measures == ("increment", "increment"):
            return          # increments at different times are separate events
        if measures == ("total", "total"):
            for x in xs:    # every fallen total is a reason of its own
                for y in ys:
                    if _far(x, y) and self._realizable((first, x), (second, y)):
                        self._bucket_pair(first, x, second, y)
        elif not self.over_time:
            far = self._far_pair(first, second)
            if far is not None:
                self._bucket_pair(first, far[0], second, far[1])

    def _near_pair(self, first: tuple, second: tuple) -> tuple | None:
        """Dates x of the first group and y of the second that are near each other and would
        not name a common date (different, or none), with a pair of facts; else None."""
        ys = self.groups[second]
        undated = [y for y in ys if as_of_interval(y) is None]
        dated = sorted((as_of_interval(y)[0], y) for y in ys if as_of_interval(y) is not None)
        starts = [start for start, _y in dated]
        for x in self.groups[first]:
            span = as_of_interval(x)
            if span is None:
                candidates = list(ys)
            else:
                lo = bisect.bisect_right(starts, span[0] - _YEAR_AND_GAP)
                hi = bisect.bisect_left(starts, span[1] + timedelta(days=MIN_TIME_GAP_DAYS))
                candidates = undated + [y for _start, y in dated[lo:hi]]
            for y in candidates:
                if (not x or x != y) and not _far(x, y) and self._realizable((first, x), (second, y)):
                    return x, y
        return None

    def _far_pair(self, first: tuple, second: tuple) -> tuple | None:
        """Dates of the two groups clearly apart (a series), with a pair of facts; else None."""
        xs = [x for x in self.groups[first] if as_of_interval(x) is not None]
        ys = [y for y in self.groups[second] if as_of_interval(y) is not None]
        if not xs or not ys:
            return None
        ends = lambda dates: min(dates, key=lambda d: as_of_interval(d)[1])   # noqa: E731
        starts = lambda dates: max(dates, key=lambda d: as_of_interval(d)[0])   # noqa: E731
        for x, y in ((ends(xs), starts(ys)), (starts(xs), ends(ys))):   # the widest gaps
            if _far(x, y):
                if self._realizable((first, x), (second, y)):
                    return x, y
                break
        else:
            return None     # no two dates are far apart
        return next(((x, y) for x in xs for y in ys
                     if _far(x, y) and self._realizable((first, x), (second, y))), None)


def _far(x: str | None, y: str | None) -> bool:
    """Two as_of values clearly apart (rules.clearly_different_times)."""
    a, b = as_of_interval(x), as_of_interval(y)
    return a is not None and b is not None and max((b[0] - a[1]).days, (a[0] - b[1]).days) >= MIN_TIME_GAP_DAYS


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
    """Wikidata-like ranks. Accepting a fact makes exactly that fact preferred; a typed value
    makes the facts agreeing with it preferred. Other facts the reviewer saw are deprecated
    when they disagree with the decision, normal when they agree; unseen facts and
    dismissals are normal."""
    if resolution is None or resolution.action not in ("accept", "value"):
        return {f.fact_id: "normal" for f in facts}
    accepted = Figure("accepted", resolution.value, resolution.unit or facts[0].unit)
    known = set(resolution.known_fact_ids)
    ranks = {}
    for f in facts:
        agrees = agreement(f.figure, accepted).agree
        if f.fact_id == resolution.fact_id or (resolution.action == "value" and agrees):
            ranks[f.fact_id] = "preferred"
        elif f.fact_id in known and not agrees:
            ranks[f.fact_id] = "deprecated"
        else:
            ranks[f.fact_id] = "normal"
    return ranks


# --------------------------------------------------------------------------- suggestion


@dataclass(frozen=True)
class Suggestion:
    fact_id: str
    figure: str                 # "$8B"
    reason: str


def publisher_trust(con: duckdb.DuckDBPyConnection) -> dict[str, tuple[int, int]]:
    """(accepted, judged) per publisher, learnt from decided conflicts: how often a reviewer
    kept a publisher's value (rank preferred) among the values of it they judged (preferred or
    deprecated). Knowledge-Based-Trust in spirit: trust comes from past correctness."""
    rows = con.execute(TRUST_SQL).fetchall()
    return {publisher: (accepted, judged) for publisher, accepted, judged in rows if publisher}


# (publisher, accepted, judged): the report's cache digests it too
TRUST_SQL = """
    SELECT coalesce(a.publisher, a.source) AS publisher,
           count(*) FILTER (m.rank = 'preferred') AS accepted, count(*) AS judged
    FROM conflict_members m
    JOIN conflict_rows c USING (conflict_id)
    JOIN fact_rows f ON f.fact_id = m.fact_id
    JOIN article_rows a ON a.article_id = f.article_id
    WHERE c.status = 'resolved' AND m.rank IN ('preferred', 'deprecated')
    GROUP BY ALL"""


def trust_of(publisher: str | None, trust: dict[str, tuple[int, int]]) -> float:
    """Laplace-smoothed share of accepted values: 0.5 for a publisher never judged."""
    accepted, judged = trust.get(publisher or "", (0, 0))
    return (accepted + 1) / (judged + 2)


def contradicting(facts: list[KeyFact]) -> list[KeyFact]:
    """The facts in at least one contradicting pair: the values a reviewer chooses between
    (a figure that only belongs to an older point of a series is not a candidate)."""
    figures = [f.figure for f in facts]
    cache: dict[str, str | None] = {}
    involved: set[str] = set()
    for a, b in itertools.combinations(figures, 2):
        if agreement(a, b).agree or separate_events(a, b):
            continue
        if classify_pair(a, b, figures, cache).klass in NEEDS_REVIEW_CLASSES:
            involved.update((a.fact_id, b.fact_id))
    return [f for f in facts if f.fact_id in involved]


def _latest(f: KeyFact) -> tuple:
    interval = as_of_interval(f.figure.as_of)
    return (interval[1] if interval else datetime.min.date(), f.published_at or datetime.min)


def suggest(facts: list[KeyFact], trust: dict[str, tuple[int, int]] | None = None) -> Suggestion | None:
    """The value to accept, with its reason.

    Facts that agree form one candidate value. Each independent source (a story: syndicated
    copies count once) backing a candidate adds its publisher's learnt trust, doubled for a
    primary source (the company's own newsroom or blog); the candidate with the newest date
    gains RECENCY_BONUS, except that among totals where a later one is lower the higher one
    gains it (a total cannot fall: the newer figure is the stale one)."""
    facts = contradicting(facts)
    if not facts:
        return None
    trust = trust or {}
    candidates: list[list[KeyFact]] = []
    for f in sorted(facts, key=lambda f: (-f.figure.value, f.fact_id)):
        home = next((c for c in candidates if agreement(c[0].figure, f.figure).agree), None)
        if home is None:
            candidates.append([f])
        else:
            home.append(f)
    newest = max(candidates, key=lambda c: max(_latest(f) for f in c))
    fallen = facts[0].figure.measure == "total" and any(
        max(_latest(f) for f in c) < max(_latest(f) for f in newest)
        and c[0].figure.low > newest[0].figure.high for c in candidates)
    if fallen:   # a total cannot fall: the higher total is the current one
        newest = max(candidates, key=lambda c: c[0].figure.high)

    def score(c: list[KeyFact]) -> tuple:
        by_source: dict[str, float] = {}
        for f in c:
            weight = trust_of(f.publisher, trust) * (2.0 if f.primary else 1.0)
            by_source[f.source_id] = max(by_source.get(f.source_id, 0.0), weight)
        bonus = RECENCY_BONUS if c is newest else 0.0
        return (sum(by_source.values()) + bonus, len(by_source), max(_latest(f) for f in c))

    best = max(candidates, key=score)
    chosen = max(best, key=lambda f: (f.primary, _latest(f), f.fact_id))
    n = len({f.source_id for f in best})
    publishers = sorted({f.publisher or "?" for f in best})
    reasons = [f"{n} independent source{'s' if n != 1 else ''} ({', '.join(publishers)})"]
    if any(f.primary for f in best):
        reasons.append("a primary source (the company's own newsroom)")
    if best is newest and len(candidates) > 1:
        reasons.append("the higher total (a total cannot fall: the lower, later figure looks stale)"
                       if fallen else f"the newest figure ({short_date(chosen.figure.as_of)})")
    judged = [(p, trust[p]) for p in publishers if p in trust]
    for publisher, (accepted, total) in judged:
        reasons.append(f"{publisher}'s values were accepted {accepted} of {total} times")
    others = [c for c in candidates if c is not best]
    if others:
        runner = max(others, key=score)
        reasons.append(f"against {format_figure(runner[0].figure)}: "
                       f"{len({f.source_id for f in runner})} source(s)")
    return Suggestion(chosen.fact_id, format_figure(chosen.figure), "; ".join(reasons))


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


def detect_conflicts(con: duckdb.DuckDBPyConnection, run_id: str | None = None, *,
                     full: bool = False) -> ConflictSummary:
    """Re-evaluate the keys whose facts changed since the last detection and update conflict
    state; idempotent. Loading queues those keys (``conflict_queue``, see
    :func:`warehouse.load.queue_keys`); a key nobody touched keeps its row as it is, which is
    what evaluating it again would write. ``full`` re-evaluates every key (``newsfacts
    reextract`` asks for it); so does the first detection after the rules changed (their
    fingerprint, :func:`rules_fingerprint`, is stored with the rows).

    New conflicts open; decided ones stay decided unless an unseen fact disagrees
    (→ ``reopened``); open ones whose facts now agree become ``cleared``.
    """
    now = now_utc()
    with transaction(con):
        evaluated_with = con.execute("SELECT fingerprint FROM conflict_rules").fetchall()
        full = full or evaluated_with != [(rules_fingerprint(),)]
        keys = None if full else [k for (k,) in con.execute(
            "SELECT key_id FROM conflict_queue ORDER BY key_id").fetchall()]
        summary = ConflictSummary()
        if keys is None or keys:
            _evaluate(con, keys, run_id, now, summary)
        con.execute("DELETE FROM conflict_queue")
        if full:
            con.execute("DELETE FROM conflict_rules")
            con.execute("INSERT INTO conflict_rules VALUES (?, ?)", [rules_fingerprint(), now])
        for status, klass, n in con.execute(
                "SELECT status::VARCHAR, class, count(*) FROM conflict_rows GROUP BY ALL").fetchall():
            if status in NEEDS_REVIEW:
                summary.open += n
                summary.by_class[klass] = summary.by_class.get(klass, 0) + n
            elif status in DECIDED:
                summary.resolved += n
    return summary


@functools.cache
def rules_fingerprint() -> str:
    """Hash of the code and data that decide a conflict row: a stored row evaluated with other
    rules is evaluated again (detect_conflicts then makes a full pass)."""
    return files_digest("newsfacts.warehouse", "rules.py", "conflicts.py", "data/measures.jsonl")


def _evaluate(con: duckdb.DuckDBPyConnection, keys: list[str] | None, run_id: str | None,
              now: datetime, summary: ConflictSummary) -> None:
    """Evaluate ``keys`` (None: every key) and write their conflict rows and members,
    DETECT_KEYS_PER_CHUNK keys at a time: memory holds one chunk's facts, not the night's."""
    if keys is None:
        keys = [k for (k,) in con.execute("""
            SELECT key_id FROM fact_rows WHERE value IS NOT NULL
            UNION SELECT conflict_id FROM conflict_rows ORDER BY 1""").fetchall()]
    for start in range(0, len(keys), DETECT_KEYS_PER_CHUNK):
        _evaluate_chunk(con, keys[start:start + DETECT_KEYS_PER_CHUNK], run_id, now, summary)


def _evaluate_chunk(con: duckdb.DuckDBPyConnection, keys: list[str], run_id: str | None,
                    now: datetime, summary: ConflictSummary) -> None:
    facts_by_key = load_key_facts(con, keys)
    sql = (f"SELECT {', '.join(_CONFLICT_SCHEMA.names)} FROM conflict_rows"
           " WHERE conflict_id IN (SELECT unnest(?::VARCHAR[]))")
    existing = {r[0]: dict(zip(_CONFLICT_SCHEMA.names, r)) for r in con.execute(sql, [keys]).fetchall()}
    resolutions = current_resolutions(con, keys)
    rows, ranks = [], {}
    for key in sorted(set(facts_by_key) | set(existing)):
        facts = facts_by_key.get(key, [])
        found = assess(facts) if len(facts) >= 2 else None
        previous = existing.get(key)
        if found is None and previous is None:
            continue
        status = _next_status(previous, found, resolutions.get(key), facts)
        if status in NEEDS_REVIEW and (previous is None or previous["status"] in ("noted", "cleared")):
            summary.new += 1
            summary.new_ids.append(key)
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


def _next_status(previous: dict | None, found: Assessment | None,
                 resolution: Resolution | None, facts: list[KeyFact]) -> str:
    """open when the key holds a contradiction; noted when its figures only changed over time
    or are parts; decisions stand until an unseen fact disagrees; cleared when all agree."""
    status = previous["status"] if previous else None
    if status in DECIDED:
        return "reopened" if resolution and facts and should_reopen(resolution, facts) else status
    if status == "reopened" and resolution and facts and should_reopen(resolution, facts):
        return status   # reopened against the decision: stays so until decided again
    if found is None:
        return "cleared"
    if found.klass not in NEEDS_REVIEW_CLASSES:
        return "noted"
    return status if status in NEEDS_REVIEW else "open"


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

