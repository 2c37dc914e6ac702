"""Numbers as news writes them: tokenizer rules, value parsing, qualifiers.

The tokenizer is adjusted so every figure breaks into the same small set of tokens
("$8B" -> "$" "8" "B", "~$3" -> "~" "$" "3", "1.5GW" -> "1.5" "GW", "$10–20B" -> "$" "10"
"–" "20" "B"); the Matcher patterns then only need cheap token attributes.
"""
from __future__ import annotations

import json
import re
from importlib import resources

from spacy.language import Language
from spacy.util import compile_infix_regex, compile_prefix_regex, compile_suffix_regex, registry


def _tables() -> dict[str, dict]:
    """data/numbers.jsonl: the words of numbers, magnitudes, power units and currencies, with
    their values; the figure patterns' word classes (MAG, POWER, CUR*) are read from it too."""
    path = resources.files("newsfacts.extractors.facts").joinpath("data", "numbers.jsonl")
    records = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    return {rec["table"]: rec for rec in records}


NUMBER_TABLES = _tables()
MAGNITUDES: dict[str, float] = NUMBER_TABLES["magnitude"]["values"]
POWER_UNITS: dict[str, float] = NUMBER_TABLES["power_unit"]["values"]
CURRENCY_SYMBOLS: dict[str, str] = NUMBER_TABLES["currency_symbol"]["values"]
CURRENCY_CODES: dict[str, str] = NUMBER_TABLES["currency_code"]["values"]
CURRENCY_WORDS: dict[str, str] = NUMBER_TABLES["currency_word"]["values"]
WORD_NUMBERS: dict[str, float] = NUMBER_TABLES["word_number"]["values"]

RANGE_SEPARATORS = {"–", "—", "-", "to", "and"}

_UNIT_SUFFIX = r"(?<=[0-9])(?i:bn|mn|mln|bln|tn|gw|mw|kw|tw|[bmkt])(?=[+]?$)"


@registry.tokenizers("newsfacts_tokenizer")
def news_tokenizer():
    """spaCy's tokenizer with magnitude/unit suffixes, '+', '~' and dashes between digits split
    off numbers. pipeline.cfg names it ([nlp.tokenizer]),
    so that components which tokenize their patterns see the same tokens as the text."""
    default = registry.tokenizers.get("spacy.Tokenizer.v1")()

    def make(nlp: Language):
        tokenizer = default(nlp)
        _customise(tokenizer, nlp.Defaults)
        return tokenizer
    return make


def _customise(tokenizer, defaults) -> None:
    prefixes = [r"~", r"≈"] + list(defaults.prefixes)
    # "SpaceX." ends a sentence: a capital after a lower-case letter is no abbreviation
    suffixes = [r"\+", _UNIT_SUFFIX, r"(?<=[a-z][A-Z])\."] + list(defaults.suffixes)
    # "$10–20B", "$10-$20B", "$1.85 billion–$2.2 billion": a dash inside a range ("$500m-$600m"
    # is left alone: spaCy does not split a magnitude letter off an infix piece); Markdown
    # links: "[Title words](https://…)" keeps the title's last word apart from the URL
    infixes = [r"(?<=[0-9])[–—-](?=[0-9$])", r"(?<=illion)[–—-](?=[$€£][0-9])", r"(?<=illion[–—-])[$€£](?=[0-9])",
               r"(?<=[0-9][–—-])[$€£](?=[0-9])",
               r"\]\((?=https?:)"] + list(defaults.infixes)
    tokenizer.prefix_search = compile_prefix_regex(prefixes).search
    tokenizer.suffix_search = compile_suffix_regex(suffixes).search
    tokenizer.infix_finditer = compile_infix_regex(infixes).finditer


_DIGITS = re.compile(r"^\d[\d,]*(\.\d+)?$")


def token_number(text: str) -> float | None:
    """The value of one number token: '220,000', '1.25', 'two', 'million'."""
    lower = text.lower()
    if _DIGITS.match(lower):
        return float(lower.replace(",", ""))
    if lower in WORD_NUMBERS:
        return float(WORD_NUMBERS[lower])
    if lower in MAGNITUDES:
        return MAGNITUDES[lower]
    return None


def parse_number(words: list[str]) -> float | None:
    """Combine number tokens: ['1.25', 'B'] -> 1.25e9, ['half', 'a', 'million'] -> 5e5."""
    total, current, seen = 0.0, None, False
    for word in words:
        lower = word.lower()
        if lower in MAGNITUDES and seen:
            current = (current if current is not None else 1.0) * MAGNITUDES[lower]
            if MAGNITUDES[lower] >= 1e3:
                total += current
                current = None
            continue
        if lower == "hundred" and current is not None:
            current *= 100
            continue
        value = token_number(word)
        if value is None:
            continue
        if lower in ("a", "an") and current is not None:
            continue  # "half a million": the article adds nothing
        seen = True
        current = value if current is None else (current * value if current < 1 else current + value)
    if not seen:
        return None
    return tidy(total + (current or 0.0))


def tidy(value: float) -> float:
    """4.1 * 1e9 is 4099999999.9999995 in binary floating point; a written figure never has
    more than 12 significant digits, so round to those."""
    return float(f"{value:.12g}")


# Qualifier cues: the words right before a figure (lower-case, as token tuples).
QUALIFIER_BEFORE: list[tuple[tuple[str, ...], str]] = [
    (("up", "to"), "up_to"), (("as", "much", "as"), "up_to"), (("as", "many", "as"), "up_to"),
    (("at", "least"), "at_least"), (("no", "less", "than"), "at_least"), (("a", "minimum", "of"), "at_least"),
    (("more", "than"), "more_than"), (("over",), "more_than"), (("above",), "more_than"),
    (("exceeding",), "more_than"), (("in", "excess", "of"), "more_than"), (("upwards", "of"), "more_than"),
    (("about",), "approx"), (("around",), "approx"), (("roughly",), "approx"),
    (("approximately",), "approx"), (("nearly",), "approx"), (("almost",), "approx"),
    (("some",), "approx"), (("close", "to"), "approx"), (("~",), "approx"), (("≈",), "approx"),
    (("an", "estimated"), "approx"), (("estimated",), "approx"), (("circa",), "approx"),
]
QUALIFIER_AFTER: list[tuple[tuple[str, ...], str]] = [
    (("+",), "more_than"), (("plus",), "more_than"), (("or", "more"), "at_least"),
]
# Words allowed between a qualifier and its figure ("well over", "just under").
QUALIFIER_SOFTENERS = {"well", "just", "slightly", "*", "**"}
