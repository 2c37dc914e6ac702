"""Markdown and plain-text tables: subject from caption, row or column; date from the row."""
import pytest

from newsfacts.extractors.facts import extract_facts
from newsfacts.extractors.facts.figures import header_unit
from newsfacts.extractors.facts.tables import find_tables, may_hold_table

TRANCHES = """Amazon has invested $8 billion in Anthropic across three tranches:

| Date | Amount |
|------|--------|
| September 2023 | $1.25B |
| March 2024 | $2.75B |
| November 2024 | $4B additional |
"""

ROUNDS = """## Funding

Anthropic's rounds so far:

| Round | Date | Amount | Valuation | Key Investors |
|-------|------|--------|-----------|---------------|
| Series E | Mar 2025 | $3.5B | $61.5B | Lightspeed Venture Partners |
| Series F | Sep 2025 | $13B | $183B | Goldman Sachs Asset Management |
| Microsoft + NVIDIA | Nov 2025 | $15B | ~$350B | Microsoft ($5B), NVIDIA ($10B) |
"""

COMPARISON = """| Dimension | Anthropic | OpenAI |
|-----------|-----------|--------|
| **Valuation** | $350B (Jan 2026) | ~$300B (late 2025) |
| **Revenue** | ~$9B ARR (end 2025) | ~$12B+ ARR (end 2025) |
"""

CAPEX = """Capital expenditure guidance for 2025, by company.

| Company | 2025 capex guidance |
|---|---|
| Microsoft | $80B |
| Alphabet | $85B |
"""

BACKLOG = "Provider\tCustomer\tContract value\nCoreWeave\tOpenAI\t$22.4B\nNebius\tMicrosoft\t$17.4B\n"


def rows(text):
    return [(f.metric, f.subject, f.counterparty, f.value, f.as_of) for f in extract_facts(text, "2026-01-31")]


def test_rows_take_their_subject_from_the_caption_and_date_from_the_row():
    assert rows(TRANCHES) == [
        ("investment", "Anthropic", "Amazon", 8e9, "2026-01-31"),
        ("investment", "Anthropic", "Amazon", 1.25e9, "2023-09"),
        ("investment", "Anthropic", "Amazon", 2.75e9, "2024-03"),
        ("investment", "Anthropic", "Amazon", 4e9, "2024-11"),
    ]


def test_column_header_names_the_metric_and_the_investor_column_the_lead():
    facts = rows(ROUNDS)
    assert ("funding_round", "Anthropic", "Lightspeed", 3.5e9, "2025-03") in facts
    assert ("valuation", "Anthropic", None, 61.5e9, "2025-03") in facts
    assert ("funding_round", "Anthropic", "Goldman Sachs", 13e9, "2025-09") in facts
    # two investors named in the row: their joint cheque has no single counterparty
    assert ("investment", "Anthropic", None, 15e9, "2025-11") in facts
    # each investor's own amount, in parentheses after its name
    assert ("investment", "Anthropic", "Microsoft", 5e9, "2025-11") in facts
    assert ("investment", "Anthropic", "NVIDIA", 10e9, "2025-11") in facts


def test_organisations_as_column_headers_are_subjects():
    facts = rows(COMPARISON)
    assert [(m, s, v) for m, s, c, v, d in facts] == [
        ("valuation", "Anthropic", 350e9), ("valuation", "OpenAI", 300e9),
        ("revenue", "Anthropic", 9e9), ("revenue", "OpenAI", 12e9)]


def test_company_column_rows_are_subjects():
    assert [(m, s, c, v) for m, s, c, v, d in rows(CAPEX)] == [
        ("spend", "Microsoft", None, 80e9), ("spend", "Google", None, 85e9)]


def test_tab_separated_table_with_customer_and_provider_columns():
    assert [(m, s, c, v) for m, s, c, v, d in rows(BACKLOG)] == [
        ("compute_deal", "OpenAI", "CoreWeave", 22.4e9), ("compute_deal", "Microsoft", "Nebius", 17.4e9)]


PLAIN = """Q3 AI mega-rounds

Company | Lead | Amount | Post-money valuation
Reflection AI | Nvidia | $2B | $8B
Zephyrine | ASML | $1B | $5B
"""


def test_pipe_table_without_outer_pipes_and_unknown_names_in_role_columns():
    assert [(m, s, c, v) for m, s, c, v, d in rows(PLAIN)] == [
        ("funding_round", "Reflection AI", "NVIDIA", 2e9), ("valuation", "Reflection AI", None, 8e9),
        ("funding_round", "Zephyrine", "ASML", 1e9), ("valuation", "Zephyrine", None, 5e9)]


