"""Synthetic material for bench/bench_scale.py: a news site of N articles, and a big warehouse.

`write_site(root, n)` writes RSS feeds (100 items each) and article pages of about 630 words
into `root`, served by newsfacts.demo_site.DemoSite (which fills in {{base}}), plus the sources
file that points at them. Every page carries four to six deal or capacity sentences about the
organisations of the extractor's own lexicon (orgs.jsonl), chosen with Zipf-like weights as news
is (a few names everywhere, a long tail), with figures drawn from a few values per template, so
the fact rules have work and the same deal reported with two figures becomes a conflict; one page in twenty
is a syndicated copy of an earlier one (a new intro, the same body) for story grouping.
Deterministic for a given seed.

`fill_warehouse(con, n_facts)` inserts `n_facts` synthetic facts (and the articles holding
them) straight into an opened warehouse, for measuring conflict detection at size.
"""

from __future__ import annotations

import json
import random
from datetime import datetime, timedelta
from functools import cache
from html import escape
from importlib import resources
from pathlib import Path

ITEMS_PER_FEED = 100
TARGET_WORDS = 630
_DAY = datetime(2026, 11, 30, 6, 0)

# Who plays which part, by the lexicon's kinds.
_ROLES = {"p": ("hyperscaler", "bigtech", "chipmaker", "investor"),
          "r": ("lab", "company", "neocloud"),
          "b": ("hyperscaler", "bigtech", "neocloud", "provider")}
PLACES = ("Ohio", "Texas", "Virginia", "Arizona", "Georgia", "Iowa", "Oregon", "Wisconsin")

# Deal sentences the extractor reads; {p} payer, {r} receiver, {b} builder, {x} place.
_DEALS = (
    ("{p} agreed to invest ${v} billion in {r}, the companies said.", (2, 4, 5, 10, 13)),
    ("{r} signed a ${v} billion contract with {p} to supply computing capacity.", (6, 11.9, 12, 22)),
    ("{r} raised ${v} billion from {p} in a new funding round.", (1, 2, 4, 6)),
    ("{b} will build a {v}-megawatt data center campus in {x}.", (200, 300, 500, 1000)),
    ("{p} plans to deploy {v},000 Nvidia GPUs for {r} by next year.", (50, 100, 200)),
    ("{b} will spend ${v} billion on data centers in {x} over two years.", (10, 15, 25, 40)),
)

_SUBJECTS = ("The company", "Analysts", "The deal", "Investors", "The agreement", "Executives",
             "The board", "Regulators", "The market", "Customers", "Suppliers", "Rivals")
_VERBS = ("expect", "described", "welcomed", "questioned", "reviewed", "followed", "discussed",
          "outlined", "compared", "tracked", "reported", "noted")
_OBJECTS = ("the timeline for the project", "demand for cloud services", "the cost of power",
            "pressure on margins", "the pace of hiring", "supply of advanced chips",
            "the outlook for next quarter", "competition in the sector", "the terms of the loan",
            "long lead times for transformers", "the shift to custom silicon", "energy prices")
_TAILS = ("in a statement on Monday", "according to people familiar with the matter",
          "during a call with reporters", "in a filing this week", "without giving details",
          "as the industry races to add capacity", "citing internal estimates", "")


def _filler(rng: random.Random) -> str:
    tail = rng.choice(_TAILS)
    sentence = f"{rng.choice(_SUBJECTS)} {rng.choice(_VERBS)} {rng.choice(_OBJECTS)}"
    return f"{sentence} {tail}." if tail else f"{sentence}."


@cache
def _cast() -> dict[str, tuple[list[str], list[float]]]:
    """Names per role with weights 1/rank (in the lexicon's order, the best-known first)."""
    lexicon = resources.files("newsfacts.extractors.facts").joinpath("data", "orgs.jsonl")
    orgs = [json.loads(line) for line in lexicon.read_text("utf-8").splitlines() if line.strip()]
    cast = {}
    for role, kinds in _ROLES.items():
        names = [org["name"] for org in orgs if org["kind"] in kinds]
        cast[role] = (names, [1 / rank for rank in range(1, len(names) + 1)])
    return cast


