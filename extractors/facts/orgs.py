"""Organisation names: a user-extendable lexicon plus a recogniser for unseen companies.

Aliases are matched case-sensitively (ORTH) so "apple", "meta" or "oracle" in prose are
not companies. Unknown capitalised names count as organisations where a deal is being
described (right before a deal verb, after "led by"/"from"/"backed by") or, anywhere in the
document, where the name says so itself: a corporate word ("Labs", "Capital", "AI", …), a
ticker ("(Nasdaq: TSLC)"), an apposition ("Nordhavn, a Copenhagen-based operator"). Places,
nationalities and a name right after a person's title are never organisations (word lists
in data/name_words.jsonl), and within a document the first word of an unknown multi-word
name, standing alone, is that company ("Verdant Compute" … "Verdant"). References that do
not name a company ("the startup", "it") are resolved by newsfacts_references.
"""
from __future__ import annotations

import json
from bisect import bisect_right
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path

import numpy as np
from spacy.language import Language
from spacy.matcher import PhraseMatcher
from spacy.tokens import Doc, Span

from .components import (
    CHIP_TOKENS,
    FIGURE_SENTENCES,
    SENTENCE_STARTS,
    SHORT_DOC_TOKENS,
    doc_extension,
    facts_file,
    figure_sentences,
    has,
    lower_words,
    marks,
    match_regions,
    on_doc,
    read_jsonl,
    token_columns,
    word_list,
)
from .dates import MONTHS
from .wordclasses import any_lower, any_text, word_class

ORG_MARKS = doc_extension("newsfacts_orgs")   # organisation marks (start, end, canonical name, start_char, end_char)
ASSET_NAMES = doc_extension("newsfacts_assets")   # names the document gives assets ("the Copper Kettle project")
# what an unknown company's last word says it is ("Tessellate Cloud", "Halvard Labs", "Quarry Peak Partners")
KIND_BY_LAST_WORD = {
    **dict.fromkeys(("AI", "Labs", "Lab", "Intelligence", "Research", "Robotics"), "lab"),
    **dict.fromkeys(("Cloud", "Compute", "Computing", "Digital", "Data", "Infrastructure"), "provider"),
    **dict.fromkeys(("Capital", "Ventures", "Partners", "Fund", "Investments", "Management", "Equity",
                     "Advisors", "Pension", "Holdings"), "investor"),
    **dict.fromkeys(("Power", "Energy", "Grid"), "utility"),
    **dict.fromkeys(("Semiconductor", "Semiconductors", "Silicon"), "chipmaker"),
}
# words after a name, before its verb ("Perplexity has already committed …")
_AUXILIARIES = {"has", "have", "had", "will", "would", "is", "was", "also", "already", "now", "just", "then"}
_APPOSITION_NOUNS = {"company", "startup", "start-up", "operator", "provider", "developer", "firm", "lab", "fund",
                     "investor", "utility", "producer", "maker", "chipmaker", "group", "neocloud", "manager",
                     "owner", "builder", "designer", "supplier", "platform", "carrier", "airline", "drugmaker",
                     "retailer", "grocer", "miner", "reit", "telco"}
_EXCHANGES = {"Nasdaq", "NYSE", "LSE", "TSX", "ASX", "Euronext"}
PROVIDER_KINDS = {"hyperscaler", "neocloud", "chipmaker", "provider"}
SELLER_RANK = {"neocloud": 3, "provider": 3, "chipmaker": 2, "hyperscaler": 1}

DEAL_VERBS = {
    "raised", "raises", "raise", "raising", "secured", "secures", "closed", "closes", "landed", "lands",
    "invested", "invests", "invest", "committed", "commits", "signed", "signs", "agreed", "agrees",
    "acquired", "acquires", "spent", "spends", "spend", "led", "leads", "poured", "backed", "bought", "buys",
    "deployed", "deploys", "ordered", "orders", "purchased", "purchases", "announced", "announces",
    "plans", "will", "struck", "inked", "expanded", "expands", "valued", "generated", "generates",
    "builds", "built", "tapped", "taps",
}
ORG_SUFFIXES = {
    "AI", "Labs", "Lab", "Capital", "Ventures", "Partners", "Inc", "Inc.", "Corp", "Corp.", "Group",
    "Technologies", "Systems", "Holdings", "Fund", "Management", "Energy", "Networks", "Compute",
    "Computing", "Cloud", "Semiconductor", "Robotics", "Ltd", "Ltd.", "LLC", "SA", "SAS", "GmbH", "AG",
    "Investments", "Advisors", "Equity", "Bank",
}
ORG_INTRODUCERS = {("led", "by"), ("backed", "by"), ("co", "-", "led"), ("funded", "by"), ("from",), ("including",),
                   ("partner",), ("partners",), ("partnership", "with"), ("agreement", "with"), ("deal", "with")}
