-- Documented views for analysts. Re-created every time a writer opens the warehouse, so this
-- file is the single definition (no migration needed to change a view).

-- The macros these views use (needs_review, as_of_end) are in macros.sql, created first.

CREATE OR REPLACE VIEW articles AS
SELECT a.article_id, a.url, a.canonical_url, a.source, a.publisher, a.title, a.published_at,
       a.author, a.snippet_only, a.snippet_reason, a.story_id, a.duplicate_of, a.content_hash, a.related_urls,
       (SELECT count(*) FROM fact_rows f WHERE f.article_id = a.article_id) AS n_facts,
       a.first_seen_run, a.last_seen_run, a.text
FROM article_rows a;

COMMENT ON VIEW articles IS 'One row per article URL (canonicalised). raw_html is kept in article_rows only.';
COMMENT ON COLUMN articles.article_id IS 'Stable hash of the canonical URL';
COMMENT ON COLUMN articles.url IS 'URL as fetched';
COMMENT ON COLUMN articles.canonical_url IS 'Canonical URL (tracking parameters removed, rel=canonical)';
COMMENT ON COLUMN articles.source IS 'Configured source name (sources.toml) that found the article';
COMMENT ON COLUMN articles.publisher IS 'Publisher name as given by the feed or page';
COMMENT ON COLUMN articles.title IS 'Headline, from the page or else the feed';
COMMENT ON COLUMN articles.published_at IS 'Publication time, UTC';
COMMENT ON COLUMN articles.author IS 'Byline, when the page names one';
COMMENT ON COLUMN articles.content_hash IS 'sha256 of the text (case and whitespace normalised): a run skips pages whose hash is unchanged';
COMMENT ON COLUMN articles.snippet_only IS 'True when only the feed snippet was available (page not fetched)';
COMMENT ON COLUMN articles.snippet_reason IS 'Why only the snippet was kept (page refused, Google link not decoded, Google''s own page...)';
COMMENT ON COLUMN articles.story_id IS 'Story (group of syndicated or near-duplicate articles); see stories';
COMMENT ON COLUMN articles.duplicate_of IS 'article_id already holding identical content, if any';
COMMENT ON COLUMN articles.related_urls IS 'Other outlets'' links in the same Google News cluster';
COMMENT ON COLUMN articles.n_facts IS 'Number of facts extracted from this article';
COMMENT ON COLUMN articles.first_seen_run IS 'run_id of the run that first stored the article';
COMMENT ON COLUMN articles.last_seen_run IS 'run_id of the latest run that saw the article';
COMMENT ON COLUMN articles.text IS 'Main text, paragraphs separated by blank lines';

CREATE OR REPLACE VIEW stories AS
SELECT s.story_id, s.title, s.first_seen,
       count(a.article_id) AS n_articles,
       count(DISTINCT a.publisher) AS n_publishers,
       min(a.published_at) AS first_published_at,
       max(a.published_at) AS last_published_at,
       s.first_seen_run
FROM story_rows s LEFT JOIN article_rows a ON a.story_id = s.story_id
GROUP BY ALL;

COMMENT ON VIEW stories IS 'Groups of articles telling the same story (syndication, near-duplicates); one story counts as one source';
COMMENT ON COLUMN stories.story_id IS 'article_id of the earliest article of the story';
COMMENT ON COLUMN stories.title IS 'Title of the earliest article';
COMMENT ON COLUMN stories.first_seen IS 'When the warehouse first stored the story, UTC';
COMMENT ON COLUMN stories.n_articles IS 'Articles in the story';
COMMENT ON COLUMN stories.n_publishers IS 'Distinct publishers in the story';
COMMENT ON COLUMN stories.first_published_at IS 'Earliest publication time in the story';
COMMENT ON COLUMN stories.last_published_at IS 'Latest publication time in the story';
COMMENT ON COLUMN stories.first_seen_run IS 'run_id that created the story';

CREATE OR REPLACE VIEW facts AS
SELECT f.fact_id, f.article_id, f.subject, f.counterparty, f.metric, f.value, f.value_max,
       f.unit, f.qualifier, f.measure, f.chip_type, f.currency, f.amount, f.as_of, f.sentence,
       substr(a.text, f.span_start + 1, f.span_end - f.span_start) AS figure,
       f.span_start, f.span_end, f.confidence,
       a.url, a.publisher, a.source, a.published_at, a.story_id, a.title,
       f.key_id, coalesce(m.rank, 'normal') AS rank,
       f.extractor_version, f.extracted_at
