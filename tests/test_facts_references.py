"""How companies are referred to across an article: full names given once and shortened after,
definite descriptions ("the startup", "the Redmond-based firm"), appositions and tickers; and
the sections and phrasings that decide what a figure is (forecast headings, "values X at",
money paid for a stake)."""
from newsfacts.extractors.facts.metrics import forecast_sections
from newsfacts.extractors.facts.orgs import default_lexicon

from facts_helpers import parties

# -- names given once, in a sentence with no figure ------------------------------------------

def test_a_full_name_with_a_corporate_suffix_is_learnt_from_any_sentence():
    text = ("Five years ago, Lindqvist Robotics was two engineers in a garage. "
            "This spring Lindqvist closed a $300 million round led by Northwind Capital.")
    assert parties(text) == [("funding_round", "Lindqvist Robotics", "Northwind Capital", 3e8)]


def test_an_apposition_marks_an_unknown_company():
    text = ("Orlen Ridge, a Calgary-based operator of hydro-powered data centres, opened its first hall. "
            "Cohere will pay Orlen Ridge $450 million for capacity over three years.")
    assert parties(text) == [("compute_deal", "Cohere", "Orlen Ridge", 4.5e8)]


def test_a_stock_ticker_marks_an_unknown_company():
    text = ("Pellucid (Nasdaq: PLCD) reported results on Tuesday.\n\n"
            "- Annualised revenue run-rate: $1.1 billion.")
    assert parties(text) == [("revenue", "Pellucid", None, 1.1e9)]


def test_a_short_name_opening_a_sentence_is_the_company_when_used_alone_elsewhere():
    text = ("Brannock Digital, a Tulsa-based developer, signed a lease with Microsoft. "
            "Brannock has 900 megawatts of capacity in Oklahoma. Analysts said Brannock could list next year.")
    assert [(m, s) for m, s, c, v in parties(text)] == [("power", "Brannock Digital")]


def test_an_auxiliary_between_a_name_and_its_verb():
    text = "Quillon has committed $2 billion to Microsoft's Azure cloud over five years."
    assert parties(text) == [("compute_deal", "Quillon", "Microsoft", 2e9)]


def test_a_nationality_before_a_company_is_not_a_company():
    text = "Veloce AI signed a $700 million compute deal with Danish operator Fjordlys Compute."
    assert parties(text) == [("compute_deal", "Veloce AI", "Fjordlys Compute", 7e8)]


def test_an_ordinal_opening_a_sentence_is_not_a_company():
    text = ("Microsoft's deal with Corvane AI has two parts. First, Microsoft invested $2 billion in Corvane AI. "
            "Second, Microsoft agreed to provide $5 billion of Azure capacity to Corvane AI.")
    subjects = {s for m, s, c, v in parties(text)} | {c for m, s, c, v in parties(text)}
    assert "First" not in subjects and "Second" not in subjects


def test_unknown_companies_take_a_kind_from_their_last_word():
    lexicon = default_lexicon()
    assert lexicon.kind("Tessellate Cloud") == "provider"
    assert lexicon.kind("Halvard Labs") == "lab"
    assert lexicon.kind("Quarry Peak Partners") == "investor"
    assert lexicon.kind("Halden Power") == "utility"
    assert lexicon.kind("Tessellate") == "company"


# -- definite descriptions ---------------------------------------------------------------

def test_the_startup_is_the_lab_of_the_sentence_before():
    text = ("Corvane AI builds models for chemistry. "
            "Microsoft invested $2 billion in the startup in cash.")
    assert parties(text) == [("investment", "Corvane AI", "Microsoft", 2e9)]


def test_a_description_as_object_is_not_its_own_sentences_subject():
    text = ("Corvane AI said the new money valued it at $18 billion. "
            "Microsoft now owns roughly 27% of the company.")
    assert ("equity_stake", "Corvane AI", "Microsoft", 27.0) in parties(text)


def test_a_described_firm_opening_a_sentence_names_the_first_company_before():
    text = ("First, Microsoft invested $2 billion in Corvane AI. "
            "Second, the Redmond-based firm agreed to provide Azure capacity worth $10 billion to Corvane AI.")
    assert ("compute_deal", "Corvane AI", "Microsoft", 1e10) in parties(text)


def test_a_description_opening_a_clause_names_its_own_sentences_company():
    text = ("Verlaine AI will buy $1.3 billion of capacity from Cerebras, "
            "and the Abu Dhabi group will also take 200 megawatts at Cerebras's Oklahoma site.")
    assert ("power", "Verlaine AI", "Cerebras", 2e8) in parties(text)


def test_a_description_of_a_company_the_sentence_names_adds_no_party():
    text = ("Nebius shares jump after $2.7 billion Meta deal\n\n"
            "Nebius said Meta will pay about $2.7 billion over four years for AI infrastructure, "
            "the second big-tech contract for the Amsterdam-based neocloud this year.")
    assert parties(text) == [("compute_deal", "Meta", "Nebius", 2.7e9)]


# -- what a figure is --------------------------------------------------------------------

def test_figures_under_a_guidance_heading_are_forecasts():
    text = ("# Pellucid Cloud Q4 results\n\n## Reported\n\n- Revenue: $541 million.\n\n"
            "## Guidance (FY2026)\n\n- Revenue: $4.0–4.4 billion.\n- Capex: $9–11 billion.\n\n"
            "## Other notes\n\n- Pellucid Cloud signed a $700 million contract with Cohere.")
    values = [v for m, s, c, v in parties(text)]
    assert 5.41e8 in values and 7e8 in values
    assert 4e9 not in values and 9e9 not in values


