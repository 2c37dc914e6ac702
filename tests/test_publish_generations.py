"""Publishing without copying the warehouse: two generations, PATH a hard link to the current one.

A writer catches the spare generation up block by block and publishes it with one rename; a
reader holding an old snapshot keeps it; a writer killed anywhere leaves a readable snapshot, and
the next catch-up repairs whatever it left in the spare."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap

import pytest

from newsfacts.warehouse import db
from newsfacts.warehouse.db import open_reader, open_writer, writer_dir

from test_warehouse_support import canonical_docs, run_once, table_counts


def night(path, n: int) -> None:
    """One writer cycle adding night n's rows (enough bytes to fill several blocks)."""
    with open_writer(path) as con:
        con.execute("CREATE TABLE IF NOT EXISTS night_log (night INTEGER, payload VARCHAR)")
        con.execute("INSERT INTO night_log SELECT ?, repeat(md5(? || '-' || i), 20) FROM range(3000) t(i)",
                    [n, str(n)])


def nights_seen(path) -> list[int]:
    with open_reader(path) as reader:
        return [n for (n,) in reader.execute("SELECT DISTINCT night FROM night_log ORDER BY night").fetchall()]


def generations(path):
    return {g.name: g.stat().st_ino for g in writer_dir(path).glob("gen-*.duckdb")}


@pytest.fixture
def counted(monkeypatch):
    """Calls of the full copy and bytes written by each catch-up, the real functions still run."""
    calls = {"fresh_copy": 0, "caught_up": []}
    fresh_copy, catch_up = db._fresh_copy, db._catch_up

    def counting_copy(*args):
        calls["fresh_copy"] += 1
        return fresh_copy(*args)

    def counting_catch_up(*args):
        written = catch_up(*args)
        calls["caught_up"].append(written)
        return written

    monkeypatch.setattr(db, "_fresh_copy", counting_copy)
    monkeypatch.setattr(db, "_catch_up", counting_catch_up)
    return calls


def test_catch_up_rewrites_only_the_blocks_that_differ(tmp_path):
    current, spare = tmp_path / "current", tmp_path / "spare"
    blocks = [bytes([i]) * db.CHUNK for i in range(6)]
    spare.write_bytes(b"".join(blocks))
    changed = list(blocks)
    changed[1] = b"x" * db.CHUNK
    changed[4] = changed[4][:-1] + b"y"          # one byte at the end of a block
    current.write_bytes(b"".join(changed) + b"tail")

    assert db._catch_up(current, spare) == 2 * db.CHUNK + 4
    assert spare.read_bytes() == current.read_bytes()
    assert db._catch_up(current, spare) == 0     # nothing differs any more

    current.write_bytes(b"".join(blocks[:2]))   # a shorter file: the spare is cut to its size
    assert db._catch_up(current, spare) == db.CHUNK
    assert spare.read_bytes() == current.read_bytes()


def test_nights_alternate_between_two_generations_without_copying_the_file(tmp_path, counted):
    path = tmp_path / "w.duckdb"
    night(path, 1)
    night(path, 2)                               # no spare yet: one full copy
    assert counted["fresh_copy"] == 1
    first = generations(path)
    inodes = []
    for n in (3, 4, 5):
        night(path, n)
        assert nights_seen(path) == list(range(1, n + 1))
        inodes.append(path.stat().st_ino)
        assert path.stat().st_ino in first.values()          # PATH is a generation, linked
    assert generations(path) == first                        # the same two files all along
    assert inodes[0] != inodes[1] and inodes[0] == inodes[2]
    assert counted["fresh_copy"] == 1                        # caught up, never copied again
    size = path.stat().st_size
    assert len(counted["caught_up"]) == 3 and all(0 < w < size for w in counted["caught_up"])


