"""The extract stage on a Dask cluster (Prefect's DaskTaskRunner on a LocalCluster of two worker
processes): the warehouse it leaves equals the single-process run's."""

import asyncio

import pytest
from test_streaming import CONTENT, warehouse_content

from conftest import DEMO_SOURCES, demo_config, run_pipeline_once

pytest.importorskip("prefect_dask")


@pytest.mark.prefect
def test_extract_on_two_dask_workers_leaves_the_single_process_warehouse(
    prefect_harness, site_server, tmp_path, extractor, monkeypatch
):
    from prefect.client.orchestration import get_client
    from prefect.settings import PREFECT_API_URL

    from newsfacts.flows.nightly import dask_task_runner, nightly

    # The workers are other processes: they report their task runs to the same test server.
    monkeypatch.setenv("PREFECT_API_URL", PREFECT_API_URL.value())
    single = run_pipeline_once(demo_config(site_server), tmp_path / "single.duckdb", extractor)

    on_dask = nightly.with_options(task_runner=dask_task_runner(workers=2))
    # bounded: a cluster that never comes up fails the test instead of holding CI
    summary = asyncio.run(asyncio.wait_for(on_dask(
        sources_path=str(DEMO_SOURCES), db_path=str(tmp_path / "dask.duckdb"), reports_dir=None,
        substitutions={"base": site_server.base_url}, extract_parts=2), timeout=300))

    assert summary.line() == single.summary.line()
    expected, found = warehouse_content(tmp_path / "single.duckdb"), warehouse_content(tmp_path / "dask.duckdb")
    for name in CONTENT:
        assert found[name] == expected[name], name
    assert expected["facts"] and expected["conflicts"]

    async def extract_runs():
        async with get_client() as client:
            runs = await client.read_task_runs()
        return [run for run in runs if run.name.startswith("extract") and run.state.is_completed()]
    assert len(asyncio.run(extract_runs())) >= 2, "the articles were extracted in two tasks"
