"""Markdown and plain-text tables: subject from caption, row or column; date from the row."""
from extractors.facts import extract_facts

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
        ("infrastructure", "Microsoft", None, 80e9), ("infrastructure", "Google", None, 85e9)]


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
