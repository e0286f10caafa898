-- The search index (0012) buffers up to 64 MB of a transaction's words in memory before writing them out,
-- instead of FTS5's 1 MB: a bulk load then writes one segment per transaction rather than one per megabyte
-- merged again and again. Measured with bench/search.py (200,000 interactions): rebuilding the index
-- 3.8 -> 1.6 s, 6 segments -> 1, and a lookup of one interaction in it ~40 -> ~15 us (every segment is
-- searched on each lookup). The buffer is only as large as the words a transaction adds.
INSERT INTO conversation_fts (conversation_fts, rank) VALUES ('hashsize', 67108864);
-- A home indexed before this keeps its segments until merged: merge them once now.
INSERT INTO conversation_fts (conversation_fts) VALUES ('optimize');
