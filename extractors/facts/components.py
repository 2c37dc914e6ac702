"""spaCy components of the fact pipeline, registered the spaCy way.

newsfacts_sentences  sentence starts at line breaks (headlines, bullets, table rows) and
                     after . ! ? followed by a capital
newsfacts_figures    Matcher over patterns/figures.jsonl -> doc.spans["figures"]
newsfacts_cues       PhraseMatcher (lower case) over patterns/cues.jsonl -> doc.spans["cues"]
"""
from __future__ import annotations

import json
from importlib import resources
from pathlib import Path

import numpy as np
from bisect import bisect_right
from functools import lru_cache
from spacy.attrs import IS_SPACE, LIKE_NUM, LOWER, ORTH, PREFIX, SPACY
from spacy.language import Language
from spacy.matcher import Matcher, PhraseMatcher
from spacy.strings import hash_string
from spacy.tokens import Doc, Span
from spacy.util import filter_spans

FIGURE_SPANS = "figures"
CUE_SPANS = "cues"
SENTENCE_STARTS = "newsfacts_sentence_starts"
CHIP_TOKENS = "newsfacts_chip_tokens"
_SENTENCE_END = (".", "!", "?")
_CAPITALS = tuple("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789")
_LINE_OPENERS = ("-", "*", "#", "|", '"', "“", "**")


def pattern_path(filename: str) -> Path:
    return Path(str(resources.files("extractors.facts").joinpath("patterns", filename)))


