"""Conflict-review report: HTML (one self-contained file), Markdown, CSV.

Article text is hostile input. HTML goes through Jinja2 with autoescape; the only markup not
escaped by Jinja is the chart SVG (:mod:`warehouse.charts`), which escapes every text it
writes; links are emitted only for http(s) URLs. Markdown escapes HTML and Markdown syntax in
every piece of article text, and keeps figures in code spans so a terminal shows them plainly.

Each run's report is kept (``<day>-<run id>-conflicts.html``) and ``index.html`` beside them
links them all, newest first.
"""

from __future__ import annotations

import contextlib
import csv
import functools
import io
import logging
import re
import sqlite3
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import duckdb
from jinja2 import Environment, PackageLoader
from markupsafe import Markup

from newsfacts.warehouse.charts import Mark
from newsfacts.warehouse.charts import chart_svg as draw_chart
from newsfacts.warehouse.conflicts import NEEDS_REVIEW, TRUST_SQL, Suggestion
from newsfacts.warehouse.ids import files_digest
from newsfacts.warehouse.load import now_utc, utc_naive
from newsfacts.warehouse.review import decisions_since, list_conflicts
from newsfacts.warehouse.rules import CLASS_ORDER, Figure, as_of_interval, format_figure, format_value, key_label, measure_label, period_of

FORMATS = ("html", "md", "csv")
FRAGMENT_CACHE = ".fragments.sqlite"   # beside the run reports: each conflict's rendered HTML
log = logging.getLogger("newsfacts.report")


@dataclass
class ValueRow:
    fact_id: str
    figure_text: str            # "up to $4B"
    value: float
    value_max: float | None
    qualifier: str
    as_of: str | None
    publisher: str | None
    source: str | None
    published_at: datetime | None
    title: str | None
    url: str | None
    link: str | None            # url when it is safe to link (http/https), else None
    sentence_before: str
    sentence_figure: str        # the figure as found in the sentence; "" when not located
    sentence_after: str
    rank: str
    measure_text: str = ""


@dataclass
class ConflictRow:
    conflict_id: str
    subject: str
    counterparty: str | None
    metric: str
    unit: str
    chip_type: str | None
    status: str
    klass: str
    severity: float
    reason: str
    n_sources: int
    is_new: bool
    values: list[ValueRow] = field(default_factory=list)
    chart_svg: Markup | None = None
    measure: str | None = None
    period: str | None = None
    suggestion: Suggestion | None = None
    context: list[ValueRow] = field(default_factory=list)   # other measures of the same pair
    html: Markup | None = None      # its part of the HTML report (see FragmentCache)

    @property
    def key(self) -> str:
        """``Anthropic – Amazon: investment, total (USD)``."""
        return key_label(self.subject, self.counterparty, self.metric, self.unit, self.chip_type,
                         self.measure, self.period)


@dataclass
class ReportSummary:
    window_start: datetime | None   # end of the previous run: "since the last run"
    new: int
    open: int
    resolved: int
    reopened: int


@dataclass
class ReportData:
    generated_at: datetime
    since: str | None
    summary: ReportSummary
    conflicts: list[ConflictRow]
    noted: list[ConflictRow] = field(default_factory=list)    # series and parts: no review
    decisions: list[dict] = field(default_factory=list)       # since the last run
    sources: tuple[int, int] | None = None  # (failed, total) of the run the report is for


# --------------------------------------------------------------------------- collecting


def _window_start(con: duckdb.DuckDBPyConnection, run_id: str | None) -> datetime | None:
    """End of the run before ``run_id`` (default: before the latest run); None if none."""
    runs = con.execute("SELECT run_id, coalesce(finished_at, started_at) FROM runs"
                       " ORDER BY started_at DESC").fetchall()
    run_ids = [r[0] for r in runs]
    if run_id in run_ids:
        runs = runs[run_ids.index(run_id):]
    return runs[1][1] if len(runs) > 1 else None


def _summary(con: duckdb.DuckDBPyConnection, window: datetime | None) -> ReportSummary:
    start = window or datetime(1970, 1, 1)
    (new, open_, reopened), = con.execute("""
        SELECT count(*) FILTER (first_detected_at >= ? AND needs_review(status)),
               count(*) FILTER (needs_review(status)),
               count(*) FILTER (status = 'reopened' AND status_changed_at >= ?)
        FROM conflicts""", [start, start]).fetchall()
    (resolved,), = con.execute("""
        SELECT count(DISTINCT conflict_id) FROM resolutions
        WHERE decided_at >= ? AND is_current""", [start]).fetchall()
    return ReportSummary(window, new, open_, resolved, reopened)


