"""The pipeline's stages as plain functions: fetch feeds → fetch articles → parse → skip
unchanged (content hash) → group stories → extract facts → load.

`flows.pipeline` composes them (once); `flows.nightly` runs that composition with each stage
as one Prefect task (batches, not one task per article: Prefect costs tens of milliseconds per
task). Tests call these functions directly.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timezone
from urllib.parse import urlsplit

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from newsfacts.extractors.article import ArticleError, extract_article
from newsfacts.extractors.blog_index import extract_links, parse_sitemap
from newsfacts.extractors.dedup import (
    SIGNATURE_SIZE,
    StoryDoc,
    assign_stories,
    canonical_url,
    content_hash,
    near_duplicates,
    probe_keys,
    story_keys,
    text_signature,
)
from newsfacts.extractors.facts import Fact, FactExtractor
from newsfacts.extractors.facts.extractor import shared_extractor
from newsfacts.extractors.feeds import FeedError, FeedItem, parse_feed
from newsfacts.extractors.google_news import decode_article_link, google_page_reason, is_google_news_link
from newsfacts.flows.config import Source, SourcesConfig
from newsfacts.flows.http import Fetcher, FetchResult
from newsfacts.flows.progress import ProgressCallback
from newsfacts.flows.robots import DISALLOWED
from newsfacts.warehouse import link_cache
from newsfacts.warehouse import load as loading
from newsfacts.warehouse.db import writer_cursor
from newsfacts.warehouse.load import ArticlePlan, ArticleRecord, FactStats, LoadStats

log = logging.getLogger("newsfacts.pipeline")



@dataclass(frozen=True)
class Candidate:
    """An article page some source pointed at."""

    source: str
    url: str
    item: FeedItem | None = None     # the feed entry it came from; None for newsroom links
    unresolved: str | None = None    # why its Google News link was not decoded: not fetched


@dataclass(frozen=True)
class SourceOutcome:
    source: str
    kind: str
    url: str
    status: str                      # ok | unchanged | failed
    error: str | None = None
    warning: str | None = None
    n_items: int = 0


@dataclass
class FeedBatch:
    outcomes: list[SourceOutcome] = field(default_factory=list)
    candidates: list[Candidate] = field(default_factory=list)
    fetches: list[dict] = field(default_factory=list)


@dataclass
class PageBatch:
    pages: list[tuple[Candidate, FetchResult]] = field(default_factory=list)
    unchanged: int = 0               # answered 304: stored copy is current, nothing to re-parse
    fetches: list[dict] = field(default_factory=list)


@dataclass
class ExtractedBatch:
    records: list[ArticleRecord] = field(default_factory=list)
    facts: dict[str, list[Fact]] = field(default_factory=dict)   # canonical url → facts
    failed: list[tuple[str, str]] = field(default_factory=list)  # (url, reason)


def new_fetcher(config: SourcesConfig, validators: dict) -> Fetcher:
    kwargs = {"timeout": config.timeout, "validators": validators, "trusted_urls": config.trusted_urls,
              "allow_private_addresses": config.allow_private_addresses}
    if config.user_agent:
        kwargs["user_agent"] = config.user_agent
    return Fetcher(**kwargs)


def scrub(value):
    """Text that UTF-8 can hold: lone surrogates (from "&#xD800;" in a feed or "\\ud800" in
    JSON-LD) become U+FFFD; anything else passes unchanged."""
    if isinstance(value, str) and _SURROGATE.search(value):
        return _SURROGATE.sub("\ufffd", value)
    return value


_SURROGATE = re.compile("[\ud800-\udfff]")


def fetch_log_row(source: str, result: FetchResult) -> dict:
    return {
        "source": source,
        "url": scrub(result.url),
        "final_url": scrub(result.final_url),
        "status": result.status,
        "error": scrub(result.error),
        "not_modified": result.not_modified,
        "bytes": len(result.body),
        "elapsed_ms": result.elapsed_ms,
        "fetched_at": datetime.now(timezone.utc),
    }


async def _fetch_each(
    fetcher: Fetcher, urls: list[str], stage: str, progress: ProgressCallback | None,
    robots: list[bool] | None = None,
) -> list[FetchResult]:
    """Fetch concurrently (the fetcher bounds concurrency) while reporting progress in order of completion.
    `robots[i]` False fetches `urls[i]` as a feed reader does, without asking robots.txt."""
    done = 0

    async def one(url: str, obey_robots: bool) -> FetchResult:
        nonlocal done
        result = await fetcher.fetch(url, robots=obey_robots)
        done += 1
        if progress:
            progress(stage, done, len(urls))
        return result

    flags = robots if robots is not None else [True] * len(urls)
    return list(await asyncio.gather(*(one(url, flag) for url, flag in zip(urls, flags))))


# --- stage 1: feeds and newsroom indexes -----------------------------------------------------

async def fetch_feeds(
    config: SourcesConfig, fetcher: Fetcher, progress: ProgressCallback | None = None
) -> FeedBatch:
    # A Google News search cut into day slices makes several requests, each its own feed.
    requests = [(source, url) for source in config.enabled for url in source.feed_urls()]
    results = await _fetch_each(fetcher, [url for _source, url in requests], "feeds", progress,
                                robots=[not source.is_feed for source, _url in requests])
    batch = FeedBatch()
    sitemap_sources: list[Source] = []
    by_source: dict[str, list[SourceOutcome]] = {}
    for (source, url), result in zip(requests, results):
        batch.fetches.append(fetch_log_row(source.name, result))
        outcome, candidates = _guarded_read_source(source, result, url)
        by_source.setdefault(source.name, []).append(outcome)
        batch.candidates.extend(candidates)
    for source in config.enabled:
        outcome = _one_outcome(by_source[source.name])
        batch.outcomes.append(outcome)
        if source.sitemap and outcome.status != "failed":
            sitemap_sources.append(source)
    if sitemap_sources:
        await _add_sitemap_links(sitemap_sources, fetcher, batch)
    _log_outcomes(batch.outcomes)
    return batch


def _guarded_read_source(source: Source, result: FetchResult, url: str) -> tuple[SourceOutcome, list[Candidate]]:
    """The per-source guard: whatever one source's bytes do, only that source fails."""
    try:
        return _read_source(source, result, url)
    except Exception as exc:  # noqa: BLE001 - contained, logged with its reason, counted
        return SourceOutcome(source=source.name, kind=source.kind, url=url, status="failed",
                             error=f"unreadable: {type(exc).__name__}: {exc}"), []