def test_a_pipeline_cycle_on_generations_keeps_every_table(tmp_path):
    path, reference = tmp_path / "w.duckdb", tmp_path / "reference.duckdb"
    docs = canonical_docs()
    for step in (docs[:1], docs[:2], docs):
        run_once(path, step)
        run_once(reference, step)
    with open_reader(path) as a, open_reader(reference) as b:
        assert table_counts(a) == table_counts(b)
        assert a.execute("SELECT count(*) FROM conflicts").fetchall() == [(1,)]


def test_a_reader_holding_an_old_snapshot_keeps_it_while_nights_go_on(tmp_path, counted):
    path = tmp_path / "w.duckdb"
    night(path, 1)
    night(path, 2)
    analyst = open_reader(path)                  # holds night 2's generation
    for n in (3, 4, 5):                          # its generation is the spare on nights 4
        night(path, n)
    assert analyst.execute("SELECT max(night), count(*) FROM night_log").fetchall() == [(2, 6000)]
    analyst.close()
    assert nights_seen(path) == [1, 2, 3, 4, 5]
    assert counted["fresh_copy"] == 2            # the first spare, and the one the analyst held


def test_a_reader_in_another_process_keeps_its_snapshot(tmp_path, counted):
    path = tmp_path / "w.duckdb"
    night(path, 1)
    night(path, 2)
    script = textwrap.dedent(f"""
        import sys
        from newsfacts.warehouse.db import open_reader
        con = open_reader({str(path)!r})
        print(con.execute("SELECT max(night) FROM night_log").fetchall()[0][0], flush=True)
        sys.stdin.readline()
        print(con.execute("SELECT max(night), count(*) FROM night_log").fetchall()[0], flush=True)
    """)
    reader = subprocess.Popen([sys.executable, "-c", script], stdin=subprocess.PIPE,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert reader.stdout.readline().strip() == "2"
        for n in (3, 4, 5):
            night(path, n)
        out, err = reader.communicate("go\n", timeout=60)
    finally:
        if reader.poll() is None:
            reader.kill()
    assert reader.returncode == 0, err
    assert out.strip() == "(2, 6000)"
    assert nights_seen(path) == [1, 2, 3, 4, 5]
    assert counted["fresh_copy"] == 2


def _killed_writer(path, patch: str) -> None:
    """Night 3 in a child process that dies (os._exit) where ``patch`` says."""
    script = "import os\nfrom newsfacts.warehouse import db\n" + patch + textwrap.dedent(f"""
        with db.open_writer({str(path)!r}) as con:
            con.execute("INSERT INTO night_log SELECT 3, repeat(md5(i::VARCHAR), 20) FROM range(3000) t(i)")
        os._exit(0)  # not reached when the patch fires
    """)
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120)
    assert done.returncode == 9, done.stderr


KILL_POINTS = {
    # while the spare is being caught up, after its first block was rewritten
    "mid-catch-up": """
real_pwrite = os.pwrite
def pwrite(*args):
    real_pwrite(*args)
    os._exit(9)
os.pwrite = pwrite""",
    # after the night's work, once PATH's new link exists but before it replaces PATH
    "before-the-rename": """
real_link = os.link
def link(*args):
    real_link(*args)
    os._exit(9)
db.os.link = link""",
    # once PATH points at the new generation, before the directory is synced
    "after-the-rename": """
def fsync_dir(*args):
    os._exit(9)
db._fsync_dir = fsync_dir""",
}


@pytest.mark.parametrize("where", list(KILL_POINTS))
def test_a_writer_killed_while_publishing_leaves_a_readable_snapshot(tmp_path, counted, where):
    path = tmp_path / "w.duckdb"
    night(path, 1)
    night(path, 2)
    _killed_writer(path, KILL_POINTS[where])

    published = nights_seen(path)                # readable, and one whole snapshot or the other
    assert published == ([1, 2, 3] if where == "after-the-rename" else [1, 2])
    with open_reader(path) as reader:
        assert reader.execute("SELECT count(*) FROM night_log").fetchall() == [(3000 * len(published),)]
    assert not list(tmp_path.glob(".w.duckdb.publish-*")) or where == "before-the-rename"

    copies = counted["fresh_copy"]
    night(path, 4)                               # the half-written spare is caught up, not copied
    assert counted["fresh_copy"] == copies and counted["caught_up"][-1] > 0
    assert nights_seen(path) == published + [4]
    assert not list(tmp_path.glob(".w.duckdb.publish-*"))
    current = next(g for g in writer_dir(path).glob("gen-*.duckdb") if os.path.samestat(g.stat(), path.stat()))
    spare = next(g for g in writer_dir(path).glob("gen-*.duckdb") if g != current)
    night(path, 5)
    assert nights_seen(path) == published + [4, 5]
    with open_reader(path) as reader:
        assert reader.execute("SELECT count(*) FROM night_log").fetchall() == [(3000 * (len(published) + 2),)]
    assert os.path.samestat(spare.stat(), path.stat())   # night 5 was published from the repaired spare


