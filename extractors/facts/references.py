"""References to companies that do not name them, resolved to the company they stand for.

newsfacts_references runs after newsfacts_orgs and adds marks to doc._.newsfacts_orgs:
  descriptions   "the startup", "the Redmond-based firm", "the company"
  pronouns       "we" / "our" (the company the document names first), "it" / "its"
  defined terms  'Microsoft Corporation ("Customer")', 'Tessellate Cloud, Inc. (the "Company")'
Each mark carries the canonical name of the company it stands for, so the attribution rules
read "Microsoft invested $2 billion in the startup" as they read a sentence that names it.
"""
from __future__ import annotations

import re
from bisect import bisect_left, bisect_right, insort

from spacy.language import Language
from spacy.tokens import Doc

from .components import FIGURE_SENTENCES, SENTENCE_STARTS, facts_file, figure_sentences, has, lower_words, on_doc, read_jsonl, word_list
from .metrics import SPEECH_VERBS
from .orgs import DEAL_VERBS, ORG_MARKS, OrgLexicon, default_data_path, load_lexicon
from .wordclasses import any_lower, any_text

# "the startup", "the Redmond-based firm": a definite description names a company of these kinds
_ANY_KIND = None
DESCRIPTOR_KINDS = {word: (_ANY_KIND if kinds is None else set(kinds))
                    for rec in read_jsonl(default_data_path("name_words.jsonl")) if rec["kind"] == "description"
                    for word, kinds in rec["descriptions"].items()}
_DESCRIPTOR_REACH = 5      # "the" … head noun: "the little-known Boston startup"
_ANTECEDENT_SENTENCES = 4  # how far back a description looks for its company
# 'Microsoft Corporation ("Customer")', 'Tessellate Cloud, Inc. (the "Company")',
# 'Harbourside Retail, Inc. (NYSE: HBR) ("Harbourside" or the "Company")'
_DEFINITION = re.compile(r'(?:,?\s*(?:Inc|Corp|Corporation|LLC|Ltd|plc|N\.V|S\.A)\.?)?(?:\s*\([A-Za-z ]{2,12}:\s*[A-Z.]{1,6}\))?'
                         r'\s*\((?:the\s+)?["“]([A-Z][A-Za-z0-9 .&-]{1,30})["”]'
                         r'(?:\s*(?:or|and|,)\s*(?:the\s+)?["“]([A-Z][A-Za-z0-9 .&-]{1,30})["”])?\)')
_FIRST_PERSON = word_list("first_person")
_FIRST_PERSON_REF, _PRONOUN_REF = "first person", "pronoun"   # kinds of reference besides descriptions
_COPULAS = word_list("copulas")
_CLAUSE_OPENERS = word_list("clause_openers")
_OBJECT_PREPOSITIONS = word_list("object_prepositions")
_SPEAKER_VERBS = SPEECH_VERBS | word_list("speaker_added")   # "…, the company added": a speaker, not an agent
_TIME_OPENERS = {word for rec in read_jsonl(default_data_path("name_words.jsonl")) if rec["kind"] == "time_opener"
                 for word in rec["words"]}
_OPENER_WORDS = 4   # "Earlier this year, it …"

_DESCRIPTOR = any_lower(DESCRIPTOR_KINDS)
_BRACKET = any_text(("(",))
_PRONOUN = any_lower(_FIRST_PERSON | {"it", "its"})


@Language.factory("newsfacts_references", default_config={"lexicon": "data/orgs.jsonl", "extra_paths": []},
                  requires=on_doc(ORG_MARKS, SENTENCE_STARTS, FIGURE_SENTENCES), assigns=on_doc(ORG_MARKS))
def make_reference_resolver(nlp: Language, name: str, lexicon: str, extra_paths: list[str]):
    return ReferenceResolver(load_lexicon(extra_paths, facts_file(lexicon)))


class ReferenceResolver:
    """Adds marks for the references of a doc to the organisation marks."""

    def __init__(self, lexicon: OrgLexicon):
        self.lexicon = lexicon

    def __call__(self, doc: Doc) -> Doc:
        found = doc._.get(ORG_MARKS) or []
        terms, uses = _defined_terms(doc, found)
        found = sorted([(a, b, terms.get(label, label), c, d) for a, b, label, c, d in found] + uses)
        doc._.set(ORG_MARKS, sorted(found + _references(doc, found, self.lexicon)))
        return doc


