"""Numbered migrations: a fresh database, and an upgrade from the previous version keeping its data."""

from __future__ import annotations

import sqlite3

import pytest

from kithkin.models import KithkinError
from kithkin.store import db


def test_fresh_database_has_every_table_and_is_at_the_latest_version(tmp_path):
    conn = db.connect(tmp_path / "crm.db")
    tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    assert {
        "people",
        "source_entities",
        "pending_links",
        "relationships",
        "interactions",
        "interaction_participants",
        "link_decisions",
        "link_rejections",
        "sync_state",
        "people_fts",
        "entity_identifiers",
    } <= tables
    assert db.schema_version(conn) == db.available_migrations()[-1][0]
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert conn.execute("PRAGMA foreign_keys").fetchone()[0] == 1
    indexes = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'index'")}
    assert {
        "idx_source_entities_canonical",
        "idx_source_entities_type",
        "idx_pending_links_status",
        "idx_pending_links_canonical",
        "idx_relationships_person_b",
    } <= indexes
    # Nothing looks entities up by what they were observed with: those indexes only slowed every import.
    assert not {"idx_source_entities_email", "idx_source_entities_phone", "idx_source_entities_name"} & indexes
    # A person's entities join their identifiers from the index alone.
    plan = " ".join(
        r[-1]
        for r in conn.execute(
            """EXPLAIN QUERY PLAN SELECT ei.kind, ei.value FROM source_entities se
               JOIN entity_identifiers ei ON ei.source_entity_id = se.id WHERE se.canonical_person_id = 'p'"""
        )
    )
    assert "COVERING INDEX idx_source_entities_canonical" in plan, plan
    for side in ("person_a_id", "person_b_id"):  # each side of a relationship is found by an index
        query = f"EXPLAIN QUERY PLAN SELECT * FROM relationships WHERE {side} = 'p'"
        plan = " ".join(r[-1] for r in conn.execute(query))
        assert "USING INDEX" in plan, plan
    conn.close()


def test_upgrade_from_the_first_version_keeps_data(tmp_path):
    path = tmp_path / "crm.db"
    conn = sqlite3.connect(path, isolation_level=None)
    db.apply_migrations(conn, up_to=1)
    conn.execute("INSERT INTO people (id, canonical_name, created_at, updated_at) VALUES ('p1', 'Ana', 'x', 'x')")
    conn.execute(
        "INSERT INTO source_entities (id, source_type, source_id, observed_at, canonical_person_id)"
        " VALUES ('se1', 'mail', 'ana@x.org', '2024-01-01T00:00:00Z', 'p1')"
    )
    conn.close()
    upgraded = db.connect(path)
    assert db.schema_version(upgraded) == db.available_migrations()[-1][0]
    assert upgraded.execute("SELECT canonical_person_id FROM source_entities WHERE id = 'se1'").fetchone()[0] == "p1"
    assert db.pending_migrations(upgraded) == []
    upgraded.close()


def test_reopening_applies_nothing(tmp_path):
    db.connect(tmp_path / "crm.db").close()
    conn = db.connect(tmp_path / "crm.db")
    assert db.apply_migrations(conn) == []
    conn.close()


def test_a_file_that_is_not_a_database_is_refused_in_one_sentence(tmp_path):
    path = tmp_path / "crm.db"
    path.write_bytes(b"this is not sqlite at all" * 100)
    with pytest.raises(KithkinError, match=r"crm\.db is not a usable Kithkin database .*restore it from a backup"):
        db.connect(path)


def test_a_failed_migration_rolls_back_whole(tmp_path, monkeypatch):
    conn = db.connect(tmp_path / "crm.db")
    version = db.schema_version(conn)
    broken = [(version + 1, f"{version + 1:04d}_broken.sql", "CREATE TABLE half (x);\nTHIS IS NOT SQL;")]
    monkeypatch.setattr(db, "available_migrations", lambda: broken)
    with pytest.raises(sqlite3.OperationalError):
        db.apply_migrations(conn)
    assert db.schema_version(conn) == version
    assert conn.execute("SELECT name FROM sqlite_master WHERE name = 'half'").fetchone() is None
    conn.close()


def test_upgrade_marks_the_interactions_two_people_share(tmp_path):
    path = tmp_path / "crm.db"
    conn = sqlite3.connect(path, isolation_level=None)
    db.apply_migrations(conn, up_to=8)
    conn.executemany(
        "INSERT INTO source_entities (id, source_type, source_id, observed_at, link_status)"
        " VALUES (?, 'mail', ?, 'x', ?)",
        [("me", "me@x.org", "owner"), ("ana", "ana@x.org", "auto"), ("ben", "ben@x.org", "auto")],
    )
    conn.executemany(
        "INSERT INTO interactions (id, source_type, source_id, kind, occurred_at) VALUES (?, 'mail', ?, 'email', 'x')",
        [(1, "one-to-one"), (2, "group")],
    )
    conn.executemany(
        "INSERT INTO interaction_participants (source_entity_id, interaction_id) VALUES (?, ?)",
        [("me", 1), ("ana", 1), ("me", 2), ("ana", 2), ("ben", 2)],
    )
    conn.close()
    upgraded = db.connect(path)
    assert [row[0] for row in upgraded.execute("SELECT interaction_id FROM shared_interactions")] == [2]
    upgraded.close()
