"""The pipeline as a library, no Prefect needed: run the stages once, or re-extract.

    from newsfacts.flows.config import load_sources
    from newsfacts.flows.pipeline import run_once, reextract_all

    summary = run_once(load_sources("sources.toml"), "newsfacts.duckdb", reports_dir="reports")
    print(summary.line())

The composition of the stages is written here once. `flows.nightly` runs the same composition
under Prefect by passing a `runner` that turns each stage function into a Prefect task; the
CLI (`newsfacts run --no-prefect`) and the tests call it directly. Importing this module does
not import Prefect.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import datetime, timezone
from pathlib import Path

from newsfacts.extractors.article import ArticleError, extract_article
from newsfacts.extractors.dedup import content_hash
from newsfacts.extractors.facts import EXTRACTOR_VERSION, FactExtractor
from newsfacts.flows import alerts, google_links, heap, stages
from newsfacts.flows.config import SourcesConfig
from newsfacts.flows.progress import ProgressCallback
from newsfacts.warehouse import conflicts as conflict_detection
from newsfacts.warehouse import link_cache
from newsfacts.warehouse import load as loading
from newsfacts.warehouse import report as reporting
from newsfacts.warehouse.conflicts import ConflictSummary
from newsfacts.warehouse.db import open_writer
from newsfacts.warehouse.load import FactStats, LoadStats

log = logging.getLogger("newsfacts.pipeline")

# (stage name, stage function) -> the callable that runs it. The default runs the function
# itself; flows.nightly returns the function's Prefect task.
StageRunner = Callable[[str, Callable], Callable]


def direct(_name: str, function: Callable) -> Callable:
    return function


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
    links_decoded: int = 0          # Google News ids decoded by this run
    links_cached: int = 0           # ... answered by the link cache (no request)
    links_failed: int = 0           # ... not decoded: kept as snippets, with the reason
    decode_requests: int = 0        # requests sent to Google to decode links
    facts_new: int = 0
    facts_total: int = 0
    conflicts_new: int = 0
    conflicts_open: int = 0
    db_path: str = ""
    report_path: str | None = None
    seconds: float = 0.0

    @property
    def status(self) -> str:
        """ok: no source failed; partial: some did; failed: every source that ran failed."""
        if self.sources_failed == 0:
            return "ok"
        return "failed" if self.sources_ok + self.sources_unchanged == 0 else "partial"

    def line(self) -> str:
        """The one-line summary printed at the end of a run."""
        return (
            f"sources {self.sources_ok} ok / {self.sources_unchanged} unchanged / {self.sources_failed} failed; "
            f"articles {self.articles_new} new / {self.articles_unchanged} unchanged / "
            f"{self.articles_duplicate} duplicate; facts {self.facts_new} new ({self.facts_total} total); "
            f"conflicts {self.conflicts_new} new ({self.conflicts_open} open)"
            + self._links_part()
        )

    def _links_part(self) -> str:
        """Google News link decoding, when the run did any."""
        if not (self.links_decoded or self.links_cached or self.links_failed):
            return ""
        return (f"; Google News links {self.links_decoded} decoded / {self.links_cached} cached / "
                f"{self.links_failed} not decoded ({self.decode_requests} requests)")


@dataclass
class RunDetails:
    """What one run produced, stage by stage (the summary is the part users see). Pages and
    records are not kept: they go through the stages a batch at a time."""

    summary: RunSummary
    feeds: stages.FeedBatch
    articles: LoadStats          # counts summed over the batches
    facts: FactStats             # counts summed; total as after the last batch
    conflicts: ConflictSummary
    extracted_urls: list[str] = field(default_factory=list)   # canonical URLs of the records loaded
    pages_unchanged: int = 0     # pages that answered 304
    links: google_links.LinkBatch | None = None   # Google News links resolved


# Pages fetched, parsed, extracted and loaded together: memory holds one batch of pages and
# records however many articles the night brings (measured by bench/bench_scale.py).
DEFAULT_BATCH_SIZE = 500


async def run_stages(
    config: SourcesConfig,
    db_path: str | Path,
    *,
    reports_dir: str | Path | None = None,
    extractor: FactExtractor | None = None,
    fetcher_factory: Callable = stages.new_fetcher,
    progress: ProgressCallback | None = None,
    sources_file: str | None = None,
    runner: StageRunner = direct,
    batch_size: int = DEFAULT_BATCH_SIZE,
) -> RunDetails:
    """fetch feeds → resolve Google News links, then a batch of `batch_size` pages at a time: fetch articles → parse → skip
    unchanged → group stories → extract facts → load; then detect → report, once.

    `extractor` defaults to the process's shared FactExtractor, built by the extract stage when
    it has changed articles (an unchanged rerun builds none, nor does the driver of a flow whose
    extract stage runs on Dask workers); `fetcher_factory(config, validators)` makes the HTTP fetcher
    (tests pass one with short timeouts). The batches load into the writer's generation of the file,
    which is published only when the whole run succeeds.
    """
    if batch_size < 1:
        raise ValueError("batch_size must be >= 1")
    started = datetime.now(timezone.utc)
    summary = RunSummary(db_path=str(db_path))
    details = {"sources_file": sources_file} if sources_file else {}
    night = _Night()
    with open_writer(db_path) as con:
        run_id = loading.start_run(con, started_at=started, **details)
        summary.run_id = run_id
        async with fetcher_factory(config, loading.load_validators(con)) as fetcher:
            feeds = await runner("fetch feeds", stages.fetch_feeds)(config, fetcher, progress)
            links = await runner("resolve links", google_links.resolve_links)(
                feeds.candidates, config, link_cache.load_cache(con), progress)
            feeds.fetches.extend(links.fetches)
            candidates = stages.unique_candidates(links.candidates)
            unlogged, unsaved = feeds, links  # logged and saved with the first batch
            incomplete: set[str] = set()  # sources with a page not stored: keep no validators
            for start in range(0, max(len(candidates), 1), batch_size):
                batch_progress = _offset(progress, start, len(candidates))
                pages = await runner("fetch articles", stages.fetch_articles)(
                    candidates[start:start + batch_size], fetcher, batch_progress)
                parsed = runner("parse", stages.parse_pages)(pages.pages)
                plan = runner("skip unchanged", stages.plan_articles)(con, parsed)
                stories = runner("group stories", stages.group_stories)(con, plan)
                extracted = runner("extract", stages.extract_facts)(
                    parsed, plan.stats.changed_urls, extractor, batch_progress)
                articles, facts = runner("load", stages.load_batch)(
                    con, run_id, config, unlogged, pages, extracted, dict(fetcher.validators),
                    EXTRACTOR_VERSION, stories, unsaved)
                unlogged, unsaved = stages.FeedBatch(), None
                _tick(progress, "load", min(start + batch_size, len(candidates)), len(candidates))
                night.add(pages, extracted, articles, facts)
                incomplete |= stages.incomplete_sources(pages, extracted)
                del pages, parsed, plan, stories, extracted
                heap.release_freed_memory()  # the batch's native memory back before the next one
            stages.save_source_validators(con, feeds, fetcher.validators, incomplete)
        _tick(progress, "conflicts", 0, 1)
        found = runner("detect conflicts", conflict_detection.detect_conflicts)(con, run_id)
        _tick(progress, "conflicts", 1, 1)
        if config.alert_block:
            message = reporting.alert_text(con, run_id, found.new_ids, config.alert_min_usd,
                                           config.alert_min_watts)
            if message:
                await alerts.send_alert(config.alert_block, *message)

        _fill_summary(summary, feeds, night, found)
        summary.links_decoded, summary.links_cached = len(links.resolved), links.cached
        summary.links_failed, summary.decode_requests = len(links.failed), links.requests
        if reports_dir:
            _tick(progress, "report", 0, 1)
            summary.report_path = str(runner("report", reporting.write_run_report)(
                con, Path(reports_dir), run_id, sources=(summary.sources_failed, len(feeds.outcomes))))
            _tick(progress, "report", 1, 1)
        summary.seconds = round((datetime.now(timezone.utc) - started).total_seconds(), 1)
        loading.finish_run(con, run_id, summary.status, asdict(summary))
    log.info(summary.line())
    return RunDetails(summary, feeds, night.articles, night.facts, found, night.urls, night.pages_unchanged,
                      links)


def run_once(config: SourcesConfig, db_path: str | Path, **options) -> RunSummary:
    """Run the stages once, synchronously, and return the run's summary (options: see run_stages)."""
    return asyncio.run(run_stages(config, db_path, **options)).summary