# Capitalised words that start sentences or name things which are not companies.
NOT_ORG_WORDS = {
    "The", "A", "An", "In", "On", "At", "This", "That", "These", "Those", "It", "Its", "Their", "Our", "We",
    "They", "He", "She", "His", "Her", "I", "And", "But", "Or", "If", "As", "For", "With", "From", "By",
    "After", "Before", "While", "When", "Under", "Over", "Through", "Since", "Also", "Meanwhile", "However",
    "Investors", "Analysts", "Sources", "Shares", "Revenue", "Company", "Companies", "Startup", "Officials",
    "CEO", "CFO", "CTO", "President", "Chief", "Executive", "Total", "Series", "Project", "Round", "Deal",
    "Claude", "GPT", "Gemini", "Llama", "Grok", "Colossus", "Trainium", "Trainium2", "Trainium3", "TPU",
    "TPUs", "GPU", "GPUs", "Blackwell", "Hopper", "Rubin", "Ironwood", "Stargate", "Jan", "Feb", "Mar",
    "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Sept", "Oct", "Nov", "Dec", "January", "February", "March",
    "April", "June", "July", "August", "September", "October", "November", "December", "Monday",
    "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday", "Reuters", "Bloomberg", "New", "York",
    "Bottom", "Why", "What", "How", "Who", "Update", "Breaking", "Exclusive", "Source",
    "Note", "Read", "Key", "Date", "Amount", "Valuation", "Provider", "Hardware", "Scale", "Both", "Each",
    "Other", "Some", "Most", "All", "Combined", "Today", "Yesterday", "Earlier", "Last", "Next", "Now",
    "Funding", "Compute", "Capacity", "Power", "Data", "Cloud", "AI", "Frontier", "Dollar", "Euro",
    "Paris-based", "Nasdaq", "NYSE", "PRNewswire", "Business", "Wire", "Honourable", "Honorable",
    "First", "Second", "Third", "Fourth", "Fifth", "Finally", "Separately", "Together", "Concurrently",
    "Additionally", "Elsewhere", "Instead", "Still", "Then", "Q", "Correction", "Guidance", "Outlook",
}


def _phrase_lists(filename: str) -> dict[str, list[str]]:
    lists: dict[str, list[str]] = {}
    for line in default_data_path(filename).read_text(encoding="utf-8").splitlines():
        if line.strip():
            rec = json.loads(line)
            lists.setdefault(rec["kind"], []).extend(rec.get("words", []))
    return lists


def default_data_path(filename: str) -> Path:
    return Path(str(resources.files("newsfacts.extractors.facts").joinpath("data", filename)))


# Places are never parties ("Norway's Halvorsen Data", "Abu Dhabi's MGX"); a capitalised name
# right after a title is a person ("President Emmanuel Macron"); a few more corporate words
# and introducers ("developing with X") point at unknown companies.
_LISTS = _phrase_lists("name_words.jsonl")
_PLACES = _phrase_lists("places.jsonl")
NOT_ORG_WORDS |= {word for phrase in _PLACES["place_word"] + _PLACES["nationality"] for word in phrase.split()}
PLACE_NAMES = frozenset(_PLACES["place_word"]) | frozenset(_PLACES["place"])
_NOT_NAME_ENDINGS = tuple(word_list("not_name_endings"))
_PLACE_WORDS = frozenset(word for phrase in _PLACES["place_word"] for word in phrase.split())
_PLACE_HEADS = frozenset(_PLACES["place_head"])
NAME_PARTICLES = frozenset(_LISTS["particle"])
_PARTICLE_AFTER = frozenset(_LISTS["particle_after"])
ASSET_NOUNS = frozenset(_LISTS["asset_noun"])
UNIT_WORDS = frozenset(_LISTS["unit"]) | {unit for rec in read_jsonl(default_data_path("numbers.jsonl"))
                                          if rec["table"] == "power_unit" for unit in rec["values"]}
PERSON_TITLES = {word for phrase in _LISTS.get("person_title", []) for word in phrase.split()}
ORG_SUFFIXES |= set(_LISTS.get("corporate_suffix", []))
# other industries' company words ("Solara Airways", "Almirex Pharma") say what kind of company a name is
KIND_BY_LAST_WORD.update(next(rec["kinds"] for rec in read_jsonl(default_data_path("name_words.jsonl"))
                              if rec["kind"] == "company_word"))
