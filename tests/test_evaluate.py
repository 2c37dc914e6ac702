"""Gold scoring: three levels, one-to-one matching, 1% tolerance, readable output."""
import json
from pathlib import Path

import pytest

from newsfacts.extractors.evaluate import evaluate_gold

GOLD = Path(__file__).resolve().parent.parent / "fixtures" / "gold"


def write_gold(tmp_path, text, facts, published_at="2025-06-01"):
    (tmp_path / "doc.txt").write_text(text)
    gold = tmp_path / "gold.jsonl"
    gold.write_text(json.dumps({"doc": "doc.txt", "published_at": published_at, "facts": facts}) + "\n")
    return gold


def fact(subject, counterparty, metric, value, unit="USD", **extra):
    return dict(subject=subject, counterparty=counterparty, metric=metric, value=value, unit=unit,
                qualifier="exact", as_of=None, **extra)


def test_seed_gold_scores_at_least_0_90_attributed_f1():
    result = evaluate_gold(GOLD / "seeds.jsonl")
    assert result.scores["attributed"].f1 >= 0.90, result.render_text()


def test_levels_are_nested(tmp_path):
    gold = write_gold(tmp_path, "Amazon will invest $4B in Anthropic.", [
        fact("Anthropic", "Amazon", "investment", 4e9)])
    scores = evaluate_gold(gold).scores
    assert scores["figure"].f1 == scores["attributed"].f1 == scores["typed"].f1 == 1.0


def test_wrong_metric_fails_only_the_typed_level(tmp_path):
    gold = write_gold(tmp_path, "Amazon will invest $4B in Anthropic.", [
        fact("Anthropic", "Amazon", "compute_deal", 4e9)])
    result = evaluate_gold(gold)
    assert (result.scores["attributed"].f1, result.scores["typed"].f1) == (1.0, 0.0)
    assert len(result.misses["typed"]) == len(result.false_positives["typed"]) == 1


def test_wrong_counterparty_fails_attributed(tmp_path):
    gold = write_gold(tmp_path, "Amazon will invest $4B in Anthropic.", [
        fact("Anthropic", "Google", "investment", 4e9)])
    scores = evaluate_gold(gold).scores
    assert (scores["figure"].f1, scores["attributed"].f1) == (1.0, 0.0)


def test_aliases_compare_as_canonical_names(tmp_path):
    gold = write_gold(tmp_path, "Amazon will invest $4B in Anthropic.", [
        fact("anthropic", "AWS", "investment", 4e9)])
    assert evaluate_gold(gold).scores["attributed"].f1 == 1.0


def test_value_tolerance_is_one_percent(tmp_path):
    close = write_gold(tmp_path, "Amazon will invest $4B in Anthropic.", [fact("Anthropic", "Amazon", "investment", 4.03e9)])
    assert evaluate_gold(close).scores["figure"].true_positives == 1
    far = write_gold(tmp_path, "Amazon will invest $4B in Anthropic.", [fact("Anthropic", "Amazon", "investment", 4.1e9)])
    assert evaluate_gold(far).scores["figure"].true_positives == 0


def test_matching_is_one_to_one(tmp_path):
    gold = write_gold(tmp_path, "Amazon will invest $4B in Anthropic.", [
        fact("Anthropic", "Amazon", "investment", 4e9), fact("Anthropic", "Amazon", "investment", 4e9)])
    score = evaluate_gold(gold).scores["figure"]
    assert (score.true_positives, score.false_negatives, score.false_positives) == (1, 1, 0)
    assert score.precision == 1.0 and score.recall == 0.5


def test_non_usd_amount_without_conversion_is_unscored_and_listed(tmp_path):
    gold = write_gold(tmp_path, "Mistral raised €600 million led by General Catalyst.", [
        fact("Mistral", "General Catalyst", "funding_round", None, currency="EUR", amount=6e8)])
    result = evaluate_gold(gold)
    score = result.scores["figure"]
    assert (score.true_positives, score.false_positives, score.false_negatives) == (0, 0, 0)
    assert [f["amount"] for f in result.unscored["gold"]] == [6e8]
    assert result.unscored["found"] == []   # the extractor never emits a record without a value
    assert result.to_dict()["unscored_no_usd_value"]["gold"][0]["subject"] == "Mistral"
    assert "Unscored (no USD value), gold: 1" in result.render_text()