def test_a_forward_looking_statements_section_holds_no_facts():
    text = ("Halvard Labs raises $1.4 billion\n\nHalvard Labs raised $1.4 billion led by Northwind Capital.\n\n"
            "Forward-Looking Statements\nThis release contains forward-looking statements, including its "
            "expectation to reach 1 gigawatt of compute by 2028 and revenue of $500 million in 2027.\n")
    assert [v for m, s, c, v in parties(text)] == [1.4e9]


def test_forecast_sections_keep_their_offsets_when_lower_case_is_longer():
    # "İ" lower-cases to two characters; the section must still start right after its heading
    text = "İstanbul İnşaat raised $200 million.\n\n## Outlook\n\nRevenue of $90 million is expected.\n"
    heading_end = text.index("## Outlook") + len("## Outlook")
    assert forecast_sections(text) == [(heading_end, len(text))]


def test_a_sentence_that_mentions_guidance_is_not_a_heading():
    text = "Pellucid raised its guidance after signing a $700 million contract with Cohere.\nMore text.\n"
    assert forecast_sections(text) == []


def test_values_a_company_at_is_a_valuation():
    text = "SoftBank will invest $3.6 billion in Kinross Digital. The deal values Kinross Digital at about $7.3 billion."
    assert ("valuation", "Kinross Digital", None, 7.3e9) in parties(text)


def test_money_paid_for_a_stake_is_an_investment():
    text = "Brightline Capital to take 30% stake in data center developer Oskar Digital for $900 million"
    assert ("investment", "Oskar Digital", "Brightline Capital", 9e8) in parties(text)


def test_power_contracted_from_a_utility_belongs_to_the_buyer():
    text = "Verdant Compute has contracted 400 megawatts from Halden Power for its Midland campus."
    assert parties(text) == [("power", "Verdant Compute", "Halden Power", 4e8)]


def test_a_numbered_markdown_heading_in_a_listicle_is_a_list_item():
    text = ("# The biggest AI compute deals of 2026\n\n## 1. Databricks and Google Cloud — $4B\n\n"
            "The contract runs five years.\n")
    assert parties(text) == [("compute_deal", "Databricks", "Google", 4e9)]


def test_a_table_header_naming_guidance_is_not_a_forecast_heading():
    text = "Company          Capex guidance    Reported\nPellucid Cloud   $9B               $2.1B\n"
    assert forecast_sections(text) == []


# -- pronouns and defined terms -----------------------------------------------------------

def test_first_person_in_a_company_post_is_the_company_named_first():
    text = ("# Scaling Quillon Labs: our next chapter with Oracle\n\n"
            "Today we are announcing an expansion of our partnership with Oracle. "
            "We will purchase $6.5 billion of cloud capacity from Oracle over five years.")
    assert parties(text) == [("compute_deal", "Quillon Labs", "Oracle", 6.5e9)]


def test_it_after_x_said_is_x():
    text = "Lambda said on Tuesday it had closed a $1.5 billion funding round led by TWG Global."
    assert parties(text) == [("funding_round", "Lambda", "TWG Global", 1.5e9)]


def test_a_sentence_opening_it_is_the_company_before_even_through_a_description():
    text = ("Lambda closed a funding round this week, the company said. "
            "It also disclosed a $4.1 billion agreement under which it will supply Microsoft with GPU capacity.")
    assert parties(text) == [("compute_deal", "Microsoft", "Lambda", 4.1e9)]


def test_it_is_is_about_a_thing():
    text = "Verdant Compute signed a deal with Microsoft. It is worth $2 billion over five years."
    assert all(s != "Verdant Compute" or c is not None for m, s, c, v in parties(text))


def test_a_term_a_filing_defines_is_that_company():
    text = ('On September 22, 2025, Pellucid Cloud, Inc. (the "Company") entered into an agreement with '
            'Microsoft Corporation ("Customer"), pursuant to which the Company will provide Customer with '
            'GPU cloud capacity for a total contract value of approximately $4.2 billion.')
    assert parties(text) == [("compute_deal", "Microsoft", "Pellucid Cloud", 4.2e9)]


def test_an_investor_the_article_is_about_invests_in_the_other_company():
    text = ("# How Amazon built its bet on Arclight Reasoning\n\n"
            "Amazon's backing of Arclight Reasoning, the San Francisco lab, came in stages. "
            "Amazon's first cheque came in 2024. Amazon later added more.\n\n"
            "- March 2024: Amazon makes an initial $500 million investment.\n")
    assert parties(text) == [("investment", "Arclight Reasoning", "Amazon", 5e8)]


def test_an_investors_part_of_someone_elses_round_is_an_investment():
    text = ("xAI said it had closed a five billion dollar equity round led by Valor Equity Partners. "
            "SpaceX contributed $2 billion of the round, xAI said.")
    assert parties(text) == [("funding_round", "xAI", "Valor Equity Partners", 5e9),
                             ("investment", "xAI", "SpaceX", 2e9)]


def test_chips_supplied_to_one_company_by_another_in_the_passive():
    text = ("Sable Robotics signed a contract with CoreWeave. Under the agreement, 22,000 GPUs are to be "
            "supplied to the robotics company by CoreWeave.")
    assert ("chips", "Sable Robotics", "CoreWeave", 22000) in parties(text)


def test_a_size_class_in_words_is_no_amount():
    assert parties("Labs expect hundred billion dollar clusters by 2027, Anthropic said.") == []
