"""Memory between batches (flows.heap, warehouse.db): the C heap is trimmed after every batch
where glibc provides malloc_trim and the call is a no-op elsewhere; the writer's DuckDB
connection runs with the configured buffer-pool limit, not DuckDB's default of most of the RAM."""

import ctypes.util
import platform
from pathlib import Path

from newsfacts.flows import heap
from newsfacts.warehouse import db

from conftest import demo_config, run_pipeline_once


def test_the_heap_is_trimmed_once_after_every_batch(site_server, tmp_path, extractor, monkeypatch):
    trims, loads = [], []
    real = heap.MALLOC_TRIM

    def recording(pad):
        trims.append(len(loads))      # how many batches had loaded when the trim ran
        return real(pad) if real is not None else 0

    def counting(name, function):
        if name == "load":
            def load(*args):
                loads.append(1)
                assert len(trims) == len(loads) - 1, "the previous batch was trimmed before this one"
                return function(*args)
            return load
        return function

    monkeypatch.setattr(heap, "MALLOC_TRIM", recording)
    details = run_pipeline_once(demo_config(site_server), tmp_path / "w.duckdb", extractor, batch_size=2,
                                runner=counting)
    assert len(details.extracted_urls) >= 5 and len(loads) >= 3
    assert trims == list(range(1, len(loads) + 1)), "one trim after each batch's load"


def test_trimming_is_a_no_op_where_the_c_library_has_no_malloc_trim(monkeypatch):
    assert heap.release_freed_memory() is (platform.libc_ver()[0] == "glibc")
    monkeypatch.setattr(ctypes.util, "find_library", lambda _name: None)
    assert heap._find_malloc_trim() is None
    monkeypatch.setattr(heap, "MALLOC_TRIM", None)
    assert heap.release_freed_memory() is False


def test_the_writer_spills_beside_the_warehouse_not_into_the_working_directory(tmp_path, monkeypatch):
    elsewhere = tmp_path / "cwd"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    with db.open_writer(tmp_path / "w.duckdb") as con:
        spill = Path(con.execute("SELECT current_setting('temp_directory')").fetchone()[0])
        con.execute("CREATE TABLE big AS SELECT range AS i, random() AS r FROM range(4000000)")
        con.execute("SET memory_limit = '32MB'")  # a sort that fits only by spilling
        ranked = con.execute("SELECT sum(n) FROM (SELECT row_number() OVER (ORDER BY r) AS n FROM big)")
        assert ranked.fetchone()[0] == 4_000_000 * 4_000_001 // 2
    assert tmp_path in spill.parents and elsewhere not in spill.parents
    assert not (elsewhere / ".tmp").exists()
