-- UNIQUE(person_a_id, person_b_id) already indexes person_a_id first: its own index only doubled the
-- page writes of every relationship a decision or an import inserts or deletes.
DROP INDEX IF EXISTS idx_relationships_person_a;
