"""Nothing a run starts outlives it, however the run ends.

Without PREFECT_API_URL, Prefect starts a temporary API server for the run: a `uvicorn` child
process (prefect.server.api.server.SubprocessASGIServer), stopped by an `atexit` hook. A run
killed by SIGTERM or SIGKILL never runs that hook, and the server lived on with PID 1 as its
parent. So `guard_run()`, around a run:

- marks the run: every process it starts inherits RUN_MARKER=<pid>:<start time> in its
  environment, which names the run exactly (a process id alone may be reused);
- on SIGTERM and SIGINT, stops the marked processes, then ends as the signal means;
- starts a watchdog (`python -m newsfacts.flows.leftovers`, its own session, unmarked) that
  waits for the end of a pipe only the run holds. However the run ends, SIGKILL included, the
  kernel closes it, and the watchdog stops what is still marked with that run's mark;
- first stops the marked processes whose run has ended (a watchdog that was killed too).

Processes are found through /proc (Linux); elsewhere only Prefect's own exit hook remains.
"""

from __future__ import annotations

import logging
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

log = logging.getLogger("newsfacts.leftovers")

RUN_MARKER = "NEWSFACTS_RUN"
PROC = Path("/proc")
STOP_GRACE_SECONDS = 5.0


def run_mark(pid: int) -> str | None:
    """`pid:start time` of a living process (its start time tells a reused pid apart), else None."""
    try:
        stat = (PROC / str(pid) / "stat").read_text()
    except OSError:
        return None
    state, *fields = stat.rsplit(")", 1)[1].split()   # the name, in parentheses, may hold spaces
    if state in ("Z", "X"):   # dead, not reaped yet
        return None
    return f"{pid}:{fields[18]}"                      # field 22 of proc(5): start time in ticks


def marked_processes() -> dict[int, str]:
    """pid → run mark, for every process carrying one that this user may read."""
    found = {}
    prefix = f"{RUN_MARKER}=".encode()
    for entry in PROC.glob("[0-9]*") if PROC.is_dir() else ():
        try:
            environment = (entry / "environ").read_bytes()
        except OSError:   # gone, or another user's
            continue
        for variable in environment.split(b"\0"):
            if variable.startswith(prefix):
                found[int(entry.name)] = variable[len(prefix):].decode("ascii", "replace")
                break
    return found


def processes_of(mark: str) -> list[int]:
    return sorted(pid for pid, owner in marked_processes().items() if owner == mark and pid != os.getpid())


def left_by_ended_runs() -> list[int]:
    """Marked processes whose run is over (its process is gone, or the pid now names another)."""
    return sorted(pid for pid, owner in marked_processes().items()
                  if pid != os.getpid() and not _running(owner))


def _running(mark: str) -> bool:
    pid = mark.split(":")[0]
    return pid.isdigit() and run_mark(int(pid)) == mark


def stop(pids: list[int], grace: float = STOP_GRACE_SECONDS) -> list[int]:
    """SIGTERM, then SIGKILL for those still there after `grace` seconds. Returns the pids that were alive."""
    marks = {pid: run_mark(pid) for pid in pids}
    alive = [pid for pid, mark in marks.items() if mark]
    for pid in alive:
        _signal(pid, signal.SIGTERM)
    deadline = time.monotonic() + grace
    while time.monotonic() < deadline and any(run_mark(pid) == marks[pid] for pid in alive):
        time.sleep(0.05)   # a child of ours that ended is a zombie: run_mark says it is gone
    for pid in alive:
        if run_mark(pid) == marks[pid]:   # the same process, not a new one on its pid
            _signal(pid, signal.SIGKILL)
    return alive


def _signal(pid: int, signum: int) -> None:
    try:
        os.kill(pid, signum)
    except (ProcessLookupError, PermissionError):
        pass


@contextmanager
def guard_run() -> Iterator[str | None]:
    """Mark this run's processes; stop them on SIGTERM/SIGINT and, through a watchdog, on any end."""
    mark = run_mark(os.getpid())
    if mark is None:   # no /proc: nothing to find the processes with
        yield None
        return
    leftovers = stop(left_by_ended_runs())
    if leftovers:
        log.warning("stopped %d process(es) left by an earlier run: %s", len(leftovers),
                    " ".join(map(str, leftovers)))
    unmarked = {name: value for name, value in os.environ.items() if name != RUN_MARKER}
    # The pipe to the watchdog stays open until this process ends, whenever that is: Prefect's
    # exit hook, after this block, still needs its server. So the watchdog is kept referenced.
    _watchdogs.append(subprocess.Popen([sys.executable, "-m", "newsfacts.flows.leftovers", mark],
                                       stdin=subprocess.PIPE, env=unmarked, start_new_session=True))
    previous_mark = os.environ.get(RUN_MARKER)
    os.environ[RUN_MARKER] = mark
    handlers = {}
    if threading.current_thread() is threading.main_thread():
        handlers = {signum: signal.signal(signum, _stop_then_end(mark)) for signum in (signal.SIGTERM, signal.SIGINT)}
    try:
        yield mark
    finally:
        for signum, handler in handlers.items():
            signal.signal(signum, handler)
        if previous_mark is None:
            os.environ.pop(RUN_MARKER, None)
        else:
            os.environ[RUN_MARKER] = previous_mark


_watchdogs: list[subprocess.Popen] = []


def _stop_then_end(mark: str):
    def handle(signum, _frame):
        name = signal.Signals(signum).name
        print(f"newsfacts: {name}: stopping the run's processes", file=sys.stderr, flush=True)
        stop(processes_of(mark))
        signal.signal(signum, signal.SIG_DFL)
        os.kill(os.getpid(), signum)   # end as that signal means (exit status 128 + signum)
    return handle


def watch(mark: str) -> None:
    """The watchdog: wait until the run has ended (stdin reaches its end), then stop its processes."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))   # stopped itself: still clean up
    try:
        while sys.stdin.buffer.read(65536):
            pass
    finally:
        stop(processes_of(mark))


if __name__ == "__main__":
    watch(sys.argv[1])
