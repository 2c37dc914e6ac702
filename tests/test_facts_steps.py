"""The per-figure decision: a loop over named steps, the per-metric ones chosen by the registry."""
import json

import pytest

from newsfacts.extractors.facts import FactExtractor
from newsfacts.extractors.facts.registry import STEPS, RegistryError, default_registry, load_registry, registry_path
from newsfacts.extractors.facts.steps import PER_METRIC, SENTENCE_STEPS, TABLE_STEPS

TWO_DEALS = "Anthropic signed a deal with Google for 1 gigawatt of TPU capacity. Anthropic will also contract up to 2 gigawatts."
ROUND_AND_LEAD = "Stripe raised $1 billion in a new round. The round was led by Sequoia."
PART_OF_ROUND = "SpaceX contributed $2 billion of the round."


def registry_without_steps(tmp_path, *metrics):
    """The packaged registry with the named metrics' steps removed."""
    lines = []
    for line in registry_path().read_text(encoding="utf-8").splitlines():
        rec = json.loads(line)
        if rec.get("metric") in metrics:
            rec.pop("steps", None)
        lines.append(json.dumps(rec))
    path = tmp_path / "metrics.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def parties(extractor, text):
    return [(f.metric, f.subject, f.counterparty, f.value) for f in extractor.extract(text, "2025-01-01")]


def test_the_registry_names_exactly_the_per_metric_steps_of_the_loop():
    assert set(PER_METRIC) == set(STEPS)
    names = [s.name for s in SENTENCE_STEPS + TABLE_STEPS]
    assert len(set(names)) == len(set(SENTENCE_STEPS + TABLE_STEPS))   # one step, one name
    used = {step for name in default_registry().names for step in default_registry().get(name).steps}
    assert used == set(STEPS)   # every per-metric step is taken by some packaged metric


def test_a_metric_goes_through_the_steps_its_registry_entry_lists(tmp_path):
    packaged = FactExtractor()
    assert parties(packaged, TWO_DEALS) == [("power", "Anthropic", "Google", 1e9), ("power", "Anthropic", "Google", 2e9)]
    assert parties(packaged, ROUND_AND_LEAD) == [("funding_round", "Stripe", "Sequoia", 1e9)]
    assert parties(packaged, PART_OF_ROUND) == [("investment", "SpaceX", None, 2e9)]
    # the same registry with power's and funding_round's steps taken out: the steps do not run
    stripped = FactExtractor(registry_path=registry_without_steps(tmp_path, "power", "funding_round"))
    assert parties(stripped, TWO_DEALS) == [("power", "Anthropic", "Google", 1e9), ("power", "Anthropic", None, 2e9)]
    assert parties(stripped, ROUND_AND_LEAD) == [("funding_round", "Stripe", None, 1e9)]
    assert parties(stripped, PART_OF_ROUND) == [("funding_round", "SpaceX", None, 2e9)]


def test_an_unknown_step_fails_when_the_registry_loads(tmp_path):
    path = tmp_path / "metrics.jsonl"
    path.write_text(json.dumps({"metric": "acquisition", "units": ["USD"], "subject": "buyer",
                                "counterparty": "supplier", "measure": None, "measures": [],
                                "cues": ["acquire"], "steps": ["guess_the_buyer"]}) + "\n", encoding="utf-8")
    with pytest.raises(RegistryError, match="unknown step 'guess_the_buyer'"):
        load_registry(path)
