"""spaCy components of the fact pipeline, registered the spaCy way.

newsfacts_sentences  sentence starts at line breaks (headlines, bullets, table rows) and
                     after . ! ? followed by a capital -> doc.user_data["newsfacts_sentence_starts"]
newsfacts_figures    Matcher over patterns/figures.jsonl -> doc.spans["figures"]
newsfacts_cues       PhraseMatcher (lower case) over patterns/cues.jsonl
newsfacts_orgs       (orgs.py) organisation names
Cues and organisations are kept in doc.user_data as (start, end, label, start_char, end_char)
marks: making and reading Span objects was a large share of the run time.

Throughput notes: token attributes are read once into numpy arrays (a Python loop over
tokens was the first bottleneck); the Matcher runs only around anchor tokens; word classes
go into NORM so patterns test plain attributes instead of set predicates.
"""
from __future__ import annotations

import json
from bisect import bisect_right
from functools import lru_cache
from importlib import resources
from pathlib import Path

import numpy as np
from spacy.attrs import IDX, IS_SPACE, LENGTH, LIKE_NUM, LOWER, ORTH, PREFIX, SPACY
from spacy.language import Language
from spacy.matcher import Matcher, PhraseMatcher
from spacy.strings import hash_string
from spacy.tokens import Doc
from spacy.util import filter_spans

FIGURE_SPANS = "figures"                           # doc.spans key
SENTENCE_STARTS = "newsfacts_sentence_starts"      # doc.user_data keys
TOKEN_ATTRS = "newsfacts_token_attrs"
CUE_MARKS = "newsfacts_cues"
CHIP_TOKENS = "newsfacts_chip_tokens"

_TOKEN_ATTRS = [ORTH, LOWER, PREFIX, LIKE_NUM, IS_SPACE, SPACY, IDX, LENGTH]
SHORT_DOC_TOKENS = 300   # below this a Matcher call on the whole doc beats calls on spans
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
    return _CAPITAL_LETTERS


_END_HASHES = hashes(_SENTENCE_END)
_CAPITAL_HASHES = hashes(_CAPITALS)
_CAPITAL_LETTERS = hashes(_CAPITALS[:26])
_OPENER_HASHES = hashes(_LINE_OPENERS)


_BREAKS: dict[int, bool] = {}   # whitespace token hash -> holds a line break


def _is_break(orth: int, strings) -> bool:
    if orth not in _BREAKS:
        _BREAKS[orth] = "\n" in strings[orth]
    return _BREAKS[orth]


@Language.component("newsfacts_sentences")
def split_sentences(doc: Doc) -> Doc:
    """Vectorised over token attributes: a Python loop over every token was the bottleneck."""
    if len(doc) == 0:
        doc.user_data[SENTENCE_STARTS] = []
        return doc
    columns = doc.to_array(_TOKEN_ATTRS).T
    doc.user_data[TOKEN_ATTRS] = columns  # read once, shared by the components after this one
    orth, _, prefix, _, is_space, spacy_ws = columns[:6]
    ends = member(orth, _END_HASHES) & (spacy_ws == 1)
    opens = member(prefix, _CAPITAL_HASHES) | member(orth, _OPENER_HASHES)
    starts = np.zeros(len(doc), dtype=bool)
    starts[0] = True
    starts[1:] = ends[:-1] & opens[1:]
    # after a whitespace token holding a line break ("\n", "\n\n", " \n", …)
    space_at = np.flatnonzero(is_space[:-1])
    if len(space_at):
        strings = doc.vocab.strings
        breaks = [i for i, h in zip(space_at.tolist(), orth[space_at].tolist()) if _is_break(h, strings)]
        starts[np.array(breaks, dtype=int) + 1] = True
    doc.user_data[SENTENCE_STARTS] = np.flatnonzero(starts).tolist()
    return doc