FROM fact_rows f
JOIN article_rows a USING (article_id)
LEFT JOIN conflict_members m ON m.fact_id = f.fact_id AND m.conflict_id = f.key_id;

COMMENT ON VIEW facts IS 'Figures extracted from articles, with provenance';
COMMENT ON COLUMN facts.fact_id IS 'Stable hash of article, metric, subject, counterparty, unit, value and span';
COMMENT ON COLUMN facts.article_id IS 'Article the fact was read from';
COMMENT ON COLUMN facts.subject IS 'Who (e.g. Amazon)';
COMMENT ON COLUMN facts.counterparty IS 'With whom (e.g. Anthropic); NULL when none';
COMMENT ON COLUMN facts.metric IS 'investment | funding_round | valuation | compute_deal | infrastructure | revenue | spend | power | chips | equity_stake';
COMMENT ON COLUMN facts.value IS 'Normalised value: USD, watts, count, or percent 0-100; always a number (a figure with no USD value is no fact)';
COMMENT ON COLUMN facts.value_max IS 'Upper bound when qualifier = range';
COMMENT ON COLUMN facts.unit IS 'USD | W | count | percent';
COMMENT ON COLUMN facts.qualifier IS 'exact | approx | up_to | at_least | more_than | range';
COMMENT ON COLUMN facts.measure IS 'For money: total (cumulative) | increment (a tranche, a round, one deal) | rate (annual, run-rate) | period (for a stated period ending at as_of); NULL when not known';
COMMENT ON COLUMN facts.chip_type IS 'Chip model for metric = chips';
COMMENT ON COLUMN facts.currency IS 'Currency as written when not USD';
COMMENT ON COLUMN facts.amount IS 'Figure in that currency';
COMMENT ON COLUMN facts.as_of IS 'ISO date or year the figure refers to';
COMMENT ON COLUMN facts.sentence IS 'Sentence quoted verbatim';
COMMENT ON COLUMN facts.figure IS 'The figure as written (article text at the span)';
COMMENT ON COLUMN facts.span_start IS 'Character offset of the figure in the article text';
COMMENT ON COLUMN facts.span_end IS 'End offset (exclusive) of the figure in the article text';
COMMENT ON COLUMN facts.confidence IS 'Extractor confidence 0-1';
COMMENT ON COLUMN facts.url IS 'Article URL';
COMMENT ON COLUMN facts.publisher IS 'Article publisher';
COMMENT ON COLUMN facts.source IS 'Configured source that found the article';
COMMENT ON COLUMN facts.published_at IS 'Article publication time, UTC';
COMMENT ON COLUMN facts.story_id IS 'Story of the article (syndicated copies share it)';
COMMENT ON COLUMN facts.title IS 'Article title';
COMMENT ON COLUMN facts.key_id IS 'Hash of the comparison key (subject, counterparty, metric, unit, chip_type, and the measure kind with a period''s length when known); equals conflicts.conflict_id';
COMMENT ON COLUMN facts.rank IS 'preferred | normal | deprecated, after review of its conflict';
COMMENT ON COLUMN facts.extractor_version IS 'Extractor version that produced the fact';
COMMENT ON COLUMN facts.extracted_at IS 'When the fact was first extracted, UTC';

CREATE OR REPLACE VIEW resolutions AS
SELECT r.resolution_id, r.conflict_id, c.subject, c.counterparty, c.metric, c.unit,
       r.action, r.fact_id, r.value, r.note, r.decided_by, r.decided_at,
       row_number() OVER (PARTITION BY r.conflict_id ORDER BY r.decided_at DESC, r.resolution_id DESC) = 1 AS is_current,
       r.known_fact_ids
FROM resolution_rows r LEFT JOIN conflict_rows c USING (conflict_id);

