"""Matched figure spans -> numbers with unit, qualifier and (for chips) chip type."""
from __future__ import annotations

import json
import re
from dataclasses import dataclass, replace
from functools import lru_cache

from spacy.tokens import Span

from .components import doc_extension, word_list
from .numbers import (
    CURRENCY_CODES,
    CURRENCY_SYMBOLS,
    CURRENCY_WORDS,
    MAGNITUDES,
    POWER_UNITS,
    QUALIFIER_AFTER,
    QUALIFIER_BEFORE,
    RANGE_SEPARATORS,
    parse_number,
    tidy,
)
from .orgs import default_data_path
from .registry import default_registry

DOC_TEXT = doc_extension("newsfacts_text")   # the document's text, kept (Doc.text rebuilds it)
MIN_AMOUNT = 1e6       # in the figure's currency: below it a share price, a salary or a per-unit cost
MIN_CHIPS = 1000       # "16 Trainium2 chips" per server is architecture, not a deployment
_CHIP_NOUNS = {"chips": None, "chip": None, "accelerators": None, "accelerator": None, "processors": None,
               "superchips": "Superchip", "gpus": "GPU", "gpu": "GPU", "tpus": "TPU", "tpu": "TPU",
               "xpus": "XPU", "npus": "NPU"}
_CHIP_FILLERS = word_list("chip_fillers")


@dataclass(frozen=True)
class Figure:
    span: Span
    unit: str                    # USD | W | count | percent
    value: float | None
    qualifier: str
    value_max: float | None = None
    currency: str | None = None  # set when not USD
    amount: float | None = None
    chip_type: str | None = None

    @property
    def start(self) -> int:
        return self.span.start

    @property
    def end(self) -> int:
        return self.span.end


@lru_cache(maxsize=1)
def chip_makers() -> dict[str, str]:
    lines = default_data_path("chips.jsonl").read_text(encoding="utf-8").splitlines()
    return {rec["family"].lower(): rec["maker"] for rec in map(json.loads, filter(None, lines))}


def chip_maker(chip_type: str | None) -> str | None:
    """The maker a chip type names ("AMD Instinct MI450 GPU" -> AMD); a bare "GPU" names none."""
    if not chip_type:
        return None
    lower = chip_type.lower()
    for family, maker in chip_makers().items():
        if lower.startswith(family) or f" {family}" in lower:
            return maker
    return None


def parse_figure(span: Span) -> Figure | None:
    label = span.label_
    if label.startswith("MONEY"):
        figure = _money(span)
    elif label.startswith("POWER"):
        figure = _power(span)
    elif label == "CHIPS":
        figure = _chips(span)
    else:
        figure = _percent(span)
    if figure is None:
        return None
    qualifier = _qualifier(span, figure.qualifier)
    return figure if qualifier == figure.qualifier else replace(figure, qualifier=qualifier)


def _split_range(words: list[str]) -> tuple[list[str], list[str] | None]:
    for k, word in enumerate(words):
        if k > 0 and word.lower() in RANGE_SEPARATORS:
            return words[:k], words[k + 1:]
    return words, None


def _range_values(low_words: list[str], high_words: list[str] | None) -> tuple[float | None, float | None]:
    low = parse_number(low_words)
    if high_words is None or low is None:
        return low, None
    high = parse_number(high_words)
    high_magnitude = next((MAGNITUDES[w.lower()] for w in high_words if w.lower() in MAGNITUDES), None)
    if high is not None and high_magnitude and not any(w.lower() in MAGNITUDES for w in low_words):
        low = tidy(low * high_magnitude)  # "$10–20B": the magnitude is written once, after the second number
    if high is None or not (low < high <= low * 20):
        return low, None  # "$5B to 2027" is no range
    return low, high


