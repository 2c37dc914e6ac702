"""The `newsfacts` command line: a thin shell over flows/, extractors/ and warehouse/.

Every error a user can cause ends as one message on stderr and a non-zero exit; tracebacks
are for bugs only.
"""

from __future__ import annotations

import json
import logging
import os
import sys
from contextlib import contextmanager
from pathlib import Path

import click

from newsfacts.resources import BUNDLED_SOURCES, DEMO_SITE, DEMO_SOURCES

DEFAULT_DB = "newsfacts.duckdb"
# `newsfacts run` exit statuses (documented in the README)
EXIT_PARTIAL = 3       # some sources failed, the others were stored
EXIT_ALL_FAILED = 4    # every source failed: nothing new was stored
DEFAULT_DEMO_PORT = 8765   # fixed so that a second demo run sees the same URLs (and 304s)
DASK_EXTRACT_PARTS = 16    # extract tasks per batch on a remote cluster (of however many workers)

db_option = click.option(
    "--db", "db_path", default=DEFAULT_DB, show_default=True, type=click.Path(dir_okay=False),
    help="DuckDB warehouse file.",
)


def _quiet_prefect() -> None:
    """Defaults that keep Prefect from phoning home and give its temporary server time to start."""
    os.environ.setdefault("DO_NOT_TRACK", "1")
    os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
    os.environ.setdefault("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "90")
    os.environ.setdefault("PREFECT_LOGGING_EXTRA_LOGGERS", "newsfacts")


@contextmanager
def user_errors():
    """Turn the errors a user can cause into one clear message and exit code 1."""
    import duckdb

    from newsfacts.flows.config import ConfigError
    from newsfacts.warehouse.db import WarehouseError, first_line

    try:
        yield
    except (ConfigError, WarehouseError) as exc:
        raise click.ClickException(str(exc)) from None
    except BrokenPipeError:
        raise  # the reader of our output left (`| head`): click ends quietly
    except (duckdb.IOException, duckdb.SerializationException, duckdb.InternalException,
            duckdb.FatalException) as exc:  # a truncated or damaged warehouse file
        raise click.ClickException(f"cannot read the warehouse (truncated or damaged?): {first_line(exc)}") from None
    except OSError as exc:
        raise click.ClickException(f"{exc.filename or ''}: {exc.strerror or exc}".lstrip(": ")) from None


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="newsfacts")
def cli() -> None:
    """newsfacts: news and newsroom articles → deal and capacity figures → DuckDB, with conflict review."""


# --- the pipeline -------------------------------------------------------------------------------

def _sources_path(value: str | None) -> Path:
    if value:
        return Path(value)
    local = Path("sources.toml")
    return local if local.exists() else BUNDLED_SOURCES


@cli.command()
@click.option("--sources", "sources", type=click.Path(dir_okay=False),
              help="Sources file (default: ./sources.toml, else the bundled one).")
@db_option
@click.option("--reports", "reports_dir", default="reports", show_default=True,
              help="Folder for the dated conflict-review report.")
@click.option("--demo", is_flag=True, help="Serve the bundled fixture site on 127.0.0.1 and run against it.")
@click.option("--demo-port", default=DEFAULT_DEMO_PORT, show_default=True, type=int,
              help="Port of the demo site (0 picks a free one).")
@click.option("--no-prefect", is_flag=True,
              help="Run the same stages as plain function calls (no Prefect, no temporary server).")
@click.option("--batch-size", default=None, type=click.IntRange(min=1),
              help="Pages fetched, extracted and loaded together (default 500): memory holds one batch.")
@click.option("--since", type=click.DateTime(["%Y-%m-%d"]),
              help="Backfill: fetch every Google News search for the days since this date (YYYY-MM-DD), once.")
@click.option("--until", type=click.DateTime(["%Y-%m-%d"]), help="Last day of the backfill (default: today).")
@click.option("--dask-address", default=None, metavar="ADDRESS",
              help="Extract facts on the Dask cluster whose scheduler is at ADDRESS (e.g. tcp://host:8786).")
@click.option("--dask-workers", default=0, type=click.IntRange(min=0),
              help="Extract facts on a local Dask cluster of this many worker processes.")
