"""Document-level behaviour: dedupe, as_of, batches, the Fact record."""
from dataclasses import replace

from newsfacts.extractors.facts import Fact, FactExtractor, extract_facts
from newsfacts.extractors.facts.extractor import shared_extractor
from newsfacts.extractors.facts.merging import dedupe

ARTICLE = """Anthropic and Amazon lock in 5 gigawatts of compute

Amazon has committed 5 gigawatts of compute capacity to a dramatically expanded partnership with Anthropic.

Five gigawatts is not a chip count, it is a power utility metric.
"""


def test_a_figure_repeated_in_headline_and_body_is_one_fact():
    facts = extract_facts(ARTICLE, "2026-06-03")
    assert [(f.metric, f.subject, f.counterparty, f.value) for f in facts] == [
        ("power", "Anthropic", "Amazon", 5e9)]


def test_a_repeat_read_as_another_metric_does_not_turn_the_deal_around():
    """The body repeats the headline's $100 billion as Amazon's "infrastructure investment":
    read as infrastructure, Amazon builds with Anthropic; the compute deal stays Anthropic's."""
    text = ("Anthropic and Amazon lock in a $100 billion compute deal\n\n"
            "Amazon has expanded its partnership with Anthropic, committing approximately $100 billion "
            "in infrastructure investment.\n")
    facts = extract_facts(text, "2026-06-03")
    assert [(f.metric, f.subject, f.counterparty) for f in facts] == [("compute_deal", "Anthropic", "Amazon")]


def test_a_repeat_read_less_surely_does_not_turn_around_parties_the_parse_read():
    """"an $11 billion AWS data center campus": the parse names the owner; a summary table's
    row read with the article's main company as subject must not turn it around."""
    [first] = extract_facts("Project Rainier is an $11 billion AWS data center campus in Indiana.", "2026-01-31")
    assert (first.subject, first.counterparty, first.confidence) == ("Amazon", None, 1.0)
    row = replace(first, subject="Anthropic", counterparty="Amazon", confidence=0.8, span=(500, 504))
    assert [(f.subject, f.counterparty) for f in dedupe([first, row])] == [("Amazon", None)]
    assert [(f.subject, f.counterparty) for f in dedupe([replace(first, confidence=0.9), row])] == \
        [("Anthropic", "Amazon")]   # neither was read from the parse: the one naming more parties


def test_as_of_from_the_sentence():
    facts = extract_facts("On April 20, Anthropic and Amazon expanded their deal to 5 gigawatts.", "2026-05-08")
    assert facts[0].as_of == "2026-04-20"


def test_as_of_month_and_year():
    facts = extract_facts("In November 2024, Amazon invested $4 billion in Anthropic.", "2026-01-31")
    assert facts[0].as_of == "2024-11"


def test_as_of_year():
    facts = extract_facts("In 2023, Amazon poured up to $4 billion into Anthropic.", "2026-06-03")
    assert facts[0].as_of == "2023"


def test_as_of_falls_back_to_the_published_date():
    facts = extract_facts("Amazon will invest $4 billion in Anthropic.", "2025-03-01")
    assert facts[0].as_of == "2025-03-01"


def test_a_day_without_year_after_publication_is_last_year():
    facts = extract_facts("On December 3, Amazon invested $4 billion in Anthropic.", "2026-01-15")
    assert facts[0].as_of == "2025-12-03"


def test_extract_many_keeps_order_and_dates():
    docs = [("Amazon will invest $4B in Anthropic.", "2023-09-25"), ("No figures here.", None),
            ("Google invested $2 billion in Anthropic.", "2023-10-27")]
    results = list(shared_extractor().extract_many(docs))
    assert [[(f.counterparty, f.as_of) for f in facts] for facts in results] == [
        [("Amazon", "2023-09-25")], [], [("Google", "2023-10-27")]]


def test_fact_record_matches_the_contract():
    fact = extract_facts("Amazon will invest about $4 billion in Anthropic.", "2023-09-25")[0]
    assert isinstance(fact, Fact)
    record = fact.to_dict()
    assert set(record) == {"subject", "counterparty", "metric", "value", "unit", "qualifier", "sentence", "as_of",
                           "span", "value_max", "chip_type", "currency", "amount", "confidence", "measure"}
    assert record["sentence"] == "Amazon will invest about $4 billion in Anthropic."
    assert record["qualifier"] == "approx"
    assert 0 < record["confidence"] <= 1


def test_an_extra_org_file_extends_the_lexicon(tmp_path):
    extra = tmp_path / "orgs.jsonl"
    extra.write_text('{"name": "Zed Labs", "aliases": ["Zed Labs", "ZedAI"], "kind": "lab"}\n')
    facts = FactExtractor(extra_org_files=[extra]).extract("Google invested $1 billion in ZedAI.")
    assert [(f.subject, f.counterparty) for f in facts] == [("Zed Labs", "Google")]