def _tick(progress: ProgressCallback | None, stage: str, done: int, total: int) -> None:
    if progress is not None:
        progress(stage, done, total)


def _offset(progress: ProgressCallback | None, start: int, total: int) -> ProgressCallback | None:
    """Progress through one batch reported as progress through the night's pages."""
    if progress is None:
        return None
    return lambda stage, done, _batch_total: progress(stage, min(start + done, total), total)


@dataclass
class _Night:
    """Counts over the batches; the batches themselves are let go."""

    articles: LoadStats = field(default_factory=LoadStats)
    facts: FactStats = field(default_factory=FactStats)
    urls: list[str] = field(default_factory=list)
    pages_unchanged: int = 0
    failed: int = 0
    snippet_only: int = 0

    def add(self, pages: stages.PageBatch, extracted: stages.ExtractedBatch,
            articles: LoadStats, facts: FactStats) -> None:
        for name in ("new", "unchanged", "updated", "duplicate"):
            setattr(self.articles, name, getattr(self.articles, name) + getattr(articles, name))
        for name in ("new", "removed", "unchanged"):
            setattr(self.facts, name, getattr(self.facts, name) + getattr(facts, name))
        self.facts.total = facts.total
        self.urls.extend(record.canonical_url for record in extracted.records)
        self.pages_unchanged += pages.unchanged
        self.failed += len(extracted.failed)
        self.snippet_only += sum(1 for record in extracted.records if record.snippet_only)


