-- Data test (dbt style): every row this query returns is a failure.
-- accepted values: the closed vocabularies the views expose that no ENUM type checks.
SELECT 'facts.rank = ' || rank AS failure, fact_id AS row_id FROM facts
WHERE rank NOT IN ('preferred', 'normal', 'deprecated')
UNION ALL
SELECT 'resolutions.action = ' || action, resolution_id FROM resolutions
WHERE action NOT IN ('accept', 'value', 'dismiss')
UNION ALL
SELECT 'current_figures.status = ' || status, key_id FROM current_figures
WHERE status NOT IN ('accepted', 'contested', 'uncontested')
UNION ALL
SELECT 'facts.confidence = ' || confidence, fact_id FROM facts
WHERE confidence NOT BETWEEN 0 AND 1
UNION ALL
SELECT 'facts.value_max below value', fact_id FROM facts
WHERE value_max IS NOT NULL AND value_max < value;
