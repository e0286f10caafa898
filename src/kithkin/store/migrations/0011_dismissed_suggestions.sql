-- People the user said not to suggest again ("people you may know"): discovery leaves them out for good.
CREATE TABLE dismissed_suggestions (
    person_id TEXT PRIMARY KEY,
    dismissed_at TEXT NOT NULL
) WITHOUT ROWID;
