"""A night at scale: the pipeline on a synthetic corpus of N articles served on 127.0.0.1.

    python bench/bench_scale.py                      # 100, 1,000 and 5,000 articles
    python bench/bench_scale.py --sizes 100 1000     # chosen sizes
    python bench/bench_scale.py --large              # adds 20,000 articles (about an hour today)
    python bench/bench_scale.py --baseline-python OTHER/.venv/bin/python
                                                     # the same runs with another install, side by side

Each size gets a fresh site (bench/scale_corpus.py) and a fresh warehouse; each pipeline run is a
child process, so its peak resident memory (ru_maxrss) is its own and the site server is not
counted. The child times every stage (fetch feeds, fetch articles, extract, load, detect,
report, publish) and prints them as JSON; this script prints per-stage seconds, articles/s,
peak memory and the growth exponent fitted over the sizes (time ~ n^k: k = 1 is linear).

The warehouse measurement fills a warehouse with synthetic facts (bulk SQL, not through the
extractor; `--text-kb` of text and as much raw HTML per article, ten facts an article), runs a
full conflict detection pass, then adds 100 facts in a new run and detects again (three times): the
second pass costs what the 100 facts cost, not what the warehouse holds, and the ratio is
printed. The publish step is timed per night, with the copy of the file it makes (before
generations) or the catch-up of the spare generation when a writer opens; `--warehouse-report`
times the run report too (in full, then from its per-conflict cache).

    python bench/bench_scale.py --no-pipeline --warehouse 1000000     # the 1M-fact measurement

Bounded for a shared 2-core machine: the default sizes take a few minutes once the report no
longer draws a matplotlib figure per conflict. Not part of the test suite.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import math
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
STAGES = ("feeds", "articles", "parse", "plan", "stories", "extract", "load", "detect", "report", "publish")


# --- the child: one pipeline run, timed stage by stage ---------------------------------------

def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


class _Clock:
    """Seconds per stage (summed when a stage runs once per batch) and the peak after each."""

    def __init__(self) -> None:
        self.seconds: dict[str, float] = {}
        self.peak_mb: dict[str, float] = {}
        self._last = time.perf_counter()

    def lap(self, stage: str) -> None:
        now = time.perf_counter()
        self.seconds[stage] = self.seconds.get(stage, 0.0) + now - self._last
        self.peak_mb[stage] = _peak_mb()
        self._last = now


_STAGE_OF = {"fetch feeds": "feeds", "fetch articles": "articles", "parse": "parse",
             "skip unchanged": "plan", "group stories": "stories", "extract": "extract", "load": "load",
             "detect conflicts": "detect", "report": "report"}


async def _run_pipeline(sources: str, db: str, reports: str, base: str, batch: int | None) -> dict:
    """Through the library run API, every stage call timed by the stage runner."""
    try:
        from newsfacts.flows import pipeline
        from newsfacts.flows.config import load_sources
    except ImportError:  # an install from before the run API
        return await _run_stages_directly(sources, db, reports, base)

    clock = _Clock()
    seconds: dict[str, float] = {}

    def timed(name: str, function):
        stage = _STAGE_OF.get(name, name)

        def account(started: float) -> None:
            seconds[stage] = seconds.get(stage, 0.0) + time.perf_counter() - started
            clock.peak_mb[stage] = _peak_mb()

        if asyncio.iscoroutinefunction(function):
            async def run_async(*args, **kwargs):
                started = time.perf_counter()
                try:
                    return await function(*args, **kwargs)
                finally:
                    account(started)
            return run_async

        def run(*args, **kwargs):
            started = time.perf_counter()
            try:
                return function(*args, **kwargs)
            finally:
                account(started)
        return run

    config = load_sources(sources, substitutions={"base": base})
    options = {"batch_size": batch} if batch else {}
    started = time.perf_counter()
    details = await pipeline.run_stages(config, db, reports_dir=reports or None, sources_file=sources,
                                        runner=timed, **options)
    # what no stage accounts for: opening the warehouse copy, summaries, publishing it
    seconds["publish"] = time.perf_counter() - started - sum(seconds.values())
    clock.peak_mb["publish"] = _peak_mb()
    summary = details.summary
    return {"seconds": seconds, "peak_mb": clock.peak_mb,
            "counts": {"articles": summary.articles_new + summary.articles_updated + summary.articles_duplicate,
                       "facts": summary.facts_total, "conflicts": summary.conflicts_open}}


async def _run_stages_directly(sources: str, db: str, reports: str, base: str) -> dict:
    from datetime import datetime, timezone

    from newsfacts.config import load_sources
    from newsfacts.extractors.facts import FactExtractor
    from newsfacts.flows import stages
    from newsfacts.warehouse import conflicts, report
    from newsfacts.warehouse import load as loading
    from newsfacts.warehouse.db import open_writer

    clock = _Clock()
    config = load_sources(sources, substitutions={"base": base})
    counts: dict[str, int] = {}
    with open_writer(db) as con:
        run_id = loading.start_run(con, started_at=datetime.now(timezone.utc), sources_file=sources)
        validators = loading.load_validators(con)
        async with stages.new_fetcher(config, validators) as fetcher:
            clock.lap("publish")  # opening the copy counts with publishing it
            feeds = await stages.fetch_feeds(config, fetcher)
            clock.lap("feeds")
            pages = await stages.fetch_articles(feeds.candidates, fetcher)
            clock.lap("articles")
            validators = dict(fetcher.validators)
        extracted = stages.extract_pages(pages.pages, FactExtractor())
        clock.lap("extract")
        articles, facts = stages.load_batch(con, run_id, config, feeds, pages, extracted,
                                            validators, "bench")
        clock.lap("load")
        found = conflicts.detect_conflicts(con, run_id)
        clock.lap("detect")
        if reports:
            report.write_run_report(con, Path(reports), run_id)
        clock.lap("report")
        counts = {"articles": articles.new + articles.updated + articles.duplicate,
                  "facts": facts.total, "conflicts": found.open}
    clock.lap("publish")
    return {"seconds": clock.seconds, "peak_mb": clock.peak_mb, "counts": counts}


def _fill_and_detect(n_facts: int, workdir: str, text_kb: int = 0, report: bool = False) -> dict:
    """Fill a warehouse, detect (a full pass: nothing detected yet), publish; then two nights
    each add 100 facts, detect (incremental where the install has it), publish; the second
    night's figures are kept. With `report`, the run report is written after each detection."""
    sys.path.insert(0, str(HERE))
    from datetime import datetime, timezone

    from scale_corpus import fill_warehouse

    from newsfacts.warehouse import conflicts
    from newsfacts.warehouse import db as warehouse_db
    from newsfacts.warehouse import load as loading
    from newsfacts.warehouse import report as reporting
    from newsfacts.warehouse.db import open_writer

    copies: list[float] = []   # seconds of each publish call (a full copy of the file before generations)
    catch_ups: list[list] = []  # [seconds, bytes written or None] of each spare catch-up, where the install has it
    publish = getattr(warehouse_db, "_publish", None)
    if publish is not None:
        def timed_publish(*args):
            started = time.perf_counter()
            try:
                return publish(*args)
            finally:
                copies.append(time.perf_counter() - started)
        warehouse_db._publish = timed_publish
    catch_up = getattr(warehouse_db, "_catch_up", None)
    if catch_up is not None:
        def timed_catch_up(*args):
            started = time.perf_counter()
            written = catch_up(*args)
            catch_ups.append([time.perf_counter() - started, written])
            return written
        warehouse_db._catch_up = timed_catch_up

    db = os.path.join(workdir, "big.duckdb")
    reports = Path(workdir) / "reports"
    result: dict[str, float] = {}
    started = time.perf_counter()
    with open_writer(db) as con:
        run_id = loading.start_run(con, started_at=datetime.now(timezone.utc), sources_file="bench")
        fill_warehouse(con, n_facts, text_kb=text_kb, run_id=run_id)
        result["fill_s"] = time.perf_counter() - started
        wall, cpu = time.perf_counter(), time.process_time()
        full = conflicts.detect_conflicts(con, run_id)
        result["full_detect_s"] = time.perf_counter() - wall
        result["full_detect_cpu_s"] = time.process_time() - cpu
        result["conflicts_open"] = full.open
        if report:
            loading.finish_run(con, run_id, "ok", {})
            wall = time.perf_counter()
            reporting.write_run_report(con, reports, run_id)
            result["report_s"] = time.perf_counter() - wall
        closing = time.perf_counter()
    result["publish_s"] = time.perf_counter() - closing
    result["db_mb"] = os.path.getsize(db) / 2**20

    # the second night: the first one's conflicts are no longer new; the third: the spare
    # generation catches up on a +100-fact night (the first catch-up carries the fill's aftermath)
    result["nights"] = []
    for night in (1, 2, 3):
        opening = time.perf_counter()
        with open_writer(db) as con:
            result["open_s"] = time.perf_counter() - opening
            run_id = loading.start_run(con, started_at=datetime.now(timezone.utc), sources_file="bench")
            fill_warehouse(con, 100, keys=max(1, n_facts // 3), run_id=run_id, offset=n_facts + 100 * night)
            wall, cpu = time.perf_counter(), time.process_time()
            conflicts.detect_conflicts(con, run_id)
            result["add100_detect_s"] = time.perf_counter() - wall
            result["add100_detect_cpu_s"] = time.process_time() - cpu
            if report:
                loading.finish_run(con, run_id, "ok", {})
                wall = time.perf_counter()
                reporting.write_run_report(con, reports, run_id)
                result[f"add100_report_{night}_s"] = time.perf_counter() - wall
            closing = time.perf_counter()
        result["publish_after_add_s"] = time.perf_counter() - closing
        result["nights"].append({"open_s": result["open_s"], "publish_s": result["publish_after_add_s"],
                                 "db_mb": os.path.getsize(db) / 2**20})
    result["copy_s"] = copies
    result["catch_up"] = catch_ups
    result["peak_mb"] = _peak_mb()
    return result


def child(args) -> int:
    os.environ.setdefault("DO_NOT_TRACK", "1")
    if args.warehouse_child:
        result = _fill_and_detect(args.warehouse_child, args.workdir, args.text_kb, args.warehouse_report)
    else:
        result = asyncio.run(_run_pipeline(args.sources, args.db, args.reports, args.base, args.batch))
    print("RESULT " + json.dumps(result))
    return 0


# --- the parent: sites, child runs, the table ----------------------------------------------------

def _child_result(python: str, extra: list[str], timeout: float) -> dict:
    command = [python, str(Path(__file__).resolve()), "--child", *extra]
    # With its own checkout on the path when the interpreter lives in one (<checkout>/.venv/bin):
    # older installs looked their schema and templates up as top-level folders.
    checkout = Path(python).absolute().parents[2]
    env = dict(os.environ)
    if (checkout / "pyproject.toml").is_file():
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(checkout), env.get("PYTHONPATH")]))
    started = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True, timeout=timeout, env=env)
    wall = time.perf_counter() - started
    lines = [line for line in done.stdout.splitlines() if line.startswith("RESULT ")]
    if done.returncode != 0 or not lines:
        tail = "\n".join(done.stderr.splitlines()[-15:])
        raise SystemExit(f"child run failed ({python}):\n{tail}")
    result = json.loads(lines[-1][len("RESULT "):])
    result["process_s"] = wall
    return result


