"""The run report's per-conflict cache: a report rendered from it is the same text as one
rendered in full, and only the conflicts whose inputs changed are rendered again."""

from __future__ import annotations

import random

from test_conflicts_incremental import random_doc

from newsfacts.warehouse import conflicts, load, review
from newsfacts.warehouse.report import FragmentCache, render_report

from test_warehouse_support import Doc, fact_in, load_docs

B = 1e9


def run(con, docs, cache: FragmentCache) -> tuple[str, str]:
    run_id = load.start_run(con)
    if docs:
        load_docs(con, run_id, docs)
    conflicts.detect_conflicts(con, run_id)
    load.finish_run(con, run_id, "ok", {})
    cached = render_report(con, "html", run_id=run_id, cache=cache)
    return cached, render_report(con, "html", run_id=run_id)


def test_cached_report_is_the_full_report(con, tmp_path):
    rng = random.Random(21)
    cache = FragmentCache(tmp_path / "fragments.sqlite")
    cached, full = run(con, [random_doc(rng, n) for n in range(60)], cache)
    assert cached == full and cache.reused == 0 and cache.rendered > 10
    shown = cache.rendered

    cached, full = run(con, [], cache)        # nothing new: only "new" tags went away
    assert cached == full and cache.reused + cache.rendered == shown
    cached, full = run(con, [], cache)
    assert cached == full and (cache.rendered, cache.reused) == (0, shown)

    for n in range(3):                         # a few new articles each night
        cached, full = run(con, [random_doc(rng, 100 + n)], cache)
        assert cached == full and cache.rendered < (cache.rendered + cache.reused) / 2

    # another measure of a shown pair: shown beside its conflict as context
    subject, counterparty, conflict_id = con.execute(
        "SELECT subject, counterparty, conflict_id FROM conflict_rows WHERE needs_review(status)"
        " AND counterparty IS NOT NULL ORDER BY conflict_id LIMIT 1").fetchone()
    text = f"{counterparty} has put $9 billion into {subject} in total."
    total = Doc("https://total.example/1", text, "2025-06-01", "Totals", "t",
                [fact_in(text, "$9 billion", 9 * B, as_of="2025-06", subject=subject, counterparty=counterparty)])
    cached, full = run(con, [total], cache)
    assert cached == full and "Context, not compared" in cached.split(f'id="c-{conflict_id}"')[1].split("</section>")[0]

    # a decision: the conflict leaves the report, its publishers' learnt trust changes others
    open_id = con.execute("SELECT conflict_id FROM conflict_rows WHERE needs_review(status) "
                          "ORDER BY severity DESC LIMIT 1").fetchone()[0]
    fact_id = con.execute("SELECT fact_id FROM fact_rows WHERE key_id = ? ORDER BY 1 LIMIT 1",
                          [open_id]).fetchone()[0]
    review.resolve(con, open_id, accept_fact_id=fact_id, user="test")
    cached, full = run(con, [], cache)
    assert cached == full and open_id not in cached.split("To review")[1]
    # a new figure disagrees with the decision: reopened, shown with the reviewer's ranks
    subject, counterparty, value = con.execute(
        "SELECT subject, counterparty, value FROM fact_rows WHERE fact_id = ?", [fact_id]).fetchone()
    text = f"{counterparty or 'Someone'} put ${value / B * 3:g} billion into {subject} (again)."
    late = Doc("https://late.example/1", text, "2025-07-01", "Late", "t",
               [fact_in(text, f"${value / B * 3:g} billion", value * 3, as_of=None, subject=subject,
                        counterparty=counterparty)])
    cached, full = run(con, [late], cache)
    assert cached == full and f'id="c-{open_id}"' in cached and "deprecated" in cached


def test_a_fragment_rendered_by_other_code_is_rendered_again(con, tmp_path):
    rng = random.Random(4)
    cache = FragmentCache(tmp_path / "fragments.sqlite")
    cached, _full = run(con, [random_doc(rng, n) for n in range(30)], cache)
    import sqlite3
    with sqlite3.connect(cache.path) as db:
        db.execute("UPDATE fragment SET html = '<p>stale</p>'")
    again = render_report(con, "html", cache=cache)
    assert "<p>stale</p>" in again         # same digest: trusted
    with sqlite3.connect(cache.path) as db:
        db.execute("UPDATE fragment SET digest = 'other code'")
    assert render_report(con, "html", cache=cache) == render_report(con, "html")