def _read_source(source: Source, result: FetchResult, url: str) -> tuple[SourceOutcome, list[Candidate]]:
    base = dict(source=source.name, kind=source.kind, url=url)
    if result.not_modified:
        return SourceOutcome(**base, status="unchanged"), []
    if result.error == DISALLOWED:
        host = urlsplit(result.final_url or url).netloc
        return SourceOutcome(**base, status="failed", error=f"robots.txt of {host} blocks this source's URL"), []
    if not result.ok:
        return SourceOutcome(**base, status="failed", error=result.error or f"HTTP {result.status}"), []

    if source.kind == "blog":
        links = extract_links(result.text or "", result.final_url, source.link_selector or "a")
        candidates = [Candidate(source.name, link) for link in links[: source.max_items]]
        return SourceOutcome(**base, status="ok", n_items=len(candidates)), candidates

    try:
        feed = parse_feed(result.body, result.final_url, max_items=source.max_items)
    except FeedError as exc:
        return SourceOutcome(**base, status="failed", error=str(exc)), []
    candidates = [Candidate(source.name, _article_url(item), item) for item in feed.items]
    return SourceOutcome(**base, status="ok", warning=feed.warning, n_items=len(candidates)), candidates


def _one_outcome(outcomes: list[SourceOutcome]) -> SourceOutcome:
    """A source's outcome from those of its feed requests (several for a sliced search)."""
    if len(outcomes) == 1:
        return outcomes[0]
    first, failed = outcomes[0], [o for o in outcomes if o.status == "failed"]
    statuses = {o.status for o in outcomes}
    status = "failed" if statuses == {"failed"} else "unchanged" if statuses == {"unchanged"} else "ok"
    error = (f"{len(failed)} of {len(outcomes)} slices failed, e.g. {failed[0].error}" if failed else None)
    warnings = [o.warning for o in outcomes if o.warning]
    if status != "failed" and error:
        warnings.insert(0, error)
    return SourceOutcome(first.source, first.kind, first.url, status,
                         error=error if status == "failed" else None,
                         warning="; ".join(warnings) or None, n_items=sum(o.n_items for o in outcomes))