LEGAL_FORMS = frozenset(_LISTS.get("legal_form", []))
_PART_NOUNS = frozenset(_LISTS.get("part_of_company", []))
ORG_SUFFIXES |= set(KIND_BY_LAST_WORD) | LEGAL_FORMS
DEAL_VERBS |= set(_LISTS.get("deal_verb", []))
NOT_ORG_WORDS |= set(_LISTS.get("not_company_acronym", [])) | set(_LISTS.get("function_word", []))
# as the tokenizer splits them: "start-up" is "start" "-" "up"
ORG_INTRODUCERS |= {tuple(phrase.replace("-", " - ").split()) for phrase in _LISTS.get("introducer", [])}

_INTRODUCER_LAST_WORDS = {words[-1] for words in ORG_INTRODUCERS}
_CAPITAL_FIRST = word_class(lambda lex: "A" <= lex.orth_[:1] <= "Z")
_NOT_ORG = any_text(NOT_ORG_WORDS)
_SUFFIX_OR_TICKER = any_text(ORG_SUFFIXES | _EXCHANGES)
_APPOSITION_NOUNS |= _PART_NOUNS
_APPOSITION = any_lower(_APPOSITION_NOUNS)
_COMMA = any_text((",",))
_HYPHEN = any_text(("-",))
_VERB = any_lower(DEAL_VERBS | {"'s", "’s"})
_INTRODUCER = any_lower(_INTRODUCER_LAST_WORDS)


@dataclass(frozen=True)
class OrgEntry:
    name: str
    aliases: tuple[str, ...]
    kind: str


class OrgLexicon:
    """Canonical organisation names and their aliases, read from JSONL."""

    def __init__(self, entries: list[OrgEntry]):
        self.entries = entries
        self._by_alias = {alias: e for e in entries for alias in e.aliases}
        self._by_alias.update({e.name: e for e in entries})
        self._by_lower = {alias.lower(): e for alias, e in self._by_alias.items()}

    @classmethod
    def from_jsonl(cls, *paths: Path) -> OrgLexicon:
        entries = []
        for path in paths:
            for line in Path(path).read_text(encoding="utf-8").splitlines():
                if line.strip():
                    rec = json.loads(line)
                    entries.append(OrgEntry(rec["name"], tuple(rec.get("aliases", [])), rec.get("kind", "company")))
        return cls(entries)

    def canonical(self, name: str | None) -> str | None:
        """The canonical name for an alias (any case); unknown names come back tidied."""
        if name is None:
            return None
        entry = self._by_alias.get(name) or self._by_lower.get(name.lower())
        return entry.name if entry else name.strip()

    def kind(self, name: str) -> str:
        """The lexicon's kind; for an unknown company, what its last word says ("Halden Power")."""
        entry = self._by_alias.get(name)
        if entry:
            return entry.kind
        return KIND_BY_LAST_WORD.get(name.rsplit(" ", 1)[-1], "company") if " " in name else "company"

    def is_provider(self, name: str) -> bool:
        return self.kind(name) in PROVIDER_KINDS

    def seller_rank(self, name: str, metric: str | None = None) -> int:
        """Who sells compute to whom: neoclouds to hyperscalers, hyperscalers to labs. In a power
        deal (metric "power") a utility sells to anyone, labs and big tech only take power, and
        any other company (a landlord, a developer the lexicon does not know) ranks with the
        hyperscalers: the words decide (data/word_lists.jsonl, "power_sellers", "power_takers")."""
        kind = self.kind(name)
        if metric == "power" and kind not in SELLER_RANK:
            if kind in word_list("power_sellers"):
                return max(SELLER_RANK.values()) + 1
            return 0 if kind in word_list("power_takers") else SELLER_RANK["hyperscaler"]
        return SELLER_RANK.get(kind, 0)


@lru_cache(maxsize=1)
def default_lexicon() -> OrgLexicon:
    return OrgLexicon.from_jsonl(default_data_path("orgs.jsonl"))


def load_lexicon(extra_paths=(), lexicon: str | Path | None = None) -> OrgLexicon:
    """The organisations of a lexicon file (the packaged one by default) plus any extra JSONL files."""
    base = Path(lexicon) if lexicon else default_data_path("orgs.jsonl")
    if not extra_paths and base == default_data_path("orgs.jsonl"):
        return default_lexicon()
    return OrgLexicon.from_jsonl(base, *map(Path, extra_paths))


@Language.factory("newsfacts_orgs", default_config={"lexicon": "data/orgs.jsonl", "extra_paths": []},
                  requires=on_doc(SENTENCE_STARTS, FIGURE_SENTENCES, CHIP_TOKENS), assigns=on_doc(ORG_MARKS, ASSET_NAMES))
def make_org_recogniser(nlp: Language, name: str, lexicon: str, extra_paths: list[str]):
    return OrgRecogniser(nlp, load_lexicon(extra_paths, facts_file(lexicon)))


