"""Opening the warehouse: migrations, one writer at a time, atomic publish for analysts.

DuckDB lets one process write a file, and while it does, no other process can open that file
at all (not even read-only). So analysts and writers never share a file:

* ``PATH`` (e.g. ``newsfacts.duckdb``) is the published warehouse. Analysts open it read-only
  (:func:`open_reader`). Nobody ever opens it read-write.
* Writers (nightly run, ``resolve``, ``reextract``) use :func:`open_writer`: take an OS lock and
  work in ``.<name>.writer/`` on one of two generations of the file. ``PATH`` is a hard link to
  the other one (the current snapshot). Before writing, the spare generation is brought up to
  date by rewriting only the blocks in which it differs from the current one (what the last
  nights changed), unless a reader still holds it or it may have been left half-written: then
  it is replaced by a full copy (a reader holding it keeps its inode). On success the writer
  checkpoints and publishes with one ``os.replace`` of a hard link onto ``PATH``: nothing is
  copied. A reader that has ``PATH`` open keeps its snapshot (the old inode); the next reader
  sees the new data.
* A writer killed at any point leaves ``PATH`` as it was or fully switched; whatever it left in
  the spare, the next catch-up compares every block, so the spare ends equal to ``PATH``.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import os
import shutil
import time
from collections.abc import Iterator
from importlib import resources
from pathlib import Path

import duckdb

DEFAULT_PATH = "newsfacts.duckdb"
# Files stay readable by the duckdb 1.5.x CLI (the 2.0 default format is not).
CONNECT_CONFIG = {"storage_compatibility_version": "v1.5.0"}
# In that format a checkpoint rewrites the whole last row group of a table that gained rows
# (every column, every article's text): with DuckDB's default 122,880 rows that is most of the
# file every night. Writers attach with small row groups, so a night's checkpoint, and the
# spare's catch-up after it, stay near what the night changed (measured in bench/bench_scale.py).
ROW_GROUP_SIZE = 2048
DEFAULT_LOCK_TIMEOUT = 600.0


class WarehouseError(RuntimeError):
    """A warehouse problem a person can act on (bad path, locked, schema too new, ...)."""


# --------------------------------------------------------------------------- schema


def _schema_files() -> list[tuple[int, str, str]]:
    """Numbered migration files as (version, name, sql), in order."""
    found = []
    for entry in resources.files("newsfacts.warehouse").joinpath("schema").iterdir():
        name = entry.name
        if name.endswith(".sql") and name[:3].isdigit():
            found.append((int(name[:3]), name, entry.read_text(encoding="utf-8")))
    return sorted(found)


def latest_schema_version() -> int:
    files = _schema_files()
    return files[-1][0] if files else 0


def _schema_text(name: str) -> str:
    return resources.files("newsfacts.warehouse").joinpath("schema", name).read_text(encoding="utf-8")


def _views_sql() -> str:
    return _schema_text("macros.sql") + "\n" + _schema_text("views.sql")


def _temporary_macros_sql() -> str:
    """macros.sql for a read-only session: the same macros, in the session's temporary catalog."""
    return _schema_text("macros.sql").replace("CREATE OR REPLACE MACRO", "CREATE OR REPLACE TEMP MACRO")


def schema_version(con: duckdb.DuckDBPyConnection) -> int:
    """Highest applied migration (0 for an empty database)."""
    has_table = con.execute(
        "SELECT count(*) FROM duckdb_tables() WHERE table_name = 'schema_version' AND NOT temporary"
        " AND database_name = current_database()"
    ).fetchall()[0][0]
    if not has_table:
        return 0
    return con.execute("SELECT coalesce(max(version), 0) FROM schema_version").fetchall()[0][0]


def _check_not_newer(con: duckdb.DuckDBPyConnection, where: str) -> int:
    current = schema_version(con)
    if current > latest_schema_version():
        raise WarehouseError(
            f"{where} has schema version {current}, newer than this code knows "
            f"({latest_schema_version()}); upgrade newsfacts"
        )
    return current