COMMENT ON VIEW resolutions IS 'Reviewer decisions on conflicts; none deleted, the latest per conflict is current';
COMMENT ON COLUMN resolutions.resolution_id IS 'Decision id';
COMMENT ON COLUMN resolutions.conflict_id IS 'Conflict decided';
COMMENT ON COLUMN resolutions.subject IS 'Conflict key: subject';
COMMENT ON COLUMN resolutions.counterparty IS 'Conflict key: counterparty';
COMMENT ON COLUMN resolutions.metric IS 'Conflict key: metric';
COMMENT ON COLUMN resolutions.unit IS 'Conflict key: unit';
COMMENT ON COLUMN resolutions.action IS 'accept (a fact) | value (a value typed by the reviewer) | dismiss (not a real conflict)';
COMMENT ON COLUMN resolutions.fact_id IS 'Accepted fact, for action = accept';
COMMENT ON COLUMN resolutions.value IS 'Accepted value (kept even if the fact disappears)';
COMMENT ON COLUMN resolutions.note IS 'Reviewer note';
COMMENT ON COLUMN resolutions.decided_by IS 'Reviewer (defaults to $USER)';
COMMENT ON COLUMN resolutions.decided_at IS 'When, UTC';
COMMENT ON COLUMN resolutions.is_current IS 'True for the latest decision on the conflict';
COMMENT ON COLUMN resolutions.known_fact_ids IS 'Facts the reviewer saw; a later fact that disagrees reopens the conflict';

CREATE OR REPLACE VIEW conflicts AS
WITH current_resolution AS (
    SELECT * FROM resolutions WHERE is_current
)
SELECT c.conflict_id, c.subject, c.counterparty, c.metric, c.unit, c.chip_type,
       c.n_facts, c.min_value, c.max_value, c.fact_ids, c.status, c.class, c.severity,
       c.reason, c.n_sources,
       r.action AS resolution, r.value AS accepted_value, r.fact_id AS accepted_fact_id,
       r.note AS resolution_note, r.decided_by, r.decided_at,
       c.first_seen_run, c.last_seen_run, c.first_detected_at, c.status_changed_at
FROM conflict_rows c LEFT JOIN current_resolution r USING (conflict_id);

COMMENT ON VIEW conflicts IS 'Figures that disagree within one key (subject, counterparty, metric, unit, chip_type, measure kind)';
COMMENT ON COLUMN conflicts.conflict_id IS 'Stable hash of the key; the same across runs';
COMMENT ON COLUMN conflicts.subject IS 'Key: subject';
COMMENT ON COLUMN conflicts.counterparty IS 'Key: counterparty';
COMMENT ON COLUMN conflicts.metric IS 'Key: metric';
COMMENT ON COLUMN conflicts.unit IS 'Key: unit';
COMMENT ON COLUMN conflicts.chip_type IS 'Key: chip type (metric = chips only)';
COMMENT ON COLUMN conflicts.n_facts IS 'Facts with a value in the key';
COMMENT ON COLUMN conflicts.min_value IS 'Smallest value';
COMMENT ON COLUMN conflicts.max_value IS 'Largest value';
COMMENT ON COLUMN conflicts.fact_ids IS 'Facts in the key';
COMMENT ON COLUMN conflicts.status IS 'open | reopened (a contradiction to review) | noted (changed over time or parts: no review) | resolved | dismissed | cleared (no longer disagreeing)';
COMMENT ON COLUMN conflicts.class IS 'contradiction | changed_over_time | partial';
COMMENT ON COLUMN conflicts.severity IS 'Relative spread (max-min)/max times n_sources';
COMMENT ON COLUMN conflicts.reason IS 'Why the values disagree, in words';
COMMENT ON COLUMN conflicts.n_sources IS 'Independent sources: distinct stories (syndicated copies count once)';
COMMENT ON COLUMN conflicts.resolution IS 'Current decision: accept | value | dismiss, NULL if none';
COMMENT ON COLUMN conflicts.accepted_value IS 'Accepted value, if resolved';
COMMENT ON COLUMN conflicts.accepted_fact_id IS 'Accepted fact, if resolved by accepting one';
COMMENT ON COLUMN conflicts.resolution_note IS 'Reviewer note of the current decision';
COMMENT ON COLUMN conflicts.decided_by IS 'Reviewer of the current decision';
COMMENT ON COLUMN conflicts.decided_at IS 'Time of the current decision';
COMMENT ON COLUMN conflicts.first_seen_run IS 'Run that first detected the conflict';
COMMENT ON COLUMN conflicts.last_seen_run IS 'Latest run that evaluated its facts and found them disagreeing (a run evaluates only the keys whose facts changed)';
COMMENT ON COLUMN conflicts.first_detected_at IS 'When first detected, UTC';
COMMENT ON COLUMN conflicts.status_changed_at IS 'When the status last changed, UTC';