class OrgRecogniser:
    """Puts organisation mentions in doc._.newsfacts_orgs as
    (start, end, canonical name, start_char, end_char)."""

    def __init__(self, nlp: Language, lexicon: OrgLexicon):
        self.lexicon = lexicon
        self.matcher = PhraseMatcher(nlp.vocab, attr="ORTH")
        for entry in lexicon.entries:
            self.matcher.add(entry.name, [nlp.make_doc(a) for a in (entry.name, *entry.aliases)])

    def __call__(self, doc: Doc) -> Doc:
        known = _longest_first(marks(doc, match_regions(self.matcher, doc, _regions(doc), as_spans=False)))
        known = _with_name_tails(doc, known)
        taken = {i for start, end, *_ in known for i in range(start, end)}
        assets = _asset_names(doc)
        doc._.set(ASSET_NAMES, assets)
        unknown = [_short_form(doc, span) for span in _capitalised_runs(doc, taken)
                   if _looks_like_org(doc, span) and not not_a_party(span.label_) and not is_dateline(doc, span)
                   and span.label_ not in assets]
        unknown += _other_mentions(doc, unknown + _without_legal_forms(doc, unknown), taken)
        unknown = _short_names(doc, _fuller_names(doc, unknown, taken), taken)
        unknown_marks = marks(doc, [(doc.vocab.strings.add(span.label_), span.start, span.end) for span in unknown])
        doc._.set(ORG_MARKS, sorted(_acronyms(doc, _longest_first(known + unknown_marks))))
        return doc


def _legal_form_start(span: Span) -> int:
    """Where "Inc." or ", Inc." starts in a name ("Harbourside Retail, Inc."), or its end."""
    end = span.end
    while end - span.start > 1 and span.doc[end - 1].text in LEGAL_FORMS | {",", "&"}:
        end -= 1
    return end


def _short_form(doc: Doc, span: Span) -> Span:
    """"Northwind Fiber LLC", "Harbourside Retail, Inc.": the company's name is kept without its
    legal form (the form stays part of the matched words)."""
    end = _legal_form_start(span)
    return span if end == span.end else Span(doc, span.start, span.end, label=doc[span.start:end].text)


def _without_legal_forms(doc: Doc, spans: list[Span]) -> list[Span]:
    """The names without their legal form, to find where the article writes them so."""
    return [Span(doc, s.start, end, label=s.label_) for s in spans if (end := _legal_form_start(s)) < s.end]


def _longest_first(found: list[tuple]) -> list[tuple]:
    """Overlapping matches: keep the longest ("Google Cloud" over "Google")."""
    found = sorted(found)
    if all(a[1] <= b[0] for a, b in zip(found, found[1:])):
        return found  # the usual case: nothing overlaps
    kept, used = [], set()
    for mark in sorted(found, key=lambda m: (m[0] - m[1], m[0])):
        if not any(i in used for i in range(mark[0], mark[1])):
            kept.append(mark)
            used.update(range(mark[0], mark[1]))
    return kept


def _with_name_tails(doc: Doc, known: list[tuple]) -> list[tuple]:
    """"Brookfield Infrastructure will invest …", "Google DeepMind Labs": capitalised words right
    after a known name continue it (a division, a fund, a product line); they are no second
    company. The tail stops at a sentence start, another name, a chip noun, a title or a verb."""
    if not known:
        return known
    n = len(doc)
    stops = {mark[0] for mark in known} | set(doc._.get(SENTENCE_STARTS) or [0]) \
        | set(doc._.get(CHIP_TOKENS) or [])
    words = lower_words(doc)
    columns = token_columns(doc)
    extended = []
    for mark in known:
        end = mark[1]
        while end < n and end not in stops and _capitalised(doc[end]) and doc[end].text not in PERSON_TITLES \
                and words[end] not in DEAL_VERBS:
            end += 1
        if end > mark[1]:
            mark = (mark[0], end, mark[2], mark[3], int(columns.idx[end - 1] + columns.length[end - 1]))
        extended.append(mark)
    return extended


def _regions(doc: Doc, around: int = 2, lede: int = 3) -> list[tuple[int, int]]:
    """Where organisations matter: the first sentences (what the article is about) and the
    sentences near a figure (who the figure belongs to); the rest of a long article is skipped."""
    if len(doc) < SHORT_DOC_TOKENS:
        return [(0, len(doc))]
    starts = doc._.get(SENTENCE_STARTS) or [0]
    ends = starts[1:] + [len(doc)]
    wanted = set(range(min(lede, len(starts))))
    for start, _ in figure_sentences(doc):
        k = bisect_right(starts, start) - 1
        wanted.update(range(max(k - around, 0), min(k + around + 1, len(starts))))
    regions: list[tuple[int, int]] = []
    for k in sorted(wanted):
        if regions and regions[-1][1] == starts[k]:
            regions[-1] = (regions[-1][0], ends[k])
        else:
            regions.append((starts[k], ends[k]))
    return regions


