"""`kithkin migrate-lifeos` on a LifeOS store written in its real shapes, and its rollback."""

from __future__ import annotations

import json
import sqlite3

from typer.testing import CliRunner

from kithkin.cli import app
from kithkin.workspace import Workspace

runner = CliRunner()

LIFEOS_SCHEMA = """
CREATE TABLE interactions (
    id TEXT PRIMARY KEY, person_id TEXT NOT NULL, timestamp TIMESTAMP NOT NULL, source_type TEXT NOT NULL,
    title TEXT NOT NULL, snippet TEXT, source_link TEXT, source_id TEXT,
    created_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP, source_account TEXT, attendee_count INTEGER
);
CREATE UNIQUE INDEX idx_interactions_source_unique ON interactions(source_type, source_id);
"""


def write_lifeos(folder):
    people = [
        {
            "id": "0b6f3c1e-1111-4c1e-9a59-000000000001",
            "canonical_name": "Sarah Chen",
            "display_name": "Sarah Chen",
            "emails": ["sarah@movementlabs.xyz", "sarah.chen@gmail.com"],
            "company": "Movement Labs",
            "position": "Engineer",
            "linkedin_url": None,
            "category": "work",
            "vault_contexts": ["Work/ML/"],
            "sources": ["gmail", "calendar"],
            "first_seen": "2025-01-05T10:00:00+00:00",
            "last_seen": "2026-01-20T10:00:00+00:00",
            "meeting_count": 1,
            "email_count": 1,
            "mention_count": 0,
            "message_count": 0,
            "aliases": [],
            "phone_numbers": ["+14155550123"],
            "phone_primary": "+14155550123",
            "tags": ["ml"],
            "notes": "Leads the data team.",
            "source_entity_count": 2,
            "birthday": "03-14",
            "relationship_strength": 41.5,
        },
        {
            "id": "0b6f3c1e-1111-4c1e-9a59-000000000002",
            "canonical_name": "Mom",
            "emails": [],
            "category": "family",
            "sources": ["imessage"],
            "phone_numbers": ["(415) 555-0199"],
            "tags": [],
            "notes": "",
        },
    ]
    (folder / "people_entities.json").write_text(json.dumps(people))
    conn = sqlite3.connect(folder / "interactions.db")
    conn.executescript(LIFEOS_SCHEMA)
    rows = [
        (
            "i1",
            people[0]["id"],
            "2026-01-20T10:00:00+00:00",
            "gmail",
            "Re: roadmap",
            "See attached",
            "",
            "msg-1",
            "work",
            None,
        ),
        ("i2", people[0]["id"], "2026-01-18T15:00:00", "calendar", "Roadmap sync", None, "", "evt-1", "work", 3),
        (
            "i3",
            people[1]["id"],
            "2026-01-19T20:00:00+00:00",
            "imessage",
            "Message",
            "Call me",
            "",
            "imsg-1",
            None,
            None,
        ),
        ("i4", "ghost-person", "2026-01-19T20:00:00+00:00", "imessage", "Message", "?", "", "imsg-2", None, None),
    ]
    conn.executemany(
        "INSERT INTO interactions (id, person_id, timestamp, source_type, title, snippet, source_link, source_id,"
        " source_account, attendee_count) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        rows,
    )
    conn.commit()
    conn.close()
    return folder / "people_entities.json", folder / "interactions.db"


def test_migration_converts_people_and_interactions_and_rolls_back(home, tmp_path):
    people_file, interactions_db = write_lifeos(tmp_path)
    result = runner.invoke(
        app, ["migrate-lifeos", str(people_file), str(interactions_db), "--home", str(home), "--json"]
    )
    assert result.exit_code == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["before"] == {
        "people": 2,
        "interactions": 4,
        "interactions_by_source": {"gmail": 1, "calendar": 1, "imessage": 2},
    }
    assert report["after"]["people"] == 2
    assert report["after"]["interactions_added"] == 3
    assert report["after"]["orphan_interactions_skipped"] == 1

    with Workspace.open(home) as workspace:
        sarah = workspace.conn.execute(
            "SELECT * FROM people WHERE id = ?", ("0b6f3c1e-1111-4c1e-9a59-000000000001",)
        ).fetchone()
        assert sarah["canonical_name"] == "Sarah Chen"
        assert sarah["notes"] == "Leads the data team." and json.loads(sarah["tags"]) == ["ml"]
        assert json.loads(sarah["emails"]) == ["sarah@movementlabs.xyz", "sarahchen@gmail.com"]
        assert json.loads(sarah["sources"]) == ["calendar", "mail"]
        assert sarah["interaction_count"] == 2 and sarah["relationship_strength"] > 0
        mom = workspace.conn.execute(
            "SELECT phone_numbers, category FROM people WHERE canonical_name = 'Mom'"
        ).fetchone()
        assert (json.loads(mom[0]), mom[1]) == (["+14155550199"], "family")
        kinds = dict(workspace.conn.execute("SELECT source_type, kind FROM interactions").fetchall())
        assert kinds == {"mail": "email", "calendar": "meeting", "imessage": "message"}
    # The LifeOS files were copied aside untouched.
    (copy,) = (home / "backups").glob("lifeos-*")
    assert json.loads((copy / "people_entities.json").read_text()) == json.loads(people_file.read_text())

    undone = runner.invoke(app, ["migrate-lifeos", "--rollback", "--home", str(home), "--json"])
    assert undone.exit_code == 0, undone.stderr
    with Workspace.open(home) as workspace:
        assert workspace.conn.execute("SELECT COUNT(*) FROM people").fetchone()[0] == 0
        assert workspace.conn.execute("SELECT COUNT(*) FROM interactions").fetchone()[0] == 0


def test_a_wrong_file_is_refused_and_nothing_changes(home, tmp_path):
    people_file, interactions_db = write_lifeos(tmp_path)
    people_file.write_text('{"not": "people"}')
    result = runner.invoke(app, ["migrate-lifeos", str(people_file), str(interactions_db), "--home", str(home)])
    assert result.exit_code == 1
    assert "is not a LifeOS people_entities.json" in result.stderr
    assert runner.invoke(app, ["migrate-lifeos", "--rollback", "--home", str(home)]).exit_code == 1
