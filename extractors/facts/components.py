"""spaCy components of the fact pipeline, registered the spaCy way.

newsfacts_sentences  sentence starts at line breaks (headlines, bullets, table rows) and
                     after . ! ? followed by a capital -> doc._.newsfacts_sentence_starts
newsfacts_figures    Matcher over patterns/figures.jsonl -> doc.spans["figures"]
newsfacts_cues       PhraseMatcher (lower case) over patterns/cues.jsonl and the metric registry
                     -> doc._.newsfacts_cues
newsfacts_orgs       (orgs.py) organisation names
newsfacts_references (references.py) "the startup", "it", "we", a filing's "Customer"
Cues and organisations are kept on Doc extensions as (start, end, label, start_char, end_char)
marks: making and reading Span objects was a large share of the run time. Each component's
state is a Doc extension registered next to it and named in its assigns/requires, so that
nlp.analyze_pipes() checks the order (pipeline.cfg).

Throughput notes: token attributes are read once into numpy arrays (a Python loop over
tokens was the first bottleneck); word lists are tested as bits kept on the lexemes
(wordclasses.py); the Matcher runs only around anchor tokens; the figure patterns' word
classes go into NORM so patterns test plain attributes instead of set predicates.
"""
from __future__ import annotations

import json
from bisect import bisect_left, bisect_right
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import NamedTuple

import numpy as np
from spacy.attrs import ID, IDX, LENGTH, LOWER, ORTH, SPACY
from spacy.language import Language
from spacy.matcher import Matcher, PhraseMatcher
from spacy.strings import hash_string
from spacy.tokens import Doc
from spacy.util import filter_spans

from .numbers import NUMBER_TABLES
from .registry import load_registry
from .wordclasses import any_text, classify, lower_texts, word_class


def doc_extension(name: str) -> str:
    """Registers a Doc extension (default None) once and returns its name: a component's state
    lives on doc._, and the component names it in its assigns/requires ("doc._.NAME")."""
    if not Doc.has_extension(name):
        Doc.set_extension(name, default=None)
    return name


def on_doc(*names: str) -> list[str]:
    """"doc._.NAME" for each extension name, as spaCy's assigns/requires spell them."""
    return [f"doc._.{name}" for name in names]


FIGURE_SPANS = "figures"                                            # doc.spans key
SENTENCE_STARTS = doc_extension("newsfacts_sentence_starts")        # token index of each sentence start
TOKEN_COLUMNS = doc_extension("newsfacts_token_columns")            # TokenColumns, read once
LOWER_WORDS = doc_extension("newsfacts_lower_words")                # every token's lower-case text
CUE_MARKS = doc_extension("newsfacts_cues")                         # cue marks (see marks())
CHIP_TOKENS = doc_extension("newsfacts_chip_tokens")                # tokens that are chip nouns
FIGURE_SENTENCES = doc_extension("newsfacts_figure_sentences")      # sorted (start, end) of figure sentences

SHORT_DOC_TOKENS = 300   # below this the organisation recogniser reads the whole doc
CALL_COST_TOKENS = 3     # a Matcher call on a span costs about as much as matching this many tokens
_CAPITALS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
_LINE_OPENERS = ("-", "*", "#", "|", '"', "“", "**")

SENTENCE_END = any_text((".", "!", "?"))
OPENS_SENTENCE = word_class(lambda lex: lex.orth_[:1] in _CAPITALS or lex.orth_ in _LINE_OPENERS)
LINE_BREAK = word_class(lambda lex: lex.is_space and "\n" in lex.orth_)
# "a gigawatt", "between $9.6B and …", "half a million": words that can open a figure
OPENS_FIGURE = word_class(lambda lex: lex.like_num or lex.lower_ in ("a", "an", "half", "between"))
CONTINUES_FIGURE = word_class(lambda lex: lex.like_num or lex.lower_ in ("to", "and"))


def pattern_path(filename: str) -> Path:
    return facts_file(f"patterns/{filename}")


def facts_file(path: str | Path) -> Path:
    """A data path as pipeline.cfg gives it: relative to this package's folder, or absolute."""
    path = Path(path)
    return path if path.is_absolute() else Path(str(resources.files("newsfacts.extractors.facts").joinpath(*path.parts)))


