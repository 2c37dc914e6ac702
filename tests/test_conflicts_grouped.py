"""Conflict detection without comparing every pair finds exactly what the pairwise detector
finds (tests/pairwise_oracle.py): on generated keys and on the demo warehouse."""

from __future__ import annotations

import random
import shutil

import duckdb
import pairwise_oracle
import pytest

from newsfacts.warehouse import conflicts
from newsfacts.warehouse.db import open_reader
from newsfacts.warehouse.rules import ComponentIndex, Figure

B = 1e9

SHAPES = [  # (value, qualifier, value_max): close values, parts that add up, ceilings, ranges
    (1e9, "exact", None), (1.25e9, "exact", None), (1.3e9, "approx", None), (2.75e9, "exact", None),
    (3e9, "exact", None), (4e9, "exact", None), (4e9, "up_to", None), (4e9, "range", 6e9),
    (4.05e9, "exact", None), (5e9, "more_than", None), (8e9, "exact", None), (10e9, "up_to", None),
    (2e9, "at_least", None), (6e9, "range", 3e9),   # a range written backwards disagrees with itself
]
DATES = [None, "2024", "2024-03", "2024-03-02", "2024-03-20", "2024-05", "2024-11-30", "2025-02", "bogus"]
SENTENCES = ["", "The deal was worth a sum.", "An initial tranche was paid.", "Both figures in one sentence."]


def generated_key(rng: random.Random, n: int) -> list[conflicts.KeyFact]:
    measure = rng.choice(["total", "increment", "period", None, "mixed"])
    shapes = rng.sample(SHAPES, rng.randint(1, 6))
    dates = rng.sample(DATES, rng.randint(1, 4))
    facts = []
    for i in range(n):
        value, qualifier, value_max = rng.choice(shapes)
        figure = Figure(f"f{i:05d}", value, "USD", qualifier, value_max, rng.choice(dates),
                        rng.choice(SENTENCES), rng.choice(["total", "increment"]) if measure == "mixed" else measure,
                        f"article-{rng.randint(0, max(1, n // 3))}")
        facts.append(conflicts.KeyFact(figure, "k", "S", "C", "investment", "USD", None, figure.origin, None))
    return facts


def grouped(facts):
    found = conflicts.assess(facts)
    return None if found is None else (found.klass, found.reason)


@pytest.mark.parametrize("seed", range(300))
def test_generated_keys_get_the_pairwise_verdict(seed):
    rng = random.Random(seed)
    facts = generated_key(rng, rng.choice([2, 3, 5, 8, 20, 60]))
    assert grouped(facts) == pairwise_oracle.assess([f.figure for f in facts])


def test_many_facts_on_few_figures_as_a_busy_night_gives_them():
    rng = random.Random(14)
    facts = generated_key(rng, 150)
    expected = pairwise_oracle.assess([f.figure for f in facts])
    assert expected is not None
    assert grouped(facts) == expected


def test_the_component_index_matches_the_loop_over_every_figure():
    rng = random.Random(3)
    for _ in range(40):
        figures = [f.figure for f in generated_key(rng, rng.choice([3, 15, 40]))]
        index = ComponentIndex(figures)
        for i, small in enumerate(figures):
            others = [f for f in figures if f.fact_id != small.fact_id]
            assert index.reason(i) == pairwise_oracle.component_reason(small, others)


def test_parts_that_add_up_are_found_past_the_first_figures():
    t1, t2 = Figure("a", 1.25 * B, "USD", as_of="2024-03"), Figure("b", 2.75 * B, "USD", as_of="2024-03")
    fillers = [Figure(f"f{i}", 9 * B, "USD", as_of="2024-03") for i in range(50)]
    total = Figure("z", 4 * B, "USD", as_of="2024-03")
    figures = [t1, t2, *fillers, total]
    assert ComponentIndex(figures).reason(0) == "$1.25B + $2.75B = $4B"


def test_a_total_is_no_part_of_another_total_whatever_the_pair_order():
    # a total and an increment in one key (an older row): the totals' pair must not hide the
    # component reason the increment pair finds, whichever pair comes first
    part = Figure("a", 1.25 * B, "USD", as_of="2024-03", measure="total")
    rest = Figure("b", 2.75 * B, "USD", as_of="2024-03", measure="increment")
    whole = Figure("c", 4 * B, "USD", as_of="2024-03", measure="total")
    facts = [conflicts.KeyFact(f, "k", "S", None, "investment", "USD", None, f.fact_id, None)
             for f in (part, whole, rest)]
    assert grouped(facts) == pairwise_oracle.assess([f.figure for f in facts])
    assert grouped(facts)[0] == "contradiction"


def test_the_demo_warehouse_keys_get_the_pairwise_verdict(demo_warehouse):
    with open_reader(demo_warehouse) as con:
        by_key = conflicts.load_key_facts(con)
    assert sum(1 for facts in by_key.values() if len(facts) > 1) >= 5
    found = 0
    for facts in by_key.values():
        expected = pairwise_oracle.assess([f.figure for f in facts])
        assert grouped(facts) == expected
        found += expected is not None
    assert found >= 3


def _state_after_full_detection(path) -> tuple[list, list]:
    con = duckdb.connect(str(path))
    try:
        conflicts.detect_conflicts(con, "again", full=True)
        rows = con.execute("SELECT conflict_id, status::VARCHAR, class, severity, reason, n_facts, n_sources,"
                           " fact_ids FROM conflict_rows ORDER BY ALL").fetchall()
        members = con.execute("SELECT * FROM conflict_members ORDER BY ALL").fetchall()
    finally:
        con.close()
    return rows, members


def test_detection_in_chunks_of_keys_writes_what_one_pass_writes(demo_warehouse, tmp_path, monkeypatch):
    shutil.copy(demo_warehouse, tmp_path / "one.duckdb")
    shutil.copy(demo_warehouse, tmp_path / "chunks.duckdb")
    whole = _state_after_full_detection(tmp_path / "one.duckdb")
    monkeypatch.setattr(conflicts, "DETECT_KEYS_PER_CHUNK", 2)
    assert _state_after_full_detection(tmp_path / "chunks.duckdb") == whole
    assert len(whole[0]) >= 3 and whole[1]
