"""Incremental conflict detection: a run re-evaluates only the keys loading queued, and the
result equals a full re-detection after additions, removals, re-extractions, story merges and
reviewer decisions."""

from __future__ import annotations

import random

from newsfacts.warehouse import conflicts, load, review
from newsfacts.warehouse.ids import article_id

from test_warehouse_support import Doc, fact_in, load_docs

B = 1e9
PAIRS = [(f"Lab {s}", c) for s in "ABCDEFGHIJKL" for c in ("Cloud X", "Chip Y", None)]  # 36 keys
VALUES = (2, 4, 4, 8, 13)
DATES = ("2024-03", "2024-11", "2025-02", None)

# Every column a full pass writes except the two that say when and by which run it was last
# written: a key nobody touched keeps those from the run that last evaluated it.
COMPARED = [c for c in conflicts._CONFLICT_SCHEMA.names if c not in ("updated_at", "last_seen_run")]


def state(con) -> tuple[list, list]:
    rows = con.execute(f"SELECT {', '.join(COMPARED)} FROM conflict_rows ORDER BY conflict_id").fetchall()
    members = con.execute("SELECT * FROM conflict_members ORDER BY ALL").fetchall()
    return rows, members


def random_doc(rng: random.Random, n: int, *, url: str | None = None, story_of: str | None = None) -> Doc:
    sentences, facts = [], []
    text = ""
    for _ in range(rng.randint(1, 3)):
        subject, counterparty = rng.choice(PAIRS)
        value = rng.choice(VALUES)
        qualifier = rng.choice(("exact", "exact", "up_to", "approx"))
        words = "up to " if qualifier == "up_to" else "about " if qualifier == "approx" else ""
        sentence = f"{counterparty or 'Someone'} put {words}${value} billion into {subject} ({len(sentences)})."
        sentences.append(sentence)
        text = " ".join(sentences)
        facts.append((sentence, value, qualifier, subject, counterparty, rng.choice(DATES)))
    built = [fact_in(text, f"${value} billion", value * B, qualifier=qualifier, as_of=as_of,
                     subject=subject, counterparty=counterparty)
             for sentence, value, qualifier, subject, counterparty, as_of in facts]
    return Doc(url or f"https://p{n % 7}.example/{n}", text, f"2025-0{1 + n % 9}-1{n % 10}",
               f"Publisher {n % 5}", f"Story {n}", built, story_of=story_of)


def sharing_a_key(con, docs: list[Doc]) -> list[tuple[Doc, Doc]]:
    by_id = {article_id(d.url): d for d in docs}
    pairs = con.execute("""
        SELECT DISTINCT f.article_id, g.article_id FROM fact_rows f JOIN fact_rows g USING (key_id)
        JOIN article_rows a ON a.article_id = f.article_id JOIN article_rows b ON b.article_id = g.article_id
        WHERE a.story_id <> b.story_id AND f.value IS NOT NULL AND g.value IS NOT NULL ORDER BY ALL""").fetchall()
    return [(by_id[x], by_id[y]) for x, y in pairs]


def detect_and_compare(con, run_id: str) -> conflicts.ConflictSummary:
    """Incremental detection, then a full pass: the full pass must change nothing compared."""
    queued = {k for (k,) in con.execute("SELECT key_id FROM conflict_queue").fetchall()}
    summary = conflicts.detect_conflicts(con, run_id)
    assert con.execute("SELECT count(*) FROM conflict_queue").fetchall() == [(0,)]
    after = state(con)
    touched = {k for (k,) in con.execute("SELECT conflict_id FROM conflict_rows WHERE last_seen_run = ?"
                                         " OR first_seen_run = ?", [run_id, run_id]).fetchall()}
    assert touched <= queued            # nothing outside the queue was written
    full = conflicts.detect_conflicts(con, run_id + "-full", full=True)
    assert state(con) == after
    assert (full.open, full.resolved, full.by_class) == (summary.open, summary.resolved, summary.by_class)
    return summary


