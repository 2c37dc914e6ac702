"""load.py: bulk, transactional, idempotent loading."""

from __future__ import annotations

import pytest

from newsfacts.extractors.dedup import assign_stories, probe_keys
from newsfacts.flows import stages
from newsfacts.warehouse import conflicts, load
from newsfacts.warehouse.db import migrate
from newsfacts.warehouse.ids import article_id

from test_warehouse_support import NEWS_2023_URL, RESEARCH_URL, Doc, Fact, canonical_docs, fact_in, load_docs, story_stub, table_counts


def test_second_load_of_unchanged_inputs_adds_no_rows(con):
    docs = canonical_docs()
    run1 = load.start_run(con, run_id="r1")
    stats, facts = load_docs(con, run1, docs)
    conflicts.detect_conflicts(con, run1)
    assert (stats.new, stats.unchanged, stats.updated, stats.duplicate) == (3, 0, 0, 0)
    assert stats.changed_urls == {d.url for d in docs}
    assert (facts.new, facts.removed, facts.unchanged, facts.total) == (5, 0, 0, 5)
    before = table_counts(con)

    run2 = load.start_run(con, run_id="r2")
    stats, facts = load_docs(con, run2, docs)
    summary = conflicts.detect_conflicts(con, run2)
    assert (stats.new, stats.unchanged, stats.updated) == (0, 3, 0)
    assert stats.changed_urls == set()
    assert (facts.new, facts.removed, facts.unchanged) == (0, 0, 5)
    assert summary.new == 0
    assert table_counts(con) == before
    last_seen = {r[0] for r in con.execute("SELECT DISTINCT last_seen_run FROM article_rows").fetchall()}
    assert last_seen == {"r2"}


def test_changed_text_is_an_update(con):
    doc = canonical_docs()[0]
    load_docs(con, "r1", [doc])
    doc.text += "\nUpdated."
    stats, _ = load_docs(con, "r2", [Doc(**{**doc.__dict__})])
    assert (stats.new, stats.updated) == (0, 1)
    assert stats.changed_urls == {doc.url}
    assert con.execute("SELECT first_seen_run, last_seen_run FROM article_rows").fetchall() == [("r1", "r2")]


def test_same_content_under_another_url_is_a_duplicate_in_the_same_story(con):
    original = canonical_docs()[1]
    load_docs(con, "r1", [original])
    copy = original.record() | {"url": "https://mirror.example/copy", "canonical_url": "https://mirror.example/copy"}
    stats = load.load_articles(con, "r2", [copy], stories={})
    assert (stats.new, stats.duplicate) == (0, 1)
    assert stats.changed_urls == set()
    rows = dict(con.execute("SELECT url, story_id FROM article_rows").fetchall())
    assert rows["https://mirror.example/copy"] == rows[NEWS_2023_URL] == article_id(NEWS_2023_URL)
    assert con.execute("SELECT duplicate_of FROM article_rows WHERE url = 'https://mirror.example/copy'"
                       ).fetchall() == [(article_id(NEWS_2023_URL),)]


def test_a_batch_with_the_same_key_twice_keeps_the_first(con):
    doc = canonical_docs()[0]
    first, second = doc.record(), doc.record() | {"title": "second", "content_hash": "other"}
    stats = load.load_articles(con, "r1", [first, second], stories={})
    assert stats.new == 1
    assert con.execute("SELECT title FROM article_rows").fetchall() == [(doc.title,)]


def test_objects_and_dicts_are_both_accepted(con):
    doc = canonical_docs()[0]
    record = load.ArticleRecord(**{k: v for k, v in doc.record().items()})
    stats = load.load_articles(con, "r1", [record], stories=story_stub([doc]))
    facts = load.replace_facts(con, {stats.article_ids[doc.url]: [f.to_dict() for f in doc.facts]}, "v1")
    assert (stats.new, facts.new) == (1, 1)


