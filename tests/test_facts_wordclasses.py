"""Word classes kept on the lexemes: what the components' word-list tests rest on."""
import threading

import numpy as np
import pytest
import spacy

from newsfacts.extractors.facts.components import LINE_BREAK, OPENS_FIGURE, SENTENCE_END, has, lower_words, token_columns
from newsfacts.extractors.facts.extractor import build_pipeline, shared_extractor
from newsfacts.extractors.facts.wordclasses import check_vocab, word_class


@pytest.fixture(scope="module")
def nlp():
    return shared_extractor().nlp


def classes_of(doc, word_class_bits):
    return [t.text for t, yes in zip(doc, has(doc, word_class_bits)) if yes]


def test_classes_match_the_word_lists(nlp):
    doc = nlp("Verdant raised half a billion. Why?\nIt did!")
    assert classes_of(doc, SENTENCE_END) == [".", "?", "!"]
    assert classes_of(doc, LINE_BREAK) == ["\n"]
    assert classes_of(doc, OPENS_FIGURE) == ["half", "a", "billion"]  # "billion" is like_num
    assert classes_of(doc, SENTENCE_END | LINE_BREAK) == [".", "?", "\n", "!"]


def test_words_never_seen_before_are_classified_on_first_sight(nlp):
    # made-up words are new lexemes for this vocab, whatever ran before
    doc = nlp("Zorblaxian Qwertifex closed. Between Fnordly and Zorblaxian?")
    assert classes_of(doc, OPENS_FIGURE) == ["Between"]
    assert classes_of(doc, SENTENCE_END) == [".", "?"]
    assert lower_words(doc) == [t.lower_ for t in doc]


def test_lower_words_match_spacy_including_unicode(nlp):
    doc = nlp("İSTANBUL Straße ÉCOLE 5GW $1.2Bn “Quoted” GPUs")
    assert lower_words(doc) == [t.lower_ for t in doc]


def test_token_columns_are_the_docs_attributes(nlp):
    doc = nlp("Nebius signs a $17.4 billion deal")
    columns = token_columns(doc)
    assert columns.orth.tolist() == [t.orth for t in doc]
    assert columns.idx.tolist() == [t.idx for t in doc]
    assert columns.length.tolist() == [len(t) for t in doc]
    assert columns.spacy.tolist() == [int(bool(t.whitespace_)) for t in doc]
    assert columns.code.dtype == np.int64


def test_two_pipelines_share_one_classification():
    first, second = build_pipeline(), build_pipeline()
    text = "Kelvra Systems agreed a deal. Kelvra Systems?"
    a, b = first(text), second(text)
    assert lower_words(a) == lower_words(b) == [t.lower_ for t in a]
    assert classes_of(a, SENTENCE_END) == classes_of(b, SENTENCE_END) == [".", "?"]


def test_threads_classify_new_words_consistently(nlp):
    texts = [" ".join(f"Wrd{t}x{k} and" for k in range(200)) + "." for t in range(4)]
    results = {}

    def run(t):
        results[t] = lower_words(nlp(texts[t]))

    threads = [threading.Thread(target=run, args=(t,)) for t in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert all(results[t] == texts[t].lower().replace(".", " .").split() for t in range(4))


def test_classes_cannot_be_declared_once_documents_were_classified(nlp):
    nlp("Any text classifies its words.")
    with pytest.raises(RuntimeError, match="before the first document"):
        word_class(lambda lex: True)


def test_a_vocab_with_word_vectors_is_refused():
    nlp = spacy.blank("en")
    nlp.vocab.set_vector("compute", np.ones(3, dtype="float32"))
    with pytest.raises(ValueError, match="word vectors"):
        check_vocab(nlp.vocab)
    check_vocab(spacy.blank("en").vocab)  # a blank vocab is fine
