"""report.py: html (self-contained, escaped), md, csv; run reports; summary."""

from __future__ import annotations

import csv
import io
import re

import pytest
from review_docs import STALE_URL, review_docs

from newsfacts.warehouse.db import open_reader, open_writer
from newsfacts.warehouse.report import ValueRow, md_escape, md_quote, render_report, split_sentence, write_report, write_run_report
from newsfacts.warehouse.review import list_conflicts, resolve

from test_warehouse_support import RESEARCH_URL, Doc, Fact, fact_in, run_once

HOSTILE = "<script>alert('x')</script>"


def hostile_docs():
    docs = review_docs()
    news = next(d for d in docs if d.url == STALE_URL)
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
    run_once(path, review_docs())
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


def test_html_shows_every_value_with_its_evidence_and_the_other_measures_as_context(canonical):
    html = render_report(canonical, "html")
    card = html[html.index("Anthropic – Amazon: investment, total (USD)"):html.index("</section>")]
    for text in ("$8B", "$4B", "contradiction", "Example Wire", "Stale News", "2024-03-27", "2025-02"):
        assert text in card, text
    assert "<mark>$8B</mark>" in card and "stands at <mark>$4 billion</mark>" in card
    assert f'href="{STALE_URL}"' in card
    context = card[card.index('class="context"'):]
    assert "$1.25B increment" in context and "up to $4B" in context   # shown, not compared
    assert "Suggested: $8B" in card


def test_markdown_and_csv(hostile):
    md = render_report(hostile, "md")
    assert "<script" not in md and "&lt;script&gt;" in md
    assert "stands at **$4 billion**" in md           # one $ in the sentence: as written
    assert "figures by date: \\$4B (2024-03) → \\$8B (2024-11) → \\$4B (2025-02)" in md  # the series
    rows = list(csv.DictReader(io.StringIO(render_report(hostile, "csv"))))
    assert len(rows) == 3
    assert sorted(r["figure"] for r in rows) == ["$4B", "$4B", "$8B"]
    assert all(r["class"] == "contradiction" for r in rows)
    assert any(HOSTILE in r["sentence"] for r in rows)  # csv keeps the text verbatim


def test_markdown_reads_plainly_in_a_terminal(canonical):
    md = render_report(canonical, "md")
    card = md[md.index("## 1. Anthropic – Amazon: investment, total (USD)"):]
    assert "| `$8B` (suggested) | 2024-11 | Research Notes |" in card   # figures in code spans
    assert "Amazon has invested **$8B** in Anthropic in total (November 2024)." in card  # one $: as written
    assert "Accept it with `newsfacts resolve " in card
    assert "\\" not in card.split("## Series")[0].replace("\\$", "")  # no other escapes in plain text


def test_md_escape_and_highlight_helpers():
    assert md_escape("<b>*x*</b> | [l](u)") == "&lt;b&gt;\\*x\\*&lt;/b&gt; \\| \\[l\\](u)"
    assert md_escape("from $8B to $4B") == "from \\$8B to \\$4B"  # not a math formula
    assert md_escape("it is $8B") == "it is $8B"                  # one $ opens no formula
    assert md_escape("# not a heading") == "\\# not a heading"
    assert split_sentence("It is $4B now.", "$4B") == ("It is ", "$4B", " now.")
    quote = ValueRow("f", "$4B", 4e9, None, "exact", None, None, None, None, None, None, None,
                     "From $8B to ", "$4B", " now.", "normal")
    assert md_quote(quote) == "From \\$8B to **\\$4B** now."   # two $ across the pieces: escaped
    assert split_sentence("No figure here.", "$4B") == ("No figure here.", "", "")


def test_summary_and_decisions_since_the_last_run(tmp_path):
    path = tmp_path / "w.duckdb"
    run_once(path, review_docs())
    with open_writer(path) as con:
        conflict_id = list_conflicts(con)[0]["conflict_id"]
        resolve(con, conflict_id, dismiss=True, note="two different deals", user="bob")
    ms = [Doc(f"https://ms{i}.example/a", f"Microsoft has invested ${v} billion in OpenAI.", "2023-01-23",
              f"MS News {i}", "MS", [fact_in(f"Microsoft has invested ${v} billion in OpenAI.", f"${v} billion",
                                             v * 1e9, subject="OpenAI", counterparty="Microsoft", as_of="2023-01")])
          for i, v in ((1, 10), (2, 13))]
    run_once(path, review_docs() + ms)
    con = open_reader(path)
    md = render_report(con, "md")
    assert "| 1 | 1 | 1 | 0 |" in md      # new, open, resolved, reopened
    assert "## 1. OpenAI – Microsoft: investment, total (USD)" in md
    decided = md[md.index("## Decided since the last run"):md.index("## 1.")]
    assert f"`{conflict_id}` Anthropic – Amazon: investment, total (USD): **dismissed** by bob" in decided
    assert "Note: two different deals" in decided
    con.close()


def test_since_keeps_conflicts_with_recent_evidence(canonical):
    assert "## 1. Anthropic – Amazon" in render_report(canonical, "md", since="2025-02-01")
    assert "No conflicts to review" in render_report(canonical, "md", since="2025-03-01")
    with pytest.raises(ValueError):
        render_report(canonical, "md", since="last week")
    with pytest.raises(ValueError):
        render_report(canonical, "pdf")


def test_run_reports_are_kept_and_indexed(tmp_path):
    path = tmp_path / "w.duckdb"
    first = run_once(path, review_docs())
    second = run_once(path, review_docs())
    con = open_reader(path)
    out = write_report(con, "md", tmp_path / "conflicts.md")
    assert out.read_text().startswith("# Conflicts to review")
    reports = [write_run_report(con, tmp_path / "reports", run["run_id"]) for run in (first, second)]
    started = con.execute("SELECT started_at FROM runs WHERE run_id = ?", [first["run_id"]]).fetchall()[0][0]
    assert reports[0].name == f"{started:%Y-%m-%d}-{first['run_id']}-conflicts.html"
    assert reports[0] != reports[1] and all(r.exists() for r in reports)   # none overwritten
    index = (tmp_path / "reports" / "index.html").read_text()
    assert all(f'href="{r.name}"' in index for r in reports)
    assert "stands at <mark>$4 billion</mark>" in reports[1].read_text()
    con.close()
