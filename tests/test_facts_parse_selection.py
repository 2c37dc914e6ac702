"""Which sentences the syntax component parses, and that parsing a batch of articles at once
reads each the same as parsing it alone."""
from pathlib import Path

import pytest

from newsfacts.extractors.facts.extractor import shared_extractor
from newsfacts.extractors.facts.syntax import PARSES, load_model, model_path

pytestmark = pytest.mark.skipif(load_model(str(model_path())) is None, reason="no syntax model in the package")

CORPUS = Path(__file__).resolve().parent.parent / "fixtures" / "corpus"


def _parsed(doc) -> list[str]:
    return [parse.doc.text.strip() for parse in doc._.get(PARSES).values()]


def test_figure_sentences_and_lede_sentences_that_may_name_a_company_are_parsed():
    doc = shared_extractor().nlp("Microsoft and Oracle talked again. Nordavia carried more passengers this year. "
                                 "Oracle declined to comment. Microsoft will invest $2 billion in OpenAI.")
    # the first and third lede sentences name only known companies: no new company can come out of its parse
    assert _parsed(doc) == ["Nordavia carried more passengers this year.",
                            "Microsoft will invest $2 billion in OpenAI."]


def test_an_article_without_a_figure_is_not_parsed():
    doc = shared_extractor().nlp("Nordavia carried more passengers this year. Its chief executive spoke in Oslo.")
    assert _parsed(doc) == []


def test_a_batch_parses_each_article_as_alone():
    nlp = shared_extractor().nlp
    texts = [p.read_text(encoding="utf-8") for p in sorted(CORPUS.rglob("*.txt"))[:8]]

    def read(doc):
        return [(start, [(t.text, t.tag_, t.dep_, t.head.i, t.ent_type_) for t in parse.doc],
                 [(m.role, m.figure, m.party, m.frame) for m in parse.matches])
                for start, parse in doc._.get(PARSES).items()]

    batch = [read(doc) for doc in nlp.pipe(texts, batch_size=8)]
    alone = [read(nlp(text)) for text in texts]
    assert batch == alone
    assert sum(len(parses) for parses in batch) > 20
