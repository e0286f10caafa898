-- People whose derived figures (strength, then the strongest people's quick facts) an import has not
-- recomputed yet. Each batch adds its people in its own transaction; the import's last step recomputes
-- and empties the table in one transaction. Rows left behind by a killed import are recomputed by the
-- next import or at `kithkin serve` start (measured before: 9 of 26 kill-and-resume trials kept stale
-- strengths, one had 35 quick facts missing and 287 extra).
CREATE TABLE derived_dirty (person_id TEXT PRIMARY KEY) WITHOUT ROWID;