def _article_url(item: FeedItem) -> str:
    """Publisher URL when the Google link decodes offline; otherwise the link, resolved by redirects."""
    if is_google_news_link(item.feed_link):
        return decode_article_link(item.feed_link) or item.feed_link
    if not item.url:  # no link: a name of its own, so that link-less items stay apart
        identity = item.guid or "\n".join((item.title, item.snippet, item.published_at or ""))
        return "urn:newsfacts:item:" + hashlib.sha256(identity.encode("utf-8", "replace")).hexdigest()[:24]
    return item.url


async def _add_sitemap_links(sources: list[Source], fetcher: Fetcher, batch: FeedBatch) -> None:
    results = await fetcher.fetch_all([source.sitemap for source in sources])
    for source, result in zip(sources, results):
        batch.fetches.append(fetch_log_row(source.name, result))
        if not result.ok:
            if not result.not_modified:
                log.warning("source %s: sitemap %s: %s", source.name, source.sitemap, result.error)
            continue
        try:
            entries = parse_sitemap(result.body)
        except Exception as exc:  # noqa: BLE001 - a bad sitemap costs its links, not the source
            log.warning("source %s: sitemap %s unreadable: %s", source.name, source.sitemap, exc)
            continue
        known = {canonical_url(c.url) for c in batch.candidates if c.source == source.name}
        fresh = [url for url, _lastmod in entries if canonical_url(url) not in known]
        room = max(0, source.max_items - len(known))
        batch.candidates.extend(Candidate(source.name, url) for url in fresh[:room])


def _log_outcomes(outcomes: list[SourceOutcome]) -> None:
    """One line per source; sources that failed for one same reason (a host or the network
    down) share one line."""
    failed: dict[str, list[SourceOutcome]] = {}
    for outcome in outcomes:
        if outcome.status == "failed":
            failed.setdefault(outcome.error or "", []).append(outcome)
        else:
            _log_outcome(outcome)
    for error, group in failed.items():
        if len(group) == 1:
            log.error("source %s failed: %s (%s)", group[0].source, error, group[0].url)
        else:
            log.error("%d sources failed: %s (%s)", len(group), error, ", ".join(o.source for o in group))


def _log_outcome(outcome: SourceOutcome) -> None:
    if outcome.status == "unchanged":
        log.info("source %s unchanged since last run (304)", outcome.source)
    else:
        log.info("source %s: %d item(s)%s", outcome.source, outcome.n_items,
                 f" — {outcome.warning}" if outcome.warning else "")


# --- stage 2: article pages -----------------------------------------------------------------

def unique_candidates(candidates: Iterable[Candidate]) -> list[Candidate]:
    """One fetch per article: the same page reached by two sources (or with tracking
    parameters) is fetched once; the first source to list it keeps it."""
    seen: set[str] = set()
    unique = []
    for candidate in candidates:
        key = canonical_url(candidate.url)
        if key not in seen:
            seen.add(key)
            unique.append(candidate)
    return unique


async def fetch_articles(
    candidates: list[Candidate], fetcher: Fetcher, progress: ProgressCallback | None = None
) -> PageBatch:
    candidates = unique_candidates(candidates)
    # A Google link that was not decoded is not fetched: it would give Google's page.
    unresolved = [c for c in candidates if c.unresolved]
    candidates = [c for c in candidates if not c.unresolved]
    results = await _fetch_each(fetcher, [c.url for c in candidates], "articles", progress)
    batch = PageBatch()
    batch.pages.extend((c, FetchResult(c.url, c.url, None, b"", None, None, None, None, False, c.unresolved, 0))
                       for c in unresolved)
    for candidate, result in zip(candidates, results):
        batch.fetches.append(fetch_log_row(candidate.source, result))
        if result.not_modified:
            batch.unchanged += 1
            continue
        if not result.ok:
            log.warning("article %s: %s", result.final_url or candidate.url, result.error)
        batch.pages.append((candidate, result))
    return batch


# --- stage 3: parse pages into articles ----------------------------------------------------------