def _modifier(token) -> bool:
    """Words of a description before its noun: "Redmond-based", "San Francisco", "little-known"."""
    return token.text[:1].isupper() or token.text in ("-", "based") or token.lower_.endswith("-based") \
        or (token.is_alpha and token.is_lower and token.lower_ not in DEAL_VERBS and len(token) > 2
            and token.lower_ not in ("and", "for", "with", "from", "that", "which", "its", "their"))



def _references(doc: Doc, found: list[tuple], lexicon: OrgLexicon) -> list[tuple]:
    """Descriptions and pronouns that stand for a company, resolved in text order so that one
    reference can serve the next ("It also disclosed …" after "the company said")."""
    if not found:
        return []
    words = lower_words(doc)
    starts = doc._.get(SENTENCE_STARTS) or [0]
    known = list(found)
    resolved = []
    for start, end, kinds in sorted(_descriptions(doc) + _pronouns(doc)):
        k = bisect_right(starts, start) - 1
        sentence_end = starts[k + 1] if k + 1 < len(starts) else len(doc)
        mention_starts = [mark[0] for mark in known]
        m = bisect_right(mention_starts, start) - 1
        if m >= 0 and known[m][1] > start:
            continue  # already a name: "the Company" defined in a filing
        own = known[bisect_left(mention_starts, starts[k]):bisect_left(mention_starts, sentence_end)]
        if kinds == _FIRST_PERSON_REF:
            label = found[0][2]
        elif kinds == _PRONOUN_REF:
            label = _pronoun_antecedent(words, start, k, starts, own, known, mention_starts)
        else:
            label = _description_antecedent(words, start, end, k, starts, own, known, mention_starts, kinds, lexicon)
        if label is None:
            continue
        mark = (start, end, label, doc[start].idx, doc[end - 1].idx + len(doc[end - 1]))
        resolved.append(mark)
        insort(known, mark)
    return resolved


def _descriptions(doc: Doc) -> list[tuple[int, int, object]]:
    """"the startup", "the Redmond-based firm", "the company": (start, end, kinds it may name)."""
    words = lower_words(doc)
    found = []
    # from each head noun back to its "the" (head nouns are rare, "the" is everywhere)
    for head in has(doc, _DESCRIPTOR).nonzero()[0].tolist():
        if head + 1 < len(doc) and words[head + 1] in DESCRIPTOR_KINDS:
            continue  # "the company's" is fine; "the investment firm" reads the last noun
        if doc[head].text[:1].isupper() and head > 0 and doc[head - 1].text[:1].isupper() and words[head - 1] != "the":
            continue  # "Tanjong Pacific Logistics Trust", "Orchard Gate REIT": a name, not a description
        i = head - 1
        while i >= max(head - _DESCRIPTOR_REACH, 0) and words[i] != "the" and _modifier(doc[i]):
            i -= 1
        if i >= 0 and words[i] == "the":
            found.append((i, head + 1, DESCRIPTOR_KINDS[words[head]]))
    return found


def _description_antecedent(words, start, end, k, starts, own, known, mention_starts, kinds, lexicon) -> str | None:
    """"Microsoft invested $2 billion in the startup": the first company of a fitting kind in
    the nearest earlier sentence that has one. Its own sentence counts only when the
    description opens a clause ("G42 will buy …, and the Abu Dhabi group will also take …"):
    as an object ("Microsoft owns 27% of the company") or a speaker ("…, the company said")
    it is someone named before. A company its sentence names already gains nothing."""
    opens_clause = (start == starts[k] or words[start - 1] in _CLAUSE_OPENERS) \
        and not (end < len(words) and words[end] in _SPEAKER_VERBS)
    named = [m for m in own if m[1] == start - 1] if start > 0 and words[start - 1] == "," else []
    if named and (kinds is _ANY_KIND or lexicon.kind(named[-1][2]) in kinds):
        return named[-1][2]   # in apposition: "Humain, the AI company the fund owns"
    fits = [m for m in own if m[1] <= start] if opens_clause else []
    for back in range(k - 1, max(k - 1 - _ANTECEDENT_SENTENCES, -1), -1):
        if fits:
            break
        fits = known[bisect_left(mention_starts, starts[back]):bisect_left(mention_starts, starts[back + 1])]
        fits = [m for m in fits if kinds is _ANY_KIND or lexicon.kind(m[2]) in kinds]
    fits = [m for m in fits if kinds is _ANY_KIND or lexicon.kind(m[2]) in kinds]
    if not opens_clause and any(o[2] == m[2] for o in own for m in fits[:1]):
        if words[start - 1] not in _OBJECT_PREPOSITIONS:
            return None
        # after a preposition it is some company its sentence does not name: "Lufthansa's investment
        # in Adriatic Wings …. Lufthansa paid $450 million for shares in the Zagreb-based carrier"
        fits = [m for m in fits if not any(o[2] == m[2] for o in own)]
    return fits[0][2] if fits else None