def _other_mentions(doc: Doc, found: list[Span], taken: set[int]) -> list[Span]:
    """A name recognised once by its context is an organisation everywhere in the document."""
    if not found:
        return []
    orth = token_columns(doc).orth
    seen = {span.start for span in found} | taken
    more = []
    for words, label in {tuple(t.orth for t in span): span.label_ for span in found}.items():
        for i in (orth == words[0]).nonzero()[0].tolist():
            if i not in seen and tuple(orth[i:i + len(words)].tolist()) == words:
                more.append(Span(doc, i, i + len(words), label=label))
                seen.add(i)
    return more


def _short_names(doc: Doc, found: list[Span], taken: set[int]) -> list[Span]:
    """"Verdant Compute" in the headline, "Verdant" after; "Gulf Crescent Airways", then "Gulf
    Crescent": within a document the leading words of an unknown multi-word name, standing
    alone, are that company (a start two names share names neither)."""
    by_prefix: dict[tuple, set[str]] = {}
    for span in found:
        if len(span) > 1 and not _part_of_company(doc, span):
            words = [t for t in span if t.text not in LEGAL_FORMS]
            for size in range(1, len(words)):
                if words[size - 1].text not in NAME_PARTICLES and words[size - 1].text not in ("&", ","):
                    by_prefix.setdefault(tuple(t.orth for t in words[:size]), set()).add(span.label_)
    full_names = {prefix: labels.pop() for prefix, labels in by_prefix.items()
                  if len(labels) == 1 and not not_a_party(doc.vocab.strings[prefix[0]] if len(prefix) == 1 else
                                                          " ".join(doc.vocab.strings[o] for o in prefix))}
    if not full_names:
        return found
    kept = [Span(doc, s.start, s.end, label=full_names.get(tuple(t.orth for t in s), s.label_)) for s in found]
    covered = {i for span in kept for i in range(span.start, span.end)} | taken
    orth = token_columns(doc).orth
    sentence_starts = set(doc._.get(SENTENCE_STARTS) or [0])
    for prefix, label in sorted(full_names.items(), key=lambda item: -len(item[0])):
        size = len(prefix)
        standalone = [i for i in (orth == prefix[0]).nonzero()[0].tolist()
                      if tuple(orth[i:i + size].tolist()) == prefix
                      and not any(k in covered for k in range(i, i + size))
                      and not (i + size < len(doc) and _capitalised(doc[i + size]))]
        # a sentence's first word is capitalised anyway ("Thinking about …"): there it needs a
        # verb, or the same words standing alone inside some sentence
        named_inside = any(i not in sentence_starts for i in standalone)
        for i in standalone:
            if size == 1 and i in sentence_starts and not named_inside and not _looks_like_org(doc, doc[i:i + 1]):
                continue
            kept.append(Span(doc, i, i + size, label=label))
            covered.update(range(i, i + size))
    return kept


def _part_of_company(doc: Doc, span: Span) -> bool:
    """"its cargo arm, Nordavia Cargo,": a part of the company its first word names."""
    return span.start > 1 and doc[span.start - 1].text == "," and doc[span.start - 2].lower_ in _PART_NOUNS


