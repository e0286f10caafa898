"""iMessage end to end: a real chat.db with Apple's schema through the importer, ingest and the store."""

from __future__ import annotations

import hashlib
import json
import sqlite3
from datetime import UTC, datetime
from pathlib import Path

import pytest
from typer.testing import CliRunner

from kithkin.cli import app
from kithkin.config import LiveSource, save_settings
from kithkin.demo.imessage import ChatDb, attributed_body
from kithkin.importers import sniff_source
from kithkin.importers.imessage import IMessageImporter, decode_attributed_body
from kithkin.ingest import import_paths
from kithkin.models import ImportFormatError, KithkinError
from kithkin.store import sources
from kithkin.sync import sync_source
from kithkin.workspace import Workspace

ALICE, BOB, CAROL = "+14155550111", "bob@example.com", "(415) 555-0133"


def when(day: int, hour: int = 12, minute: int = 0) -> datetime:
    return datetime(2024, 5, day, hour, minute, tzinfo=UTC)


def build(path: Path, *, seconds: bool = False) -> Path:
    """A 1:1 chat with Alice and a named group with Alice, Bob and Carol, plus rows that are not messages."""
    db = ChatDb(path, dates_in_seconds=seconds)
    alice = db.chat([ALICE])
    group = db.chat([ALICE, BOB, CAROL], display_name="Climbing Crew")
    first = db.message(alice, ALICE, when(1, 9), "Lunch tomorrow?")
    db.message(alice, None, when(1, 9, 5), "Yes! Noon at the usual place", body_only=True)
    db.message(alice, ALICE, when(1, 9, 6), "Loved “Yes!”", associated_type=2000, associated_guid=f"p:0/{first}")
    db.message(alice, ALICE, when(1, 9, 7), None, associated_type=3000, associated_guid=f"p:0/{first}")
    topo = (("topo.jpg", "image/jpeg", 2048),)
    db.message(group, BOB, when(2, 18), "Wall at 7? 🧗", body_only=True, attachments=topo)
    db.message(group, None, when(2, 18, 30), "In", service="SMS")
    db.message(group, CAROL, when(2, 19), None, item_type=2, group_action_type=0)  # "Carol named the conversation"
    db.message(group, None, when(2, 19, 1), None, item_type=1, group_action_type=1)  # a member left
    db.close()
    return path


def interactions(ws: Workspace) -> list[dict]:
    rows = ws.conn.execute(
        "SELECT source_id, occurred_at, direction, thread_id, context, snippet, participant_count, metadata"
        " FROM interactions WHERE source_type = 'imessage' ORDER BY occurred_at"
    )
    return [dict(row) for row in rows]


def roles(ws: Workspace, snippet: str) -> dict[str, str]:
    rows = ws.conn.execute(
        "SELECT e.source_id, p.role FROM interaction_participants p JOIN interactions i ON i.id = p.interaction_id"
        " JOIN source_entities e ON e.id = p.source_entity_id WHERE i.snippet = ?",
        (snippet,),
    )
    return {row[0]: row[1] for row in rows}


def test_attributed_body_is_decoded_from_a_genuine_typedstream() -> None:
    blob = attributed_body("Sorry, I can’t hear you 😎")
    assert blob.startswith(b"\x04\x0bstreamtyped\x81\xe8\x03\x84\x01@\x84\x84\x84\x12NSAttributedString\x00")
    assert decode_attributed_body(blob) == "Sorry, I can’t hear you 😎"
    for text in ("é" * 300, "y" * 70_000):  # lengths past one byte take the int16 and int32 forms
        assert decode_attributed_body(attributed_body(text, mutable=True)) == text
    # Another system version is not the layout the fast path knows: the full typedstream reader takes it.
    other_version = attributed_body("hello").replace(b"\x81\xe8\x03", b"\x81\xe9\x03", 1)
    assert decode_attributed_body(other_version) == "hello"
    assert decode_attributed_body(blob[:60]) is None  # cut short
    assert decode_attributed_body(b"\x04\x0bstreamtyped\x81\xe8\x03\x84\x01@\x84") is None
    assert decode_attributed_body(None) is None