def collect(con: duckdb.DuckDBPyConnection, since: str | None = None,
            run_id: str | None = None, *, only: list[str] | None = None) -> ReportData:
    """Conflicts needing review (contradictions first, then most severe) with every value, its
    evidence and a suggestion; the keys noted as series or parts; decisions since the last run.

    ``since`` (ISO date) keeps conflicts with evidence published on or after it; ``only``
    collects those conflicts alone (the others come from the fragment cache).
    """
    window = _window_start(con, run_id)
    since_ts = utc_naive(since) if since else None
    if since and since_ts is None:
        raise ValueError(f"since must be an ISO date (YYYY-MM-DD), got {since!r}")
    rows = [r for r in list_conflicts(con, status=None, conflict_ids=only)
            if r["status"] in (*NEEDS_REVIEW, "noted")]
    rows.sort(key=_report_order)
    conflicts, noted = [], []
    values = _values(con, [r["conflict_id"] for r in rows])
    for row in rows:
        first = row["facts"][0].figure if row["facts"] else None
        measure = first.measure if first else None
        conflict = ConflictRow(
            row["conflict_id"], row["subject"], row["counterparty"], row["metric"], row["unit"],
            row["chip_type"], row["status"], row["class"], row["severity"], row["reason"],
            row["n_sources"], is_new=window is None or row["first_detected_at"] >= window,
            values=values.get(row["conflict_id"], []), measure=measure,
            period=period_of(measure, first.sentence if first else None),
            suggestion=row["suggestion"])
        if since_ts and not any(v.published_at and v.published_at >= since_ts for v in conflict.values):
            continue
        (noted if row["status"] == "noted" else conflicts).append(conflict)
    _add_context(con, conflicts)
    decisions = decisions_since(con, window)
    for d in decisions:
        d["key"] = key_label(d["subject"] or "?", d["counterparty"], d["metric"] or "?", d["unit"] or "",
                             measure=d["measure"])
        d["action_text"] = _action_text(d)
    return ReportData(now_utc(), since, _summary(con, window), conflicts, noted, decisions)


def _report_order(row: dict) -> tuple:
    """Contradictions first, then the most severe (the order of the report)."""
    return (row["class"] not in CLASS_ORDER, CLASS_ORDER.index(row["class"]) if row["class"] in CLASS_ORDER else 0,
            -(row["severity"] or 0), row["conflict_id"])


def _action_text(decision: dict) -> str:
    value = format_value(decision["value"], decision["unit"] or "")
    if decision["action"] == "accept":
        return f"accepted {value} (fact {decision['fact_id']})"
    if decision["action"] == "value":
        return f"set the value to {value}"
    return "dismissed"


def _add_context(con: duckdb.DuckDBPyConnection, conflicts: list[ConflictRow]) -> None:
    """Figures of the same pair and metric under other measure kinds: shown, never compared."""
    if not conflicts:
        return
    wanted = {c.conflict_id: c for c in conflicts}
    rows = con.execute("""
        SELECT c.key_id, o.key_id
        FROM (SELECT DISTINCT key_id, subject, counterparty, metric, unit FROM fact_rows
              WHERE key_id IN (SELECT unnest(?::VARCHAR[]))) c
        JOIN (SELECT DISTINCT key_id, subject, counterparty, metric, unit FROM fact_rows
              WHERE value IS NOT NULL) o
          ON o.subject = c.subject AND o.counterparty IS NOT DISTINCT FROM c.counterparty
         AND o.metric = c.metric AND o.unit = c.unit AND o.key_id <> c.key_id""",
                       [list(wanted)]).fetchall()
    others = _values(con, sorted({key for _, key in rows}))
    for conflict_id, key in rows:
        wanted[conflict_id].context.extend(others.get(key, []))
    for conflict in conflicts:
        conflict.context.sort(key=lambda v: (v.as_of is None, v.as_of or "", v.fact_id))


