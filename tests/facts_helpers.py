"""Shared by the fact tests: the facts of a text as tuples that compare in one assert."""
from newsfacts.extractors.facts import extract_facts

PUBLISHED = "2026-01-01"   # the tuples hold no date; a publication date keeps the run realistic


def roles(text: str, published_at: str | None = PUBLISHED) -> list[tuple]:
    """(metric, subject, counterparty) of each fact, in text order."""
    return [(f.metric, f.subject, f.counterparty) for f in extract_facts(text, published_at)]


def parties(text: str, published_at: str | None = PUBLISHED) -> list[tuple]:
    """(metric, subject, counterparty, value) of each fact, in text order."""
    return [(f.metric, f.subject, f.counterparty, f.value) for f in extract_facts(text, published_at)]