def test_a_person_in_the_investor_column_is_no_counterparty():
    table = "Anthropic's rounds:\n\n| Round | Amount | Key Investors |\n|---|---|---|\n| Series A | $124M | Jaan Tallinn |\n"
    assert [(m, s, c) for m, s, c, v, d in rows(table)] == [("funding_round", "Anthropic", None)]


def test_a_row_with_an_estimate_is_no_fact():
    table = "Provider\tCustomer\tContract value\nNscale\tMicrosoft\t$14B (est.)\n"
    assert rows(table) == []


# -- plain-text tables aligned with spaces ----------------------------------------------------

RULED = """## Accelerators

Chip supply agreements signed this quarter:

Buyer                   Vendor      Chip             Units      Power
----------------------  ----------  ---------------  ---------  -------
Lumora AI               Cerebras    WSE-3            ~12K       150 MW
Ostrava Robotics Group  Groq        LPU (v2)         40,000     n.d.
Pellucid                                             8,000

Figures are company statements.
"""


def cells(row):
    return [cell.text for cell in row.cells]


def test_aligned_table_under_a_dash_rule_is_split_on_the_rule_groups():
    found = find_tables(RULED)
    assert [cells(row) for row in found] == [
        ["Buyer", "Vendor", "Chip", "Units", "Power"],
        ["Lumora AI", "Cerebras", "WSE-3", "~12K", "150 MW"],
        ["Ostrava Robotics Group", "Groq", "LPU (v2)", "40,000", "n.d."],
        ["Pellucid", "", "", "8,000", ""],   # empty cells stay in their columns
    ]
    assert [row.is_header for row in found] == [True, False, False, False]
    header = found[0].cells
    assert all(row.header == header for row in found)
    assert found[1].column_name(3) == "Units"


def test_aligned_cells_have_offsets_into_the_text_and_the_rule_line_is_no_row():
    found = find_tables(RULED)
    for row in found:
        assert RULED[row.start:row.end] == RULED[row.start:].split("\n", 1)[0]
        for cell in row.cells:
            assert RULED[cell.start:cell.end] == cell.text
    rule = RULED.index("------")
    assert all(not row.start <= rule < row.end for row in found)
    groq = RULED.index("Groq")
    assert found[2].cell_at(groq) == 1
    assert found[2].cell_at(RULED.index("40,000")) == 3


def test_aligned_table_caption_and_heading_follow_the_pipe_rule():
    row = find_tables(RULED)[1]
    assert RULED[row.caption[0]:row.caption[1]] == "Chip supply agreements signed this quarter:"
    assert row.heading == "Accelerators"


def test_aligned_table_ends_at_the_first_blank_line():
    found = find_tables(RULED)
    assert found[-1].cells[0].text == "Pellucid"
    assert all(row.start < RULED.index("Figures are") for row in found)


def test_aligned_table_ends_at_a_line_that_does_not_fit_its_columns():
    text = ("Vendor      Amount\n----------  -------\nCerebras    $1B\nGroq        $2B\n"
            "The two deals were announced on the same day, the companies said.\n")
    assert [cells(row) for row in find_tables(text)] == [["Vendor", "Amount"], ["Cerebras", "$1B"], ["Groq", "$2B"]]


def test_text_overflowing_a_column_lands_in_its_own_cell():
    text = ("Buyer       Vendor    Amount\n"
            "----------  --------  ------\n"
            "Ostrava Robotics  Groq  $40M\n"        # the first cell runs 6 past its rule group
            "Pellucid Labs  Cerebras  $900M\n"      # 3 past, the next cells pushed right
            "Lumora AI   Groq Cloud $1.25B\n")      # one space before a cell starting at its column
    assert [cells(row) for row in find_tables(text)][1:] == [
        ["Ostrava Robotics", "Groq", "$40M"],
        ["Pellucid Labs", "Cerebras", "$900M"],
        ["Lumora AI", "Groq Cloud", "$1.25B"],
    ]


UNRULED = """Recent rounds:

Company          Lead investor       Amount     Date
Lumora AI        Corvane Capital     $1.2B      March 2026
Ostrava Robotics Keystone Ventures   $450M      April 2025
Pellucid         Northstar           $80M       May 2025
"""


def test_aligned_table_without_a_rule_needs_columns_that_agree():
    found = find_tables(UNRULED)
    assert [cells(row) for row in found] == [
        ["Company", "Lead investor", "Amount", "Date"],
        ["Lumora AI", "Corvane Capital", "$1.2B", "March 2026"],
        # a single space before a cell that starts exactly at its column
        ["Ostrava Robotics", "Keystone Ventures", "$450M", "April 2025"],
        ["Pellucid", "Northstar", "$80M", "May 2025"],
    ]
    assert found[0].is_header and not any(row.is_header for row in found[1:])
    for row in found:
        for cell in row.cells:
            assert UNRULED[cell.start:cell.end] == cell.text
    assert UNRULED[found[1].caption[0]:found[1].caption[1]] == "Recent rounds:"


