"""Word classes kept on spaCy's lexemes, so that a doc's classes are one to_array column.

The components ask the same questions of every token of a doc: is it a sentence end, a
corporate suffix, a deal verb, a line break? Looking every token up in fourteen word lists,
and its lower-case text in the string store, took about 7% of the pipeline's run time.
Instead a lexeme (the vocabulary entry every token with the same text shares) is classified
once, the first time a document holds it, and keeps the answer in its rank. The rank names
a word-vector row, and a pipeline without vectors never reads it; build_pipeline refuses a
vocab that has vectors. From then on a class test is one bitwise AND over the doc's ID column.

A rank holds the class bits in its low 32 bits and, above them, a number for the lexeme's
lower-case text: lower_texts() turns a doc's column into its lower-case words with one
numpy gather instead of a string-store lookup per token.

Classes are declared when their modules load (word_class), before the first document.
"""
from __future__ import annotations

import threading
from collections.abc import Callable, Iterable

import numpy as np
from spacy.lexeme import Lexeme
from spacy.tokens import Doc
from spacy.util import OOV_RANK

_MAX_CLASSES = 32

_tests: list[Callable[[Lexeme], bool]] = []
_lock = threading.Lock()            # classification is rare and short; the nightly run may use threads
_lower_number: dict[str, int] = {}  # lower-case text -> its number (shared by every vocab)
_lower_texts = np.empty(1024, dtype=object)
_classified = False


def word_class(test: Callable[[Lexeme], bool]) -> int:
    """Declare a class of words by a test of the lexeme; returns the class's bit."""
    if _classified:
        raise RuntimeError("word classes must be declared before the first document is classified")
    if len(_tests) == _MAX_CLASSES:
        raise RuntimeError(f"at most {_MAX_CLASSES} word classes")
    _tests.append(test)
    return 1 << (len(_tests) - 1)


def any_text(texts: Iterable[str]) -> int:
    """The class of tokens whose text is one of texts (case matters: "Corp", not "corp")."""
    members = frozenset(texts)
    return word_class(lambda lex: lex.orth_ in members)


def any_lower(texts: Iterable[str]) -> int:
    """The class of tokens whose lower-case text is one of texts (lower case)."""
    members = frozenset(texts)
    return word_class(lambda lex: lex.lower_ in members)


def check_vocab(vocab) -> None:
    """The ranks are ours only where no word vectors use them."""
    if vocab.vectors.shape[0] or vocab.vectors.mode != "default":
        raise ValueError("newsfacts keeps word classes in lexeme ranks; a vocab with word vectors is not supported")


def classify(doc: Doc, ranks: np.ndarray) -> np.ndarray:
    """Each token's code (class bits and lower-case number) from the doc's ID column, which
    is completed in place for lexemes seen for the first time."""
    new = (ranks == OOV_RANK).nonzero()[0]
    if len(new):
        with _lock:
            global _classified
            _classified = True
            for i in new.tolist():
                lex = doc[i].lex
                if lex.rank == OOV_RANK:
                    lex.rank = _code(lex)
                ranks[i] = lex.rank
    return ranks.view(np.int64)


def lower_texts(codes: np.ndarray) -> list[str]:
    """Each token's lower-case text."""
    return _lower_texts[codes >> _MAX_CLASSES].tolist()


def _code(lex: Lexeme) -> int:
    global _lower_texts
    bits = 0
    for k, test in enumerate(_tests):
        if test(lex):
            bits |= 1 << k
    lower = lex.lower_
    number = _lower_number.get(lower)
    if number is None:
        number = _lower_number[lower] = len(_lower_number)
        if number == len(_lower_texts):
            _lower_texts = np.concatenate((_lower_texts, np.empty(len(_lower_texts), dtype=object)))
        _lower_texts[number] = lower
    return (number << _MAX_CLASSES) | bits