def _deal(rng: random.Random) -> str:
    template, values = rng.choice(_DEALS)
    names = {role: rng.choices(*_cast()[role])[0] for role in _ROLES}
    return template.format(**names, x=rng.choice(PLACES), v=rng.choice(values))


def article_paragraphs(rng: random.Random) -> list[str]:
    """About TARGET_WORDS words in paragraphs of four to seven sentences, four to six of them deals."""
    sentences = [_deal(rng) for _ in range(rng.randint(4, 6))]
    words = sum(len(s.split()) for s in sentences)
    while words < TARGET_WORDS:
        sentence = _filler(rng)
        sentences.insert(rng.randrange(len(sentences) + 1), sentence)
        words += len(sentence.split())
    paragraphs, k = [], 0
    while k < len(sentences):
        size = rng.randint(4, 7)
        paragraphs.append(" ".join(sentences[k:k + size]))
        k += size
    return paragraphs


def article_page(number: int, title: str, published: datetime, paragraphs: list[str]) -> str:
    """A news page as publishers write them: metadata, navigation, the story, a related list."""
    path = f"/a/{number:06d}.html"
    body = "\n".join(f"      <p>{escape(p)}</p>" for p in paragraphs)
    related = "\n".join(f'        <li><a href="/a/{(number + k) % 999_999:06d}.html">More on the story '
                        f"{k}</a></li>" for k in (1, 2, 3))
    return f"""<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <title>{escape(title)} | Synthetic Wire</title>
  <meta property="og:title" content="{escape(title)}">
  <meta property="og:site_name" content="Synthetic Wire">
  <meta property="article:published_time" content="{published.isoformat()}Z">
  <meta name="author" content="Desk Reporter">
  <link rel="canonical" href="{{{{base}}}}{path}">
</head>
<body>
  <header><nav><a href="/">Home</a> <a href="/tech">Tech</a> <a href="/markets">Markets</a></nav></header>
  <main>
    <article>
      <h1>{escape(title)}</h1>
      <p class="byline">By Desk Reporter</p>
{body}
    </article>
    <aside class="related">
      <h2>Related</h2>
      <ul>
{related}
      </ul>
    </aside>
  </main>
  <footer><p>Copyright 2026 Synthetic Wire. All rights reserved.</p></footer>
</body>
</html>
"""


def _feed(number: int, items: list[tuple[int, str, datetime]]) -> str:
    entries = "\n".join(
        f"""    <item>
      <title>{escape(title)}</title>
      <link>{{{{base}}}}/a/{k:06d}.html</link>
      <guid>{{{{base}}}}/a/{k:06d}.html</guid>
      <pubDate>{published.strftime('%a, %d %b %Y %H:%M:%S')} GMT</pubDate>
      <description>{escape(title)}.</description>
    </item>""" for k, title, published in items)
    return f"""<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0">
  <channel>
    <title>Synthetic Wire feed {number}</title>
    <link>{{{{base}}}}/</link>
    <description>Synthetic deal news for the scale benchmark</description>
{entries}
  </channel>
</rss>
"""


