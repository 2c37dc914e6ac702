-- Data test (dbt style): every row this query returns is a failure.
-- relationships: every id a view names exists where it points.
SELECT 'facts.article_id not in articles' AS failure, f.fact_id AS row_id
FROM fact_rows f ANTI JOIN articles a USING (article_id)
UNION ALL
SELECT 'articles.story_id not in stories', a.article_id
FROM articles a ANTI JOIN stories s USING (story_id)
UNION ALL
SELECT 'articles.duplicate_of not in articles', a.article_id
FROM articles a WHERE a.duplicate_of IS NOT NULL
  AND a.duplicate_of NOT IN (SELECT article_id FROM articles)
UNION ALL
SELECT 'conflicts.fact_ids (under review) not in facts', c.conflict_id
FROM (SELECT conflict_id, unnest(fact_ids) AS fact_id FROM conflicts WHERE needs_review(status)) c
ANTI JOIN facts f USING (fact_id)
UNION ALL
SELECT 'conflict_members.conflict_id not in conflicts', m.fact_id
FROM conflict_members m ANTI JOIN conflicts c USING (conflict_id)
UNION ALL
SELECT 'resolutions.conflict_id not in conflicts', r.resolution_id
FROM resolutions r ANTI JOIN conflicts c USING (conflict_id);
