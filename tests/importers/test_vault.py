"""Vault end to end: an Obsidian-style folder (and a zip of it) through the real importer and ingest."""

from __future__ import annotations

import json
import os
import zipfile
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from kithkin.cli import app
from kithkin.config import MAPPINGS_FILE, LiveSource, Owner, Settings, save_settings
from kithkin.demo.cast import make_cast
from kithkin.demo.vault import write as write_demo_vault
from kithkin.importers import sniff_source, vault_files
from kithkin.importers.vault import VaultImporter
from kithkin.ingest import import_paths
from kithkin.models import Identity, ImportFormatError, KithkinError, Observation
from kithkin.sync import sync_source
from kithkin.workspace import Workspace
from tests.helpers import at, feed

MARCH = 1_709_251_200  # 2024-03-01T00:00:00Z: every note's modification time starts here


def note(root: Path, rel: str, text: str, mtime: int = MARCH) -> Path:
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    os.utime(path, (mtime, mtime))
    return path


def build_vault(root: Path) -> Path:
    (root / ".obsidian").mkdir(parents=True)
    (root / ".obsidian" / "app.json").write_text("{}", encoding="utf-8")
    note(root, ".trash/Old.md", "[[Deleted Person]] was here.")
    note(
        root,
        "People/Robert Smith.md",
        "---\naliases: [Bob, Bobby Smith]\nemail: rob@northwind.example\ncompany: Northwind Labs\n"
        "position: Engineer\n---\nBob climbs with [[Ana Okafor]].\n",
    )
    note(root, "People/Friends/Ana Okafor.md", "---\nAlias: Annie\n---\n# Ana\nMet at the book club.\n")
    note(
        root,
        "Work/ML/2024-03-05 Standup.md",
        '---\nattendees:\n  - "[[Ana Okafor]]"\n  - Chloe Dubois <chloe@bluefin.example>\n---\n'
        "# Standup\nWith [[Bob]] and [[Ana Okafor|Ana]], then [[David Kim#Follow-ups]] and [[Elena Rossi^a1b2]].\n"
        "See ![[Ana Okafor]], ![[Whiteboard Photo]], [[Project Plan]], [[Roadmap Q3]] and [[#Decisions]].\n"
        "Grace Hughes joined late; Bobby Smith's idea won.\n",
    )
    note(root, "Work/Project Plan.md", "# Project Plan\nNo people here.\n")
    note(root, "Personal/Trip.md", "---\nDate: 2023-07-14\nPeople: [Farid Haddad, hiro@example.net]\n---\nFun.\n")
    note(
        root,
        "Personal/Loose thoughts.md",
        "Talked to [[Ana Okafor]] about books; will smith and grace hughes in lower case are no one.\n",
        mtime=MARCH + 3600,
    )
    note(root, "Personal/empty.md", "  \n\n")
    (root / "Personal" / "scan.md").write_bytes(b"%PDF-1.4\x00\x01\x02binary")
    os.utime(root / "Personal" / "scan.md", (MARCH, MARCH))
    return root


def with_mappings(home: Path) -> None:
    home.mkdir(parents=True, exist_ok=True)
    mappings = {
        "folder_mappings": {
            "Work/": {"category": "work"},
            "Work/ML/": {"company": "Movement Labs", "category": "work", "vault_contexts": ["Work/ML/"]},
            "Personal/": {"category": "personal"},
        }
    }
    (home / MAPPINGS_FILE).write_text(yaml.safe_dump(mappings), encoding="utf-8")


def interactions(ws: Workspace) -> dict[str, dict]:
    found = {}
    for row in ws.conn.execute("SELECT id, source_id, kind, occurred_at, context, title FROM interactions"):
        people = ws.conn.execute(
            """SELECT se.observed_name, se.observed_email, ip.role FROM interaction_participants ip
               JOIN source_entities se ON se.id = ip.source_entity_id WHERE ip.interaction_id = ?""",
            (row["id"],),
        )
        found[row["source_id"]] = {
            "kind": row["kind"],
            "at": row["occurred_at"],
            "context": row["context"],
            "title": row["title"],
            "people": sorted((p[0] or p[1], p[2]) for p in people),
        }
    return found


def ws_metadata(home: Path, source_id: str) -> str:
    with Workspace.open(home) as ws:
        return ws.conn.execute("SELECT metadata FROM interactions WHERE source_id = ?", (source_id,)).fetchone()[0]


