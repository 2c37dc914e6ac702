"""The `nightly` Prefect flow: fetch feeds → fetch articles → extract → load → detect → report.

One task per stage, each handling the whole batch. The warehouse connection never crosses a
task boundary as a cached input (DuckDB connections cannot be pickled), hence NO_CACHE.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import datetime, timezone
from pathlib import Path

from prefect import flow, get_run_logger, task
from prefect.cache_policies import NO_CACHE

from newsfacts.extractors.facts import FactExtractor
from newsfacts.flows import stages
from newsfacts.config import load_sources
from newsfacts.progress import progress_display
from newsfacts.warehouse import conflicts as conflict_detection
from newsfacts.warehouse import load as loading
from newsfacts.warehouse import report as reporting
from newsfacts.warehouse.db import open_writer

EXTRACTOR_VERSION = "rules-1"


@dataclass
class RunSummary:
    run_id: str = ""
    sources_ok: int = 0
    sources_unchanged: int = 0
    sources_failed: int = 0
    failures: list[str] = field(default_factory=list)
    articles_new: int = 0
    articles_updated: int = 0
    articles_unchanged: int = 0
    articles_duplicate: int = 0
    articles_failed: int = 0
    snippet_only: int = 0
    facts_new: int = 0
    facts_total: int = 0
    conflicts_new: int = 0
    conflicts_open: int = 0
    db_path: str = ""
    report_path: str | None = None
    seconds: float = 0.0

    def line(self) -> str:
        """The one-line summary printed at the end of a run."""
        return (
            f"sources {self.sources_ok} ok / {self.sources_unchanged} unchanged / {self.sources_failed} failed; "
            f"articles {self.articles_new} new / {self.articles_unchanged} unchanged / "
            f"{self.articles_duplicate} duplicate; facts {self.facts_new} new ({self.facts_total} total); "
            f"conflicts {self.conflicts_new} new ({self.conflicts_open} open)"
        )


@task(name="fetch feeds", retries=2, retry_delay_seconds=10, cache_policy=NO_CACHE)
async def fetch_feeds_task(config, fetcher, progress):
    return await stages.fetch_feeds(config, fetcher, progress)


@task(name="fetch articles", retries=2, retry_delay_seconds=10, cache_policy=NO_CACHE)
async def fetch_articles_task(candidates, fetcher, progress):
    return await stages.fetch_articles(candidates, fetcher, progress)


@task(name="extract", cache_policy=NO_CACHE)
def extract_task(pages, progress):
    return stages.extract_pages(pages, FactExtractor(), progress)


@task(name="load", cache_policy=NO_CACHE)
def load_task(con, run_id, config, feeds, pages, extracted, validators):
    return stages.load_batch(con, run_id, config, feeds, pages, extracted, validators, EXTRACTOR_VERSION)


@task(name="detect conflicts", cache_policy=NO_CACHE)
def detect_task(con, run_id):
    return conflict_detection.detect_conflicts(con, run_id)


@task(name="report", cache_policy=NO_CACHE)
def report_task(con, reports_dir, run_id):
    return reporting.write_run_report(con, Path(reports_dir), run_id)


@flow(name="nightly", description="Pull news and newsroom articles, extract deal figures, flag conflicts.")
async def nightly(
    sources_path: str = "sources.toml",
    db_path: str = "newsfacts.duckdb",
    reports_dir: str | None = "reports",
    substitutions: dict[str, str] | None = None,
    show_progress: bool = False,
) -> RunSummary:
    """Parameters are plain JSON values so that a deployment can schedule this flow."""
    config = load_sources(sources_path, substitutions=substitutions)
    logger = get_run_logger()
    started = datetime.now(timezone.utc)
    summary = RunSummary(db_path=str(db_path))
    with open_writer(db_path) as con, progress_display(show_progress) as progress:
        run_id = loading.start_run(con, started_at=started, sources_file=str(sources_path))
        summary.run_id = run_id
        validators = loading.load_validators(con)
        async with stages.new_fetcher(config, validators) as fetcher:
            feeds = await fetch_feeds_task(config, fetcher, progress)
            pages = await fetch_articles_task(feeds.candidates, fetcher, progress)
            validators = dict(fetcher.validators)
        extracted = extract_task(pages.pages, progress)
        articles, facts = load_task(con, run_id, config, feeds, pages, extracted, validators)
        found = detect_task(con, run_id)
        if reports_dir:
            summary.report_path = str(report_task(con, reports_dir, run_id))

        _fill_summary(summary, feeds, pages, extracted, articles, facts, found)
        summary.seconds = round((datetime.now(timezone.utc) - started).total_seconds(), 1)
        status = "ok" if summary.sources_failed == 0 else "partial"
        loading.finish_run(con, run_id, status, asdict(summary))
    logger.info(summary.line())
    return summary


def _fill_summary(summary, feeds, pages, extracted, articles, facts, found) -> None:
    for outcome in feeds.outcomes:
        if outcome.status == "failed":
            summary.sources_failed += 1
            summary.failures.append(f"{outcome.source}: {outcome.error}")
        elif outcome.status == "unchanged":
            summary.sources_unchanged += 1
        else:
            summary.sources_ok += 1
    summary.articles_new = articles.new
    summary.articles_updated = articles.updated
    summary.articles_unchanged = articles.unchanged + pages.unchanged
    summary.articles_duplicate = articles.duplicate
    summary.articles_failed = len(extracted.failed)
    summary.snippet_only = sum(1 for record in extracted.records if record.snippet_only)
    summary.facts_new = facts.new
    summary.facts_total = facts.total
    summary.conflicts_new = found.new
    summary.conflicts_open = found.open
