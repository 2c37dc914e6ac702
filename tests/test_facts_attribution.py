"""Subject and counterparty come from sentence structure, by the contract's metric table."""
import pytest

from newsfacts.extractors.facts import extract_facts

from facts_helpers import roles


def test_investor_invests_in_company():
    assert roles("Amazon will invest $4B in Anthropic.") == [("investment", "Anthropic", "Amazon")]


def test_passive_investment():
    assert roles("$4 billion was invested in Anthropic by Amazon.") == [("investment", "Anthropic", "Amazon")]


def test_funding_round_led_by():
    assert roles("Anthropic raised $13B led by ICONIQ.") == [("funding_round", "Anthropic", "ICONIQ")]


def test_lead_named_in_the_next_sentence():
    text = "Anthropic raised $13 billion in September. The round was led by ICONIQ."
    assert roles(text) == [("funding_round", "Anthropic", "ICONIQ")]


def test_investor_leads_a_round_in_a_company():
    assert roles("Thrive Capital led a $6.6 billion round in OpenAI.") == [("funding_round", "OpenAI", "Thrive Capital")]


def test_round_and_valuation_in_one_sentence():
    assert roles("OpenAI raised $40 billion led by SoftBank at a $300 billion valuation.") == [
        ("funding_round", "OpenAI", "SoftBank"), ("valuation", "OpenAI", None)]


def test_possessive_commitment_to_a_cloud():
    assert roles("OpenAI's $30B commitment to Azure was confirmed.") == [("compute_deal", "OpenAI", "Microsoft")]


def test_provider_signing_with_customer_puts_the_customer_first():
    assert roles("Oracle signed a $300 billion cloud deal with OpenAI.") == [("compute_deal", "OpenAI", "Oracle")]


def test_neocloud_sells_to_hyperscaler():
    assert roles("Nebius signs $17.4 billion AI infrastructure deal with Microsoft") == [
        ("compute_deal", "Microsoft", "Nebius")]


def test_a_suppliers_own_report_names_its_customer_in_a_bullet_without_subject():
    """A neocloud's results list "Signed a … contract with Mistral": the report's company sells."""
    text = ("Halvard Cloud reports fourth-quarter results\n\n"
            "Halvard Cloud, a GPU cloud operator, said revenue rose.\n\n"
            "- Signed a $1.4 billion, three-year capacity contract with Mistral in October.\n")
    assert roles(text) == [("compute_deal", "Mistral", "Halvard Cloud")]


@pytest.mark.parametrize("text, taker, seller", [
    # a power company supplies the hyperscaler, though a hyperscaler sells compute
    ("Pinecrest Energy and Microsoft sign agreements for 600 MW to serve Microsoft's Ohio data centers",
     "Microsoft", "Pinecrest Energy"),
    # a hyperscaler takes power from a developer the lexicon does not know
    ("Oracle and Tallgrove signed a deal for 700 MW at the Abilene campus.", "Oracle", "Tallgrove"),
])
def test_power_goes_from_utilities_and_landlords_to_hyperscalers(text, taker, seller):
    assert roles(text) == [("power", taker, seller)]


def test_coordinated_parties():
    assert roles("Anthropic and Amazon said they would expand their collaboration for up to 5 gigawatts.") == [
        ("power", "Anthropic", "Amazon")]


def test_apposition_does_not_steal_the_subject():
    text = "Crusoe, the developer building OpenAI's site in Texas, has raised $1.38 billion led by Valor Equity Partners."
    assert roles(text) == [("funding_round", "Crusoe", "Valor Equity Partners")]


def test_spend_on_a_cloud():
    assert roles("Anthropic spent $2.66 billion on AWS through September.") == [("spend", "Anthropic", "Amazon")]


def test_revenue_belongs_to_the_company():
    assert roles("OpenAI's annualized revenue reached $13 billion.") == [("revenue", "OpenAI", None)]