CREATE OR REPLACE VIEW current_figures AS
WITH candidates AS (
    SELECT f.*,
           row_number() OVER (
               PARTITION BY f.key_id
               ORDER BY (f.rank = 'preferred') DESC, (f.rank = 'deprecated') ASC,
                        as_of_end(f.as_of) DESC NULLS LAST, f.published_at DESC NULLS LAST, f.fact_id
           ) AS pos,
           count(*) OVER (PARTITION BY f.key_id) AS n_facts
    FROM facts f
    WHERE f.value IS NOT NULL
),
decided AS (
    SELECT k.*, c.status AS conflict_status, c.resolution, c.accepted_value,
           CASE WHEN c.status = 'resolved' AND c.resolution IN ('accept', 'value') THEN 'accepted'
                WHEN needs_review(c.status) THEN 'contested'
                ELSE 'uncontested' END AS figure_status
    FROM candidates k LEFT JOIN conflicts c ON c.conflict_id = k.key_id
    WHERE k.pos = 1
)
SELECT key_id, subject, counterparty, metric, unit, chip_type,
       figure_status AS status,
       CASE figure_status WHEN 'accepted' THEN accepted_value
                          WHEN 'contested' THEN NULL ELSE value END AS value,
       CASE WHEN figure_status = 'uncontested' THEN value_max END AS value_max,
       CASE WHEN figure_status = 'uncontested' THEN qualifier
            WHEN figure_status = 'accepted' THEN 'exact' END AS qualifier,
       -- provenance: the accepted fact, or the most recent fact
       CASE WHEN figure_status <> 'accepted' OR rank = 'preferred' THEN fact_id END AS fact_id,
       CASE WHEN figure_status <> 'accepted' OR rank = 'preferred' THEN as_of END AS as_of,
       CASE WHEN figure_status <> 'accepted' OR rank = 'preferred' THEN url END AS url,
       CASE WHEN figure_status <> 'accepted' OR rank = 'preferred' THEN sentence END AS sentence,
       CASE WHEN figure_status <> 'accepted' OR rank = 'preferred' THEN published_at END AS published_at,
       CASE WHEN conflict_status IS NOT NULL THEN key_id END AS conflict_id,
       n_facts
FROM decided;

COMMENT ON VIEW current_figures IS 'Best current figure per key: the accepted value where a reviewer accepted one, else the most recent value when no conflict is open (a series gives its latest point); keys with an open conflict have value NULL';
COMMENT ON COLUMN current_figures.key_id IS 'Key hash (= conflict_id when the key has a conflict)';
COMMENT ON COLUMN current_figures.subject IS 'Key: subject';
COMMENT ON COLUMN current_figures.counterparty IS 'Key: counterparty';
COMMENT ON COLUMN current_figures.metric IS 'Key: metric';
COMMENT ON COLUMN current_figures.unit IS 'Key: unit';
COMMENT ON COLUMN current_figures.chip_type IS 'Key: chip type';
COMMENT ON COLUMN current_figures.status IS 'accepted | uncontested | contested (open conflict: no figure)';
COMMENT ON COLUMN current_figures.value IS 'The figure (NULL when contested)';
COMMENT ON COLUMN current_figures.value_max IS 'Upper bound for a range';
COMMENT ON COLUMN current_figures.qualifier IS 'Qualifier of the figure';
COMMENT ON COLUMN current_figures.fact_id IS 'Provenance: the fact giving the figure (NULL for a typed-in value with no matching fact)';
COMMENT ON COLUMN current_figures.as_of IS 'As-of date of that fact';
COMMENT ON COLUMN current_figures.url IS 'Article URL of that fact';
COMMENT ON COLUMN current_figures.sentence IS 'Quoted sentence of that fact';
COMMENT ON COLUMN current_figures.published_at IS 'Publication time of that article';
COMMENT ON COLUMN current_figures.conflict_id IS 'Conflict of the key, if any';
COMMENT ON COLUMN current_figures.n_facts IS 'Facts with a value in the key';
