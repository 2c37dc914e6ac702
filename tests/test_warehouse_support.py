"""Shared builders for the warehouse tests (no tests here).

The canonical case: Amazon → Anthropic investment. A Markdown research page says $8B (as of
2024-11); a 2023 news article says "up to $4 billion" with an initial $1.25 billion; a 2024
wire story reports a further $2.75 billion completing $4 billion.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from newsfacts.extractors.facts import Fact
from newsfacts.warehouse import conflicts, load
from newsfacts.warehouse.db import open_writer
from newsfacts.warehouse.ids import article_id


@dataclass
class Doc:
    """An article and the facts the extractor would find in it."""

    url: str
    text: str
    published_at: str
    publisher: str
    title: str
    facts: list[Fact]
    story_of: str | None = None     # url of the story's first article (syndicated copy)

    def record(self) -> dict:
        return {
            "url": self.url, "canonical_url": self.url, "source": "test", "publisher": self.publisher,
            "title": self.title, "text": self.text, "raw_html": f"<html><body>{self.text}</body></html>",
            "published_at": self.published_at, "author": None, "snippet_only": False,
            "google_link": None, "related_urls": [], "content_hash": f"hash:{self.url}:{hash(self.text)}",
            "signature": [len(self.text)],
        }


def fact_in(text: str, figure: str, value: float, *, qualifier: str = "exact", as_of: str | None,
            subject: str = "Anthropic", counterparty: str | None = "Amazon",
            metric: str = "investment", unit: str = "USD", **extra) -> Fact:
    """A fact whose span points at ``figure`` in ``text`` and whose sentence contains it."""
    start = text.index(figure)
    after_dot = text.rfind(". ", 0, start)
    sentence_start = max(after_dot + 2 if after_dot >= 0 else 0, text.rfind("\n", 0, start) + 1)
    end_dot = text.find(".", start + len(figure))
    sentence = text[sentence_start:end_dot + 1 if end_dot >= 0 else len(text)].strip()
    return Fact(subject, counterparty, metric, value, unit, qualifier, sentence, as_of,
                    (start, start + len(figure)), **extra)


RESEARCH_URL = "https://research.example.org/anthropic-funding.md"
NEWS_2023_URL = "https://news.example.com/2023/09/amazon-anthropic"
WIRE_2024_URL = "https://wire.example.net/2024/03/amazon-completes-anthropic"


def canonical_docs() -> list[Doc]:
    research = "# Anthropic funding\n\nAmazon has invested $8B in Anthropic in total (November 2024).\n"
    news = ("Amazon will invest up to $4 billion in Anthropic, the companies said. "
            "The initial investment is $1.25 billion.")
    wire = ("Amazon added $2.75 billion to its Anthropic stake. "
            "That brings Amazon's investment in Anthropic to $4 billion.")
    return [
        Doc(RESEARCH_URL, research, "2024-11-22", "Research Notes", "Anthropic funding",
            [fact_in(research, "$8B", 8e9, as_of="2024-11")]),
        Doc(NEWS_2023_URL, news, "2023-09-25T12:00:00Z", "Example News", "Amazon to invest in Anthropic",
            [fact_in(news, "up to $4 billion", 4e9, qualifier="up_to", as_of="2023-09"),
             fact_in(news, "$1.25 billion", 1.25e9, as_of="2023-09")]),
        Doc(WIRE_2024_URL, wire, "2024-03-27T09:00:00Z", "Example Wire", "Amazon completes Anthropic investment",
            [fact_in(wire, "$2.75 billion", 2.75e9, as_of="2024-03"),
             fact_in(wire, "$4 billion", 4e9, as_of="2024-03")]),
    ]


def story_stub(docs: list[Doc]) -> dict[str, str]:
    """What story grouping would decide: a doc joins the story of the url in ``story_of``."""
    return {article_id(d.url): article_id(d.story_of or d.url) for d in docs}


def load_docs(con, run_id: str, docs: list[Doc], extractor_version: str = "test-1"):
    """Load articles and their facts like the nightly flow does."""
    stats = load.load_articles(con, run_id, [d.record() for d in docs], stories=story_stub(docs))
    facts = load.replace_facts(con, {stats.article_ids[d.url]: d.facts for d in docs}, extractor_version,
                               run_id=run_id)
    return stats, facts


def run_once(path: Path, docs: list[Doc]) -> dict:
    """One complete write cycle: run, load, detect, publish."""
    with open_writer(path) as con:
        run_id = load.start_run(con)
        articles, facts = load_docs(con, run_id, docs)
        found = conflicts.detect_conflicts(con, run_id)
        load.finish_run(con, run_id, "ok", {"articles_new": articles.new})
    return {"run_id": run_id, "articles": articles, "facts": facts, "conflicts": found}


def table_counts(con) -> dict[str, int]:
    return {t: con.execute(f"SELECT count(*) FROM {t}").fetchall()[0][0]
            for t in ("article_rows", "story_rows", "fact_rows", "conflict_rows", "conflict_members",
                      "resolution_rows")}
