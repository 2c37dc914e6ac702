import re
from pathlib import Path

import numpy as np

from newsfacts.extractors.article import extract_article
from newsfacts.extractors.dedup import (
    NEAR_DUPLICATE_THRESHOLD,
    StoryDoc,
    assign_stories,
    canonical_url,
    content_hash,
    near_duplicates,
    probe_keys,
    similarity,
    story_keys,
    text_signature,
)

WIRE = (
    "SAN FRANCISCO, May 7 - Anthropic has agreed to use all of the computing capacity at SpaceX's "
    "Colossus 1 data center, adding more than 300 megawatts and over 220,000 Nvidia GPUs within the "
    "month, the company said on Wednesday. The deal lets Anthropic raise usage limits for Claude Code "
    "and its API, it said. Anthropic already trains and serves its Claude models on Amazon's Trainium "
    "chips, Google's TPUs and Nvidia GPUs, and last month expanded its Amazon partnership to up to 5 "
    "gigawatts of new compute tied to more than $100 billion of spending on AWS over ten years. "
    "SpaceX did not disclose the financial terms of the agreement. The Colossus facility in Memphis, "
    "Tennessee, was built to train large AI models and is one of the largest GPU clusters in operation. "
    "Analysts said the arrangement shows how AI developers are looking beyond the big cloud providers "
    "to secure near-term capacity while longer buildouts of custom chips come online next year."
)
# The same wire story as another outlet runs it: own intro and outro, a few edited words.
SYNDICATED = (
    "Listen to this article. Subscribe to our Morning Briefing for more. "
    + WIRE.replace("the company said on Wednesday", "the AI startup said Wednesday")
    .replace("Analysts said", "Industry analysts said")
    .replace("next year", "in 2027")
    + " Reporting by a staff writer; editing by the business desk. Our standards: the Trust Principles."
)
# A different article about the same event: same names and figures, different words.
SAME_TOPIC = (
    "Why is SpaceX selling compute to a rival of xAI? Colossus 1, the Memphis supercomputer Elon Musk "
    "built, now rents all of its capacity to Anthropic: 220,000 Nvidia GPUs and 300 megawatts. For "
    "Anthropic, which spends heavily with Amazon and Google, the attraction is speed: Nvidia capacity "
    "available this month rather than next year. For SpaceX, it turns an expensive cluster into "
    "revenue. Musk has criticised other AI labs in public, but compute is scarce, and scarcity makes "
    "odd partners. The question now is whether other neoclouds follow, and what it means for prices."
)


def test_canonical_url_normalises_spelling():
    assert canonical_url("HTTPS://WWW.Example.COM:443/News/Story/?utm_source=rss&b=2&a=1&gclid=x#top") == \
        "https://www.example.com/News/Story?a=1&b=2"
    assert canonical_url("http://example.com:80") == "http://example.com/"
    assert canonical_url("http://example.com:8080/a/") == "http://example.com:8080/a"
    assert canonical_url("https://example.com/a?fbclid=1&mc_cid=2&mc_eid=3&oc=5&ref=tw&UTM_Medium=x") == \
        "https://example.com/a"
    assert canonical_url("https://example.com/a?q=&id=7") == "https://example.com/a?id=7&q="


def test_canonical_url_treats_tracked_copies_as_one_page():
    plain = "http://127.0.0.1:41234/newsroom/posts/anthropic-training-infrastructure.html"
    tracked = plain + "?utm_source=rss&utm_medium=rss&utm_campaign=blog"
    assert canonical_url(tracked) == canonical_url(plain) == plain


def test_canonical_url_leaves_unparseable_input_alone():
    assert canonical_url("not a url") == "not a url"
    assert canonical_url("http://[::1") == "http://[::1"
    assert canonical_url("http://[::1]:8080/x/") == "http://[::1]:8080/x"


def test_content_hash_ignores_case_and_whitespace():
    assert content_hash("Amazon  invested\n$8 billion") == content_hash("amazon invested $8 BILLION ")
    assert content_hash("a") != content_hash("b")
    assert len(content_hash("")) == 64


def test_signature_is_deterministic_and_fixed_size():
    assert text_signature(WIRE) == text_signature(WIRE)
    assert len(text_signature(WIRE)) == 64
    assert text_signature("") == () and text_signature(" ... ") == ()
    assert similarity((), ()) == 0.0
    assert similarity(text_signature(WIRE), text_signature(WIRE)) == 1.0


