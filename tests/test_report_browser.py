"""The HTML report rendered by headless Chromium (offline, file://)."""

from __future__ import annotations

import os
import shutil
import subprocess

import pytest
from review_docs import review_docs

from newsfacts.warehouse.db import open_reader, open_writer
from newsfacts.warehouse.report import write_report, write_run_report
from newsfacts.warehouse.review import list_conflicts, resolve

from test_warehouse_support import run_once

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


def screenshot(binary: str, page, out, tmp_path, height: int = 1600) -> None:
    done = subprocess.run(
        [binary, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--hide-scrollbars", f"--window-size=1000,{height}", f"--user-data-dir={tmp_path / 'shot'}",
         f"--screenshot={out}", page.resolve().as_uri()],
        capture_output=True, text=True, timeout=120)
    assert done.returncode == 0 and out.exists(), done.stderr[-2000:]


def test_report_renders_in_headless_chromium(tmp_path):
    binary = chromium_binary()
    path = tmp_path / "newsfacts.duckdb"
    run_once(path, review_docs())
    con = open_reader(path)
    report = write_report(con, "html", tmp_path / "conflicts.html")
    con.close()
    dom = rendered_dom(binary, report, tmp_path)
    assert "Anthropic – Amazon: investment, total (USD)" in dom
    assert "$8B" in dom and "up to $4B" in dom
    assert "Amazon has invested <mark>$8B</mark> in Anthropic in total (November 2024)." in dom
    assert "stands at <mark>$4 billion</mark>" in dom
    assert "<svg" in dom  # the inline chart survived parsing


def test_a_run_report_shows_suggestion_decisions_and_a_legible_chart(tmp_path):
    """The second run's report as a reviewer opens it: the decision taken after the first run,
    the suggestion of the open conflict, a chart with a legend and no labels on the points."""
    binary = chromium_binary()
    path = tmp_path / "newsfacts.duckdb"
    run_once(path, review_docs())
    with open_writer(path) as con:
        resolve(con, list_conflicts(con)[0]["conflict_id"], dismiss=True, note="checked <b>twice</b>",
                user="carol")
    from review_docs import total_doc
    rerun = run_once(path, review_docs() + [total_doc(9e9, as_of="2025-02", url="https://other.example/9",
                                                      published="2025-02-12", publisher="Other Desk")])
    con = open_reader(path)
    report = write_run_report(con, tmp_path / "reports", rerun["run_id"])
    con.close()
    dom = rendered_dom(binary, report, tmp_path)
    decided = dom[dom.index("Decided since the last run"):dom.index("To review")]
    assert "dismissed" in decided and "carol" in decided and "checked &lt;b&gt;twice&lt;/b&gt;" in decided
    card = dom[dom.index('<section class="conflict"'):]
    card = card[:card.index("</section>")]
    assert "Suggested: $8B" in card or "Suggested: $9B" in card
    assert "newsfacts resolve " in card and " --accept " in card
    svg = card[card.index("<svg"):card.index("</svg>")]
    legend = [name for name in ("Research Notes", "Stale News", "Other Desk", "Example Wire") if
              f">{name}</text>" in svg]
    assert len(legend) == 4                      # one legend entry per publisher ...
    assert svg.count(">Research Notes</text>") == 1   # ... and no label piled on the points
    shot = tmp_path / "report.png"
    screenshot(binary, report, shot, tmp_path)
    assert shot.stat().st_size > 20_000          # a real page was drawn, not a blank one


def test_the_demo_report_shows_the_amazon_conflict_in_chromium(demo_warehouse, tmp_path):
    """The report of what the pipeline loads from the demo site, as a reviewer sees it."""
    binary = chromium_binary()
    con = open_reader(demo_warehouse)
    report = write_report(con, "html", tmp_path / "demo.html")
    con.close()
    dom = rendered_dom(binary, report, tmp_path)
    assert dom.index("Anthropic – Amazon: investment, total (USD)") < dom.index("Series and parts")
    section = dom[dom.index("Anthropic – Amazon: investment, total (USD)"):]
    section = section[:section.find("</section>") if "</section>" in section else len(section)]
    assert "Amazon has invested <mark>$8 billion</mark> in Anthropic" in section
    assert "poured up to <mark>$4 billion</mark> into Anthropic" in section
    assert "<svg" in section
