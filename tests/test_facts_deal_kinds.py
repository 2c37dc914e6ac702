"""Investment, compute deal, spend or valuation: what the prose says a figure is."""
import pytest

from newsfacts.extractors.facts import extract_facts


def facts(text):
    return [(f.metric, f.subject, f.counterparty, f.value) for f in extract_facts(text, "2026-03-01")]


def test_a_round_that_values_a_company_gives_the_round_and_the_valuation():
    assert facts("Kestrel Labs raised $600 million in a round that values the start-up at $9.5 billion.") == [
        ("funding_round", "Kestrel Labs", None, 6e8), ("valuation", "Kestrel Labs", None, 9.5e9)]


def test_the_company_a_led_round_values_raised_it_and_the_leader_led_it():
    assert facts("Quillfeather Capital led a $300 million round that values Kestrel Labs at about $9.5 billion.") == [
        ("funding_round", "Kestrel Labs", "Quillfeather Capital", 3e8), ("valuation", "Kestrel Labs", None, 9.5e9)]


def test_an_agreement_to_buy_capacity_is_a_compute_deal():
    assert facts("G42 agreed to buy $1.3 billion of capacity from Cerebras.") == [
        ("compute_deal", "G42", "Cerebras", 1.3e9)]
    # a promise to pay under a contract is the contract's value
    assert facts("Under the agreement, Meta has committed to pay up to $14.2 billion to CoreWeave for capacity.")[0][0] \
        == "compute_deal"


@pytest.mark.parametrize("text, expected", [
    ("Cohere paid Vantor Compute $150 million on signing as a prepayment for the first year's capacity.",
     ("spend", "Cohere", "Vantor Compute", 1.5e8)),
    ("Vantor Compute disclosed that it paid NVIDIA $1.1 billion for GPUs and networking equipment.",
     ("spend", "Vantor Compute", "NVIDIA", 1.1e9)),
    ("Microsoft paid OpenAI $2 billion.", ("spend", "Microsoft", "OpenAI", 2e9)),
])
def test_money_paid_to_a_party_is_spend(text, expected):
    assert facts(text) == [expected]


def test_money_paid_for_a_stake_is_an_investment():
    assert facts("Advanced Micro Devices paid $140 million for a 7% stake in Tessellate Systems.") == [
        ("investment", "Tessellate Systems", "AMD", 1.4e8), ("equity_stake", "Tessellate Systems", "AMD", 7)]


def test_a_post_money_valuation_after_a_deal_is_a_valuation():
    found = facts("The deal's $18 billion post-money valuation is more than triple Orrery AI's last one.")
    assert [f[0] for f in found] == ["valuation"]
    # an agreement valued at a figure is the agreement's value
    assert facts("Microsoft's agreement with CoreWeave is now valued at $14.2 billion.")[0][0] == "compute_deal"


def test_a_financing_facility_to_build_is_infrastructure_with_the_financier():
    found = facts("Orison Cloud closed a $1.5 billion secured financing facility with Blue Owl Capital to fund "
                  "construction at its Texas campus.")
    assert [(f[0], f[1], f[3]) for f in found] == [("infrastructure", "Orison Cloud", 1.5e9)]


def test_a_word_inside_a_company_name_names_no_metric():
    # "Infrastructure" in "Oracle Cloud Infrastructure" is part of a name; the commitment is a deal
    found = facts("Kestrel Labs also commits $700 million to Oracle Cloud Infrastructure.")
    assert [(f[0], f[3]) for f in found] == [("compute_deal", 7e8)]


def test_money_spent_on_chips_is_spend_and_money_committed_to_build_is_infrastructure():
    assert [f[0] for f in facts("Kestrel Labs spent $610 million on 18,000 Nvidia B300 GPUs in December.")
            if f[3] == 6.1e8] == ["spend"]
    assert [f[0] for f in facts("Acme Cloud has committed $2.5 billion to build out its Childress campus.")] == [
        "infrastructure"]
    assert [f[0] for f in facts("Microsoft will invest roughly $80 billion this fiscal year to build out "
                                "AI-enabled data centers.")] == ["infrastructure"]


def metrics(text):
    return [(f.metric, f.value) for f in extract_facts(text, "2026-03-01")]


@pytest.mark.parametrize("text, value", [
    ("Solara Airways said it had firmed up an order for 60 Airbus A321neo jets valued at about $8.4 billion.", 8.4e9),
    ("Corvina Shipping ordered eight LNG carriers from Hanwha Ocean in a deal worth $2.1 billion.", 2.1e9),
    ("Netflix signed a ten-year deal with WWE for Raw worth $5 billion.", 5e9),
    ("Gulf Crescent Airways signed a $3.2 billion long-term services agreement with Rolls-Royce.", 3.2e9),
])
def test_a_purchase_of_anything_but_compute_is_spend(text, value):
    # the guide: compute_deal is only compute capacity or AI hardware; other purchases are spend
    assert metrics(text) == [("spend", value)]


