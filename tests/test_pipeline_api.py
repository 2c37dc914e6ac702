"""The library run API (flows.pipeline): no Prefect needed, same stages as the Prefect flow."""

from __future__ import annotations

import asyncio
import subprocess
import sys

from newsfacts.flows import pipeline
from newsfacts.warehouse.db import open_reader

from conftest import demo_config, quick_fetcher

DEMO_LINE = ("sources 3 ok / 0 unchanged / 0 failed; articles 5 new / 0 unchanged / 0 duplicate; "
             "facts 50 new (50 total); conflicts 1 new (1 open)")  # the Amazon totals: the only contradiction

LOADED_MODULES = """
import sys
import newsfacts.flows.pipeline
print(sorted({name.split('.')[0] for name in sys.modules} & {'prefect', 'fastapi', 'sqlalchemy'}))
"""


def test_importing_the_run_api_does_not_import_prefect():
    out = subprocess.run([sys.executable, "-c", LOADED_MODULES], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_run_once_returns_the_demo_summary_and_a_second_run_adds_nothing(site_server, tmp_path, extractor):
    config, db = demo_config(site_server), tmp_path / "w.duckdb"
    first = pipeline.run_once(config, db, extractor=extractor, fetcher_factory=quick_fetcher,
                              reports_dir=tmp_path / "reports")
    assert first.line() == DEMO_LINE
    assert first.report_path and (tmp_path / "reports").is_dir()
    con = open_reader(db)
    assert con.execute("SELECT status FROM runs").fetchall() == [("ok",)]
    con.close()

    second = pipeline.run_once(config, db, extractor=extractor, fetcher_factory=quick_fetcher)
    assert (second.sources_unchanged, second.articles_new, second.facts_new, second.conflicts_new) == (3, 0, 0, 0)
    assert second.facts_total == first.facts_total


def test_reextract_all_keeps_the_facts_of_unchanged_rules(demo_warehouse, tmp_path, extractor):
    import shutil

    db = tmp_path / "w.duckdb"
    shutil.copy(demo_warehouse, db)
    stats = pipeline.reextract_all(db, extractor=extractor)
    assert stats["articles"] == 5 and stats["new"] == 0 and stats["removed"] == 0
    assert stats["unchanged"] == 50 and stats["conflicts_open"] == 1


NO_PREFECT_RUN = """
import sys
from newsfacts.cli import main
sys.argv = ["newsfacts", "run", "--demo", "--demo-port", "0", "--no-prefect"]
try:
    main()
except SystemExit as exit:
    assert not exit.code, exit.code
print("prefect loaded:", "prefect" in sys.modules)
"""


def test_cli_run_without_prefect_gives_the_demo_summary_and_never_loads_prefect(tmp_path):
    out = subprocess.run([sys.executable, "-c", NO_PREFECT_RUN], capture_output=True, text=True,
                         cwd=tmp_path, timeout=300)
    assert out.returncode == 0, out.stderr
    assert DEMO_LINE in out.stdout
    assert out.stdout.strip().endswith("prefect loaded: False")
    assert (tmp_path / "newsfacts.duckdb").is_file() and any((tmp_path / "reports").iterdir())


class CountingExtractor:
    """The session's extractor, counting the documents handed to it."""

    def __init__(self, real):
        self.real, self.documents = real, 0

    def extract_many(self, docs):
        docs = list(docs)
        self.documents += len(docs)
        return self.real.extract_many(docs)


def test_pages_fetched_again_with_unchanged_content_are_not_extracted_again(site_server, tmp_path, extractor):
    config, db = demo_config(site_server), tmp_path / "w.duckdb"
    counting = CountingExtractor(extractor)
    first = asyncio.run(pipeline.run_stages(config, db, extractor=counting, fetcher_factory=quick_fetcher))
    assert counting.documents == first.articles.new == 5

    # No validators: every feed and page answers 200 again, with the same content.
    def forgetful_fetcher(config, _validators):
        return quick_fetcher(config, {})

    counting.documents = 0
    second = asyncio.run(
        pipeline.run_stages(config, db, extractor=counting, fetcher_factory=forgetful_fetcher))
    assert second.pages_unchanged == 0 and len(second.extracted_urls) == len(first.extracted_urls)
    assert second.articles.unchanged == first.articles.new and second.articles.new == 0
    assert counting.documents == 0
    assert second.summary.facts_total == first.summary.facts_total and second.facts.removed == 0


def test_reextract_says_when_the_rules_changed(demo_warehouse, tmp_path, extractor):
    import shutil

    from newsfacts.extractors.facts import EXTRACTOR_VERSION
    from newsfacts.warehouse.db import open_writer

    db = tmp_path / "w.duckdb"
    shutil.copy(demo_warehouse, db)
    assert pipeline.reextract_all(db, extractor=extractor)["replaced_versions"] == []
    with open_writer(db) as con:   # as if the facts came from older rules
        con.execute("UPDATE fact_rows SET extractor_version = 'older'")
    stats = pipeline.reextract_all(db, extractor=extractor)
    assert stats["replaced_versions"] == ["older"] and stats["extractor_version"] == EXTRACTOR_VERSION
    con = open_reader(db)
    assert con.execute("SELECT DISTINCT extractor_version FROM facts").fetchall() == [(EXTRACTOR_VERSION,)]


def test_the_driver_builds_no_extractor_when_the_extract_stage_runs_in_another_process(
        site_server, tmp_path, monkeypatch):
    """As on Dask workers: the stage runs elsewhere and the driver only loads what comes back."""
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    from newsfacts.extractors.facts import FactExtractor
    from newsfacts.flows import stages

    built = []
    build = FactExtractor.__init__
    monkeypatch.setattr(FactExtractor, "__init__", lambda self, *a, **k: built.append(1) or build(self, *a, **k))

    def runner(name, function):
        if name != "extract":
            return function

        def in_another_process(parsed, changed_urls, extractor=None, progress=None):
            assert extractor is None                 # nothing built here to ship
            with ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("spawn")) as pool:
                return pool.submit(stages.extract_facts, parsed, changed_urls).result(timeout=300)
        return in_another_process

    details = asyncio.run(pipeline.run_stages(demo_config(site_server), tmp_path / "w.duckdb",
                                              fetcher_factory=quick_fetcher, runner=runner))
    assert details.summary.line() == DEMO_LINE
    assert built == []
