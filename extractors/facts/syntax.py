"""The syntax model: a tagger and dependency parser trained on UD English EWT, run only on the
sentences that hold a candidate figure (parsing costs about twenty times what tokenizing does).

newsfacts_syntax runs after the figure, organisation and reference components. For each figure
sentence it builds a small Doc in the model's vocabulary from the project's own tokens (the
model's tokenizer is never used, so the project's tokenization stays as it is), marks the
figures (entity label FIG), the organisations and references (ORG, with the canonical name kept
aside) and other proper-noun runs (NAME), and runs the model's tok2vec, tagger and parser on it.
The parses are kept on the Doc extension `doc._.newsfacts_parses`, keyed by sentence start.
"""
from __future__ import annotations

import re
from bisect import bisect_left
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from pathlib import Path

import spacy
from spacy.language import Language
from spacy.strings import get_string_id
from spacy.tokens import Doc, Span
from spacy.util import filter_spans, minibatch

from .components import FIGURE_SENTENCES, FIGURE_SPANS, SENTENCE_STARTS, doc_extension, figure_sentences, lower_words, on_doc, read_jsonl, word_list
from .orgs import ASSET_NAMES, KIND_BY_LAST_WORD, NOT_ORG_WORDS, ORG_MARKS, ORG_SUFFIXES, PERSON_TITLES, default_data_path, not_a_party

PARSES = doc_extension("newsfacts_parses")   # {sentence start: Parse}
MODEL_DIR = "syntax"
_MAX_SENTENCE_TOKENS = 120   # longer "sentences" are tables or lists run together: not parsed
_NAME_TAGS = {"NNP", "NNPS"}
_LOOSE_NAME_TAGS = word_list("loose_name_tags")
_MODIFIED_TAGS = word_list("modified_word_tags")
_LEDE_SENTENCES = 3
_MODEL_BATCH = 256   # sentences per call of the model's components
_PUBLIC_BODY = {word for rec in read_jsonl(default_data_path("name_words.jsonl")) if rec["kind"] == "not_company"
                for word in rec["words"]}
_SPEECH_VERBS = word_list("speaker_verbs")
_MARKUP = word_list("markup")
# "FRANKFURT -", "PORTLAND, Ore., Feb. 19, 2026 --", "DUBAI, Nov 18 (Newswire) -", "RIYADH (AP) —": a city in capitals,
# what follows it up to a dash
_DATELINE = re.compile(r"[A-Z][A-Z.'’/ ]{2,}(?:,[^\n—–]{0,48}?)?(?:\s*\([^()\n]{1,40}\))?\s+(?:--|-|—|–)\s+")
_DATELINE_TOKENS = 24
_FIG = get_string_id("FIG")


def model_path(name: str = MODEL_DIR) -> Path:
    return Path(str(resources.files("newsfacts.extractors").joinpath("models", name)))


@lru_cache(maxsize=2)
def load_model(path: str) -> Language | None:
    """The shipped tagger + parser, loaded once; None when the package holds no model."""
    if not (Path(path) / "config.cfg").exists():
        return None
    return spacy.load(path)


@dataclass
class Parse:
    """One parsed figure sentence: its Doc, and where its tokens sit in the article's Doc."""
    doc: Doc
    offsets: list[int]                           # parse token -> article token
    names: dict[int, str] = field(default_factory=dict)   # parse token -> canonical organisation
    figures: dict[int, int] = field(default_factory=dict)  # parse token -> figure start (article token)
    matches: list = field(default_factory=list)            # dependency.RoleMatch, read after references

    def token_of(self, article_index: int) -> int | None:
        try:
            return self.offsets.index(article_index)
        except ValueError:
            return None


@Language.factory("newsfacts_syntax", default_config={"model": MODEL_DIR},
                  requires=["doc.spans", *on_doc(SENTENCE_STARTS, FIGURE_SENTENCES, ORG_MARKS, ASSET_NAMES)],
                  assigns=on_doc(PARSES, ORG_MARKS))