def entity(ws: Workspace, source_id: str) -> dict:
    row = ws.conn.execute(
        "SELECT observed_name, observed_email, metadata FROM source_entities"
        " WHERE source_type = 'vault' AND source_id = ?",
        (source_id,),
    ).fetchone()
    return {"name": row[0], "email": row[1], "metadata": json.loads(row[2] or "{}")}


def test_every_note_is_read_and_people_are_found_in_links_frontmatter_and_text(tmp_path, home):
    vault = build_vault(tmp_path / "vault")
    with_mappings(home)
    with Workspace.open(home) as ws:
        feed(ws, "contacts", [Observation("c1", "contact", at(1), [Identity("g", "Grace Hughes", role="card")])])
        summary = import_paths(ws, "vault", [vault])
        found = interactions(ws)

    assert summary.details == {
        "notes_found": 8,
        "notes_read": 6,
        "notes_unchanged": 0,
        "notes_skipped": 2,
        "skipped_reasons": {"empty": 1, "binary": 1},
        "notes_with_mentions": 5,
        "mentions": 10,
        "people_mentioned": 6,
        "person_pages": 2,
        # David Kim and Elena Rossi lead to no page and are known nowhere: names to confirm, not people.
        "links_not_people": {
            "attachment": 1,  # ![[Whiteboard Photo]]
            "name to confirm": 2,
            "no evidence of a person": 1,  # [[Roadmap Q3]]
            "non-person page": 1,  # [[Project Plan]]
        },
        "person_suggestions": {"David Kim": 1, "Elena Rossi": 1},
    }
    assert summary.interactions == 5 and summary.errors == []
    standup = found["Work/ML/2024-03-05 Standup.md"]
    assert standup["kind"] == "note"
    assert standup["at"] == "2024-03-05T00:00:00Z"
    assert standup["context"] == "Work/ML"
    assert standup["people"] == [
        ("Ana Okafor", "attendee"),
        ("Chloe Dubois", "attendee"),
        ("Grace Hughes", "mention"),
        ("Robert Smith", "mention"),
    ]
    assert found["People/Robert Smith.md"]["people"] == [("Ana Okafor", "mention"), ("Robert Smith", "card")]
    assert found["People/Friends/Ana Okafor.md"]["people"] == [("Ana Okafor", "card")]
    assert found["Personal/Trip.md"] == {
        "kind": "note",
        "at": "2023-07-14T00:00:00Z",
        "context": "Personal",
        "title": "Trip",
        "people": [("Farid Haddad", "mention"), ("hiro@example.net", "mention")],
    }
    assert found["Personal/Loose thoughts.md"]["at"] == "2024-03-01T01:00:00Z"  # no date: its mtime
    assert found["Personal/Loose thoughts.md"]["people"] == [("Ana Okafor", "mention")]
    assert "Work/Project Plan.md" not in found  # a link to a note that is not a person
    metadata = json.loads(ws_metadata(home, "Work/ML/2024-03-05 Standup.md"))
    assert metadata["suggested_people"] == ["David Kim", "Elena Rossi"]


def test_person_pages_carry_aliases_email_and_folder_categories(tmp_path, home):
    vault = build_vault(tmp_path / "vault")
    with_mappings(home)
    with Workspace.open(home) as ws:
        import_paths(ws, "vault", [vault])
        robert = entity(ws, "robert smith")
        chloe = entity(ws, "chloe dubois")
        ana = entity(ws, "ana okafor")
        person = ws.conn.execute(
            "SELECT p.company, p.position, p.category, p.emails, p.vault_contexts FROM people p JOIN source_entities se"
            " ON se.canonical_person_id = p.id WHERE se.source_id = 'robert smith'"
        ).fetchone()

    assert robert == {
        "name": "Robert Smith",
        "email": "rob@northwind.example",
        "metadata": {
            "aliases": ["Bob", "Bobby Smith"],
            "company": "Northwind Labs",
            "position": "Engineer",
            "category": "work",
            "vault_contexts": ["Work/ML/"],
        },
    }
    assert chloe["email"] == "chloe@bluefin.example"
    assert chloe["metadata"] == {"category": "work", "vault_contexts": ["Work/ML/"]}
    assert ana["metadata"] == {"aliases": ["Annie"], "category": "work", "vault_contexts": ["Personal/", "Work/ML/"]}
    assert tuple(person) == ("Northwind Labs", "Engineer", "work", '["rob@northwind.example"]', '["Work/ML/"]')


