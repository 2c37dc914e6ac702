"""Party names: the name a company is introduced with, names with particles, places, datelines
and units that are never parties, and short forms an article defines."""
import pytest

from newsfacts.extractors.facts.extractor import shared_extractor
from newsfacts.extractors.facts.orgs import ORG_MARKS, not_a_party

from facts_helpers import parties


def named(text: str) -> set[str]:
    """Every subject and counterparty of the facts of a text."""
    return {name for fact in parties(text) for name in fact[1:3] if name}


def test_a_short_later_mention_is_the_fuller_name_the_article_also_writes():
    text = ("Fleet renewal: Maersk and Redline bet billions on cleaner trucks. Redline Freight, the "
            "Chicago-based less-than-truckload carrier, said it would buy 1,500 electric tractors from "
            "Daimler Truck in a deal valued at $620 million.")
    assert parties(text)[0][1:3] == ("Redline Freight", "Daimler Truck")
    assert "Redline" not in named(text)


def test_the_leading_words_of_a_name_standing_alone_are_that_company():
    text = ("Gulf Crescent Airways ordered 50 Airbus jets on Tuesday. Gulf Crescent, which is 87% owned by "
            "state investor Crescent Holdings, reported revenue of $9.8 billion for the year ended March 31.")
    assert ("revenue", "Gulf Crescent Airways", None, 9.8e9) in parties(text)


def test_a_region_is_no_short_form_of_a_company_named_after_it():
    text = ("Gulf Crescent Airways ordered jets worth $14.5 billion from Airbus, a boost in its contest with "
            "Boeing for Gulf widebody business.")
    doc = shared_extractor().nlp(text)
    region = text.index("Gulf widebody")
    assert [mark[2] for mark in doc._.get(ORG_MARKS) if mark[3] <= region < mark[4]] == []
    assert [mark[2] for mark in doc._.get(ORG_MARKS) if mark[3] == 0] == ["Gulf Crescent Airways"]


def test_a_name_with_a_lower_case_particle_is_kept_whole():
    text = ("American Tower will pay $1.05 billion for a 70% stake in Torres del Sur, a newly created "
            "company holding the carrier's 4,100 sites.")
    assert parties(text)[0][1:3] == ("Torres del Sur", "American Tower")


@pytest.mark.parametrize("dateline", ["SÃO PAULO, March 3 (Meridian Wire) -", "São Paulo, March 3 (Meridian Wire) -",
                                      "SÃO PAULO (Meridian Wire) -"])
def test_a_wire_dateline_is_no_party(dateline):
    text = f"{dateline} Cobalto secured a $150 million credit facility from Goldman Sachs."
    facts = parties(text)
    assert facts and {name for fact in facts for name in fact[1:3]} <= {"Cobalto", "Goldman Sachs", None}


def test_a_place_before_a_company_is_no_party():
    text = "São Paulo small-business lender Cobalto secured a $150 million credit facility from Goldman Sachs."
    assert named(text) == {"Cobalto", "Goldman Sachs"}


def test_a_unit_is_no_counterparty():
    text = "AT&T agreed in August to buy EchoStar's 3.45 GHz and 600 MHz licences for about $23 billion in cash."
    assert "GHz" not in named(text) and "MHz" not in named(text)
    assert parties(text)[0][1] == "AT&T"


def test_the_names_of_mines_are_no_company():
    text = ("Andes Copper Corp. runs two mines in Chile. Andes Copper, which operates the Los Ríos and Quebrada "
            "Seca mines, reported revenue of $1.9 billion in 2024, the company said.")
    assert parties(text) == [("revenue", "Andes Copper", None, 1.9e9)]


def test_an_unknown_company_in_apposition_with_a_hyphenated_noun_is_found():
    text = "Ledgerline, a London payments start-up, raised $30 million in a Series A."
    assert parties(text)[0][:2] == ("funding_round", "Ledgerline")


def test_a_short_form_defined_in_brackets_stands_for_the_name():
    text = ("Vantor Robotics raised $40 million from Kestrel Capital Partners (KCP) last year. KCP also invested "
            "$10 million in Halden Power.")
    assert ("investment", "Halden Power", "Kestrel Capital Partners", 1e7) in parties(text)
    assert "KCP" not in named(text)


@pytest.mark.parametrize("name", ["São Paulo", "Cameron Parish", "Latin America", "Hebei Province", "GHz", "MW",
                                  "New York", "Georgia"])
def test_places_regions_and_units_are_never_parties(name):
    assert not_a_party(name)


@pytest.mark.parametrize("name", ["Georgia Power", "Boston Dynamics", "Torres del Sur", "Andes Copper",
                                  "Redline Freight", "Bank of Montreal"])
def test_companies_named_after_places_may_be_parties(name):
    assert not not_a_party(name)