def run(sources, db_path, reports_dir, demo, demo_port, no_prefect, batch_size, since, until, dask_address,
        dask_workers) -> None:
    """Run the nightly pipeline once, now (no Prefect server needed)."""
    import asyncio

    if no_prefect and (dask_address or dask_workers):
        raise click.UsageError("--dask-address and --dask-workers run through Prefect: drop --no-prefect")
    if not no_prefect:
        _quiet_prefect()
    from newsfacts.flows.config import load_sources

    if until and not since:
        raise click.UsageError("--until needs --since")
    period = {"since": since and since.date().isoformat(), "until": until and until.date().isoformat()}
    with user_errors():
        sources_path = DEMO_SOURCES if demo and not sources else _sources_path(sources)
        load_sources(sources_path, substitutions={"base": "http://127.0.0.1"})  # fail fast, before Prefect starts
        _check_db_path(db_path)
        logging.getLogger("newsfacts").setLevel(logging.INFO)  # per-source lines in the log
        with _demo_site(demo, demo_port) as substitutions:
            if no_prefect:
                summary = _run_without_prefect(sources_path, db_path, reports_dir, substitutions, batch_size,
                                               period)
            else:
                from newsfacts.flows.leftovers import guard_run
                from newsfacts.flows.nightly import AllSourcesFailed, nightly

                flow, parts = nightly, 0
                if dask_address or dask_workers:
                    from newsfacts.flows.nightly import dask_task_runner

                    flow = nightly.with_options(task_runner=dask_task_runner(dask_address, dask_workers))
                    parts = dask_workers or DASK_EXTRACT_PARTS
                try:
                    with guard_run():  # Prefect's temporary server never outlives the run
                        summary = asyncio.run(flow(
                            sources_path=str(sources_path), db_path=db_path, reports_dir=reports_dir,
                            substitutions=substitutions, show_progress=True, batch_size=batch_size, **period,
                            extract_parts=parts,
                        ))
                except AllSourcesFailed as failed:
                    summary = failed.summary
    click.echo(summary.line())
    for failure in summary.failures:
        click.echo(f"  failed: {failure}", err=True)
    click.echo(f"warehouse: {summary.db_path}")
    if summary.report_path:
        click.echo(f"report:    {summary.report_path}")
    click.echo(f"took {summary.seconds:.1f}s in the flow")
    sys.exit({"ok": 0, "partial": EXIT_PARTIAL, "failed": EXIT_ALL_FAILED}[summary.status])


def _run_without_prefect(sources_path, db_path, reports_dir, substitutions, batch_size=None, period=None):
    from datetime import date

    from newsfacts.flows.config import for_period, load_sources
    from newsfacts.flows.pipeline import run_once
    from newsfacts.flows.progress import progress_display

    if not logging.getLogger().handlers:
        logging.basicConfig(format="%(levelname)-7s %(message)s")
    config = load_sources(sources_path, substitutions=substitutions)
    if period and period["since"]:
        config = for_period(config, date.fromisoformat(period["since"]),
                            date.fromisoformat(period["until"]) if period["until"] else None)
    with progress_display(True) as progress:
        options = {"batch_size": batch_size} if batch_size else {}
        return run_once(config, db_path, reports_dir=reports_dir, progress=progress,
                        sources_file=str(sources_path), **options)


@contextmanager
def _demo_site(enabled: bool, port: int):
    if not enabled:
        yield None
        return
    from newsfacts.demo_site import DemoSite

    if not DEMO_SITE.is_dir():
        raise click.ClickException(f"the demo site is missing: {DEMO_SITE} (a broken install?)")
    try:
        site = DemoSite(DEMO_SITE, port=port)
        site.start()
    except OSError as exc:
        raise click.ClickException(
            f"cannot serve the demo site on 127.0.0.1:{port} ({exc.strerror or exc}); "
            "pass --demo-port with a free port"
        ) from None
    click.echo(f"demo site serving the bundled fixture site at {site.base_url}")
    try:
        yield {"base": site.base_url}
    finally:
        site.stop()


def _existing_warehouse(db_path: str) -> None:
    if not Path(db_path).exists():
        raise click.ClickException(f"no warehouse at {db_path}: run the pipeline (newsfacts run) first")


def _check_db_path(db_path: str) -> None:
    parent = Path(db_path).resolve().parent
    if not parent.is_dir():
        raise click.ClickException(f"{db_path}: folder {parent} does not exist")
    if not os.access(parent, os.W_OK):
        raise click.ClickException(f"{db_path}: folder {parent} is not writable")