def token_attrs(doc: Doc) -> np.ndarray:
    """ORTH, LOWER, PREFIX, LIKE_NUM, IS_SPACE, SPACY, IDX, LENGTH rows of the doc."""
    columns = doc.user_data.get(TOKEN_ATTRS)
    if columns is None:
        columns = doc.user_data[TOKEN_ATTRS] = doc.to_array(_TOKEN_ATTRS).T
    return columns


def marks(doc: Doc, matches) -> list[tuple[int, int, str, int, int]]:
    """(start, end, label, start_char, end_char) for (match_id, start, end) matches."""
    idx, length = token_attrs(doc)[6:8]
    strings = doc.vocab.strings
    return [(start, end, strings[match_id], int(idx[start]), int(idx[end - 1] + length[end - 1]))
            for match_id, start, end in matches]


def match_regions(matcher, doc: Doc, regions, as_spans: bool = True) -> list:
    """Run a (Phrase)Matcher over some token ranges of a doc, or over the whole doc when the
    ranges cover much of it: a Span costs a Python step per token, the Doc does not."""
    covered = sum(end - start for start, end in regions)
    if not regions:
        return []
    if len(doc) < SHORT_DOC_TOKENS or covered * 2 >= len(doc):
        return list(matcher(doc, as_spans=as_spans))
    found = []
    for start, end in regions:
        found.extend(matcher(doc[start:end], as_spans=as_spans))
    return found


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
            self.matcher.add(rec["label"], [rec["pattern"]])  # filter_spans keeps the longest
            anchors.update(rec["anchors"])
        # Word classes go into the tokens' NORM ({"NORM": "MAG"}): a pattern then tests one
        # attribute per token instead of a set predicate, which is what made the Matcher slow.
        word_class = {hash_string(word.lower()): name for name, words in classes.items() for word in words}
        self.class_words = np.array(sorted(word_class), dtype="uint64")
        self.class_names = [word_class[h] for h in self.class_words.tolist()]
        self.is_anchor = np.array([name in anchors for name in self.class_names], dtype=bool)

    def __call__(self, doc: Doc) -> Doc:
        spans = match_regions(self.matcher, doc, self._windows(doc))
        doc.spans[FIGURE_SPANS] = sorted(filter_spans(spans), key=lambda s: s.start)
        return doc

    def _windows(self, doc: Doc) -> list[tuple[int, int]]:
        """Token ranges around anchors that have a number nearby; tags class words' NORM there."""
        if len(doc) == 0:
            return []
        _, lower, _, like_num = token_attrs(doc)[:4]
        found = np.searchsorted(self.class_words, lower)
        found = np.minimum(found, len(self.class_words) - 1)
        hits = np.flatnonzero(self.class_words[found] == lower)
        classes = found[hits]
        doc.user_data[CHIP_TOKENS] = hits[[self.class_names[c] == "CHIP" for c in classes.tolist()]].tolist() \
            if len(hits) else []
        numbers = np.concatenate(([0], np.cumsum(like_num)))   # numbers[j] - numbers[i]: count in [i, j)
        windows: list[tuple[int, int]] = []
        for i in hits[self.is_anchor[classes]].tolist():
            sent_start, sent_end = sentence_bounds(doc, i)
            start, end = max(sent_start, i - self.BEFORE), min(sent_end, i + self.AFTER)
            if numbers[end] == numbers[start]:
                continue  # "GPUs" with no number near: no figure
            if windows and start <= windows[-1][1]:
                windows[-1] = (windows[-1][0], max(end, windows[-1][1]))  # overlapping: one call
            else:
                windows.append((start, end))
        # tag only the class words the Matcher will see
        window_starts = [start for start, _ in windows]
        for i, c in zip(hits.tolist(), classes.tolist()):
            k = bisect_right(window_starts, i) - 1
            if k >= 0 and i < windows[k][1]:
                doc[i].norm_ = self.class_names[c]
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
        doc.user_data[CUE_MARKS] = sorted(marks(doc, match_regions(self.matcher, doc, ranges, as_spans=False)))
        return doc
