"""The HTML report rendered by headless Chromium (offline, file://)."""

from __future__ import annotations

import os
import shutil
import subprocess

import pytest

from test_warehouse_support import canonical_docs, run_once
from warehouse.db import open_reader
from warehouse.report import write_report

pytestmark = pytest.mark.browser


def chromium_binary() -> str | None:
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if found is None:
        if os.environ.get("CI") == "true":
            pytest.fail("chromium is required in CI (apt-get install chromium)")
        pytest.skip("chromium not installed")
    return found


def test_report_renders_in_headless_chromium(tmp_path):
    binary = chromium_binary()
    path = tmp_path / "newsfacts.duckdb"
    run_once(path, canonical_docs())
    con = open_reader(path)
    report = write_report(con, "html", tmp_path / "conflicts.html")
    con.close()
    done = subprocess.run(
        [binary, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         f"--user-data-dir={tmp_path / 'profile'}", "--dump-dom", report.resolve().as_uri()],
        capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    dom = done.stdout
    assert "Anthropic – Amazon: investment (USD)" in dom
    assert "$8B" in dom and "up to $4B" in dom
    assert "Amazon has invested <mark>$8B</mark> in Anthropic in total (November 2024)." in dom
    assert "Amazon will invest <mark>up to $4 billion</mark> in Anthropic, the companies said." in dom
    assert "<svg" in dom  # the inline chart survived parsing
