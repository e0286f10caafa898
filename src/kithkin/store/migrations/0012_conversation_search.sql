-- Search over what was said and written (store/fulltext.py). The index holds no copy of the text: its
-- content is this view over interactions (title; the kept text, else the snippet), so a message's words are
-- stored once. Rows are keyed by interaction id and carry no person: who took part is read through
-- interaction_participants at query time, so merges, splits and undo never touch the index.
-- The longer text some interactions keep for search alone (a note whole, a mail's opening), beyond the
-- snippet the timeline shows.
CREATE TABLE interaction_texts (
    interaction_id INTEGER PRIMARY KEY,
    body TEXT NOT NULL
);
CREATE VIEW interaction_search_text AS
    SELECT i.id AS id, i.title AS title, COALESCE(t.body, i.snippet) AS body
    FROM interactions i LEFT JOIN interaction_texts t ON t.interaction_id = i.id;
-- Filled in bulk by the store as it adds interactions, never by a trigger: a per-row trigger took a bulk
-- load from ~393k to ~45k rows/s (FIELD-NOTES). No prefix index: it cost a third more time per import
-- (0.38 -> 0.48 s for 120,000 messages) and queries name a prefix only when asked for (`lisb*`).
CREATE VIRTUAL TABLE conversation_fts USING fts5(
    title, body,
    content = 'interaction_search_text', content_rowid = 'id',
    tokenize = "unicode61 remove_diacritics 2"
);
INSERT INTO conversation_fts (conversation_fts) VALUES ('rebuild');