def read_jsonl(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def member(values: np.ndarray, sorted_hashes: np.ndarray) -> np.ndarray:
    """np.isin for a small sorted set of hashes, without sorting the (large) token array."""
    if len(sorted_hashes) == 0:
        return np.zeros(len(values), dtype=bool)
    found = np.searchsorted(sorted_hashes, values)
    return sorted_hashes[np.minimum(found, len(sorted_hashes) - 1)] == values


@lru_cache(maxsize=64)
def hashes(words: tuple[str, ...]) -> np.ndarray:
    """Sorted string hashes of words (spaCy's hashes do not depend on the vocab)."""
    return np.array(sorted(hash_string(w) for w in words), dtype="uint64")


def capital_hashes() -> np.ndarray:
    """Hashes of the capital letters (a token's PREFIX is its first character)."""
    return hashes(_CAPITALS[:26])


@Language.component("newsfacts_sentences")
def split_sentences(doc: Doc) -> Doc:
    """Vectorised over token attributes: a Python loop over every token was the bottleneck."""
    if len(doc) == 0:
        doc.user_data[SENTENCE_STARTS] = []
        return doc
    orth, prefix, is_space, spacy_ws = doc.to_array([ORTH, PREFIX, IS_SPACE, SPACY]).T
    ends = member(orth, hashes(_SENTENCE_END)) & (spacy_ws == 1)
    opens = member(prefix, hashes(_CAPITALS)) | member(orth, hashes(_LINE_OPENERS))
    starts = np.zeros(len(doc), dtype=bool)
    starts[0] = True
    starts[1:] = ends[:-1] & opens[1:]
    # after a whitespace token holding a line break: look each distinct one up once
    spaces = np.unique(orth[is_space == 1])
    breaks = np.array(sorted(h for h in spaces.tolist() if "\n" in doc.vocab.strings[h]), dtype="uint64")
    starts[1:] |= member(orth[:-1], breaks)
    doc.user_data[SENTENCE_STARTS] = np.flatnonzero(starts).tolist()
    return doc


def sentence_bounds(doc: Doc, token_index: int) -> tuple[int, int]:
    """(start, end) token indices of the sentence holding a token, without walking doc.sents."""
    starts = doc.user_data.get(SENTENCE_STARTS) or [0]
    k = bisect_right(starts, token_index) - 1
    end = starts[k + 1] if k + 1 < len(starts) else len(doc)
    return starts[k], end


@Language.factory("newsfacts_figures")
def make_figure_matcher(nlp: Language, name: str):
    return FigureMatcher(nlp, read_jsonl(pattern_path("figures.jsonl")))


class FigureMatcher:
    """Money, power, chip counts and percentages, longest match wins.

    A figure always has an anchor token (a currency, a unit, a chip noun, "%"), so the
    Matcher runs only on small windows around anchors, not on every number in the text.
    """

    BEFORE, AFTER = 6, 8   # window around an anchor, in tokens: the longest pattern fits

    def __init__(self, nlp: Language, patterns: list[dict]):
        self.matcher = Matcher(nlp.vocab)
        classes: dict[str, list[str]] = {}
        anchors: set[str] = set()
        for rec in patterns:
            if "classes" in rec:
                classes.update(rec["classes"])
                continue
            self.matcher.add(rec["label"], [rec["pattern"]], greedy="LONGEST")
            anchors.update(rec["anchors"])
        # Word classes go into the tokens' NORM ({"NORM": "MAG"}): a pattern then tests one
        # attribute per token instead of a set predicate, which is what made the Matcher slow.
        strings = nlp.vocab.strings
        self.word_class = {strings.add(word.lower()): name for name, words in classes.items() for word in words}
        self.class_words = np.array(sorted(self.word_class), dtype="uint64")
        self.anchors = set(anchors)

    def __call__(self, doc: Doc) -> Doc:
        spans = []
        for start, end in self._windows(doc):
            spans.extend(self.matcher(doc[start:end], as_spans=True))
        doc.spans[FIGURE_SPANS] = sorted(filter_spans(spans), key=lambda s: s.start)
        return doc

    def _windows(self, doc: Doc) -> list[tuple[int, int]]:
        """Token ranges around anchors; tags the class words' NORM on the way."""
        if len(doc) == 0:
            return []
        lower, like_num = doc.to_array([LOWER, LIKE_NUM]).T
        numbers = np.concatenate(([0], np.cumsum(like_num)))   # numbers[j] - numbers[i]: count in [i, j)
        windows: list[tuple[int, int]] = []
        chip_nouns: list[int] = []
        for i in np.flatnonzero(member(lower, self.class_words)).tolist():
            name = self.word_class[int(lower[i])]
            doc[i].norm_ = name
            if name == "CHIP":
                chip_nouns.append(i)
            if name not in self.anchors:
                continue
            sent_start, sent_end = sentence_bounds(doc, i)
            start, end = max(sent_start, i - self.BEFORE), min(sent_end, i + self.AFTER)
            if numbers[end] == numbers[start]:
                continue  # "GPUs" with no number near: no figure
            if windows and sent_start <= windows[-1][0]:
                windows[-1] = (windows[-1][0], max(end, windows[-1][1]))  # one Matcher call per sentence
            else:
                windows.append((start, end))
        doc.user_data[CHIP_TOKENS] = chip_nouns
        return windows


@Language.factory("newsfacts_cues")
def make_cue_matcher(nlp: Language, name: str):
    return CueMatcher(nlp, read_jsonl(pattern_path("cues.jsonl")))


class CueMatcher:
    """Words that say what a figure measures (metric cues), or that it is no fact."""

    def __init__(self, nlp: Language, patterns: list[dict]):
        self.matcher = PhraseMatcher(nlp.vocab, attr="LOWER")
        for rec in patterns:
            self.matcher.add(rec["label"], [nlp.make_doc(rec["pattern"])])

    def __call__(self, doc: Doc) -> Doc:
        # cues matter only where a figure is: match the sentences that hold one, and the
        # sentence after it (which explains a bare "Two: $27 billion.")
        ranges: list[list[int]] = []
        for start, end in sorted({sentence_bounds(doc, span.start) for span in doc.spans.get(FIGURE_SPANS, [])}):
            if end < len(doc):
                end = sentence_bounds(doc, end)[1]
            if ranges and start <= ranges[-1][1]:
                ranges[-1][1] = max(ranges[-1][1], end)  # adjacent sentences: one call
            else:
                ranges.append([start, end])
        cues = []
        for start, end in ranges:
            cues.extend(self.matcher(doc[start:end], as_spans=True))
        doc.spans[CUE_SPANS] = cues
        return doc
