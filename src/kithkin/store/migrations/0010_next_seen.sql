-- Future interactions (a meeting next week, a series' later occurrences) are not contact: a person's
-- interaction count, first and last seen count only what already happened, and the earliest interaction
-- still ahead is kept apart as next_seen. When the clock passes next_seen the figures are recounted
-- (people.roll_figures_forward, run with every strength update).
ALTER TABLE people ADD COLUMN next_seen TEXT;
CREATE INDEX idx_people_next_seen ON people(next_seen) WHERE next_seen IS NOT NULL;
-- People whose stored figures reach into the future are marked due now: the first strength update
-- (every `kithkin serve` starts with one) recounts them.
UPDATE people SET next_seen = first_seen
    WHERE last_seen > strftime('%Y-%m-%dT%H:%M:%SZ', 'now') OR first_seen > strftime('%Y-%m-%dT%H:%M:%SZ', 'now');
