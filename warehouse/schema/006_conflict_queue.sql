-- 006_conflict_queue: conflict detection works on the keys whose facts changed, not on the whole
-- warehouse. Loading facts (and moving articles between stories, which changes how many
-- independent sources a key has) queues the keys it touched, in the same transaction; the next
-- detection re-evaluates exactly those keys and empties the queue (machinery, like http_cache).
CREATE TABLE conflict_queue (
    key_id VARCHAR PRIMARY KEY               -- a fact key (= conflict_id) to re-evaluate
);

-- The rules every conflict row was evaluated with (a fingerprint of warehouse/rules.py,
-- conflicts.py and their data). When the code's rules differ, the next detection re-evaluates
-- every key; empty until the first detection, so a warehouse from before this migration gets
-- one full pass.
CREATE TABLE conflict_rules (
    fingerprint VARCHAR NOT NULL,
    evaluated_at TIMESTAMP NOT NULL
);