def _pronouns(doc: Doc) -> list[tuple[int, int, object]]:
    """we / us / our (the company the document names first) and it / its (see
    _pronoun_antecedent), in sentences that hold a figure; not "it is", "it's", which are most
    often about a thing."""
    words = lower_words(doc)
    found = []
    for i in has(doc, _PRONOUN).nonzero()[0].tolist():
        if not _in_figure_sentence(doc, i) or doc[i].text.isupper() and len(doc[i]) > 1:
            continue   # "US" is the country
        if words[i] in _FIRST_PERSON:
            found.append((i, i + 1, _FIRST_PERSON_REF))
        elif i + 1 < len(doc) and words[i + 1] not in _COPULAS:
            found.append((i, i + 1, _PRONOUN_REF))
    return found


def _pronoun_antecedent(words, start, k, starts, own, known, mention_starts) -> str | None:
    """"Lambda said Tuesday it had closed …": right after "X said", X. "It also disclosed a
    $4.1 billion agreement": opening a sentence, the first company of the nearest sentence
    before that names one."""
    said = next((j for j in range(start - 1, max(start - 3, starts[k]) - 1, -1) if words[j] in _SPEAKER_VERBS), None)
    if said is not None:
        speaker = [m for m in own if said - 1 <= m[1] <= said]
        return speaker[-1][2] if speaker else None
    if start != starts[k] and not _after_time_opener(words, starts[k], start, own):
        return None
    for back in range(k - 1, max(k - 1 - _ANTECEDENT_SENTENCES, -1), -1):
        before = known[bisect_left(mention_starts, starts[back]):bisect_left(mention_starts, starts[back + 1])]
        if before:
            return before[0][2]
    return None


def _after_time_opener(words, sentence_start: int, start: int, own) -> bool:
    """"Last October it took a 30% stake", "In May, it paid": a short phrase of time, naming no
    company, opens the sentence before "it" (not "its": "In its annual report, Vantor …")."""
    return words[start] == "it" and 0 < start - sentence_start <= _OPENER_WORDS and words[sentence_start] in _TIME_OPENERS \
        and not any(m[0] < start for m in own)


def _in_figure_sentence(doc: Doc, i: int) -> bool:
    sentences = figure_sentences(doc)
    k = bisect_right(sentences, (i, len(doc) + 1)) - 1
    return k >= 0 and sentences[k][0] <= i < sentences[k][1]


def _defined_terms(doc: Doc, found: list[tuple]) -> tuple[dict[str, str], list[tuple]]:
    """Filings and contracts define short terms: 'Microsoft Corporation ("Customer")',
    'Tessellate Cloud, Inc. (the "Company")'. Every later use of the term is that company:
    the terms (to relabel marks that read the term as a name) and marks for their uses."""
    words = lower_words(doc)
    brackets = has(doc, _BRACKET).nonzero()[0].tolist()
    if not any(i + 1 < len(doc) and words[i + 1] in ('"', "“", "the") for i in brackets):
        return {}, []
    text = doc.text
    terms: dict[str, tuple[str, int]] = {}
    for mark in found:
        definition = _DEFINITION.match(text, mark[4])
        for term in definition.groups() if definition else ():
            if term and term != mark[2]:
                terms[term] = (mark[2], definition.end())
    marked = []
    taken = {i for mark in found for i in range(mark[0], mark[1])}
    for term, (label, defined_at) in terms.items():
        for use in re.finditer(r"\b(?:[Tt]he\s+)?" + re.escape(term) + r"\b", text[defined_at:]):
            span = doc.char_span(defined_at + use.start(), defined_at + use.end(), alignment_mode="expand")
            if span is not None and not any(i in taken for i in range(span.start, span.end)):
                marked.append((span.start, span.end, label, span.start_char, span.end_char))
                taken.update(range(span.start, span.end))
    # a term already read as a name ("Customer has agreed …") is relabelled by the caller
    return {term: label for term, (label, _) in terms.items()}, marked
