"""The metric registry: metrics as data, loaded strictly, extended by one entry."""
import json
import shutil

import pytest

from newsfacts.extractors.facts import FactExtractor
from newsfacts.extractors.facts.registry import MEASURES, RegistryError, default_registry, load_registry, registry_path

# a metric the packaged registry lacks (buying a whole company is spend there)
DIVIDEND = {"metric": "dividend", "units": ["USD"], "subject": "owner", "counterparty": None,
            "measure": "period", "measures": ["period", "rate"], "cues": ["dividend", "dividends"],
            "note": "What a company pays its shareholders."}


def registry_with(tmp_path, *records, base=True):
    path = tmp_path / "metrics.jsonl"
    if base:
        shutil.copy(registry_path(), path)
    with path.open("a", encoding="utf-8") as out:
        for rec in records:
            out.write((rec if isinstance(rec, str) else json.dumps(rec)) + "\n")
    return path


def test_the_packaged_registry_holds_every_metric_with_its_roles():
    registry = default_registry()
    assert set(registry.names) == {"investment", "funding_round", "valuation", "compute_deal", "infrastructure",
                                   "revenue", "spend", "power", "chips", "equity_stake"}
    assert registry.roles("investment") == ("investee", "investor")
    assert registry.roles("compute_deal") == ("buyer", "supplier")
    assert registry.roles("valuation") == ("valued", None)
    assert registry.get("revenue").measure == "period" and registry.get("power").measure is None
    assert set(registry.measure_cues) <= set(MEASURES)


def test_a_new_metric_is_one_registry_entry_and_works_end_to_end(tmp_path):
    extractor = FactExtractor(registry_path=registry_with(tmp_path, DIVIDEND))
    text = "Northwind Holdings declared a special dividend of $2 billion."
    facts = extractor.extract(text, "2025-05-01")
    assert [(f.metric, f.subject, f.counterparty, f.value, f.measure) for f in facts] == [
        ("dividend", "Northwind Holdings", None, 2e9, "period")]
    # the packaged extractor knows no dividends
    assert FactExtractor().extract(text) == []


def test_asking_for_a_metric_the_registry_lacks_fails_loudly():
    with pytest.raises(RegistryError, match="unknown metric 'headcount'"):
        default_registry().get("headcount")


@pytest.mark.parametrize("record, message", [
    ("{not json", "not JSON"),
    (dict(DIVIDEND, units=["EUR"]), "unknown unit 'EUR'"),
    (dict(DIVIDEND, subject="shareholder"), "unknown role 'shareholder'"),
    (dict(DIVIDEND, measure="lifetime"), "unknown measure 'lifetime'"),
    (dict(DIVIDEND, measure="total"), "default measure 'total' is not one of its measures"),
    (dict(DIVIDEND, cues=[]), "needs cues"),
    (dict(DIVIDEND, cues=["invest"]), "cue 'invest' names both investment and dividend"),
    (dict(DIVIDEND, colour="blue"), "unknown field"),
    ({k: v for k, v in DIVIDEND.items() if k != "subject"}, "missing field"),
    (dict(DIVIDEND, metric="investment"), "defined twice"),
    (dict(DIVIDEND, metric="Acquisition"), "a name is lower-case"),
    ({"metric": "acreage", "units": ["count"], "subject": "owner", "counterparty": None, "measure": None,
      "measures": [], "cues": []}, "decided alone by several metrics"),
    ({"metric": "headcount", "units": ["count"], "subject": "owner", "counterparty": None, "measure": "total",
      "measures": ["total"], "cues": ["employees"]}, "only money has a measure kind"),
    ({"shape": "round"}, "names a metric, a measure or a word list"),
])
def test_a_malformed_entry_fails_when_the_registry_loads(tmp_path, record, message):
    with pytest.raises(RegistryError, match=message):
        load_registry(registry_with(tmp_path, record))


def test_an_extractor_with_a_malformed_registry_does_not_start(tmp_path):
    with pytest.raises(RegistryError):
        FactExtractor(registry_path=registry_with(tmp_path, dict(DIVIDEND, units=["EUR"])))


def test_the_cue_matcher_reads_metric_cues_from_the_registry_only():
    from newsfacts.extractors.facts.components import pattern_path, read_jsonl
    labels = {rec["label"] for rec in read_jsonl(pattern_path("cues.jsonl"))}
    assert not labels & set(default_registry().names)   # one source per list
