"""Conflict-review report: HTML (one self-contained file), Markdown, CSV.

Article text is hostile input. HTML goes through Jinja2 with autoescape; the only markup not
escaped by Jinja is the chart SVG, whose text matplotlib writes escaped (``svg.fonttype:
none``, math parsing off); links are emitted only for http(s) URLs. Markdown escapes HTML and
Markdown syntax in every piece of article text.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import duckdb
from jinja2 import Environment, PackageLoader
from markupsafe import Markup

from newsfacts.warehouse.load import now_utc, utc_naive
from newsfacts.warehouse.rules import Figure, as_of_interval, format_figure, format_value

FORMATS = ("html", "md", "csv")


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

    @property
    def key(self) -> str:
        """``Anthropic – Amazon: investment (USD)``; the chip type joins the metric for chips."""
        who = f"{self.subject} – {self.counterparty}" if self.counterparty else self.subject
        what = f"{self.metric} {self.chip_type}" if self.chip_type else self.metric
        return f"{who}: {what} ({self.unit})"


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
        SELECT count(*) FILTER (first_detected_at >= ?),
               count(*) FILTER (needs_review(status)),
               count(*) FILTER (status = 'reopened' AND status_changed_at >= ?)
        FROM conflicts""", [start, start]).fetchall()
    (resolved,), = con.execute("""
        SELECT count(DISTINCT conflict_id) FROM resolutions
        WHERE decided_at >= ? AND is_current""", [start]).fetchall()
    return ReportSummary(window, new, open_, resolved, reopened)


def collect(con: duckdb.DuckDBPyConnection, since: str | None = None,
            run_id: str | None = None) -> ReportData:
    """Conflicts needing review, most severe first, with every value and its evidence.

    ``since`` (ISO date) keeps conflicts with evidence published on or after it.
    """
    window = _window_start(con, run_id)
    since_ts = utc_naive(since) if since else None
    if since and since_ts is None:
        raise ValueError(f"since must be an ISO date (YYYY-MM-DD), got {since!r}")
    conflicts = []
    for row in con.execute("""
            SELECT conflict_id, subject, counterparty, metric, unit, chip_type, status, class,
                   severity, reason, n_sources, first_detected_at
            FROM conflicts WHERE needs_review(status)
            ORDER BY severity DESC, conflict_id""").fetchall():
        conflict = ConflictRow(*row[:11], is_new=window is None or row[11] >= window)
        conflict.values = _values(con, conflict.conflict_id)
        if since_ts and not any(v.published_at and v.published_at >= since_ts for v in conflict.values):
            continue
        conflicts.append(conflict)
    return ReportData(now_utc(), since, _summary(con, window), conflicts)


def _values(con: duckdb.DuckDBPyConnection, conflict_id: str) -> list[ValueRow]:
    rows = con.execute("""
        SELECT fact_id, value, value_max, unit, qualifier, as_of, publisher, source,
               published_at, title, url, sentence, figure, rank
        FROM facts WHERE key_id = ? AND value IS NOT NULL
        ORDER BY as_of NULLS LAST, published_at NULLS LAST, fact_id""", [conflict_id]).fetchall()
    values = []
    for (fact_id, value, value_max, unit, qualifier, as_of, publisher, source, published_at,
         title, url, sentence, figure, rank) in rows:
        before, found, after = split_sentence(sentence or "", figure or "")
        values.append(ValueRow(
            fact_id=fact_id,
            figure_text=format_figure(Figure(fact_id, value, unit, qualifier, value_max)),
            value=value, value_max=value_max, qualifier=qualifier, as_of=as_of,
            publisher=publisher, source=source, published_at=published_at, title=title,
            url=url, link=safe_link(url), sentence_before=before, sentence_figure=found,
            sentence_after=after, rank=rank))
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


