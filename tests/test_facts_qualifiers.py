"""Qualifiers: the words around a figure say whether it is exact, approximate or a bound."""
import pytest

from newsfacts.extractors.facts import extract_facts


def qualifier(text: str) -> str:
    facts = extract_facts(text, "2025-06-01")
    assert len(facts) == 1, facts
    return facts[0].qualifier


@pytest.mark.parametrize("before, expected", [
    ("", "exact"),
    ("about ", "approx"),
    ("roughly ", "approx"),
    ("approximately ", "approx"),
    ("nearly ", "approx"),
    ("~", "approx"),
    ("up to ", "up_to"),
    ("as much as ", "up_to"),
    ("over ", "more_than"),
    ("more than ", "more_than"),
    ("at least ", "at_least"),
])
def test_qualifier_before_figure(before, expected):
    assert qualifier(f"Amazon will invest {before}$4 billion in Anthropic.") == expected


def test_plus_sign_means_more_than():
    assert qualifier("Anthropic has $95B+ in infrastructure commitments.") == "more_than"


def test_markdown_emphasis_does_not_hide_the_qualifier():
    assert qualifier("Google holds approximately **14% equity** in Anthropic.") == "approx"


def test_well_over_is_more_than():
    assert qualifier("The Google Cloud deal brings Anthropic well over 1 gigawatt of capacity.") == "more_than"


def test_range_qualifier():
    assert qualifier("Meta expects capital expenditures of $66 billion to $72 billion this year.") == "range"


def test_power_range():
    facts = extract_facts("CoreWeave will supply OpenAI with 1–2 GW of capacity.", None)
    assert [(f.value, f.value_max, f.qualifier) for f in facts] == [(1e9, 2e9, "range")]