def test_messages_directions_groups_and_text_from_attributed_body(tmp_path: Path, workspace: Workspace) -> None:
    path = build(tmp_path / "chat.db")
    summary = import_paths(workspace, "imessage", [path])

    assert (summary.interactions, summary.skipped, summary.errors) == (4, 0, [])
    assert summary.details == {
        "read": {"messages": 8},
        "imported": {"messages": 4},
        "left_out": {"tapbacks and reactions": 2, "system rows (renames, joins)": 2},
    }
    assert summary.source_entities == 3  # Alice, Bob and Carol: chat.db never names the owner
    assert summary.people_created == 3
    rows = interactions(workspace)
    assert [(r["occurred_at"], r["direction"], r["snippet"], r["participant_count"]) for r in rows] == [
        ("2024-05-01T09:00:00Z", "in", "Lunch tomorrow?", 1),
        ("2024-05-01T09:05:00Z", "out", "Yes! Noon at the usual place", 1),
        ("2024-05-02T18:00:00Z", "in", "Wall at 7? 🧗", 3),
        ("2024-05-02T18:30:00Z", "out", "In", 3),
    ]
    assert [r["context"] for r in rows] == [None, None, "Climbing Crew", "Climbing Crew"]
    assert rows[0]["thread_id"] == rows[1]["thread_id"] == f"any;-;{ALICE}"
    assert rows[2]["thread_id"] == rows[3]["thread_id"] != rows[0]["thread_id"]
    assert json.loads(rows[2]["metadata"]) == {
        "service": "iMessage",
        "attachments": [{"name": "topo.jpg", "mime_type": "image/jpeg", "bytes": 2048}],
    }
    assert json.loads(rows[3]["metadata"]) == {"service": "SMS"}
    assert roles(workspace, "Wall at 7? 🧗") == {BOB: "from", ALICE: "member", CAROL: "member"}
    assert roles(workspace, "In") == {ALICE: "member", BOB: "member", CAROL: "member"}
    assert roles(workspace, "Yes! Noon at the usual place") == {ALICE: "to"}
    assert roles(workspace, "Lunch tomorrow?") == {ALICE: "from"}
    phones = {r[0]: r[1] for r in workspace.conn.execute("SELECT source_id, observed_phone FROM source_entities")}
    assert phones[CAROL] == "+14155550133"


def test_dates_in_seconds_from_old_databases(tmp_path: Path, workspace: Workspace) -> None:
    path = build(tmp_path / "chat.db", seconds=True)
    raw = sqlite3.connect(path).execute("SELECT MIN(date) FROM message").fetchone()[0]
    assert raw == int((when(1, 9) - datetime(2001, 1, 1, tzinfo=UTC)).total_seconds())
    import_paths(workspace, "imessage", [path])
    assert [r["occurred_at"] for r in interactions(workspace)][:2] == ["2024-05-01T09:00:00Z", "2024-05-01T09:05:00Z"]


def test_resync_reads_only_rows_after_the_cursor(tmp_path: Path, workspace: Workspace) -> None:
    path = build(tmp_path / "chat.db")
    import_paths(workspace, "imessage", [path])
    key = ("imessage", f"|{path.resolve()}")
    assert sources.get_cursor(workspace.conn, *key) == "8"  # the last row, a system row, is covered too

    again = import_paths(workspace, "imessage", [path])
    assert (again.interactions, again.source_entities) == (0, 0)

    conn = sqlite3.connect(path)
    conn.execute("UPDATE message SET text = 'edited long ago' WHERE ROWID = 1")  # before the cursor: not re-read
    conn.execute(
        "INSERT INTO message (guid, text, handle_id, service, date, is_from_me) VALUES ('new-1', 'Back home', 0,"
        " 'iMessage', ?, 1)",
        (int((when(3) - datetime(2001, 1, 1, tzinfo=UTC)).total_seconds() * 1e9),),
    )
    conn.execute("INSERT INTO chat_message_join (chat_id, message_id) VALUES (1, 9)")
    conn.commit()
    conn.close()
    importer = IMessageImporter()
    read = list(importer.read(path, "8"))
    assert [o.snippet for o in read] == ["Back home"]  # type: ignore[union-attr]
    assert importer.total == 1 and importer.cursor() == "9"
    first_read = IMessageImporter()
    assert len(list(first_read.read(path, None))) == 5  # tapbacks and system rows are counted, not yielded
    assert first_read.total == 9 and first_read.cursor() == "9"
    later = import_paths(workspace, "imessage", [path])
    assert later.interactions == 1
    assert sources.get_cursor(workspace.conn, *key) == "9"
    assert interactions(workspace)[0]["snippet"] == "Lunch tomorrow?"


def test_the_users_chat_db_is_never_modified(tmp_path: Path, workspace: Workspace) -> None:
    (tmp_path / "messages").mkdir()
    path = build(tmp_path / "messages" / "chat.db")
    before = hashlib.sha256(path.read_bytes()).hexdigest()
    import_paths(workspace, "imessage", [path])
    assert hashlib.sha256(path.read_bytes()).hexdigest() == before
    assert sorted(p.name for p in path.parent.iterdir()) == ["chat.db"]  # no journal, WAL or lock file left


def test_a_foreign_or_corrupt_file_is_refused_and_nothing_is_written(tmp_path: Path, workspace: Workspace) -> None:
    foreign = tmp_path / "other.db"
    conn = sqlite3.connect(foreign)
    conn.execute("CREATE TABLE message (ROWID INTEGER PRIMARY KEY, text TEXT)")
    conn.close()
    with pytest.raises(ImportFormatError, match=r"other\.db: is not an iMessage chat\.db"):
        import_paths(workspace, "imessage", [foreign])
    corrupt = tmp_path / "chat.db"
    corrupt.write_bytes(b"SQLite format 3\x00" + b"\xff" * 2000)
    with pytest.raises(KithkinError, match=r"chat\.db: is not an SQLite database"):
        import_paths(workspace, "imessage", [corrupt])
    assert workspace.conn.execute("SELECT COUNT(*) FROM interactions").fetchone()[0] == 0
    assert workspace.conn.execute("SELECT COUNT(*) FROM source_entities").fetchone()[0] == 0


