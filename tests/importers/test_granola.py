"""Granola end to end: cache-v*.json in its string (v3) and object forms, Granola markdown exports and
the same shape from other note takers, through the real importer and ingest."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from kithkin.cli import app
from kithkin.demo.cast import make_cast
from kithkin.demo.granola import write as write_demo_granola
from kithkin.importers import sniff_source
from kithkin.importers.granola import GranolaImporter
from kithkin.ingest import import_paths
from kithkin.models import ImportFormatError
from kithkin.workspace import Workspace

DOC_ID = "0f6a5c1e-6b7d-4f43-9d6e-4c1f3a2b9e10"


def document(doc_id: str, title: str, **fields: object) -> dict:
    return {
        "id": doc_id,
        "title": title,
        "created_at": "2024-03-05T14:02:11.123Z",
        "updated_at": "2024-03-05T15:00:00.000Z",
        "deleted_at": None,
        "notes_markdown": "## Decisions\n\n- Ship it",
        "notes_plain": "Decisions\nShip it",
        **fields,
    }


DOCUMENTS = {
    DOC_ID: document(
        DOC_ID,
        "Roadmap review",
        people={
            "creator": {"name": "Owner Person", "email": "me@example.org"},
            "attendees": [
                {"name": "Ana Okafor", "email": "ana@northwind.example"},
                {"email": "ben@bluefin.example", "details": {"person": {"name": {"fullName": "Ben Lindqvist"}}}},
            ],
        },
        google_calendar_event={
            "id": "evt1",
            "summary": "Roadmap review",
            "start": {"dateTime": "2024-03-05T15:00:00+01:00"},
            "organizer": {"email": "ana@northwind.example"},
            "attendees": [
                {"email": "ana@northwind.example", "displayName": "Ana Okafor", "responseStatus": "accepted"},
                {"email": "me@example.org", "self": True, "responseStatus": "accepted"},
                {"email": "chloe@harbor.example", "displayName": "Chloe Dubois", "responseStatus": "declined"},
                {"email": "room-4@resource.calendar.google.com", "displayName": "Room 4", "resource": True},
                {"email": "dana@harbor.example", "displayName": "Dana Kim", "responseStatus": "needsAction"},
            ],
        },
    ),
    "deleted-doc": document("deleted-doc", "Gone", deleted_at="2024-03-06T00:00:00Z", people={"attendees": []}),
    "solo-doc": document("solo-doc", "Thinking alone"),
    "undated-doc": document(
        "undated-doc", "No date", created_at=None, people={"attendees": [{"name": "Eve Adams", "email": "e@x.org"}]}
    ),
}
SHARED = {"shared-doc": document("shared-doc", "Their meeting", people={"creator": {"name": "Farid Haddad"}})}


def cache_file(path: Path, *, as_string: bool = True, documents: dict | None = None) -> Path:
    state = {"documents": DOCUMENTS if documents is None else documents, "sharedDocuments": SHARED, "transcripts": {}}
    inner = {"state": state, "version": 3}
    path.write_text(json.dumps({"cache": json.dumps(inner) if as_string else inner}), encoding="utf-8")
    return path


def meetings(ws: Workspace) -> dict[str, tuple]:
    found = {}
    for row in ws.conn.execute("SELECT id, source_id, kind, occurred_at, title FROM interactions"):
        people = ws.conn.execute(
            """SELECT COALESCE(se.observed_name, se.observed_email), ip.role FROM interaction_participants ip
               JOIN source_entities se ON se.id = ip.source_entity_id WHERE ip.interaction_id = ? ORDER BY 1""",
            (row[0],),
        )
        found[row[1]] = (row[2], row[3], row[4], [tuple(p) for p in people])
    return found


@pytest.mark.parametrize("as_string", [True, False], ids=["v3-string", "object"])
def test_cache_documents_become_meetings_with_their_attendees(tmp_path, workspace, as_string):
    summary = import_paths(workspace, "granola", [cache_file(tmp_path / "cache-v3.json", as_string=as_string)])
    found = meetings(workspace)

    assert summary.details == {"meetings": 2, "meetings_without_attendees": 1}
    assert summary.errors == ["Granola meeting undated-doc has no date; skipped"]
    assert found[DOC_ID] == (
        "meeting",
        "2024-03-05T14:00:00Z",
        "Roadmap review",
        [
            ("Ana Okafor", "organizer"),
            ("Ben Lindqvist", "attendee"),
            ("Dana Kim", "attendee"),
            ("Owner Person", "attendee"),
        ],
    )
    assert found["shared-doc"][3] == [("Farid Haddad", "attendee")]
    assert set(found) == {DOC_ID, "shared-doc"}
    owner = workspace.conn.execute("SELECT link_status FROM source_entities WHERE observed_email = 'me@example.org'")
    assert owner.fetchone()[0] == "owner"


def test_a_folder_reads_the_highest_cache_version_and_its_exports_once(tmp_path, workspace):
    folder = tmp_path / "Granola"
    folder.mkdir()
    cache_file(
        folder / "cache-v2.json", documents={"old": document("old", "Stale", people={"creator": {"name": "X Y"}})}
    )
    cache_file(folder / "cache-v3.json")
    # The markdown a Granola exporter writes for the same meeting: same Meeting ID, transcript of Me/Them.
    (folder / "2024-03-05_Roadmap_review.md").write_text(
        f"# Roadmap review\nDate: 2024-03-05 14:00\nMeeting ID: {DOC_ID}\n\n---\n\n## AI-Generated Notes\n\n"
        "- Ship it\n\n---\n\n## Transcript\n\n**Me:** Shall we ship?\n\n**Them:** Yes.\n",
        encoding="utf-8",
    )
    summary = import_paths(workspace, "granola", [folder])
    again = import_paths(workspace, "granola", [folder])

    assert set(meetings(workspace)) == {DOC_ID, "shared-doc"}
    assert summary.details == {"meetings": 2, "meetings_without_attendees": 2}
    assert (again.interactions, again.source_entities) == (0, 0)
    assert sniff_source(folder) == "granola"


def test_markdown_from_other_note_takers(tmp_path, workspace):
    folder = tmp_path / "notes"
    folder.mkdir()
    (folder / "2024-04-02 Vendor call.md").write_text(
        "# Vendor call\n\nAttendees: Ana Okafor <ana@northwind.example>, Ben Lindqvist\n\n## Summary\n\nPrices.\n",
        encoding="utf-8",
    )
    (folder / "standup.md").write_text(
        "---\ntitle: Standup\ndate: 2024-04-03T09:30:00-07:00\nparticipants:\n  - name: Chloe Dubois\n"
        "    email: chloe@harbor.example\n  - Dana Kim\n---\n## Participants\n- Eve Adams (eve@x.org)\n\n"
        "## Transcript\n\nEve Adams: Morning.\nSpeaker 2: Hi.\nFarid Haddad: Hello all.\n",
        encoding="utf-8",
    )
    (folder / "Shopping.md").write_text("# Shopping\n\n- milk\n", encoding="utf-8")
    summary = import_paths(workspace, "granola", [folder])
    found = meetings(workspace)

    assert found["file:2024-04-02 Vendor call.md"] == (
        "meeting",
        "2024-04-02T00:00:00Z",
        "Vendor call",
        [("Ana Okafor", "attendee"), ("Ben Lindqvist", "attendee")],
    )
    assert found["file:standup.md"] == (
        "meeting",
        "2024-04-03T16:30:00Z",
        "Standup",
        [
            ("Chloe Dubois", "attendee"),
            ("Dana Kim", "attendee"),
            ("Eve Adams", "attendee"),
            ("Farid Haddad", "attendee"),
        ],
    )
    # A folder is searched for the source's files; every other file is named with why it was left out.
    assert (summary.errors, summary.files) == ([], 2)
    assert summary.details["files_left_out"] == {str(folder / "Shopping.md"): "not a granola file"}


@pytest.mark.parametrize(
    ("name", "content", "problem"),
    [
        ("cache-v3.json", '{"cache": "{not json"}', "is not a Granola cache (expected JSON with a 'cache' entry)"),
        ("settings.json", '{"cache": {"theme": "dark"}}', "is a JSON file without Granola meetings"),
        ("note.md", "# Groceries\n\n- milk\n", "is not a meeting note (expected a title, a date and its attendees"),
    ],
)
def test_a_wrong_file_is_refused_and_nothing_is_written(tmp_path, workspace, name, content, problem):
    path = tmp_path / name
    path.write_text(content, encoding="utf-8")
    with pytest.raises(ImportFormatError) as error:
        import_paths(workspace, "granola", [path])
    assert str(error.value).startswith(f"{path}: {problem}")
    assert workspace.conn.execute("SELECT COUNT(*) FROM source_entities").fetchone()[0] == 0


def test_an_unrelated_folder_is_refused(tmp_path, workspace):
    with pytest.raises(ImportFormatError, match="holds no Granola cache"):
        import_paths(workspace, "granola", [tmp_path])
    assert not GranolaImporter().sniff(tmp_path)


def test_cli_import_json(tmp_path, home):
    path = cache_file(tmp_path / "cache-v3.json")
    result = CliRunner().invoke(app, ["import", "granola", str(path), "--home", str(home), "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert (data["source"], data["interactions"], data["meetings"], data["skipped"]) == ("granola", 2, 2, 1)


def test_demo_meetings_import(tmp_path, home):
    paths = write_demo_granola(make_cast(80, seed=5), tmp_path / "demo")
    with Workspace.open(home) as ws:
        summary = import_paths(ws, "granola", paths)
    assert summary.errors == []
    assert summary.interactions == summary.details["meetings"] > 5


def test_documents_of_an_unexpected_shape_are_skipped_records(tmp_path, workspace):
    odd = {
        "a": document("a", "Odd people", people={"creator": {"name": 42}, "attendees": "nobody"}),
        "b": document("b", "Odd event", google_calendar_event={"attendees": 7, "start": "soon"}, people=None),
        "c": document("c", 12, people={"attendees": [{"name": "Ana Okafor", "email": ["a@x.org"]}]}),
    }
    summary = import_paths(workspace, "granola", [cache_file(tmp_path / "cache-v4.json", documents=odd)])
    found = meetings(workspace)
    assert summary.details == {"meetings": 2, "meetings_without_attendees": 2}
    assert found["c"] == ("meeting", "2024-03-05T14:02:11Z", "12", [("Ana Okafor", "attendee")])
