"""Main-text extraction quality on fixtures/articles/: extractors.article (trafilatura plus a
boilerplate filter), trafilatura alone, and a BeautifulSoup heuristic written for this comparison.

    python bench/article_quality.py [--repeats 5]

For each page, the extracted text and fixtures/articles/expected/<page>.txt are compared as
bags of lower-case word tokens: precision = shared / extracted, recall = shared / expected,
F1 their harmonic mean. Totals are micro-averaged (token counts summed over all pages).

Speed is measured in the same run: each approach extracts each page --repeats times in turn
(so all meet the same background load) and the fastest round of each page counts. The last
line gives newsfacts' pages/s against trafilatura alone on the same pages.
"""

from __future__ import annotations

import argparse
import re
import sys
import time
from collections import Counter
from pathlib import Path

import trafilatura
from bs4 import BeautifulSoup, UnicodeDammit

from newsfacts.extractors.article import ArticleError, extract_article

ARTICLES = Path(__file__).resolve().parents[1] / "fixtures" / "articles"
_TOKEN = re.compile(r"\w+")


def tokens(text: str) -> Counter[str]:
    return Counter(_TOKEN.findall(text.lower()))


def overlap(extracted: str, expected: str) -> tuple[int, int, int]:
    """(shared, extracted, expected) token counts."""
    got, want = tokens(extracted), tokens(expected)
    return sum((got & want).values()), sum(got.values()), sum(want.values())


def scores(shared: int, extracted: int, expected: int) -> tuple[float, float, float]:
    precision = shared / extracted if extracted else 0.0
    recall = shared / expected if expected else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return precision, recall, f1


def newsfacts_text(html: bytes) -> str:
    try:
        return extract_article(html).text
    except ArticleError:
        return ""


def trafilatura_text(html: bytes) -> str:
    return trafilatura.extract(html, include_comments=False, include_tables=True) or ""


# --- the contender: a readability-style heuristic ------------------------------------------

_BOILERPLATE = re.compile(
    r"nav|menu|header|footer|sidebar|widget|related|share|social|subscribe|newsletter|comment|"
    r"respond|cookie|consent|banner|promo|advert|ad-slot|author|bio|byline|breadcrumb|crumbs|"
    r"topics|tags|also-read|trending|most-read|pagination|modal|paywall|toolbar|masthead|meta|"
    r"excerpt|kicker|share|loader|infinite",
    re.IGNORECASE,
)
_DROP_TAGS = ["script", "style", "noscript", "nav", "header", "footer", "aside", "form",
              "iframe", "figure", "button", "svg", "template"]
_BLOCK_TAGS = ["h2", "h3", "h4", "p", "li", "tr", "blockquote"]


def heuristic_text(html: bytes) -> str:
    soup = BeautifulSoup(UnicodeDammit(html, is_html=True).unicode_markup or "", "lxml")
    for tag in soup(_DROP_TAGS):
        tag.decompose()
    for tag in soup.find_all(True):
        if tag.decomposed or tag.name in ("html", "body"):
            continue
        names = " ".join(tag.get("class") or []) + " " + (tag.get("id") or "")
        if _BOILERPLATE.search(names):
            tag.decompose()

    # The container holding the most paragraph text is the article body.
    scores_by_parent: Counter = Counter()
    for paragraph in soup.find_all("p"):
        length = len(paragraph.get_text(" ", strip=True))
        if length > 40 and paragraph.parent is not None:
            scores_by_parent[id(paragraph.parent)] += length
    parents = {id(p.parent): p.parent for p in soup.find_all("p") if p.parent is not None}
    if not scores_by_parent:
        return ""
    container = parents[scores_by_parent.most_common(1)[0][0]]

    blocks = []
    for element in container.find_all(_BLOCK_TAGS):
        if _inside_block(element, container):
            continue  # its text is part of the enclosing block
        if element.name == "tr":
            cells = [" ".join(c.get_text(" ").split()) for c in element.find_all(["td", "th"])]
            text = "| " + " | ".join(cells) + " |"
        else:
            text = " ".join(element.get_text(" ").split())
        if text:
            blocks.append(text)
    return "\n\n".join(blocks)


def _inside_block(element, container) -> bool:
    for parent in element.parents:
        if parent is container:
            return False
        if parent.name in _BLOCK_TAGS:
            return True
    return False


APPROACHES = {"newsfacts": newsfacts_text, "trafilatura": trafilatura_text,
              "bs4-heuristic": heuristic_text}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5, help="timed rounds per page (the fastest counts)")
    args = parser.parse_args()
    pages = sorted(ARTICLES.glob("*.html"))
    if not pages:
        print(f"no pages in {ARTICLES}", file=sys.stderr)
        return 1
    totals = {name: [0, 0, 0] for name in APPROACHES}
    elapsed = dict.fromkeys(APPROACHES, 0.0)
    print(f"{'page':27} " + "  ".join(f"{name:>17}" for name in APPROACHES))
    print(f"{'':27} " + "  ".join(f"{'P     R     F1':>17}" for _ in APPROACHES))
    for page in pages:
        html = page.read_bytes()
        expected = (ARTICLES / "expected" / f"{page.stem}.txt").read_text("utf-8")
        cells = []
        best = dict.fromkeys(APPROACHES, float("inf"))
        extracted = {}
        for _ in range(args.repeats):
            for name, extract in APPROACHES.items():
                started = time.perf_counter()
                extracted[name] = extract(html)
                best[name] = min(best[name], time.perf_counter() - started)
        for name in APPROACHES:
            elapsed[name] += best[name]
            counts = overlap(extracted[name], expected)
            totals[name] = [a + b for a, b in zip(totals[name], counts)]
            cells.append("{:>5.3f}{:>6.3f}{:>6.3f}".format(*scores(*counts)))
        print(f"{page.stem[:27]:27} " + "  ".join(cells))
    print()
    for name, counts in totals.items():
        precision, recall, f1 = scores(*counts)
        print(f"{name:14} micro P {precision:.3f}  R {recall:.3f}  F1 {f1:.3f}  "
              f"({elapsed[name] * 1000 / len(pages):.1f} ms/page, {len(pages) / elapsed[name]:.1f} pages/s)")
    ratio = elapsed["trafilatura"] / elapsed["newsfacts"]
    print(f"\nnewsfacts pages/s = {ratio:.2f} x trafilatura alone, on the same {len(pages)} pages in this run "
          f"(fastest of {args.repeats} rounds per page)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
