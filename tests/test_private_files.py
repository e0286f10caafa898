"""The home is the owner's alone: folder 0700, database, WAL, SHM, backups, uploads and exports 0600,
set when created and repaired (with a one-line notice) when a home open to others is opened."""

from __future__ import annotations

import logging
import os
import stat
from pathlib import Path

from starlette.datastructures import UploadFile
from typer.testing import CliRunner

from kithkin.api.routes.sources import _save_and_check
from kithkin.cli import app
from kithkin.importers import get_importer
from kithkin.store import db
from kithkin.workspace import Workspace
from tests.helpers import at, feed, message, person


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_a_new_home_and_everything_written_in_it_are_private(tmp_path):
    previous = os.umask(0o022)  # the usual umask, under which files come out 0644
    try:
        home = tmp_path / "new" / "home"
        with Workspace.open(home) as workspace:
            feed(workspace, "mail", [message("m1", at(1), person("ana@x.org", "Ana Silva", "ana@x.org"))])
            (home / "live-status.json").write_text("{}")  # any code writing into an opened home
            files = {p.name: mode(p) for p in home.iterdir() if p.is_file()}
        assert mode(home) == 0o700
        assert files["live-status.json"] == 0o600
        assert files["crm.db"] == 0o600
        runner = CliRunner()
        backup = runner.invoke(app, ["backup", "--home", str(home)])
        assert backup.exit_code == 0, backup.stderr
        exported = tmp_path / "people.json"
        assert runner.invoke(app, ["export", "-o", str(exported), "--home", str(home)]).exit_code == 0
        with Workspace.open(home) as workspace:
            with db.transaction(workspace.conn):  # a user's write: it leaves the turn and writing files
                workspace.conn.execute("UPDATE people SET notes = 'met at the crag'")
            wal = {p.name: mode(p) for p in home.glob("crm.db-*")}
        assert wal == {"crm.db-wal": 0o600, "crm.db-shm": 0o600, "crm.db-turn": 0o600, "crm.db-writing": 0o600}
        assert mode(home / "backups") == 0o700
        assert [mode(p) for p in (home / "backups").iterdir()] == [0o600]
        assert mode(exported) == 0o600
        upload = home / "uploads" / "u1"
        with _mbox(tmp_path).open("rb") as handle:
            _save_and_check(get_importer("mail"), [UploadFile(handle, filename="a/m.mbox")], upload)
        assert (mode(home / "uploads"), mode(upload), mode(upload / "a"), mode(upload / "a" / "m.mbox")) == (
            0o700,
            0o700,
            0o700,
            0o600,
        )
    finally:
        os.umask(previous)


def _mbox(tmp_path: Path) -> Path:
    path = tmp_path / "m.mbox"
    path.write_bytes(
        b"From ana@x.org Thu Jan  2 10:00:00 2025\nFrom: Ana <ana@x.org>\nTo: me@example.org\n"
        b"Date: Thu, 2 Jan 2025 10:00:00 +0000\nMessage-ID: <a@x.org>\nSubject: hi\n\nhello\n"
    )
    return path


def test_a_home_open_to_others_is_repaired_on_open_with_one_notice(home, caplog):
    Workspace.open(home).close()
    (home / "backups").mkdir()
    (home / "backups" / "old.db").write_bytes(b"x")
    for path, loose in (
        (home, 0o755),
        (home / "crm.db", 0o644),
        (home / "backups", 0o775),
        (home / "backups" / "old.db", 0o664),
    ):
        os.chmod(path, loose)
    (home / "link").symlink_to("/etc/hostname")
    with caplog.at_level(logging.WARNING, logger="kithkin"):
        Workspace.open(home).close()
    assert [r.getMessage() for r in caplog.records] == [
        f"Kithkin made {home} private: 4 of its files and folders were open to other users."
    ]
    assert (mode(home), mode(home / "crm.db"), mode(home / "backups"), mode(home / "backups" / "old.db")) == (
        0o700,
        0o600,
        0o700,
        0o600,
    )
    caplog.clear()
    with caplog.at_level(logging.WARNING, logger="kithkin"):
        Workspace.open(home).close()
    assert caplog.records == []
