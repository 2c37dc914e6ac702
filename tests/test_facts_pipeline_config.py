"""The fact pipeline is a spaCy pipeline built from its config file: components in order,
data paths as factory settings, state on Doc extensions named in assigns/requires."""
import json

import pytest
from spacy.util import load_config

from newsfacts.extractors.facts.components import LOWER_WORDS, facts_file
from newsfacts.extractors.facts.extractor import CONFIG, DocumentFacts, FactExtractor, build_pipeline
from newsfacts.extractors.facts.figures import DOC_TEXT

TEXT = "Amazon invested $4 billion in Anthropic.\nThe start-up will use 1 gigawatt of Trainium capacity from AWS."


def config_copy(tmp_path, edit):
    """pipeline.cfg as text, edited, written to a temporary file."""
    path = tmp_path / "pipeline.cfg"
    path.write_text(edit(facts_file(CONFIG).read_text(encoding="utf-8")), encoding="utf-8")
    return path


def test_the_pipeline_that_runs_is_the_one_its_config_file_describes():
    config = load_config(facts_file(CONFIG), interpolate=False)
    nlp = FactExtractor().nlp
    assert nlp.pipe_names == config["nlp"]["pipeline"]
    assert nlp.config["nlp"]["tokenizer"] == {"@tokenizers": "newsfacts_tokenizer"}
    for name in nlp.pipe_names:
        assert nlp.config["components"][name] == config["components"][name]


def test_the_component_order_comes_from_the_config(tmp_path):
    order = '"newsfacts_syntax","newsfacts_references","newsfacts_parties"'
    path = config_copy(tmp_path, lambda text: text.replace(order, '"newsfacts_syntax","newsfacts_parties"'))
    assert build_pipeline(config_path=path).pipe_names == [
        "newsfacts_sentences", "newsfacts_figures", "newsfacts_cues", "newsfacts_orgs", "newsfacts_syntax",
        "newsfacts_parties"]


def test_data_paths_are_factory_settings_read_from_the_config(tmp_path):
    lexicon = tmp_path / "orgs.jsonl"
    lexicon.write_text(json.dumps({"name": "Northwind Holdings", "aliases": ["NWH"], "kind": "investor"}) + "\n"
                       + json.dumps({"name": "Fabrikam", "aliases": [], "kind": "lab"}) + "\n", encoding="utf-8")
    path = config_copy(tmp_path, lambda text: text.replace('orgs = "data/orgs.jsonl"', f'orgs = "{lexicon}"'))
    extractor = FactExtractor(config_path=path)
    assert {entry.name for entry in extractor.lexicon.entries} == {"Northwind Holdings", "Fabrikam"}
    facts = extractor.extract("NWH invested $2 billion in Fabrikam.", "2025-01-01")
    assert [(f.subject, f.counterparty, f.metric) for f in facts] == [("Fabrikam", "Northwind Holdings", "investment")]
    # the packaged lexicon knows neither alias
    assert "Northwind Holdings" not in {entry.name for entry in FactExtractor().lexicon.entries}


def test_analyze_pipes_finds_no_problem_and_finds_a_wrong_order(tmp_path):
    assert not any(build_pipeline().analyze_pipes()["problems"].values())
    # the cue matcher reads the figure sentences: before the figure matcher, spaCy says so
    swapped = config_copy(tmp_path, lambda text: text.replace('"newsfacts_figures","newsfacts_cues"',
                                                              '"newsfacts_cues","newsfacts_figures"'))
    problems = build_pipeline(config_path=swapped).analyze_pipes()["problems"]
    assert problems["newsfacts_cues"] == ["doc._.newsfacts_figure_sentences"]


def test_component_state_lives_on_declared_doc_extensions_not_user_data_keys():
    extractor = FactExtractor()
    doc = extractor.nlp(TEXT)
    assert DocumentFacts(doc, "2025-01-01", extractor.lexicon, TEXT, extractor.registry).facts()
    assert all(isinstance(key, tuple) and key[0] == "._." for key in doc.user_data)   # no string keys
    assigned = {attr.removeprefix("doc._.") for name in extractor.nlp.pipe_names
                for attr in extractor.nlp.get_pipe_meta(name).assigns if attr.startswith("doc._.")}
    caches = {LOWER_WORDS, DOC_TEXT}   # read on demand by whichever rule needs them first
    assert {key[1] for key in doc.user_data} <= assigned | caches
    assert doc._.newsfacts_orgs and doc._.newsfacts_sentence_starts == [0, 9]


@pytest.mark.parametrize("setting", ["patterns", "registry_path"])
def test_the_cue_matcher_reads_its_files_from_its_settings(tmp_path, setting):
    missing = tmp_path / "missing.jsonl"
    path = config_copy(tmp_path, lambda text: text.replace(
        '[components.newsfacts_cues]\nfactory = "newsfacts_cues"\n',
        f'[components.newsfacts_cues]\nfactory = "newsfacts_cues"\n{setting} = "{missing}"\n', 1)
        .replace('patterns = "patterns/cues.jsonl"\n' if setting == "patterns" else 'registry_path = ${paths.metrics}\n', ""))
    with pytest.raises(FileNotFoundError, match="missing.jsonl"):
        build_pipeline(config_path=path)
