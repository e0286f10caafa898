-- The search index (0012) also holds who took part and the source, so a search kept to one person or one
-- source is one FTS5 query that skips through the word's matches by their rowids, instead of reading them
-- all and testing each against the person's interactions or the source's rows. Measured on
-- bench/search.py's home (200,000 interactions): a word in most conversations kept to a person with ~1 %
-- of them ~10 -> ~0.5 ms in SQLite.
-- `who` is the source entities that took part (their id without its 'se_'), never the person: entities
-- are never rewritten, while the person they belong to changes with merges, splits and undo, which so
-- never touch the index; a person filter asks for any of the person's entities at query time.
-- `source` is the interaction's source type, which never changes either. Both are written after U+E000, a
-- private-use character the tokenizer keeps in a word but that no word searched for holds (fulltext.py
-- keeps \w only): no entity id or source name is ever found as a word, nor by a prefix, without a column
-- filter on every query (which cost a phrase ~15 % more), and they sort after every word of the index.
-- What it costs: indexing a 116,000-message iMessage import ~0.3 -> ~0.5 s CPU (about 2 more words a
-- message); rebuilding from this view, which reads each row's participants, ~1.5 -> ~2.3 s for 200,000.
DROP TABLE conversation_fts;
DROP VIEW interaction_search_text;
CREATE VIEW interaction_search_text AS
    SELECT i.id AS id, i.title AS title, COALESCE(t.body, i.snippet) AS body,
        (SELECT group_concat(char(57344) || substr(ip.source_entity_id, 4), ' ') FROM interaction_participants ip
         WHERE ip.interaction_id = i.id) AS who,
        char(57344) || i.source_type AS source
    FROM interactions i LEFT JOIN interaction_texts t ON t.interaction_id = i.id;
CREATE VIRTUAL TABLE conversation_fts USING fts5(
    title, body, who, source,
    content = 'interaction_search_text', content_rowid = 'id',
    tokenize = "unicode61 remove_diacritics 2"
);
INSERT INTO conversation_fts (conversation_fts, rank) VALUES ('hashsize', 67108864);
INSERT INTO conversation_fts (conversation_fts) VALUES ('rebuild');
