-- 001_init: base tables. Analysts query the documented views (views.sql), which carry the
-- plain names; base tables end in _rows or describe machinery (runs, fetch_log, http_cache).
-- Times are UTC, stored as naive TIMESTAMP.

CREATE TABLE sources (
    name        VARCHAR PRIMARY KEY,
    kind        VARCHAR NOT NULL,          -- google_news | newsroom | sitemap | ...
    url         VARCHAR,
    query       VARCHAR,
    settings    JSON,
    updated_at  TIMESTAMP
);

CREATE TABLE runs (
    run_id      VARCHAR PRIMARY KEY,
    started_at  TIMESTAMP NOT NULL,
    finished_at TIMESTAMP,
    status      VARCHAR NOT NULL,          -- running | ok | partial | failed
    summary     JSON
);

CREATE TABLE fetch_log (
    run_id       VARCHAR NOT NULL,
    url          VARCHAR NOT NULL,
    source       VARCHAR,
    status       INTEGER,                  -- HTTP status; NULL when no response
    error        VARCHAR,
    not_modified BOOLEAN,
    bytes        BIGINT,
    elapsed_ms   INTEGER,
    fetched_at   TIMESTAMP
);

-- Conditional-GET validators, one row per URL.
CREATE TABLE http_cache (
    url           VARCHAR PRIMARY KEY,
    etag          VARCHAR,
    last_modified VARCHAR,
    updated_at    TIMESTAMP
);

CREATE TABLE article_rows (
    article_id     VARCHAR PRIMARY KEY,    -- stable hash of the canonical URL
    url            VARCHAR NOT NULL,
    canonical_url  VARCHAR NOT NULL,
    source         VARCHAR,
    publisher      VARCHAR,
    title          VARCHAR,
    text           VARCHAR,
    raw_html       VARCHAR,                -- kept so facts can be re-extracted
    published_at   TIMESTAMP,
    author         VARCHAR,
    snippet_only   BOOLEAN NOT NULL DEFAULT false,
    content_hash   VARCHAR,
    google_link    VARCHAR,
    related_urls   VARCHAR[],
    signature      UBIGINT[],
    story_id       VARCHAR,
    duplicate_of   VARCHAR,                -- article_id already holding the same content_hash
    first_seen_run VARCHAR,
    last_seen_run  VARCHAR,
    first_seen_at  TIMESTAMP,
    updated_at     TIMESTAMP
);

CREATE TABLE story_rows (
    story_id       VARCHAR PRIMARY KEY,    -- article_id of the story's earliest article
    title          VARCHAR,
    first_seen     TIMESTAMP,
    first_seen_run VARCHAR
);

CREATE TABLE fact_rows (
    fact_id           VARCHAR PRIMARY KEY, -- stable hash: article, metric, subject, counterparty, unit, value, span
    article_id        VARCHAR NOT NULL,
    key_id            VARCHAR NOT NULL,    -- conflict key hash (= conflict_id when it conflicts)
    subject           VARCHAR NOT NULL,
    counterparty      VARCHAR,
    metric            VARCHAR NOT NULL,
    value             DOUBLE,
    value_max         DOUBLE,
    unit              VARCHAR NOT NULL,
    qualifier         VARCHAR NOT NULL,
    chip_type         VARCHAR,
    currency          VARCHAR,
    amount            DOUBLE,
    as_of             VARCHAR,
    sentence          VARCHAR,
    span_start        INTEGER,
    span_end          INTEGER,
    confidence        DOUBLE,
    extracted_at      TIMESTAMP,
    extractor_version VARCHAR,
    first_seen_run    VARCHAR
);

-- One row per conflict key ever found conflicting; never deleted.
CREATE TABLE conflict_rows (
    conflict_id       VARCHAR PRIMARY KEY, -- = key_id of the facts
    subject           VARCHAR NOT NULL,
    counterparty      VARCHAR,
    metric            VARCHAR NOT NULL,
    unit              VARCHAR NOT NULL,
    chip_type         VARCHAR,
    status            VARCHAR NOT NULL,    -- open | reopened | resolved | dismissed | cleared
    class             VARCHAR,             -- contradiction | changed_over_time | partial
    severity          DOUBLE,
    reason            VARCHAR,
    n_facts           INTEGER,
    n_sources         INTEGER,
    min_value         DOUBLE,
    max_value         DOUBLE,
    fact_ids          VARCHAR[],
    first_seen_run    VARCHAR,
    last_seen_run     VARCHAR,
    first_detected_at TIMESTAMP,
    status_changed_at TIMESTAMP,
    updated_at        TIMESTAMP
);

-- Which facts a conflict holds and their rank after review (Wikidata-like ranks).
CREATE TABLE conflict_members (
    conflict_id VARCHAR NOT NULL,
    fact_id     VARCHAR NOT NULL,
    rank        VARCHAR NOT NULL,          -- preferred | normal | deprecated
    PRIMARY KEY (conflict_id, fact_id)
);

-- Reviewer decisions; append-only, the latest per conflict is current.
CREATE TABLE resolution_rows (
    resolution_id VARCHAR PRIMARY KEY,
    conflict_id   VARCHAR NOT NULL,
    action        VARCHAR NOT NULL,        -- accept | value | dismiss
    fact_id       VARCHAR,                 -- accepted fact (action = accept)
    value         DOUBLE,                  -- accepted value (accept or value)
    unit          VARCHAR,
    note          VARCHAR,
    decided_by    VARCHAR,
    decided_at    TIMESTAMP NOT NULL,
    known_fact_ids VARCHAR[]               -- facts the reviewer saw; later ones may reopen
);
