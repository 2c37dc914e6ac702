"""Agreement rules, conflict classes, syndication, severity, stable ids, idempotent detection."""

from __future__ import annotations

import pytest
from review_docs import stale_total

from newsfacts.warehouse import conflicts, load
from newsfacts.warehouse.db import open_reader
from newsfacts.warehouse.ids import key_id
from newsfacts.warehouse.rules import Figure, agreement, classify_pair, clearly_different_times, format_figure, precision_step

from test_warehouse_support import Doc, canonical_docs, fact_in, load_docs, run_once, table_counts

B = 1e9
GW = 1e9


def fig(value, qualifier="exact", *, unit="USD", value_max=None, as_of=None, sentence="", fid=None):
    return Figure(fid or f"{value}-{qualifier}-{as_of}", value, unit, qualifier, value_max, as_of, sentence)


# --------------------------------------------------------------------------- agreement rules

def test_precision_is_the_last_written_digit():
    assert precision_step(1.25 * B, "USD") == pytest.approx(0.01 * B)
    assert precision_step(1.3 * B, "USD") == pytest.approx(0.1 * B)
    assert precision_step(10 * B, "USD") == pytest.approx(1 * B)
    assert precision_step(220_000, "count") == pytest.approx(1_000)
    assert precision_step(4.5, "percent") == pytest.approx(0.1)


@pytest.mark.parametrize("a, b, agree", [
    (fig(1.25 * B), fig(1.3 * B), True),                      # same figure, different precision
    (fig(1.25 * B), fig(1.2 * B), True),                      # 1.25 rounds either way at 0.1
    (fig(1.25 * B), fig(1.4 * B), False),
    (fig(5 * B, "approx"), fig(5 * B), True),                 # "about $5 billion" vs "$5 billion"
    (fig(10 * B), fig(13 * B), False),                        # "$10B" is written to the billion
    (fig(8 * B), fig(4 * B), False),
])
def test_point_values_agree_at_written_precision(a, b, agree):
    assert agreement(a, b).agree is agree
    assert agreement(b, a).agree is agree


@pytest.mark.parametrize("a, b, agree", [
    (fig(2 * GW, "more_than", unit="W"), fig(2.2 * GW, unit="W"), True),
    (fig(2 * GW, "more_than", unit="W"), fig(1.8 * GW, unit="W"), False),
    (fig(2 * GW, "at_least", unit="W"), fig(2 * GW, unit="W"), True),
    (fig(2 * GW, "at_least", unit="W"), fig(5 * GW, "more_than", unit="W"), True),  # bounds compatible
    (fig(2 * GW, "at_least", unit="W"), fig(1 * GW, "up_to", unit="W"), False),
    (fig(1 * GW, "at_least", unit="W"), fig(3 * GW, "up_to", unit="W"), True),
])
def test_lower_bounds(a, b, agree):
    assert agreement(a, b).agree is agree
    assert agreement(b, a).agree is agree


@pytest.mark.parametrize("a, b, agree", [
    (fig(4 * B, "up_to"), fig(4 * B), True),                  # the ceiling was reached
    (fig(4 * B, "up_to"), fig(1.25 * B), False),              # a tranche is not the total
    (fig(4 * B, "up_to"), fig(5 * B), False),
    (fig(4 * B, "up_to"), fig(8 * B, "up_to"), False),        # two different caps
    (fig(4 * B, "up_to"), fig(3 * B, "range", value_max=4 * B), True),
])
def test_ceilings(a, b, agree):
    assert agreement(a, b).agree is agree
    assert agreement(b, a).agree is agree


@pytest.mark.parametrize("a, b, agree", [
    (fig(3 * B, "range", value_max=5 * B), fig(4 * B), True),
    (fig(3 * B, "range", value_max=5 * B), fig(6 * B), False),
    (fig(3 * B, "range", value_max=5 * B), fig(4 * B, "range", value_max=7 * B), True),
    (fig(3 * B, "range", value_max=5 * B), fig(6 * B, "range", value_max=7 * B), False),
    (fig(3 * B, "range", value_max=5 * B), fig(4 * B, "more_than"), True),
])
def test_ranges_contain_values_and_overlap(a, b, agree):
    assert agreement(a, b).agree is agree
    assert agreement(b, a).agree is agree


# --------------------------------------------------------------------------- classes

