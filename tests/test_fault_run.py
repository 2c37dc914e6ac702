"""Fault suite, the run tells the truth: exit statuses, one-line errors, pipes, partial input."""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from hostile_site import DEAL, article, rss, write_site
from terminal import COLUMNS, open_terminal, read_all, screen
from test_leftovers import stop_tagged, tagged, wait_until

from newsfacts.warehouse.db import open_reader

PROJECT = Path(__file__).resolve().parents[1]


def newsfacts(*args, cwd=None, timeout=180, **kwargs):
    return subprocess.run([sys.executable, "-m", "newsfacts.cli", *map(str, args)],
                          capture_output=True, text=True, cwd=cwd, timeout=timeout, **kwargs)


def one_clean_line(result, fragment):
    assert result.returncode == 1, (result.returncode, result.stderr)
    assert "Traceback" not in result.stderr + result.stdout
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert fragment in lines[0], lines[0]


# --- exit statuses --------------------------------------------------------------------------------

def sources_file(tmp_path, site, feeds: list[str]) -> Path:
    path = tmp_path / "sources.toml"
    path.write_text("[settings]\ntimeout = 2.0\n" + "".join(
        f'\n[[source]]\nname = "s{i}"\nkind = "rss"\nurl = "{site.url(feed)}"\n' for i, feed in enumerate(feeds)))
    return path


@pytest.fixture
def site(tmp_path, serve_site):
    return serve_site(write_site(tmp_path / "site", {
        "feed.xml": rss({"title": "Deal", "link": "{{base}}/deal.html"}),
        "deal.html": article("Deal", DEAL)}))


@pytest.mark.parametrize("feeds, status", [
    (["/feed.xml"], 0),
    (["/feed.xml", "/missing.xml"], 3),
    (["/missing.xml", "/_fault/status/500"], 4),
])
def test_run_exit_status_says_how_it_went(tmp_path, site, feeds, status):
    result = newsfacts("run", "--no-prefect", "--sources", sources_file(tmp_path, site, feeds),
                       "--db", tmp_path / "w.duckdb", "--reports", tmp_path / "reports")
    assert result.returncode == status, result.stderr
    assert "Traceback" not in result.stderr
    failed = len(feeds) - (1 if "/feed.xml" in feeds else 0)
    assert f"/ {failed} failed" in result.stdout
    report = next((tmp_path / "reports").glob("*-conflicts.html")).read_text()
    assert f"{failed} of {len(feeds)} sources failed" in report


# --- one line, no traceback -----------------------------------------------------------------------

@pytest.fixture
def warehouse(demo_warehouse, tmp_path):
    copy = tmp_path / "w.duckdb"
    shutil.copyfile(demo_warehouse, copy)
    return copy


def test_report_since_a_bad_date(warehouse):
    one_clean_line(newsfacts("report", "--db", warehouse, "--format", "md", "--since", "last tuesday"),
                   "YYYY-MM-DD")


def test_eval_on_a_file_that_is_not_jsonl(tmp_path):
    bad = tmp_path / "gold.jsonl"
    bad.write_text("this is not json\n")
    one_clean_line(newsfacts("eval", bad), "gold.jsonl")


def test_sql_with_an_empty_query(warehouse):
    one_clean_line(newsfacts("sql", "--db", warehouse, ""), "empty query")


@pytest.mark.parametrize("command", [["review"], ["sql", "SELECT * FROM article_rows"], ["reextract"], ["report", "--format", "md"]])
def test_a_truncated_warehouse_file(warehouse, command):
    data = warehouse.read_bytes()
    warehouse.write_bytes(data[:300_000])       # a copy cut short (disk full, killed transfer)
    result = newsfacts(*command, "--db", warehouse)
    one_clean_line(result, str(warehouse.name))


def test_reextract_on_a_missing_path_creates_nothing(tmp_path):
    missing = tmp_path / "absent.duckdb"
    one_clean_line(newsfacts("reextract", "--db", missing), "absent.duckdb")
    assert list(tmp_path.iterdir()) == []


def test_resolve_with_a_negative_value(warehouse):
    con = open_reader(warehouse)
    conflict_id = con.execute("SELECT conflict_id FROM conflicts LIMIT 1").fetchall()[0][0]
    con.close()
    one_clean_line(newsfacts("resolve", conflict_id, "--value", "-5", "--db", warehouse), "zero or more")


# --- pipes and several inputs ---------------------------------------------------------------------

