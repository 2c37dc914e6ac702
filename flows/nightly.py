"""The `nightly` Prefect flow: the library pipeline (flows.pipeline) with each stage a task.

One task per stage, each handling the whole batch. The warehouse connection never crosses a
task boundary as a cached input (DuckDB connections cannot be pickled), hence NO_CACHE.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import date
from functools import partial

from prefect import flow, get_run_logger, task
from prefect.cache_policies import NO_CACHE
from prefect.states import Completed, Failed

from newsfacts.flows import google_links, pipeline, stages
from newsfacts.flows.config import for_period, load_sources
from newsfacts.flows.pipeline import RunSummary
from newsfacts.flows.progress import progress_display
from newsfacts.warehouse import conflicts as conflict_detection
from newsfacts.warehouse import report as reporting

_fetching = dict(retries=2, retry_delay_seconds=10, cache_policy=NO_CACHE)
TASKS = {
    "fetch feeds": task(name="fetch feeds", **_fetching)(stages.fetch_feeds),
    "resolve links": task(name="resolve Google News links", cache_policy=NO_CACHE)(google_links.resolve_links),
    "fetch articles": task(name="fetch articles", **_fetching)(stages.fetch_articles),
    "parse": task(name="parse", cache_policy=NO_CACHE)(stages.parse_pages),
    "skip unchanged": task(name="skip unchanged", cache_policy=NO_CACHE)(stages.plan_articles),
    "group stories": task(name="group stories", cache_policy=NO_CACHE)(stages.group_stories),
    "extract": task(name="extract", cache_policy=NO_CACHE)(stages.extract_facts),
    "load": task(name="load", cache_policy=NO_CACHE)(stages.load_batch),
    "detect conflicts": task(name="detect conflicts", cache_policy=NO_CACHE)(conflict_detection.detect_conflicts),
    "report": task(name="report", cache_policy=NO_CACHE)(reporting.write_run_report),
}


def as_task(name: str, function: Callable) -> Callable:
    """The pipeline's stage runner under Prefect: the stage's task, which wraps that very function."""
    stage_task = TASKS[name]
    if stage_task.fn is not function:
        raise RuntimeError(f"stage {name!r} runs {function.__qualname__}, its task wraps {stage_task.fn.__qualname__}")
    return stage_task


def on_workers(parts: int) -> Callable:
    """as_task, except that the extract stage, the CPU-bound one, fans out: the batch's changed
    articles go to the flow's task runner (a Dask cluster under DaskTaskRunner) in `parts`
    extract tasks, whose facts come back as plain records; the flow's process alone writes."""
    def runner(name: str, function: Callable) -> Callable:
        stage_task = as_task(name, function)
        return partial(_extract_on_workers, parts=parts) if name == "extract" else stage_task
    return runner


def _extract_on_workers(parsed: stages.ExtractedBatch, changed_urls: set[str], _extractor=None,
                        progress=None, *, parts: int) -> stages.ExtractedBatch:
    todo = [record for record in parsed.records if record.canonical_url in changed_urls]
    if not todo:
        return parsed
    size = -(-len(todo) // parts)
    futures = []
    for start in range(0, len(todo), size):
        # The page's HTML stays here: a worker needs the text only.
        chunk = [replace(record, raw_html=None) for record in todo[start:start + size]]
        urls = {record.canonical_url for record in chunk}
        # No extractor is shipped: each worker process builds its own once (stages.extract_facts).
        futures.append((TASKS["extract"].submit(stages.ExtractedBatch(records=chunk), urls), urls))
    failed = set()
    for future, urls in futures:
        done = future.result()
        parsed.facts.update(done.facts)
        parsed.failed.extend(done.failed)  # an article whose extraction failed is left out (stages.extract_facts)
        failed |= urls - {record.canonical_url for record in done.records}
    if failed:
        parsed.records = [record for record in parsed.records if record.canonical_url not in failed]
    if progress:
        progress("extract", len(todo), len(todo))
    return parsed


def dask_task_runner(address: str | None = None, workers: int = 0):
    """Prefect's DaskTaskRunner on the cluster at `address`, or on a LocalCluster of `workers`
    single-threaded worker processes (the fact rules hold the GIL)."""
    from prefect_dask import DaskTaskRunner

    if address:
        return DaskTaskRunner(address=address)
    return DaskTaskRunner(cluster_kwargs={"n_workers": workers, "threads_per_worker": 1, "processes": True,
                                          "dashboard_address": None})


@flow(name="nightly", description="Pull news and newsroom articles, extract deal figures, flag conflicts.")
async def nightly(
    sources_path: str = "sources.toml",
    db_path: str = "newsfacts.duckdb",
    reports_dir: str | None = "reports",
    substitutions: dict[str, str] | None = None,
    show_progress: bool = False,
    batch_size: int | None = None,
    since: str | None = None,
    until: str | None = None,
    extract_parts: int = 0,
) -> RunSummary:
    """Parameters are plain JSON values so that a deployment can schedule this flow.
    `since` (and `until`), ISO dates, fetch that past period of every Google News search once.

    `extract_parts` > 0 sends each batch's fact extraction to the task runner in that many
    tasks: give the flow a DaskTaskRunner (`dask_task_runner`, `nightly.with_options`) for them
    to run on a Dask cluster."""
    config = load_sources(sources_path, substitutions=substitutions)
    if since:
        config = for_period(config, date.fromisoformat(since), date.fromisoformat(until) if until else None)
    with progress_display(show_progress) as progress:
        details = await pipeline.run_stages(
            config, db_path, reports_dir=reports_dir, progress=progress,
            sources_file=str(sources_path), runner=on_workers(extract_parts) if extract_parts else as_task,
            batch_size=batch_size or pipeline.DEFAULT_BATCH_SIZE)
    summary = details.summary
    get_run_logger().info(summary.line())
    if summary.status == "failed":  # Prefect's alerts on failed runs fire; callers get the summary
        return Failed(message=f"all {summary.sources_failed} sources failed", data=AllSourcesFailed(summary))
    if summary.status == "partial":
        return Completed(name="Partial", message=f"{summary.sources_failed} source(s) failed", data=summary)
    return summary


class AllSourcesFailed(RuntimeError):
    """The nightly flow's error when no source worked; `summary` says what happened."""

    def __init__(self, summary: RunSummary):
        super().__init__(f"all {summary.sources_failed} sources failed")
        self.summary = summary