def test_a_warehouse_from_the_single_copy_layout_is_adopted_without_a_copy(tmp_path, counted):
    path = tmp_path / "w.duckdb"
    night(path, 1)
    wdir = writer_dir(path)
    # what earlier versions left: PATH a plain file, the writer's private copy stamped equal to it
    for generation in wdir.glob("gen-*"):
        generation.unlink()
    legacy = wdir / "warehouse.duckdb"
    legacy.write_bytes(path.read_bytes())
    (wdir / "published.json").write_text("{}")
    plain = path.stat().st_ino

    night(path, 2)
    assert counted["fresh_copy"] == 0 and len(counted["caught_up"]) == 1
    assert not legacy.exists() and not (wdir / "published.json").exists()
    assert plain in generations(path).values()   # the old PATH is now the spare
    assert nights_seen(path) == [1, 2]


def test_the_published_file_is_the_same_bytes_as_its_generation(tmp_path):
    path = tmp_path / "w.duckdb"
    for n in (1, 2, 3):
        night(path, n)
    current = [g for g in writer_dir(path).glob("gen-*.duckdb") if os.path.samestat(g.stat(), path.stat())]
    assert len(current) == 1 and path.stat().st_nlink == 2


def test_without_hard_links_every_night_still_publishes_a_whole_snapshot(tmp_path, monkeypatch):
    import errno

    def no_links(*args):
        raise OSError(errno.EPERM, "hard links not supported here")

    monkeypatch.setattr(db.os, "link", no_links)
    path = tmp_path / "w.duckdb"
    analyst = None
    for n in (1, 2, 3):
        night(path, n)
        assert nights_seen(path) == list(range(1, n + 1))
        analyst = analyst or open_reader(path)
    assert analyst.execute("SELECT max(night) FROM night_log").fetchall() == [(1,)]
    analyst.close()


def test_a_small_night_rewrites_a_small_part_of_a_large_table(tmp_path, counted):
    """Appending to a table rewrites its last row group at the checkpoint (in the storage format
    the duckdb 1.5 CLI reads): writers keep row groups small, so the next catch-up is small too."""
    path = tmp_path / "w.duckdb"
    with open_writer(path) as con:
        con.execute("CREATE TABLE pages (n INTEGER, body VARCHAR)")
        con.execute("INSERT INTO pages SELECT i, repeat(md5(i::VARCHAR), 30) FROM range(40000) t(i)")
        groups = con.execute("SELECT count(DISTINCT row_group_id), max(count) FROM pragma_storage_info('pages')"
                             " WHERE column_name = 'body'").fetchall()[0]
    assert groups[0] > 10 and groups[1] <= db.ROW_GROUP_SIZE
    for n in range(3):                           # three small nights; the third catches up the second
        with open_writer(path) as con:
            con.execute("INSERT INTO pages SELECT i, repeat(md5(i::VARCHAR), 30) FROM range(?, ?) t(i)",
                        [40000 + 10 * n, 40010 + 10 * n])
    size = path.stat().st_size
    assert 0 < counted["caught_up"][-1] < size / 8
    with open_reader(path) as reader:
        assert reader.execute("SELECT count(*), max(n) FROM pages").fetchall() == [(40030, 40029)]
