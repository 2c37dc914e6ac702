"""A loopback imitation of today's Google News, for the tests (and by hand: `python tests/gnews_imitation.py`).

Two servers on 127.0.0.1 (ephemeral ports), started together:

google (``imitation.google_url``), the part of news.google.com a pipeline meets:
    /rss/search?q=…          RSS search feed, newest first, at most FEED_CAP items; the query's
                             ``when:Nd``, ``after:YYYY-MM-DD`` and ``before:YYYY-MM-DD`` filter by
                             day (after/before read inclusively: a day slice overlaps its
                             neighbours); strong ETags, 304 on If-None-Match (unless etags=False)
    /rss, /rss/headlines/section/topic/<NAME>
                             top-stories and topic feeds (the newest TOPIC_CAP stories)
    /rss/articles/<id>       the link's page, answered 200 whatever the client: Google's
                             interstitial (menu text, a script that moves on, the signature
                             ``data-n-a-sg`` and timestamp ``data-n-a-ts``); ids in ``consent_ids``
                             are redirected to /consent/ml ("Before you continue"; it stands in for
                             consent.google.com)
    /articles/<id>           a browser-like User-Agent gets the interstitial, others are sent to
                             /sorry/index ("unusual traffic", 429)
    /_/DotsSplashUi/data/batchexecute
                             POST, browser-like User-Agent only; one garturlres row per Fbv4je call
                             whose signature is right; more than ``posts_per_second`` POSTs in one
                             second are answered 429 with Retry-After: 1
    /robots.txt              disallows everything but /rss/ and /consent/ (feeds are fetched without
                             asking it: they are subscribed, not crawled)

publishers (``imitation.publisher_url``): one article page per story, ``/<outlet>/<slug>.html``,
with menu, share bar and footer around the text, an ETag and 304s; robots.txt allows all but /private/.

``imitation.hits`` counts requests by route: search, topic, article_page, sorry, consent,
batchexecute, batchexecute_429, publisher, google_robots, publisher_robots.
Nothing here imports newsfacts: the imitation answers as Google would, whatever the client does.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import html
import json
import random
import threading
import time
from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, quote, urlsplit

FEED_CAP = 100
TOPIC_CAP = 30
SECRET = b"imitation-signing-key"
CONSENT_TEXT = "Before you continue to Google"
GOOGLE_MENU = "Google News Sign in Home For you Following News Showcase"

OUTLETS = ["computedesk", "foundersdaily", "gridwire", "siliconledger", "datacenterdaily", "capitalcompute"]
BUYERS = ["Anthropic", "OpenAI", "Meta", "Microsoft", "xAI", "Mistral", "Cohere", "Amazon"]
SELLERS = ["CoreWeave", "Nebius", "Crusoe", "Lambda", "Oracle", "Nscale", "Vantage", "Equinix"]
PLACES = ["Texas", "Ohio", "Norway", "Wales", "Arizona", "Quebec", "Georgia", "Finland"]


@dataclass(frozen=True)
class Story:
    index: int
    google_id: str
    outlet: str
    slug: str
    title: str
    published: datetime
    paragraphs: tuple[str, ...]

    @property
    def day(self) -> date:
        return self.published.date()

    @property
    def publisher(self) -> str:
        return self.outlet.title()


def make_corpus(n: int = 300, days: int = 30, today: date | None = None, seed: int = 12) -> list[Story]:
    """`n` stories spread evenly over the last `days` days (today included), each its own text."""
    rng = random.Random(seed)
    today = today or datetime.now(timezone.utc).date()
    stories = []
    for i in range(n):
        day = today - timedelta(days=i % days)
        published = datetime(day.year, day.month, day.day, 6 + i % 12, (i * 7) % 60, tzinfo=timezone.utc)
        buyer, seller, place = rng.choice(BUYERS), rng.choice(SELLERS), rng.choice(PLACES)
        megawatts, billions = rng.randrange(100, 2000, 50), rng.randrange(2, 90)
        title = f"{buyer} signs {megawatts} MW compute deal with {seller} in {place} (report {i})"
        paragraphs = (
            f"{buyer} has agreed to buy {megawatts} megawatts of data-center capacity from {seller} "
            f"in {place}, in a deal worth ${billions} billion over six years, the companies said.",
            f"The agreement, number {i} in this series of filings, covers GPUs, power and cooling at a "
            f"campus that {seller} expects to bring online in phases through 2028.",
            f"Analysts said the contract adds to a backlog that has grown every quarter this year, and "
            f"that {buyer} wants capacity in more than one region to keep training runs on schedule.",
            f"{seller} shares rose after the announcement; neither company gave the price per megawatt. "
            f"Story reference {hashlib.sha1(str(i).encode()).hexdigest()[:12]}.",
        )
        token = b"AU_yqL" + base64.urlsafe_b64encode(rng.randbytes(90)).rstrip(b"=")
        message = b"\x08\x13\x22" + bytes([len(token) & 0x7F | 0x80, len(token) >> 7]) + token
        google_id = "CBMi" + base64.urlsafe_b64encode(message).decode().rstrip("=")[4:]
        stories.append(Story(i, google_id, OUTLETS[i % len(OUTLETS)], f"story-{i}-{buyer.lower()}-{seller.lower()}",
                             title, published, paragraphs))
    return stories


def _signature(google_id: str, timestamp: int) -> str:
    return base64.urlsafe_b64encode(
        hmac.new(SECRET, f"{google_id}:{timestamp}".encode(), hashlib.sha256).digest()).decode().rstrip("=")


def _is_browser(user_agent: str) -> bool:
    return user_agent.startswith("Mozilla/5.0") and ("Chrome/" in user_agent or "Firefox/" in user_agent)


class GoogleNewsImitation:
    def __init__(self, stories: list[Story], *, consent_ids: set[str] = frozenset(), posts_per_second: int = 3,
                 etags: bool = True):
        self.stories = list(stories)
        self.by_id = {story.google_id: story for story in self.stories}
        self.consent_ids = set(consent_ids)
        self.posts_per_second = posts_per_second
        self.etags = etags
        self.hits: Counter[str] = Counter()
        self.user_agents: dict[str, set[str]] = {}
        self._lock = threading.Lock()
        self._post_times: list[float] = []
        self._servers: list[ThreadingHTTPServer] = []

    # --- lifecycle
    def start(self) -> GoogleNewsImitation:
        for role in ("google", "publishers"):
            server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(self, role))
            server.daemon_threads = True
            threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
            self._servers.append(server)
        return self

    def stop(self) -> None:
        for server in self._servers:
            server.shutdown()
            server.server_close()
        self._servers = []

    def __enter__(self) -> GoogleNewsImitation:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    @property
    def google_url(self) -> str:
        return "http://127.0.0.1:%d" % self._servers[0].server_address[1]

    @property
    def publisher_url(self) -> str:
        return "http://127.0.0.1:%d" % self._servers[1].server_address[1]

    def article_url(self, story: Story) -> str:
        return f"{self.publisher_url}/{story.outlet}/{story.slug}.html"

    def decode_requests(self) -> int:
        return self.hits["article_page"] + self.hits["sorry"] + self.hits["consent"] + self.hits["batchexecute"]

    def count(self, route: str, user_agent: str) -> None:
        with self._lock:
            self.hits[route] += 1
            self.user_agents.setdefault(route, set()).add(user_agent)

    def post_allowed(self) -> bool:
        now = time.monotonic()
        with self._lock:
            self._post_times = [t for t in self._post_times if now - t < 1.0]
            if len(self._post_times) >= self.posts_per_second:
                return False
            self._post_times.append(now)
            return True

    # --- pages
    def search(self, query: str) -> list[Story]:
        words = query.split()
        now = datetime.now(timezone.utc)
        chosen = self.stories
        for word in words:
            key, _, value = word.partition(":")
            if key == "when" and value[:-1].isdigit():
                span = timedelta(hours=int(value[:-1])) if value.endswith("h") else timedelta(days=int(value[:-1]))
                chosen = [s for s in chosen if s.published >= now - span]
            elif key == "after":
                chosen = [s for s in chosen if s.day >= date.fromisoformat(value)]
            elif key == "before":
                chosen = [s for s in chosen if s.day <= date.fromisoformat(value)]
        return sorted(chosen, key=lambda s: s.published, reverse=True)[:FEED_CAP]

    def feed_xml(self, title: str, stories: list[Story]) -> bytes:
        items = []
        for s in stories:
            link = f"{self.google_url}/rss/articles/{s.google_id}?oc=5"
            teaser = (f'<a href="{link}" target="_blank">{html.escape(s.title)}</a>&nbsp;&nbsp;'
                      f'<font color="#6f6f6f">{s.publisher}</font>')
            items.append(
                f"<item><title>{html.escape(s.title)} - {s.publisher}</title><link>{link}</link>"
                f'<guid isPermaLink="false">{s.google_id}</guid>'
                f"<pubDate>{format_datetime(s.published, usegmt=True)}</pubDate>"
                f"<description>{html.escape(teaser)}</description>"
                f'<source url="{self.publisher_url}/{s.outlet}/">{s.publisher}</source></item>')
        return (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><rss version="2.0" '
                f'xmlns:media="http://search.yahoo.com/mrss/"><channel><generator>NFE/5.0</generator>'
                f"<title>{html.escape(title)}</title><link>{self.google_url}/</link>"
                f"<language>en-US</language>{''.join(items)}</channel></rss>").encode()

    def interstitial(self, story: Story) -> bytes:
        timestamp = int(story.published.timestamp())
        return (f"<!doctype html><html><head><title>Google News</title></head><body>"
                f"<header><a>Google News</a> <a>Sign in</a></header><nav><a>Home</a> <a>For you</a> "
                f"<a>Following</a> <a>News Showcase</a></nav>"
                f'<c-wiz><div jscontroller="aLI87" data-n-a-id="{story.google_id}" '
                f'data-n-a-sg="{_signature(story.google_id, timestamp)}" data-n-a-ts="{timestamp}"></div></c-wiz>'
                f"<p>Opening {html.escape(story.title)}</p>"
                f"<script>window.setTimeout(function(){{/* the page asks batchexecute, then moves on */}},0)</script>"
                f"</body></html>").encode()

    def publisher_page(self, story: Story) -> bytes:
        body = "".join(f"<p>{html.escape(p)}</p>" for p in story.paragraphs)
        return (f"<!doctype html><html><head><meta charset='utf-8'><title>{html.escape(story.title)}</title>"
                f'<link rel="canonical" href="{self.article_url(story)}">'
                f'<meta property="article:published_time" content="{story.published.isoformat()}">'
                f'<meta property="og:site_name" content="{story.publisher}"></head><body>'
                f"<nav><a href='/'>Home</a> <a href='/markets'>Markets</a> <a href='/subscribe'>Subscribe</a></nav>"
                f"<article><h1>{html.escape(story.title)}</h1><div class='byline'>By Staff Reporter</div>"
                f"{body}</article><aside class='share'>Share on X · LinkedIn · Email</aside>"
                f"<footer>© {story.publisher} · Privacy · Terms · Contact</footer></body></html>").encode()

    def batchexecute(self, form: bytes) -> bytes:
        calls = json.loads(parse_qs(form.decode())["f.req"][0])[0]
        rows = []
        for rpc, payload, _none, tag in calls:
            request = json.loads(payload)
            google_id, timestamp, signature = request[2], request[3], request[4]
            story = self.by_id.get(google_id)
            if rpc != "Fbv4je" or story is None or not hmac.compare_digest(signature, _signature(google_id, timestamp)):
                rows.append(["wrb.fr", rpc, None, None, None, [3], tag])
                continue
            answer = json.dumps(["garturlres", self.article_url(story), 1], separators=(",", ":"))
            rows.append(["wrb.fr", "Fbv4je", answer, None, None, None, tag])
        rows += [["di", 38], ["af.httprm", 37, "-1543958361952542452", 21]]
        return (")]}'\n\n" + json.dumps(rows, separators=(",", ":"))).encode()


CONSENT_PAGE = (f"<!doctype html><html><head><title>Before you continue</title></head><body>"
                f"<h1>{CONSENT_TEXT}</h1><p>We use cookies and data to deliver and maintain Google "
                f"services.</p><form action='https://consent.google.com/save' method='post'>"
                f"<button>Reject all</button><button>Accept all</button></form></body></html>").encode()
SORRY_PAGE = (b"<html><body><h1>Sorry...</h1><p>Our systems have detected unusual traffic from your "
              b"computer network. This page checks to see if it's really you sending the requests, "
              b"and not a robot.</p></body></html>")


def _handler(imitation: GoogleNewsImitation, role: str):
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args) -> None:
            pass

        def send(self, status: int, body: bytes = b"", content_type: str = "text/html; charset=utf-8",
                 headers: dict | None = None) -> None:
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            for key, value in (headers or {}).items():
                self.send_header(key, value)
            self.end_headers()
            self.wfile.write(body)

        def feed(self, route: str, title: str, stories: list[Story]) -> None:
            body = imitation.feed_xml(title, stories)
            etag = '"%s"' % hashlib.sha256(body).hexdigest()[:20]
            imitation.count(route, self.headers.get("User-Agent", ""))
            if imitation.etags and self.headers.get("If-None-Match") == etag:
                self.send(304, headers={"ETag": etag})
            else:
                self.send(200, body, "application/xml; charset=utf-8", {"ETag": etag} if imitation.etags else {})

        def do_GET(self) -> None:
            parts = urlsplit(self.path)
            path, query = parts.path, parse_qs(parts.query)
            agent = self.headers.get("User-Agent", "")
            if role == "publishers":
                if path == "/robots.txt":
                    imitation.count("publisher_robots", agent)
                    return self.send(200, b"User-agent: *\nDisallow: /private/\n", "text/plain")
                outlet, _, name = path.strip("/").partition("/")
                story = next((s for s in imitation.stories if s.outlet == outlet and f"{s.slug}.html" == name), None)
                imitation.count("publisher", agent)
                if story is None:
                    return self.send(404, b"not found")
                page = imitation.publisher_page(story)
                etag = '"%s"' % hashlib.sha256(page).hexdigest()[:20]
                if self.headers.get("If-None-Match") == etag:
                    return self.send(304, headers={"ETag": etag})
                return self.send(200, page, headers={"ETag": etag})
            if path == "/robots.txt":
                imitation.count("google_robots", agent)
                return self.send(200, b"User-agent: *\nDisallow: /\nAllow: /rss/\nAllow: /consent/\n", "text/plain")
            if path == "/rss/search":
                q = query.get("q", [""])[0]
                return self.feed("search", f'"{q}" - Google News', imitation.search(q))
            if path == "/rss" or path.startswith("/rss/headlines/section/topic/"):
                newest = sorted(imitation.stories, key=lambda s: s.published, reverse=True)[:TOPIC_CAP]
                return self.feed("topic", "Top stories - Google News", newest)
            if path.startswith("/rss/articles/") or path.startswith("/articles/"):
                google_id = path.rsplit("/", 1)[-1]
                story = imitation.by_id.get(google_id)
                if story is None:
                    imitation.count("article_page", agent)
                    return self.send(404, b"not found")
                if google_id in imitation.consent_ids:
                    imitation.count("article_page", agent)
                    return self.send(302, headers={"Location": f"/consent/ml?continue={quote(self.path)}"})
                if not _is_browser(agent) and path.startswith("/articles/"):
                    imitation.count("article_page", agent)
                    return self.send(302, headers={"Location": f"/sorry/index?continue={quote(self.path)}"})
                imitation.count("article_page", agent)
                return self.send(200, imitation.interstitial(story))
            if path.startswith("/consent/"):
                imitation.count("consent", agent)
                return self.send(200, CONSENT_PAGE)
            if path.startswith("/sorry/"):
                imitation.count("sorry", agent)
                return self.send(429, SORRY_PAGE)
            self.send(404, b"not found")

        def do_POST(self) -> None:
            form = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            agent = self.headers.get("User-Agent", "")
            if role != "google" or urlsplit(self.path).path != "/_/DotsSplashUi/data/batchexecute":
                return self.send(404, b"not found")
            if not _is_browser(agent):
                imitation.count("batchexecute", agent)
                return self.send(400, b"")
            if not imitation.post_allowed():
                imitation.count("batchexecute_429", agent)
                return self.send(429, b"", headers={"Retry-After": "1"})
            imitation.count("batchexecute", agent)
            try:
                body = imitation.batchexecute(form)
            except (KeyError, ValueError, IndexError, TypeError):
                return self.send(400, b"")
            self.send(200, body, "application/json; charset=utf-8")

    return Handler


if __name__ == "__main__":
    corpus = make_corpus()
    with GoogleNewsImitation(corpus, consent_ids={s.google_id for s in corpus[::40]}) as imitation:
        print(f"Google News imitation at {imitation.google_url}, publishers at {imitation.publisher_url}; Ctrl-C stops")
        try:
            threading.Event().wait()
        except KeyboardInterrupt:
            pass
