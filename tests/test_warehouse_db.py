"""db.py: migrations, one writer at a time, atomic publish, analysts never locked out."""

from __future__ import annotations

import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import duckdb
import pytest

from newsfacts.warehouse.db import WarehouseError, _schema_files, latest_schema_version, migrate, open_reader, open_writer, schema_version, writer_dir

from test_warehouse_support import NEWS_2023_URL, RESEARCH_URL, canonical_docs, run_once


def count(con, sql: str) -> int:
    return con.execute(sql).fetchall()[0][0]


def test_migrations_apply_once(tmp_path):
    con = duckdb.connect(str(tmp_path / "m.duckdb"))
    versions = [version for version, _name, _sql in _schema_files()]   # numbers are reserved: gaps
    assert migrate(con) == versions and versions[:3] == [1, 2, 3]
    assert migrate(con) == []
    assert count(con, "SELECT count(*) FROM schema_version") == len(versions)
    assert schema_version(con) == latest_schema_version()


def test_newer_schema_is_refused(tmp_path):
    path = tmp_path / "w.duckdb"
    with open_writer(path) as con:
        con.execute("INSERT INTO schema_version VALUES (999, '999_future.sql', now()::TIMESTAMP)")
    with pytest.raises(WarehouseError, match="newer than this code"):
        open_reader(path)
    with pytest.raises(WarehouseError, match="newer than this code"):
        with open_writer(path):
            pass


def test_reader_needs_an_existing_warehouse(tmp_path):
    with pytest.raises(WarehouseError, match="no warehouse"):
        open_reader(tmp_path / "missing.duckdb")


def test_writer_in_a_missing_directory_is_a_clear_error(tmp_path):
    with pytest.raises(WarehouseError, match="does not exist"):
        with open_writer(tmp_path / "nope" / "w.duckdb"):
            pass


def test_analyst_keeps_reading_during_a_write_and_publish(tmp_path):
    path = tmp_path / "newsfacts.duckdb"
    docs = canonical_docs()
    run_once(path, docs[:1])
    analyst = open_reader(path)  # held open for the whole write cycle
    assert count(analyst, "SELECT count(*) FROM articles") == 1

    run_once(path, docs)  # a full write + publish while the analyst is connected

    assert count(analyst, "SELECT count(*) FROM articles") == 1  # their snapshot
    assert count(analyst, "SELECT count(*) FROM facts") == 1
    fresh = open_reader(path)
    assert count(fresh, "SELECT count(*) FROM articles") == 3
    assert count(fresh, "SELECT count(*) FROM conflicts") == 1
    fresh.close()
    analyst.close()


def test_nothing_is_published_when_the_block_fails(tmp_path):
    path = tmp_path / "w.duckdb"
    run_once(path, canonical_docs()[:1])
    before = path.read_bytes()
    with pytest.raises(RuntimeError):
        with open_writer(path) as con:
            con.execute("DELETE FROM fact_rows")
            raise RuntimeError("boom")
    assert path.read_bytes() == before
    with open_writer(path) as con:  # the half-done copy was discarded
        assert count(con, "SELECT count(*) FROM fact_rows") == 1


def test_a_writer_killed_mid_run_leaves_nothing_behind(tmp_path):
    path = tmp_path / "w.duckdb"
    run_once(path, canonical_docs()[:1])
    script = textwrap.dedent(f"""
        import os
        from newsfacts.warehouse.db import open_writer
        with open_writer({str(path)!r}) as con:
            con.execute("DELETE FROM fact_rows")
            os._exit(9)  # dies without cleanup, lock released by the OS
    """)
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
    assert done.returncode == 9, done.stderr
    with open_reader(path) as reader:
        assert count(reader, "SELECT count(*) FROM fact_rows") == 1
    with open_writer(path, lock_timeout=5) as con:
        assert count(con, "SELECT count(*) FROM fact_rows") == 1


def test_writers_serialise_with_a_clear_timeout(tmp_path):
    path = tmp_path / "w.duckdb"
    with open_writer(path):
        with pytest.raises(WarehouseError, match="locked by another writer"):
            with open_writer(path, lock_timeout=0.3):
                pass


def test_the_spare_generation_follows_a_file_restored_onto_the_published_path(tmp_path):
    path = tmp_path / "w.duckdb"
    run_once(path, canonical_docs()[:1])
    run_once(path, canonical_docs()[:1])
    # someone restores another file onto PATH: the generations must follow it
    other = tmp_path / "other.duckdb"
    run_once(other, canonical_docs())
    shutil.copyfile(other, path)
    with open_writer(path) as con:
        assert count(con, "SELECT count(*) FROM article_rows") == 3
    with open_reader(path) as reader:
        assert count(reader, "SELECT count(*) FROM article_rows") == 3
    assert any(g.stat().st_ino == path.stat().st_ino for g in writer_dir(path).glob("gen-*.duckdb"))


def test_the_duckdb_cli_from_the_venv_opens_the_file(tmp_path):
    binary = shutil.which("duckdb") or shutil.which("duckdb", path=str(Path(sys.executable).parent))
    if binary is None:
        pytest.skip("duckdb CLI not installed (pip install duckdb-cli)")
    path = tmp_path / "newsfacts.duckdb"
    run_once(path, canonical_docs())
    out = subprocess.run(
        [binary, "-readonly", "-csv", str(path),
         "SELECT metric, class, n_sources FROM conflicts; SELECT count(*) AS n FROM facts;"],
        capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    assert "investment,changed_over_time,2" in out.stdout   # the total that grew: $4B → $8B
    assert "n\n5" in out.stdout
    urls = subprocess.run([binary, "-readonly", "-csv", str(path), "SELECT url FROM articles ORDER BY url"],
                          capture_output=True, text=True, timeout=60).stdout
    assert RESEARCH_URL in urls and NEWS_2023_URL in urls


def test_a_file_that_is_not_a_warehouse_is_a_clear_error(tmp_path):
    path = tmp_path / "notes.duckdb"
    path.write_text("these are my notes, not a database\n" * 100)
    with pytest.raises(WarehouseError, match="cannot open"):
        open_reader(path)
    with pytest.raises(WarehouseError, match="cannot open"):
        with open_writer(path):
            pass
    assert path.read_text().startswith("these are my notes")  # untouched


def test_publish_drops_a_stale_wal_beside_the_published_file(tmp_path):
    path = tmp_path / "w.duckdb"
    run_once(path, canonical_docs()[:1])
    stale = path.with_name(path.name + ".wal")
    stale.write_bytes(b"left by someone who opened the published file read-write")
    run_once(path, canonical_docs())
    assert not stale.exists()
    with open_reader(path) as reader:
        assert count(reader, "SELECT count(*) FROM articles") == 3


def test_a_migration_numbered_below_the_latest_is_still_applied(tmp_path):
    """Migration numbers are reserved per developer: 005 may land before 004."""
    con = duckdb.connect(str(tmp_path / "gap.duckdb"))
    migrate(con)
    last = max(version for version, _name, _sql in _schema_files())
    con.execute("DELETE FROM schema_version WHERE version = 2")          # as if 002 came later
    con.execute("ALTER TABLE fact_rows DROP COLUMN measure")
    con.execute("DROP TYPE measure_kind")
    assert migrate(con) == [2]
    assert schema_version(con) == last
    assert "measure" in [row[0] for row in con.execute("DESCRIBE fact_rows").fetchall()]
