from pathlib import Path

import pytest

from newsfacts.extractors.article import Article, ArticleError, extract_article

ARTICLES = Path(__file__).resolve().parents[1] / "fixtures" / "articles"
PAGES = sorted(ARTICLES.glob("*.html"))


def _page(stem: str) -> bytes:
    return (ARTICLES / f"{stem}.html").read_bytes()


def test_there_are_enough_measured_pages():
    assert len(PAGES) >= 6
    assert all((ARTICLES / "expected" / f"{page.stem}.txt").is_file() for page in PAGES)


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.stem)
def test_main_text_close_to_expected(page):
    expected = (ARTICLES / "expected" / f"{page.stem}.txt").read_text("utf-8")
    text = extract_article(page.read_bytes()).text
    got, want = set(text.lower().split()), set(expected.lower().split())
    assert len(got & want) / len(want) > 0.85  # recall
    assert len(got & want) / len(got) > 0.85   # precision


def test_news_portal_metadata_and_boilerplate():
    article = extract_article(_page("01_portal_analysis"), url="https://computedesk.example/x?utm_source=t")
    assert isinstance(article, Article)
    assert article.title == "Anthropic mixes Amazon Trainium chips and Nvidia GPUs in multi‑cloud deployment"
    assert article.published_at == "2026-05-08T14:20:00+00:00"
    assert article.author == "Maya Okafor"
    assert article.url == "https://computedesk.example/analysis/anthropic-mixes-trainium-nvidia-multi-cloud"
    text = article.text
    assert "over 300 megawatts and 220,000 Nvidia GPUs" in text
    assert "\n\nWhat changed this week?\n\n" in text
    assert not text.startswith(("Analysis", article.title))  # kicker and repeated headline dropped
    for boilerplate in ("Get the Compute Brief", "Related articles", "Accept all", "Share on X",
                        "All rights reserved", "covers cloud infrastructure", "tracking pixel"):
        assert boilerplate not in text


def test_magazine_page_like_seed_001():
    article = extract_article(_page("02_magazine_boilerplate"))
    assert article.title == ("Anthropic and Amazon lock in 5 gigawatts of compute and a $100 billion bet "
                             "on homegrown AI chips")
    assert article.author == "Julian Lim"
    assert article.published_at == "2026-06-03T15:50:00+00:00"  # +08:00 in the page, UTC here
    text = article.text
    assert "Amazon had already poured up to $4 billion into Anthropic beginning in 2023" in text
    assert "The hyperscaler land grab is accelerating" in text
    for boilerplate in ("Also read", "Subscribe", "TOPICS", "Related Articles", "Loading next article",
                        "You're all caught up", "Julian Lim is an entrepreneur", "More posts"):
        assert boilerplate not in text


def test_tables_keep_their_rows():
    text = extract_article(_page("03_newsroom_tables")).text
    assert "| September 2023 | $1.25B |" in text
    assert "| March 2024 | $2.75B (completing initial $4B commitment) |" in text
    assert "Amazon has invested $8 billion in Anthropic across three tranches:" in text
    assert "For press enquiries" not in text and "On this page" not in text


def test_comments_are_not_main_text():
    text = extract_article(_page("06_blog_comments")).text
    assert "| Series F | Sep 2025 | $13B | $183B | Goldman Sachs Asset Management |" in text
    for boilerplate in ("Great roundup", "Leave a Reply", "Recent Posts", "Proudly powered"):
        assert boilerplate not in text


def test_declared_windows_1252_bytes_are_decoded():
    article = extract_article(_page("05_legacy_cp1252"))
    assert "Google Cloud—both major investors" in article.text
    assert "ADVERTISEMENT" not in article.text and "Also read" not in article.text
    assert article.title == "Anthropic secures SpaceX Colossus 1 compute capacity"
    assert (article.author, article.published_at) == ("LDS Newsdesk", "2026-05-07")


def test_url_given_is_kept_without_a_canonical_link():
    html = ("<html><head><title>Acme buys Beta | Wire</title></head><body><article><h1>Acme buys Beta</h1>"
            "<p>Acme agreed to buy Beta for $2 billion in cash, the companies said on Monday morning.</p>"
            "</article></body></html>")
    article = extract_article(html, url="https://wire.example/acme")
    assert (article.url, article.title) == ("https://wire.example/acme", "Acme buys Beta")
    assert extract_article(html).url is None


def test_title_from_title_tag_loses_the_site_suffix():
    html = ("<html><head><title>Acme buys Beta for $2 billion - The Wire</title></head><body><div>"
            "<p>Acme agreed to buy Beta for $2 billion in cash, the companies said on Monday morning.</p>"
            "</div></body></html>")
    assert extract_article(html).title == "Acme buys Beta for $2 billion"


def test_json_ld_graph_metadata_and_relative_canonical():
    html = """<html><head><link rel="canonical" href="/news/acme">
<script type="application/ld+json">{"@graph": [{"@type": "WebSite"}, {"@type": "NewsArticle",
 "datePublished": "2026-03-01T09:30:00-05:00", "author": [{"name": "A. Writer"}, {"name": "B. Writer"}]}]}</script>
</head><body><article><p>Acme agreed to buy Beta for $2 billion in cash, the companies said on Monday.</p>
</article></body></html>"""
    article = extract_article(html, url="https://wire.example/amp/acme?utm_source=x")
    assert article.published_at == "2026-03-01T14:30:00+00:00"
    assert article.author == "A. Writer, B. Writer"
    assert article.url == "https://wire.example/news/acme"


def test_untrusted_metadata_is_ignored_when_unusable():
    html = """<html><head><link rel="canonical" href="javascript:alert(1)">
<meta property="article:published_time" content="yesterday-ish"><meta name="author" content="https://x.example/me">
<script type="application/ld+json">{"datePublished": [1, 2], "author": {"name": 5}}</script>
<script type="application/ld+json">[[[[[[</script></head>
<body><article><time datetime="2026-04-20">April 20</time><p>Anthropic and Amazon said they were expanding
their collaboration for up to 5 gigawatts of new compute.</p></article></body></html>"""
    article = extract_article(html, url="https://a.example/p")
    assert article.url == "https://a.example/p"
    assert article.published_at == "2026-04-20"
    assert article.author is None


@pytest.mark.parametrize("html", [b"", "   ", "<html><body></body></html>",
                                  "<html><script>" + "var a=1;" * 10000 + "</script></html>",
                                  bytes(range(256)) * 200])
def test_pages_without_text_raise_article_error(html):
    with pytest.raises(ArticleError):
        extract_article(html)


@pytest.mark.parametrize("html", [
    "<html><body><article><p>Amazon has invested $8 billion in Anthropic across three tranches <b><i><p>and "
    "more text follows without closing anything",
    "<div>" * 3000 + "<p>" + "Amazon has invested $8 billion in Anthropic. " * 5 + "</p>",
    "<html><body><p>A NUL \x00 inside a paragraph that is long enough to be kept as text here.</p></body></html>",
])
def test_malformed_markup_does_not_crash(html):
    try:
        article = extract_article(html)
    except ArticleError:
        return
    assert "\x00" not in article.text


def test_huge_page_is_handled():
    body = "<p>" + "Amazon invested $8 billion in Anthropic over three tranches. " * 20 + "</p>"
    html = f"<html><body><article>{body}</article>" + "<div>junk</div>" * 20_000 + "</body></html>"
    assert "$8 billion" in extract_article(html).text
