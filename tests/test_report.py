"""report.py: html (self-contained, escaped), md, csv; run reports; summary."""

from __future__ import annotations

import csv
import io
import re

import pytest

from test_warehouse_support import (NEWS_2023_URL, RESEARCH_URL, Doc, Fact, canonical_docs, fact_in,
                                    run_once)
from newsfacts.warehouse.db import open_reader, open_writer
from newsfacts.warehouse.report import md_escape, render_report, split_sentence, write_report, write_run_report
from newsfacts.warehouse.review import list_conflicts, resolve

HOSTILE = "<script>alert('x')</script>"


def hostile_docs():
    docs = canonical_docs()
    news = next(d for d in docs if d.url == NEWS_2023_URL)
    news.title = f"{HOSTILE} Amazon to invest"
    news.publisher = f"{HOSTILE} $Evil$ & Co"
    news.facts = [Fact(**{**f.__dict__, "sentence": f"{HOSTILE} {f.sentence} <img src=x onerror=alert(1)>"})
                  for f in news.facts]
    research = next(d for d in docs if d.url == RESEARCH_URL)
    research.url = "javascript:alert(document.cookie)"
    return docs


@pytest.fixture
def canonical(tmp_path):
    path = tmp_path / "newsfacts.duckdb"
    run_once(path, canonical_docs())
    con = open_reader(path)
    yield con
    con.close()


@pytest.fixture
def hostile(tmp_path):
    path = tmp_path / "hostile.duckdb"
    run_once(path, hostile_docs())
    con = open_reader(path)
    yield con
    con.close()


def test_html_escapes_hostile_article_text(hostile):
    html = render_report(hostile, "html")
    assert "<script" not in html.lower()          # no live script tag anywhere, charts included
    assert "<img" not in html.lower()
    assert "&lt;script&gt;alert(" in html          # shown as text: title, sentence, publisher
    assert html.count("&lt;script&gt;") >= 4
    assert 'href="javascript:' not in html          # unsafe URLs are shown, never linked
    svg_text = re.findall(r"<text[^>]*>([^<]*)</text>", html)
    assert any("&lt;script&gt;" in t for t in svg_text)  # the chart label is escaped text, too


def test_html_is_one_self_contained_file(canonical):
    html = render_report(canonical, "html")
    assert html.startswith("<!DOCTYPE html>")
    assert "<?xml" not in html and "<!DOCTYPE svg" not in html
    assert html.count("<svg") == 1                 # one chart for the one conflict
    assert not re.search(r"<(script|link|iframe|img)\b", html, re.I)
    assert not re.search(r"\bsrc\s*=", html, re.I)
    assert "@import" not in html and not re.search(r"url\((?!#)", html)  # only in-document refs
    assert "default-src 'none'" in html           # CSP: even an injected script could not load


def test_html_shows_every_value_with_its_evidence(canonical):
    html = render_report(canonical, "html")
    assert "Anthropic – Amazon: investment (USD)" in html
    for text in ("$8B", "up to $4B", "$1.25B", "$2.75B", "changed over time", "Example Wire", "2023-09-25"):
        assert text in html, text
    assert "Amazon will invest <mark>up to $4 billion</mark> in Anthropic" in html
    assert "<mark>$8B</mark>" in html
    assert f'href="{NEWS_2023_URL}"' in html


def test_markdown_and_csv(hostile):
    md = render_report(hostile, "md")
    assert "<script" not in md and "&lt;script&gt;" in md
    assert "**up to \\$4 billion**" in md and "figures by date:" in md
    rows = list(csv.DictReader(io.StringIO(render_report(hostile, "csv"))))
    assert len(rows) == 5
    assert {r["figure"] for r in rows} == {"$8B", "up to $4B", "$1.25B", "$2.75B", "$4B"}
    assert all(r["class"] == "changed_over_time" for r in rows)
    assert any(HOSTILE in r["sentence"] for r in rows)  # csv keeps the text verbatim


def test_md_escape_and_highlight_helpers():
    assert md_escape("<b>*x*</b> | [l](u)") == "&lt;b&gt;\\*x\\*&lt;/b&gt; \\| \\[l\\](u)"
    assert md_escape("from $8B to $4B") == "from \\$8B to \\$4B"  # not a math formula
    assert split_sentence("It is $4B now.", "$4B") == ("It is ", "$4B", " now.")
    assert split_sentence("No figure here.", "$4B") == ("No figure here.", "", "")


def test_summary_counts_new_open_and_resolved_since_the_last_run(tmp_path):
    path = tmp_path / "w.duckdb"
    run_once(path, canonical_docs())
    with open_writer(path) as con:
        resolve(con, list_conflicts(con)[0]["conflict_id"], dismiss=True)
    text = "Microsoft invested $10 billion in OpenAI. Others said $13 billion."
    ms = Doc("https://ms.example/a", text, "2023-01-23", "MS News", "MS",
             [fact_in(text, "$10 billion", 10e9, subject="OpenAI", counterparty="Microsoft", as_of="2023-01"),
              fact_in(text, "$13 billion", 13e9, subject="OpenAI", counterparty="Microsoft", as_of="2023-01")])
    run_once(path, canonical_docs() + [ms])
    con = open_reader(path)
    md = render_report(con, "md")
    assert "| 1 | 1 | 1 | 0 |" in md      # new, open, resolved, reopened
    assert "OpenAI – Microsoft" in md and "Amazon" not in md
    con.close()


def test_since_keeps_conflicts_with_recent_evidence(canonical):
    assert "Amazon" in render_report(canonical, "md", since="2024-11-01")
    assert "No conflicts to review" in render_report(canonical, "md", since="2025-01-01")
    with pytest.raises(ValueError):
        render_report(canonical, "md", since="last week")
    with pytest.raises(ValueError):
        render_report(canonical, "pdf")


def test_write_report_and_dated_run_report(tmp_path):
    path = tmp_path / "w.duckdb"
    run = run_once(path, canonical_docs())
    con = open_reader(path)
    out = write_report(con, "md", tmp_path / "conflicts.md")
    assert out.read_text().startswith("# Conflicts to review")
    run_report = write_run_report(con, tmp_path / "reports", run["run_id"])
    started = con.execute("SELECT started_at FROM runs").fetchall()[0][0]
    assert run_report.name == f"{started:%Y-%m-%d}-conflicts.html"
    assert "up to $4B" in run_report.read_text()
    con.close()
