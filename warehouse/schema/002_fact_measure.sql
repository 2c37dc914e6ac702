-- What kind of measure a money figure is, so that conflicts compare like with like:
-- total (cumulative), increment (a tranche, a round, one deal), rate (annual, run-rate) or
-- period (for a stated period ending at as_of). NULL where the extractor cannot tell.
-- An ENUM, because DuckDB cannot add a column with a CHECK constraint: the database refuses
-- any other value all the same.
CREATE TYPE measure_kind AS ENUM ('total', 'increment', 'rate', 'period');
ALTER TABLE fact_rows ADD COLUMN measure measure_kind;
