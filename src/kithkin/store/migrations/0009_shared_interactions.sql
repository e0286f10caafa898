-- The interactions with two participants or more besides the owner: the only ones relationships are
-- inferred from. A decision on a person re-reads their relationships from these alone, not from every
-- one-to-one message they exchanged with the owner (merging two of the API bench's busiest people read
-- 13,800 interactions to use the 5,500 that were shared).
CREATE TABLE shared_interactions (interaction_id INTEGER PRIMARY KEY);
INSERT INTO shared_interactions (interaction_id)
    SELECT ip.interaction_id FROM interaction_participants ip JOIN source_entities se ON se.id = ip.source_entity_id
    WHERE COALESCE(se.link_status, '') != 'owner'
    GROUP BY ip.interaction_id HAVING COUNT(*) >= 2;
-- The owner's few entities, which every import asks for to tell what is shared.
CREATE INDEX idx_source_entities_owner ON source_entities(id) WHERE link_status = 'owner';