def test_extract_into_a_closed_pipe_exits_quietly(tmp_path):
    text = tmp_path / "many.txt"
    text.write_text("\n\n".join(f"Firm{i} Cloud will invest ${i + 1} billion in Borealis AI." for i in range(300)))
    pipeline = subprocess.run(
        f'"{sys.executable}" -m newsfacts.cli extract "{text}" | head -n 1',
        shell=True, capture_output=True, text=True, timeout=180)
    assert len(pipeline.stdout.splitlines()) == 1
    assert pipeline.stderr == ""


def test_article_keeps_going_past_a_page_it_cannot_read(tmp_path):
    good = tmp_path / "good.html"
    good.write_text(article("Good", DEAL))
    empty = tmp_path / "empty.html"
    empty.write_text("   ")
    result = newsfacts("article", "--format", "jsonl", empty, tmp_path / "missing.html", good)
    assert result.returncode == 1 and "Traceback" not in result.stderr
    import json

    records = [json.loads(line) for line in result.stdout.splitlines()]
    assert [bool(r.get("error")) for r in records] == [True, True, False]
    assert records[0]["file"] == str(empty) and "empty page" in records[0]["error"]
    assert records[2]["title"] == "Good"


# --- blog index pages with very many links -------------------------------------------------------

def test_blog_index_link_extraction_keeps_every_distinct_link_once():
    """Repeats dropped, order kept (bench/blog_index_links.py measures that the time is linear)."""
    from newsfacts.extractors.blog_index import extract_links

    anchors = "".join(f'<a class="p" href="/post/{i % 10_000}">p</a>' for i in range(20_000))
    links = extract_links(f"<html><body>{anchors}</body></html>", "https://blog.example/", "a.p")
    assert len(links) == 10_000 and links[0] == "https://blog.example/post/0"
    assert links[-1] == "https://blog.example/post/9999"


# --- offline --------------------------------------------------------------------------------------

def test_offline_says_network_unreachable_once_per_host(tmp_path, extractor, caplog):
    """A name that cannot resolve (.invalid never does) stands for a machine without network."""
    import logging

    from hostile_site import config_for, rss_source, run

    config = config_for(*(rss_source(f"s{i}", f"http://newsfacts-offline.invalid/feed{i}.xml") for i in range(4)),
                        rss_source("other", "http://other-offline.invalid/feed.xml"))
    with caplog.at_level(logging.INFO, logger="newsfacts"):
        feeds, *_ = run(config, tmp_path / "w.duckdb", extractor)
    assert all(o.status == "failed" and "network unreachable" in o.error for o in feeds.outcomes)
    text = caplog.text
    assert "robots.txt" not in text
    warnings = [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING]
    assert len([m for m in warnings if "newsfacts-offline.invalid" in m]) == 1, warnings
    assert len([m for m in warnings if "other-offline.invalid" in m]) == 1, warnings


# --- Prefect's own state ------------------------------------------------------------------------

@pytest.fixture(scope="module")
def prefect_harness():
    from prefect.testing.utilities import prefect_test_harness

    with prefect_test_harness(server_startup_timeout=120):
        yield


@pytest.mark.prefect
def test_the_flow_run_fails_when_every_source_failed_and_is_partial_when_some_did(
        prefect_harness, tmp_path, site):
    import asyncio

    from newsfacts.flows.nightly import AllSourcesFailed, nightly

    def flow_state(feeds):
        return asyncio.run(nightly(sources_path=str(sources_file(tmp_path, site, feeds)),
                                   db_path=str(tmp_path / "w.duckdb"), reports_dir=None, return_state=True))

    failed = flow_state(["/missing.xml", "/_fault/status/500"])
    assert failed.is_failed() and failed.message == "all 2 sources failed"
    partial = flow_state(["/feed.xml", "/missing.xml"])
    assert partial.is_completed() and partial.name == "Partial"
    assert partial.result().sources_failed == 1
    assert flow_state(["/feed.xml"]).name == "Completed"
    with pytest.raises(AllSourcesFailed) as caught:
        asyncio.run(nightly(sources_path=str(sources_file(tmp_path, site, ["/missing.xml"])),
                            db_path=str(tmp_path / "w.duckdb"), reports_dir=None))
    assert caught.value.summary.sources_failed == 1



@pytest.fixture(scope="module")
def prefect_home(tmp_path_factory):
    """One Prefect home for the module's runs: its database is created (migrated) once."""
    return tmp_path_factory.mktemp("prefect-home")


