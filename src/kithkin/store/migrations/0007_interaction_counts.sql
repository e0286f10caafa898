-- Counts of interactions by source and month kept as the store writes them: the dashboard and
-- /sources read a few hundred rows instead of grouping every interaction, and imports no longer
-- maintain the two indexes of 0004 (measured: ~15 % of the bulk insert rate).
DROP INDEX IF EXISTS idx_interactions_source;
DROP INDEX IF EXISTS idx_interactions_month;
CREATE TABLE interaction_counts (
    source_type TEXT NOT NULL,
    month TEXT NOT NULL,
    count INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (source_type, month)
) WITHOUT ROWID;
INSERT INTO interaction_counts (source_type, month, count)
    SELECT source_type, substr(occurred_at, 1, 7), COUNT(*) FROM interactions GROUP BY 1, 2;