def run_size(n: int, pythons: dict[str, str], timeout: float, batch: int | None = None,
             report: bool = True) -> dict[str, dict]:
    sys.path.insert(0, str(HERE))
    from scale_corpus import write_site

    from newsfacts.demo_site import DemoSite

    results = {}
    with tempfile.TemporaryDirectory(prefix="newsfacts-scale-") as tmp:
        root = Path(tmp) / "site"
        generated = time.perf_counter()
        sources = write_site(root, n)
        print(f"\n{n:,} articles: site written in {time.perf_counter() - generated:.1f}s", flush=True)
        with DemoSite(root) as site:
            for label, python in pythons.items():
                work = Path(tmp) / label
                work.mkdir()
                result = _child_result(python, [
                    "--sources", str(sources), "--db", str(work / "w.duckdb"),
                    "--reports", str(work / "reports") if report else "", "--base", site.base_url,
                    *(["--batch", str(batch)] if batch else [])], timeout)
                results[label] = result
                _print_run(label, n, result)
    return results


def _print_run(label: str, n: int, result: dict) -> None:
    seconds = result["seconds"]
    total = sum(seconds[s] for s in STAGES if s in seconds)
    stages = "  ".join(f"{s} {seconds[s]:.1f}" for s in STAGES if s in seconds)
    counts = result.get("counts", {})
    print(f"  {label:9} {total:7.1f}s  {n / total:6.1f} articles/s  peak {max(result['peak_mb'].values()):6.0f} MB"
          f"  | {stages}  | {counts.get('facts', '?')} facts, {counts.get('conflicts', '?')} open conflicts",
          flush=True)


