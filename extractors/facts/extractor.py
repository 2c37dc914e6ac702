"""FactExtractor: the spaCy pipeline plus the rules that turn figures into Facts.

DocumentFacts is one processed document as the figure decision reads it (its organisations,
cues, sentences, tables, and what earlier figures decided); each figure's fact is decided by
the steps of steps.py. After repeats are merged, a chip count with no named seller gets the maker its chip phrase
names (data/chips.jsonl), and a deal in the same sentence as that purchase is with the maker.
"""
from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import replace
from functools import lru_cache
from pathlib import Path
from typing import NamedTuple

from spacy.language import Language
from spacy.tokens import Doc, Span
from spacy.util import load_config, load_model_from_config
from thinc.api import Config

from . import (  # noqa: F401  (register the components)
    components,
    numbers,  # noqa: F401  (register the tokenizer)
    references,
    syntax,
)
from .attribution import Attribution
from .components import CUE_MARKS, FIGURE_SPANS, SENTENCE_STARTS, facts_file, sentence_bounds, token_columns
from .dates import dates_in
from .figures import DOC_TEXT, Figure, cell_figure, chip_maker, header_unit, parse_figure
from .merging import dedupe, merge_conversions
from .metrics import forecast_sections, measure_of, metric_in_text
from .model import Fact
from .orgs import ORG_MARKS, OrgLexicon
from .registry import Registry, default_registry, load_registry
from .registry import registry_path as default_registry_path
from .steps import Decision, decide
from .tables import TableRow, find_tables
from .wordclasses import check_vocab

_BATCH_SIZE = 64


CONFIG = "pipeline.cfg"


def pipeline_config(extra_org_files: Sequence[str | Path] = (), registry_path: str | Path | None = None,
                    config_path: str | Path | None = None) -> Config:
    """The pipeline's config (pipeline.cfg, or config_path), with the extra organisation files
    and a replacement metric registry set as overrides."""
    overrides: dict = {}
    if extra_org_files:
        extra = [str(p) for p in extra_org_files]
        overrides.update({"components.newsfacts_orgs.extra_paths": extra,
                          "components.newsfacts_references.extra_paths": extra})
    if registry_path:
        overrides["paths.metrics"] = str(registry_path)
    return load_config(config_path or facts_file(CONFIG), overrides=overrides, interpolate=False)


def build_pipeline(extra_org_files: Sequence[str | Path] = (), registry_path: str | Path | None = None,
                   config_path: str | Path | None = None) -> Language:
    """The fact pipeline as its config file says (tokenizer, components in order, their data
    files); extra_org_files add organisations (JSONL), registry_path replaces the packaged
    metric registry (data/metrics.jsonl)."""
    nlp = load_model_from_config(pipeline_config(extra_org_files, registry_path, config_path), auto_fill=True)
    check_vocab(nlp.vocab)
    return nlp


