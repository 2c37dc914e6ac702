"""`newsfacts report` keeps each conflict's HTML beside the report, as the run reports do: a
second report draws only what changed, and reads the same as one drawn in full."""

from __future__ import annotations

import re
import shutil

from click.testing import CliRunner

from newsfacts.cli import cli
from newsfacts.warehouse.db import open_reader
from newsfacts.warehouse.report import FRAGMENT_CACHE, render_report


def report(*args) -> tuple[int, int]:
    result = CliRunner().invoke(cli, ["report", *map(str, args)])
    assert result.exit_code == 0, result.output
    drawn = re.search(r"\((\d+) conflict\(s\) drawn, (\d+) from the cache\)", result.output)
    return int(drawn[1]), int(drawn[2])


def test_a_second_report_draws_nothing_again_and_reads_the_same(demo_warehouse, tmp_path):
    db = tmp_path / "w.duckdb"
    shutil.copy(demo_warehouse, db)
    out = tmp_path / "review" / "conflicts.html"
    out.parent.mkdir()
    drawn, cached = report("--db", db, "--out", out)
    assert drawn > 0 and cached == 0
    first = out.read_text()
    assert (out.parent / FRAGMENT_CACHE).exists()

    assert report("--db", db, "--out", out) == (0, drawn)
    assert out.read_text() == first
    with open_reader(db) as con:
        assert render_report(con, fmt="html") == first        # the same as drawn in full


def test_reports_filtered_by_date_or_in_other_formats_keep_no_cache(demo_warehouse, tmp_path):
    db = tmp_path / "w.duckdb"
    shutil.copy(demo_warehouse, db)
    result = CliRunner().invoke(cli, ["report", "--db", str(db), "--since", "2020-01-01",
                                      "--out", str(tmp_path / "since.html")])
    assert result.exit_code == 0 and "drawn" not in result.output
    assert not (tmp_path / FRAGMENT_CACHE).exists()