def write_site(root: Path, n_articles: int, seed: int = 14) -> Path:
    """Write the site and its sources file into `root`; returns the sources file's path."""
    rng = random.Random(seed)
    (root / "a").mkdir(parents=True, exist_ok=True)
    (root / "feeds").mkdir(exist_ok=True)
    (root / "robots.txt").write_text("User-agent: *\nAllow: /\n", "utf-8")
    bodies: list[list[str]] = []
    items: list[tuple[int, str, datetime]] = []
    for number in range(n_articles):
        published = _DAY - timedelta(minutes=7 * number)
        if bodies and rng.random() < 0.05:  # a syndicated copy: new intro, same body
            paragraphs = [_filler(rng) + " " + _filler(rng)] + rng.choice(bodies)[1:]
        else:
            paragraphs = article_paragraphs(rng)
            if len(bodies) < 500:
                bodies.append(paragraphs)
        title = f"{paragraphs[0].split('.')[0][:90]} ({number})"
        (root / "a" / f"{number:06d}.html").write_text(
            article_page(number, title, published, paragraphs), "utf-8")
        items.append((number, title, published))
    sources = ["[settings]\ntimeout = 10.0\n"]
    for feed in range(0, max(1, -(-n_articles // ITEMS_PER_FEED))):
        chunk = items[feed * ITEMS_PER_FEED:(feed + 1) * ITEMS_PER_FEED]
        (root / "feeds" / f"{feed:04d}.xml").write_text(_feed(feed, chunk), "utf-8")
        sources.append(f'[[source]]\nname = "wire-{feed:04d}"\nkind = "rss"\n'
                       f'url = "{{{{base}}}}/feeds/{feed:04d}.xml"\nmax_items = {ITEMS_PER_FEED}\n')
    path = root / "sources.toml"
    path.write_text("\n".join(sources), "utf-8")
    return path


# --- a big warehouse -----------------------------------------------------------------------------

def fill_warehouse(con, n_facts: int, *, facts_per_article: int = 10, keys: int | None = None,
                   run_id: str = "synthetic", offset: int = 0, text_kb: int = 0) -> None:
    """Insert n_facts facts over n_facts/facts_per_article articles, spread over `keys` conflict
    keys (default n_facts/3, as in a real warehouse where most keys hold one to five facts).
    Values vary within a key, so many keys conflict. `offset` numbers a later addition.
    `text_kb` gives each article about that many KB of text, and its raw HTML as many again
    (distinct hex words, which compress about as well as prose): the size a real night's
    articles give the file. The facts' keys are queued for conflict detection, as loading does."""
    keys = keys or max(1, n_facts // 3)
    n_articles = max(1, n_facts // facts_per_article)
    words = text_kb * 1024 // 33
    text = (f"array_to_string(list_transform(range({words}), lambda j: md5('{offset}-' || i || '-' || j)), ' ')"
            if words else "'text'")
    con.execute(f"""
        INSERT INTO article_rows (article_id, url, canonical_url, source, publisher, title, text,
                                  raw_html, published_at, snippet_only, content_hash, story_id,
                                  first_seen_run, last_seen_run, first_seen_at, updated_at)
        SELECT 'art-{offset}-' || i, 'https://example.com/{offset}/' || i,
               'https://example.com/{offset}/' || i, 'synthetic', 'Publisher ' || (i % 40),
               'Story ' || i, text, '<html><body><p>' || text || '</p></body></html>',
               TIMESTAMP '2026-01-01' + INTERVAL (i % 300) DAY, false,
               md5('{offset}-' || i), 'art-{offset}-' || i, '{run_id}', '{run_id}',
               now()::TIMESTAMP, now()::TIMESTAMP
        FROM (SELECT i, {text} AS text FROM range({n_articles}) t(i))""")
    con.execute(f"""
        INSERT INTO fact_rows (fact_id, article_id, key_id, subject, counterparty, metric, value,
                               unit, qualifier, as_of, sentence, span_start, span_end,
                               confidence, extracted_at, extractor_version, first_seen_run)
        SELECT 'fact-{offset}-' || i, 'art-{offset}-' || (i // {facts_per_article}),
               'key-' || (hash(i + {offset}) % {keys}),
               'Company ' || (hash(i + {offset}) % {keys}) % 997, 'Investor ' || (hash(i + {offset}) % {keys}) % 89,
               'investment', (1 + (hash(i * 7 + {offset}) % 4)) * 1e9, 'USD', 'exact',
               '2026-01-01', 'Company agreed to invest a sum.', 0, 10, 1.0, now()::TIMESTAMP,
               'synthetic', '{run_id}'
        FROM range({n_facts}) t(i)""")
    try:
        from newsfacts.warehouse.load import queue_keys
    except ImportError:  # an install from before incremental detection has no queue
        return
    queue_keys(con, f"SELECT key_id FROM fact_rows WHERE first_seen_run = '{run_id}'")