def test_co_mentioned_people_share_the_note(tmp_path, workspace):
    vault = tmp_path / "vault"
    for name in ("Ana Okafor", "Ben Smith", "Chloe Dubois"):
        note(vault, f"People/{name}.md", f"# {name}\n")
    note(vault, "Meeting.md", "[[Ana Okafor]] introduced [[Ben Smith]] to [[Chloe Dubois]].")
    import_paths(workspace, "vault", [vault])
    rows = workspace.conn.execute(
        "SELECT COUNT(*), COUNT(DISTINCT se.canonical_person_id) FROM interaction_participants ip"
        " JOIN source_entities se ON se.id = ip.source_entity_id JOIN interactions i ON i.id = ip.interaction_id"
        " WHERE i.source_id = 'Meeting.md'"
    ).fetchone()
    assert tuple(rows) == (3, 3)


def test_a_resync_reads_only_the_notes_changed_since(tmp_path, workspace):
    vault = build_vault(tmp_path / "vault")
    feed(workspace, "contacts", [Observation("c1", "contact", at(1), [Identity("j", "Jonas Novak", role="card")])])
    first = import_paths(workspace, "vault", [vault])
    again = import_paths(workspace, "vault", [vault])
    note(vault, "Personal/Trip.md", "---\ndate: 2023-07-14\npeople: [Farid Haddad, Ingrid Berg]\n---\n", MARCH + 7200)
    note(vault, "Personal/New.md", "Lunch with [[Jonas Novak]].", MARCH + 7200)
    changed = import_paths(workspace, "vault", [vault])

    assert first.interactions == 5
    assert (again.interactions, again.source_entities, again.details["notes_read"]) == (0, 0, 0)
    assert again.details["notes_unchanged"] == 8
    assert changed.details["notes_read"] == 2
    assert changed.details["notes_unchanged"] == 7
    assert (changed.interactions, changed.source_entities) == (1, 2)  # New.md; Ingrid and Jonas (a contact)
    trip = interactions(workspace)["Personal/Trip.md"]
    assert ("Ingrid Berg", "mention") in trip["people"]


