"""Word lists live in data files, one source per list: data/word_lists.jsonl (and the other JSONL
files of extractors/facts), not set or tuple literals in Python."""
from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from newsfacts.extractors.facts.components import facts_file, read_jsonl, word_list

FACTS = Path(__file__).resolve().parents[1] / "extractors" / "facts"
WORD = re.compile(r"[A-Za-z][\w'’ .-]*")   # a word or phrase (not a regex, not punctuation)
MIN_WORDS = 3

# The literal word lists written in Python before this test, by (file, the name they are
# assigned to or the function they sit in). They are to move to data files; the list only
# shrinks. A new literal list of MIN_WORDS or more words fails the test: put it in a data file.
WRITTEN_BEFORE = {
    ("__init__.py", "__all__"),
    ("attribution.py", "BUYING_VERBS"),
    ("attribution.py", "CONTRIBUTING_VERBS"),
    ("attribution.py", "INVESTING_VERBS"),
    ("attribution.py", "LEADING_VERBS"),
    ("attribution.py", "PARTNER_PREPS"),
    ("attribution.py", "PREPOSITIONS"),
    ("attribution.py", "PROVIDING_VERBS"),
    ("attribution.py", "RECEIVING_VERBS"),
    ("attribution.py", "SOURCE_PREPS"),
    ("attribution.py", "_AUX"),
    ("attribution.py", "_CO_DEVELOPING"),
    ("attribution.py", "_DEAL_NOUNS"),
    ("attribution.py", "_LEAD_WORDS"),
    ("attribution.py", "_PAYING_VERBS"),
    ("attribution.py", "_SOLD_NOUNS"),
    ("attribution.py", "_WALK_STOPS"),
    ("attribution.py", "attribute"),
    ("components.py", "OPENS_FIGURE"),
    ("dates.py", "MONTHS"),
    ("dependency.py", "_COLUMNS"),
    ("dependency.py", "_NOUN_TAGS"),
    ("dependency.py", "_has_subject"),
    ("dependency.py", "_node"),
    ("dependency.py", "_party_paths"),
    ("dependency.py", "on_figure"),
    ("figures.py", "_CHIP_NOUNS"),
    ("metrics.py", "_FORECAST_WORDS"),
    ("metrics.py", "_MEASURE_ORDER"),
    ("metrics.py", "_QUALIFIER_WORDS"),
    ("metrics.py", "_invested_in"),
    ("model.py", "QUALIFIERS"),
    ("numbers.py", "QUALIFIER_BEFORE"),
    ("numbers.py", "QUALIFIER_SOFTENERS"),
    ("orgs.py", "DEAL_VERBS"),
    ("orgs.py", "KIND_BY_LAST_WORD"),
    ("orgs.py", "NOT_ORG_WORDS"),
    ("orgs.py", "ORG_SUFFIXES"),
    ("orgs.py", "PROVIDER_KINDS"),
    ("orgs.py", "SELLER_RANK"),
    ("orgs.py", "_APPOSITION_NOUNS"),
    ("orgs.py", "_AUXILIARIES"),
    ("orgs.py", "_EXCHANGES"),
    ("orgs.py", "_apposition_or_ticker"),
    ("parties.py", "_GAP_FILLERS"),
    ("references.py", "_modifier"),
    ("registry.py", "MEASURES"),
    ("registry.py", "ROLES"),
    ("registry.py", "STEPS"),
    ("registry.py", "UNITS"),
    ("registry.py", "_MEASURE_KEYS"),
    ("registry.py", "_METRIC_KEYS"),
    ("registry.py", "_WORDS_KEYS"),
    ("registry.py", "_metric"),
    ("syntax.py", "unknown_company"),
}


def literal_word_lists(source: str) -> set[str]:
    """Where a source holds a set, list, tuple or dict literal of MIN_WORDS or more words: the
    module-level name it is assigned to, or the function or class it is written in."""
    found: set[str] = set()

    def visit(node: ast.AST, owner: str) -> None:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)) and owner == "<module>":
            owner = node.name
        elif isinstance(node, (ast.Assign, ast.AnnAssign)) and owner == "<module>":
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            names = [t.id for t in targets if isinstance(t, ast.Name)]
            owner = names[0] if names else owner
        if isinstance(node, (ast.Set, ast.List, ast.Tuple, ast.Dict)):
            items = node.keys if isinstance(node, ast.Dict) else node.elts
            words = [i.value for i in items if isinstance(i, ast.Constant) and isinstance(i.value, str)
                     and WORD.fullmatch(i.value)]
            if len(words) >= MIN_WORDS:
                found.add(owner)
        for child in ast.iter_child_nodes(node):
            visit(child, owner)

    visit(ast.parse(source), "<module>")
    return found


def test_no_new_word_list_is_written_in_python():
    found = {(path.name, owner) for path in sorted(FACTS.glob("*.py"))
             for owner in literal_word_lists(path.read_text(encoding="utf-8"))}
    assert found - WRITTEN_BEFORE == set(), "a word list belongs in a data file (data/word_lists.jsonl)"


def test_the_check_sees_a_word_list_wherever_it_is_written():
    source = '''
KNOWN = ("alpha", "beta", "gamma")
PATTERNS = (r"(?<=x)y", r"\\bz\\b", "~")
def rule(word):
    return word in {"delta", "epsilon", "zeta"}
class Reader:
    kinds = {"one": 1, "two": 2, "three": 3}
'''
    assert literal_word_lists(source) == {"KNOWN", "rule", "Reader"}


def test_every_data_word_list_is_read_and_an_unknown_one_fails():
    names = [rec["list"] for rec in read_jsonl(facts_file("data/word_lists.jsonl"))]
    assert len(names) == len(set(names))   # one source per list
    code = "\n".join(path.read_text(encoding="utf-8") for path in FACTS.glob("*.py"))
    assert [name for name in names if f'word_list("{name}")' not in code] == []
    assert "according" in word_list("speaker_verbs") and "\n" in word_list("clause_openers")
    with pytest.raises(KeyError, match="no word list 'colours'"):
        word_list("colours")


def test_the_figure_patterns_read_the_number_words_from_the_one_table():
    from spacy.strings import hash_string

    from newsfacts.extractors.facts.components import pattern_path
    from newsfacts.extractors.facts.extractor import build_pipeline
    from newsfacts.extractors.facts.numbers import NUMBER_TABLES

    classes = next(rec["classes"] for rec in read_jsonl(pattern_path("figures.jsonl")) if "classes" in rec)
    tables = [table for table in NUMBER_TABLES.values() if "class" in table]
    assert {table["class"] for table in tables} == {"MAG", "POWER", "CURSYM", "CURCODE", "CURWORD"}
    assert not {table["class"] for table in tables} & set(classes)   # not written twice
    matcher = build_pipeline().get_pipe("newsfacts_figures")
    class_of = dict(zip(matcher.class_words.tolist(), matcher.class_names))
    assert [(word, table["class"]) for table in tables for word in table["values"]
            if class_of.get(hash_string(word.lower())) != table["class"]] == []
