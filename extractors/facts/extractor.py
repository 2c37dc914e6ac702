"""FactExtractor: the spaCy pipeline plus the rules that turn figures into Facts.

After repeats are merged, a chip count with no named seller gets the maker its chip phrase
names (data/chips.jsonl), and a deal in the same sentence as that purchase is with the maker.
"""
from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import replace
from functools import lru_cache
from pathlib import Path
from typing import NamedTuple

import spacy
from spacy.language import Language
from spacy.tokens import Doc, Span

from . import components, references, syntax  # noqa: F401  (register the components)
from .attribution import CONTRIBUTING_VERBS, PROVIDING_VERBS, Attribution, attribute, read_roles
from .components import CUE_MARKS, FIGURE_SPANS, SENTENCE_STARTS, sentence_bounds, token_columns
from .dates import dates_in, nearest_date
from .figures import DOC_TEXT, Figure, chip_maker, parse_figure
from .merging import dedupe, merge_conversions
from .metrics import choose_metric, forecast_sections, is_hedged, measure_named, measure_of, metric_in_text, valued_company
from .model import Fact
from .numbers import customise_tokenizer
from .orgs import NOT_ORG_WORDS, ORG_MARKS, ORG_SUFFIXES, OrgLexicon, load_lexicon
from .parties import parties
from .registry import Registry, default_registry, load_registry
from .tables import TableRow, find_tables, first_named, row_at
from .wordclasses import check_vocab

_ELLIPTICAL_TOKENS = 6
# attribution reads the packaged metrics; a new metric is read as the one with its roles
_ATTRIBUTION_READS = default_registry().names
_RULE_DISCOUNT = 0.1   # parties from the word-window rules where no dependency frame fits weigh less
_BATCH_SIZE = 64
_DEAL_METRICS = ("compute_deal", "power", "chips")
_LIST_ITEM = re.compile(r"^\s*(?:#{1,6}\s*)?(\d{1,2}[.)]|[-*•])\s")   # "1. X", "- X", "## 3. X"
# table column headers by the party their cells name (the metric registry's word lists)
_SUBJECT_COLUMN = tuple(sorted(default_registry().word_list("subject_columns")))
_INVESTOR_COLUMN = tuple(sorted(default_registry().word_list("investor_columns")))
_PARTNER_COLUMN = tuple(sorted(default_registry().word_list("partner_columns")))


def build_pipeline(extra_org_files: Sequence[str | Path] = (), registry_path: str | Path | None = None) -> Language:
    """spacy.blank("en") with the fact components; extra_org_files add organisations (JSONL),
    registry_path replaces the packaged metric registry (data/metrics.jsonl)."""
    nlp = spacy.blank("en")
    check_vocab(nlp.vocab)
    customise_tokenizer(nlp)
    nlp.add_pipe("newsfacts_sentences")
    nlp.add_pipe("newsfacts_figures")
    nlp.add_pipe("newsfacts_cues", config={"registry_path": str(registry_path or "")})
    nlp.add_pipe("newsfacts_orgs", config={"extra_paths": [str(p) for p in extra_org_files]})
    nlp.add_pipe("newsfacts_syntax")
    nlp.add_pipe("newsfacts_references", config={"extra_paths": [str(p) for p in extra_org_files]})
    nlp.add_pipe("newsfacts_parties")
    return nlp


class FactExtractor:
    """Extracts deal and capacity facts from article text.

    extra_org_files: JSONL files of organisations ({"name", "aliases", "kind"}) added to the
    packaged list, for companies the lexicon does not know yet; registry_path: a metric
    registry used instead of the packaged one.
    """

    def __init__(self, extra_org_files: Sequence[str | Path] = (), registry_path: str | Path | None = None):
        self.nlp = build_pipeline(extra_org_files, registry_path)
        self.lexicon = load_lexicon(extra_org_files)
        self.registry = load_registry(registry_path) if registry_path else default_registry()

    def extract(self, text: str, published_at: str | None = None) -> list[Fact]:
        return next(self.extract_many([(text, published_at)]))

    def extract_many(self, docs: Iterable[tuple[str, str | None]]) -> Iterator[list[Fact]]:
        with_context = ((text, (text, published_at)) for text, published_at in docs)
        # small batches keep the docs in flight few (and their memory warm); spaCy's default is 1000
        for doc, (text, published_at) in self.nlp.pipe(with_context, as_tuples=True, batch_size=_BATCH_SIZE):
            yield DocumentFacts(doc, published_at, self.lexicon, text, self.registry).facts()


