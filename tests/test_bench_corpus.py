"""The scale benchmark's synthetic site (bench/scale_corpus.py): a smoke test of the generator.

The benchmark itself is never run by the tests; this checks that what it serves is a site the
pipeline reads: feeds listing every page, pages of about the intended length, deal sentences the
fact rules find, syndicated copies, and the same output for the same seed.
"""

import importlib.util
import re
from pathlib import Path

from newsfacts.extractors.article import extract_article
from newsfacts.extractors.facts import FactExtractor
from newsfacts.extractors.feeds import parse_feed
from newsfacts.flows.config import load_sources

BENCH = Path(__file__).resolve().parents[1] / "bench" / "scale_corpus.py"


def _corpus_module():
    spec = importlib.util.spec_from_file_location("scale_corpus", BENCH)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_generated_site_is_a_readable_news_site(tmp_path):
    corpus = _corpus_module()
    sources = corpus.write_site(tmp_path / "site", 150)
    config = load_sources(sources, substitutions={"base": "http://127.0.0.1:9"})
    assert [s.name for s in config.sources] == ["wire-0000", "wire-0001"]

    links = []
    for feed in sorted((tmp_path / "site" / "feeds").glob("*.xml")):
        body = feed.read_bytes().replace(b"{{base}}", b"http://127.0.0.1:9")
        links += [item.url for item in parse_feed(body, "http://127.0.0.1:9/feeds/x.xml", max_items=100).items]
    assert len(links) == 150 and len(set(links)) == 150

    page = (tmp_path / "site" / "a" / "000007.html").read_text("utf-8")
    article = extract_article(page, url="http://127.0.0.1:9/a/000007.html")
    assert 550 <= len(article.text.split()) <= 800
    assert "Related" not in article.text and "All rights reserved" not in article.text
    assert FactExtractor().extract(article.text, "2026-11-30"), "the page's deal sentences yield facts"

    texts = [re.sub(r"\s+", " ", p.read_text("utf-8").split("<h1>")[1])
             for p in sorted((tmp_path / "site" / "a").glob("*.html"))]
    tails = [text.split("</article>")[0].split("</p>", 2)[-1] for text in texts]
    assert len(set(tails)) < len(tails), "some pages are syndicated copies of others"

    again = corpus.write_site(tmp_path / "again", 150)
    assert (tmp_path / "again" / "a" / "000149.html").read_bytes() == \
        (tmp_path / "site" / "a" / "000149.html").read_bytes()
    assert again.read_text("utf-8") == sources.read_text("utf-8")