def parse_pages(pages: list[tuple[Candidate, FetchResult]]) -> ExtractedBatch:
    """Article text, title, date... of each page (or the feed's snippet when the page failed)."""
    batch = ExtractedBatch()
    for candidate, result in pages:
        try:  # the per-page guard
            record = _article_record(candidate, result)
        except Exception as exc:  # noqa: BLE001 - contained, logged with its reason, counted
            log.warning("article %s: unreadable: %s: %s", result.final_url or candidate.url,
                        type(exc).__name__, exc)
            batch.failed.append((candidate.url, f"unreadable: {type(exc).__name__}: {exc}"))
            continue
        if record is None:
            batch.failed.append((candidate.url, result.error or "no article text"))
            continue
        batch.records.append(record)
    return batch


# --- stage 4: skip what is unchanged, group stories -------------------------------------------------

def plan_articles(con, parsed: ExtractedBatch) -> ArticlePlan:
    """Compare content hashes with the warehouse: which articles are new, updated, unchanged
    or duplicates. Only new and updated ones go on to fact extraction."""
    return loading.plan_articles(con, parsed.records)


def group_stories(con, plan: ArticlePlan) -> dict[str, str]:
    """Story of each new article, and stored articles whose story changed (merges); see
    extractors.dedup.assign_stories. New articles go in order of publication."""
    new_rows = sorted(plan.new_rows, key=lambda r: (r["published_at"] is None, r["published_at"] or datetime.min))
    if not new_rows:
        return {}
    # The stored articles are found through their story keys (never all read): those sharing a
    # band with a new one and near duplicates of it, those linked to it or under its headline,
    # and the rest of their stories (a merge moves them all).
    loading.save_story_keys(con, {row["article_id"]: (row["fingerprint"], story_keys(_story_doc(row)))
                                  for row in loading.unkeyed_story_rows(con)})
    new_docs = [_story_doc(row) for row in new_rows]
    probes = []
    for index, doc in enumerate(new_docs):
        bands, links = probe_keys(doc)
        probes += [(index, key) for key in bands] + [(-1, key) for key in links]
    pairs, signatures = loading.story_key_matches(con, probes)
    existing = [_story_doc(row) for row in loading.story_rows(con, _joinable(new_docs, pairs, signatures))]
    return assign_stories(new_docs, existing)


def _joinable(new_docs: list[StoryDoc], pairs, signatures) -> list[str]:
    """Stored articles a new one can join, of those its keys matched (story_key_matches): a
    link or headline match (probe -1) as it is, a shared band if the texts are near duplicates."""
    ids = signatures.column("article_id")
    probe = pairs.column("probe").to_numpy()
    rows = pc.index_in(pairs.column("article_id"), value_set=ids).to_numpy(zero_copy_only=False)
    banded = probe >= 0
    stored = _signature_matrix(signatures.column("signature").combine_chunks())
    new = _signature_matrix(pa.array([doc.signature for doc in new_docs], pa.list_(pa.uint64())))
    keep = near_duplicates(new, stored, np.column_stack([probe[banded], rows[banded]]))
    chosen = np.unique(np.concatenate([rows[~banded], rows[banded][keep]]))
    return ids.take(pa.array(chosen, pa.int64())).to_pylist()


def _signature_matrix(signatures: pa.ListArray) -> np.ndarray:
    """Full signatures as rows of a matrix (a row of zeros for a signature of another size)."""
    lengths = pc.fill_null(pc.list_value_length(signatures), 0).to_numpy(zero_copy_only=False)
    matrix = np.zeros((len(signatures), SIGNATURE_SIZE), dtype=np.uint64)
    full = lengths == SIGNATURE_SIZE
    if full.any():
        values = pc.list_flatten(signatures).to_numpy(zero_copy_only=False).astype(np.uint64)
        starts = np.concatenate([[0], np.cumsum(lengths)[:-1]])
        matrix[full] = values[starts[full, None] + np.arange(SIGNATURE_SIZE)]
    return matrix


def _story_doc(row: dict) -> StoryDoc:
    aliases = tuple(u for u in (row.get("url"), row.get("google_link")) if u and u != row["canonical_url"])
    return StoryDoc(doc_id=row["article_id"], signature=tuple(row["signature"] or ()),
                    url=row["canonical_url"], related_urls=tuple(row["related_urls"] or ()),
                    title=row["title"] or "", aliases=aliases, story_id=row.get("story_id"))


