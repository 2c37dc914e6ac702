"""Numbers that are not deal or capacity facts are never extracted."""
import pytest

from newsfacts.extractors.facts import extract_facts


@pytest.mark.parametrize("text", [
    "Anthropic was founded in 2021 and released Claude 3 in March 2024.",
    "The company trains on Trainium2, TPU v5e and H100 hardware.",
    "Trainium3 promises 4x performance and 40% better energy efficiency over Trainium2.",
    "Project Rainier spans 30 data centers on 1,200 acres, each 200,000 sq ft.",
    "CoreWeave had 2,100 employees and 11 founders at the end of 2024.",
    "ChatGPT has 800 million weekly users.",
    "Oracle shares rose 36% to $328.33 on Wednesday.",
    "Nvidia stock fell 3% after the report.",
    "For more information call 1-800-555-0199.",
    "Google Cloud signed a deal worth tens of billions of dollars with Anthropic.",
    "Anthropic signed a multibillion-dollar agreement with Amazon.",
    "Labs are building clusters measured in hundreds of thousands of chips.",
    "OpenAI's market value would be worth $1 trillion after an IPO.",
    "Revenue could reach $100 billion by 2028, analysts said.",
    "xAI denied reports that it is raising $10 billion at a $200 billion valuation.",
    "OpenAI is in talks to raise $40 billion from SoftBank.",
    "2026 projection: $20–26B in revenue.",
    "The stake would have been worth $14.6B at that valuation.",
    "Current-generation models cost ~$100M per training run.",
    "UltraServers hold 16 Trainium2 chips each.",
])
def test_not_a_fact(text):
    assert extract_facts(text, "2025-06-01") == []


def test_reported_speech_would_is_still_a_fact():
    facts = extract_facts("Amazon said it would invest up to $4 billion in Anthropic.", "2023-09-25")
    assert [(f.subject, f.counterparty, f.value) for f in facts] == [("Anthropic", "Amazon", 4e9)]


def test_month_name_may_is_not_a_hedge():
    facts = extract_facts("In May 2023, Anthropic raised $450 million led by Spark Capital.", None)
    assert [f.value for f in facts] == [450e6]


def test_lower_case_apple_in_prose_is_not_a_company():
    facts = extract_facts("The lab will spend $2 billion on compute, an apple-to-apple comparison.", None)
    assert all(f.subject != "Apple" and f.counterparty != "Apple" for f in facts)
