"""Companies from industries the lexicon does not cover (airlines, pharma, telecoms, energy,
retail, property, mining), found from the text: their last word, their legal form and ticker,
their position in a parsed deal sentence; and descriptions ("the carrier", "the drugmaker")
resolved to a company of a fitting kind. Every sentence here is written for the test."""
from newsfacts.extractors.facts import extract_facts
from newsfacts.extractors.facts.orgs import default_lexicon

from facts_helpers import parties


def _names(text: str) -> set[str]:
    return {name for f in extract_facts(text) for name in (f.subject, f.counterparty) if name}


# -- a company's last word says it is one, and what kind ----------------------------------------

def test_an_industry_word_ending_a_name_marks_an_unknown_company():
    assert parties("Kestrava Pharma reported revenue of $2.3 billion for 2025.") == \
        [("revenue", "Kestrava Pharma", None, 2.3e9)]
    assert parties("Oakhurst Mining reported revenue of $870 million for the quarter.") == \
        [("revenue", "Oakhurst Mining", None, 8.7e8)]


def test_industry_words_give_the_kind_a_description_asks_for():
    lexicon = default_lexicon()
    assert lexicon.kind("Solvang Airways") == "airline"
    assert lexicon.kind("Kestrava Pharma") == "pharma"
    assert lexicon.kind("Brightwell Wireless") == "telecom"
    assert lexicon.kind("Harrowgate REIT") == "property"


# -- legal forms and tickers -------------------------------------------------------------------

def test_a_name_with_a_legal_form_and_a_ticker_is_one_company_without_the_form():
    text = ("Brightmoor Foods, Inc. (NYSE: BMF) today reported results for its second quarter.\n\n"
            "- Net sales of $3.2 billion.")
    assert parties(text) == [("revenue", "Brightmoor Foods", None, 3.2e9)]


def test_an_ampersand_and_a_legal_form_do_not_make_a_name_too_long():
    text = ("Tamsin Gas & Electric Co. (NYSE: TGE) today reported results for 2025.\n\n"
            "- Full-year operating revenue of $1.9 billion.")
    assert parties(text) == [("revenue", "Tamsin Gas & Electric", None, 1.9e9)]


def test_a_legal_form_alone_is_no_company():
    text = "Corrigan Telecom, Ltd. said it had raised $250 million from Harwell Capital."
    assert "Ltd." not in _names(text) and "Ltd" not in _names(text)


# -- names the parse puts in a deal frame --------------------------------------------------------

def test_a_dateline_does_not_hide_the_companies_of_the_first_sentence():
    text = ("LISBON - Corvada's $300 million investment in Tejo Verde has given the grocer room to "
            "open forty stores.")
    assert parties(text) == [("investment", "Tejo Verde", "Corvada", 3e8)]


def test_a_label_after_a_capitalised_word_is_no_name():
    text = ("On March 3 the Company sold 5 million shares of its Class B common stock to Ardent Partners "
            "for $90 million.")
    assert "Class" not in _names(text)


def test_reporting_abbreviations_are_no_companies():
    text = "Harlow Mining reported adjusted EPS of $1.20 and revenue of $3.4 billion for the year."
    assert ("revenue", "Harlow Mining", None, 3.4e9) in parties(text)
    assert "EPS" not in _names(text)


def test_a_heading_preposition_is_no_part_of_the_name():
    text = ("About Tessaro Renewables\n\n"
            "Tessaro Renewables, a Madrid-based developer, raised $80 million from Olmedo Capital.")
    assert all(not name.startswith("About") for name in _names(text))


# -- descriptions -------------------------------------------------------------------------------

def test_a_description_names_a_company_of_its_kind_not_an_investor():
    text = ("Orvane Capital said it would lead a new round for Talvik Therapeutics. "
            "The drugmaker reported revenue of $150 million for 2025.")
    assert parties(text) == [("revenue", "Talvik Therapeutics", None, 1.5e8)]


def test_a_description_after_a_preposition_is_not_its_own_sentences_subject():
    text = ("Halloway Air invested $900 million in Brisa Air last year. "
            "In May Halloway Air paid $200 million for more shares in the Porto-based carrier.")
    assert {v: c for m, s, c, v in parties(text)}[2e8] == "Brisa Air"
    text = ("Fenwick Telecom invested $900 million in Ostrava Mobile last year. "
            "In May the group paid $200 million for more shares in the Brno-based operator.")
    assert {v: c for m, s, c, v in parties(text)}[2e8] == "Ostrava Mobile"