def growth_exponent(sizes: list[int], values: list[float]) -> float | None:
    """Least-squares slope of log(value) on log(size): value ~ size^k."""
    points = [(math.log(n), math.log(v)) for n, v in zip(sizes, values) if v > 0]
    if len(points) < 2:
        return None
    mx = sum(x for x, _ in points) / len(points)
    my = sum(y for _, y in points) / len(points)
    sxx = sum((x - mx) ** 2 for x, _ in points)
    return sum((x - mx) * (y - my) for x, y in points) / sxx if sxx else None


def summarise(sizes: list[int], by_size: dict[int, dict[str, dict]]) -> None:
    labels = list(next(iter(by_size.values())))
    print("\ngrowth over sizes " + ", ".join(f"{n:,}" for n in sizes) + " (time ~ n^k, k=1 linear):")
    for label in labels:
        runs = [by_size[n][label] for n in sizes]
        parts = []
        for stage in STAGES:
            k = growth_exponent(sizes, [r["seconds"].get(stage, 0.0) for r in runs])
            if k is not None:
                parts.append(f"{stage} {k:.2f}")
        total = growth_exponent(sizes, [sum(r["seconds"].get(s, 0) for s in STAGES) for r in runs])
        memory = growth_exponent(sizes, [max(r["peak_mb"].values()) for r in runs])
        print(f"  {label:9} total k={total:.2f}  peak memory k={memory:.2f}  | " + "  ".join(parts))
    if len(labels) == 2:
        new, old = labels
        print(f"\nratios {new} / {old} (same run):")
        for n in sizes:
            a, b = by_size[n][new], by_size[n][old]
            ta = sum(a["seconds"].get(s, 0) for s in STAGES)
            tb = sum(b["seconds"].get(s, 0) for s in STAGES)
            print(f"  {n:>6,}: articles/s x{tb / ta:.2f}   peak memory x{max(a['peak_mb'].values()) / max(b['peak_mb'].values()):.2f}")


