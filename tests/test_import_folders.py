"""`kithkin import SOURCE FOLDER`: every file of the source inside the folder (recursively) is read, and the
summary names every other file with why it was left out."""

from __future__ import annotations

import json
import zipfile
from datetime import UTC, datetime
from pathlib import Path

from typer.testing import CliRunner

from kithkin.cli import app
from kithkin.ingest import import_paths
from kithkin.workspace import Workspace
from tests.importers.test_calls import ANDROID, call_history, record
from tests.importers.test_whatsapp import ANA, IOS, wacli_store


def test_a_folder_of_call_logs_reads_the_iphone_history_and_the_android_backup(tmp_path: Path, home: Path) -> None:
    folder = tmp_path / "phone"
    (folder / "android").mkdir(parents=True)
    history = call_history(
        folder / "CallHistory.storedata",
        [record(datetime(2024, 2, 1, 9, 30, tzinfo=UTC), "(415) 555-0111", ZORIGINATED=1, ZDURATION=60.0)],
    )
    (folder / "CallHistory.storedata-wal").write_bytes(b"")
    (folder / "android" / "calls-20240501.xml").write_text(ANDROID, encoding="utf-8")
    (folder / "android" / "sms-20240501.xml").write_text("<smses count='0'></smses>", encoding="utf-8")
    (folder / ".DS_Store").write_bytes(b"\x00\x00\x00\x01Bud1")

    result = CliRunner().invoke(app, ["import", "calls", str(folder), "--home", str(home), "--json"])

    assert result.exit_code == 0, result.stderr
    summary = json.loads(result.stdout)
    assert (summary["files"], summary["interactions"]) == (2, 6)
    assert summary["files_read"] == [str(history), str(folder / "android" / "calls-20240501.xml")]
    assert summary["files_left_out"] == {
        str(folder / ".DS_Store"): "hidden file",
        str(folder / "CallHistory.storedata-wal"): "SQLite journal, read with its database",
        str(folder / "android" / "sms-20240501.xml"): "not a calls file",
    }
    again = CliRunner().invoke(app, ["import", "calls", str(folder), "--home", str(home), "--json"])
    assert json.loads(again.stdout)["interactions"] == 0


def test_a_folder_of_whatsapp_exports_in_every_form(tmp_path: Path, workspace: Workspace) -> None:
    folder = tmp_path / "chats"
    folder.mkdir()
    (folder / "WhatsApp Chat with Dinner Club.txt").write_text(IOS, encoding="utf-8")
    with zipfile.ZipFile(folder / "WhatsApp Chat - Ben Okafor.zip", "w") as archive:
        archive.writestr("_chat.txt", "[14/02/2024, 08:00:00] Ben Okafor: coffee?\n")
        archive.writestr("00000003-PHOTO-2024-02-14.jpg", b"\xff\xd8\xff")
    unzipped = folder / "WhatsApp Chat - Chloe Dubois"
    unzipped.mkdir()
    (unzipped / "_chat.txt").write_text(
        "[15/02/2024, 10:00:00] Chloe Dubois: the photos\n[15/02/2024, 10:01:00] Owner Person: thanks!\n",
        encoding="utf-8",
    )
    (unzipped / "00000007-PHOTO-2024-02-15.jpg").write_bytes(b"\xff\xd8\xff")
    wacli_store(folder / "wacli", [(ANA, "A1", ANA, "Ana", 1_700_000_000, 0, "hi", None)]).close()
    (folder / "notes.md").write_text("# not a chat\n", encoding="utf-8")

    summary = import_paths(workspace, "whatsapp", [folder])

    assert summary.files == 4
    assert summary.details["files_read"] == [
        str(folder / "WhatsApp Chat - Ben Okafor.zip"),
        str(unzipped / "_chat.txt"),
        str(folder / "WhatsApp Chat with Dinner Club.txt"),
        str(folder / "wacli"),
    ]
    assert summary.details["files_left_out"] == {
        str(unzipped / "00000007-PHOTO-2024-02-15.jpg"): "not a whatsapp file",
        str(folder / "notes.md"): "not a whatsapp file",
    }
    assert summary.interactions == 3 + 1 + 2 + 1
    # The unzipped iPhone export is named by its folder, as the zip is by its file name.
    threads = {r[0] for r in workspace.conn.execute("SELECT thread_id FROM interactions")}
    assert {"export:Chloe Dubois", "export:Ben Okafor"} <= threads
    assert import_paths(workspace, "whatsapp", [folder]).interactions == 0


def test_a_folder_without_any_file_of_the_source_is_refused_in_its_words(tmp_path: Path, home: Path) -> None:
    folder = tmp_path / "empty"
    folder.mkdir()
    (folder / "notes.md").write_text("# nothing\n", encoding="utf-8")
    result = CliRunner().invoke(app, ["import", "whatsapp", str(folder), "--home", str(home)])
    assert result.exit_code == 1
    assert "is not a WhatsApp export" in result.stderr


def test_a_link_back_up_the_tree_is_not_followed(tmp_path: Path, workspace: Workspace) -> None:
    folder = tmp_path / "phone"
    folder.mkdir()
    (folder / "calls.xml").write_text(ANDROID, encoding="utf-8")
    (folder / "loop").symlink_to(folder, target_is_directory=True)
    summary = import_paths(workspace, "calls", [folder])
    assert summary.files == 1
    assert summary.details["files_left_out"] == {str(folder / "loop"): "link to a folder, not followed"}


def test_the_progress_bar_ends_at_its_total_when_some_rows_are_no_interaction(tmp_path: Path, workspace: Workspace):
    from tests.importers.test_mail import message, write_mbox

    mbox = write_mbox(
        tmp_path / "mail.mbox",
        message("From: Ana Silva <ana@x.org>\nTo: me@example.org\nSubject: hi\nMessage-ID: <a@x>"),
        message("From: Shop <noreply@shop.example>\nTo: me@example.org\nSubject: sale\nMessage-ID: <b@x>"),
        message("From: Ben Okafor <ben@y.org>\nTo: me@example.org\nSubject: yo\nMessage-ID: <c@x>"),
    )
    seen: list[tuple[int, int | None]] = []
    summary = import_paths(workspace, "mail", [mbox], progress=lambda done, total: seen.append((done, total)))
    assert summary.interactions == 2  # the shop's mail is automated: read, but no interaction
    assert seen[-1] == (3, 3)


def test_many_files_derive_strengths_and_facts_once(tmp_path: Path, workspace: Workspace, monkeypatch):
    from kithkin import ingest

    for n in range(5):
        (tmp_path / f"WhatsApp Chat with P{n}.txt").write_text(
            f"[14/02/2024, 08:0{n}:00] Person {n}: hello\n", encoding="utf-8"
        )
    finished: list[set[str]] = []
    real = ingest.finish_import
    monkeypatch.setattr(ingest, "finish_import", lambda ws, touched: finished.append(touched) or real(ws, touched))
    summary = import_paths(workspace, "whatsapp", [tmp_path])
    assert (summary.files, summary.interactions) == (5, 5)
    assert len(finished) == 1 and len(finished[0]) == 5
    query = "SELECT relationship_strength FROM people WHERE canonical_name LIKE 'Person%'"
    strengths = [r[0] for r in workspace.conn.execute(query)]
    assert len(strengths) == 5 and all(s > 0 for s in strengths)