# --- stage 5: facts ------------------------------------------------------------------------------

def extract_facts(
    parsed: ExtractedBatch,
    changed_urls: set[str],
    extractor: FactExtractor | None = None,
    progress: ProgressCallback | None = None,
) -> ExtractedBatch:
    """Facts of the changed articles only (the extractor is built only when there are some)."""
    todo = [record for record in parsed.records if record.canonical_url in changed_urls]
    if not todo:
        return parsed
    extractor = extractor or shared_extractor()  # a Dask worker builds one, not one a task
    limit = getattr(getattr(extractor, "nlp", None), "max_length", None)
    docs = [(_within(record, limit), article_day(record.published_at)) for record in todo]
    try:
        all_facts = list(extractor.extract_many(docs))
    except Exception:  # noqa: BLE001 - find the article at fault: the others keep their facts
        all_facts = [_facts_of_one(extractor, record, doc) for record, doc in zip(todo, docs)]
    failed = set()
    for done, (record, facts) in enumerate(zip(todo, all_facts), start=1):
        if facts is None:
            parsed.failed.append((record.url, "fact extraction failed"))
            failed.add(record.canonical_url)
        else:
            parsed.facts[record.canonical_url] = facts
        if progress:
            progress("extract", done, len(todo))
    if failed:
        parsed.records = [record for record in parsed.records if record.canonical_url not in failed]
    return parsed


def _within(record: ArticleRecord, limit: int | None) -> str:
    """The text the fact rules read: cut at a paragraph before the pipeline's length limit."""
    if not limit or len(record.text) <= limit:
        return record.text
    cut = record.text.rfind("\n\n", 0, limit)
    log.warning("article %s: text of %d characters read up to %d for facts", record.url,
                len(record.text), cut if cut > 0 else limit)
    return record.text[:cut if cut > 0 else limit]


def _facts_of_one(extractor: FactExtractor, record: ArticleRecord, doc) -> list[Fact] | None:
    try:
        return next(iter(extractor.extract_many([doc])))
    except Exception as exc:  # noqa: BLE001 - the per-article guard
        log.warning("article %s: fact extraction failed: %s: %s", record.url, type(exc).__name__, exc)
        return None


def article_day(published_at: str | datetime | None) -> str | None:
    """Facts are dated by day: a sentence without a date of its own is as of the article's day."""
    if not published_at:
        return None
    return published_at.date().isoformat() if isinstance(published_at, datetime) else published_at[:10]


def _article_record(candidate: Candidate, result: FetchResult) -> ArticleRecord | None:
    item = candidate.item
    # Google's own pages (consent, "unusual traffic", the News interstitial) are never an article.
    reason = google_page = google_page_reason(result.final_url, result.text) if result.ok else None
    if google_page:
        log.warning("article %s: %s", candidate.url, reason)
    elif result.ok:
        try:
            article = extract_article(result.text or result.body, url=result.final_url)
        except ArticleError as exc:
            log.warning("article %s: %s", result.final_url, exc)
            reason = str(exc)
        else:
            return _record(
                candidate, url=article.url or result.final_url, title=article.title or (item and item.title),
                text=article.text, raw_html=result.text, published_at=article.published_at or (item and item.published_at),
                author=article.author, snippet_only=False, site_name=article.site_name,
            )
    if item is None or not (item.title or item.snippet):
        return None
    # The page could not be read: keep what the feed said, marked as such, and why.
    on_google = google_page or is_google_news_link(result.final_url or "")
    url = result.final_url if result.final_url and not on_google else candidate.url
    text = "\n\n".join(part for part in (item.title, _snippet_without_title(item)) if part)
    return _record(candidate, url=url, title=item.title, text=text, raw_html=None,
                   published_at=item.published_at, author=None, snippet_only=True, site_name=None,
                   snippet_reason=reason or result.error or f"HTTP {result.status}")


def _snippet_without_title(item: FeedItem) -> str:
    snippet = item.snippet.strip()
    return "" if snippet.startswith(item.title) and len(snippet) - len(item.title) < 40 else snippet