def _values(con: duckdb.DuckDBPyConnection, key_ids: list[str]) -> dict[str, list[ValueRow]]:
    """Every value of the keys with its evidence, by key, in date order (one query)."""
    if not key_ids:
        return {}
    rows = con.execute("""
        SELECT key_id, fact_id, value, value_max, unit, qualifier, as_of, publisher, source,
               published_at, title, url, sentence, figure, rank, measure
        FROM facts WHERE key_id IN (SELECT unnest(?::VARCHAR[])) AND value IS NOT NULL
        ORDER BY key_id, as_of NULLS LAST, published_at NULLS LAST, fact_id""", [key_ids]).fetchall()
    values: dict[str, list[ValueRow]] = {}
    for (key_id, fact_id, value, value_max, unit, qualifier, as_of, publisher, source, published_at,
         title, url, sentence, figure, rank, measure) in rows:
        before, found, after = split_sentence(sentence or "", figure or "")
        values.setdefault(key_id, []).append(ValueRow(
            fact_id=fact_id,
            figure_text=format_figure(Figure(fact_id, value, unit, qualifier, value_max)),
            value=value, value_max=value_max, qualifier=qualifier, as_of=as_of,
            publisher=publisher, source=source, published_at=published_at, title=title,
            url=url, link=safe_link(url), sentence_before=before, sentence_figure=found,
            sentence_after=after, rank=rank,
            measure_text=measure_label(measure, period_of(measure, sentence))))
    return values


def split_sentence(sentence: str, figure: str) -> tuple[str, str, str]:
    """(before, figure, after) around the figure's first occurrence; figure "" if not found."""
    at = sentence.find(figure) if figure.strip() else -1
    if at < 0:
        return sentence, "", ""
    return sentence[:at], figure, sentence[at + len(figure):]


def safe_link(url: str | None) -> str | None:
    """The URL if it is http(s) (no javascript:, data:, …), else None."""
    if url and re.match(r"^https?://", url.strip(), re.I):
        return url.strip()
    return None


# --------------------------------------------------------------------------- chart


def chart_svg(conflict: ConflictRow) -> Markup | None:
    """The conflict's values over time (see :mod:`warehouse.charts`)."""
    marks = []
    for v in conflict.values:
        interval = as_of_interval(v.as_of)
        if interval is None and v.published_at is None:
            continue
        start, end = interval or (v.published_at.date(), v.published_at.date())
        who = v.publisher or v.source or "unknown source"
        marks.append(Mark(who, start, end, v.value, v.value_max, v.qualifier, v.rank,
                          f"{who}: {v.figure_text}, as of {v.as_of or 'publication'} (fact {v.fact_id})"))
    return draw_chart(marks, conflict.unit, f"{conflict.key}: values over time")


# --------------------------------------------------------------------------- rendering

# "$" too: renderers with math support (GitHub among them) read "$8B … $4B" as a formula
_MD_SPECIAL = re.compile(r"([\\`*_\[\]<>|~])")


def md_escape(text, *, dollars: bool | None = None) -> str:
    """Escape HTML and Markdown syntax so article text renders as plain text, and no more than
    that, so the text still reads well in a terminal: ``$`` only where two of them could open
    a formula (``dollars`` forces it), ``#``, ``+``, ``-``, ``=`` only at the start."""
    if text is None:
        return ""
    text = str(text).replace("&", "&amp;").replace("\n", " ")
    text = _MD_SPECIAL.sub(r"\\\1", text).replace("\\<", "&lt;").replace("\\>", "&gt;")
    if dollars or (dollars is None and text.count("$") > 1):
        text = text.replace("$", "\\$")
    return "\\" + text if text and text[0] in "#+-=" else text


def md_quote(v: ValueRow) -> str:
    """The evidence sentence with its figure in bold, escaped as one text."""
    dollars = (v.sentence_before + v.sentence_figure + v.sentence_after).count("$") > 1
    text = md_escape(v.sentence_before, dollars=dollars)
    if v.sentence_figure:
        text += f"**{md_escape(v.sentence_figure, dollars=dollars)}**"
    return text + md_escape(v.sentence_after, dollars=dollars)


