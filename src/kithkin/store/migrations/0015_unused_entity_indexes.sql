-- Nothing looks entities up by the address, number or name they were observed with: every lookup goes
-- through entity_identifiers (all of an entity's normalised addresses and numbers) or name_key. Each of
-- these indexes was one more B-tree written per entity stored.
DROP INDEX IF EXISTS idx_source_entities_email;
DROP INDEX IF EXISTS idx_source_entities_phone;
DROP INDEX IF EXISTS idx_source_entities_name;

-- A person's entities are read by the person far more often than any other way (every person an import
-- touches is refreshed from them): with the entity's id in the index, joining them to their identifiers
-- and proposals needs no visit to the entity rows.
DROP INDEX IF EXISTS idx_source_entities_canonical;
CREATE INDEX idx_source_entities_canonical ON source_entities(canonical_person_id, id);