def warehouse(n_facts: int, pythons: dict[str, str], timeout: float, text_kb: int = 0,
              report: bool = False) -> None:
    print(f"\nwarehouse of {n_facts:,} synthetic facts ({text_kb} KB of text per article):")
    for label, python in pythons.items():
        with tempfile.TemporaryDirectory(prefix="newsfacts-wh-") as tmp:
            r = _child_result(python, ["--warehouse-child", str(n_facts), "--workdir", tmp,
                                       "--text-kb", str(text_kb), *(["--warehouse-report"] if report else [])],
                              timeout)
        ratio = r["add100_detect_s"] / r["full_detect_s"]
        print(f"  {label:9} full detection {r['full_detect_s']:.1f}s ({r['full_detect_cpu_s']:.1f}s CPU, "
              f"{r['conflicts_open']:,} open); +100 facts {r['add100_detect_s']:.2f}s "
              f"({r['add100_detect_cpu_s']:.2f}s CPU) = {ratio:.4f} of a full pass (1/{1 / ratio:.0f})", flush=True)
        copies = ", ".join(f"{s:.2f}s" for s in r.get("copy_s", []))
        print(f"  {'':9} publish {r['publish_s']:.2f}s / {r['publish_after_add_s']:.2f}s at {r['db_mb']:.0f} MB "
              f"(of which copying the file: {copies or '?'}); opening the second writer {r['open_s']:.2f}s; "
              f"peak {r['peak_mb']:.0f} MB", flush=True)
        for night, n in enumerate(r.get("nights", []), 1):
            print(f"  {'':9} +100-fact night {night}: opening the writer {n['open_s']:.2f}s, publishing "
                  f"{n['publish_s']:.2f}s, file {n['db_mb']:.0f} MB", flush=True)
        for seconds, written in r.get("catch_up", []):
            print(f"  {'':9} spare generation caught up in {seconds:.2f}s, "
                  + (f"{written / 2**20:.0f} MB rewritten" if written is not None else "held by a reader: copied"),
                  flush=True)
        if report:
            print(f"  {'':9} run report {r['report_s']:.1f}s; after +100 facts {r['add100_report_1_s']:.1f}s "
                  f"(the first night's conflicts lose their 'new' tag), the next night {r['add100_report_2_s']:.1f}s",
                  flush=True)