def _capitalised_runs(doc: Doc, taken: set[int]):
    """Runs of capitalised tokens that have some evidence of naming a company nearby.

    In sentences with a figure a deal verb after or an introducer before is evidence enough.
    The rest of the document is read for strong evidence only (a corporate suffix, a ticker,
    an apposition): a company's full name ("Corvane AI", "Nordhavn, a Copenhagen-based
    operator") is often given once, in a sentence with no figure, and shortened after."""
    if not figure_sentences(doc):
        return
    n = len(doc)
    starts_run = has(doc, _CAPITAL_FIRST)
    if taken:
        starts_run[list(taken)] = False

    def soon(evidence: np.ndarray, reach: int) -> np.ndarray:
        """Is there evidence within the next reach tokens? (Evidence is rare: a loop over it
        is cheaper than whole-array arithmetic.)"""
        within = np.zeros(n, dtype=bool)
        for at in evidence.nonzero()[0].tolist():
            within[max(at - reach + 1, 0):at + 1] = True
        return within

    strong = soon(has(doc, _SUFFIX_OR_TICKER), 5) | soon(has(doc, _APPOSITION) | _hyphened_apposition(doc), 9)
    strong[2:] |= _after_apposition_noun(doc)[2:]
    verbs = np.zeros(n, dtype=bool)
    verbs[:-1] = has(doc, _VERB)[1:]
    weak = soon(verbs, 5)
    weak[1:] |= has(doc, _INTRODUCER)[:-1]
    in_figure_sentence = np.zeros(n, dtype=bool)
    for start, end in figure_sentences(doc):
        in_figure_sentence[start:end] = True
    starts_run &= strong | (weak & in_figure_sentence)
    candidates = starts_run.nonzero()[0]
    candidates = candidates[~has(doc, _NOT_ORG)[candidates]].tolist()
    sentence_starts = set(doc._.get(SENTENCE_STARTS) or [0])
    k = 0
    while k < len(candidates):
        i = candidates[k]
        k += 1
        if not _capitalised(doc[i]) or doc[i].lower_ in DEAL_VERBS:
            continue  # "CoreWeave Announces Expanded Agreement …": a title-case verb is no name
        opens = i in sentence_starts or (i - 1 in sentence_starts and not doc[i - 1].text[:1].isalnum())
        if opens and doc[i].lower_.endswith("ing") and i + 1 < n and _capitalised(doc[i + 1]):
            continue  # "Scaling Quillon Labs: …": a headline's verb before the name
        if i > 0 and doc[i - 1].text in PERSON_TITLES:
            k = _skip_run(candidates, k, i, n, doc)
            continue  # "President Emmanuel Macron" is a person
        if doc[i].text in LEGAL_FORMS:
            continue   # "Inc." of "Harbourside Retail, Inc." is no name on its own
        if i > 1 and doc[i - 1].text == "-" and not doc[i - 1].whitespace_ and not doc[i - 2].whitespace_:
            continue   # "Multi-Year AI Capacity Agreement": the end of a hyphenated word starts no name
        j = i + 1
        while j < n and j not in taken:
            token = doc[j]
            if token.text == "," and j + 1 < n and doc[j + 1].text in LEGAL_FORMS and j + 1 not in taken:
                j += 2   # "Harbourside Retail, Inc."
                break
            if _name_hyphen(doc, j) and j + 1 not in taken:
                j += 2   # "Dai-ichi Life"
                continue
            if not (_capitalised(token) or token.text in ORG_SUFFIXES or
                    (token.text == "&" and j + 1 < n and _capitalised(doc[j + 1])) or _particle(doc, j)
                    or (token.text in _PLACE_WORDS and doc[j - 1].text in ("of", "for"))):
                break
            if token.lower_ in DEAL_VERBS:
                break  # a headline in title case: "Verdant Compute Signs $1.1 Billion Deal"
            j += 1
        i = _place_before(doc, i, j, taken)
        yield Span(doc, i, j, label=doc[i:j].text)
        while k < len(candidates) and candidates[k] < j:
            k += 1


def _name_hyphen(doc: Doc, j: int) -> bool:
    """"Dai-ichi Life", "Hewlett-Packard Enterprise": a hyphen with no space around it joins two
    parts of one name when the name goes on after them; not "Halden-backed", "Oslo-based", nor
    "A.P. Moller-Maersk" (whose last part the article may write alone)."""
    if doc[j].text != "-" or doc[j - 1].whitespace_ or doc[j].whitespace_ or j + 2 >= len(doc):
        return False
    part = doc[j + 1]
    return part.is_alpha and not part.lower_.endswith(_NOT_NAME_ENDINGS) and _capitalised(doc[j + 2])


def _place_before(doc: Doc, i: int, j: int, taken: set[int]) -> int:
    """"Abu Dhabi Investment Authority", "Texas Energy Fund": a place right before a name with a
    corporate last word starts that name (a nationality does not: "Japanese Sumitomo Metal
    Mining" is Sumitomo Metal Mining)."""
    if doc[_legal_form_start(doc[i:j]) - 1].text not in ORG_SUFFIXES:
        return i
    for size in (3, 2, 1):
        start = i - size
        if start >= 0 and not any(k in taken for k in range(start, i)) and doc[start:i].text in PLACE_NAMES \
                and all(t.text[:1].isupper() for t in doc[start:i]):
            return start
    return i


def _skip_run(candidates: list[int], k: int, i: int, end: int, doc: Doc) -> int:
    j = i + 1
    while j < end and _capitalised(doc[j]):
        j += 1
    while k < len(candidates) and candidates[k] < j:
        k += 1
    return k


def _capitalised(token) -> bool:
    text = token.text
    return (token.is_alpha or "." in text) and text[:1].isupper() and len(text) > 1 and text not in NOT_ORG_WORDS