def _record(candidate: Candidate, *, url, title, text, raw_html, published_at, author, snippet_only,
            site_name, snippet_reason=None) -> ArticleRecord:
    item = candidate.item
    title, text, raw_html = scrub(title), scrub(text), scrub(raw_html)
    url, author, site_name = scrub(url), scrub(author), scrub(site_name)
    published_at = scrub(published_at)
    return ArticleRecord(
        url=url,
        canonical_url=canonical_url(url),
        source=candidate.source,
        publisher=scrub(item.publisher if item else None) or site_name,
        title=title,
        text=text,
        raw_html=raw_html,
        published_at=published_at,
        author=author,
        snippet_only=snippet_only,
        # the aggregator's redirect link; Google News clusters name related stories by it
        google_link=scrub(item.feed_link) if item and canonical_url(item.feed_link) != canonical_url(url) else None,
        related_urls=[scrub(u) for u in item.related_urls] if item else [],
        content_hash=content_hash(text),
        signature=list(text_signature(text)),
        snippet_reason=snippet_reason,
    )


# --- stage 6: load ------------------------------------------------------------------------------

def load_batch(
    con, run_id: str, config: SourcesConfig, feeds: FeedBatch, pages: PageBatch,
    extracted: ExtractedBatch, validators: dict, extractor_version: str,
    stories: dict[str, str] | None = None, links=None,
) -> tuple[LoadStats, FactStats]:
    """Everything one run learnt, in one transaction: a crash leaves the warehouse as it was."""
    with writer_cursor(con) as cur:
        cur.begin()
        loading.upsert_sources(cur, [source.as_row() for source in config.sources])
        loading.log_fetches(cur, run_id, feeds.fetches + pages.fetches)
        keep, forget = page_validators(pages, extracted, validators)
        loading.save_validators(cur, keep)
        loading.forget_validators(cur, forget)
        if links is not None:  # what google_links.resolve_links learnt
            link_cache.save_links(cur, links.resolved, links.failed, run_id)
        articles = loading.load_articles(cur, run_id, extracted.records, stories=stories)
        # Facts of unchanged and duplicate articles are already stored (and were not extracted).
        facts_by_article = {
            articles.article_ids[record.canonical_url]: extracted.facts[record.canonical_url]
            for record in extracted.records
            if record.canonical_url in articles.changed_urls
        }
        facts = loading.replace_facts(cur, facts_by_article, extractor_version, run_id=run_id)
        cur.commit()
    return articles, facts


def page_validators(pages: PageBatch, extracted: ExtractedBatch, validators: dict) -> tuple[dict, list[str]]:
    """(validators to save, URLs whose validators go) for this batch's pages: a page's are
    saved once its article is stored. Feeds and indexes wait for the whole night
    (save_source_validators)."""
    failed = failed_pages(pages, extracted)
    urls = {url for candidate, result in pages.pages for url in (candidate.url, result.final_url)}
    keep = {url: validators[url] for url in urls - failed if url in validators}
    return keep, sorted(failed)


def failed_pages(pages: PageBatch, extracted: ExtractedBatch) -> set[str]:
    """Pages to fetch again next run: nothing stored, or a failure that may pass (a 404 or
    403 stays: the feed's snippet stands for that article)."""
    failed = {url for url, _reason in extracted.failed}
    return failed | {candidate.url for candidate, result in pages.pages if result.transient}


def incomplete_sources(pages: PageBatch, extracted: ExtractedBatch) -> set[str]:
    """Sources with a page that was not fetched or not read in this batch."""
    failed = failed_pages(pages, extracted)
    return {candidate.source for candidate, _result in pages.pages if candidate.url in failed}


def save_source_validators(con, feeds: FeedBatch, validators: dict, incomplete: set[str]) -> None:
    """A feed's or index's validators (and its sitemap's) are saved only when every page it
    listed was stored: otherwise its next answer could be a 304 and the missing page would
    never be fetched again, so they are forgotten instead (the next fetch is unconditional)."""
    keep, forget = {}, []
    for row in feeds.fetches:
        for url in {row["url"], row["final_url"]} - {None}:
            if row["source"] in incomplete:
                forget.append(url)
            elif url in validators:
                keep[url] = validators[url]
    with writer_cursor(con) as cur:
        cur.begin()
        loading.save_validators(cur, keep)
        loading.forget_validators(cur, forget)
        cur.commit()