def make_syntax(nlp: Language, name: str, model: str):
    return SyntaxParser(str(model_path(model)))


class SyntaxParser:
    def __init__(self, path: str):
        self.path = path

    @property
    def model(self) -> Language | None:
        return load_model(self.path)

    def __call__(self, doc: Doc) -> Doc:
        return self._parse([doc])[0]

    def pipe(self, docs: Iterable[Doc], batch_size: int = 64) -> Iterator[Doc]:
        """The model runs once over the chosen sentences of a whole batch of docs: one call per
        article would spend much of its time in the layers' per-call overhead."""
        for batch in minibatch(docs, batch_size):
            yield from self._parse(list(batch))

    def _parse(self, docs: list[Doc]) -> list[Doc]:
        model = self.model
        todo: list[tuple[Doc, int, Parse]] = []
        for doc in docs:
            doc._.set(PARSES, {})
            figures = _figure_bounds(doc)
            if model is None or not figures:
                continue   # no figure, no fact: nothing to read roles for
            marks = sorted(doc._.get(ORG_MARKS) or [])
            for start, end in parse_selection(doc, figures, marks):
                parse = self._build(model, doc, start, end, figures, marks)
                if parse is not None:
                    todo.append((doc, start, parse))
        if not todo:
            return docs
        for _, proc in model.pipeline:
            parsed = proc.pipe([parse.doc for *_, parse in todo], batch_size=_MODEL_BATCH)
            for (*_, parse), sent in zip(todo, parsed):
                parse.doc = sent
        for doc, start, parse in todo:
            repair(parse.doc)
            name_runs(parse, doc)
            doc._.get(PARSES)[start] = parse
        for doc in dict.fromkeys(doc for doc, *_ in todo):
            _add_companies(doc, doc._.get(PARSES))
        return docs

    @staticmethod
    def _build(model: Language, doc: Doc, start: int, end: int, figures: list[tuple[int, int]],
               marks: list[tuple]) -> Parse | None:
        # Markdown marks ("**", "#", "|") are no words: the model never saw them
        # a wire dateline ("DUBAI, Nov 18 (Newswire) -") is no part of the sentence's grammar
        first = doc[start].idx
        dateline = _DATELINE.match(doc[start:min(end, start + _DATELINE_TOKENS)].text) if doc[start].is_upper else None
        cut = first + dateline.end() if dateline else first
        offsets, words, spaces = [], [], []
        tokens = doc[start:end + 1] if end < len(doc) else doc[start:end]
        space_after = False
        for token in reversed(tokens):   # backwards: a word is followed by a space if the next token is one
            i = token.i
            if i < end and not token.is_space and token.text not in _MARKUP and token.idx >= cut:
                offsets.append(i)
                words.append(token.text)
                spaces.append(bool(token.whitespace_) or space_after)
            space_after = token.is_space
        offsets, words, spaces = offsets[::-1], words[::-1], spaces[::-1]
        if not offsets:
            return None
        # one sentence, one tree: the parser may not split it again (its own boundaries are weak)
        sent = Doc(model.vocab, words=words, spaces=spaces, sent_starts=[True] + [False] * (len(words) - 1))
        parse = Parse(sent, offsets)
        set_entities(parse, doc, start, end, figures, marks)
        return parse


def repair(sent: Doc) -> None:
    """Undo a parser slip that turns a role around: "GridLoom raised $48 million" read as a
    passive (VBN with nsubj:pass) although the verb has an object and no passive auxiliary."""
    for token in sent:
        if token.dep_ != "nsubj:pass":
            continue
        deps = {child.dep_ for child in token.head.children}
        if "obj" in deps and not deps & {"aux:pass", "obl:agent"}:
            token.dep_ = "nsubj"