def _looks_like_org(doc: Doc, span: Span) -> bool:
    # "Cascadia Power & Light Co.": the ampersand and the legal form are no extra words
    if sum(t.text not in ("&", ",") and t.text not in LEGAL_FORMS for t in span) > 4:
        return False
    if span[-1].text in ORG_SUFFIXES and len(span) > 1:
        return True
    words = lower_words(doc)
    after = span.end
    if after < len(doc) and words[after] in ("'s", "’s"):
        after += 1
    while after < min(span.end + 3, len(doc)) and words[after] in _AUXILIARIES:
        after += 1
    if after < len(doc) and words[after] in DEAL_VERBS:
        return True
    if _apposition_or_ticker(doc, span.end):
        return True
    if span.start > 1 and doc[span.start - 1].text == "," and doc[span.start - 2].lower_ in _APPOSITION_NOUNS:
        return True   # "its towers subsidiary, Albion Masts,"
    if span.start == 0 or words[span.start - 1] not in _INTRODUCER_LAST_WORDS:
        return False
    before = tuple(words[max(span.start - 3, 0):span.start])
    return any(before[-len(intro):] == intro for intro in ORG_INTRODUCERS)


def _after_apposition_noun(doc: Doc) -> np.ndarray:
    """Tokens right after "its towers subsidiary," or "its cargo arm,": a name there is the company
    the noun describes."""
    named = np.zeros(len(doc), dtype=bool)
    if len(doc) > 2:
        named[2:] = has(doc, _APPOSITION)[:-2] & has(doc, _COMMA)[1:-1]
    return named


def _hyphened_noun(doc: Doc, k: int) -> bool:
    """"start-up", split by the tokenizer into "start" "-" "up": the hyphen of such a noun."""
    return doc[k].text == "-" and 0 < k < len(doc) - 1 and not doc[k].whitespace_ \
        and f"{doc[k - 1].lower_}-{doc[k + 1].lower_}" in _APPOSITION_NOUNS


def _hyphened_apposition(doc: Doc) -> np.ndarray:
    found = np.zeros(len(doc), dtype=bool)
    for k in has(doc, _HYPHEN).nonzero()[0].tolist():
        found[k] = _hyphened_noun(doc, k)
    return found


def _apposition_or_ticker(doc: Doc, end: int) -> bool:
    """"Nordhavn, a Copenhagen-based operator of …", "Tessellate Cloud (Nasdaq: TSLC)"."""
    if end + 2 >= len(doc):
        return False
    if doc[end].text == "(":
        return doc[end + 1].text in _EXCHANGES
    if doc[end].text != "," or doc[end + 1].lower_ not in ("a", "an", "the"):
        return False
    for token in doc[end + 2:min(end + 9, len(doc))]:
        if token.lower_ in _APPOSITION_NOUNS or _hyphened_noun(doc, token.i):
            return True
        if token.text in (",", ".", ";") or token.lower_ in DEAL_VERBS:
            return False
    return False


_UNITS = frozenset(unit.lower() for unit in UNIT_WORDS)


def not_a_party(name: str) -> bool:
    """A place ("São Paulo", "Cameron Parish", "Latin America") or a unit ("GHz") is never a
    party, though a company's name may start with a place ("Georgia Power")."""
    words = name.split()
    return name in PLACE_NAMES or name.lower() in _UNITS or (len(words) > 1 and words[-1] in _PLACE_HEADS)


def _particle(doc: Doc, j: int) -> bool:
    """"Torres del Sur", "Banco do Brasil", "Bank of Montreal": a lower-case particle between
    two capitalised words of one name ("of" and "for" only after "Bank", "Institute", …)."""
    if j < 1 or j + 1 >= len(doc) or not _capitalised(doc[j - 1]):
        return False
    word = doc[j].text
    if word in ("of", "for") and doc[j - 1].text in _PARTICLE_AFTER:
        return _capitalised(doc[j + 1]) or doc[j + 1].text in _PLACE_WORDS   # "Commonwealth Bank of Australia"
    return word in NAME_PARTICLES and _capitalised(doc[j + 1])


_DATELINE_DASHES = ("-", "—", "–", "--")


def is_dateline(doc: Doc, span: Span) -> bool:
    """A wire dateline opening a paragraph: "DUBAI, Nov 18 (Meridian Wire) -", "São Paulo,
    March 3 —", "HOUSTON (Agency) -", "LONDON —": the place before a date, an agency in
    brackets or a dash is no company."""
    if span.start > 0 and span.start not in set(doc._.get(SENTENCE_STARTS) or [0]) \
            and "\n" not in doc[span.start - 1].text:
        return False
    after = doc[span.end:span.end + 3]
    if not len(after):
        return False
    if after[0].text in _DATELINE_DASHES:
        return True
    if after[0].text == "(":
        close = next((t.i for t in doc[span.end:span.end + 8] if t.text == ")"), None)
        return close is not None and close + 1 < len(doc) and doc[close + 1].text in _DATELINE_DASHES
    return after[0].text == "," and len(after) > 1 and (after[1].text[:3].lower() in MONTHS and after[1].text[:1].isupper()
                                                         or after[1].text in PLACE_NAMES or after[1].is_upper)