def test_sniffing_recognises_a_chat_db(tmp_path: Path) -> None:
    path = build(tmp_path / "chat.db")
    assert IMessageImporter().sniff(path)
    assert sniff_source(path) == "imessage"
    assert IMessageImporter().sniff(tmp_path)  # the Messages folder stands for its chat.db
    assert len(list(IMessageImporter().read(tmp_path, None))) == 4
    text = tmp_path / "notes.txt"
    text.write_text("hello", encoding="utf-8")
    assert not IMessageImporter().sniff(text)


def test_cli_import_prints_the_summary(tmp_path: Path, home: Path) -> None:
    path = build(tmp_path / "chat.db")
    result = CliRunner().invoke(app, ["import", "imessage", str(path), "--home", str(home), "--json"])
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    assert {k: summary[k] for k in ("source", "files", "interactions", "people_created", "skipped")} == {
        "source": "imessage",
        "files": 1,
        "interactions": 4,
        "people_created": 3,
        "skipped": 0,
    }


def test_live_sync_reads_the_configured_chat_db_in_place(tmp_path: Path, home: Path) -> None:
    path = build(tmp_path / "chat.db")
    with Workspace.open(home) as workspace:
        settings = workspace.settings.model_copy(
            update={"sources": [LiveSource(type="imessage", account="mac", path=str(path))]}
        )
        save_settings(home, settings)
    with Workspace.open(home) as workspace:
        source = workspace.settings.sources[0]
        first = sync_source(workspace, source)
        second = sync_source(workspace, source)
        assert (first.interactions, second.interactions) == (4, 0)
        assert sources.get_cursor(workspace.conn, "imessage", "mac") == "8"
    missing = LiveSource(type="imessage", account="x", path=str(tmp_path / "absent.db"))
    with Workspace.open(home) as workspace, pytest.raises(KithkinError, match=r"absent\.db was not found"):
        sync_source(workspace, missing)


def test_live_sync_sees_messages_still_in_the_write_ahead_log(tmp_path: Path, home: Path) -> None:
    (tmp_path / "Messages").mkdir()
    path = build(tmp_path / "Messages" / "chat.db")
    messages_app = sqlite3.connect(path)  # Messages keeps chat.db open in WAL mode
    messages_app.execute("PRAGMA journal_mode = WAL")
    messages_app.execute("PRAGMA wal_autocheckpoint = 0")
    messages_app.execute(
        "INSERT INTO message (guid, text, handle_id, service, date, is_from_me) VALUES ('wal-1', 'Just now', 1,"
        " 'iMessage', ?, 0)",
        (int((when(9) - datetime(2001, 1, 1, tzinfo=UTC)).total_seconds() * 1e9),),
    )
    messages_app.execute("INSERT INTO chat_message_join (chat_id, message_id) VALUES (1, 9)")
    messages_app.commit()
    assert (tmp_path / "Messages" / "chat.db-wal").stat().st_size > 0
    with Workspace.open(home) as workspace:
        summary = sync_source(workspace, LiveSource(type="imessage", account="mac", path=str(path)))
        assert summary.interactions == 5
        latest = workspace.conn.execute("SELECT snippet FROM interactions ORDER BY occurred_at DESC").fetchone()
        assert latest[0] == "Just now"
    messages_app.close()


def test_handles_messages_ties_together_are_one_person(tmp_path: Path, workspace: Workspace) -> None:
    path = tmp_path / "chat.db"
    db = ChatDb(path)
    by_mail = db.chat([BOB])
    by_phone = db.chat(["+14155550122"], service="SMS")
    db.message(by_mail, BOB, when(4, 10), "from my mail")
    db.message(by_phone, "+14155550122", when(4, 11), "from my phone", service="SMS")
    db.conn.execute("UPDATE handle SET person_centric_id = 'PCID-BOB' WHERE id IN (?, ?)", (BOB, "+14155550122"))
    db.close()
    summary = import_paths(workspace, "imessage", [path])
    assert (summary.source_entities, summary.people_created, summary.links_auto) == (2, 1, 1)
    identifiers = workspace.conn.execute(
        "SELECT e.source_id, i.kind, i.value FROM entity_identifiers i JOIN source_entities e"
        " ON e.id = i.source_entity_id ORDER BY 1, 2"
    ).fetchall()
    assert [tuple(r) for r in identifiers] == [
        ("+14155550122", "email", BOB),
        ("+14155550122", "phone", "+14155550122"),
        (BOB, "email", BOB),
        (BOB, "phone", "+14155550122"),
    ]
    assert workspace.conn.execute("SELECT interaction_count FROM people").fetchone()[0] == 2