def _environment(fmt: str) -> Environment:
    env = Environment(loader=PackageLoader("newsfacts.warehouse", "templates"),
                      autoescape=fmt == "html", trim_blocks=True, lstrip_blocks=True)
    env.filters["md"] = md_escape
    env.filters["md_quote"] = md_quote
    env.filters["when"] = lambda d: "" if d is None else f"{d:%Y-%m-%d}"
    return env


def render_report(con: duckdb.DuckDBPyConnection, fmt: str = "html", since: str | None = None,
                  *, run_id: str | None = None, sources: tuple[int, int] | None = None,
                  cache: FragmentCache | None = None) -> str:
    """The report as text in ``fmt`` (html | md | csv). With a ``cache`` (HTML, no ``since``),
    only the conflicts whose inputs changed are collected and rendered again; the text is the
    same as without it."""
    if fmt not in FORMATS:
        raise ValueError(f"format must be one of {', '.join(FORMATS)}, got {fmt!r}")
    if cache is not None and fmt == "html" and since is None:
        data = _collect_cached(con, run_id, cache)
    else:
        data = collect(con, since=since, run_id=run_id)
        if fmt == "html":
            env = _environment("html")
            for conflict in data.conflicts + data.noted:
                conflict.html = _fragment(env, conflict)
    data.sources = sources
    if fmt == "csv":
        return _csv(data)
    return _environment(fmt).get_template(f"conflicts.{fmt}").render(report=data)


def _fragment(env: Environment, conflict: ConflictRow) -> Markup:
    """A conflict's part of the HTML report, its chart drawn."""
    conflict.chart_svg = chart_svg(conflict)
    template = "noted.html" if conflict.status == "noted" else "conflict.html"
    return Markup(env.get_template(template).render(c=conflict))


class FragmentCache:
    """Each conflict's rendered HTML with a digest of everything it shows (SQLite file beside the
    reports): a conflict whose digest is unchanged is not collected or rendered again."""

    def __init__(self, path: str | Path):
        self.path = Path(path)
        self.rendered = 0           # fragments rendered by the last report (the rest were cached)
        self.reused = 0

    def _connect(self) -> sqlite3.Connection:
        db = sqlite3.connect(self.path)
        db.execute("CREATE TABLE IF NOT EXISTS fragment (conflict_id TEXT PRIMARY KEY, digest TEXT NOT NULL,"
                   " html TEXT NOT NULL)")
        return db

    def get(self, digests: dict[str, str]) -> dict[str, str]:
        """The cached HTML of the conflicts whose stored digest is the given one."""
        with contextlib.closing(self._connect()) as db:
            rows = db.execute("SELECT conflict_id, digest, html FROM fragment").fetchall()
        return {cid: html for cid, digest, html in rows if digests.get(cid) == digest}

    def put(self, fragments: dict[str, tuple[str, str]], keep: set[str]) -> None:
        """Store (digest, html) per conflict; forget conflicts not in ``keep``."""
        with contextlib.closing(self._connect()) as db, db:
            db.executemany("INSERT OR REPLACE INTO fragment VALUES (?, ?, ?)",
                           [(cid, digest, html) for cid, (digest, html) in fragments.items()])
            stored = {cid for (cid,) in db.execute("SELECT conflict_id FROM fragment")}
            db.executemany("DELETE FROM fragment WHERE conflict_id = ?", [(cid,) for cid in stored - keep])


def _collect_cached(con: duckdb.DuckDBPyConnection, run_id: str | None, cache: FragmentCache) -> ReportData:
    listed = _digests(con, _window_start(con, run_id))
    digests = {cid: digest for cid, _status, digest in listed}
    cached = cache.get(digests)
    stale = [cid for cid in digests if cid not in cached]
    data = collect(con, run_id=run_id, only=stale)
    env = _environment("html")
    fresh = {}
    for conflict in data.conflicts + data.noted:
        conflict.html = _fragment(env, conflict)
        fresh[conflict.conflict_id] = (digests[conflict.conflict_id], str(conflict.html))
    cache.put(fresh, set(digests))
    cache.rendered, cache.reused = len(fresh), len(cached)
    html = {**cached, **{cid: h for cid, (_d, h) in fresh.items()}}
    data.conflicts = [_Cached(Markup(html[cid])) for cid, status, _d in listed if status != "noted"]
    data.noted = [_Cached(Markup(html[cid])) for cid, status, _d in listed if status == "noted"]
    return data