@pytest.mark.parametrize("text", [
    "OpenAI signed a $300 billion deal with Oracle for cloud capacity.",
    "Kestrel agreed to buy $2 billion of GB300 servers from Dell.",
    "Meta signed a $14 billion deal with CoreWeave.",   # a compute provider is a party
])
def test_a_deal_for_compute_stays_a_compute_deal(text):
    assert [m for m, _ in metrics(text)] == ["compute_deal"]


def test_a_contract_of_a_compute_provider_the_article_is_about_is_a_compute_deal():
    text = ("Tessellate Cloud reported fourth-quarter results on Tuesday.\n\n"
            "Tessellate also announced a four-year, $2.7 billion contract with Cohere.")
    assert ("compute_deal", 2.7e9) in metrics(text)


@pytest.mark.parametrize("text, value", [
    ("Verizon's $9.6 billion purchase of Frontier Communications is still under review.", 9.6e9),
    ("Harbourside completed its acquisition of Pinegrove Markets for $2.3 billion in cash.", 2.3e9),
    ("Blackstone to buy warehouse landlord Keystone Industrial in $2.6bn deal", 2.6e9),
])
def test_buying_a_whole_company_is_spend(text, value):
    assert metrics(text) == [("spend", value)]


@pytest.mark.parametrize("text, value", [
    ("Glencore agreed to buy a 19.9% stake in Kinnear Copper, the Vancouver-based developer, for $300 million.", 3e8),
    ("Welltower will acquire a 49% membership interest in PropCo for cash consideration of $1.15 billion.", 1.15e9),
    ("In September NVIDIA bought about 3.6% of Intel for $4.2 billion.", 4.2e9),
    ("AstraZeneca will also purchase $50 million of Orison common stock at a premium.", 5e7),
])
def test_buying_part_of_a_company_is_an_investment(text, value):
    assert ("investment", value) in metrics(text)
    assert not any(m in ("spend", "compute_deal") for m, _ in metrics(text))


@pytest.mark.parametrize("text, subject, value", [
    ("That deal valued Anthropic at $183 billion, the company said at the time.", "Anthropic", 183e9),
    ("The deal values Tanjong Pacific Logistics Trust, which owns 58 warehouses around Sydney, at $4.2 billion.",
     "Tanjong Pacific Logistics Trust", 4.2e9),
    ("Tallypay raised $85 million in a deal that values the four-year-old company at $640 million.", "Tallypay", 6.4e8),
])
def test_a_deal_that_values_a_company_gives_a_valuation(text, subject, value):
    assert ("valuation", subject, None, value) in facts(text)


@pytest.mark.parametrize("text, value", [
    ("Orison Cloud said capital expenditures for the fourth quarter were $1.05 billion, "
     "primarily for GPU servers, networking and power equipment.", 1.05e9),
    ("Microsoft said capital expenditures, including finance leases, were $37.5 billion in its fiscal second quarter.",
     37.5e9),
    ("Larchmont Stores spent $390 million on capital projects in the first nine months, mostly store remodels.", 3.9e8),
])
def test_reported_capital_expenditure_is_spend_for_a_period(text, value):
    assert [(f.metric, f.value, f.measure) for f in extract_facts(text, "2026-03-01")] == [("spend", value, "period")]


def test_a_cue_in_a_time_clause_after_the_figure_does_not_name_it():
    text = ("Ridgeline Infrastructure Partners has committed $175 million of new equity to Northwind Fiber, "
            "bringing Ridgeline's total investment in Northwind Fiber to $420 million since its 2021 acquisition "
            "of the business.")
    assert [m for m, _ in metrics(text)] == ["investment", "investment"]


@pytest.mark.parametrize("text", [
    "Greyfriars Compute secures £1.2bn ($1.5bn) to build Teesside AI campus",
    "Verdant Peak Compute Closes $2.4 Billion Financing for Caprock AI Campus",
    "Meta lined up $29 billion of financing from PIMCO for its Hyperion data centre in Louisiana.",
])
def test_money_raised_for_one_facility_is_infrastructure(text):
    assert [m for m, _ in metrics(text)] == ["infrastructure"]


def test_a_named_round_for_a_build_stays_a_funding_round():
    assert [m for m, _ in metrics("Crusoe raised $1.4 billion in a Series E round to build its Abilene campus.")] == [
        "funding_round"]


def test_investing_in_a_plant_is_infrastructure():
    assert [m for m, _ in metrics("Glanbia will invest at least $260 million in a new cheese plant in Twin Falls.")] == [
        "infrastructure"]