def test_the_cursor_never_passes_a_note_not_yet_read(tmp_path):
    vault = tmp_path / "vault"
    for index in range(4):
        note(vault, f"n{index}.md", f"---\npeople: [Ana Okafor]\n---\n{index}", MARCH + (index // 2) * 60)
    importer = VaultImporter()
    seen = []
    for item in importer.read(vault, None):
        cursor = importer.cursor()
        seen.append((item.source_id, cursor.split(" ")[0] if cursor else None))
    # n0 and n1 share a time: the cursor moves to it only once both are read.
    assert seen == [
        ("n0.md", None),
        ("n1.md", repr(float(MARCH))),
        ("n2.md", repr(float(MARCH))),
        ("n3.md", repr(float(MARCH + 60))),
    ]


def test_a_zipped_vault_reads_like_the_folder_and_a_damaged_note_is_reported(tmp_path, home):
    vault = build_vault(tmp_path / "MyVault")
    archive = tmp_path / "vault.zip"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as out:
        for path in sorted(vault.rglob("*")):
            if path.is_file():
                out.write(path, path.relative_to(tmp_path).as_posix())
    data = bytearray(archive.read_bytes())
    with zipfile.ZipFile(archive) as check:
        info = check.getinfo("MyVault/Personal/Trip.md")
    start = info.header_offset + 30 + len(info.filename) + len(info.extra)
    data[start + 2] ^= 0xFF  # corrupt the compressed bytes of one note: its CRC no longer matches
    archive.write_bytes(bytes(data))
    with_mappings(home)
    with Workspace.open(home) as ws:
        summary = import_paths(ws, "vault", [archive])
        found = interactions(ws)

    assert summary.details["notes_read"] == 5
    assert summary.details["skipped_reasons"] == {"empty": 1, "binary": 1, "unreadable": 1}
    assert summary.errors == ["vault note Personal/Trip.md could not be read (unreadable); skipped"]
    assert found["Work/ML/2024-03-05 Standup.md"]["context"] == "Work/ML"
    assert "Personal/Trip.md" not in found


def test_a_too_large_note_is_skipped_and_counted(tmp_path, workspace, monkeypatch):
    vault = tmp_path / "vault"
    note(vault, "big.md", "---\npeople: [Ana Okafor]\n---\n" + "x" * 200)
    note(vault, "small.md", "---\npeople: [Ana Okafor]\n---\n")
    monkeypatch.setattr(vault_files, "MAX_NOTE_BYTES", 100)
    summary = import_paths(workspace, "vault", [vault])
    assert summary.details["skipped_reasons"] == {"too large": 1}
    assert summary.interactions == 1


@pytest.mark.parametrize(
    ("name", "content", "problem"),
    [
        ("notes", None, "holds no markdown notes (.md); give the vault folder or a zip of it"),
        ("export.pdf", b"%PDF-1.4 not a vault", "is not a vault: give the vault folder or a zip of it"),
        (
            "empty.zip",
            b"PK\x05\x06" + b"\x00" * 18,
            "holds no markdown notes (.md); give the vault folder or a zip of it",
        ),
    ],
)
def test_a_wrong_file_is_refused_and_nothing_is_written(tmp_path, workspace, name, content, problem):
    path = tmp_path / name
    if content is None:
        path.mkdir()
        (path / "photo.jpg").write_bytes(b"\xff\xd8")
    else:
        path.write_bytes(content)
    with pytest.raises(ImportFormatError) as error:
        import_paths(workspace, "vault", [path])
    assert str(error.value) == f"{path}: {problem}"
    counts = workspace.conn.execute(
        "SELECT (SELECT COUNT(*) FROM source_entities), (SELECT COUNT(*) FROM interactions)"
    )
    assert tuple(counts.fetchone()) == (0, 0)


def test_a_vault_folder_is_sniffed_as_a_vault(tmp_path):
    assert sniff_source(build_vault(tmp_path / "vault")) == "vault"


def test_cli_import_reports_the_notes(tmp_path, home):
    vault = build_vault(tmp_path / "vault")
    result = CliRunner().invoke(app, ["import", "vault", str(vault), "--home", str(home), "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert (data["source"], data["files"], data["interactions"]) == ("vault", 1, 5)
    assert (data["notes_found"], data["notes_read"], data["notes_with_mentions"]) == (8, 6, 5)
    assert data["person_suggestions"] == {"David Kim": 1, "Elena Rossi": 1}
    assert "person suggestions" in CliRunner().invoke(app, ["import", "vault", str(vault), "--home", str(home)]).stdout

    wrong = CliRunner().invoke(app, ["import", "vault", str(tmp_path / "vault" / ".obsidian"), "--home", str(home)])
    assert wrong.exit_code == 1
    assert "holds no markdown notes" in wrong.stderr


def test_a_configured_vault_syncs_in_place(tmp_path):
    home = tmp_path / "home"
    vault = build_vault(tmp_path / "vault")
    source = LiveSource.model_validate({"type": "vault", "account": "notes", "path": str(vault)})
    save_settings(home, Settings(owner=Owner(emails=["me@example.org"]), sources=[source]))
    with Workspace.open(home) as ws:
        first = sync_source(ws, source)
        note(vault, "Personal/New.md", "Lunch with [[Robert Smith]].", MARCH + 7200)
        second = sync_source(ws, source)
    assert (first.interactions, first.details["notes_read"]) == (5, 6)
    assert (second.interactions, second.details["notes_read"], second.details["notes_unchanged"]) == (1, 1, 8)


def test_a_vault_source_without_a_folder_is_explained(tmp_path, workspace):
    source = LiveSource.model_validate({"type": "vault", "path": str(tmp_path / "missing")})
    with pytest.raises(KithkinError, match=r"The vault folder .* was not found"):
        sync_source(workspace, source)


def test_demo_vault_imports_work_and_personal_notes(tmp_path, home):
    paths = write_demo_vault(make_cast(60, seed=5), tmp_path / "demo")
    with Workspace.open(home) as ws:
        summary = import_paths(ws, "vault", paths)
        contexts = {r[0].split("/")[0] for r in ws.conn.execute("SELECT context FROM interactions")}
    assert summary.errors == []
    assert summary.details["notes_read"] == summary.details["notes_found"]
    assert summary.interactions == summary.details["notes_with_mentions"] > 10
    assert {"Work", "Personal", "People"} <= contexts


def test_unquoted_links_in_a_yaml_list_are_people(tmp_path, workspace):
    vault = tmp_path / "vault"
    note(
        vault, "Lunch.md", "---\npeople: [[Ana Okafor]]\nattendees:\n  - [[Ben Smith]]\n  - {nested: map}\n---\nFood.\n"
    )
    import_paths(workspace, "vault", [vault])
    assert interactions(workspace)["Lunch.md"]["people"] == [("Ana Okafor", "mention"), ("Ben Smith", "attendee")]