def test_infrastructure_with_a_partner():
    text = "Anthropic announced a $50 billion commitment to build data centers in Texas with Fluidstack."
    assert roles(text) == [("infrastructure", "Anthropic", "Fluidstack")]


def test_aliases_are_canonical():
    assert roles("Microsoft invested $5 billion and Nvidia invested $10 billion in Anthropic.") == [
        ("investment", "Anthropic", "Microsoft"), ("investment", "Anthropic", "NVIDIA")]


def test_unknown_company_before_a_deal_verb():
    assert roles("Zephyr Compute raised $300 million led by Sequoia.") == [
        ("funding_round", "Zephyr Compute", "Sequoia")]


def test_unknown_company_is_recognised_everywhere_once_seen():
    text = "Mistral raised €1.7 billion ($2 billion) led by chip-equipment maker ASML. ASML invested €1.3 billion ($1.5 billion)."
    facts = extract_facts(text, None)
    assert [(f.metric, f.subject, f.counterparty) for f in facts] == [
        ("funding_round", "Mistral", "ASML"), ("investment", "Mistral", "ASML")]


def test_sentence_without_parties_inherits_them_from_the_one_before():
    text = ("OpenAI has signed a contract to buy $300 billion in computing power from Oracle. "
            "The contract will require 4.5 gigawatts of capacity.")
    assert roles(text) == [("compute_deal", "OpenAI", "Oracle"), ("power", "OpenAI", "Oracle")]


@pytest.mark.parametrize("text, subject", [
    ("Google has invested ~$3 billion in Anthropic.", "Anthropic"),
    ("Alphabet has invested ~$3 billion in Anthropic.", "Anthropic"),
])
def test_investment_subject(text, subject):
    assert roles(text)[0][1] == subject


def test_respectively_pairs_figures_with_names_in_order():
    text = ("OpenAI has signed compute deals with several suppliers. "
            "Broadcom and AMD deals were announced in gigawatts (10 GW and 6 GW respectively).")
    assert roles(text) == [("power", "OpenAI", "Broadcom"), ("power", "OpenAI", "AMD")]


def test_a_chip_maker_named_on_the_chips_is_not_the_counterparty():
    text = "Microsoft signed a five-year, $9.7 billion contract with IREN for access to Nvidia GB300 chips."
    assert roles(text) == [("compute_deal", "Microsoft", "IREN")]


def test_the_company_a_provider_builds_for_is_the_subject():
    text = "Fluidstack is building data centers for Anthropic as part of a $50 billion buildout."
    assert roles(text) == [("infrastructure", "Anthropic", "Fluidstack")]


def test_a_bare_figure_is_explained_by_the_next_sentence():
    text = "Two: $27 billion. Meta agreed a financing deal with Blue Owl Capital for its Hyperion campus."
    assert [(s, c) for m, s, c in roles(text)] == [("Meta", "Blue Owl")]


def test_listicle_item_takes_its_metric_from_the_title():
    text = "The biggest AI funding rounds of 2025\n\n1. OpenAI — $40 billion. The round closed in March.\n"
    assert roles(text) == [("funding_round", "OpenAI", None)]


def test_sentence_final_org_name_with_inner_capital_is_recognised():
    assert roles("Anthropic will use 300 megawatts of capacity from SpaceX.") == [("power", "Anthropic", "SpaceX")]


def test_the_lexicon_covers_utilities_neoclouds_and_the_full_names_filings_use():
    from newsfacts.extractors.facts.orgs import default_lexicon
    lexicon = default_lexicon()
    assert lexicon.canonical("Microsoft Corporation") == "Microsoft"
    assert lexicon.canonical("NVIDIA Corporation") == "NVIDIA"
    assert lexicon.kind("Dominion Energy") == "utility"
    assert lexicon.is_provider("Voltage Park")
    assert lexicon.canonical("Lambda Labs") == "Lambda"
    text = "Dominion Energy agreed to supply 1.5 GW to Voltage Park's Virginia campus."
    assert roles(text) == [("power", "Voltage Park", "Dominion Energy")]
