"""`newsfacts reextract`: rebuild article texts and facts from what the warehouse kept.

Pages are not fetched again: the raw HTML stored with each article goes back through the
article extractor (snippet-only articles keep their stored text), then through the fact rules,
and conflicts are detected anew. Run it after changing the rules or the organisation aliases.
"""

from __future__ import annotations

import logging

from newsfacts.extractors.article import ArticleError, extract_article
from newsfacts.extractors.dedup import content_hash
from newsfacts.extractors.facts import FactExtractor
from newsfacts.flows.nightly import EXTRACTOR_VERSION
from newsfacts.flows.stages import article_day
from newsfacts.warehouse.conflicts import detect_conflicts
from newsfacts.warehouse.db import open_writer
from newsfacts.warehouse.load import replace_facts, stored_articles, update_article_texts

log = logging.getLogger("newsfacts.reextract")


def reextract_all(db_path: str) -> dict:
    with open_writer(db_path) as con:
        articles = stored_articles(con)
        texts = {}
        for article in articles:
            texts[article.article_id] = article.text
            if article.raw_html:
                try:
                    texts[article.article_id] = extract_article(article.raw_html, url=article.url).text
                except ArticleError as exc:
                    log.warning("article %s: kept the stored text (%s)", article.url, exc)
        docs = [(texts[a.article_id], article_day(a.published_at)) for a in articles]
        facts = dict(zip((a.article_id for a in articles), FactExtractor().extract_many(docs)))

        con.begin()
        texts_changed = update_article_texts(con, texts, content_hash)
        stats = replace_facts(con, facts, EXTRACTOR_VERSION)
        con.commit()
        found = detect_conflicts(con)
    return {"articles": len(articles), "texts_changed": texts_changed, "new": stats.new,
            "removed": stats.removed, "unchanged": stats.unchanged, "conflicts_open": found.open}
