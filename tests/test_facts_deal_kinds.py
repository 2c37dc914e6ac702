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