def test_replace_facts_converges_with_stable_ids(con):
    doc = canonical_docs()[1]
    stats, _ = load_docs(con, "r1", [doc])
    aid = stats.article_ids[doc.url]
    ids_before = {r[0] for r in con.execute("SELECT fact_id FROM fact_rows").fetchall()}
    kept = doc.facts[0]
    better = Fact(**{**kept.__dict__, "confidence": 0.5})  # same id, refreshed fields
    added = fact_in(doc.text, "Anthropic", 1.0, unit="count", metric="chips", as_of=None)
    result = load.replace_facts(con, {aid: [better, added]}, "v2")
    assert (result.new, result.removed, result.unchanged) == (1, 1, 1)
    rows = dict(con.execute("SELECT fact_id, confidence FROM fact_rows").fetchall())
    kept_id = next(iter(ids_before & set(rows)))
    assert rows[kept_id] == 0.5
    again = load.replace_facts(con, {aid: [better, added]}, "v2")
    assert (again.new, again.removed, again.unchanged) == (0, 0, 2)


def test_loaders_join_the_callers_transaction(con):
    doc = canonical_docs()[0]
    con.begin()
    load_docs(con, "r1", [doc])
    load.upsert_sources(con, [{"name": "s", "kind": "google_news", "query": "anthropic", "settings": {"hl": "en"}}])
    con.rollback()
    assert table_counts(con)["article_rows"] == 0
    assert con.execute("SELECT count(*) FROM sources").fetchall() == [(0,)]


def test_runs_sources_fetch_log_and_validators(con):
    run_id = load.start_run(con, sources_file="sources.toml")
    load.upsert_sources(con, [{"name": "s", "kind": "google_news", "query": "q", "settings": {"hl": "en"}},
                              {"name": "s", "kind": "ignored duplicate"}])
    load.upsert_sources(con, [{"name": "s", "kind": "newsroom", "url": "https://x.example/news"}])
    assert con.execute("SELECT kind, url FROM sources").fetchall() == [("newsroom", "https://x.example/news")]

    class Result:  # FetchResult-like
        url, status, error, not_modified, body, elapsed_ms = "https://x.example/news", 200, None, False, b"abc", 12
    assert load.log_fetches(con, run_id, [Result(), {"url": "https://y.example", "status": None,
                                                     "error": "timed out after 5.0s", "source": "s"}]) == 2
    assert con.execute("SELECT url, bytes, error FROM fetch_log ORDER BY url").fetchall() == [
        ("https://x.example/news", 3, None), ("https://y.example", None, "timed out after 5.0s")]

    load.save_validators(con, {"https://x.example/feed": ('"e1"', None), "https://none.example": (None, None)})
    load.save_validators(con, {"https://x.example/feed": ('"e2"', "Sat, 21 Nov 2026 00:00:00 GMT")})
    assert load.load_validators(con) == {"https://x.example/feed": ('"e2"', "Sat, 21 Nov 2026 00:00:00 GMT")}

    load.finish_run(con, run_id, "ok", {"articles_new": 3})
    status, summary = con.execute("SELECT status, summary FROM runs").fetchall()[0]
    assert status == "ok" and '"articles_new": 3' in summary


def test_stored_articles_for_reextraction(con):
    load_docs(con, "r1", canonical_docs())
    stored = load.stored_articles(con, [article_id(RESEARCH_URL)])
    assert len(stored) == 1 and stored[0].raw_html.startswith("<html>") and "$8B" in stored[0].text
    assert len(load.stored_articles(con)) == 3


def test_real_story_grouping_links_a_google_news_cluster(con):
    first = canonical_docs()[1].record()
    second = first | {"url": "https://other.example/a", "canonical_url": "https://other.example/a",
                      "text": "A different write-up.", "content_hash": "different",
                      "related_urls": [NEWS_2023_URL], "published_at": "2023-09-26", "signature": []}
    for run_id, record in (("r1", first), ("r2", second)):
        stories = stages.group_stories(con, load.plan_articles(con, [record]))   # the flow's stage
        load.load_articles(con, run_id, [record], stories=stories)
    stories = {r[0] for r in con.execute("SELECT story_id FROM article_rows").fetchall()}
    assert stories == {article_id(NEWS_2023_URL)}
    assert con.execute("SELECT n_articles FROM stories").fetchall() == [(2,)]


