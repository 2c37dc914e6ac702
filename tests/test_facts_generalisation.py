"""General rules for styles the seed gold lacked: direction from verbs, chip makers, clauses,
places and people, short names, what a figure values, forecasts and market aggregates."""
import pytest

from newsfacts.extractors.facts import extract_facts

from facts_helpers import parties

# -- who buys from whom: verbs and prepositions, not only the kinds of company -------------

def test_buyer_of_capacity_from_a_provider_is_the_subject():
    text = "Quantia Labs will buy $2.4 billion of GPU capacity from Nebius over five years."
    assert parties(text) == [("compute_deal", "Quantia Labs", "Nebius", 2.4e9)]


def test_buying_from_a_provider_even_when_the_buyer_is_itself_a_cloud():
    text = "CoreWeave agreed to rent $1.2 billion of capacity from Corvane Data through 2029."
    assert parties(text) == [("compute_deal", "CoreWeave", "Corvane Data", 1.2e9)]


def test_lessee_of_power_is_the_subject():
    text = "Nscale will lease 80 MW at Tidewater Energy's campus in Ohio."
    assert parties(text) == [("power", "Nscale", "Tidewater Energy", 8e7)]


def test_words_in_the_body_settle_a_headline_that_only_names_both_parties():
    text = ("Cerebras signs $900 million deal with G42\n\n"
            "G42 will buy $900 million of inference capacity from Cerebras through 2027.")
    assert parties(text) == [("compute_deal", "G42", "Cerebras", 9e8)]


# -- chips: the maker named in the chip phrase supplies them --------------------------------

@pytest.mark.parametrize("written, count, maker", [
    ("as many as 250,000 of Google's TPUs", 250_000, "Google"),
    ("about 9,500 Nvidia Grace Blackwell chips", 9_500, "NVIDIA"),
    ("64,000 of AMD's Instinct MI450 GPUs", 64_000, "AMD"),
    ("20,000 MI450 GPUs", 20_000, "AMD"),
])
def test_chip_maker_is_the_supplier_when_no_seller_is_named(written, count, maker):
    assert parties(f"Aldermark AI will deploy {written} next year.") == [("chips", "Aldermark AI", maker, count)]


def test_a_named_seller_beats_the_chip_maker():
    assert parties("Anthropic will get 90,000 Nvidia GPUs from SpaceX.") == [("chips", "Anthropic", "SpaceX", 9e4)]


def test_plain_gpus_name_no_maker():
    assert parties("Aldermark AI operates more than 30,000 GPUs.") == [("chips", "Aldermark AI", None, 3e4)]


def test_a_deal_for_a_makers_chips_is_with_the_maker():
    text = "Meta agreed to buy 70,000 of AMD's MI450 GPUs in a deal valued at more than $3 billion."
    assert parties(text) == [("chips", "Meta", "AMD", 7e4), ("compute_deal", "Meta", "AMD", 3e9)]


# -- power: each clause's figure to its own subject; partners in a build ----------------------

def test_two_companies_with_their_own_figures_in_one_sentence():
    text = "Oracle said its Shackelford campus would reach 2 gigawatts, and Crusoe said it had bought a 400 MW site."
    assert parties(text) == [("power", "Oracle", None, 2e9), ("power", "Crusoe", None, 4e8)]


def test_partner_in_a_build_is_the_counterparty_not_the_owner():
    text = "Crusoe began work on a 900-megawatt campus, which it is developing with Corvane Energy."
    assert parties(text) == [("power", "Crusoe", "Corvane Energy", 9e8)]


def test_joint_developers_named_with_a_descriptor():
    text = "Crusoe and investment firm Blue Owl Capital will develop a 1.5-gigawatt campus in a project valued at $20 billion."
    assert parties(text) == [("power", "Crusoe", "Blue Owl", 1.5e9), ("infrastructure", "Crusoe", "Blue Owl", 2e10)]


def test_a_gigawatt_written_with_an_article():
    facts = extract_facts("Anthropic will get well over a gigawatt of capacity from Google in 2027.")
    assert [(f.metric, f.value, f.qualifier) for f in facts] == [("power", 1e9, "more_than")]


def test_a_planned_ceiling_is_a_fact_despite_could():
    facts = extract_facts("The campus will open with 50 megawatts and could scale to as much as 1 gigawatt, Mistral said.")
    assert [(f.value, f.qualifier) for f in facts] == [(5e7, "exact"), (1e9, "up_to")]


# -- stakes: the sentence's own structure over the article's topic ---------------------------

