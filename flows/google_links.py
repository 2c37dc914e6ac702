"""Current Google News links → publisher URLs: the decoding requests, for sources that opt in.

Runs between the feed stage and the article stage. For every candidate of a source with
`resolve_links = true` whose link is a Google News article link that does not decode offline:

* an id found in the warehouse's link cache is used without any request (by every Google News
  source: only the decoding itself is opt-in); an id that failed
  recently keeps its reason, also without a request (see warehouse.link_cache);
* the others are decoded as `extractors.google_news` describes: one GET per id for its
  signature, then one batchexecute POST per `decode_batch` ids;
* an id that cannot be decoded keeps its candidate, marked `unresolved` with the reason, so the
  article stage stores the feed's snippet (with that reason) instead of fetching Google's page.

Politeness: all decode requests of a run go through one Fetcher that spaces their starts by
1 / `decode_rate` seconds (retries included) and, on a 429 with Retry-After, holds every decode
request for that long. They carry `decode_user_agent` (the endpoints answer browsers only); the
feed and the publishers' pages keep the project's own User-Agent.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass, field, replace

from newsfacts.extractors.google_news import (
    Signature,
    article_id,
    article_page_url,
    batchexecute_body,
    batchexecute_url,
    decode_article_link,
    google_page_reason,
    parse_batchexecute,
    parse_signature,
)
from newsfacts.flows.config import SourcesConfig
from newsfacts.flows.http import Fetcher, FetchResult
from newsfacts.flows.progress import ProgressCallback
from newsfacts.flows.stages import Candidate, fetch_log_row
from newsfacts.warehouse.link_cache import LinkCache

log = logging.getLogger("newsfacts.google_links")


@dataclass
class LinkBatch:
    candidates: list[Candidate] = field(default_factory=list)   # publisher URLs where resolved
    resolved: dict[str, str] = field(default_factory=dict)      # newly decoded: google id → URL
    cached: int = 0                                             # ids answered by the link cache
    failed: dict[str, str] = field(default_factory=dict)        # google id → reason
    requests: int = 0                                           # decode requests (a retried one counts once)
    fetches: list[dict] = field(default_factory=list)           # fetch_log rows of those requests


@dataclass(frozen=True)
class _Pending:
    google_id: str
    source: str
    base_url: str
    edition: tuple[str, str, str]   # hl, gl, ceid


def decode_fetcher(config: SourcesConfig) -> Fetcher:
    """The one Fetcher all decode requests of a run share (see the module docstring)."""
    return Fetcher(user_agent=config.decode_user_agent, timeout=config.timeout, respect_robots=False,
                   trusted_urls=config.trusted_urls, allow_private_addresses=config.allow_private_addresses,
                   min_interval=1.0 / config.decode_rate, max_connections=4, per_host=2, retries=3)


async def resolve_links(candidates: list[Candidate], config: SourcesConfig, cache: LinkCache,
                        progress: ProgressCallback | None = None,
                        fetcher: Fetcher | None = None) -> LinkBatch:
    """Candidates with publisher URLs where the link could be resolved (see the module docstring)."""
    # Any Google News source uses what is known; only those that opt in send decode requests.
    sources = {source.name: source for source in config.sources if source.kind == "google_news"}
    known, failed_before = cache.resolved, cache.failed
    batch = LinkBatch()
    pending: dict[str, _Pending] = {}
    from_cache: set[str] = set()
    for candidate in candidates:
        source = sources.get(candidate.source)
        google_id = _google_id(candidate, source)
        if google_id is not None and (google_id in known or google_id in failed_before):
            from_cache.add(google_id)
        elif google_id is not None and source.resolve_links:
            pending.setdefault(google_id, _Pending(google_id, source.name, source.base_url,
                                                   (source.hl, source.gl, source.ceid)))
    batch.cached = len(from_cache)
    if pending:
        if fetcher is None:
            async with decode_fetcher(config) as own:
                await _decode(list(pending.values()), own, config.decode_batch, batch, progress)
        else:
            await _decode(list(pending.values()), fetcher, config.decode_batch, batch, progress)
    for candidate in candidates:
        google_id = _google_id(candidate, sources.get(candidate.source))
        url = known.get(google_id) or batch.resolved.get(google_id) if google_id else None
        if url:
            batch.candidates.append(replace(candidate, url=url))
        elif google_id in batch.failed:
            batch.candidates.append(replace(candidate, unresolved=batch.failed[google_id]))
        elif google_id in failed_before and sources[candidate.source].resolve_links:
            batch.candidates.append(replace(candidate, unresolved=f"{failed_before[google_id]} (tried recently)"))
        else:
            batch.candidates.append(candidate)
    if pending or batch.cached:
        log.info("Google News links: %d from the cache, %d decoded, %d not decoded, %d request(s)",
                 batch.cached, len(batch.resolved), len(batch.failed), batch.requests)
    return batch


def _google_id(candidate: Candidate, source) -> str | None:
    """The id to decode, or None when the candidate needs no decoding."""
    if source is None or candidate.item is None:
        return None
    link = candidate.item.feed_link
    if decode_article_link(link):   # old format: decoded offline already
        return None
    return article_id(link, source.base_url)


async def _decode(pending: list[_Pending], fetcher: Fetcher, batch_size: int, batch: LinkBatch,
                  progress: ProgressCallback | None) -> None:
    signatures = await _signatures(pending, fetcher, batch, progress)
    by_edition: dict[tuple, list[tuple[_Pending, Signature]]] = {}
    for item, signature in signatures:
        by_edition.setdefault((item.base_url, item.edition), []).append((item, signature))
    posts = []
    for (base_url, edition), items in by_edition.items():
        for start in range(0, len(items), batch_size):
            posts.append(_post_batch(base_url, edition, items[start:start + batch_size], fetcher, batch))
    await asyncio.gather(*posts)


async def _signatures(pending: list[_Pending], fetcher: Fetcher, batch: LinkBatch,
                      progress: ProgressCallback | None) -> list[tuple[_Pending, Signature]]:
    done = 0

    async def one(item: _Pending) -> tuple[_Pending, Signature] | None:
        nonlocal done
        hl, gl, ceid = item.edition
        result = await fetcher.fetch(article_page_url(item.base_url, item.google_id, hl=hl, gl=gl, ceid=ceid),
                                     conditional=False)
        _count(batch, item.source, result)
        done += 1
        if progress:
            progress("links", done, len(pending))
        if not result.ok:
            batch.failed[item.google_id] = f"Google News link not decoded: article page: {result.error or result.status}"
            return None
        signature = parse_signature(item.google_id, result.text or "")
        if signature is None:
            reason = google_page_reason(result.final_url, result.text) or "no signature on the article page"
            batch.failed[item.google_id] = f"Google News link not decoded: {reason}"
            return None
        return item, signature

    found = await asyncio.gather(*(one(item) for item in pending))
    return [pair for pair in found if pair is not None]


async def _post_batch(base_url: str, edition: tuple[str, str, str], items: list[tuple[_Pending, Signature]],
                      fetcher: Fetcher, batch: LinkBatch) -> None:
    hl, gl, ceid = edition
    body = batchexecute_body([signature for _item, signature in items], hl=hl, gl=gl, ceid=ceid)
    result = await fetcher.post(batchexecute_url(base_url), body)
    _count(batch, items[0][0].source, result)
    if not result.ok:
        for item, _signature in items:
            batch.failed[item.google_id] = f"Google News link not decoded: batchexecute: {result.error or result.status}"
        return
    try:
        urls = parse_batchexecute(result.text or "")
    except ValueError as exc:
        urls = {}
        log.warning("batchexecute at %s: %s", base_url, exc)
    for tag, (item, _signature) in enumerate(items):
        if tag in urls:
            batch.resolved[item.google_id] = urls[tag]
        else:
            batch.failed[item.google_id] = "Google News link not decoded: batchexecute gave no URL for this id"


def _count(batch: LinkBatch, source: str, result: FetchResult) -> None:
    batch.requests += 1
    batch.fetches.append(fetch_log_row(source, result))
