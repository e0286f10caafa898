"""`kithkin init` finds the local stores at their standard paths (under HOME) and offers them as live sources;
one it cannot read gets the sentence that says why."""

from __future__ import annotations

import json
import os
import sqlite3
from pathlib import Path

import pytest
from typer.testing import CliRunner

from kithkin.cli import app
from kithkin.config import load_settings
from kithkin.demo.imessage import ChatDb
from kithkin.importers import contacts_macos

SUPPORT = Path("Library") / "Application Support"
FULL_DISK_ACCESS = (
    "cannot be read: give your terminal Full Disk Access (System Settings > Privacy & Security > Full Disk "
    "Access), then run kithkin init again."
)


def unreadable(path: Path) -> None:
    """A file this process may not read, as macOS refuses Messages' and the call history's files to a
    terminal without Full Disk Access. Root reads any mode, but not a write-only kernel setting."""
    path.parent.mkdir(parents=True)
    if os.geteuid() == 0:
        path.symlink_to("/proc/sys/vm/compact_memory")
    else:
        path.write_bytes(b"SQLite format 3\x00")
        path.chmod(0)


@pytest.fixture
def machine(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A HOME with Messages and a wacli store readable, the call history refused, Contacts' folder, and a
    Granola folder whose app never ran."""
    user = tmp_path / "user"
    (user / "Library" / "Messages").mkdir(parents=True)
    ChatDb(user / "Library" / "Messages" / "chat.db").close()
    unreadable(user / SUPPORT / "CallHistoryDB" / "CallHistory.storedata")
    (user / SUPPORT / "AddressBook").mkdir(parents=True)
    (user / ".wacli").mkdir()
    sqlite3.connect(user / ".wacli" / "wacli.db").close()
    (user / SUPPORT / "Granola").mkdir(parents=True)
    monkeypatch.setenv("HOME", str(user))
    return user


def expected_stores(user: Path, *, added: bool) -> list[dict]:
    contacts_problem = (
        None
        if contacts_macos.available()
        else f"Contacts at {user / SUPPORT / 'AddressBook'} is read through macOS's Contacts framework: install it "
        "with `pip install 'kithkin[macos]'` on the Mac."
    )

    def store(kind: str, label: str, path: Path, problem: str | None) -> dict:
        return {
            "type": kind,
            "label": label,
            "path": str(path),
            "readable": problem is None,
            "problem": problem,
            "configured": False,
            "added": added and problem is None,
        }

    calls = user / SUPPORT / "CallHistoryDB" / "CallHistory.storedata"
    granola = user / SUPPORT / "Granola"
    return [
        store("imessage", "Messages", user / "Library" / "Messages" / "chat.db", None),
        store("calls", "the call history", calls, f"the call history at {calls} {FULL_DISK_ACCESS}"),
        store("contacts", "Contacts", user / SUPPORT / "AddressBook", contacts_problem),
        store("wacli", "WhatsApp (the wacli store)", user / ".wacli", None),
        store(
            "granola",
            "Granola",
            granola,
            f"Granola at {granola} has no cache-v3.json yet; run the app once, then kithkin init again.",
        ),
    ]


def init(home: Path, *extra: str) -> dict:
    result = CliRunner().invoke(app, ["init", "--home", str(home), "--name", "Owner", "--json", *extra])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_init_adds_the_readable_local_stores_and_says_why_others_cannot_be_read(machine: Path, tmp_path: Path) -> None:
    home = tmp_path / "home"
    report = init(home, "--add-found")

    assert report["local_stores"] == expected_stores(machine, added=True)
    sources = [source.model_dump(exclude_none=True) for source in load_settings(home).sources]
    assert sources[:1] + sources[-1:] == [
        {"type": "imessage", "account": "local", "path": str(machine / "Library" / "Messages" / "chat.db")},
        {"type": "wacli", "account": "local", "path": str(machine / ".wacli")},
    ]
    # Run again, nothing is added twice: configured stores are reported as such.
    again = init(home, "--add-found")
    assert [(s["type"], s["configured"], s["added"]) for s in again["local_stores"] if s["readable"]] == [
        ("imessage", True, False),
        *([("contacts", True, False)] if contacts_macos.available() else []),
        ("wacli", True, False),
    ]
    assert len(load_settings(home).sources) == len(sources)


def test_init_without_a_terminal_only_reports_what_it_found(machine: Path, tmp_path: Path) -> None:
    home = tmp_path / "home"
    report = init(home)
    assert report["local_stores"] == expected_stores(machine, added=False)
    assert load_settings(home).sources == []


def test_nothing_is_found_where_nothing_is(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HOME", str(tmp_path / "empty"))
    assert init(tmp_path / "home", "--add-found")["local_stores"] == []
