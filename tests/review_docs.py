"""Test documents with a real disagreement: the canonical case plus a stale total."""

from __future__ import annotations

from test_warehouse_support import Doc, canonical_docs, fact_in

STALE_URL = "https://stale.example/amazon"


def total_doc(value: float, as_of: str = "2024-11", url: str = "https://late.example/amazon",
              published: str = "2024-11-25", publisher: str = "Late News") -> Doc:
    text = f"Amazon's total investment in Anthropic stands at ${value / 1e9:g} billion."
    return Doc(url, text, published, publisher, "Amazon total",
               [fact_in(text, f"${value / 1e9:g} billion", value, as_of=as_of)])


def stale_total() -> Doc:
    """$4B given as the total in February 2025, after the $8B total of November 2024."""
    return total_doc(4e9, as_of="2025-02", url=STALE_URL, published="2025-02-10", publisher="Stale News")


def review_docs() -> list[Doc]:
    """The canonical case (a total that grew from $4B to $8B: a series, no review) plus a stale
    total: only that is a contradiction."""
    return canonical_docs() + [stale_total()]
