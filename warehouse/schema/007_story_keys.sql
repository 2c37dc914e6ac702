-- Story grouping's lookup keys, so that a night's new articles find the stored articles they
-- may join (same LSH band, a URL one links to, the same headline) without reading every stored
-- article. Derived data, written by the pipeline (flows/stages.group_stories): story_keyed holds
-- the fingerprint of the columns each article's keys were computed from, so that a changed
-- article gets its keys anew; story_keys holds the keys themselves (64-bit hashes).
CREATE TABLE story_keyed (
    article_id  VARCHAR PRIMARY KEY,
    fingerprint UBIGINT NOT NULL
);

CREATE TABLE story_keys (
    key        BIGINT NOT NULL,
    article_id VARCHAR NOT NULL
);