def test_story_grouping_reads_the_stored_articles_through_their_keys(con):
    docs = canonical_docs()
    for run_id, doc in zip(("r1", "r2", "r3"), docs):
        record = doc.record()
        load.load_articles(con, run_id, [record], stories=stages.group_stories(con, load.plan_articles(con, [record])))
    new = docs[1].record() | {"url": "https://other.example/a", "canonical_url": "https://other.example/a",
                              "content_hash": "different", "related_urls": [NEWS_2023_URL], "signature": []}
    plan = load.plan_articles(con, [new])
    stories = stages.group_stories(con, plan)   # files the stored articles under their keys, once

    keyed = con.execute("SELECT count(*) FROM story_keyed").fetchall()[0][0]
    _bands, links = probe_keys(stages._story_doc(plan.new_rows[0]))
    pairs, _signatures = load.story_key_matches(con, [(-1, key) for key in links])
    assert keyed == 3 and pairs.column("article_id").to_pylist() == [article_id(NEWS_2023_URL)]
    everything = [stages._story_doc(row) for row in load.story_rows(con)]
    assert stories == assign_stories([stages._story_doc(plan.new_rows[0])], everything) == {
        article_id("https://other.example/a"): article_id(NEWS_2023_URL)}
    # an article whose story columns change is filed anew; the others are not read again
    assert con.execute("SELECT count(*) FROM story_queue").fetchall() == [(0,)]
    load.load_articles(con, "r4", [docs[1].record() | {"title": "Another headline"}, docs[0].record()])
    assert con.execute("SELECT count(*) FROM story_queue").fetchall() == [(2,)]   # what loading wrote
    assert [row["canonical_url"] for row in load.unkeyed_story_rows(con)] == [NEWS_2023_URL]
    # the unchanged one left the queue; the changed one leaves it once filed
    assert [row["canonical_url"] for row in load.unkeyed_story_rows(con)] == [NEWS_2023_URL]
    stages.group_stories(con, load.plan_articles(con, [new]))
    assert con.execute("SELECT count(*) FROM story_queue").fetchall() == [(0,)]
    assert load.unkeyed_story_rows(con) == []


def test_without_story_grouping_each_new_article_is_its_own_story(con):
    first = canonical_docs()[1].record()
    second = first | {"url": "https://other.example/a", "canonical_url": "https://other.example/a",
                      "content_hash": "different", "related_urls": [NEWS_2023_URL]}
    load.load_articles(con, "r1", [first, second])
    assert {r[0] for r in con.execute("SELECT story_id FROM article_rows").fetchall()} == {
        article_id(NEWS_2023_URL), article_id("https://other.example/a")}


def test_measure_kind_is_stored_and_checked_by_the_database(con):
    text = "Amazon has invested $8 billion in Anthropic in total."
    doc = Doc(url="https://example.com/measure", text=text, published_at="2025-11-01",
              publisher="Example", title="Measure",
              facts=[fact_in(text, "$8 billion", 8e9, as_of="2025-11-01", measure="total")])
    stats, _ = load_docs(con, "r1", [doc])
    assert con.execute("SELECT measure FROM facts").fetchall() == [("total",)]
    with pytest.raises(Exception, match="ENUM"):
        con.execute("UPDATE fact_rows SET measure = 'lifetime'")


def test_a_warehouse_from_before_the_story_queue_queues_every_article_once(con):
    load_docs(con, "r1", canonical_docs())
    con.execute("DROP TABLE story_queue")       # as it was before migration 008
    con.execute("DELETE FROM schema_version WHERE version = 8")
    migrate(con)
    queued = {r[0] for r in con.execute("SELECT article_id FROM story_queue").fetchall()}
    assert queued == {article_id(d.url) for d in canonical_docs()}
    assert len(load.unkeyed_story_rows(con)) == 3
