"""The HTML report rendered by headless Chromium (offline, file://)."""

from __future__ import annotations

import os
import shutil
import subprocess

import pytest

from test_warehouse_support import canonical_docs, run_once
from newsfacts.warehouse.db import open_reader
from newsfacts.warehouse.report import write_report

pytestmark = pytest.mark.browser


def chromium_binary() -> str | None:
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if found is None:
        if os.environ.get("CI") == "true":
            pytest.fail("chromium is required in CI (apt-get install chromium)")
        pytest.skip("chromium not installed")
    return found


def rendered_dom(binary: str, report, tmp_path) -> str:
    """The DOM after Chromium has parsed and laid out the file, offline."""
    done = subprocess.run(
        [binary, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         f"--user-data-dir={tmp_path / 'profile'}", "--dump-dom", report.resolve().as_uri()],
        capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout


def test_report_renders_in_headless_chromium(tmp_path):
    binary = chromium_binary()
    path = tmp_path / "newsfacts.duckdb"
    run_once(path, canonical_docs())
    con = open_reader(path)
    report = write_report(con, "html", tmp_path / "conflicts.html")
    con.close()
    dom = rendered_dom(binary, report, tmp_path)
    assert "Anthropic – Amazon: investment (USD)" in dom
    assert "$8B" in dom and "up to $4B" in dom
    assert "Amazon has invested <mark>$8B</mark> in Anthropic in total (November 2024)." in dom
    assert "Amazon will invest <mark>up to $4 billion</mark> in Anthropic, the companies said." in dom
    assert "<svg" in dom  # the inline chart survived parsing


def test_the_demo_report_shows_the_amazon_conflict_in_chromium(demo_warehouse, tmp_path):
    """The report of what the pipeline loads from the demo site, as a reviewer sees it."""
    binary = chromium_binary()
    con = open_reader(demo_warehouse)
    report = write_report(con, "html", tmp_path / "demo.html")
    con.close()
    dom = rendered_dom(binary, report, tmp_path)
    section = dom[dom.index("Anthropic – Amazon: investment (USD)"):]
    section = section[:section.find("</section>") if "</section>" in section else len(section)]
    assert "Amazon has invested <mark>$8 billion</mark> in Anthropic" in section
    assert "poured up to <mark>$4 billion</mark> into Anthropic" in section
    assert "<svg" in section