def temporary_server(tag: str) -> str | None:
    """The URL of the temporary Prefect API that a process tagged `tag` serves, once it answers."""
    import httpx

    for pid in tagged(tag):
        try:
            command = Path(f"/proc/{pid}/cmdline").read_bytes().decode().split("\0")
        except OSError:
            continue
        if "uvicorn" in command and "--port" in command:
            url = f"http://127.0.0.1:{command[command.index('--port') + 1]}/api"
            try:
                if httpx.get(url + "/health", timeout=2).status_code == 200:
                    return url
            except httpx.HTTPError:
                pass
    return None


@pytest.mark.prefect
@pytest.mark.skipif(not Path("/proc/self/environ").exists(), reason="finds processes through /proc")
@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT, signal.SIGKILL])
def test_a_killed_run_leaves_no_prefect_server_behind(tmp_path, site, prefect_home, signum):
    """`newsfacts run` with Prefect, killed once its temporary server answers, while a slow feed
    keeps the run going: no process it started (the server above all) is left."""
    tag = uuid.uuid4().hex
    environment = {name: value for name, value in os.environ.items() if name != "PREFECT_API_URL"}
    environment.update(TEST_TAG=tag, PREFECT_HOME=str(prefect_home), COLUMNS="120")
    sources = sources_file(tmp_path, site, ["/feed.xml", "/_fault/slow?delay=10"])
    run = subprocess.Popen([sys.executable, "-m", "newsfacts.cli", "run", "--sources", str(sources),
                            "--db", str(tmp_path / "w.duckdb"), "--reports", str(tmp_path / "reports")],
                           stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=environment)
    try:
        assert wait_until(lambda: temporary_server(tag) or run.poll() is not None, 150), "no server answered"
        assert run.poll() is None, run.stderr.read().decode()   # killed mid-run, not after it
        run.send_signal(signum)
        run.wait(timeout=30)
        assert run.returncode == -signum
        assert wait_until(lambda: not tagged(tag), 20), f"left running: {tagged(tag)}"
    finally:
        run.kill()
        run.wait()
        stop_tagged(tag)

# --- a terminal: log lines above the bars, every stage has one ---------------------------------

STAGES = ("Fetching feeds", "Fetching articles", "Extracting facts", "Loading", "Finding conflicts",
          "Writing the report")
LEVEL = re.compile(r"\b(DEBUG|INFO|WARNING|ERROR|CRITICAL)\b")
# a log line as the plain handler (`ERROR   message`) or Prefect's (`12:00:01.234 | ERROR   | …`) writes it
LOG_LINE = re.compile(r"^(\d\d:\d\d:\d\d\.\d{3} \| )?(DEBUG|INFO|WARNING|ERROR|CRITICAL) +(\| )?\S")


@pytest.mark.parametrize("prefect", [pytest.param(False, id="no-prefect"),
                                     pytest.param(True, id="prefect", marks=pytest.mark.prefect)])
def test_on_a_terminal_log_lines_do_not_break_the_progress_bars(tmp_path, site, prefect_home, prefect):
    """The run's output is a pseudo-terminal; a failing source logs an ERROR line mid-run. At the
    end the screen holds each stage's bar once, finished, and every log line on a line of its own."""
    # the slow one keeps the bars on screen when the other failure is logged
    sources = sources_file(tmp_path, site, ["/feed.xml", "/missing.xml", "/_fault/slow?delay=0.5"])
    controller, terminal = open_terminal()
    environment = {name: value for name, value in os.environ.items() if name != "PREFECT_API_URL"}
    environment.update(TERM="xterm", COLUMNS=str(COLUMNS), PREFECT_HOME=str(prefect_home))
    process = subprocess.Popen(
        [sys.executable, "-m", "newsfacts.cli", "run", *([] if prefect else ["--no-prefect"]),
         "--sources", str(sources), "--db", str(tmp_path / "w.duckdb"), "--reports", str(tmp_path / "reports")],
        stdin=subprocess.DEVNULL, stdout=terminal, stderr=terminal, env=environment)
    try:
        lines = screen(read_all(controller, terminal))
        assert process.wait(timeout=240) == 3, "\n".join(lines)
    finally:
        process.kill()
    shown = "\n".join(lines)
    for stage in STAGES:
        bars = [line for line in lines if line.startswith(stage)]
        assert len(bars) == 1, f"{stage}: {bars}\n{shown}"
        done, total = re.search(r"(\d+)/(\d+)", bars[0]).groups()
        assert done == total, bars[0]
        assert not LEVEL.search(bars[0]), bars[0]
    logged = [line for line in lines if LEVEL.search(line)]
    assert any("ERROR" in line and "missing.xml" in line for line in logged), shown
    for line in logged:                     # a log line is a line of its own, not glued to a bar
        assert LOG_LINE.match(line), f"{line!r}\n{shown}"