def _money(span: Span) -> Figure | None:
    words = [t.text for t in span]
    if words[0].lower() == "between":
        words = words[1:]
    if words[0].lower() in ("hundred", "thousand"):
        return None  # "hundred billion dollar clusters": a size class, not an amount
    currency = CURRENCY_SYMBOLS.get(words[0]) or CURRENCY_CODES.get(words[0].lower())
    if currency is None:
        currency = CURRENCY_WORDS.get(words[-1].lower(), "USD")
        words = words[:-1]
    words = [w for w in words if w not in CURRENCY_SYMBOLS and w.lower() not in CURRENCY_CODES]
    low_words, high_words = _split_range(words)
    low, high = _range_values(low_words, high_words)
    if low is None:
        return None
    if low < MIN_AMOUNT:
        return None   # "€0.04 per kilowatt-hour" is a price, in any currency
    qualifier = "range" if high is not None else "exact"
    if currency != "USD":
        return Figure(span, "USD", None, qualifier, None, currency, low)
    return Figure(span, "USD", low, qualifier, high)


def _power(span: Span) -> Figure | None:
    scale, numbers = 1.0, []
    for token in span:
        if token.lower_ in POWER_UNITS:
            scale = POWER_UNITS[token.lower_]
        elif not (token.text == "-" and span.label_ == "POWER"):  # "300-megawatt"; a range keeps its dash
            numbers.append(token.text)
    low_words, high_words = _split_range(numbers)
    low, high = _range_values(low_words, high_words)
    if low is None:
        return None
    return Figure(span, "W", low * scale, "range" if high else "exact", high * scale if high else None)


def _chips(span: Span) -> Figure | None:
    tokens = list(span)
    if tokens[0].lower_ == "between":
        tokens = tokens[1:]
    k = 0
    while k < len(tokens) and (tokens[k].like_num or tokens[k].lower_ in MAGNITUDES
                               or tokens[k].lower_ in ("half", "a") or tokens[k].lower_ in _CHIP_RANGE):
        k += 1
    number_words = [t.text for t in tokens[:k]]
    if len(number_words) == 1 and number_words[0].isdigit() and 1900 <= int(number_words[0]) <= 2100:
        return None  # "2024 chips" is a year
    cut = next((j for j, w in enumerate(number_words) if w.lower() in _CHIP_RANGE), None)
    if cut is None:
        value, high = parse_number(number_words), None
    else:   # "between 18,000 and 22,000 GPUs"
        value, high = _range_values(number_words[:cut], number_words[cut + 1:])
        if high and span.start > 0 and span.doc[span.start - 1].lower_ == "from":
            value, high = high, None  # "grow from 20,000 to 100,000 GPUs": a change, the count is the last
    if value is None or value < MIN_CHIPS:
        return None
    return Figure(span, "count", value, "range" if high else "exact", value_max=high, chip_type=_chip_type(tokens[k:]))


_CHIP_RANGE = {"and", "to", "–", "—", "-"}


def _chip_type(tokens) -> str | None:
    noun = tokens[-1].lower_
    modifiers = [t.text for t in tokens[:-1] if t.lower_ not in _CHIP_FILLERS]
    if noun in _CHIP_NOUNS:
        head = _CHIP_NOUNS[noun]
        parts = modifiers + ([head] if head else [])
        return " ".join(parts) or None
    return tokens[-1].text[:-1] if tokens[-1].text.endswith("s") else tokens[-1].text  # "H100s"


def _percent(span: Span) -> Figure | None:
    value = parse_number([span[0].text])
    if value is None or not 0 < value <= 100:
        return None
    return Figure(span, "percent", value, "exact")


def _qualifier(span: Span, current: str) -> str:
    """Read on the characters around the figure: cheaper than walking tokens."""
    if current == "range":
        return current
    text = _doc_text(span)
    before = text[max(span.start_char - 30, 0):span.start_char].lower().rstrip(_FRAMING)
    last_word = before.rsplit(None, 1)[-1].lstrip(_FRAMING) if before.strip() else ""
    for phrase, qualifier in _BEFORE_PHRASES.get(last_word, ()):
        if before.endswith(phrase) and (len(before) == len(phrase) or not before[-len(phrase) - 1].isalnum()):
            if qualifier == "up_to" and _reaches_total(text, span.start_char):
                return current   # "bringing its total investment up to $1.77B" is the total, no ceiling
            return qualifier
    after = text[span.end_char:span.end_char + 10].lower().lstrip(_FRAMING)
    for phrase, qualifier in _AFTER_PHRASES:
        if after.startswith(phrase):
            return qualifier
    return current