@cli.command()
@click.option("--sources", "sources", type=click.Path(dir_okay=False), help="Sources file.")
@db_option
@click.option("--reports", "reports_dir", default="reports", show_default=True)
@click.option("--cron", default="0 2 * * *", show_default=True, help="When to run (cron syntax).")
@click.option("--timezone", "tz", default="UTC", show_default=True, help="IANA timezone of the cron, e.g. Europe/Brussels.")
def serve(sources, db_path, reports_dir, cron, tz) -> None:
    """Keep the pipeline scheduled nightly (needs `prefect server start`)."""
    _quiet_prefect()
    from newsfacts.flows.config import load_sources
    from newsfacts.flows.serve import PrefectApiMissing, check_prefect_api, serve_nightly

    with user_errors():
        sources_path = _sources_path(sources).resolve()
        load_sources(sources_path)
        try:
            api = check_prefect_api()
        except PrefectApiMissing as exc:
            raise click.ClickException(str(exc)) from None
        click.echo(f"Prefect API at {api}; scheduling nightly runs at '{cron}' ({tz}). Ctrl-C to stop.")
        serve_nightly(sources_path=str(sources_path), db_path=str(Path(db_path).resolve()),
                      reports_dir=str(Path(reports_dir).resolve()), cron=cron, timezone=tz)


@cli.command("sources")
@click.option("--sources", "sources", type=click.Path(dir_okay=False), help="Sources file.")
def list_sources(sources) -> None:
    """Validate the sources file and list each source with the URL it fetches."""
    from newsfacts.flows.config import load_sources

    with user_errors():
        config = load_sources(_sources_path(sources))
    for source in config.sources:
        state = "" if source.enabled else "  (disabled)"
        click.echo(f"{source.name:<28} {source.kind:<12} {source.feed_url}{state}")


# --- extraction -----------------------------------------------------------------------------

def _read_input(path: str) -> tuple[str, str]:
    """(text, name) of a file argument; '-' reads stdin."""
    if path == "-":
        return sys.stdin.read(), "<stdin>"
    data = Path(path).read_bytes()
    from newsfacts.extractors.charset import decode_body

    return decode_body(data, None), path


def _looks_like_html(text: str) -> bool:
    head = text.lstrip()[:1000].lower()
    return head.startswith("<!doctype html") or "<html" in head or "<body" in head or "<p>" in head


@cli.command()
@click.argument("pages", nargs=-1, required=True)
@click.option("--url", help="The page's URL (used when it declares no canonical URL).")
@click.option("--format", "fmt", type=click.Choice(["json", "jsonl"]), default="json", show_default=True)
def article(pages, url, fmt) -> None:
    """Extract title, main text, date, author and URL from article HTML files."""
    from newsfacts.extractors.article import ArticleError, extract_article

    if len(pages) > 1 and fmt == "json":
        raise click.UsageError("several pages need --format jsonl")
    failed = 0
    for page in pages:  # a page that cannot be read gets an error record; the others go on
        try:
            html, name = _read_input(page)
            result = extract_article(html, url=url)
        except (ArticleError, OSError) as exc:
            error = f"{exc.strerror} ({exc.filename})" if isinstance(exc, OSError) and exc.strerror else str(exc)
            if fmt == "json":
                raise click.ClickException(f"{page}: {error}") from None
            failed += 1
            click.echo(json.dumps({"file": page, "error": error}, ensure_ascii=False))
            click.echo(f"{page}: {error}", err=True)
            continue
        record = {"title": result.title, "text": result.text, "published_at": result.published_at,
                  "author": result.author, "url": result.url}
        if fmt == "jsonl":
            record = {"file": name, **record}
        click.echo(json.dumps(record, ensure_ascii=False, indent=2 if fmt == "json" else None))
    if failed:
        raise click.ClickException(f"{failed} of {len(pages)} page(s) could not be read")


@cli.command()
@click.argument("files", nargs=-1, required=True)
@click.option("--format", "fmt", type=click.Choice(["jsonl", "table"]), default="jsonl", show_default=True)
@click.option("--published-at", help="Publication date (ISO) used as as_of when a sentence gives none.")
def extract(files, fmt, published_at) -> None:
    """Print the facts stated in text, Markdown or HTML files ('-' for stdin)."""
    from newsfacts.extractors.article import ArticleError, extract_article
    from newsfacts.extractors.facts import FactExtractor

    extractor = FactExtractor()
    with user_errors():
        for path in files:
            text, name = _read_input(path)
            date = published_at
            if _looks_like_html(text):
                try:
                    page = extract_article(text)
                except ArticleError as exc:
                    raise click.ClickException(f"{name}: {exc}") from None
                text, date = page.text, date or page.published_at
            for fact in extractor.extract(text, date):
                record = fact.to_dict()
                if fmt == "jsonl":
                    click.echo(json.dumps({"file": name, **record}, ensure_ascii=False))
                else:
                    click.echo(_fact_line(record))