def parse_selection(doc: Doc, figures: list[tuple[int, int]], marks: list[tuple]) -> list[tuple[int, int]]:
    """(start, end) of the sentences to parse: every figure sentence, and the lede sentences
    (where an article names the company it is about) that hold a capitalised word no
    organisation mark covers: in a lede sentence without a figure, only such a word (a NAME run
    once tagged) can be found to be a company, so the others are not parsed."""
    starts = doc._.get(SENTENCE_STARTS) or [0]
    chosen = set(figure_sentences(doc))
    for a, b in zip(starts[:_LEDE_SENTENCES], (starts[1:] + [len(doc)])[:_LEDE_SENTENCES]):
        if (a, b) in chosen or not 2 < b - a <= _MAX_SENTENCE_TOKENS:
            continue
        covered = {i for m in marks if a <= m[0] and m[1] <= b for i in range(m[0], m[1])}
        if any(_capitalised(doc[i].text) for i in range(a, b) if i not in covered):
            chosen.add((a, b))
    return sorted((s, e) for s, e in chosen if 2 < e - s <= _MAX_SENTENCE_TOKENS)


def _figure_bounds(doc: Doc) -> list[tuple[int, int]]:
    """(start, end) of the doc's figures, in text order."""
    return sorted((span.start, span.end) for span in doc.spans.get(FIGURE_SPANS, []))


def set_entities(parse: Parse, doc: Doc, start: int, end: int, figures: list[tuple[int, int]] | None = None,
                 marks: list[tuple] | None = None) -> None:
    """Figures (FIG) and organisation marks (ORG) as the parse's entities; proper-noun runs
    found before (NAME) stay where no organisation covers them. figures: the doc's figure
    (start, end) and marks its organisation marks, both in text order, when the caller has read
    them already."""
    sent = parse.doc
    where = {article: k for k, article in enumerate(parse.offsets)}
    names = [span for span in sent.ents if span.label_ == "NAME"]
    parse.names, parse.figures = {}, {}
    ents = []
    figures = _figure_bounds(doc) if figures is None else figures
    marks = sorted(doc._.get(ORG_MARKS) or []) if marks is None else marks
    for fig_start, fig_end in figures[bisect_left(figures, (start,)):]:
        if fig_start >= end:
            break
        tokens = [where[i] for i in range(fig_start, fig_end) if i in where]
        if tokens:
            ents.append(Span(sent, tokens[0], tokens[-1] + 1, label="FIG"))
            parse.figures.update({k: fig_start for k in tokens})
    for a, b, label, *_ in marks[bisect_left(marks, (start,)):]:
        if a >= end:
            break
        if b <= end:
            tokens = [where[i] for i in range(a, b) if i in where]
            if tokens:
                ents.append(Span(sent, tokens[0], tokens[-1] + 1, label="ORG"))
                parse.names.update({k: label for k in tokens})
    taken = {k for span in ents for k in range(span.start, span.end)}
    ents += [span for span in names if not any(k in taken for k in range(span.start, span.end))]
    sent.ents = filter_spans(ents)   # a figure wins over the maker in "220,000 Nvidia GPUs"
    for k in list(parse.names):
        if sent[k].ent_type_ != "ORG":
            del parse.names[k]


