-- Quick facts about a person, each with where it came from (insight/facts.py); rebuilt per person.
CREATE TABLE facts (
    person_id TEXT NOT NULL,
    kind TEXT NOT NULL,            -- birthday, company, past_company, title, location, met, last_topic, family, interest
    value TEXT NOT NULL,
    source_type TEXT,
    source_ref TEXT,               -- the source entity or interaction it was read from
    observed_at TEXT,
    PRIMARY KEY (person_id, kind, value)
) WITHOUT ROWID;
