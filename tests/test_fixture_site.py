"""The demo site's files, read directly (what newsfacts/demo_site.py serves, {{base}} replaced)."""

import json
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import pytest

from newsfacts.extractors.article import extract_article
from newsfacts.extractors.blog_index import extract_links, parse_sitemap
from newsfacts.extractors.dedup import StoryDoc, assign_stories, canonical_url, text_signature
from newsfacts.extractors.feeds import parse_feed
from newsfacts.extractors.google_news import decode_article_link

SITE = Path(__file__).resolve().parents[1] / "fixtures" / "site"
BASE = "http://127.0.0.1:41234"
NEWSROOM_SELECTOR = "article.post-card a.post-link"
POST = f"{BASE}/newsroom/posts/anthropic-training-infrastructure.html"
ROUTES = json.loads((SITE / "_routes.json").read_text("utf-8"))


def _file(path: str) -> bytes:
    return (SITE / path.lstrip("/")).read_bytes().replace(b"{{base}}", BASE.encode())


def _path(url: str) -> str:
    return urlsplit(url).path


def _search_feed():
    return parse_feed(_file("news/rss/search.xml"), f"{BASE}/news/rss/search.xml")


def test_search_feed_looks_like_google_news():
    feed = _search_feed()
    assert feed.warning is None and feed.title == '"Anthropic compute" - Google News'
    publishers = [item.publisher for item in feed.items]
    assert publishers == ["Founders Daily", "Compute Desk", "Let's Data Science", "Storyboard18"]
    for item in feed.items:
        assert " - " + item.publisher not in item.title
        assert _path(item.feed_link).startswith("/rss/articles/CBMi") and item.feed_link.endswith("?oc=5")
        assert decode_article_link(item.feed_link) is None  # new-format ids
        assert item.url == item.feed_link  # resolved by following the redirect
        assert item.guid.isdigit() and item.published_at.startswith("2026-")
        assert item.snippet.startswith(item.title)


def test_every_feed_link_redirects_to_a_page_or_a_refusal():
    feed = _search_feed()
    for item in feed.items:
        target = ROUTES["redirects"][_path(item.feed_link)]
        assert (SITE / target.lstrip("/")).is_file() or ROUTES["status"].get(target) in (403, 404)
    snippet_only = [i.publisher for i in feed.items if ROUTES["status"].get(ROUTES["redirects"][_path(i.feed_link)])]
    assert snippet_only == ["Let's Data Science", "Storyboard18"]


def test_every_redirect_target_exists():
    for source, target in ROUTES["redirects"].items():
        assert source.startswith("/") and target.startswith("/")
        assert (SITE / target.lstrip("/")).is_file() or target in ROUTES["status"], target


def test_snippet_only_items_are_one_story_through_the_cluster():
    by_publisher = {item.publisher: item for item in _search_feed().items}
    storyboard, lds = by_publisher["Storyboard18"], by_publisher["Let's Data Science"]
    assert storyboard.related_urls == (lds.feed_link,)
    assert storyboard.snippet.split("\n")[0] == (
        "Anthropic taps SpaceX supercomputer as AI firms race for computing power Storyboard18")
    docs = [StoryDoc(item.guid, text_signature(f"{item.title}\n\n{item.snippet}"), item.url,
                     related_urls=item.related_urls, title=item.title) for item in (lds, storyboard)]
    assert assign_stories(docs, []) == {lds.guid: lds.guid, storyboard.guid: lds.guid}


@pytest.mark.parametrize("publisher, facts", [
    ("Compute Desk", ["over 300 megawatts and 220,000 Nvidia GPUs", "up to 5 gigawatts of new compute",
                      "more than $100 billion of Anthropic spending on AWS technologies over 10 years"]),
    ("Founders Daily", ["committing 5 gigawatts of compute capacity and approximately $100 billion",
                        "Amazon had already poured up to $4 billion into Anthropic beginning in 2023"]),
])
def test_publisher_pages_extract_the_seed_facts(publisher, facts):
    item = next(i for i in _search_feed().items if i.publisher == publisher)
    page = ROUTES["redirects"][_path(item.feed_link)]
    article = extract_article(_file(page), url=BASE + page)
    assert article.title == item.title
    assert article.url == BASE + page and article.published_at and article.author
    for fact in facts:
        assert fact in article.text
    for boilerplate in ("Subscribe", "Also read", "Related", "All rights reserved"):
        assert boilerplate not in article.text


def test_newsroom_index_yields_the_post():
    links = extract_links(_file("newsroom/index.html"), f"{BASE}/newsroom/", NEWSROOM_SELECTOR)
    assert links == [POST]  # the "Read more" duplicate, the menu, mailto: and the off-site card are dropped
    assert (SITE / _path(POST).lstrip("/")).is_file()


def test_newsroom_sitemap_lists_the_post():
    assert parse_sitemap(_file("newsroom/sitemap.xml")) == [(POST, "2026-02-02T09:00:00+00:00")]


def test_newsroom_post_keeps_tables_as_rows():
    article = extract_article(_file(_path(POST)), url=POST)
    assert article.title == "Anthropic's Training Infrastructure"
    assert article.published_at == "2026-02-02T09:00:00+00:00" and article.url == POST
    text = article.text
    assert "Amazon has invested $8 billion in Anthropic across three tranches:" in text
    assert "| September 2023 | $1.25B |" in text
    assert "| November 2024 | $4B additional |" in text
    assert "| Series F | Sep 2025 | $13B | $183B | Goldman Sachs Asset Management |" in text
    assert "For press enquiries" not in text


def test_company_blog_feed_points_at_the_newsroom_post_with_tracking():
    feed = parse_feed(_file("blog/feed.xml"), f"{BASE}/blog/feed.xml")
    [item] = feed.items
    assert "utm_source=rss" in item.url
    assert canonical_url(item.url) == canonical_url(POST)
    assert item.title == "Anthropic's Training Infrastructure" and item.snippet.endswith("…")


def test_robots_allows_all_but_private():
    robots = _file("robots.txt").decode()
    assert "User-agent: *" in robots and "Disallow: /private/" in robots
    assert f"Sitemap: {BASE}/newsroom/sitemap.xml" in robots


def test_served_search_feed_and_redirect_chain(site_server):
    """Through the real server on 127.0.0.1: the search URL and a Google-style link resolve."""
    from newsfacts.extractors.google_news import build_search_url

    with httpx.Client(follow_redirects=True, timeout=5) as client:
        feed_response = client.get(build_search_url("Anthropic compute", when="1d",
                                                     base_url=site_server.url("/news")))
        assert feed_response.status_code == 200
        feed = parse_feed(feed_response.content, str(feed_response.url))
        statuses = {item.publisher: client.get(item.url) for item in feed.items}
    assert statuses["Compute Desk"].status_code == 200
    assert _path(str(statuses["Compute Desk"].url)).startswith("/publishers/computedesk/")
    assert statuses["Storyboard18"].status_code == 403
    assert statuses["Let's Data Science"].status_code == 404