def read_jsonl(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


@lru_cache(maxsize=1)
def _word_lists() -> dict[str, frozenset[str]]:
    return {rec["list"]: frozenset(rec["words"]) for rec in read_jsonl(facts_file("data/word_lists.jsonl"))}


def word_list(name: str) -> frozenset[str]:
    """A word list of data/word_lists.jsonl, by name (the one place a list is written)."""
    try:
        return _word_lists()[name]
    except KeyError:
        raise KeyError(f"data/word_lists.jsonl holds no word list {name!r}") from None


class TokenColumns(NamedTuple):
    """A doc's token attributes as numpy rows, read once and shared by the components."""
    orth: np.ndarray
    lower: np.ndarray
    spacy: np.ndarray    # followed by a space
    idx: np.ndarray      # character offset
    length: np.ndarray   # characters
    code: np.ndarray     # word classes and lower-case text (wordclasses.py), int64


_COLUMNS = [ORTH, LOWER, SPACY, IDX, LENGTH, ID]


def token_columns(doc: Doc) -> TokenColumns:
    columns = doc._.get(TOKEN_COLUMNS)
    if columns is None:
        rows = doc.to_array(_COLUMNS).T.copy()  # contiguous rows
        columns = TokenColumns(*rows[:5], classify(doc, rows[5]))
        doc._.set(TOKEN_COLUMNS, columns)
    return columns


def has(doc: Doc, word_classes: int) -> np.ndarray:
    """Which tokens belong to any of the word classes (bits OR-ed together)."""
    return (token_columns(doc).code & word_classes) != 0


@Language.component("newsfacts_sentences", assigns=on_doc(SENTENCE_STARTS, TOKEN_COLUMNS))
def split_sentences(doc: Doc) -> Doc:
    """Vectorised over token attributes: a Python loop over every token was the bottleneck."""
    if len(doc) == 0:
        doc._.set(SENTENCE_STARTS, [])
        return doc
    columns = token_columns(doc)  # read once here, shared by the components after this one
    ends = has(doc, SENTENCE_END) & (columns.spacy == 1)
    starts = np.zeros(len(doc), dtype=bool)
    starts[0] = True
    starts[1:] = ends[:-1] & has(doc, OPENS_SENTENCE)[1:]
    starts[1:] |= has(doc, LINE_BREAK)[:-1]   # after a whitespace token holding a line break
    doc._.set(SENTENCE_STARTS, starts.nonzero()[0].tolist())
    return doc


def lower_words(doc: Doc) -> list[str]:
    """Every token's lower-case text as a plain list: reading doc[i].lower_ makes a Token object
    each time, which the attribution rules did hundreds of thousands of times per corpus."""
    words = doc._.get(LOWER_WORDS)
    if words is None:
        words = lower_texts(token_columns(doc).code)
        doc._.set(LOWER_WORDS, words)
    return words


def marks(doc: Doc, matches) -> list[tuple[int, int, str, int, int]]:
    """(start, end, label, start_char, end_char) for (match_id, start, end) matches."""
    columns = token_columns(doc)
    idx, length = columns.idx, columns.length
    strings = doc.vocab.strings
    return [(start, end, strings[match_id], int(idx[start]), int(idx[end - 1] + length[end - 1]))
            for match_id, start, end in matches]


def match_regions(matcher, doc: Doc, regions, as_spans: bool = True) -> list:
    """Run a (Phrase)Matcher over some token ranges of a doc, or over the whole doc when that
    is cheaper: each call costs about as much as matching CALL_COST_TOKENS tokens."""
    if not regions:
        return []
    covered = sum(end - start for start, end in regions)
    if covered + CALL_COST_TOKENS * len(regions) >= len(doc):
        return list(matcher(doc, as_spans=as_spans))
    found = []
    for start, end in regions:
        found.extend(matcher(doc[start:end], as_spans=as_spans))
    return found


def sentence_bounds(doc: Doc, token_index: int) -> tuple[int, int]:
    """(start, end) token indices of the sentence holding a token, without walking doc.sents."""
    starts = doc._.get(SENTENCE_STARTS) or [0]
    k = bisect_right(starts, token_index) - 1
    end = starts[k + 1] if k + 1 < len(starts) else len(doc)
    return starts[k], end


def figure_sentences(doc: Doc) -> list[tuple[int, int]]:
    return (doc._.get(FIGURE_SENTENCES) or [])


@Language.factory("newsfacts_figures", default_config={"patterns": "patterns/figures.jsonl"},
                  requires=on_doc(SENTENCE_STARTS, TOKEN_COLUMNS),
                  assigns=["doc.spans", *on_doc(FIGURE_SENTENCES, CHIP_TOKENS)])
def make_figure_matcher(nlp: Language, name: str, patterns: str):
    return FigureMatcher(nlp, read_jsonl(facts_file(patterns)))


class FigureMatcher:
    """Money, power, chip counts and percentages, longest match wins.

    A figure always has an anchor token (a currency, a unit, a chip noun, "%"), so the
    Matcher runs only on small windows around anchors, not on every number in the text.
    How far a window reaches before and after an anchor is read from the patterns: a
    currency symbol opens its figure, a unit or a chip noun closes it.
    """

    def __init__(self, nlp: Language, patterns: list[dict]):
        self.matcher = Matcher(nlp.vocab)
        classes: dict[str, list[str]] = {}
        reach: dict[str, tuple[int, int]] = {}   # anchor class -> tokens before, tokens after
        for rec in patterns:
            if "classes" in rec:
                classes.update(rec["classes"])
                # the number classes: the words of data/numbers.jsonl's tables (one source)
                classes.update({table["class"]: list(table["values"]) for table in NUMBER_TABLES.values()
                                if "class" in table})
                continue
            self.matcher.add(rec["label"], [rec["pattern"]])  # filter_spans keeps the longest
            anchors = set(rec["anchors"])
            # the window of a pattern's first anchor must hold the whole pattern
            first = next(k for k, token in enumerate(rec["pattern"]) if token.get("NORM") in anchors)
            cls = rec["pattern"][first]["NORM"]
            before, after = reach.get(cls, (0, 0))
            reach[cls] = (max(before, first), max(after, len(rec["pattern"]) - first - 1))
        # Word classes go into the tokens' NORM ({"NORM": "MAG"}): a pattern then tests one
        # attribute per token instead of a set predicate, which is what made the Matcher slow.
        class_of_word = {hash_string(word.lower()): name for name, words in classes.items() for word in words}
        self.class_words = np.array(sorted(class_of_word), dtype="uint64")
        self.class_names = [class_of_word[h] for h in self.class_words.tolist()]
        self.is_anchor = [name in reach for name in self.class_names]
        self.before = [reach.get(name, (0, 0))[0] for name in self.class_names]
        self.after = [reach.get(name, (0, 0))[1] + 1 for name in self.class_names]

    def __call__(self, doc: Doc) -> Doc:
        spans = match_regions(self.matcher, doc, self._windows(doc))
        figures = sorted(filter_spans(spans), key=lambda s: s.start)
        doc.spans[FIGURE_SPANS] = figures
        # later components read these bounds: a SpanGroup makes new Span objects on every pass
        doc._.set(FIGURE_SENTENCES, sorted({sentence_bounds(doc, span.start) for span in figures}))
        return doc

    def _windows(self, doc: Doc) -> list[tuple[int, int]]:
        """Token ranges around anchors that have a number nearby; tags class words' NORM there.

        Whole-doc work is a few numpy calls; the few anchors of a doc are then read in plain
        Python (numpy's cost per call outweighs its speed on arrays of a handful of items)."""
        n = len(doc)
        if n == 0:
            return []
        lower = token_columns(doc).lower
        found = np.minimum(self.class_words.searchsorted(lower), len(self.class_words) - 1)
        hits = (self.class_words[found] == lower).nonzero()[0]
        names = self.class_names
        hit_list, class_list = hits.tolist(), found[hits].tolist()
        doc._.set(CHIP_TOKENS, [i for i, c in zip(hit_list, class_list) if names[c] == "CHIP"])
        if not hit_list:
            return []
        opener_at = has(doc, OPENS_FIGURE).nonzero()[0].tolist()
        # class words can continue a figure too; a window ends at the first other word
        continues = has(doc, CONTINUES_FIGURE)
        continues[hits] = True
        stops = (~continues).nonzero()[0].tolist()
        sentence_starts = doc._.get(SENTENCE_STARTS) or [0]
        windows: list[tuple[int, int]] = []
        for i, c in zip(hit_list, class_list):
            if not self.is_anchor[c]:
                continue
            # from the first opener within reach before the anchor (or the anchor itself) …
            k = bisect_left(opener_at, i - self.before[c])
            start = opener_at[k] if k < len(opener_at) and opener_at[k] <= i else i
            # … to where the figure's words stop, within the pattern's reach
            s = bisect_left(stops, i + 1)
            end = min(i + self.after[c], stops[s] if s < len(stops) else n, n)
            k = bisect_left(opener_at, start)
            if not (k < len(opener_at) and opener_at[k] < end):
                continue  # "GPUs" with no number near: no figure
            k = bisect_right(sentence_starts, i) - 1
            start = max(start, sentence_starts[k])
            if k + 1 < len(sentence_starts):
                end = min(end, sentence_starts[k + 1])
            if windows and start <= windows[-1][1] + CALL_COST_TOKENS:
                windows[-1] = (windows[-1][0], max(end, windows[-1][1]))  # near: one call is cheaper
            else:
                windows.append((start, end))
        # tag only the class words the Matcher will see (both lists are in text order)
        w = 0
        for i, c in zip(hit_list, class_list):
            while w < len(windows) and windows[w][1] <= i:
                w += 1
            if w == len(windows):
                break
            if windows[w][0] <= i:
                doc[i].norm_ = names[c]
        return windows


@Language.factory("newsfacts_cues", default_config={"patterns": "patterns/cues.jsonl", "registry_path": ""},
                  requires=on_doc(SENTENCE_STARTS, FIGURE_SENTENCES), assigns=on_doc(CUE_MARKS))
def make_cue_matcher(nlp: Language, name: str, patterns: str, registry_path: str):
    """The cue patterns (hedges, non-facts, …) and each metric's cues from the registry."""
    registry = load_registry(facts_file(registry_path) if registry_path else None)
    return CueMatcher(nlp, read_jsonl(facts_file(patterns)) + registry.cue_patterns())


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
        for start, end in figure_sentences(doc):
            if end < len(doc):
                end = sentence_bounds(doc, end)[1]
            if ranges and start <= ranges[-1][1]:
                ranges[-1][1] = max(ranges[-1][1], end)  # adjacent sentences: one call
            else:
                ranges.append([start, end])
        doc._.set(CUE_MARKS, sorted(marks(doc, match_regions(self.matcher, doc, ranges, as_spans=False))))
        return doc
