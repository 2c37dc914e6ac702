"""Opening the warehouse: migrations, one writer at a time, atomic publish for analysts.

DuckDB lets one process write a file, and while it does, no other process can open that file
at all (not even read-only). So analysts and writers never share a file:

* ``PATH`` (e.g. ``newsfacts.duckdb``) is the published warehouse. Analysts open it read-only
  (:func:`open_reader`). Nobody ever opens it read-write.
* Writers (nightly run, ``resolve``, ``reextract``) use :func:`open_writer`: take an OS lock,
  work on a private copy in ``.<name>.writer/``, and on success checkpoint, copy the result
  to a temp file beside ``PATH`` and ``os.replace`` it onto ``PATH``. A reader that has
  ``PATH`` open keeps its snapshot (the old inode); the next reader sees the new data.
* The private copy is reused only if a stamp says it equals the published file; the stamp is
  removed before any write, so a writer that dies mid-run leaves a copy that is discarded
  (re-copied from ``PATH``) next time.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import json
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


READER_ALIAS = "newsfacts"
READER_CONFIG = {"autoinstall_known_extensions": False, "autoload_known_extensions": False}


def first_line(exc: BaseException) -> str:
    """The first line of an error's message (DuckDB adds "LINE 1: ..." context below it)."""
    return str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__


def _sql_literal(path: Path) -> str:
    return str(path).replace("'", "''")


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
        con.execute(f"ATTACH '{_sql_literal(path)}' AS {READER_ALIAS} (READ_ONLY)")
        con.execute(f"USE {READER_ALIAS}")
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
    """Private directory beside PATH holding the writer copy and the lock."""
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


def _file_identity(path: Path) -> dict | None:
    try:
        st = path.stat()
    except FileNotFoundError:
        return None
    return {"ino": st.st_ino, "size": st.st_size, "mtime_ns": st.st_mtime_ns}


def _fsync_dir(directory: Path) -> None:
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _prepare_working_copy(path: Path, work: Path, stamp: Path) -> None:
    """Make ``work`` equal to the published file (or absent if nothing is published)."""
    published = _file_identity(path)
    stamped = json.loads(_read_text(stamp) or "null")
    if published is not None and stamped == published and work.exists():
        return  # the last publish came from this copy; nothing changed since
    for leftover in (work, work.with_name(work.name + ".wal")):
        leftover.unlink(missing_ok=True)
    if published is not None:
        tmp = work.with_name(work.name + ".incoming")
        shutil.copyfile(path, tmp)
        os.replace(tmp, work)


def _publish_temp(path: Path, pid: int | str) -> Path:
    return path.parent / f".{path.name}.publish-{pid}"


def _remove_publish_leftovers(path: Path) -> None:
    """Temp copies of writers killed while publishing (only writers publish, and we hold the lock)."""
    for leftover in path.parent.glob(_publish_temp(path, "*").name):
        if leftover.name[len(_publish_temp(path, "").name):].isdigit():
            leftover.unlink(missing_ok=True)


def _publish(work: Path, path: Path, stamp: Path) -> None:
    tmp = _publish_temp(path, os.getpid())
    try:
        shutil.copyfile(work, tmp)
        with open(tmp, "rb+") as handle:
            os.fsync(handle.fileno())
        # A WAL beside PATH can only come from someone opening it read-write (not supported);
        # DuckDB would replay it onto the new file, so it goes.
        path.with_name(path.name + ".wal").unlink(missing_ok=True)
        os.replace(tmp, path)  # atomic: readers see the old or the new file, never a mix
    finally:
        tmp.unlink(missing_ok=True)
    _fsync_dir(path.parent)
    stamp.write_text(json.dumps(_file_identity(path)))


@contextlib.contextmanager
def open_writer(
    path: str | os.PathLike = DEFAULT_PATH, *, lock_timeout: float = DEFAULT_LOCK_TIMEOUT
) -> Iterator[duckdb.DuckDBPyConnection]:
    """Read-write connection on a private copy; published onto ``path`` when the block succeeds.

    Writers serialise on an OS lock (``lock_timeout`` seconds, then :class:`WarehouseError`).
    The schema is migrated and views re-created on open. If the block raises, nothing is
    published and the private copy is discarded.
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
    work, stamp = wdir / "warehouse.duckdb", wdir / "published.json"

    with _writer_lock(path, lock_timeout):
        _remove_publish_leftovers(path)
        _prepare_working_copy(path, work, stamp)
        stamp.unlink(missing_ok=True)  # from here on the copy may differ from PATH
        try:
            con = duckdb.connect(str(work), config=CONNECT_CONFIG)
        except duckdb.Error as exc:
            raise WarehouseError(f"cannot open {path} for writing: {first_line(exc)}") from exc
        try:
            migrate(con)
            yield con
            con.execute("CHECKPOINT")
        finally:
            con.close()
        # Only reached when the block succeeded.
        _publish(work, path, stamp)
