"""Measure kind on money facts: total, increment, rate or period, as the text tells."""
import pytest

from newsfacts.extractors.facts import extract_facts


def money(text):
    return [(f.value, f.measure) for f in extract_facts(text, "2025-06-01") if f.unit == "USD"]


@pytest.mark.parametrize("text, expected", [
    ("Microsoft has invested $13 billion in OpenAI in total.", [(13e9, "total")]),
    ("In total, Microsoft has invested $13 billion in OpenAI.", [(13e9, "total")]),
    ("Kestrel Labs has raised $2 billion to date.", [(2e9, "total")]),
    ("Amazon will invest $4 billion in Anthropic.", [(4e9, "increment")]),
    ("OpenAI expects to pay Oracle $30 billion a year for compute.", [(30e9, "rate")]),
    ("CoreWeave reported revenue of $5.1 billion for fiscal 2025.", [(5.1e9, "period")]),
    ("In the third quarter, Acme Corp reported revenue of $300 million.", [(3e8, "period")]),
])
def test_measure_kind_from_the_sentence(text, expected):
    assert money(text) == expected


def test_each_cue_names_the_figure_of_its_own_clause():
    text = "Amazon invested another $1.2 billion, bringing its total investment in Kestrel Labs to $1.77 billion."
    assert money(text) == [(1.2e9, "increment"), (1.77e9, "total")]
    text = "Anthropic's revenue for the quarter was $1.1 billion, an annualised run-rate of $4.4 billion."
    assert money(text) == [(1.1e9, "period"), (4.4e9, "rate")]


def test_a_year_ago_is_no_rate():
    assert money("Acme Corp raised $300 million a year ago in a Series B.") == [(3e8, "increment")]


def test_a_kind_the_metric_cannot_have_is_not_given():
    # a funding round for a stated period is still one round
    assert money("Kestrel Labs raised $600 million in a Series C in the third quarter.") == [(6e8, "increment")]


def test_a_valuation_and_non_money_facts_have_no_measure():
    facts = extract_facts("Kestrel Labs raised $600 million at a valuation of $9.5 billion and leased 300 MW from "
                          "Solvane Data Parks.", "2025-06-01")
    assert {(f.metric, f.measure) for f in facts} >= {("valuation", None), ("power", None)}


def test_a_running_total_reached_with_up_to_is_the_total_not_a_ceiling():
    text = "Amazon invested another $1.2 billion, bringing its total investment in Kestrel Labs up to $1.77 billion."
    facts = extract_facts(text, "2025-06-01")
    assert [(f.value, f.qualifier, f.measure) for f in facts] == [(1.2e9, "exact", "increment"),
                                                                  (1.77e9, "exact", "total")]
    assert extract_facts("Meta will invest up to $10 billion in Scale AI.")[0].qualifier == "up_to"