def test_incremental_runs_equal_a_full_re_detection(con):
    rng = random.Random(14)
    docs = [random_doc(rng, n) for n in range(40)]
    load_docs(con, "r0", docs)
    first = detect_and_compare(con, "r0")
    assert first.open > 0 and first.new == first.open

    next_n = len(docs)
    for run in range(1, 7):
        run_id = f"r{run}"
        # new articles, a syndicated copy of a stored one among them
        added = [random_doc(rng, next_n + k) for k in range(rng.randint(1, 4))]
        added.append(random_doc(rng, next_n + 10, story_of=rng.choice(docs).url))
        next_n += 11
        load_docs(con, run_id, added)
        docs += added
        # re-extraction of some stored articles: facts removed, values changed, keys moved
        changed = rng.sample(docs, 3)
        stats = load.load_articles(con, run_id, [d.record() for d in changed])
        replaced = {}
        for k, doc in enumerate(changed):
            if k == 0:
                replaced[stats.article_ids[doc.url]] = []
            else:
                fresh = random_doc(rng, next_n + k, url=doc.url)
                replaced[stats.article_ids[doc.url]] = fresh.facts
        load.replace_facts(con, replaced, f"v{run}", run_id=run_id)
        # story grouping merges the stories of two stored articles holding one same key: that
        # key has fewer independent sources now, and nothing else about it changed
        a, b = rng.choice(sharing_a_key(con, docs))
        load.load_articles(con, run_id, [a.record()], stories={article_id(a.url): article_id(b.url)})
        # a reviewer decides one open conflict; later facts may reopen it
        open_ids = [r[0] for r in con.execute(
            "SELECT conflict_id FROM conflict_rows WHERE needs_review(status) ORDER BY 1").fetchall()]
        if open_ids and run % 2:
            review.resolve(con, open_ids[0], value=8 * B, user="test")
        detect_and_compare(con, run_id)

    statuses = {s for (s,) in con.execute("SELECT DISTINCT status::VARCHAR FROM conflict_rows").fetchall()}
    assert {"open", "resolved"} <= statuses     # the runs went through the life cycle


def test_a_run_that_touches_no_key_evaluates_none(con):
    rng = random.Random(3)
    docs = [random_doc(rng, n) for n in range(12)]
    load_docs(con, "r1", docs)
    conflicts.detect_conflicts(con, "r1")
    before = con.execute("SELECT conflict_id, updated_at FROM conflict_rows ORDER BY 1").fetchall()
    # nothing loaded since: the queue is empty, no row is written again
    summary = conflicts.detect_conflicts(con, "r2")
    assert con.execute("SELECT conflict_id, updated_at FROM conflict_rows ORDER BY 1").fetchall() == before
    assert summary.open == sum(1 for (s,) in con.execute("SELECT status::VARCHAR FROM conflict_rows").fetchall()
                               if s in conflicts.NEEDS_REVIEW)


def test_only_the_keys_of_changed_articles_are_queued(con):
    rng = random.Random(5)
    docs = [random_doc(rng, n) for n in range(12)]
    load_docs(con, "r1", docs)
    conflicts.detect_conflicts(con, "r1")
    text = "Fund Q put $3 billion into Lab Q."
    new = Doc("https://q.example/1", text, "2025-05-05", "Q", "q", [fact_in(text, "$3 billion", 3 * B, as_of="2025-05",
                                                                           subject="Lab Q", counterparty="Fund Q")])
    load_docs(con, "r2", [new])
    queued = [k for (k,) in con.execute("SELECT key_id FROM conflict_queue").fetchall()]
    assert queued == [k for (k,) in con.execute(
        "SELECT DISTINCT key_id FROM fact_rows WHERE subject = 'Lab Q'").fetchall()]


def test_a_conflict_reopened_against_the_decision_stays_reopened(con):
    """Figures that agree with each other but not with the reviewer's value reopen the
    conflict, and the next detection leaves it so (it used to flip to cleared)."""
    def doc(n: int, value: int) -> Doc:
        text = f"Fund Q put ${value} billion into Lab Q."
        return Doc(f"https://q{n}.example/1", text, f"2025-05-0{n}", f"Q{n}", "q",
                   [fact_in(text, f"${value} billion", value * B, as_of="2025-05", subject="Lab Q",
                            counterparty="Fund Q")])
    stats, _ = load_docs(con, "r1", [doc(1, 4), doc(2, 2)])
    conflicts.detect_conflicts(con, "r1")
    [(conflict_id,)] = con.execute("SELECT conflict_id FROM conflict_rows").fetchall()
    review.resolve(con, conflict_id, value=8 * B, user="test")
    load_docs(con, "r2", [doc(3, 4)])
    load.replace_facts(con, {stats.article_ids["https://q2.example/1"]: []}, "v2", run_id="r2")
    assert conflicts.detect_conflicts(con, "r2").reopened == 1
    for run_id in ("r3", "r4"):
        conflicts.detect_conflicts(con, run_id, full=True)
        assert con.execute("SELECT status::VARCHAR FROM conflict_rows").fetchall() == [("reopened",)]


def test_rows_evaluated_with_other_rules_are_evaluated_again(con):
    rng = random.Random(7)
    load_docs(con, "r1", [random_doc(rng, n) for n in range(12)])
    conflicts.detect_conflicts(con, "r1")
    assert con.execute("SELECT fingerprint FROM conflict_rules").fetchall() == [(conflicts.rules_fingerprint(),)]
    rows = state(con)
    # rows as other rules would have left them; nothing is queued
    con.execute("UPDATE conflict_rows SET reason = 'older rules', severity = -1")
    conflicts.detect_conflicts(con, "r2")
    assert state(con) != rows          # the same rules: the queue decides, and it is empty
    con.execute("UPDATE conflict_rules SET fingerprint = 'older rules'")
    conflicts.detect_conflicts(con, "r3")
    assert state(con) == rows
    assert con.execute("SELECT fingerprint FROM conflict_rules").fetchall() == [(conflicts.rules_fingerprint(),)]
