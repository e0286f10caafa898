-- Kithkin schema v1. Timestamps are UTC ISO-8601 text ("2024-01-02T03:04:05Z") everywhere.
-- JSON arrays are stored as text in the columns the seed's people_entities.json had.

CREATE TABLE people (
    id TEXT PRIMARY KEY,
    canonical_name TEXT NOT NULL,
    name_locked INTEGER NOT NULL DEFAULT 0,          -- the user chose the name: keep it
    emails TEXT NOT NULL DEFAULT '[]',
    phone_numbers TEXT NOT NULL DEFAULT '[]',
    company TEXT,
    position TEXT,
    linkedin_url TEXT,
    avatar TEXT,                                      -- data: URI from a contact card
    category TEXT NOT NULL DEFAULT 'unknown',
    category_locked INTEGER NOT NULL DEFAULT 0,
    vault_contexts TEXT NOT NULL DEFAULT '[]',
    tags TEXT NOT NULL DEFAULT '[]',
    notes TEXT NOT NULL DEFAULT '',
    relationship_strength REAL NOT NULL DEFAULT 0,
    sources TEXT NOT NULL DEFAULT '[]',
    source_entity_count INTEGER NOT NULL DEFAULT 0,
    interaction_count INTEGER NOT NULL DEFAULT 0,
    interactions_90d INTEGER NOT NULL DEFAULT 0,
    first_seen TEXT,
    last_seen TEXT,
    merged_into TEXT REFERENCES people(id),           -- a merged-away person stays for undo
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX idx_people_name ON people(canonical_name COLLATE NOCASE);
CREATE INDEX idx_people_strength ON people(relationship_strength DESC);
CREATE INDEX idx_people_last_seen ON people(last_seen DESC);
CREATE INDEX idx_people_category ON people(category);

CREATE TABLE source_entities (
    id TEXT PRIMARY KEY,
    source_type TEXT NOT NULL,
    source_id TEXT,
    observed_name TEXT,
    observed_email TEXT,
    observed_phone TEXT,
    metadata TEXT,
    canonical_person_id TEXT REFERENCES people(id),
    link_confidence REAL DEFAULT 0.0,
    link_status TEXT DEFAULT 'auto',                  -- auto, confirmed, pending, rejected, owner
    linked_at TIMESTAMP,
    linked_by TEXT,
    observed_at TIMESTAMP NOT NULL,
    created_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP,
    updated_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP,
    account TEXT,
    name_key TEXT,                                    -- folded surname + first initial, for blocking
    UNIQUE(source_type, source_id)
);
CREATE INDEX idx_source_entities_canonical ON source_entities(canonical_person_id);
CREATE INDEX idx_source_entities_email ON source_entities(observed_email);
CREATE INDEX idx_source_entities_phone ON source_entities(observed_phone);
CREATE INDEX idx_source_entities_name ON source_entities(observed_name);
CREATE INDEX idx_source_entities_type ON source_entities(source_type);
CREATE INDEX idx_source_entities_name_key ON source_entities(name_key);

-- Every normalised email and phone of an entity (a contact card has several): the blocking index.
CREATE TABLE entity_identifiers (
    kind TEXT NOT NULL,                               -- email | phone
    value TEXT NOT NULL,                              -- normalised (E.164, folded email)
    source_entity_id TEXT NOT NULL REFERENCES source_entities(id) ON DELETE CASCADE,
    PRIMARY KEY (kind, value, source_entity_id)
) WITHOUT ROWID;
CREATE INDEX idx_entity_identifiers_entity ON entity_identifiers(source_entity_id);

CREATE TABLE pending_links (
    id TEXT PRIMARY KEY,
    source_entity_id TEXT NOT NULL,
    previous_canonical_id TEXT,
    proposed_canonical_id TEXT NOT NULL,
    reason TEXT,
    confidence REAL,
    status TEXT DEFAULT 'pending',
    resolved_at TIMESTAMP,
    resolved_by TEXT,
    created_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP,
    alternatives TEXT NOT NULL DEFAULT '[]',          -- JSON [{person_id, confidence, reason}]
    evidence TEXT NOT NULL DEFAULT '{}'               -- JSON: what matched and what conflicted
);
CREATE INDEX idx_pending_links_status ON pending_links(status);
CREATE INDEX idx_pending_links_canonical ON pending_links(proposed_canonical_id);
CREATE INDEX idx_pending_links_entity ON pending_links(source_entity_id);

CREATE TABLE relationships (
    id TEXT PRIMARY KEY,
    person_a_id TEXT NOT NULL,
    person_b_id TEXT NOT NULL,
    relationship_type TEXT,
    shared_contexts TEXT,
    shared_events_count INTEGER DEFAULT 0,
    shared_threads_count INTEGER DEFAULT 0,
    first_seen_together TIMESTAMP,
    last_seen_together TIMESTAMP,
    user_notes TEXT,
    user_confirmed BOOLEAN DEFAULT FALSE,
    created_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP,
    updated_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP,
    overlap_score REAL NOT NULL DEFAULT 0,
    UNIQUE(person_a_id, person_b_id)
);
CREATE INDEX idx_relationships_person_a ON relationships(person_a_id);
CREATE INDEX idx_relationships_person_b ON relationships(person_b_id);

-- id is deterministic (store/ids.py: time in the high bits, a hash of the source id below): a re-import
-- is a no-op, participants are written without reading ids back, and rows append in time order.
-- Meetings and notes can move in time, so they are also unique by source id (a partial index that
-- messages, emails and calls, which never move, do not pay for).
CREATE TABLE interactions (
    id INTEGER PRIMARY KEY,
    source_type TEXT NOT NULL,
    source_id TEXT NOT NULL,
    account TEXT,
    kind TEXT NOT NULL,
    occurred_at TEXT NOT NULL,
    direction TEXT,
    thread_id TEXT,
    context TEXT,
    title TEXT,
    snippet TEXT,
    participant_count INTEGER NOT NULL DEFAULT 0,
    metadata TEXT
);
CREATE UNIQUE INDEX idx_interactions_movable ON interactions(source_type, source_id)
    WHERE kind IN ('meeting', 'note');
CREATE INDEX idx_interactions_kind_time ON interactions(kind, occurred_at) WHERE kind = 'meeting';

-- No foreign keys here: checking two of them per row halved bulk-load speed; the store writes the
-- entities and the interaction in the same transaction before their participants.
CREATE TABLE interaction_participants (
    source_entity_id TEXT NOT NULL,
    interaction_id INTEGER NOT NULL,
    role TEXT NOT NULL DEFAULT 'participant',
    PRIMARY KEY (source_entity_id, interaction_id)
) WITHOUT ROWID;
CREATE INDEX idx_participants_interaction ON interaction_participants(interaction_id);

-- The audit log of every user decision (and system merges): enough to undo each one.
CREATE TABLE link_decisions (
    id INTEGER PRIMARY KEY,
    action TEXT NOT NULL,                             -- confirm, reject, reject_new, merge, split, unlink, undo
    source_entity_id TEXT,
    person_id TEXT,
    previous_person_id TEXT,
    other_person_id TEXT,
    pending_link_id TEXT,
    payload TEXT NOT NULL DEFAULT '{}',
    decided_by TEXT NOT NULL DEFAULT 'user',
    decided_at TEXT NOT NULL,
    undone_at TEXT
);
CREATE INDEX idx_link_decisions_entity ON link_decisions(source_entity_id);

-- A rejected (entity, person) pair is never proposed again.
CREATE TABLE link_rejections (
    source_entity_id TEXT NOT NULL,
    person_id TEXT NOT NULL,
    rejected_at TEXT NOT NULL,
    PRIMARY KEY (source_entity_id, person_id)
) WITHOUT ROWID;

CREATE TABLE sync_state (
    source_type TEXT NOT NULL,
    account TEXT NOT NULL DEFAULT '',
    cursor TEXT,
    last_sync_at TEXT,
    last_status TEXT,
    last_error TEXT,
    items INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (source_type, account)
);

CREATE VIRTUAL TABLE people_fts USING fts5(
    person_id UNINDEXED, names, emails, phones, company,
    tokenize = "unicode61 remove_diacritics 2",
    prefix = '2 3'
);
