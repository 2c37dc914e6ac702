"""The run goes through the night's pages a batch at a time (flows.pipeline.run_stages,
batch_size): the warehouse it leaves is the one a single batch leaves, and an unchanged rerun
builds no fact extractor."""

import functools

from newsfacts.flows import stages
from newsfacts.warehouse.db import open_reader

from conftest import demo_config, run_pipeline_once

# What the warehouse holds, without run ids and clock times.
CONTENT = {
    "articles": "SELECT article_id, canonical_url, title, text, story_id, duplicate_of, content_hash, "
                "snippet_only FROM article_rows ORDER BY article_id",
    "facts": "SELECT fact_id, article_id, key_id, subject, counterparty, metric, value, unit, sentence "
             "FROM fact_rows ORDER BY fact_id",
    "stories": "SELECT story_id, title FROM story_rows ORDER BY story_id",
    "conflicts": "SELECT conflict_id, status, class, n_facts, fact_ids FROM conflict_rows ORDER BY conflict_id",
    "fetches": "SELECT url, status FROM fetch_log ORDER BY url",
}


def warehouse_content(db) -> dict:
    con = open_reader(db)
    try:
        return {name: con.execute(sql).fetchall() for name, sql in CONTENT.items()}
    finally:
        con.close()


def test_batches_of_two_pages_leave_the_warehouse_one_batch_leaves(site_server, tmp_path, extractor):
    config = demo_config(site_server)
    whole = run_pipeline_once(config, tmp_path / "whole.duckdb", extractor, batch_size=10_000)
    loads = []

    def counting(name, function):
        if name == "load":
            loads.append(name)
        return function

    batched = run_pipeline_once(config, tmp_path / "batched.duckdb", extractor, batch_size=2, runner=counting)

    assert len(batched.extracted_urls) >= 5
    assert len(loads) >= 3, "the night went through in batches of two pages"
    assert batched.summary.line() == whole.summary.line()
    assert sorted(batched.extracted_urls) == sorted(whole.extracted_urls)
    first, second = warehouse_content(tmp_path / "whole.duckdb"), warehouse_content(tmp_path / "batched.duckdb")
    for name in CONTENT:
        assert first[name] == second[name], name
    assert first["facts"] and first["conflicts"]


def test_an_unchanged_rerun_builds_no_fact_extractor(site_server, tmp_path, extractor, monkeypatch):
    built = []

    def new_process():
        """The extract stage's process-wide extractor, as a fresh process has it: not built yet."""
        @functools.lru_cache(maxsize=1)
        def shared_extractor():
            built.append(1)
            return extractor
        monkeypatch.setattr(stages, "shared_extractor", shared_extractor)

    new_process()
    config, db = demo_config(site_server), tmp_path / "w.duckdb"
    run_pipeline_once(config, db, None, batch_size=2)
    assert built == [1], "one extractor for all the batches of a run"
    built.clear()
    new_process()
    again = run_pipeline_once(config, db, None, batch_size=2)
    assert again.articles.new == 0 and built == []