def main() -> int:
    if "--child" in sys.argv[1:]:
        return child(_child_args())
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[100, 1_000, 5_000])
    parser.add_argument("--large", action="store_true", help="add 20,000 articles")
    parser.add_argument("--warehouse", type=int, default=100_000, metavar="FACTS",
                        help="facts in the synthetic warehouse (0 skips it; 1000000 for the full measure)")
    parser.add_argument("--no-pipeline", action="store_true", help="only the warehouse measurement")
    parser.add_argument("--text-kb", type=int, default=4,
                        help="KB of text per synthetic article (and as much raw HTML): the file's size")
    parser.add_argument("--warehouse-report", action="store_true",
                        help="also time the run report on the synthetic warehouse (long with many conflicts)")
    parser.add_argument("--baseline-python", help="interpreter of another install to run side by side")
    parser.add_argument("--no-report", action="store_true",
                        help="skip the report stage (its cost grows with the open conflicts, not the night)")
    parser.add_argument("--batch", type=int, help="pages per batch (default: the pipeline's own)")
    parser.add_argument("--json", type=Path, help="also write every measurement to this file")
    parser.add_argument("--timeout", type=float, default=7200.0, help="seconds per child run")
    args = parser.parse_args()
    pythons = {"this": sys.executable}
    if args.baseline_python:
        pythons["baseline"] = args.baseline_python
    sizes = sorted(set(args.sizes + ([20_000] if args.large else [])))
    if not args.no_pipeline:
        by_size = {n: run_size(n, pythons, args.timeout, args.batch, not args.no_report) for n in sizes}
        if args.json:
            args.json.write_text(json.dumps({str(n): r for n, r in by_size.items()}, indent=1))
        if len(sizes) > 1:
            summarise(sizes, by_size)
    if args.warehouse:
        warehouse(args.warehouse, pythons, args.timeout, args.text_kb, args.warehouse_report)
    return 0


def _child_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser()
    parser.add_argument("--child", action="store_true")
    for name in ("--sources", "--db", "--reports", "--base", "--workdir"):
        parser.add_argument(name)
    parser.add_argument("--warehouse-child", type=int)
    parser.add_argument("--text-kb", type=int, default=0)
    parser.add_argument("--warehouse-report", action="store_true")
    parser.add_argument("--no-report", action="store_true",
                        help="skip the report stage (its cost grows with the open conflicts, not the night)")
    parser.add_argument("--batch", type=int)
    return parser.parse_args()


if __name__ == "__main__":
    sys.exit(main())