@dataclass
class _Cached:
    html: Markup


def _digests(con: duckdb.DuckDBPyConnection, window: datetime | None) -> list[tuple[str, str, str]]:
    """(conflict_id, status, digest) of the conflicts the report shows, in its order. The digest
    covers every input of a conflict's part: its row, whether it is new, every value with its
    evidence, rank, story and source kind, the learnt trust of its publishers, the values shown
    as context, and the code that renders them."""
    rows = con.execute(f"""
        WITH trust AS ({TRUST_SQL}),
        key_facts AS (
            SELECT f.key_id, any_value(f.subject) AS subject, any_value(f.counterparty) AS counterparty,
                   any_value(f.metric) AS metric, any_value(f.unit) AS unit,
                   md5(string_agg(concat_ws(chr(31), f.fact_id, f.value, f.value_max, f.qualifier, f.measure,
                           f.as_of, f.sentence, f.figure, f.rank, f.publisher, f.source, f.published_at,
                           f.title, f.url, f.story_id, s.kind, t.accepted, t.judged), chr(30)
                       ORDER BY f.fact_id)) AS h
            FROM facts f LEFT JOIN sources s ON s.name = f.source
            LEFT JOIN trust t ON t.publisher = coalesce(f.publisher, f.source)
            WHERE f.value IS NOT NULL GROUP BY f.key_id),
        shown AS (
            SELECT * FROM conflicts WHERE needs_review(status) OR status = 'noted')
        SELECT c.conflict_id, c.status::VARCHAR, c.class, c.severity,
               md5(concat_ws(chr(31), ?, c.conflict_id, c.status, c.class, c.severity, c.reason, c.n_sources,
                   c.subject, c.counterparty, c.metric, c.unit, c.chip_type,
                   (? IS NULL OR c.first_detected_at >= ?), own.h,
                   (SELECT string_agg(o.h, chr(30) ORDER BY o.key_id) FROM key_facts o
                    WHERE o.subject = own.subject AND o.counterparty IS NOT DISTINCT FROM own.counterparty
                      AND o.metric = own.metric AND o.unit = own.unit AND o.key_id <> own.key_id)))
        FROM shown c LEFT JOIN key_facts own ON own.key_id = c.conflict_id""",
                       [_code_digest(), window, window]).fetchall()
    order = sorted(rows, key=lambda r: _report_order({"class": r[2], "severity": r[3], "conflict_id": r[0]}))
    return [(cid, status, digest) for cid, status, _klass, _severity, digest in order]


@functools.cache
def _code_digest() -> str:
    """The code and templates that render a conflict: a fragment rendered by other code is stale."""
    return files_digest("newsfacts.warehouse", "report.py", "charts.py", "rules.py", "conflicts.py",
                        "review.py", "templates/conflict.html", "templates/noted.html")


def _csv(data: ReportData) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["conflict_id", "subject", "counterparty", "metric", "unit", "chip_type",
                     "status", "class", "severity", "n_sources", "reason", "fact_id", "value",
                     "value_max", "qualifier", "figure", "as_of", "publisher", "published_at",
                     "url", "sentence", "rank"])
    for c in data.conflicts:
        for v in c.values:
            writer.writerow(map(csv_cell, [c.conflict_id, c.subject, c.counterparty, c.metric, c.unit,
                             c.chip_type, c.status, c.klass, c.severity, c.n_sources, c.reason,
                             v.fact_id, v.value, v.value_max, v.qualifier, v.figure_text, v.as_of,
                             v.publisher, v.published_at, v.url,
                             v.sentence_before + v.sentence_figure + v.sentence_after, v.rank]))
    return out.getvalue()


_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def csv_cell(value):
    """A text cell a spreadsheet would run as a formula gets a leading apostrophe (OWASP's
    advice against CSV injection); numbers and other text pass unchanged."""
    if isinstance(value, str) and value.startswith(_FORMULA_STARTS):
        return "'" + value
    return value


def write_report(con: duckdb.DuckDBPyConnection, fmt: str, out_path: str | Path,
                 since: str | None = None) -> Path:
    out_path = Path(out_path)
    out_path.write_text(render_report(con, fmt=fmt, since=since), encoding="utf-8")
    return out_path