def _add_companies(doc: Doc, parses: dict[int, Parse]) -> None:
    """A proper-noun run that plays a role in a deal frame ("GridLoom raised $48 million",
    "Lufthansa's $1.2 billion investment in Adriatic Wings") is a company: it is marked, in the
    article's casing, wherever the article names it."""
    from .dependency import role_matches

    found: dict[tuple[str, ...], str] = {}
    for parse in parses.values():
        if not any(span.label_ == "NAME" for span in parse.doc.ents):
            continue   # only a NAME run can become a new company: no need to match the frames
        parties = [parse.doc[match.party] for match in role_matches(parse.doc)]
        # the subject of a verb in a figure sentence ("Nordavia carried …"), unless it speaks
        parties += [t for t in parse.doc if t.dep_ in ("nsubj", "nsubj:pass") and t.ent_type_ == "NAME"
                    and t.head.lower_ not in _SPEECH_VERBS]
        for token in parties:
            if token.ent_type_ != "NAME":
                continue
            name = unknown_company(parse, token, doc)
            if name:
                found[tuple(name.split())] = name
    if not found:
        return
    marks = list(doc._.get(ORG_MARKS) or [])
    taken = {i for a, b, *_ in marks for i in range(a, b)}
    texts = [t.text for t in doc]
    for words, name in found.items():
        n = len(words)
        for i in range(len(doc) - n + 1):
            if texts[i] == words[0] and tuple(texts[i:i + n]) == words and not any(j in taken for j in range(i, i + n)) \
                    and not (i + n < len(doc) and _capitalised(texts[i + n]) and doc[i + n].is_alpha):
                last = doc[i + n - 1]
                marks.append((i, i + n, name, doc[i].idx, last.idx + len(last)))
                taken.update(range(i, i + n))
    doc._.set(ORG_MARKS, sorted(marks))


def name_runs(parse: Parse, article: Doc) -> None:
    """Proper-noun runs the lexicon does not know get the entity label NAME (after tagging): a
    pattern may take one as a party, and unknown_company() decides whether it is a company."""
    sent = parse.doc
    ents = list(sent.ents)
    taken = {k for span in ents for k in range(span.start, span.end)}
    k = 0
    while k < len(sent):
        if k in taken or not _name_word(sent, k):
            k += 1
            continue
        j = k + 1
        while j < len(sent) and j not in taken and (
                _name_word(sent, j) or (sent[j].text == "&" and j + 1 < len(sent) and _capitalised(sent[j + 1].text))):
            j += 1
        # "Adriatic Wings": a capitalised word tagged as an adjective before the run joins it
        i = k
        while i > 0 and i - 1 not in taken and _capitalised(sent[i - 1].text) and sent[i - 1].tag_ in ("JJ", "NN") \
                and not sent[i - 1].is_sent_start and i - 1 > 0:
            i -= 1
        ents.append(Span(sent, i, j, label="NAME"))
        taken.update(range(i, j))
        k = j
    sent.ents = filter_spans(ents)


def _name_word(sent: Doc, k: int) -> bool:
    """A proper noun by its tag, or by its capital where the tagger took an unknown name for a
    common noun or an adjective ("Lufthansa's …", "… in Adriatic Wings"): inside a sentence, or
    opening it as a possessor."""
    token = sent[k]
    if not _capitalised(token.text):
        return False
    if token.tag_ in _NAME_TAGS:
        return True
    if token.tag_ not in _LOOSE_NAME_TAGS or not token.is_alpha or token.is_upper and len(token) < 3:
        return False
    if k + 1 < len(sent) and len(sent[k + 1]) == 1 and sent[k + 1].text.isalnum():
        return False   # a label: "Class A common stock", "Phase 2"
    return k > 0 or (k + 1 < len(sent) and sent[k + 1].text in ("'s", "’s"))


def _capitalised(text: str) -> bool:
    return text[:1].isupper() and text not in NOT_ORG_WORDS and text not in PERSON_TITLES


