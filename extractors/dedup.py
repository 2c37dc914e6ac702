"""Duplicate detection: canonical URLs, exact content hashes, near-duplicate stories.

Near duplicates use MinHash over word 3-shingles: 64 values per text, estimating the Jaccard
similarity of the two shingle sets. A syndicated wire copy with its own intro, outro and a few
edited words keeps ~0.6–0.95 of its shingles; two different articles on the same event share
well under 0.1 (phrases, not whole runs of words). `NEAR_DUPLICATE_THRESHOLD` = 0.5 sits in that gap.
"""

from __future__ import annotations

import hashlib
import random
import re
from collections import defaultdict
from dataclasses import dataclass
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import numpy as np

NEAR_DUPLICATE_THRESHOLD = 0.5
SHINGLE_WORDS = 3
SIGNATURE_SIZE = 64
# LSH: 16 bands of 4 values. Two texts share a band with probability 1-(1-J^4)^16: 0.64 at J=0.5,
# 0.99 at J=0.7, 0.02 at J=0.2. Band matches are only candidates; similarity() decides.
_BANDS, _ROWS = 16, 4

_TRACKING_PARAMS = frozenset({
    "gclid", "dclid", "fbclid", "msclkid", "yclid", "twclid", "igshid", "mc_cid", "mc_eid",
    "oc", "ref", "ref_src", "ref_url", "referrer", "cmpid", "ocid", "smid", "sr_share",
    "spm", "_ga", "_gl", "guccounter", "guce_referrer", "guce_referrer_sig", "mkt_tok",
})
_TRACKING_PREFIXES = ("utm_", "pk_", "hsa_", "__hs")
_DEFAULT_PORTS = {"http": 80, "https": 443}
_WORD = re.compile(r"\w+")

_MERSENNE_PRIME = (1 << 61) - 1
# Fixed seed: signatures must stay comparable across runs and machines.
_rng = random.Random(20240611)
_PERMUTATIONS = tuple(
    (_rng.randrange(1, _MERSENNE_PRIME), _rng.randrange(0, _MERSENNE_PRIME))
    for _ in range(SIGNATURE_SIZE)
)
_A = np.array([a for a, _ in _PERMUTATIONS], dtype=np.uint64)[:, None]
_B = np.array([b for _, b in _PERMUTATIONS], dtype=np.uint64)[:, None]
_P = np.uint64(_MERSENNE_PRIME)
_LOW31, _LOW30 = np.uint64((1 << 31) - 1), np.uint64((1 << 30) - 1)


def canonical_url(url: str) -> str:
    """One spelling per page: lower-case scheme and host, no default port, credentials,
    fragment or tracking parameters, sorted query, no trailing slash (except the root)."""
    url = url.strip()
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        return url
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").lower()
    if not host:
        return url
    if ":" in host:  # IPv6 literal
        host = f"[{host}]"
    netloc = host if port in (None, _DEFAULT_PORTS.get(scheme)) else f"{host}:{port}"
    path = parts.path.rstrip("/") or "/"
    query = sorted(
        (key, value)
        for key, value in parse_qsl(parts.query, keep_blank_values=True)
        if not _is_tracking_param(key)
    )
    return urlunsplit((scheme, netloc, path, urlencode(query), ""))


def site_host(url: str) -> str:
    """The URL's host, lower-case, without a leading "www."; "" when it has none."""
    try:
        host = (urlsplit(url).hostname or "").lower()
    except ValueError:
        return ""
    return host[4:] if host.startswith("www.") else host


def same_site(url: str, other: str) -> bool:
    """Both URLs on one site (a subdomain counts as the same site as its parent)."""
    host, site = site_host(url), site_host(other)
    return bool(host) and (host == site or host.endswith("." + site) or site.endswith("." + host))


def _is_tracking_param(name: str) -> bool:
    name = name.lower()
    return name in _TRACKING_PARAMS or name.startswith(_TRACKING_PREFIXES)


def content_hash(text: str) -> str:
    """sha256 hex of the text with case and whitespace normalised."""
    normalised = " ".join(text.lower().split())
    return hashlib.sha256(normalised.encode("utf-8")).hexdigest()


def text_signature(text: str) -> tuple[int, ...]:
    """MinHash signature of the text's word 3-shingles; () when the text has no words.

    Value i is min over shingles h (blake2b, 64 bits) of (a_i * h + b_i) mod (2^61 - 1), computed
    for all 64 permutations and all shingles at once in numpy, exactly (no float, no overflow):
    signatures stored by earlier versions stay comparable.
    """
    words = _WORD.findall(text.lower())
    if not words:
        return ()
    width = min(SHINGLE_WORDS, len(words))
    shingles = {" ".join(words[i:i + width]) for i in range(len(words) - width + 1)}
    digests = b"".join(hashlib.blake2b(s.encode("utf-8"), digest_size=8).digest() for s in shingles)
    hashes = _mod_p(np.frombuffer(digests, dtype=">u8").astype(np.uint64))
    return tuple(int(v) for v in _mul_mod_p(_A, hashes[None, :], _B).min(axis=1))