def _fuller_names(doc: Doc, found: list[Span], taken: set[int]) -> list[Span]:
    """"Redline" in a headline, "Redline Freight, the Chicago-based carrier" further down: an
    unknown name the article also writes with a company word after it ("Freight", "Labs",
    "Airways") is that fuller name everywhere (a legal form alone adds nothing; "its freight
    arm, Kaldera Logistics" is a part of Kaldera, not its full name)."""
    if not found:
        return found
    orth = token_columns(doc).orth
    n = len(doc)
    fuller: dict[tuple, set[str]] = {}
    longer: list[Span] = []
    for words in {tuple(t.orth for t in span) for span in found}:
        for i in (orth == words[0]).nonzero()[0].tolist():
            end = i + len(words)
            if end >= n or tuple(orth[i:end].tolist()) != words:
                continue
            j = end
            while j < n and j not in taken and j - i < 5 and doc[j].lower_ not in DEAL_VERBS \
                    and (_capitalised(doc[j]) or doc[j].text in ORG_SUFFIXES or _particle(doc, j)):
                j += 1
            while j > end and doc[j - 1].text not in ORG_SUFFIXES:
                j -= 1
            name_end = _legal_form_start(doc[i:j]) if j > end else end
            if name_end > end and not not_a_party(doc[i:name_end].text) and not _part_of_company(doc, doc[i:j]):
                fuller.setdefault(words, set()).add(doc[i:name_end].text)
                longer.append(Span(doc, i, j, label=doc[i:name_end].text))
    labels = {words: names.pop() for words, names in fuller.items() if len(names) == 1}
    if not labels:
        return found
    longer = [span for span in longer if span.label_ in labels.values()]
    inside = {i for span in longer for i in range(span.start, span.end)}
    kept = [Span(doc, s.start, s.end, label=labels.get(tuple(t.orth for t in s), s.label_)) for s in found
            if not any(i in inside for i in range(s.start, s.end))]
    return kept + longer


def _acronyms(doc: Doc, found: list[tuple]) -> list[tuple]:
    """"Kestrel Capital Partners (KCP)": an upper-case short form in brackets right after a
    name, made of its capitals, stands for that name there and wherever the article uses it
    afterwards."""
    short_forms: dict[str, tuple[str, int]] = {}
    for start, end, label, *_ in found:
        if end + 2 < len(doc) and doc[end].text == "(" and doc[end + 2].text == ")":
            short = doc[end + 1]
            capitals = "".join(t.text[0] for t in doc[start:end] if t.text[:1].isupper())
            if short.is_upper and short.is_alpha and 2 <= len(short) <= 6 and short.text == capitals != label:
                short_forms[short.text] = (label, end + 1)
    if not short_forms:
        return found
    relabelled = [(a, b, short_forms[label][0], c, d) if b - a == 1 and label in short_forms
                  and doc[a].text == label and a >= short_forms[label][1] else (a, b, label, c, d)
                  for a, b, label, c, d in found]
    taken = {i for mark in found for i in range(mark[0], mark[1])}
    orth = token_columns(doc).orth
    for short, (label, at) in short_forms.items():
        for i in (orth == doc[at].orth).nonzero()[0].tolist():
            if i >= at and i not in taken:
                relabelled.append((i, i + 1, label, doc[i].idx, doc[i].idx + len(doc[i])))
    return relabelled


_ASSET_NOUN = any_lower(ASSET_NOUNS)


def _asset_names(doc: Doc) -> frozenset[str]:
    """Names the document gives to assets: a capitalised run right before an asset noun, and
    the runs listed with it ("the Copper Kettle project", "the Los Ríos and Quebrada Seca
    mines"). Such a name is no company anywhere in the document, unless a company word ends it."""
    names = set()
    for k in has(doc, _ASSET_NOUN).nonzero()[0].tolist():
        end = k
        while end > 0 and doc[end - 1].text[:1].isupper() and doc[end - 1].is_alpha:
            start = end - 1
            while start > 0 and (doc[start - 1].text[:1].isupper() and doc[start - 1].is_alpha or _particle(doc, start - 1)):
                start -= 1
            if doc[end - 1].text not in ORG_SUFFIXES:   # "the Andes Copper Mining plant" is the company's
                names.add(doc[start:end].text)
            if start < 2 or doc[start - 1].text not in ("and", ",", "&"):
                break
            end = start - 1
    return frozenset(names)
