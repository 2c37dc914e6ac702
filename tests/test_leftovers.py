"""Nothing a run starts outlives it (flows/leftovers.py): killed by SIGTERM, SIGINT or SIGKILL,
the run's processes are stopped; an earlier run's leftovers are stopped by the next run.

The processes here are sleepers this test starts; the real one, Prefect's temporary server
under `newsfacts run`, is in test_fault_run.py (marked prefect: it takes a server start)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest

from newsfacts.flows.leftovers import RUN_MARKER, guard_run, left_by_ended_runs, run_mark

pytestmark = pytest.mark.skipif(not Path("/proc/self/environ").exists(), reason="finds processes through /proc")

SLEEPER = [sys.executable, "-c", "import time; time.sleep(120)"]

# A run in miniature: guarded, it starts a child that would outlive it, says so, and waits.
RUN = """
import subprocess, sys, time
from newsfacts.flows.leftovers import guard_run
with guard_run():
    child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(120)"])
    print(child.pid, flush=True)
    time.sleep(120)
"""


def tagged(tag: str) -> list[int]:
    """Processes whose environment holds TEST_TAG=tag: everything a test's process started."""
    found = []
    for entry in Path("/proc").glob("[0-9]*"):
        try:
            if f"TEST_TAG={tag}".encode() in (entry / "environ").read_bytes().split(b"\0"):
                found.append(int(entry.name))
        except OSError:
            continue
    return [pid for pid in found if run_mark(pid)]   # zombies are gone for good


def wait_until(condition, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.1)
    return condition()


def stop_tagged(tag: str) -> None:
    for pid in tagged(tag):
        os.kill(pid, signal.SIGKILL)


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT, signal.SIGKILL])
def test_a_killed_run_leaves_none_of_its_processes(signum):
    tag = uuid.uuid4().hex
    run = subprocess.Popen([sys.executable, "-c", RUN], stdout=subprocess.PIPE, text=True,
                           env={**os.environ, "TEST_TAG": tag})
    try:
        child = int(run.stdout.readline())
        # /proc may show a process a moment before its environment is readable: wait to see both
        assert wait_until(lambda: run_mark(child) and set(tagged(tag)) >= {run.pid, child}, 10)
        run.send_signal(signum)
        assert run.wait(timeout=30) == -signum
        assert wait_until(lambda: not tagged(tag), 15), f"left running: {tagged(tag)}"
    finally:
        run.kill()
        stop_tagged(tag)


def test_the_next_run_stops_what_an_ended_run_left_and_nothing_else(tmp_path):
    tag = uuid.uuid4().hex
    ended = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    ended_pid = int(ended.stdout)
    mine = run_mark(os.getpid())
    leftover = subprocess.Popen(SLEEPER, env={**os.environ, "TEST_TAG": tag, RUN_MARKER: f"{ended_pid}:1"})
    reused_pid = subprocess.Popen(SLEEPER, env={**os.environ, "TEST_TAG": tag, RUN_MARKER: f"{os.getpid()}:1"})
    running = subprocess.Popen(SLEEPER, env={**os.environ, "TEST_TAG": tag, RUN_MARKER: mine})
    unmarked = subprocess.Popen(SLEEPER, env={**os.environ, "TEST_TAG": tag})
    try:
        assert wait_until(lambda: len(tagged(tag)) == 4, 10)
        assert {leftover.pid, reused_pid.pid} <= set(left_by_ended_runs())
        assert not {running.pid, unmarked.pid} & set(left_by_ended_runs())
        with guard_run() as mark:
            assert mark == mine and os.environ[RUN_MARKER] == mine
        assert leftover.wait(timeout=10) == -signal.SIGTERM and reused_pid.wait(timeout=10) == -signal.SIGTERM
        assert running.poll() is None and unmarked.poll() is None
        assert os.environ.get(RUN_MARKER) is None
    finally:
        for process in (leftover, reused_pid, running, unmarked):
            process.kill()
            process.wait()
