-- Data test (dbt style): every row this query returns is a failure.
-- unique: one row per id in each view (a join must not multiply rows).
SELECT 'facts.fact_id repeated' AS failure, fact_id AS row_id FROM facts GROUP BY fact_id HAVING count(*) > 1
UNION ALL
SELECT 'articles.article_id repeated', article_id FROM articles GROUP BY article_id HAVING count(*) > 1
UNION ALL
SELECT 'conflicts.conflict_id repeated', conflict_id FROM conflicts GROUP BY conflict_id HAVING count(*) > 1
UNION ALL
SELECT 'stories.story_id repeated', story_id FROM stories GROUP BY story_id HAVING count(*) > 1;