def _mod_p(x: np.ndarray) -> np.ndarray:
    """x mod 2^61-1 for any uint64 x (2^61 = 1 mod p, so fold the high bits onto the low ones)."""
    x = (x & _P) + (x >> np.uint64(61))
    x = (x & _P) + (x >> np.uint64(61))
    return np.where(x >= _P, x - _P, x)


def _mul_mod_p(a: np.ndarray, h: np.ndarray, b: np.ndarray) -> np.ndarray:
    """(a * h + b) mod 2^61-1 for a, h, b < 2^61, in uint64 limbs of 31 bits.

    a*h = a1*h1*2^62 + (a1*h0 + a0*h1)*2^31 + a0*h0, with 2^62 = 2 and 2^61 = 1 (mod p); the
    middle term is split again at 2^30 so that every partial sum stays below 2^64.
    """
    a1, a0 = a >> np.uint64(31), a & _LOW31
    h1, h0 = h >> np.uint64(31), h & _LOW31
    mid = a1 * h0 + a0 * h1                                 # < 2^62
    total = (np.uint64(2) * (a1 * h1)                       # < 2^61
             + (mid >> np.uint64(30)) + ((mid & _LOW30) << np.uint64(31))   # < 2^32 + 2^61
             + a0 * h0 + b)                                 # < 2^62 + 2^61
    return _mod_p(total)


def similarity(a: tuple[int, ...], b: tuple[int, ...]) -> float:
    """Estimated Jaccard similarity of the two texts' shingle sets (0.0 for empty signatures)."""
    if not a or not b or len(a) != len(b):
        return 0.0
    return sum(x == y for x, y in zip(a, b)) / len(a)


@dataclass(frozen=True)
class StoryDoc:
    """A document as story grouping sees it.

    `aliases` are other URLs the same document is known by (the Google News feed link, the URL
    before redirects), so a cluster listing any of them links to it. `story_id` is the story an
    existing document already belongs to (None for new documents).
    """
    doc_id: str
    signature: tuple[int, ...]
    url: str
    related_urls: tuple[str, ...] = ()
    title: str = ""
    aliases: tuple[str, ...] = ()
    story_id: str | None = None


# Identical headlines join only when long enough to be specific ("Markets wrap" is not a story).
_MIN_TITLE_WORDS = 6


def assign_stories(new_docs: list[StoryDoc], existing_docs: list[StoryDoc]) -> dict[str, str]:
    """Story id for every new document, plus existing documents whose story changed (merges).

    Documents join one story when their texts are near duplicates (similarity ≥
    NEAR_DUPLICATE_THRESHOLD), when a Google News cluster links them (one's URL is in the
    other's related_urls), or when their normalised titles are identical and specific. A
    story's id is the oldest id it already had, else the id of its earliest document:
    existing documents (in the order given, oldest first) come before new ones. Near duplicates
    are searched only between a new document and any other: existing ones were paired when they
    came, and their stories say so. Pure and deterministic.
    """
    docs = list(existing_docs) + list(new_docs)
    groups = _UnionFind(len(docs))

    by_story: dict[str, int] = {}
    for index, doc in enumerate(existing_docs):
        if doc.story_id is not None:
            groups.union(by_story.setdefault(doc.story_id, index), index)

    # Existing documents were paired when they came: only pairs with a new one are searched.
    for i, j in _near_duplicate_pairs(docs, first_new=len(existing_docs)):
        groups.union(i, j)

    by_url: dict[str, int] = {}
    for index, doc in enumerate(docs):
        for url in (doc.url, *doc.aliases):
            by_url.setdefault(canonical_url(url), index)
    for index, doc in enumerate(docs):
        for url in doc.related_urls:
            other = by_url.get(canonical_url(url))
            if other is not None:
                groups.union(index, other)

    by_title: dict[str, int] = {}
    for index, doc in enumerate(docs):
        title = _title_key(doc.title)
        if title:
            groups.union(by_title.setdefault(title, index), index)

    story_of_root: dict[int, str] = {}
    for index, doc in enumerate(docs):  # earliest first, so the first id seen wins
        root = groups.find(index)
        if root not in story_of_root:
            story_of_root[root] = doc.story_id or doc.doc_id

    assigned = {doc.doc_id: story_of_root[groups.find(len(existing_docs) + k)]
                for k, doc in enumerate(new_docs)}
    for index, doc in enumerate(existing_docs):
        story = story_of_root[groups.find(index)]
        if story != doc.story_id:
            assigned[doc.doc_id] = story
    return assigned


