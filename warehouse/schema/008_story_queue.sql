-- 008_story_queue: story grouping files only the articles loading wrote since it last ran, not
-- every stored article. Loading articles (new, updated, or seen again with new small fields)
-- queues them in the same transaction; story grouping computes the keys of those whose keys are
-- missing or out of date (story_keyed's fingerprint) and empties the queue (machinery, like
-- conflict_queue). A warehouse from before this migration queues every article once.
CREATE TABLE story_queue (
    article_id VARCHAR PRIMARY KEY
);

INSERT INTO story_queue SELECT article_id FROM article_rows WHERE duplicate_of IS NULL;
