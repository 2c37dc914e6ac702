-- Data test (dbt style): every row this query returns is a failure.
-- names: a subject or counterparty is a name as the article writes it, never an ordinary word
-- or a description lower-cased into a pseudo-name ("the chipmaker", "apple"). A name with a
-- capital anywhere ("xAI", "eBay") is a name.
SELECT 'facts.subject lower case: ' || subject AS failure, fact_id AS row_id FROM facts
WHERE subject = lower(subject) AND regexp_matches(subject, '[a-z]')
UNION ALL
SELECT 'facts.counterparty lower case: ' || counterparty, fact_id FROM facts
WHERE counterparty = lower(counterparty) AND regexp_matches(counterparty, '[a-z]')
UNION ALL
SELECT 'facts.counterparty is the subject: ' || subject, fact_id FROM facts
WHERE counterparty = subject;
