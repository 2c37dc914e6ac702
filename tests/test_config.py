"""sources.toml: parsing, validation messages, Google News URL building."""

from pathlib import Path

import pytest

from newsfacts.flows.config import ConfigError, load_sources, parse_sources

PROJECT = Path(__file__).resolve().parents[1]


def test_bundled_sources_are_valid_and_cover_news_and_newsrooms():
    config = load_sources(PROJECT / "newsfacts" / "sources.toml")
    kinds = {source.kind for source in config.sources}
    assert kinds == {"google_news", "rss", "blog"}
    names = " ".join(source.name for source in config.sources)
    for company in ("anthropic", "aws", "google", "microsoft", "nvidia"):
        assert company in names
    news = [s for s in config.sources if s.kind == "google_news"]
    assert len(news) >= 3
    assert all(s.feed_url.startswith("https://news.google.com/rss/search?") for s in news)


def test_google_news_url_is_built_from_query_locale_and_window():
    config = parse_sources(
        '[[source]]\nname = "q"\nkind = "google_news"\nquery = "Anthropic compute"\n'
        'hl = "en-GB"\ngl = "GB"\nceid = "GB:en"\nwhen = "1d"\nbase_url = "http://127.0.0.1:9"\n'
    )
    url = config.sources[0].feed_url
    assert url.startswith("http://127.0.0.1:9/rss/search?")
    assert "q=Anthropic+compute+when%3A1d" in url or "q=Anthropic%20compute%20when%3A1d" in url
    assert "hl=en-GB" in url and "gl=GB" in url and "ceid=GB%3Aen" in url


def test_demo_sources_substitute_the_site_address():
    config = load_sources(PROJECT / "fixtures" / "sources.demo.toml",
                          substitutions={"base": "http://127.0.0.1:5555"})
    assert all("127.0.0.1:5555" in source.feed_url for source in config.sources)


@pytest.mark.parametrize(
    "text, message",
    [
        ("[[source]\nname='x'", "not valid TOML"),
        ("", "no [[source]] tables"),
        ('[[source]]\nkind = "rss"\nurl = "https://a.example/feed"', "missing 'name'"),
        ('[[source]]\nname = "a"\nkind = "twitter"\nurl = "https://a.example"', "unknown kind 'twitter'"),
        ('[[source]]\nname = "a"\nkind = "rss"', "needs a 'url'"),
        ('[[source]]\nname = "a"\nkind = "rss"\nurl = "ftp://a.example/feed"', "must be an http(s) URL"),
        ('[[source]]\nname = "a"\nkind = "google_news"', "needs a 'query'"),
        ('[[source]]\nname = "a"\nkind = "blog"\nurl = "https://a.example/news"', "needs a 'link_selector'"),
        ('[[source]]\nname = "a"\nkind = "rss"\nurl = "https://a.example"\nmax_items = 0', "'max_items' must be a positive integer"),
        ('[[source]]\nname = "a"\nkind = "rss"\nurl = "https://a.example"\nurll = "x"', "unknown key(s): urll"),
        ('[[source]]\nname = "a"\nkind = "rss"\nurl = "https://a.example"\n'
         '[[source]]\nname = "a"\nkind = "rss"\nurl = "https://b.example"', "duplicate source name(s): a"),
    ],
)
def test_mistakes_give_one_clear_message(text, message):
    with pytest.raises(ConfigError) as error:
        parse_sources(text)
    assert message in str(error.value)


def test_disabled_sources_are_kept_but_not_run():
    config = parse_sources(
        '[[source]]\nname = "on"\nkind = "rss"\nurl = "https://a.example/feed"\n'
        '[[source]]\nname = "off"\nkind = "rss"\nurl = "https://b.example/feed"\nenabled = false\n'
    )
    assert [s.name for s in config.sources] == ["on", "off"]
    assert [s.name for s in config.enabled] == ["on"]


def test_missing_file_is_a_config_error(tmp_path):
    with pytest.raises(ConfigError, match="sources file not found"):
        load_sources(tmp_path / "nope.toml")


# --- Google News: slices, topic and top-story feeds, link decoding --------------------------------

def _one(body: str):
    return parse_sources('[[source]]\nname = "g"\nkind = "google_news"\n' + body).sources[0]


def test_a_sliced_search_asks_one_feed_per_day():
    from datetime import date

    source = _one('query = "Nvidia"\nwhen = "30d"\nslice = "1d"\nresolve_links = true\n')
    urls = source.feed_urls(today=date(2026, 12, 3))
    assert len(urls) == 30 and len(set(urls)) == 30
    assert "after%3A2026-12-02+before%3A2026-12-04" in urls[0]
    assert "after%3A2026-11-03+before%3A2026-11-05" in urls[-1]
    assert source.resolve_links and source.as_row()["settings"]["slice"] == "1d"


def test_a_period_fetched_once_slices_every_search_and_leaves_other_sources():
    from datetime import date

    from newsfacts.flows.config import for_period

    config = parse_sources('[[source]]\nname = "g"\nkind = "google_news"\nquery = "Nvidia"\nwhen = "1d"\n'
                           '[[source]]\nname = "r"\nkind = "rss"\nurl = "https://example.org/feed"\n')
    period = for_period(config, date(2026, 11, 1), date(2026, 11, 10))
    assert len(period.sources[0].feed_urls()) == 10
    assert period.sources[1].feed_urls() == ["https://example.org/feed"]
    with pytest.raises(ConfigError, match="before"):
        for_period(config, date(2026, 11, 10), date(2026, 11, 1))


def test_topic_and_top_story_feeds():
    assert "/rss/headlines/section/topic/BUSINESS?" in _one('topic = "BUSINESS"\n').feed_url
    assert _one("top_stories = true\n").feed_url.startswith("https://news.google.com/rss?")


@pytest.mark.parametrize("body, message", [
    ('query = "a"\ntopic = "BUSINESS"\n', "one of the three"),
    ('topic = "BUSINESS"\nwhen = "1d"\n', "search ('query') only"),
    ('query = "a"\nslice = "1d"\n', "needs 'when' in days"),
    ('query = "a"\nwhen = "30d"\nslice = "6h"\n', "not hours"),
    ('query = "a"\nwhen = "soon"\n', "'when' must be a window"),
    ('query = "a"\nresolve_links = "yes"\n', "'resolve_links' must be true or false"),
])
def test_google_news_mistakes(body, message):
    with pytest.raises(ConfigError, match=message.replace("(", r"\(").replace(")", r"\)")):
        _one(body)


def test_google_only_keys_on_other_kinds_and_decode_settings():
    with pytest.raises(ConfigError, match="only for kind 'google_news'"):
        parse_sources('[[source]]\nname = "r"\nkind = "rss"\nurl = "https://e.org/f"\nresolve_links = true\n')
    with pytest.raises(ConfigError, match="decode_rate"):
        parse_sources('[settings]\ndecode_rate = 0\n[[source]]\nname = "r"\nkind = "rss"\nurl = "https://e.org/f"\n')
    config = parse_sources('[settings]\ndecode_rate = 0.5\ndecode_batch = 10\ndecode_user_agent = "Mozilla/5.0 x"\n'
                           '[[source]]\nname = "r"\nkind = "rss"\nurl = "https://e.org/f"\n')
    assert (config.decode_rate, config.decode_batch, config.decode_user_agent) == (0.5, 10, "Mozilla/5.0 x")