def test_aligned_lines_without_a_rule_are_conservative():
    # two lines only: a header and one row are not enough
    assert find_tables("Company    Lead       Amount\nLumora AI  Corvane    $1.2B\n") == []
    # two columns only
    assert find_tables("Company    Amount\nLumora AI  $1.2B\nPellucid   $80M\n") == []
    # cells that do not start where the header's do
    assert find_tables("Company    Lead       Amount\nLumora AI    Corvane  $1.2B\nPellucid  Northstar    $80M\n") == []


def test_prose_with_double_spaces_is_no_table():
    prose = ("Lumora AI raised $1.2B in March.  Corvane Capital led the round.  The company\n"
             "said the money would pay for compute.  Cerebras also joined.  Analysts\n"
             "expect more rounds this year.  Groq declined to comment.  Shares rose.\n")
    assert find_tables(prose) == []
    wrapped = ("The deal  was signed  in March\nand the  terms were  not disclosed\n"
               "by either  of the  companies involved\n")
    assert find_tables(wrapped) == []
    assert find_tables("Title\n-----\n\nA setext heading is no rule line.\n") == []


def test_may_hold_table_is_a_cheap_superset():
    assert may_hold_table("| a | b |") and may_hold_table("a\tb")
    assert may_hold_table(RULED) and may_hold_table(UNRULED)
    assert not may_hold_table("Lumora AI raised $1.2B.  Corvane Capital led.\n\n---\n\nMore -- later.\n")
    for text in (RULED, UNRULED, TRANCHES, BACKLOG):
        assert may_hold_table(text) == bool(find_tables(text))


def test_pathological_spacing_is_fast():
    import time

    text = ("word  " * 5000 + "\n" + "x\n") * 3 + ("-- " * 5000 + "y\n") * 3
    started = time.perf_counter()
    assert find_tables(text) == [] and not may_hold_table(text)
    assert time.perf_counter() - started < 0.5


def facts_of(extractor, text):
    return [(f.metric, f.subject, f.counterparty, f.value, f.as_of) for f in extractor.extract(text, "2026-01-31")]


def test_aligned_compute_table_rows_name_customer_and_provider(extractor):
    table = """Compute contracts signed in the quarter.

Customer          Provider         Contract value
----------------  ---------------  --------------
Anthropic         Fluidstack       $2.5B
Mistral AI        Nebius           $900M
"""
    assert [(m, s, c, v) for m, s, c, v, d in facts_of(extractor, table)] == [
        ("compute_deal", "Anthropic", "Fluidstack", 2.5e9), ("compute_deal", "Mistral", "Nebius", 900e6)]
    assert facts_of(extractor, table) == facts_of(extractor, _as_tabs(table))


def _as_tabs(text: str) -> str:
    """The same table, tab-separated (the rule line dropped)."""
    lines = text.split("\n")
    for row in reversed(find_tables(text)):
        k = text.count("\n", 0, row.start)
        lines[k] = "\t".join(cell.text for cell in row.cells)
    return "\n".join(line for line in lines if not line.startswith("----"))


def test_money_column_under_a_caption_sentence(extractor):
    table = """Corvane Capital has invested $3 billion in Lumora AI across three tranches:

Date             Amount
---------------  ------------
February 2024    $500M
October 2024     $1B
June 2025        $1.5B
"""
    assert facts_of(extractor, table) == [
        ("investment", "Lumora AI", "Corvane Capital", 3e9, "2026-01-31"),
        ("investment", "Lumora AI", "Corvane Capital", 500e6, "2024-02"),
        ("investment", "Lumora AI", "Corvane Capital", 1e9, "2024-10"),
        ("investment", "Lumora AI", "Corvane Capital", 1.5e9, "2025-06"),
    ]


def test_aligned_table_without_rule_reads_like_its_pipe_twin(extractor):
    pipes = "\n".join(" | ".join(cells(row)) for row in find_tables(UNRULED))
    expected = [
        ("funding_round", "Lumora AI", "Corvane Capital", 1.2e9, "2026-03"),
        ("funding_round", "Ostrava Robotics", "Keystone Ventures", 450e6, "2025-04"),
        ("funding_round", "Pellucid", "Northstar", 80e6, "2025-05"),
    ]
    assert facts_of(extractor, UNRULED) == expected
    assert facts_of(extractor, "Recent rounds:\n\n" + pipes + "\n") == expected


CAPEX_TABLE = """Hyperscalers raised their capital spending again in the third quarter, company filings show.

| Company | Q3 2025 | Change |
|---|---|---|
| Microsoft | $34.9 billion | +74% |
| Meta | $19.4 billion | +111% |
"""