def test_time_distance_uses_the_coarsest_precision():
    assert clearly_different_times(fig(1, as_of="2023"), fig(2, as_of="2024-11"))
    assert not clearly_different_times(fig(1, as_of="2023"), fig(2, as_of="2023-09"))
    assert not clearly_different_times(fig(1, as_of="2024-03-01"), fig(2, as_of="2024-03-20"))
    assert not clearly_different_times(fig(1, as_of=None), fig(2, as_of="2024"))


def test_contradiction_same_time_different_figures():
    a, b = fig(10 * B, as_of="2023-01"), fig(13 * B, as_of="2023-01")
    verdict = classify_pair(a, b, [a, b])
    assert verdict.klass == "contradiction"
    assert "$10B vs $13B" in verdict.reason


def test_changed_over_time_canonical_case():
    research, news = fig(8 * B, as_of="2024-11"), fig(4 * B, "up_to", as_of="2023")
    verdict = classify_pair(research, news, [research, news])
    assert verdict.klass == "changed_over_time"
    assert "grew" in verdict.reason and "up to $4B (2023)" in verdict.reason


def test_partial_when_tranches_add_up():
    t1, t2, total = (fig(1.25 * B, as_of="2024-03"), fig(2.75 * B, as_of="2024-03"),
                     fig(4 * B, as_of="2024-03"))
    key = [t1, t2, total]
    assert classify_pair(t1, total, key).klass == "partial"
    assert classify_pair(t1, t2, key).klass == "partial"   # both are parts of the $4B
    assert "$1.25B + $2.75B = $4B" in classify_pair(t1, total, key).reason


def test_partial_under_a_ceiling_and_by_wording():
    cap, drawn = fig(4 * B, "up_to", as_of="2023-09"), fig(1.25 * B, as_of="2023-09")
    assert classify_pair(cap, drawn, [cap, drawn]).klass == "partial"
    first = fig(1 * B, as_of="2023-09", sentence="The first tranche of $1 billion.")
    other = fig(3 * B, as_of="2023-09")
    assert classify_pair(first, other, [first, other]).klass == "partial"


def test_format_figure():
    assert format_figure(fig(4 * B, "up_to")) == "up to $4B"
    assert format_figure(fig(2.2 * GW, unit="W")) == "2.2 GW"
    assert format_figure(fig(220_000, unit="count")) == "220,000"
    assert format_figure(fig(3 * B, "range", value_max=5 * B)) == "$3B–$5B"


# --------------------------------------------------------------------------- detection

def conflict_rows(con):
    return con.execute("SELECT conflict_id, class, status, n_sources, n_facts, severity, reason "
                       "FROM conflicts ORDER BY conflict_id").fetchall()


def test_canonical_case_is_a_series_of_totals_not_a_conflict_to_review(con):
    """$4B total (2024-03) → $8B total (2024-11): the total grew; the tranches ($1.25B
    initial, $2.75B added) and the 'up to $4B' of 2023 are other measures, not compared."""
    load_docs(con, "r1", canonical_docs())
    summary = conflicts.detect_conflicts(con, "r1")
    assert (summary.new, summary.open, summary.by_class) == (0, 0, {})
    [(cid, klass, status, n_sources, n_facts, severity, reason)] = conflict_rows(con)
    assert cid == key_id("Anthropic", "Amazon", "investment", "USD", None, "total")
    assert (klass, status, n_sources, n_facts) == ("changed_over_time", "noted", 2, 2)
    assert severity == pytest.approx((8 - 4) / 8 * 2, abs=1e-4)
    assert reason == "figures by date: $4B (2024-03) → $8B (2024-11)"


def test_a_total_that_falls_later_is_a_contradiction(con):
    load_docs(con, "r1", canonical_docs() + [stale_total()])
    summary = conflicts.detect_conflicts(con, "r1")
    assert (summary.new, summary.open, summary.by_class) == (1, 1, {"contradiction": 1})
    [(cid, klass, status, *_rest, reason)] = conflict_rows(con)
    assert (klass, status) == ("contradiction", "open")
    assert "$4B (2025-02) is lower than $8B (2024-11): a total cannot fall" in reason