def migrate(con: duckdb.DuckDBPyConnection) -> list[int]:
    """Apply the numbered schema files not applied yet, each in its own transaction.

    Returns the versions applied. Views (views.sql) are re-created afterwards.
    """
    con.execute(
        "CREATE TABLE IF NOT EXISTS schema_version ("
        " version INTEGER PRIMARY KEY, name VARCHAR NOT NULL, applied_at TIMESTAMP NOT NULL)"
    )
    _check_not_newer(con, "the database")
    # by version, not by the highest one: numbers are reserved per developer, so a lower
    # number may land after a higher one and must still be applied
    done = {v for (v,) in con.execute("SELECT version FROM schema_version").fetchall()}
    applied = []
    for version, name, sql in _schema_files():
        if version in done:
            continue
        con.begin()
        try:
            con.execute(sql)
            con.execute(
                "INSERT INTO schema_version VALUES (?, ?, now()::TIMESTAMP)", [version, name]
            )
            con.commit()
        except Exception as exc:
            con.rollback()
            raise WarehouseError(f"migration {name} failed: {exc}") from exc
        applied.append(version)
    create_views(con)
    return applied


def create_views(con: duckdb.DuckDBPyConnection) -> None:
    con.begin()
    try:
        con.execute(_views_sql())
        con.commit()
    except Exception:
        con.rollback()
        raise


# --------------------------------------------------------------------------- readers


CATALOG = "newsfacts"   # the warehouse's name in readers' and writers' sessions
READER_CONFIG = {"autoinstall_known_extensions": False, "autoload_known_extensions": False}


def first_line(exc: BaseException) -> str:
    """The first line of an error's message (DuckDB adds "LINE 1: ..." context below it)."""
    return str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__


def _sql_literal(path: Path) -> str:
    return str(path).replace("'", "''")


def _is_lock_conflict(exc: duckdb.Error) -> bool:
    """DuckDB could not open a file because another connection holds its lock."""
    return isinstance(exc, duckdb.IOException) and "lock" in str(exc).lower()


def _attach_published(con: duckdb.DuckDBPyConnection, path: Path, attempts: int = 3) -> None:
    """ATTACH PATH read-only. A reader that opened PATH just before a publish may find the file
    it got locked by the next writer catching it up (a spare by then): PATH names the new
    snapshot, so it tries again."""
    for attempt in range(attempts):
        try:
            con.execute(f"ATTACH '{_sql_literal(path)}' AS {CATALOG} (READ_ONLY)")
            return
        except duckdb.IOException as exc:
            if not _is_lock_conflict(exc) or attempt == attempts - 1:
                raise
            time.sleep(0.05)


def open_reader(path: str | os.PathLike = DEFAULT_PATH) -> duckdb.DuckDBPyConnection:
    """Read-only connection to the published warehouse (never blocks, never blocks writers).

    Each call sees the latest published file; an open connection keeps its snapshot.
    """
    path = Path(path)
    if not path.exists():
        raise WarehouseError(f"no warehouse at {path}: run the pipeline (or a writer) first")
    if not os.access(path, os.R_OK):
        raise WarehouseError(f"cannot read {path}: permission denied")
    # A fresh in-memory instance that attaches the file: duckdb.connect(path) would reuse a
    # cached instance of the same path in this process, i.e. an old snapshot after a publish.
    con = duckdb.connect(":memory:", config=READER_CONFIG)
    try:
        _attach_published(con, path)
        con.execute(f"USE {CATALOG}")
        # Confined from here on: no file, network or extension access, settings frozen. This
        # does not stop DETACH + ATTACH of the same file read-write (DuckDB allows the path
        # it already knows): statements are screened by warehouse.sql for that.
        con.execute("SET enable_external_access = false")
        con.execute("SET lock_configuration = true")
        # this code's macros, also on a warehouse written before they existed
        con.execute(_temporary_macros_sql())
    except duckdb.Error as exc:
        con.close()
        raise WarehouseError(f"cannot open {path} read-only: {first_line(exc)}") from exc
    try:
        _check_not_newer(con, str(path))
    except Exception:
        con.close()
        raise
    return con


