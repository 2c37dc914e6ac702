-- Data test (dbt style): every row this query returns is a failure.
-- not null: the columns the views promise are always filled.
SELECT 'facts.fact_id' AS failure, fact_id::VARCHAR AS row_id FROM facts WHERE fact_id IS NULL
UNION ALL
SELECT 'facts.article_id' AS failure, fact_id::VARCHAR AS row_id FROM facts WHERE article_id IS NULL
UNION ALL
SELECT 'facts.subject' AS failure, fact_id::VARCHAR AS row_id FROM facts WHERE subject IS NULL
UNION ALL
SELECT 'facts.metric' AS failure, fact_id::VARCHAR AS row_id FROM facts WHERE metric IS NULL
UNION ALL
SELECT 'facts.value' AS failure, fact_id::VARCHAR AS row_id FROM facts WHERE value IS NULL
UNION ALL
SELECT 'facts.unit' AS failure, fact_id::VARCHAR AS row_id FROM facts WHERE unit IS NULL
UNION ALL
SELECT 'facts.qualifier' AS failure, fact_id::VARCHAR AS row_id FROM facts WHERE qualifier IS NULL
UNION ALL
SELECT 'facts.sentence' AS failure, fact_id::VARCHAR AS row_id FROM facts WHERE sentence IS NULL
UNION ALL
SELECT 'facts.key_id' AS failure, fact_id::VARCHAR AS row_id FROM facts WHERE key_id IS NULL
UNION ALL
SELECT 'facts.rank' AS failure, fact_id::VARCHAR AS row_id FROM facts WHERE rank IS NULL
UNION ALL
SELECT 'facts.url' AS failure, fact_id::VARCHAR AS row_id FROM facts WHERE url IS NULL
UNION ALL
SELECT 'articles.article_id' AS failure, article_id::VARCHAR AS row_id FROM articles WHERE article_id IS NULL
UNION ALL
SELECT 'articles.url' AS failure, article_id::VARCHAR AS row_id FROM articles WHERE url IS NULL
UNION ALL
SELECT 'articles.canonical_url' AS failure, article_id::VARCHAR AS row_id FROM articles WHERE canonical_url IS NULL
UNION ALL
SELECT 'articles.story_id' AS failure, article_id::VARCHAR AS row_id FROM articles WHERE story_id IS NULL
UNION ALL
SELECT 'articles.content_hash' AS failure, article_id::VARCHAR AS row_id FROM articles WHERE content_hash IS NULL
UNION ALL
SELECT 'articles.snippet_only' AS failure, article_id::VARCHAR AS row_id FROM articles WHERE snippet_only IS NULL
UNION ALL
SELECT 'articles.text' AS failure, article_id::VARCHAR AS row_id FROM articles WHERE text IS NULL
UNION ALL
SELECT 'conflicts.conflict_id' AS failure, conflict_id::VARCHAR AS row_id FROM conflicts WHERE conflict_id IS NULL
UNION ALL
SELECT 'conflicts.subject' AS failure, conflict_id::VARCHAR AS row_id FROM conflicts WHERE subject IS NULL
UNION ALL
SELECT 'conflicts.metric' AS failure, conflict_id::VARCHAR AS row_id FROM conflicts WHERE metric IS NULL
UNION ALL
SELECT 'conflicts.unit' AS failure, conflict_id::VARCHAR AS row_id FROM conflicts WHERE unit IS NULL
UNION ALL
SELECT 'conflicts.status' AS failure, conflict_id::VARCHAR AS row_id FROM conflicts WHERE status IS NULL
UNION ALL
SELECT 'conflicts.fact_ids' AS failure, conflict_id::VARCHAR AS row_id FROM conflicts WHERE fact_ids IS NULL
UNION ALL
SELECT 'stories.story_id' AS failure, story_id::VARCHAR AS row_id FROM stories WHERE story_id IS NULL
UNION ALL
SELECT 'stories.n_articles' AS failure, story_id::VARCHAR AS row_id FROM stories WHERE n_articles IS NULL;