class FactExtractor:
    """Extracts deal and capacity facts from article text.

    extra_org_files: JSONL files of organisations ({"name", "aliases", "kind"}) added to the
    packaged list, for companies the lexicon does not know yet; registry_path: a metric
    registry used instead of the packaged one.
    """

    def __init__(self, extra_org_files: Sequence[str | Path] = (), registry_path: str | Path | None = None,
                 config_path: str | Path | None = None):
        self.nlp = build_pipeline(extra_org_files, registry_path, config_path)
        # the rules read the organisations and metrics the pipeline was built with
        self.lexicon = self.nlp.get_pipe("newsfacts_orgs").lexicon
        metrics = facts_file(self.nlp.config["paths"]["metrics"])
        self.registry = default_registry() if metrics == default_registry_path() else load_registry(metrics)

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
    """The facts of one processed document, and what the figure decision reads of it."""

    def __init__(self, doc: Doc, published_at: str | None, lexicon: OrgLexicon, text: str | None = None,
                 registry: Registry | None = None):
        self.doc = doc
        self.registry = registry or default_registry()
        self.text = doc.text if text is None else text  # doc.text rebuilds the string from tokens
        doc._.set(DOC_TEXT, self.text)
        self.published_at = published_at
        self.lexicon = lexicon
        text = self.text
        self.orgs = [Mark(s, e, label, text[a:b], a, b) for s, e, label, a, b in (doc._.get(ORG_MARKS) or [])]
        self.cues = [Mark(s, e, label, text[a:b], a, b) for s, e, label, a, b in (doc._.get(CUE_MARKS) or [])]
        self.cues = self._outside_names(self.cues)
        self._org_starts = [o.start for o in self.orgs]
        self._org_start_chars = [o.start_char for o in self.orgs]
        self._cue_starts = [c.start for c in self.cues]
        self.main, self.runner_up = self._main_subjects()
        self.forecasts = forecast_sections(self.text)
        self.rows = find_tables(self.text)
        # what earlier figures decided: a sentence's parties and metric, a sentence's deal
        self.sentence_attr: dict[int, tuple[Attribution, str | None]] = {}
        self.sentence_deal: dict[int, Attribution] = {}
        self._dates: dict[int, list[tuple[int, str]]] = {}
        self._row_spans: dict[int, Span] = {}
        self._captions: dict[tuple[int, int] | None, tuple[Attribution | None, str | None]] = {}
        starts = doc._.get(SENTENCE_STARTS) or [0]
        self.sentence_starts = starts
        self._sentence_ends = starts[1:] + [len(doc)]
        self.sentence_index = {start: k for k, start in enumerate(starts)}
        self.figure_spans = list(doc.spans.get(FIGURE_SPANS, []))  # a SpanGroup builds new Spans per pass
        self._sentence_spans: dict[int, Span] = {}
        self.inside_figures = {i for span in self.figure_spans for i in range(span.start, span.end)}
        self._figure_chars = [(span.start_char, span.end_char) for span in self.figure_spans]
        self._money_figures = [chars for chars, span in zip(self._figure_chars, self.figure_spans)
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
        figures = [f for f in map(parse_figure, self.figure_spans) if f is not None]
        figures = sorted(figures + self._cell_figures(), key=lambda f: f.start)
        # the contract's value is a number: an amount with no dollar figure is merged with its
        # conversion ("€1.7 billion ($2 billion)") or dropped
        figures = [f for f in merge_conversions(figures) if f.value is not None]
        facts = [fact for fig in figures if (fact := decide(self, fig)) is not None]
        # the chip maker is the fallback supplier, so it is added once repeats are merged
        headline_end = self.text.find("\n") % (len(self.text) + 1)   # no line break: no headline
        facts = [self._with_chip_supplier(fact) for fact in dedupe(facts, headline_end)]
        return self._chip_deals_with_maker(facts)

    def _cell_figures(self) -> list[Figure]:
        """Bare numbers in table cells whose column header gives the unit ("Price (US$m)")."""
        found = []
        for row in self.rows:
            if row.is_header:
                continue
            for k, cell in enumerate(row.cells):
                unit = header_unit(row.column_name(k))
                if unit is None or any(a < cell.end and cell.start < b for a, b in self._figure_chars):
                    continue
                span = self.doc.char_span(cell.start, cell.end, label="POWER" if unit[0] == "W" else "MONEY",
                                          alignment_mode="expand")
                figure = cell_figure(span, cell.text, unit) if span is not None else None
                if figure is not None:
                    found.append(figure)
        return found

    def make(self, d: Decision) -> Fact:
        """The fact a finished decision states."""
        figure, attr = d.figure, d.attr
        return Fact(
            subject=attr.subject, counterparty=attr.counterparty, metric=d.metric, value=figure.value,
            unit=figure.unit, qualifier=figure.qualifier, sentence=self.text_of(d.sentence),
            as_of=d.as_of or self.published_at, span=(figure.span.start_char, figure.span.end_char),
            value_max=figure.value_max, chip_type=figure.chip_type, currency=figure.currency,
            amount=figure.amount, confidence=attr.confidence, measure=d.measure)

    # -- after the figures ------------------------------------------------------------------

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

    # -- what the steps read ----------------------------------------------------------------

    def sentence(self, k: int) -> Span:
        span = self._sentence_spans.get(k)
        if span is None:
            span = self._sentence_spans[k] = self.doc[self.sentence_starts[k]:self._sentence_ends[k]]
        return span

    def sentence_of(self, token: int) -> Span:
        return self.sentence(bisect_right(self.sentence_starts, token) - 1)

    def next_sentence(self, sent: Span) -> Span | None:
        k = self.sentence_index.get(sent.start, -1)
        return self.sentence(k + 1) if 0 <= k < len(self.sentence_starts) - 1 else None

    def row_span(self, row: TableRow) -> Span:
        if row.start not in self._row_spans:
            self._row_spans[row.start] = self.doc.char_span(row.start, row.end, alignment_mode="expand")
        return self._row_spans[row.start]

    def caption(self, row: TableRow) -> tuple[Attribution | None, str | None]:
        """What the paragraph introducing a table says: its subject, counterparty and metric."""
        if row.caption not in self._captions:
            self._captions[row.caption] = self._read_caption(row)
        return self._captions[row.caption]

    def _read_caption(self, row: TableRow) -> tuple[Attribution | None, str | None]:
        if row.caption is None:
            return None, None
        caption = self.doc.char_span(*row.caption, alignment_mode="expand")
        known = self.sentence_attr.get(sentence_bounds(self.doc, caption.start)[0]) \
            or self.sentence_attr.get(caption.start)
        if known:
            return known
        orgs = self.orgs_in(caption.start, caption.end)
        metric = metric_in_text(self.text_of(caption), self.registry)
        if not orgs:
            return None, metric
        return Attribution(orgs[0].label_, None, 0.6), metric

    def measure(self, figure: Figure, metric: str) -> str | None:
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

    def cues_in(self, start: int, end: int) -> list[Mark]:
        first = bisect_left(self._cue_starts, start)
        last = bisect_left(self._cue_starts, end, lo=first)
        return [c for c in self.cues[first:last] if c.end <= end]

    def orgs_in(self, start: int, end: int) -> list[Mark]:
        first = bisect_left(self._org_starts, start)
        last = bisect_left(self._org_starts, end, lo=first)
        return [o for o in self.orgs[first:last] if o.end <= end]

    def orgs_in_chars(self, start: int, end: int) -> list[Mark]:
        first = bisect_left(self._org_start_chars, start)
        last = bisect_left(self._org_start_chars, end, lo=first)
        return [o for o in self.orgs[first:last] if o.end_char <= end]

    def text_of(self, span: Span) -> str:
        return self.text[span.start_char:span.end_char].strip()

    def dates_in(self, span: Span, figure: Figure) -> list[tuple[int, str]]:
        """Dates of a sentence or row (read once per sentence), less the figures' own numbers."""
        if span.start not in self._dates:
            start = span.start_char
            self._dates[span.start] = dates_in(self.text[start:span.end_char], start, self.published_at,
                                               self._figure_chars)
        return self._dates[span.start]