def _fact_line(fact: dict) -> str:
    pair = fact["subject"] + (f" ← {fact['counterparty']}" if fact.get("counterparty") else "")
    return f"{fact['metric']:<15} {pair:<32} {fact['value']!s:>16} {fact['unit']:<7} {fact['qualifier']:<9} {fact.get('as_of') or ''}"


@cli.command("eval")
@click.argument("gold", type=click.Path(exists=True, dir_okay=False))
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@click.option("--level", type=click.Choice(["figure", "attributed", "typed"]), default="attributed",
              show_default=True, help="Level whose errors the text format lists.")
def evaluate(gold, fmt, level) -> None:
    """Score the extractor against a gold file: precision, recall, F1 at three levels."""
    from newsfacts.extractors.evaluate import evaluate_gold

    with user_errors():
        try:
            result = evaluate_gold(gold)
        except (ValueError, KeyError, TypeError, AttributeError) as exc:  # JSONDecodeError is a ValueError
            detail = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
            raise click.ClickException(
                f"{gold}: not a gold file (one JSON object per line with 'doc' and 'facts'): {detail}") from None
    click.echo(json.dumps(result.to_dict(), indent=2) if fmt == "json" else result.render_text(level))


@cli.command()
@db_option
def reextract(db_path) -> None:
    """Rebuild every stored article's facts from its stored HTML/text, without refetching."""
    from newsfacts.flows.pipeline import reextract_all

    with user_errors():
        _existing_warehouse(db_path)  # a missing path must not become an empty warehouse
        stats = reextract_all(db_path)
    click.echo(f"re-extracted {stats['articles']} article(s): facts {stats['new']} new, "
               f"{stats['removed']} removed, {stats['unchanged']} unchanged; conflicts {stats['conflicts_open']} open")
    replaced = ", ".join(stats["replaced_versions"])
    click.echo(f"rules changed since the last extraction: {replaced} -> {stats['extractor_version']}" if replaced
               else f"rules unchanged since the last extraction ({stats['extractor_version']})")


# --- review -----------------------------------------------------------------------------------

@cli.command()
@db_option
@click.option("--all", "show_all", is_flag=True, help="Include resolved and dismissed conflicts.")
def review(db_path, show_all) -> None:
    """List open conflicts, most severe first."""
    from newsfacts.warehouse.db import open_reader
    from newsfacts.warehouse.review import list_conflicts

    with user_errors():
        con = open_reader(db_path)
        rows = list_conflicts(con, status=None if show_all else "open")
        con.close()
    if not rows:
        click.echo("no open conflicts" if not show_all else "no conflicts")
        return
    click.echo(_review_table(rows), nl=False)


def _review_table(rows: list[dict]) -> str:
    """The review table: one line per value under its conflict, the suggestion below."""
    from newsfacts.warehouse.rules import format_figure, key_label, period_of, short_date

    widths = (16, 26, 14, 16, 24, 10, 10)
    header = ("CONFLICT", "CLASS", "VALUE", "FACT", "SOURCE", "AS OF", "PUBLISHED")
    line = lambda cells: "  ".join(str(c)[:w].ljust(w) for c, w in zip(cells, widths))  # noqa: E731
    indent = " " * (widths[0] + widths[1] + 4)
    out = [line(header[:2] + ("KEY",) + ("",) * 4).rstrip(), indent + line(("",) * 2 + header[2:]).strip()]
    for row in rows:
        facts = row["facts"]
        first = facts[0].figure if facts else None
        measure = first.measure if first else None
        key = key_label(row["subject"], row["counterparty"], row["metric"], row["unit"],
                        row.get("chip_type"), measure, period_of(measure, first.sentence if first else None))
        out.append(line((row["conflict_id"], f"{row['class']} ({row['status']})")) + f"  {key}")
        suggestion = row.get("suggestion")
        for f in facts:
            mark = "  <- suggested" if suggestion and suggestion.fact_id == f.fact_id else ""
            published = f"{f.published_at:%Y-%m-%d}" if f.published_at else ""
            out.append((line(("", "", format_figure(f.figure), f.fact_id, f.publisher or "",
                              short_date(f.figure.as_of), published)) + mark).rstrip())
        if suggestion:
            out.append(f"{'':18}suggested: {suggestion.figure} (fact {suggestion.fact_id}): {suggestion.reason}")
            out.append(f"{'':18}accept it: newsfacts resolve {row['conflict_id']} --accept {suggestion.fact_id}")
        out.append("")
    return "\n".join(out).rstrip() + "\n"


