-- What relationship inference needs to stay exact when updated batch by batch:
-- the threads a pair shares (a count of distinct threads is not additive), the raw weight behind the
-- overlap score, and the user's own word on a relationship, which recomputation never overrides.
CREATE TABLE relationship_threads (
    person_a_id TEXT NOT NULL,
    person_b_id TEXT NOT NULL,
    thread_key TEXT NOT NULL,
    PRIMARY KEY (person_a_id, person_b_id, thread_key)
) WITHOUT ROWID;
ALTER TABLE relationships ADD COLUMN weight REAL NOT NULL DEFAULT 0;
ALTER TABLE relationships ADD COLUMN user_type TEXT;
ALTER TABLE relationships ADD COLUMN user_deleted INTEGER NOT NULL DEFAULT 0;
