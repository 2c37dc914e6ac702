-- Closed vocabularies checked by the database: a fact's metric, unit and qualifier and a
-- conflict's status become ENUM types (DuckDB cannot add a CHECK constraint to an existing
-- table; converting a column's type keeps its data and refuses any value not listed).
-- The lists are the extractor's (extractors/facts: the metric registry, data/metrics.jsonl;
-- its UNITS; model.QUALIFIERS) and the conflict life cycle (warehouse/conflicts.py); a test
-- holds them equal. A new metric therefore needs a migration that widens metric_name.
CREATE TYPE metric_name AS ENUM ('funding_round', 'valuation', 'revenue', 'investment', 'spend',
                                 'infrastructure', 'compute_deal', 'power', 'chips', 'equity_stake');
CREATE TYPE unit_name AS ENUM ('USD', 'W', 'count', 'percent');
CREATE TYPE qualifier_kind AS ENUM ('exact', 'approx', 'up_to', 'at_least', 'more_than', 'range');
CREATE TYPE conflict_status AS ENUM ('open', 'reopened', 'resolved', 'dismissed', 'cleared');

ALTER TABLE fact_rows ALTER COLUMN metric TYPE metric_name;
ALTER TABLE fact_rows ALTER COLUMN unit TYPE unit_name;
ALTER TABLE fact_rows ALTER COLUMN qualifier TYPE qualifier_kind;
ALTER TABLE conflict_rows ALTER COLUMN metric TYPE metric_name;
ALTER TABLE conflict_rows ALTER COLUMN unit TYPE unit_name;
ALTER TABLE conflict_rows ALTER COLUMN status TYPE conflict_status;
