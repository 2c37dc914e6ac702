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


def marked(text: str) -> set[str]:
    """The names of the organisations the pipeline marks in a text."""
    return {mark[2] for mark in shared_extractor().nlp(text)._.get(ORG_MARKS)}


def test_of_and_a_place_stay_inside_a_bank_name():
    text = "Firmus secured a $330 million construction loan from Commonwealth Bank of Australia for its campus."
    assert parties(text) == [("infrastructure", "Firmus", "Commonwealth Bank of Australia", 3.3e8)]


def test_a_place_starts_a_name_with_a_corporate_last_word():
    names = marked("Tessaro Energy secured a $580 million loan from the Texas Energy Fund for its plant.")
    assert "Texas Energy Fund" in names and "Energy Fund" not in names


def test_a_nationality_before_a_company_is_no_part_of_its_name():
    text = "Japanese Sumitomo Metal Mining will invest $850 million in Cerro Blanco."
    assert parties(text) == [("investment", "Cerro Blanco", "Sumitomo Metal Mining", 8.5e8)]


def test_a_hyphen_inside_a_name_joins_its_parts():
    text = "Dai-ichi Life has agreed to acquire a 30% stake in Brightfen Asia for $410 million."
    assert "Dai-ichi Life" in named(text) and "Life" not in named(text)
    assert "Vantor Robotics" in marked("Halden-backed Vantor Robotics raised $40 million.")
    assert not any(name.startswith("Halden") for name in marked("Halden-backed Vantor Robotics raised $40 million."))
    assert "A.P. Moller-Maersk" not in marked("A.P. Moller-Maersk has ordered 20 container ships for $1.3 billion.")


def test_an_ordinary_word_capitalised_at_a_sentence_start_is_no_company():
    text = ("Hyperscale pre-leasing stayed strong in the first quarter. Stackwell Properties leased 240 MW at "
            "its Reno campus.")
    assert "Hyperscale" not in marked(text)
    assert parties(text) == [("power", "Stackwell Properties", None, 2.4e8)]


def test_a_company_word_after_an_industry_acronym_makes_a_name():
    text = "Pelican Bay LNG has taken a final investment decision on its $18.2bn export terminal in Cameron Parish."
    assert named(text) == {"Pelican Bay LNG"}


def test_a_name_given_to_a_project_is_no_company_anywhere_in_the_article():
    text = ("Glencore will buy a 19.9% stake in Kinnear Copper, the developer of the Copper Kettle project, for "
            "$300 million. Copper Kettle will take 85 megawatts of grid power from BC Hydro.")
    assert "Copper Kettle" not in marked(text)
    assert ("power", "Kinnear Copper", "BC Hydro", 8.5e7) in parties(text)


def test_a_word_the_article_also_writes_in_lower_case_is_no_company():
    text = ("Brazos Ridge Power will build a 1.4 GW plant. Construction will be financed in part by a $2.5 billion "
            "construction credit facility from Wells Fargo.")
    assert "Construction" not in named(text) and "Construction" not in marked(text)


def test_a_name_after_a_hyphenated_introducer_is_a_company():
    text = "London B2B payments start-up Ledgerline added $30 million to its Series A."
    assert [fact[1] for fact in parties(text)] == ["Ledgerline"]


def test_the_end_of_a_hyphenated_word_in_a_title_starts_no_name():
    text = "Kavala Compute Signs Multi-Year AI Capacity Agreement with Mistral AI Valued at $2.1 Billion"
    assert "Year AI" not in marked(text)


def test_a_capitalised_preposition_opening_a_sentence_is_no_company():
    text = ("Ferrum Labs is building a campus. To pay for the building itself, the company drew a $1.25 billion "
            "tranche of construction financing from Blue Owl Capital in February.")
    assert "To" not in marked(text) and "Ferrum Labs" in named(text)


def test_a_region_named_as_the_place_of_a_build_is_no_counterparty():
    text = ("Blackstone has been granted planning permission for a £10bn ($13.5bn) hyperscale campus at Cambois "
            "in Northumberland, which will draw up to 1.1GW from the grid.")
    assert named(text) == {"Blackstone"}