@cli.command()
@click.argument("conflict_id")
@click.option("--accept", "accept_fact_id", help="Mark this fact's value as the preferred one.")
@click.option("--value", type=float, help="Record the correct value directly (in the conflict's unit).")
@click.option("--dismiss", is_flag=True, help="Not a real conflict (e.g. different deals).")
@click.option("--note", help="Why: kept with the decision.")
@db_option
def resolve(conflict_id, accept_fact_id, value, dismiss, note, db_path) -> None:
    """Record a reviewer's decision on a conflict; it survives later runs."""
    from newsfacts.warehouse.db import open_writer
    from newsfacts.warehouse.review import ReviewError
    from newsfacts.warehouse.review import resolve as record_resolution

    chosen = [flag for flag in (accept_fact_id is not None, value is not None, dismiss) if flag]
    if len(chosen) != 1:
        raise click.UsageError("give exactly one of --accept FACT_ID, --value V, --dismiss")
    with user_errors():
        _existing_warehouse(db_path)
        try:
            with open_writer(db_path) as con:
                record_resolution(con, conflict_id, accept_fact_id=accept_fact_id, value=value,
                                  dismiss=dismiss, note=note, user=os.environ.get("USER"))
        except ReviewError as exc:
            raise click.ClickException(str(exc)) from None
    click.echo(f"{conflict_id}: {'dismissed' if dismiss else 'resolved'}")


@cli.command()
@db_option
@click.option("--format", "fmt", type=click.Choice(["html", "md", "csv"]), default="html", show_default=True)
@click.option("--since", help="Only conflicts with evidence published on or after this date (YYYY-MM-DD).")
@click.option("--out", type=click.Path(dir_okay=False), help="Output file (default: stdout for md/csv, conflicts.html for html).")
def report(db_path, fmt, since, out) -> None:
    """Write the conflict-review report (HTML: only the conflicts that changed are drawn again)."""
    from newsfacts.warehouse.db import open_reader
    from newsfacts.warehouse.report import FRAGMENT_CACHE, FragmentCache, render_report

    with user_errors():
        target = Path(out or "conflicts.html") if out or fmt == "html" else None
        # each conflict's HTML is kept beside the report, as the run reports keep theirs
        cache = FragmentCache(target.parent / FRAGMENT_CACHE) if fmt == "html" and not since else None
        con = open_reader(db_path)
        try:
            text = render_report(con, fmt=fmt, since=since, cache=cache)
        except ValueError as exc:  # --since that is not a date
            raise click.ClickException(str(exc)) from None
        finally:
            con.close()
        if target is not None:
            target.write_text(text, encoding="utf-8")
            drawn = f" ({cache.rendered} conflict(s) drawn, {cache.reused} from the cache)" if cache else ""
            click.echo(f"wrote {target}{drawn}")
        else:
            click.echo(text, nl=False)


# --- analysts -----------------------------------------------------------------------------------

@cli.command()
@click.argument("query")
@db_option
@click.option("--format", "fmt", type=click.Choice(["table", "csv", "json"]), default="table", show_default=True)
def sql(query, db_path, fmt) -> None:
    """Run a read-only SQL query against the warehouse."""
    from newsfacts.warehouse.sql import QueryError, format_rows, run_query

    with user_errors():
        try:
            columns, rows = run_query(db_path, query)
        except QueryError as exc:
            raise click.ClickException(str(exc)) from None
    click.echo(format_rows(columns, rows, fmt))


@cli.command()
@click.argument("out_dir", type=click.Path(file_okay=False))
@db_option
@click.option("--format", "fmt", type=click.Choice(["parquet"]), default="parquet", show_default=True)
def export(out_dir, db_path, fmt) -> None:
    """Export the analyst views (facts, conflicts, articles, …) as Parquet files."""
    from newsfacts.warehouse.sql import export_parquet

    with user_errors():
        paths = export_parquet(db_path, Path(out_dir))
    for path in paths:
        click.echo(f"wrote {path}")


def main() -> None:
    try:
        cli(prog_name="newsfacts")
    except BrokenPipeError:
        _quiet_broken_pipe()


def _quiet_broken_pipe() -> None:
    """`newsfacts extract ... | head`: the reader left; stop without a traceback or a message."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())  # the interpreter's last flush goes nowhere
    sys.exit(141)  # 128 + SIGPIPE, as a shell reports a command killed by a closed pipe


if __name__ == "__main__":
    main()
