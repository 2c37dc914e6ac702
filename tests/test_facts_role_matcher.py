"""The compiled role matcher finds exactly what spaCy's DependencyMatcher finds with the same
frame patterns, on every parsed sentence of the development fixtures."""
from pathlib import Path

import pytest
from spacy.matcher import DependencyMatcher

from newsfacts.extractors.facts.dependency import CompiledMatcher, compiled_matcher, frame_patterns, role_matches
from newsfacts.extractors.facts.extractor import shared_extractor
from newsfacts.extractors.facts.syntax import PARSES, load_model, model_path

pytestmark = pytest.mark.skipif(load_model(str(model_path())) is None, reason="no syntax model in the package")

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
# the development sets; the sealed set stays unread
DEV_SETS = ["corpus", "articles/expected", "blind", "blind2", "blind3", "blind4", "blind5", "blind6", "blind7"]


def _dev_texts() -> list[str]:
    paths = []
    for name in DEV_SETS:
        paths += sorted((FIXTURES / name).rglob("*.txt"))
    assert len(paths) > 100
    return [p.read_text(encoding="utf-8") for p in paths]


@pytest.fixture(scope="module")
def parsed_sentences():
    """The parse of every sentence the pipeline parses, as the party reader leaves it."""
    sentences = []
    for doc in shared_extractor().nlp.pipe(_dev_texts()):
        sentences += [parse.doc for parse in (doc._.get(PARSES) or {}).values()]
    return sentences


def _reference(vocab):
    """spaCy's DependencyMatcher with the same patterns: the oracle."""
    matcher = DependencyMatcher(vocab)
    for key, _frame, _rank, pattern in frame_patterns():
        matcher.add(key, [pattern])
    return matcher


def test_compiled_matcher_equals_the_dependency_matcher_on_every_parsed_dev_sentence(parsed_sentences):
    assert len(parsed_sentences) > 500
    oracle = _reference(parsed_sentences[0].vocab)
    strings = parsed_sentences[0].vocab.strings
    matched = with_roles = 0
    for sent in parsed_sentences:
        expected = [(strings[key], tuple(tokens)) for key, tokens in oracle(sent)]
        got = [(route.key, nodes) for route, nodes in compiled_matcher().matches(sent)]
        assert got == expected, sent.text     # the same matches, in the same order
        roles = role_matches(sent)
        assert roles == role_matches(sent, expected), sent.text
        matched += bool(expected)
        with_roles += bool(roles)
    # the comparison means something: many sentences match, and many yield a party
    assert matched > 200 and with_roles > 200


def test_every_frame_pattern_is_compiled():
    patterns = frame_patterns()
    routes = compiled_matcher().routes
    assert [route.key for route in routes] == [key for key, *_ in patterns]
    assert len({route.frame["id"] for route in routes}) == len({frame["id"] for _, frame, *_ in patterns})


def test_a_pattern_the_compiled_matcher_cannot_read_fails_when_compiled():
    frame = {"id": "x", "role": "investor", "head": "figure", "rel": "poss"}
    head = {"RIGHT_ID": "head", "RIGHT_ATTRS": {"ENT_TYPE": "FIG"}}
    party = {"LEFT_ID": "head", "REL_OP": ">>", "RIGHT_ID": "party", "RIGHT_ATTRS": {"ENT_TYPE": "ORG"}}
    with pytest.raises(ValueError, match="relation '>>'"):
        CompiledMatcher([("x#0.0", frame, 0, [head, party])])
    party = dict(party, REL_OP=">", RIGHT_ATTRS={"POS": "PROPN"})
    with pytest.raises(ValueError, match="attribute 'POS'"):
        CompiledMatcher([("x#0.0", frame, 0, [head, party])])