def test_a_title_case_verb_ends_a_headline_name():
    text = ("Tamsin Gas & Electric Reports Record Results\n\n"
            "Tamsin Gas & Electric reported revenue of $2 billion for 2025.")
    assert parties(text) == [("revenue", "Tamsin Gas & Electric", None, 2e9)]


def test_a_capitalised_trust_after_a_name_is_no_description():
    text = ("Selangor Harbour REIT said GIC will buy a 20% interest in Meranti Logistics Trust, "
            "a deal that values Meranti Logistics Trust at $2.1 billion.")
    assert ("valuation", "Meranti Logistics Trust", None, 2.1e9) in parties(text)


# -- press releases and filings ----------------------------------------------------------------

def test_a_release_defines_two_terms_after_the_ticker():
    text = ('Ostlund Brands, Inc. (NASDAQ: OSTB) ("Ostlund" or the "Company") today reported results. '
            "The Company said net sales were $5.2 billion for the quarter, including Fairmead Grocers.")
    assert ("revenue", "Ostlund Brands", None, 5.2e9) in parties(text)


# -- appositions -------------------------------------------------------------------------------

def test_a_description_in_apposition_is_the_name_before_it():
    text = ("Arlen Resources has a stake in Vessa Mining, the copper miner that reported revenue of "
            "$900 million for 2025.")
    assert parties(text) == [("revenue", "Vessa Mining", None, 9e8)]


def test_a_name_after_a_unit_noun_is_a_company_and_no_short_form_of_its_parent():
    text = ("Kaldera posted record results. Its freight arm, Kaldera Logistics, ended June at an annualised "
            "revenue run-rate of $310 million. Kaldera reported revenue of $2.2 billion for the half.")
    assert parties(text) == [("revenue", "Kaldera Logistics", None, 3.1e8), ("revenue", "Kaldera", None, 2.2e9)]


def test_well_known_companies_of_other_industries_are_in_the_lexicon():
    lexicon = default_lexicon()
    assert lexicon.canonical("Deutsche Lufthansa") == "Lufthansa" and lexicon.kind("Lufthansa") == "airline"
    assert lexicon.kind("T-Mobile") == "telecom" and lexicon.kind("Rio Tinto") == "mining"
    assert parties("AT&T paid $1.2 billion for the spectrum licences.")[0][1] == "AT&T"


# -- pronouns ----------------------------------------------------------------------------------

def test_it_after_a_phrase_of_time_is_the_company_before():
    text = "Brenmoor Foods had a busy year. Last October it took a 25% stake in Calloway Dairy for $90 million."
    assert parties(text) == [("equity_stake", "Calloway Dairy", "Brenmoor Foods", 25.0),
                             ("investment", "Calloway Dairy", "Brenmoor Foods", 9e7)]


def test_its_after_a_phrase_of_time_waits_for_the_subject():
    text = ("Orvik Shipping chartered four vessels. In its annual report, Talmont Ports disclosed that it "
            "paid $70 million for cranes. Its revenue for the year was $640 million.")
    assert ("revenue", "Talmont Ports", None, 6.4e8) in parties(text)


# -- products ----------------------------------------------------------------------------------

def test_a_maker_before_a_model_number_is_no_party_of_the_order():
    text = "Meridel Airways has placed an order for 40 Embraer E195-E2 jets in a deal worth $3.1 billion."
    assert [(s, c) for m, s, c, v in parties(text)] in ([("Meridel Airways", None)], [("Meridel Airways", "Embraer")])


# -- forecasts and market statistics -------------------------------------------------------------

def test_expected_spending_and_analysts_expected_revenue_are_no_facts():
    assert parties("Calvera Telecom said it expects to spend $1.5 billion over three years on its network.") == []
    assert parties("Analysts at Pemberly Securities expect revenue to reach $2.4 billion in 2028 at "
                   "Ostra Pharma.") == []
    assert parties("Brokers put the likely price of a takeover of Hallam Stores at $900 million.") == []


def test_market_statistics_from_a_data_provider_are_no_facts():
    text = ("Kestrel Mining raised $60 million this week. Mining venture funding fell to $3.1 billion in 2025, "
            "according to data provider OreMetrics.")
    assert parties(text) == [("funding_round", "Kestrel Mining", None, 6e7)]