def write_run_report(con: duckdb.DuckDBPyConnection, reports_dir: str | Path, run_id: str,
                     sources: tuple[int, int] | None = None) -> Path:
    """``reports_dir/<run day>-<run id>-conflicts.html`` for the run (summary and decisions:
    since the run before; ``sources`` = (failed, total) of the run, said at the top), and
    ``reports_dir/index.html`` linking every kept report."""
    found = con.execute("SELECT started_at FROM runs WHERE run_id = ?", [run_id]).fetchall()
    day = found[0][0] if found else now_utc()
    reports_dir = Path(reports_dir)
    reports_dir.mkdir(parents=True, exist_ok=True)
    safe_id = re.sub(r"[^A-Za-z0-9_-]", "_", run_id)
    out_path = reports_dir / f"{day:%Y-%m-%d}-{safe_id}-conflicts.html"
    cache = FragmentCache(reports_dir / FRAGMENT_CACHE)
    out_path.write_text(render_report(con, fmt="html", run_id=run_id, sources=sources, cache=cache),
                        encoding="utf-8")
    log.info("report: %d conflict(s) rendered, %d from the cache", cache.rendered, cache.reused)
    write_index(reports_dir)
    return out_path


def write_index(reports_dir: Path) -> Path:
    """index.html: every ``*-conflicts.html`` in the folder, newest first."""
    reports = sorted(reports_dir.glob("*-conflicts.html"), key=lambda p: (p.stat().st_mtime, p.name),
                     reverse=True)
    html = _environment("html").get_template("index.html").render(
        reports=[p.name for p in reports], generated_at=now_utc())
    index = reports_dir / "index.html"
    index.write_text(html, encoding="utf-8")
    return index


# --------------------------------------------------------------------------- alerts


def alert_text(con: duckdb.DuckDBPyConnection, run_id: str, new_conflict_ids: list[str],
               min_usd: float = 1e9, min_watts: float = 1e9) -> tuple[str, str] | None:
    """(subject, body) of the alert for a run: its new conflicts to review, with their
    suggestion, and the facts it added from ``min_usd`` / ``min_watts`` on; None when neither.
    Plain text: the channel (Slack, e-mail, webhook) decides how to show it."""
    rows = [r for r in list_conflicts(con, status=None) if r["conflict_id"] in set(new_conflict_ids)]
    facts = con.execute("""
        SELECT f.subject, f.counterparty, f.metric, f.value, f.value_max, f.unit, f.qualifier, f.as_of,
               a.publisher, a.url
        FROM fact_rows f JOIN article_rows a USING (article_id)
        WHERE f.first_seen_run = ? AND f.value IS NOT NULL
          AND ((f.unit = 'USD' AND f.value >= ?) OR (f.unit = 'W' AND f.value >= ?))
        ORDER BY f.unit, f.value DESC""", [run_id, min_usd, min_watts]).fetchall()
    if not rows and not facts:
        return None
    lines = []
    if rows:
        lines.append(f"{len(rows)} new conflict(s) to review:")
        for row in rows:
            first = row["facts"][0].figure if row["facts"] else None
            measure = first.measure if first else None
            key = key_label(row["subject"], row["counterparty"], row["metric"], row["unit"],
                            row["chip_type"], measure, period_of(measure, first.sentence if first else None))
            values = ", ".join(dict.fromkeys(format_figure(f.figure) for f in row["facts"]))
            lines.append(f"- {key}: {values} ({row['class'].replace('_', ' ')}, id {row['conflict_id']})")
            if row["suggestion"]:
                lines.append(f"  suggested {row['suggestion'].figure}: {row['suggestion'].reason}; "
                             f"accept: newsfacts resolve {row['conflict_id']} --accept {row['suggestion'].fact_id}")
    if facts:
        lines.append(f"{len(facts)} new large fact(s):")
        for subject, counterparty, metric, value, value_max, unit, qualifier, as_of, publisher, url in facts:
            figure = format_figure(Figure("", value, unit, qualifier, value_max))
            who = f"{subject} – {counterparty}" if counterparty else subject
            lines.append(f"- {who}: {metric} {figure} (as of {as_of or '?'}; {publisher or '?'}) {url or ''}".rstrip())
    subject = f"newsfacts: {len(rows)} new conflict(s), {len(facts)} new large fact(s)"
    return subject, "\n".join(lines)