@lru_cache(maxsize=1)
def shared_extractor() -> FactExtractor:
    return FactExtractor()


def extract_facts(text: str, published_at: str | None = None) -> list[Fact]:
    return shared_extractor().extract(text, published_at)


class Mark(NamedTuple):
    """A matched organisation or cue as plain numbers: Span objects are slow to make and read."""
    start: int
    end: int
    label_: str
    text: str
    start_char: int
    end_char: int


class DocumentFacts:
    """The facts of one processed document."""

    def __init__(self, doc: Doc, published_at: str | None, lexicon: OrgLexicon, text: str | None = None,
                 registry: Registry | None = None):
        self.doc = doc
        self.registry = registry or default_registry()
        self.text = doc.text if text is None else text  # doc.text rebuilds the string from tokens
        doc.user_data[DOC_TEXT] = self.text
        self.published_at = published_at
        self.lexicon = lexicon
        text = self.text
        self.orgs = [Mark(s, e, label, text[a:b], a, b) for s, e, label, a, b in doc.user_data.get(ORG_MARKS, [])]
        self.cues = [Mark(s, e, label, text[a:b], a, b) for s, e, label, a, b in doc.user_data.get(CUE_MARKS, [])]
        self.cues = self._outside_names(self.cues)
        self._org_starts = [o.start for o in self.orgs]
        self._org_start_chars = [o.start_char for o in self.orgs]
        self._cue_starts = [c.start for c in self.cues]
        self.main, self.runner_up = self._main_subjects()
        self.forecasts = forecast_sections(self.text)
        self.rows = find_tables(self.text)
        self._sentence_attr: dict[int, tuple[Attribution, str | None]] = {}
        self._dates: dict[int, list[tuple[int, str]]] = {}
        self._sentence_deal: dict[int, Attribution] = {}
        self._row_spans: dict[int, Span] = {}
        self._captions: dict[tuple[int, int] | None, tuple[Attribution | None, str | None]] = {}
        starts = doc.user_data.get(SENTENCE_STARTS) or [0]
        self._sentence_starts = starts
        self._sentence_ends = starts[1:] + [len(doc)]
        self._sentence_index = {start: k for k, start in enumerate(starts)}
        self._figure_spans = list(doc.spans.get(FIGURE_SPANS, []))  # a SpanGroup builds new Spans per pass
        self._sentence_spans: dict[int, Span] = {}
        self._inside_figures = {i for span in self._figure_spans for i in range(span.start, span.end)}
        self._figure_chars = [(span.start_char, span.end_char) for span in self._figure_spans]
        self._money_figures = [chars for chars, span in zip(self._figure_chars, self._figure_spans)
                               if span.label_.startswith("MONEY")]

    def _outside_names(self, cues: list[Mark]) -> list[Mark]:
        """A cue inside a company's name ("Oracle Cloud Infrastructure") says nothing."""
        starts = [o.start for o in self.orgs]
        kept = []
        for cue in cues:
            k = bisect_right(starts, cue.start) - 1
            if k < 0 or self.orgs[k].end < cue.end:
                kept.append(cue)
        return kept

    def facts(self) -> list[Fact]:
        figures = [f for f in map(parse_figure, self._figure_spans) if f is not None]
        # the contract's value is a number: an amount with no dollar figure is merged with its
        # conversion ("€1.7 billion ($2 billion)") or dropped
        figures = [f for f in merge_conversions(figures) if f.value is not None]
        facts = [fact for fig in figures if (fact := self._fact(fig)) is not None]
        # the chip maker is the fallback supplier, so it is added once repeats are merged
        headline_end = self.text.find("\n") % (len(self.text) + 1)   # no line break: no headline
        facts = [self._with_chip_supplier(fact) for fact in dedupe(facts, headline_end)]
        return self._chip_deals_with_maker(facts)

    # -- one figure -------------------------------------------------------------------------

    def _fact(self, figure: Figure) -> Fact | None:
        if any(start <= figure.span.start_char < end for start, end in self.forecasts):
            return None
        row = row_at(self.rows, figure.span.start_char) if self.rows else None
        if row is not None and not row.is_header:
            return self._table_fact(figure, row)
        sent = self._sentence(bisect_right(self._sentence_starts, figure.start) - 1)
        cues = self._cues_in(sent.start, sent.end)
        if is_hedged(cues, self.doc, figure):
            return None
        metric = choose_metric(figure, cues, registry=self.registry) or self._list_item_metric(figure, sent)
        scope = sent
        if metric is None and len(sent) <= _ELLIPTICAL_TOKENS:
            # "Two: $27 billion. Meta agreed a financing deal with Blue Owl …": the next sentence explains
            scope = self._next_sentence(sent)
            cues = self._cues_in(scope.start, scope.end) if scope is not None else []
            metric = choose_metric(figure, cues, registry=self.registry) if not is_hedged(cues, self.doc) else None
        if metric is None:
            return None
        if scope is sent:
            roles = read_roles(self.doc, sent, figure.start, figure.end, self._orgs_in(sent.start, sent.end),
                               self._inside_figures)
        else:
            roles = read_roles(self.doc, scope, scope.start, scope.start, self._orgs_in(scope.start, scope.end),
                               self._inside_figures)
        if metric == "funding_round" and roles.agent is not None and roles.agent.end <= figure.start \
                and roles.agent.verb_after(self.doc) in CONTRIBUTING_VERBS:
            metric = "investment"  # "SpaceX contributed $2 billion of the round": its part of xAI's round
        if metric == "infrastructure" and any(m.words_after(self.doc, 3) & PROVIDING_VERBS
                                              for m in roles.mentions if m.end <= figure.start):
            metric = "compute_deal"  # "Nebius will provide Meta with $3B of AI infrastructure" sells compute
        needs_context = not roles.targets and (roles.agent is None or metric in ("investment", "equity_stake"))
        context = self._context(sent, metric) if needs_context else None
        # "Nvidia owns 6% of CoreWeave, having invested $100M in the company": the sentence's
        # own subject comes before the article's
        same_sentence = self._sentence_attr.get(sent.start)
        fallback = (same_sentence[0].subject if same_sentence else None) or (context.subject if context else None) \
            or self.main
        attr = attribute(self.registry.reading(metric, _ATTRIBUTION_READS), roles, self.doc, fallback, self.lexicon,
                         self.runner_up)
        if context is not None and not roles.mentions:
            attr = context  # "The contract will require 4.5 GW": the parties of the sentence before
        if metric == "funding_round":
            named = self._orgs_in(sent.start, sent.end)
            raiser = valued_company(figure, named)
            if raiser is not None and raiser != attr.subject:   # "X led a round that values Y at …"
                lead = attr.counterparty or attr.subject
                in_sentence = {o.label_ for o in named}
                attr = Attribution(raiser, lead if lead in in_sentence and lead != raiser else None, attr.confidence)
        respective = self._respective_party(figure, sent, roles)
        if respective is not None and metric not in ("investment", "equity_stake", "valuation", "revenue"):
            attr = Attribution(context.subject if context else self.main, respective, 0.7)
        if metric == "funding_round" and attr.counterparty is None and not roles.leads:
            attr = replace(attr, counterparty=self._lead_in_next_sentence(sent))
        if attr.counterparty is None and metric in _DEAL_METRICS and roles.agent is not None:
            attr = replace(attr, counterparty=self._same_deal_counterparty(sent, attr.subject))
        if scope is sent:
            attr = self._with_parse(figure, metric, attr)
        self._sentence_attr.setdefault(sent.start, (attr, metric))
        if metric in _DEAL_METRICS and attr.counterparty:
            self._sentence_deal[sent.start] = attr
        if attr.subject is None:
            return None
        as_of = nearest_date(self._dates_in(sent, figure), figure.span.start_char)
        return self._make(figure, metric, attr, self._text_of(sent), as_of)

    def _with_parse(self, figure: Figure, metric: str, attr: Attribution) -> Attribution:
        """The parties the dependency frames read win over the word-window rules; where no
        frame fits, the rules answer at lower confidence, and a rule's counterparty that the
        parse names as the subject (a reversed direction) is dropped."""
        read = parties(self.doc, figure.start, metric, figure.unit, self.registry)
        if read is None:
            return attr
        fallback = replace(attr, confidence=round(attr.confidence - _RULE_DISCOUNT, 2))
        if not read.found:
            return fallback
        subject = read.subject
        if subject is None:
            subject = attr.subject if attr.subject != read.counterparty else \
                (attr.counterparty if attr.counterparty not in (None, read.counterparty) else None)
            if subject is None:
                return fallback
        counterparty = read.counterparty
        if counterparty is None and attr.counterparty not in (None, subject) and attr.subject == subject:
            counterparty = attr.counterparty
        if self.registry.roles(metric)[1] is None or counterparty == subject:
            counterparty = None
        return Attribution(subject, counterparty, 1.0 if read.subject else fallback.confidence)

    def _context(self, sent: Span, metric: str) -> Attribution | None:
        """Who the previous sentences (at most two back) were about, read for this metric."""
        if _LIST_ITEM.match(self._text_of(sent)):
            return None  # each list item stands alone
        k = self._sentence_index.get(sent.start, 0)
        for previous in (self._sentence(j) for j in range(k - 1, max(k - 2, 0) - 1, -1)):
            if self._text_of(previous)[:1] == "#" or (self.rows and row_at(self.rows, previous.start_char)):
                return None  # headings and table rows end the thread
            known = self._sentence_attr.get(previous.start)
            if known:
                attr = known[0]
                return replace(attr, counterparty=None) if metric in ("valuation", "revenue") else attr
            orgs = self._orgs_in(previous.start, previous.end)
            if orgs:
                # read the sentence from its start: its first organisation is what it is about
                roles = read_roles(self.doc, previous, previous.start, previous.start, orgs, self._inside_figures)
                attr = attribute(metric, roles, self.doc, self.main, self.lexicon)
                return attr if attr.subject else None
        return None

    def _respective_party(self, figure: Figure, sent: Span, roles) -> str | None:
        """"Broadcom and AMD deals (10 GW and 6 GW respectively)": the k-th figure, the k-th name."""
        if "respectively" not in self._text_of(sent):
            return None
        figures = [span for span in self._figure_spans
                   if sent.start <= span.start < sent.end and span.label_ == figure.span.label_]
        groups: dict[int, list] = {}
        for mention in roles.mentions:
            groups.setdefault(mention.group, []).append(mention)
        for members in groups.values():
            if len(members) == len(figures) > 1:
                position = next(k for k, span in enumerate(figures) if span.start == figure.start)
                return members[position].name
        return None

    def _with_chip_supplier(self, fact: Fact) -> Fact:
        """"18,000 NVIDIA GB300 GPUs", "400,000 of Google's TPUs": with no seller named, the
        maker the chip phrase names supplies them ("H100 GPU equivalents" are a unit, not chips)."""
        if fact.metric != "chips" or fact.counterparty is not None:
            return fact
        if self.text[fact.span[1]:fact.span[1] + 12].lstrip().lower().startswith("equivalent"):
            return fact
        maker = chip_maker(fact.chip_type)
        maker = self.lexicon.canonical(maker) if maker else None
        return replace(fact, counterparty=maker) if maker and maker != fact.subject else fact

    @staticmethod
    def _chip_deals_with_maker(facts: list[Fact]) -> list[Fact]:
        """"OpenAI agreed to buy 120,000 of AMD's GPUs … in a deal worth $5B": a deal with no
        named seller, in the sentence of a chip purchase by the same buyer, is with the maker."""
        makers = {(f.sentence, f.subject): f.counterparty for f in facts if f.metric == "chips" and f.counterparty}
        return [replace(f, counterparty=makers[(f.sentence, f.subject)])
                if f.metric == "compute_deal" and f.counterparty is None
                and (f.sentence, f.subject) in makers else f
                for f in facts]

    def _next_sentence(self, sent: Span) -> Span | None:
        k = self._sentence_index.get(sent.start, -1)
        return self._sentence(k + 1) if 0 <= k < len(self._sentence_starts) - 1 else None

    def _same_deal_counterparty(self, sent: Span, subject: str | None) -> str | None:
        """"Anthropic will also contract up to one gigawatt": the deal of the sentence before."""
        k = self._sentence_index.get(sent.start, 0)
        if k == 0:
            return None
        deal = self._sentence_deal.get(self._sentence_starts[k - 1])
        return deal.counterparty if deal and deal.subject == subject else None

    def _lead_in_next_sentence(self, sent: Span) -> str | None:
        """"X raised $2B. The round was led by Y.": the lead is named one sentence later."""
        k = self._sentence_index.get(sent.start, -1)
        if k < 0 or k + 1 >= len(self._sentence_starts):
            return None
        following = self._sentence(k + 1)
        roles = read_roles(self.doc, following, following.start, following.start,
                           self._orgs_in(following.start, following.end), self._inside_figures)
        return roles.leads[0].name if roles.leads else None

    def _list_item_metric(self, figure: Figure, sent: Span) -> str | None:
        """"1. OpenAI — $40 billion." in a listicle: the title says what the list ranks."""
        line_start = self.text.rfind("\n", 0, figure.span.start_char) + 1
        if figure.unit != "USD" or len(sent) > 12 or not _LIST_ITEM.match(self.text[line_start:]):
            return None
        if not any(o.end <= figure.start for o in self._orgs_in(sent.start, sent.end)):
            return None  # the item must name whom it ranks
        return first_named(lambda: metric_in_text(self.text.lstrip().split("\n", 1)[0], self.registry))

    def _table_fact(self, figure: Figure, row: TableRow) -> Fact | None:
        doc = self.doc
        index = row.cell_at(figure.span.start_char)
        if index is None:
            return None
        cell = doc.char_span(row.cells[index].start, row.cells[index].end, alignment_mode="expand")
        row_span = self._row_span(row)
        label_cell = row.cells[0]
        column = row.column_name(index)
        if is_hedged(self._cues_in(row_span.start, row_span.end), self.doc):
            return None
        caption_attr, caption_metric = self._caption(row)
        cell_cues = self._cues_in(cell.start, cell.end)
        metric = choose_metric(figure, cell_cues, commitment_fallback=False, registry=self.registry)
        row_subject = self._header_org(row, index) or self._row_subject(row, index)
        label_orgs = [o for o in self._orgs_in_chars(label_cell.start, label_cell.end)
                      if o.label_ != row_subject] if index != 0 else []
        if metric is None and figure.unit == "USD":
            # the column, the row's label, then the sentence introducing the table and its
            # heading; the first that names a metric (or a non-fact: "Backlog") decides
            table_metric = caption_metric or metric_in_text(row.heading or "", self.registry)
            metric = first_named(
                lambda: "investment" if any(word in column.lower() for word in _INVESTOR_COLUMN) else None,
                lambda: metric_in_text(column, self.registry),
                lambda: metric_in_text(label_cell.text, self.registry) if index != 0 else None,
                lambda: "investment" if label_orgs and table_metric == "funding_round" else None,
                lambda: table_metric,
                lambda: "compute_deal" if "commitment" in column.lower() else None,
                lambda: choose_metric(figure, cell_cues, registry=self.registry))
        if metric is None:
            return None
        subject = row_subject or (caption_attr.subject if caption_attr else None) or self.main
        cp = self._table_counterparty(figure, row, index, cell, metric, subject, label_orgs)
        if cp is None and caption_attr and caption_attr.subject == subject:
            cp = caption_attr.counterparty
        if cp == subject or metric in ("valuation", "revenue"):
            cp = None
        if subject is None:
            return None
        as_of = nearest_date(self._dates_in(row_span, figure), figure.span.start_char)
        if as_of is None and row.caption:
            as_of = nearest_date(dates_in(self.text[row.caption[0]:row.caption[1]], row.caption[0],
                                          self.published_at), row.caption[1])
        return self._make(figure, metric, Attribution(subject, cp, 0.8), self._text_of(row_span), as_of,
                          measure_named(metric, column, self.registry))

    def _table_counterparty(self, figure, row, index, cell, metric, subject, label_orgs) -> str | None:
        in_cell = [o for o in self._orgs_in(cell.start, cell.end) if not (figure.start <= o.start < figure.end)]
        adjacent = [o for o in in_cell if o.start == figure.end or o.end == figure.start
                    or (o.end == figure.start - 1 and self.doc[o.end].text == "(")]
        if adjacent:
            return adjacent[0].label_
        names = list(dict.fromkeys(o.label_ for o in in_cell if o.label_ != subject))
        if len(names) == 1:
            return names[0]
        if len(names) > 1:
            return None
        for k, other in enumerate(row.cells):
            header = row.column_name(k).lower()
            if k == index or not any(word in header for word in _INVESTOR_COLUMN + _PARTNER_COLUMN):
                continue
            names = list(dict.fromkeys(o.label_ for o in self._orgs_in_chars(other.start, other.end)))
            names = names or self._name_in_cell(other)
            if names and (metric == "funding_round" or len(names) == 1):
                return names[0]
            if names:
                return None
        names = list(dict.fromkeys(o.label_ for o in label_orgs))
        return names[0] if len(names) == 1 and names[0] != subject else None

    def _row_subject(self, row: TableRow, index: int) -> str | None:
        """A cell holding just an organisation, in a company or customer column (or the row label)."""
        for k, cell in enumerate(row.cells):
            header = row.column_name(k).lower()
            if k == index or any(word in header for word in _INVESTOR_COLUMN + _PARTNER_COLUMN):
                continue
            if k != 0 and not any(word in header for word in _SUBJECT_COLUMN):
                continue
            orgs = self._orgs_in_chars(cell.start, cell.end)
            if len(orgs) == 1 and orgs[0].text == cell.text.strip("*_ "):
                return orgs[0].label_
            if not orgs and any(word in header for word in _SUBJECT_COLUMN) and self._name_in_cell(cell):
                return self._name_in_cell(cell)[0]
        return None

    def _name_in_cell(self, cell) -> list[str]:
        """A cell of a company or investor column that holds an unknown name ("ASML")."""
        text = cell.text.strip("*_ ")
        words = text.split()
        if not words or len(words) > 4 or not text[:1].isupper() or any(ch.isdigit() for ch in text):
            return []
        if any(ch in text for ch in "$€£%|,/+") or text in NOT_ORG_WORDS:
            return []
        # "Coatue", "ASML", "Aker ASA" are firms; "Jaan Tallinn" (two plain words) is likely a person
        firm = len(words) == 1 or words[-1] in ORG_SUFFIXES or any(w.isupper() and len(w) > 1 for w in words)
        return [self.lexicon.canonical(text)] if firm else []

    def _header_org(self, row: TableRow, index: int) -> str | None:
        if index >= len(row.header):
            return None
        header = row.header[index]
        orgs = self._orgs_in_chars(header.start, header.end)
        return orgs[0].label_ if len(orgs) == 1 else None

    def _row_span(self, row: TableRow) -> Span:
        if row.start not in self._row_spans:
            self._row_spans[row.start] = self.doc.char_span(row.start, row.end, alignment_mode="expand")
        return self._row_spans[row.start]

    def _caption(self, row: TableRow) -> tuple[Attribution | None, str | None]:
        """What the paragraph introducing a table says: its subject, counterparty and metric."""
        if row.caption not in self._captions:
            self._captions[row.caption] = self._read_caption(row)
        return self._captions[row.caption]

    def _read_caption(self, row: TableRow) -> tuple[Attribution | None, str | None]:
        if row.caption is None:
            return None, None
        caption = self.doc.char_span(*row.caption, alignment_mode="expand")
        known = self._sentence_attr.get(sentence_bounds(self.doc, caption.start)[0]) \
            or self._sentence_attr.get(caption.start)
        if known:
            return known
        orgs = self._orgs_in(caption.start, caption.end)
        metric = metric_in_text(self._text_of(caption), self.registry)
        if not orgs:
            return None, metric
        return Attribution(orgs[0].label_, None, 0.6), metric

    # -- helpers ----------------------------------------------------------------------------

    def _make(self, figure: Figure, metric: str, attr: Attribution, sentence: str, as_of: str | None,
              measure: str | None = None) -> Fact:
        return Fact(
            subject=attr.subject, counterparty=attr.counterparty, metric=metric, value=figure.value,
            unit=figure.unit, qualifier=figure.qualifier, sentence=sentence,
            as_of=as_of or self.published_at, span=(figure.span.start_char, figure.span.end_char),
            value_max=figure.value_max, chip_type=figure.chip_type, currency=figure.currency,
            amount=figure.amount, confidence=attr.confidence, measure=measure or self._measure(figure, metric))

    def _measure(self, figure: Figure, metric: str) -> str | None:
        """Total, increment, rate or period, read in the figure's sentence (a table row is one)."""
        start, end = sentence_bounds(self.doc, figure.start)
        columns = token_columns(self.doc)
        scope = (int(columns.idx[start]), int(columns.idx[end - 1] + columns.length[end - 1]))
        own = (figure.span.start_char, figure.span.end_char)
        money = self._money_figures
        first = bisect_left(money, (scope[0], 0))
        last = bisect_left(money, (scope[1], 0), lo=first)
        others = [chars for chars in money[first:last] if chars[0] != own[0]]
        return measure_of(metric, self.text, scope, own, others, self.registry)

    def _main_subjects(self) -> tuple[str | None, str | None]:
        """The organisation the article is about (the most mentioned one), and the next.

        Suppliers (clouds, chip makers) are named in every deal story, so their mentions
        weigh less than those of the lab, startup or investor the story is about."""
        mentions = Counter(org.label_ for org in self.orgs)
        weighted = Counter({name: n * (1.0 if self.lexicon.is_provider(name) else 1.5) for name, n in mentions.items()})
        ranked = [name for name, _ in weighted.most_common(2)] + [None, None]
        return ranked[0], ranked[1]

    def _cues_in(self, start: int, end: int) -> list[Mark]:
        first = bisect_left(self._cue_starts, start)
        last = bisect_left(self._cue_starts, end, lo=first)
        return [c for c in self.cues[first:last] if c.end <= end]

    def _orgs_in(self, start: int, end: int) -> list[Mark]:
        first = bisect_left(self._org_starts, start)
        last = bisect_left(self._org_starts, end, lo=first)
        return [o for o in self.orgs[first:last] if o.end <= end]

    def _orgs_in_chars(self, start: int, end: int) -> list[Mark]:
        first = bisect_left(self._org_start_chars, start)
        last = bisect_left(self._org_start_chars, end, lo=first)
        return [o for o in self.orgs[first:last] if o.end_char <= end]

    def _sentence(self, k: int) -> Span:
        span = self._sentence_spans.get(k)
        if span is None:
            span = self._sentence_spans[k] = self.doc[self._sentence_starts[k]:self._sentence_ends[k]]
        return span

    def _text_of(self, span: Span) -> str:
        return self.text[span.start_char:span.end_char].strip()

    def _dates_in(self, span: Span, figure: Figure) -> list[tuple[int, str]]:
        """Dates of a sentence or row (read once per sentence), less the figures' own numbers."""
        if span.start not in self._dates:
            start = span.start_char
            self._dates[span.start] = dates_in(self.text[start:span.end_char], start, self.published_at,
                                               self._figure_chars)
        return self._dates[span.start]