# --------------------------------------------------------------------------- writers


def writer_dir(path: str | os.PathLike) -> Path:
    """Private directory beside PATH holding the two generations of the file and the lock."""
    path = Path(path)
    return path.parent / f".{path.name}.writer"


@contextlib.contextmanager
def _writer_lock(path: Path, timeout: float) -> Iterator[None]:
    lock_path = writer_dir(path) / "lock"
    fd = os.open(lock_path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        deadline = time.monotonic() + timeout
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except OSError as exc:
                if exc.errno not in (errno.EAGAIN, errno.EACCES):
                    raise
                if time.monotonic() >= deadline:
                    holder = _read_text(lock_path) or "unknown process"
                    raise WarehouseError(
                        f"{path} is locked by another writer ({holder}); "
                        f"waited {timeout:g}s — try again when it finishes"
                    ) from None
                time.sleep(0.1)
        os.ftruncate(fd, 0)
        os.write(fd, f"pid {os.getpid()}".encode())
        yield
    finally:
        fcntl.flock(fd, fcntl.LOCK_UN)
        os.close(fd)


def _read_text(path: Path) -> str:
    try:
        return path.read_text().strip()
    except OSError:
        return ""


def _fsync_dir(directory: Path) -> None:
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


# Two generations of the file live in the writer directory; PATH is a hard link to one of them
# (the current one). A writer brings the other one (the spare) up to date and works on it, and
# publishing swaps PATH onto it with one rename: nothing is copied at publish time.
GENERATIONS = ("gen-a.duckdb", "gen-b.duckdb")
CHUNK = 256 * 1024           # DuckDB's block size: the unit a catch-up compares and writes


def _generations(wdir: Path) -> list[Path]:
    return [wdir / name for name in GENERATIONS]


def _same_file(a: Path, b: Path) -> bool:
    try:
        return os.path.samestat(a.stat(), b.stat())
    except FileNotFoundError:
        return False


def _held_by_this_process(path: Path) -> bool:
    """Whether a descriptor of this process refers to ``path`` (a reader's connection here).

    Other processes' readers hold a DuckDB lock, which the catch-up tests; locks do not tell a
    process about its own descriptors, so those are looked up (Linux; elsewhere assumed held)."""
    try:
        target = path.stat()
        fds = os.listdir("/proc/self/fd")
    except OSError:
        return True  # cannot tell: treated as held, so the spare is replaced, never changed
    for fd in fds:
        try:
            if os.path.samestat(os.stat(int(fd)), target):
                return True
        except OSError:
            continue
    return False


def _catch_up(current: Path, spare: Path) -> int | None:
    """Make ``spare`` byte-identical to ``current`` by rewriting only the blocks that differ.

    Returns the bytes written, or None when a reader holds ``spare`` (it must not change under
    them). Reads both files; writes what the nights since the spare was current changed."""
    if _held_by_this_process(spare):
        return None
    fd = os.open(spare, os.O_RDWR)
    try:
        try:  # the lock a DuckDB reader in another process holds on the file
            fcntl.lockf(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as exc:
            if exc.errno in (errno.EAGAIN, errno.EACCES):
                return None
            raise
        written = 0
        src = os.open(current, os.O_RDONLY)
        try:
            size = os.fstat(src).st_size
            if os.fstat(fd).st_size > size:
                os.ftruncate(fd, size)
            for offset in range(0, size, CHUNK):
                block = os.pread(src, CHUNK, offset)
                if os.pread(fd, CHUNK, offset) != block:
                    os.pwrite(fd, block, offset)
                    written += len(block)
        finally:
            os.close(src)
        os.fsync(fd)
        return written
    finally:
        os.close(fd)   # also releases the lock taken above (before DuckDB opens the file)


def _fsync_file(path: Path) -> None:
    with open(path, "rb+") as handle:
        os.fsync(handle.fileno())


def _synced_copy(source: Path, target: Path) -> None:
    shutil.copyfile(source, target)
    _fsync_file(target)


def _fresh_copy(current: Path, spare: Path) -> None:
    """Replace ``spare`` by a full copy of ``current`` (a reader holding the old one keeps it)."""
    tmp = spare.with_name(spare.name + ".incoming")
    _synced_copy(current, tmp)
    os.replace(tmp, spare)


def _link_or_copy(source: Path, target: Path) -> None:
    """A hard link; a copy where the file system has none (PATH then never is a generation, and
    each writer adopts it anew: publishing costs a copy there, as it did before generations)."""
    try:
        os.link(source, target)
    except OSError as exc:
        if exc.errno not in (errno.EPERM, errno.EXDEV, errno.ENOTSUP, errno.EMLINK):
            raise
        _synced_copy(source, target)


def _adopt_published(path: Path, wdir: Path) -> Path:
    """PATH is not one of the generations (first run with this layout, or a file restored onto
    PATH): it becomes generation a, by a hard link; the private copy earlier versions kept (most
    likely the same bytes) becomes the spare, to be caught up like any other."""
    for generation in _generations(wdir):
        generation.unlink(missing_ok=True)
    current, spare = _generations(wdir)
    _link_or_copy(path, current)
    legacy = wdir / "warehouse.duckdb"
    if legacy.exists():
        os.replace(legacy, spare)
    return current


def _remove_legacy_copy(wdir: Path) -> None:
    for name in ("warehouse.duckdb", "warehouse.duckdb.wal", "warehouse.duckdb.incoming", "published.json"):
        (wdir / name).unlink(missing_ok=True)


def _prepare_spare(path: Path, wdir: Path) -> Path:
    """The generation this writer works on, made equal to the published file (absent if none is).

    The spare is caught up block by block, comparing all of it: whatever state a killed writer
    left it in, it ends byte-identical to PATH. Only when a reader holds it (it must not change
    under them) or it is missing is it replaced by a full copy. A WAL a killed writer left beside
    it would replay onto the caught-up file, so it goes first."""
    if not path.exists():
        for generation in _generations(wdir):
            for leftover in (generation, generation.with_name(generation.name + ".wal")):
                leftover.unlink(missing_ok=True)
        _remove_legacy_copy(wdir)
        return _generations(wdir)[0]
    current = next((g for g in _generations(wdir) if _same_file(g, path)), None)
    if current is None:
        current = _adopt_published(path, wdir)
    _remove_legacy_copy(wdir)
    spare = next(g for g in _generations(wdir) if g != current)
    spare.with_name(spare.name + ".wal").unlink(missing_ok=True)
    if not spare.exists() or _catch_up(current, spare) is None:
        _fresh_copy(current, spare)
    return spare


def _publish_temp(path: Path, pid: int | str) -> Path:
    return path.parent / f".{path.name}.publish-{pid}"


def _remove_publish_leftovers(path: Path) -> None:
    """Links left by writers killed while publishing (only writers publish, and we hold the lock)."""
    for leftover in path.parent.glob(_publish_temp(path, "*").name):
        if leftover.name[len(_publish_temp(path, "").name):].isdigit():
            leftover.unlink(missing_ok=True)


def _publish(work: Path, path: Path) -> None:
    """Point PATH at ``work``: a hard link renamed onto PATH. The generation PATH held becomes
    the spare; readers that have it open keep it as it is (the next catch-up leaves it alone)."""
    _fsync_file(work)
    tmp = _publish_temp(path, os.getpid())
    tmp.unlink(missing_ok=True)
    try:
        _link_or_copy(work, tmp)
        # A WAL beside PATH can only come from someone opening it read-write (not supported);
        # DuckDB would replay it onto the new file, so it goes.
        path.with_name(path.name + ".wal").unlink(missing_ok=True)
        os.replace(tmp, path)  # atomic: readers see the old or the new file, never a mix
    finally:
        tmp.unlink(missing_ok=True)
    _fsync_dir(path.parent)


def _attach_writer(work: Path) -> duckdb.DuckDBPyConnection:
    """A session whose current database is ``work``, attached with the writers' row groups (an
    attach option DuckDB does not keep in the file). Use :func:`writer_cursor` for more cursors."""
    con = duckdb.connect(":memory:", config=CONNECT_CONFIG)  # the format of a file it creates
    try:
        con.execute(f"ATTACH '{_sql_literal(work)}' AS {CATALOG} (ROW_GROUP_SIZE {ROW_GROUP_SIZE})")
        con.execute(f"USE {CATALOG}")
        # An in-memory session would spill to '.tmp' in whatever directory the run started in.
        con.execute(f"SET temp_directory = '{_sql_literal(_spill_dir(work))}'")
    except duckdb.Error:
        con.close()
        raise
    return con


def _spill_dir(work: Path) -> Path:
    """Where the writer's DuckDB spills operators larger than its memory: beside the file."""
    return work.with_name(work.name + ".spill")


def writer_cursor(con: duckdb.DuckDBPyConnection) -> duckdb.DuckDBPyConnection:
    """Another cursor on a writer's session, on the warehouse (a new cursor starts elsewhere)."""
    cursor = con.cursor()
    cursor.execute(f"USE {CATALOG}")
    return cursor


def _connect_writer(work: Path, path: Path) -> duckdb.DuckDBPyConnection:
    try:
        return _attach_writer(work)
    except duckdb.IOException as exc:
        if not _is_lock_conflict(exc) or not path.exists():
            raise
    # a reader opened the spare after it was caught up (it had opened PATH just before the last
    # publish): it keeps that file, the writer gets a fresh copy
    _fresh_copy(path, work)
    return _attach_writer(work)


@contextlib.contextmanager
def open_writer(
    path: str | os.PathLike = DEFAULT_PATH, *, lock_timeout: float = DEFAULT_LOCK_TIMEOUT
) -> Iterator[duckdb.DuckDBPyConnection]:
    """Read-write connection on the spare generation; published onto ``path`` when the block
    succeeds (see the module's docstring).

    Writers serialise on an OS lock (``lock_timeout`` seconds, then :class:`WarehouseError`).
    The schema is migrated and views re-created on open. If the block raises, nothing is
    published; the next writer catches the spare up again.
    """
    path = Path(path)
    if path.is_symlink():  # publish onto the target: replacing the link would turn it into a file
        path = Path(os.path.realpath(path))
    if not path.parent.is_dir():
        raise WarehouseError(f"cannot create {path}: directory {path.parent} does not exist")
    if path.exists() and not os.access(path, os.R_OK):
        raise WarehouseError(f"cannot read {path}: permission denied")
    wdir = writer_dir(path)
    try:
        wdir.mkdir(exist_ok=True)
    except OSError as exc:
        raise WarehouseError(f"cannot create writer directory {wdir}: {exc}") from exc
    with _writer_lock(path, lock_timeout):
        _remove_publish_leftovers(path)
        work = _prepare_spare(path, wdir)
        try:
            con = _connect_writer(work, path)
        except duckdb.Error as exc:
            raise WarehouseError(f"cannot open {path} for writing: {first_line(exc)}") from exc
        try:
            migrate(con)
            yield con
            con.execute(f"CHECKPOINT {CATALOG}")
        finally:
            con.close()
        # Only reached when the block succeeded.
        _publish(work, path)
