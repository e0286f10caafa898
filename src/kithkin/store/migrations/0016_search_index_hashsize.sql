-- The search index (0012) buffers up to 64 MB of a transaction's words in memory before writing them out,
-- instead of FTS5's 1 MB: a bulk load then writes one segment per transaction rather than one per megabyte
-- merged again and again. Measured on bench/search.py's home (200,000 interactions): rebuilding the index
-- ~1.3-1.9 -> ~1.0-1.1 s CPU, 6 segments -> 1, and a lookup of one interaction in it ~25 -> ~10-15 us
-- (every segment is searched on each lookup). Imports, a transaction per batch, cost the same either way.
-- The buffer is only as large as the words a transaction adds (import peak memory unchanged, 139 MB).
INSERT INTO conversation_fts (conversation_fts, rank) VALUES ('hashsize', 67108864);
-- A home indexed before this keeps its segments until merged: merge them once now.
INSERT INTO conversation_fts (conversation_fts) VALUES ('optimize');
