-- 004_google_links: what the Google News decoder learnt, so that no id is decoded twice, and
-- why an article is only a snippet.

-- One row per Google News article id the decoder tried (machinery, like http_cache). A run asks
-- Google only about ids not found here: never again about a resolved id, and about a failed
-- one (consent wall, 429, no signature) only once its last attempt is a day old.
CREATE TABLE link_cache (
    google_id      VARCHAR PRIMARY KEY,    -- the id in news.google.com/rss/articles/<id>
    publisher_url  VARCHAR,                -- NULL while not decoded
    reason         VARCHAR,                -- why the last attempt failed (NULL once decoded)
    attempts       INTEGER NOT NULL,
    tried_at       TIMESTAMP NOT NULL,     -- last attempt, UTC
    run_id         VARCHAR                 -- the run of the last attempt
);

-- Why only the feed's snippet was kept (page refused, link not decoded, Google's own page...).
ALTER TABLE article_rows ADD COLUMN snippet_reason VARCHAR;