def test_syndicated_copy_is_a_near_duplicate_and_other_coverage_is_not():
    wire, copy, other = (text_signature(t) for t in (WIRE, SYNDICATED, SAME_TOPIC))
    assert similarity(wire, copy) >= NEAR_DUPLICATE_THRESHOLD + 0.1
    assert similarity(wire, other) < NEAR_DUPLICATE_THRESHOLD - 0.3
    assert similarity(copy, other) < NEAR_DUPLICATE_THRESHOLD - 0.3


def _doc(doc_id, text, url, **kwargs):
    return StoryDoc(doc_id=doc_id, signature=text_signature(text), url=url, **kwargs)


def test_syndicated_copy_joins_the_existing_story():
    existing = [_doc("a1", WIRE, "https://wire.example/1", story_id="a1")]
    new = [_doc("b7", SYNDICATED, "https://paper.example/2"), _doc("c3", SAME_TOPIC, "https://blog.example/3")]
    assert assign_stories(new, existing) == {"b7": "a1", "c3": "c3"}


def test_new_documents_group_under_the_earliest():
    new = [_doc("n1", SAME_TOPIC, "https://blog.example/3"), _doc("n2", WIRE, "https://wire.example/1"),
           _doc("n3", SYNDICATED, "https://paper.example/2")]
    assert assign_stories(new, []) == {"n1": "n1", "n2": "n2", "n3": "n2"}


def test_google_news_cluster_links_documents_either_way():
    related = ("http://127.0.0.1:1/rss/articles/CBMiSECOND?oc=5",)
    first = StoryDoc("d1", text_signature("SpaceX supercomputer deal, as one outlet wrote it"),
                     "http://127.0.0.1:1/rss/articles/CBMiFIRST?oc=5", related_urls=related)
    second = StoryDoc("d2", text_signature("Colossus 1 capacity secured, in other words entirely"),
                      "https://letsdatascience.example/a", aliases=related)
    assert assign_stories([first, second], []) == {"d1": "d1", "d2": "d1"}
    # the link counts from the other side too, and against an existing story
    assert assign_stories([second], [StoryDoc(**{**first.__dict__, "story_id": "s0"})]) == {"d2": "s0"}


def test_same_specific_headline_joins_but_generic_one_does_not():
    a = StoryDoc("a", (), "https://x.example/1", title="Anthropic taps SpaceX supercomputer as AI firms race")
    b = StoryDoc("b", (), "https://y.example/2", title="anthropic taps SpaceX supercomputer as AI firms race!")
    c = StoryDoc("c", (), "https://x.example/3", title="Markets wrap")
    d = StoryDoc("d", (), "https://y.example/4", title="Markets wrap")
    assert assign_stories([a, b, c, d], []) == {"a": "a", "b": "a", "c": "c", "d": "d"}


def test_a_new_document_bridging_two_stories_merges_them_under_the_oldest():
    existing = [_doc("old1", WIRE, "https://wire.example/1", story_id="S1"),
                _doc("old2", SAME_TOPIC, "https://blog.example/3", story_id="S2")]
    bridge = StoryDoc("new", text_signature(SYNDICATED), "https://paper.example/2",
                      related_urls=("https://blog.example/3?utm_source=gn",))
    assert assign_stories([bridge], existing) == {"new": "S1", "old2": "S1"}


def test_existing_stories_are_kept_and_result_is_order_independent_of_dict_state():
    existing = [_doc("x", WIRE, "https://wire.example/1", story_id="S1"),
                _doc("y", SYNDICATED, "https://paper.example/2", story_id="S1")]
    assert assign_stories([], existing) == {}
    new = [_doc("z", SAME_TOPIC, "https://blog.example/3")]
    assert assign_stories(new, existing) == assign_stories(list(new), list(existing)) == {"z": "z"}