def _fill_summary(summary: RunSummary, feeds: stages.FeedBatch, night: _Night, found: ConflictSummary) -> None:
    for outcome in feeds.outcomes:
        if outcome.status == "failed":
            summary.sources_failed += 1
            summary.failures.append(f"{outcome.source}: {outcome.error}")
        elif outcome.status == "unchanged":
            summary.sources_unchanged += 1
        else:
            summary.sources_ok += 1
    summary.articles_new = night.articles.new
    summary.articles_updated = night.articles.updated
    summary.articles_unchanged = night.articles.unchanged + night.pages_unchanged
    summary.articles_duplicate = night.articles.duplicate
    summary.articles_failed = night.failed
    summary.snippet_only = night.snippet_only
    summary.facts_new = night.facts.new
    summary.facts_total = night.facts.total
    summary.conflicts_new = found.new
    summary.conflicts_open = found.open


# --- re-extraction --------------------------------------------------------------------------------

def reextract_all(db_path: str | Path, extractor: FactExtractor | None = None) -> dict:
    """Rebuild article texts and facts from what the warehouse kept; pages are not fetched again.

    The raw HTML stored with each article goes back through the article extractor
    (snippet-only articles keep their stored text), then through the fact rules, and
    conflicts are detected anew. Run it after changing the rules or the organisation aliases.
    """
    with open_writer(db_path) as con:
        earlier = loading.extractor_versions(con)
        articles = loading.stored_articles(con)
        texts = {}
        for article in articles:
            texts[article.article_id] = article.text
            if article.raw_html:
                try:
                    texts[article.article_id] = extract_article(article.raw_html, url=article.url).text
                except ArticleError as exc:
                    log.warning("article %s: kept the stored text (%s)", article.url, exc)
        docs = [(texts[a.article_id], stages.article_day(a.published_at)) for a in articles]
        extractor = extractor or FactExtractor()
        facts = dict(zip((a.article_id for a in articles), extractor.extract_many(docs)))

        con.begin()
        texts_changed = loading.update_article_texts(con, texts, content_hash)
        stats = loading.replace_facts(con, facts, EXTRACTOR_VERSION)
        con.commit()
        found = conflict_detection.detect_conflicts(con, full=True)
    return {"articles": len(articles), "texts_changed": texts_changed, "new": stats.new,
            "removed": stats.removed, "unchanged": stats.unchanged, "conflicts_open": found.open,
            "extractor_version": EXTRACTOR_VERSION,
            "replaced_versions": [version for version in earlier if version != EXTRACTOR_VERSION]}
