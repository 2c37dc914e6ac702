"""Organisation names: a user-extendable lexicon plus a recogniser for unseen companies.

Aliases are matched case-sensitively (ORTH) so "apple", "meta" or "oracle" in prose are
not companies. Unknown capitalised names count as organisations only where a deal is
being described: right before a deal verb, after "led by"/"from"/"backed by", or when
they end in a corporate word ("Labs", "Capital", "AI", …).
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path

import numpy as np
from spacy.attrs import ORTH, PREFIX
from spacy.language import Language
from spacy.matcher import PhraseMatcher
from spacy.tokens import Doc, Span
from spacy.util import filter_spans

from .components import capital_hashes, member, sentence_bounds

ORG_SPANS = "orgs"
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
    "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday", "Reuters", "Bloomberg", "US",
    "U.S.", "UK", "EU", "Europe", "America", "China", "Texas", "New", "York", "California", "Paris",
    "London", "Bottom", "Why", "What", "How", "Who", "Update", "Breaking", "Exclusive", "Source", "Sources",
    "Note", "Read", "Key", "Date", "Amount", "Valuation", "Provider", "Hardware", "Scale", "Both", "Each",
    "Other", "Some", "Most", "All", "Combined", "Today", "Yesterday", "Earlier", "Last", "Next", "Now",
    "Funding", "Compute", "Capacity", "Power", "Data", "Cloud", "AI", "Frontier", "Dollar", "Euro",
    "Dutch", "French", "German", "British", "American", "Chinese", "Japanese", "Korean", "Indian", "Saudi",
    "Emirati", "European", "Canadian", "Israeli", "Swiss", "Swedish", "Spanish", "Italian", "Taiwanese",
    "Paris-based", "Nasdaq", "NYSE", "PRNewswire", "Business", "Wire", "Honourable", "Honorable", "Our",
}


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
    def from_jsonl(cls, *paths: Path) -> "OrgLexicon":
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
        entry = self._by_alias.get(name)
        return entry.kind if entry else "company"

    def is_provider(self, name: str) -> bool:
        return self.kind(name) in PROVIDER_KINDS

    def seller_rank(self, name: str) -> int:
        """Who sells compute to whom: neoclouds to hyperscalers, hyperscalers to labs."""
        return SELLER_RANK.get(self.kind(name), 0)


def default_data_path(filename: str) -> Path:
    return Path(str(resources.files("extractors.facts").joinpath("data", filename)))


@lru_cache(maxsize=1)
def default_lexicon() -> OrgLexicon:
    return OrgLexicon.from_jsonl(default_data_path("orgs.jsonl"))


def load_lexicon(extra_paths=()) -> OrgLexicon:
    """The packaged organisations plus any extra JSONL files."""
    if not extra_paths:
        return default_lexicon()
    return OrgLexicon.from_jsonl(default_data_path("orgs.jsonl"), *map(Path, extra_paths))


@Language.factory("newsfacts_orgs", default_config={"extra_paths": []})
def make_org_recogniser(nlp: Language, name: str, extra_paths: list[str]):
    return OrgRecogniser(nlp, load_lexicon(extra_paths))


class OrgRecogniser:
    """Puts organisation mentions in doc.spans["orgs"], label = canonical name."""

    def __init__(self, nlp: Language, lexicon: OrgLexicon):
        self.lexicon = lexicon
        self.matcher = PhraseMatcher(nlp.vocab, attr="ORTH")
        for entry in lexicon.entries:
            self.matcher.add(entry.name, [nlp.make_doc(a) for a in (entry.name, *entry.aliases)])

    def __call__(self, doc: Doc) -> Doc:
        known = filter_spans(self.matcher(doc, as_spans=True))
        taken = {i for span in known for i in range(span.start, span.end)}
        unknown = [span for span in _capitalised_runs(doc, taken) if _looks_like_org(doc, span)]
        unknown += _other_mentions(doc, unknown, taken)
        doc.spans[ORG_SPANS] = sorted(filter_spans(known + unknown), key=lambda s: s.start)
        return doc


def _other_mentions(doc: Doc, found: list[Span], taken: set[int]) -> list[Span]:
    """A name recognised once by its context is an organisation everywhere in the document."""
    if not found:
        return []
    orth = doc.to_array(ORTH)
    seen = {span.start for span in found} | taken
    more = []
    for words, label in {tuple(t.orth for t in span): span.label_ for span in found}.items():
        for i in np.flatnonzero(orth == words[0]).tolist():
            if i not in seen and tuple(orth[i:i + len(words)].tolist()) == words:
                more.append(Span(doc, i, i + len(words), label=label))
                seen.add(i)
    return more


def _capitalised_runs(doc: Doc, taken: set[int]):
    """Runs of capitalised tokens in sentences that hold a figure (where deals are)."""
    if len(doc) == 0:
        return
    upper_first = member(doc.to_array(PREFIX), capital_hashes())
    for start, end in sorted({sentence_bounds(doc, span.start) for span in doc.spans.get("figures", [])}):
        candidates = (np.flatnonzero(upper_first[start:end]) + start).tolist()
        k = 0
        while k < len(candidates):
            i = candidates[k]
            k += 1
            if i in taken:
                continue
            if not _capitalised(doc[i]):
                continue
            j = i + 1
            while j < end and j not in taken and (_capitalised(doc[j]) or doc[j].text in ORG_SUFFIXES or
                                                  (doc[j].text == "&" and j + 1 < end and _capitalised(doc[j + 1]))):
                j += 1
            yield Span(doc, i, j, label=doc[i:j].text)
            while k < len(candidates) and candidates[k] < j:
                k += 1


def _capitalised(token) -> bool:
    text = token.text
    return (token.is_alpha or "." in text) and text[:1].isupper() and len(text) > 1 and text not in NOT_ORG_WORDS


def _looks_like_org(doc: Doc, span: Span) -> bool:
    if len(span) > 4:
        return False
    if span[-1].text in ORG_SUFFIXES and len(span) > 1:
        return True
    after = doc[span.end].lower_ if span.end < len(doc) else ""
    if after in ("'s", "’s") and span.end + 1 < len(doc):
        after = doc[span.end + 1].lower_
    if after in DEAL_VERBS:
        return True
    before = tuple(t.lower_ for t in doc[max(span.start - 3, 0):span.start])
    return any(before[-len(intro):] == intro for intro in ORG_INTRODUCERS)