def test_story_keys_find_every_stored_document_a_new_one_can_join():
    wire = _doc("w", WIRE, "https://wire.example/1", story_id="S1")            # near duplicate
    blog = _doc("b", SAME_TOPIC, "https://blog.example/3", story_id="S2")      # the new one links to it
    headline = StoryDoc("h", (), "https://x.example/1", story_id="S3",
                        title="Anthropic taps SpaceX supercomputer as AI firms race")
    linking = StoryDoc("l", (), "https://y.example/9", story_id="S4",         # links to the new one
                       related_urls=("https://paper.example/2?utm_source=gn",))
    apart = _doc("a", "Rain is expected over the weekend across the northern valleys and hills.",
                 "https://z.example/5", story_id="S5", title="Markets wrap")
    new = StoryDoc("n", text_signature(SYNDICATED), "https://paper.example/2",
                   related_urls=("https://blog.example/3",), title="anthropic taps SpaceX supercomputer as AI firms race!")
    stored = [wire, blog, headline, linking, apart]

    bands, links = probe_keys(new)
    assert {doc.doc_id for doc in stored if story_keys(doc) & bands} == {"w"}
    assert {doc.doc_id for doc in stored if story_keys(doc) & links} == {"b", "h", "l"}
    assert assign_stories([new], stored) == {"n": "S1", "b": "S1", "h": "S1", "l": "S1"}
    # the keys only narrow what is read: reading only what they find decides the same
    found = [doc for doc in stored if story_keys(doc) & (bands | links)]
    assert assign_stories([new], found) == assign_stories([new], stored)


def test_near_duplicates_is_similarity_vectorised():
    docs = [text_signature(text) for text in (WIRE, SYNDICATED, SAME_TOPIC)]
    signatures = np.array(docs, dtype=np.uint64)
    pairs = np.array([(0, 1), (0, 2), (1, 2), (2, 2)])
    expected = [similarity(docs[i], docs[j]) >= NEAR_DUPLICATE_THRESHOLD for i, j in pairs]
    assert near_duplicates(signatures, signatures, pairs).tolist() == expected == [True, False, False, True]


def test_distinct_documents_stay_apart():
    texts = [f"document number {i} talks about topic {i * 7} with words {i} {i + 1} {i + 2}" for i in range(300)]
    docs = [StoryDoc(f"d{i}", text_signature(t), f"https://x.example/{i}") for i, t in enumerate(texts)]
    assert assign_stories(docs, []) == {doc.doc_id: doc.doc_id for doc in docs}


def test_same_article_on_two_sites_is_a_near_duplicate_after_extraction():
    articles = Path(__file__).resolve().parents[1] / "fixtures" / "articles"
    text = {stem: extract_article((articles / f"{stem}.html").read_bytes()).text for stem in (
        "01_portal_analysis", "08_heldout_amp", "04_aggregator_comments", "05_legacy_cp1252")}
    signature = {stem: text_signature(t) for stem, t in text.items()}
    # seed 000 in two layouts (the AMP copy loses its headings and key points)
    assert similarity(signature["01_portal_analysis"], signature["08_heldout_amp"]) >= NEAR_DUPLICATE_THRESHOLD
    # seeds 003 and 004: the same SpaceX deal written up by two outlets
    assert similarity(signature["04_aggregator_comments"], signature["05_legacy_cp1252"]) < 0.1


def test_signature_values_are_the_documented_minhash_so_stored_ones_stay_comparable():
    """Each value is min over shingles of (a*h + b) mod 2^61-1, h the shingle's 64-bit blake2b:
    written out here with Python integers, on texts of many sizes and scripts."""
    import hashlib
    import random

    from newsfacts.extractors.dedup import _PERMUTATIONS

    prime = (1 << 61) - 1

    def written_out(text):
        words = re.findall(r"\w+", text.lower())
        shingles = {" ".join(words[i:i + 3]) for i in range(len(words) - 2)} if len(words) >= 3 \
            else {" ".join(words)}
        hashes = [int.from_bytes(hashlib.blake2b(s.encode(), digest_size=8).digest(), "big")
                  for s in shingles]
        return tuple(min((a * h + b) % prime for h in hashes) for a, b in _PERMUTATIONS)

    rng = random.Random(7)
    vocab = ["".join(rng.choice("abcdefgh") for _ in range(rng.randint(1, 7))) for _ in range(500)]
    texts = [WIRE, SYNDICATED, "one", "two words", "Ünïcode wörds, déjà vu"] + [
        " ".join(rng.choice(vocab) for _ in range(rng.randint(3, 900))) for _ in range(40)]
    for text in texts:
        assert text_signature(text) == written_out(text)