def chart_svg(conflict: ConflictRow) -> Markup:
    """Values by source over time as an inline SVG (no XML prolog, escaped text)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.ticker import FuncFormatter

    markers = {"up_to": "v", "more_than": "^", "at_least": "^", "range": "s"}
    style = {"svg.fonttype": "none", "text.parse_math": False, "svg.hashsalt": conflict.conflict_id}
    with matplotlib.rc_context(style):
        fig, ax = plt.subplots(figsize=(6.4, 2.6), dpi=72)
        try:
            for v in conflict.values:
                when = _when(v)
                if when is None:
                    continue
                ax.plot([when], [v.value], marker=markers.get(v.qualifier, "o"), linestyle="",
                        color={"preferred": "#1a7f37", "deprecated": "#999999"}.get(v.rank, "#0b5cad"))
                if v.qualifier == "range" and v.value_max is not None:
                    ax.vlines(when, v.value, v.value_max, color="#0b5cad")
                ax.annotate(v.publisher or v.source or "?", (when, v.value), fontsize=8,
                            xytext=(4, 4), textcoords="offset points")
            ax.yaxis.set_major_formatter(FuncFormatter(lambda y, _: format_value(y, conflict.unit)))
            ax.set_ylim(bottom=0)
            ax.grid(alpha=0.3)
            fig.autofmt_xdate()
            fig.tight_layout()
            buffer = io.StringIO()
            fig.savefig(buffer, format="svg", metadata={"Date": None})
        finally:
            plt.close(fig)
    svg = buffer.getvalue()
    return Markup(svg[svg.index("<svg"):])  # drop the XML prolog and DOCTYPE


def _when(v: ValueRow) -> datetime | None:
    interval = as_of_interval(v.as_of)
    if interval:
        return datetime(interval[0].year, interval[0].month, interval[0].day)
    return v.published_at


# --------------------------------------------------------------------------- rendering

# "$" too: renderers with math support (GitHub among them) read "$8B … $4B" as a formula
_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]<>#|~$])")


def md_escape(text) -> str:
    """Escape HTML and Markdown syntax so article text renders as plain text."""
    if text is None:
        return ""
    text = str(text).replace("&", "&amp;").replace("\n", " ")
    return _MD_SPECIAL.sub(r"\\\1", text).replace("\\<", "&lt;").replace("\\>", "&gt;")


def _environment(fmt: str) -> Environment:
    env = Environment(loader=PackageLoader("newsfacts.warehouse", "templates"),
                      autoescape=fmt == "html", trim_blocks=True, lstrip_blocks=True)
    env.filters["md"] = md_escape
    env.filters["when"] = lambda d: "" if d is None else f"{d:%Y-%m-%d}"
    return env


def render_report(con: duckdb.DuckDBPyConnection, fmt: str = "html", since: str | None = None,
                  *, run_id: str | None = None) -> str:
    """The report as text in ``fmt`` (html | md | csv)."""
    if fmt not in FORMATS:
        raise ValueError(f"format must be one of {', '.join(FORMATS)}, got {fmt!r}")
    data = collect(con, since=since, run_id=run_id)
    if fmt == "csv":
        return _csv(data)
    if fmt == "html":
        for conflict in data.conflicts:
            conflict.chart_svg = chart_svg(conflict)
    return _environment(fmt).get_template(f"conflicts.{fmt}").render(report=data)


def _csv(data: ReportData) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["conflict_id", "subject", "counterparty", "metric", "unit", "chip_type",
                     "status", "class", "severity", "n_sources", "reason", "fact_id", "value",
                     "value_max", "qualifier", "figure", "as_of", "publisher", "published_at",
                     "url", "sentence", "rank"])
    for c in data.conflicts:
        for v in c.values:
            writer.writerow([c.conflict_id, c.subject, c.counterparty, c.metric, c.unit,
                             c.chip_type, c.status, c.klass, c.severity, c.n_sources, c.reason,
                             v.fact_id, v.value, v.value_max, v.qualifier, v.figure_text, v.as_of,
                             v.publisher, v.published_at, v.url,
                             v.sentence_before + v.sentence_figure + v.sentence_after, v.rank])
    return out.getvalue()


def write_report(con: duckdb.DuckDBPyConnection, fmt: str, out_path: str | Path,
                 since: str | None = None) -> Path:
    out_path = Path(out_path)
    out_path.write_text(render_report(con, fmt=fmt, since=since), encoding="utf-8")
    return out_path


def write_run_report(con: duckdb.DuckDBPyConnection, reports_dir: str | Path, run_id: str) -> Path:
    """``reports_dir/<run date>-conflicts.html`` for the run (summary: since the run before)."""
    found = con.execute("SELECT started_at FROM runs WHERE run_id = ?", [run_id]).fetchall()
    day = found[0][0] if found else now_utc()
    reports_dir = Path(reports_dir)
    reports_dir.mkdir(parents=True, exist_ok=True)
    out_path = reports_dir / f"{day:%Y-%m-%d}-conflicts.html"
    out_path.write_text(render_report(con, fmt="html", run_id=run_id), encoding="utf-8")
    return out_path