def test_facts_without_value_and_agreeing_facts_make_no_conflict(con):
    text = "Amazon invested $4 billion (about EUR 3.7 billion) in Anthropic."
    docs = [Doc("https://a.example/1", text, "2024-03-27", "A", "t",
                [fact_in(text, "$4 billion", 4e9, as_of="2024-03"),
                 fact_in(text, "EUR 3.7 billion", None, as_of="2024-03", currency="EUR", amount=3.7e9)]),
            Doc("https://b.example/2", "Amazon invested about $4.0 billion in Anthropic.", "2024-03-28", "B", "t",
                [fact_in("Amazon invested about $4.0 billion in Anthropic.", "$4.0 billion", 4e9,
                         qualifier="approx", as_of="2024-03")])]
    load_docs(con, "r1", docs)
    assert conflicts.detect_conflicts(con, "r1").new == 0
    assert conflict_rows(con) == []


def test_syndicated_copies_count_as_one_source(con):
    text = "Microsoft has invested $10 billion in OpenAI."
    wire = Doc("https://wire.example/ms", text, "2023-01-23", "Wire", "MS invests",
               [fact_in(text, "$10 billion", 10e9, subject="OpenAI", counterparty="Microsoft", as_of="2023-01")])
    copies = [Doc(f"https://paper{i}.example/ms", text + f" Copy {i}.", "2023-01-23", f"Paper {i}", "MS invests",
                  [fact_in(text, "$10 billion", 10e9, subject="OpenAI", counterparty="Microsoft", as_of="2023-01")],
                  story_of=wire.url) for i in range(3)]
    other_text = "Microsoft has invested $13 billion in OpenAI."
    other = Doc("https://other.example/ms", other_text, "2023-01-24", "Other", "MS",
                [fact_in(other_text, "$13 billion", 13e9, subject="OpenAI", counterparty="Microsoft", as_of="2023-01")])
    load_docs(con, "r1", [wire, *copies, other])
    conflicts.detect_conflicts(con, "r1")
    [(_, klass, _, n_sources, n_facts, severity, _)] = conflict_rows(con)
    assert (klass, n_facts, n_sources) == ("contradiction", 5, 2)
    assert severity == pytest.approx((13 - 10) / 13 * 2, abs=1e-4)


def test_chips_are_keyed_by_chip_type(con):
    text = "xAI runs 100,000 H100 GPUs and 50,000 H200 GPUs."
    doc = Doc("https://chips.example/x", text, "2024-12-01", "C", "t",
              [fact_in(text, "100,000", 100_000, subject="xAI", counterparty=None, metric="chips",
                       unit="count", as_of="2024-12", chip_type="H100"),
               fact_in(text, "50,000", 50_000, subject="xAI", counterparty=None, metric="chips",
                       unit="count", as_of="2024-12", chip_type="H200")])
    load_docs(con, "r1", [doc])
    assert conflicts.detect_conflicts(con, "r1").new == 0


def test_conflict_ids_are_stable_across_identical_runs(tmp_path):
    first = run_once(tmp_path / "one.duckdb", canonical_docs())
    run_once(tmp_path / "one.duckdb", canonical_docs())
    run_once(tmp_path / "two.duckdb", canonical_docs())
    ids = []
    for name in ("one.duckdb", "two.duckdb"):
        reader = open_reader(tmp_path / name)
        ids.append(reader.execute("SELECT conflict_id, first_seen_run FROM conflicts").fetchall())
        reader.close()
    assert ids[0][0][0] == ids[1][0][0]
    assert ids[0][0][1] == first["run_id"]  # the second run did not re-create it


def test_detection_is_idempotent(con):
    load_docs(con, "r1", canonical_docs() + [stale_total()])
    conflicts.detect_conflicts(con, "r1")
    before, rows = table_counts(con), conflict_rows(con)
    again = conflicts.detect_conflicts(con, "r2")
    assert (again.new, again.reopened, again.open) == (0, 0, 1)
    assert table_counts(con) == before and conflict_rows(con) == rows


def test_a_conflict_that_no_longer_disagrees_is_cleared_and_can_open_again(con):
    docs = canonical_docs() + [stale_total()]
    stats, _ = load_docs(con, "r1", docs)
    conflicts.detect_conflicts(con, "r1")
    # re-extraction finds nothing disagreeing any more
    load.replace_facts(con, {stats.article_ids[d.url]: (d.facts if d is docs[0] else []) for d in docs}, "v2")
    conflicts.detect_conflicts(con, "r2")
    assert conflict_rows(con)[0][2] == "cleared"
    load_docs(con, "r3", docs)
    conflicts.detect_conflicts(con, "r3")
    assert conflict_rows(con)[0][2] == "open"