def test_owner_and_owned_from_of():
    text = ("Anthropic is the story here. Anthropic raised money.\n\n"
            "Nebius. Nvidia owns about 4% of Nebius, having first invested $50 million in the company in 2022.")
    assert parties(text)[-2:] == [("equity_stake", "Nebius", "NVIDIA", 4.0), ("investment", "Nebius", "NVIDIA", 5e7)]


# -- names that are not companies, and short names of companies that are ---------------------

def test_places_before_a_possessive_are_not_companies():
    text = "Mistral will build a $3 billion campus in partnership with Norway's Fjordline Capital."
    assert parties(text) == [("infrastructure", "Mistral", "Fjordline Capital", 3e9)]


def test_a_person_after_a_title_is_not_a_company():
    facts = extract_facts("Prime Minister Keir Starmer announced $5 billion of AI investment pledges on Monday.")
    assert all(f.subject != "Keir Starmer" for f in facts)


def test_first_word_of_an_unknown_name_is_the_same_company():
    text = ("Halden Compute Signs $700 Million Deal With Mistral AI\n\n"
            "Halden Compute, a provider of cloud infrastructure, said Halden will deploy 8,000 Nvidia GB300 GPUs.")
    facts = extract_facts(text)
    assert {f.subject for f in facts if f.metric == "chips"} == {"Halden Compute"}
    assert all(f.subject != "Halden" and f.counterparty != "Halden" for f in facts)


def test_capitalised_words_after_a_known_name_continue_it():
    # "Global Impact" is KKR's fund, not a second company (the lexicon knows KKR only)
    assert parties("KKR Global Impact will invest $2 billion in Nscale.") == [("investment", "Nscale", "KKR", 2e9)]
    # a chip noun ends the tail: the maker of the chips is still no party to the deal
    assert parties("CoreWeave will deploy 50,000 Nvidia Blackwell GPUs for Mistral.") == [
        ("chips", "Mistral", "CoreWeave", 5e4)]

def test_a_deal_valued_at_a_range_is_a_compute_deal():
    text = "Nebius said its GPU capacity agreement with Microsoft is now valued at between $4 billion and $5 billion."
    assert [(f.metric, f.subject, f.counterparty, f.value, f.value_max) for f in extract_facts(text)] == [
        ("compute_deal", "Microsoft", "Nebius", 4e9, 5e9)]


def test_reported_capital_expenditure_is_spend_not_infrastructure():
    # the annotation guide: a company's capex for a period is spend; one facility's budget is infrastructure
    assert parties("Oracle spent $9.1 billion on capital expenditures in the quarter.") == [
        ("spend", "Oracle", None, 9.1e9)]


def test_investing_in_a_data_centre_campus_is_infrastructure_of_the_builder():
    text = "Mistral AI will invest €2 billion ($2.3 billion) in a data-centre campus near Lyon."
    assert [(f.metric, f.subject, f.value) for f in extract_facts(text)] == [("infrastructure", "Mistral", 2.3e9)]


def test_money_invested_to_build_something_is_a_build_budget():
    text = "Equinix and its partner GIC will invest about $3.1 billion to build two campuses in Osaka."
    assert parties(text) == [("infrastructure", "Equinix", "GIC", 3.1e9)]
    # invested in a company, the money stays an investment whatever it is for
    assert parties("Amazon will invest $4 billion in Anthropic to build frontier models.") == [
        ("investment", "Anthropic", "Amazon", 4e9)]

@pytest.mark.parametrize("text", [
    "Meta guided 2027 capex to $80-85 billion.",
    "We now model 2028 capex of $700 billion for the big four.",
    "The company projects revenue of as much as $30 billion for 2027.",
    "Texas grid operator ERCOT says interconnection requests have topped 150 GW.",
])
def test_guidance_models_and_aggregates_are_not_facts(text):
    assert extract_facts(text) == []


def test_a_target_in_a_later_clause_leaves_the_reported_figure_alone():
    text = ("Nebius said its annualized run-rate revenue reached $1.4 billion at the end of June "
            "and reiterated a target of $8 billion of annual recurring revenue by the end of 2027.")
    assert parties(text) == [("revenue", "Nebius", None, 1.4e9)]


def test_a_sentence_opening_word_is_not_taken_for_a_short_name():
    text = ("Thinking Machines Lab raised $2 billion led by Andreessen Horowitz.\n\n"
            "Thinking about compute, the startup also said it will spend $500 million on chips.")
    assert {f.subject for f in extract_facts(text)} == {"Thinking Machines Lab"}
