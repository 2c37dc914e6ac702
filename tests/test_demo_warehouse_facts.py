"""What the demo warehouse must show (issue 9): no fact with its parties reversed against the
seed gold, no lower-cased pseudo-name as a party, no record without a numeric value; and the
warehouse's own data tests (warehouse/schema/tests/) that hold the last two."""
from __future__ import annotations

import shutil
from pathlib import Path

from newsfacts.extractors.evaluate import read_gold
from newsfacts.extractors.facts.orgs import default_lexicon
from newsfacts.warehouse.db import open_reader, open_writer

PROJECT = Path(__file__).resolve().parents[1]
SEED_GOLD = PROJECT / "fixtures" / "gold" / "seeds.jsonl"
NAMES_TEST = PROJECT / "warehouse" / "schema" / "tests" / "names.sql"
NOT_NULL_TEST = PROJECT / "warehouse" / "schema" / "tests" / "not_null.sql"


def demo_facts(db) -> list[tuple]:
    con = open_reader(db)
    return con.execute("SELECT fact_id, subject, counterparty, metric, value FROM facts").fetchall()


def reversed_against_gold(facts: list[tuple]) -> list[tuple]:
    lexicon = default_lexicon()
    gold = {(lexicon.canonical(f["subject"]), lexicon.canonical(f["counterparty"]), f["metric"])
            for rec in read_gold(SEED_GOLD) for f in rec["facts"] if f.get("counterparty")}
    return [fact for fact in facts if fact[2] is not None
            and (lexicon.canonical(fact[2]), lexicon.canonical(fact[1]), fact[3]) in gold
            and (lexicon.canonical(fact[1]), lexicon.canonical(fact[2]), fact[3]) not in gold]


def lower_case_parties(facts: list[tuple]) -> list[tuple]:
    return [fact for fact in facts for name in fact[1:3]
            if name is not None and name == name.lower() and any(ch.isalpha() for ch in name)]


# "Amazon has committed … approximately $100 billion to a … partnership with Anthropic" once came
# out as Amazon buying compute from Anthropic (a later infrastructure reading of the same figure
# turned the deal around), and Project Rainier's "$11 billion AWS data center campus" as Anthropic
# building with Amazon (a table row's guess overrode the parse).
def test_no_demo_fact_has_the_parties_of_a_gold_fact_reversed(demo_warehouse):
    facts = demo_facts(demo_warehouse)
    # the check can see a reversal: most of the gold's pairs are in the warehouse
    assert sum(1 for fact in facts if fact[2] is not None) >= 20
    assert reversed_against_gold(facts) == []


def test_no_demo_fact_names_a_lower_cased_pseudo_name(demo_warehouse):
    facts = demo_facts(demo_warehouse)
    assert len(facts) >= 40
    assert lower_case_parties(facts) == []


def test_every_demo_fact_has_a_numeric_value(demo_warehouse):
    facts = demo_facts(demo_warehouse)
    assert len(facts) >= 40
    assert [fact for fact in facts if not isinstance(fact[4], float)] == []


def test_the_checks_and_the_data_tests_catch_what_they_look_for(demo_warehouse, tmp_path):
    db = tmp_path / "broken.duckdb"
    shutil.copy(demo_warehouse, db)
    with open_writer(db) as con:
        pair = con.execute("SELECT fact_id, subject, counterparty FROM fact_rows WHERE metric = 'investment' "
                           "AND subject = 'Anthropic' AND counterparty = 'Amazon' ORDER BY fact_id LIMIT 1").fetchone()
        con.execute("UPDATE fact_rows SET subject = counterparty, counterparty = subject WHERE fact_id = ?", [pair[0]])
        lowered = con.execute("SELECT min(fact_id) FROM fact_rows WHERE fact_id <> ?", [pair[0]]).fetchone()[0]
        con.execute("UPDATE fact_rows SET subject = lower(subject) WHERE fact_id = ?", [lowered])
        nulled = con.execute("SELECT max(fact_id) FROM fact_rows WHERE fact_id NOT IN (?, ?)",
                             [pair[0], lowered]).fetchone()[0]
        con.execute("UPDATE fact_rows SET value = NULL WHERE fact_id = ?", [nulled])
    facts = demo_facts(db)
    # by fact id: a fact changed below (a null value) may be one already reversed in the demo
    before = {fact[0] for fact in reversed_against_gold(demo_facts(demo_warehouse))}
    assert [fact[0] for fact in reversed_against_gold(facts) if fact[0] not in before] == [pair[0]]
    assert [fact[0] for fact in lower_case_parties(facts)] == [lowered]
    con = open_reader(db)
    assert [row for row in con.execute(NAMES_TEST.read_text()).fetchall()] == [
        (f"facts.subject lower case: {facts_by_id(facts)[lowered][1]}", lowered)]
    assert ("facts.value", nulled) in con.execute(NOT_NULL_TEST.read_text()).fetchall()


def facts_by_id(facts: list[tuple]) -> dict[str, tuple]:
    return {fact[0]: fact for fact in facts}