def unknown_company(parse: Parse, token, article: Doc) -> str | None:
    """The name of an unknown company a NAME token belongs to, in the article's casing, or None
    when the run reads as a person, a place or an ordinary capitalised word."""
    sent = parse.doc
    span = next((e for e in sent.ents if e.start <= token.i < e.end and e.label_ == "NAME"), None)
    if span is None:
        return None
    words = [t.text for t in span]
    if any(w in NOT_ORG_WORDS or w in _PUBLIC_BODY for w in words) or len(words) > 5 or not_a_party(span.text):
        return None
    if " ".join(words) in (article._.get(ASSET_NAMES) or ()):
        return None   # "the Los Ríos and Quebrada Seca mines", "the Copper Kettle project": an asset's name
    if _capitalised_modifier(sent, span, article):
        return None   # "Hyperscale pre-leasing stayed strong": the sentence's capital on an ordinary word
    if len(words) == 1 and (words[0] in ORG_SUFFIXES or words[0] in KIND_BY_LAST_WORD or not words[0].isalpha()):
        return None   # "Infrastructure" of "American AI Infrastructure" is no name on its own
    if _title_case(sent):
        return None   # "Anthropic Invests $50 Billion in American AI Infrastructure": every word is capitalised
    before = sent[span.start - 1] if span.start > 0 else None
    if before is not None and (before.text in PERSON_TITLES or before.text in ("'s", "’s")
                               or (before.text == "-" and not before.whitespace_)):
        return None   # "President Emmanuel Macron"; "Ørsted's Jutland Reef" (its asset); the "Mobile" of "T-Mobile"
    if before is not None and before.is_alpha and before.text[:1].isupper() and before.ent_type_ != "ORG":
        return None   # "Project Rainier", "Texas Panhandle": the tail of a longer capitalised name is no company
    after = sent[span.end] if span.end < len(sent) else None
    if all(w.isupper() for w in words) and span.start == 0 and after is not None and after.text in (",", "-", "(", "—"):
        return None   # a dateline: "LONDON, 25 September -"
    first = parse.offsets[span.start]
    if first > 0 and lower_words(article)[first - 1] in ("mr", "ms", "mrs", "dr"):
        return None
    # a person is named in full once and by surname after: "Marisol Ferreira" … "Ferreira said"
    if len(words) == 2 and words[0].isalpha() and words[0].istitle() and words[1].istitle() \
            and _surname_alone(article, words[1], first):
        return None
    return " ".join(words)


def _capitalised_modifier(sent: Doc, span, article: Doc) -> bool:
    """A single word opening the sentence that the article also writes in lower case
    ("Construction will be financed by a construction facility"), or that stands before a
    common noun or adjective and nowhere else ("Hyperscale pre-leasing"): capitalised only
    because it comes first."""
    if len(span) != 1 or span.start != 0 or span.end >= len(sent):
        return False
    word = sent[0].text
    if word[1:].islower() and re.search(r"\b" + re.escape(word.lower()) + r"\b", article.text):
        return True   # "Construction will be financed by a $2.5 billion construction credit facility"
    after = sent[span.end]
    return after.is_lower and after.tag_ in _MODIFIED_TAGS and article.text.count(word) == 1


def _title_case(sent: Doc) -> bool:
    words = [t.text for t in sent if t.is_alpha and len(t.text) > 3]
    return len(words) >= 4 and sum(w[:1].isupper() for w in words) >= 0.8 * len(words)


def _surname_alone(article: Doc, surname: str, near: int) -> bool:
    """Does the surname stand alone somewhere, as the speaker of a quote ("Ferreira said")?"""
    text = article.text
    for found in re.finditer(r"\b" + re.escape(surname) + r"\s+(?:said|says|told|added|wrote)\b", text):
        before = text[max(found.start() - 25, 0):found.start()].split()
        if not before or not before[-1][:1].isupper():
            return True
    return False


@Language.factory("newsfacts_parties", requires=["doc.spans", *on_doc(PARSES, ORG_MARKS)], assigns=on_doc(PARSES))
def make_parties(nlp: Language, name: str):
    return PartyReader()


class PartyReader:
    """After references are resolved ("the start-up" stands for a company), marks them in the
    parses and reads the role frames of each parsed sentence."""

    def __call__(self, doc: Doc) -> Doc:
        from .dependency import role_matches

        figures, marks = _figure_bounds(doc), sorted(doc._.get(ORG_MARKS) or [])
        for start, parse in (doc._.get(PARSES) or {}).items():
            set_entities(parse, doc, start, parse.offsets[-1] + 1, figures, marks)
            # every frame ties a party to a figure: a sentence without one (the lede) has none
            has_figure = bool((parse.doc.to_array("ENT_TYPE") == _FIG).any())
            parse.matches = role_matches(parse.doc) if has_figure else []
        return doc