def test_a_capital_spending_table_is_not_funding_rounds():
    # the column says nothing; the sentence introducing the table names capital spending,
    # which is more specific than its verb "raised"; reported capex is spend
    facts = extract_facts(CAPEX_TABLE, "2025-11-01")
    assert [(f.metric, f.subject, f.value) for f in facts] == [
        ("spend", "Microsoft", 34.9e9), ("spend", "Meta", 19.4e9)]


def test_a_contract_backlog_table_gives_no_facts():
    text = ("Neoclouds disclosed their contract backlog alongside quarterly results.\n\n"
            "| Company | Amount | Quarter |\n|---|---|---|\n"
            "| CoreWeave | $55.6 billion | Q3 2025 |\n| Nebius | $4.2 billion | Q3 2025 |\n")
    assert extract_facts(text, "2025-11-01") == []
    header = "| Company | Backlog |\n|---|---|\n| CoreWeave | $55.6 billion |\n| Nebius | $4.2 billion |\n"
    assert extract_facts("Neoclouds reported results.\n\n" + header, "2025-11-01") == []


def test_the_column_header_gives_the_measure():
    text = ("Funding of AI labs, as of November 2025:\n\n| Company | Total raised | Latest round |\n|---|---|---|\n"
            "| Anthropic | $33.7 billion | $13 billion |\n")
    facts = extract_facts(text, "2025-11-01")
    assert [(f.metric, f.value, f.measure) for f in facts] == [
        ("funding_round", 33.7e9, "total"), ("funding_round", 13e9, "increment")]


PPA_TABLE = """Corporate buyers kept signing power purchase agreements in the fourth quarter.

| Date announced | Buyer | Seller | Technology | Contracted capacity (MW) | Term (years) |
|---|---|---|---|---|---|
| 2025-10-07 | Amazon | Ørsted | Offshore wind | 476 | 15 |
| 2025-10-22 | Holloway Steel | Statkraft | Solar | 300 | 12 |
"""


def test_bare_numbers_take_their_unit_from_the_column_header_and_parties_from_role_columns():
    facts = extract_facts(PPA_TABLE, "2026-01-20")
    assert [(f.metric, f.subject, f.counterparty, f.value) for f in facts] == [
        ("power", "Amazon", "Ørsted", 476e6), ("power", "Holloway Steel", "Statkraft", 300e6)]


BUILD_TABLE = """Capacity is critical IT load; capex is the developer's stated construction budget for the phase.

Month  Developer              Tenant      Location          IT load   Capex (US$bn)
-----  ---------------------  ----------  ----------------  --------  -------------
Jan    Vantage Data Centers   Oracle      Frankfurt, DE     96 MW     1.8
Feb    Ironbark Digital       Amazon      Lake Mills, WI    600 MW    9.2
"""


def test_a_developer_and_tenant_table_gives_the_tenant_power_and_the_developer_a_build_budget():
    facts = {(f.metric, f.subject, f.counterparty, f.value) for f in extract_facts(BUILD_TABLE, "2026-03-01")}
    assert facts == {("power", "Oracle", "Vantage Data Centers", 96e6),
                     ("infrastructure", "Vantage Data Centers", "Oracle", 1.8e9),
                     ("power", "Amazon", "Ironbark Digital", 600e6),
                     ("infrastructure", "Ironbark Digital", "Amazon", 9.2e9)}


DEALS_TABLE = """The table lists the largest transactions we tracked; prices are as disclosed by the buyers.

| Date | Buyer | Target / asset | Stake | Price (US$m) |
|---|---|---|---|---|
| Feb 12 | Northgate Media | Lantern Audio | 100% | 410 |
| Feb 19 | Bertelsmann | Ravenscar Studios | 25% | 180 |
| Feb 27 | Paramount | Pan-Pacific Rugby League | rights | 2,400 |
"""


def test_a_deals_table_gives_spend_for_a_purchase_and_investment_for_part_of_a_company():
    facts = [(f.metric, f.subject, f.counterparty, f.value) for f in extract_facts(DEALS_TABLE, "2026-03-01")
             if f.unit == "USD"]
    assert facts == [("spend", "Northgate Media", "Lantern Audio", 410e6),
                     ("investment", "Ravenscar Studios", "Bertelsmann", 180e6),
                     ("spend", "Paramount", "Pan-Pacific Rugby League", 2.4e9)]


@pytest.mark.parametrize("header, unit", [
    ("Price (US$m)", ("USD", 1e6, "USD")), ("Capex (US$bn)", ("USD", 1e9, "USD")),
    ("Contracted capacity (MW)", ("W", 1e6, "")), ("MW", ("W", 1e6, "")), ("Value (€m)", ("USD", 1e6, "EUR")),
    ("Term (years)", None), ("Stake acquired", None), ("Date", None)])
def test_the_unit_a_column_header_names(header, unit):
    assert header_unit(header) == unit