def test_converted_amount_is_scored_on_its_dollar_value(tmp_path):
    gold = write_gold(tmp_path, "Mistral raised €600 million ($700 million) led by General Catalyst.", [
        fact("Mistral", "General Catalyst", "funding_round", 7e8)])
    result = evaluate_gold(gold)
    assert result.scores["typed"].true_positives == 1 and not result.unscored["found"]


def test_empty_document_with_no_gold_facts_scores_perfectly(tmp_path):
    gold = write_gold(tmp_path, "Nothing to see here.", [])
    score = evaluate_gold(gold).scores["typed"]
    assert (score.precision, score.recall) == (1.0, 1.0)


def test_outputs(tmp_path):
    gold = write_gold(tmp_path, "Amazon will invest $4B in Anthropic. Oracle shares rose 5%.", [
        fact("Anthropic", "Amazon", "investment", 4e9), fact("OpenAI", "Oracle", "compute_deal", 3e11)])
    result = evaluate_gold(gold)
    record = result.to_dict()
    assert record["scores"]["attributed"] == {"precision": 1.0, "recall": 0.5, "f1": pytest.approx(0.6667, abs=1e-4),
                                             "tp": 1, "fp": 0, "fn": 1}
    assert record["misses"]["attributed"][0]["subject"] == "OpenAI"
    text = result.render_text()
    assert "attributed" in text and "Misses (attributed): 1" in text and "OpenAI" in text
    json.dumps(record)  # serialisable


def test_errors_are_reported_by_kind(tmp_path):
    text = ("Amazon will invest $4B in Anthropic. Google signed a $3B cloud deal with Meta. "
            "Meta raised $7 billion in new funding.")
    gold = write_gold(tmp_path, text, [
        fact("Anthropic", "Amazon", "investment", 4e9),       # found as written: no error
        fact("Google", "Meta", "compute_deal", 3e9),          # found as Meta's deal with Google: reversed
        fact("Meta", None, "revenue", 7e9),                   # found as a funding round: wrong metric
        fact("Anthropic", None, "valuation", 61.5e9)])        # not in the text: missed
    result = evaluate_gold(gold)
    kinds = {kind: len(items) for kind, items in result.errors.items()}
    assert kinds == {"reversed": 1, "wrong_party": 0, "wrong_metric": 1, "missed": 1, "spurious": 0}, kinds
    assert result.errors["reversed"][0]["found"]["subject"] == "Meta"
    assert "Errors by kind: reversed 1, wrong_party 0, wrong_metric 1, missed 1, spurious 0" in result.render_text()


def test_a_found_figure_that_gold_lacks_is_spurious_and_another_party_is_wrong_party(tmp_path):
    gold = write_gold(tmp_path, "Amazon will invest $4B in Anthropic and Google will invest $2B in Mistral.", [
        fact("Anthropic", "Microsoft", "investment", 4e9)])
    result = evaluate_gold(gold)
    assert [item["found"]["counterparty"] for item in result.errors["wrong_party"]] == ["Amazon"]
    assert [f["value"] for f in result.errors["spurious"]] == [2e9]


def test_measure_accuracy_counts_typed_matches_whose_gold_has_a_measure(tmp_path):
    text = "Microsoft has invested $13 billion in OpenAI in total. Amazon will invest $4B in Anthropic."
    gold = write_gold(tmp_path, text, [
        fact("OpenAI", "Microsoft", "investment", 13e9, measure="total"),
        fact("Anthropic", "Amazon", "investment", 4e9, measure="total")])   # an increment: disagrees
    result = evaluate_gold(gold)
    assert (result.measure_correct, len(result.measures)) == (1, 2)
    assert result.to_dict()["measure"]["wrong"][0]["gold_measure"] == "total"
    assert "Measure: 1 of 2 typed matches agree with gold" in result.render_text()