def _reaches_total(text: str, start: int) -> bool:
    """A running total ("its total", "the tally") earlier in the clause before the figure."""
    clause = re.split(r"[.,;:!?\n]", text[max(start - 80, 0):start])[-1].lower()
    return any(re.search(rf"\b{word}\b", clause) for word in _RUNNING_TOTAL)


def _doc_text(span: Span) -> str:
    """The document's text, cached on the doc (Doc.text rebuilds the string on every access)."""
    doc = span.doc
    text = doc._.get(DOC_TEXT)
    if text is None:
        text = doc.text
        doc._.set(DOC_TEXT, text)
    return text


_FRAMING = " \t\n*_(\"“"   # emphasis and brackets between a qualifier and its figure
_BEFORE_PHRASES: dict[str, list[tuple[str, str]]] = {}   # by the phrase's last word
for _words, _q in QUALIFIER_BEFORE:
    _BEFORE_PHRASES.setdefault(_words[-1], []).append((" ".join(_words), _q))
_AFTER_PHRASES = [(" ".join(words), q) for words, q in QUALIFIER_AFTER]
_RUNNING_TOTAL = sorted(default_registry().word_list("running_total"))


# "Price (US$m)", "Capex (US$bn)", "Contracted capacity (MW)", a bare "MW": the unit a column's
# cells are written in, when the cells hold bare numbers
_HEADER_UNIT = re.compile(r"\(([^()]{1,16})\)\s*$|(?:^|\s)([A-Za-z]{1,3})\s*$")
_UNIT_PIECE = re.compile(r"[$€£]|[a-z]+")
_BARE_NUMBER = re.compile(r"([~≈]?)\s*(\d{1,3}(?:,\d{3})+|\d+)(\.\d+)?")


def header_unit(header: str) -> tuple[str, float, str] | None:
    """(unit, factor, currency) a column header gives its cells: ("USD", 1e6, "USD") for
    "Price (US$m)", ("W", 1e6, "") for "Capacity (MW)"; None when it names no unit."""
    m = _HEADER_UNIT.search(header)
    if m is None:
        return None
    pieces = _UNIT_PIECE.findall((m.group(1) or m.group(2)).lower())
    if len(pieces) == 1 and pieces[0] in POWER_UNITS:
        return "W", POWER_UNITS[pieces[0]], ""
    currency = next((CURRENCY_SYMBOLS.get(p) or CURRENCY_CODES.get(p) for p in pieces
                     if p in CURRENCY_SYMBOLS or p in CURRENCY_CODES), None)
    rest = [p for p in pieces if p not in CURRENCY_SYMBOLS and p not in CURRENCY_CODES and p != "us"]
    if currency is None or len(rest) > 1 or (rest and rest[0] not in MAGNITUDES):
        return None
    return "USD", MAGNITUDES[rest[0]] if rest else 1.0, currency


def cell_figure(span: Span, text: str, unit: tuple[str, float, str]) -> Figure | None:
    """A table cell holding a bare number, in the unit its column header gives."""
    m = _BARE_NUMBER.fullmatch(text.strip())
    if m is None:
        return None
    kind, factor, currency = unit
    value = round(float((m.group(2) + (m.group(3) or "")).replace(",", "")) * factor, 3)
    qualifier = "approx" if m.group(1) else "exact"
    if kind == "W":
        return Figure(span, "W", value, qualifier) if value > 0 else None
    if value < MIN_AMOUNT:
        return None
    if currency != "USD":
        return Figure(span, "USD", None, qualifier, None, currency, value)
    return Figure(span, "USD", value, qualifier)
