-- Relationships count only what has happened: a meeting next week is no time spent together yet. The
-- store remembers up to when shared interactions are counted; every import and server start moves the mark
-- to now and counts what the clock passed (insight/relationships.count_what_has_happened).
CREATE TABLE clock_marks (
    name TEXT PRIMARY KEY,
    at TEXT NOT NULL
);
-- A database whose relationships already counted interactions still ahead gets a mark past them all: the
-- first count after this migration rebuilds its relationships once.
INSERT INTO clock_marks (name, at) VALUES (
    'relationships_counted_until',
    CASE WHEN EXISTS (SELECT 1 FROM shared_interactions s JOIN interactions i ON i.id = s.interaction_id
                      WHERE i.occurred_at > strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))
         THEN '9999-12-31T23:59:59Z'
         ELSE strftime('%Y-%m-%dT%H:%M:%SZ', 'now') END
);
