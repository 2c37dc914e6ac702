-- Macros of the warehouse, written once. A writer stores them with the views (views.sql uses
-- them); a reader creates them in its own session (warehouse.db.open_reader), so that they work
-- on a warehouse written before they existed.

-- The statuses of a conflict that still needs a reviewer's decision: views, reports and
-- `newsfacts review` ask needs_review(status) (warehouse.conflicts.NEEDS_REVIEW is the same pair
-- for Python; a test holds them equal).
CREATE OR REPLACE MACRO needs_review(status) AS status IN ('open', 'reopened');

-- The last day an as_of can mean: '2025' → 2025-12-31, '2025-03' → 2025-03-31, a date or a
-- timestamp → its day; NULL when it is none of these. "Most recent" orders by it, as
-- warehouse.rules.as_of_interval does for Python (a test holds them equal): as text, '2025' would
-- sort before '2025-03-31'.
CREATE OR REPLACE MACRO as_of_end(as_of) AS CASE
    WHEN regexp_matches(trim(as_of), '^\d{4}-\d{2}-\d{2}') THEN try_cast(left(trim(as_of), 10) AS DATE)
    WHEN regexp_matches(trim(as_of), '^\d{4}-\d{2}') THEN last_day(try_cast(left(trim(as_of), 7) || '-01' AS DATE))
    WHEN regexp_matches(trim(as_of), '^\d{4}') THEN try_cast(left(trim(as_of), 4) || '-12-31' AS DATE)
END;