def _title_key(title: str) -> str | None:
    """The headline as story grouping compares it, when it is specific enough to join on."""
    words = _WORD.findall(title.lower())
    return " ".join(words) if len(words) >= _MIN_TITLE_WORDS else None


def _bands(signature: tuple[int, ...]) -> list[tuple]:
    """The signature's LSH bands (none for a signature of another size)."""
    if len(signature) != SIGNATURE_SIZE:
        return []
    return [(band, signature[band * _ROWS:(band + 1) * _ROWS]) for band in range(_BANDS)]


def story_keys(doc: StoryDoc) -> set[int]:
    """What others find this document by in a key index: its LSH bands, its headline, its own
    URLs ("u") and the URLs it links to ("r"). 64-bit hashes: a collision adds a candidate and
    loses none (assign_stories decides)."""
    keys = [repr(band) for band in _bands(doc.signature)]
    keys += ["u " + canonical_url(url) for url in (doc.url, *doc.aliases)]
    keys += ["r " + canonical_url(url) for url in doc.related_urls]
    return _hashed(keys, doc.title)


def probe_keys(doc: StoryDoc) -> tuple[set[int], set[int]]:
    """The keys under which story_keys filed the documents this one may join: (its bands, whose
    documents join only if near_duplicates says so; the links: its headline, a URL it links to,
    a link to one of its URLs, whose documents join as they are)."""
    bands = _hashed([repr(band) for band in _bands(doc.signature)], "")
    links = ["r " + canonical_url(url) for url in (doc.url, *doc.aliases)]
    links += ["u " + canonical_url(url) for url in doc.related_urls]
    return bands, _hashed(links, doc.title)


def near_duplicates(left: np.ndarray, right: np.ndarray, pairs: np.ndarray) -> np.ndarray:
    """For index pairs (i, j) into two matrices of full signatures: whether left[i] and right[j]
    are near duplicates, by similarity()'s estimate, vectorised (in chunks: pairs can be many)."""
    if not len(pairs):
        return np.zeros(0, dtype=bool)
    same = np.concatenate([(left[chunk[:, 0]] == right[chunk[:, 1]]).sum(axis=1)
                           for chunk in np.array_split(pairs, -(-len(pairs) // 50_000))])
    return same / SIGNATURE_SIZE >= NEAR_DUPLICATE_THRESHOLD


def _hashed(keys: list[str], title: str) -> set[int]:
    title_key = _title_key(title)
    if title_key:
        keys.append("t " + title_key)
    return {int.from_bytes(hashlib.blake2b(key.encode("utf-8", "surrogatepass"), digest_size=8).digest(),
                           "little", signed=True) for key in keys}


def _near_duplicate_pairs(docs: list[StoryDoc], first_new: int = 0) -> list[tuple[int, int]]:
    """Index pairs whose signatures are near duplicates, found through LSH band buckets: pairs
    with a document at `first_new` or later (a new one), compared in one vectorised pass."""
    buckets: dict[tuple, list[int]] = defaultdict(list)
    for index, doc in enumerate(docs):
        for band in _bands(doc.signature):
            buckets[band].append(index)
    candidates = {
        (first, other)
        for members in buckets.values() if len(members) > 1 and members[-1] >= first_new
        for other in members if other >= first_new
        for first in members if first < other
    }
    if not candidates:
        return []
    pairs = np.array(sorted(candidates), dtype=np.int64)
    banded = sorted(set(pairs.ravel().tolist()))   # documents with a full signature
    row = np.full(len(docs), -1, dtype=np.int64)
    row[banded] = np.arange(len(banded))
    signatures = np.array([docs[index].signature for index in banded], dtype=np.uint64)
    keep = near_duplicates(signatures, signatures, row[pairs])
    return [(int(i), int(j)) for i, j in pairs[keep]]


class _UnionFind:
    def __init__(self, size: int) -> None:
        self.parent = list(range(size))

    def find(self, index: int) -> int:
        while self.parent[index] != index:
            self.parent[index] = self.parent[self.parent[index]]
            index = self.parent[index]
        return index

    def union(self, a: int, b: int) -> None:
        # The smaller index (the earlier document) stays the root.
        root_a, root_b = self.find(a), self.find(b)
        if root_a != root_b:
            self.parent[max(root_a, root_b)] = min(root_a, root_b)
