-- A conflict whose figures only changed over time or are parts of one another needs no
-- reviewer: its status is 'noted' (warehouse/conflicts.py, like with like). DuckDB cannot add a
-- value to an ENUM type, so the column goes through VARCHAR while the type is made anew.
ALTER TABLE conflict_rows ALTER COLUMN status TYPE VARCHAR;
DROP TYPE conflict_status;
CREATE TYPE conflict_status AS ENUM ('open', 'reopened', 'resolved', 'dismissed', 'cleared', 'noted');
ALTER TABLE conflict_rows ALTER COLUMN status TYPE conflict_status;
