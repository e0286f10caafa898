"""`kithkin backup` / `kithkin restore`, and the backup every migration takes first."""

from __future__ import annotations

import json
import sqlite3

from typer.testing import CliRunner

from kithkin.cli import app
from kithkin.store import db
from kithkin.workspace import Workspace
from tests.helpers import at, feed, message, person

runner = CliRunner()


def people_count(home) -> int:
    with Workspace.open(home) as workspace:
        return workspace.conn.execute("SELECT COUNT(*) FROM people").fetchone()[0]


def test_backup_then_restore_brings_the_data_back(home, tmp_path):
    with Workspace.open(home) as workspace:
        feed(workspace, "mail", [message("m1", at(1), person("ana@x.org", "Ana Silva", "ana@x.org"))])
    result = runner.invoke(app, ["backup", "--home", str(home), "--json"])
    assert result.exit_code == 0
    backup_file = json.loads(result.stdout)["backup"]
    with Workspace.open(home) as workspace:
        feed(workspace, "mail", [message("m2", at(2), person("ben@x.org", "Ben Okafor", "ben@x.org"))])
    assert people_count(home) == 2
    result = runner.invoke(app, ["restore", backup_file, "--home", str(home), "--json"])
    assert result.exit_code == 0
    assert people_count(home) == 1
    previous = json.loads(result.stdout)["previous"]
    assert sqlite3.connect(previous).execute("SELECT COUNT(*) FROM people").fetchone()[0] == 2


def test_restore_refuses_a_file_that_is_not_a_backup(home, tmp_path):
    with Workspace.open(home) as workspace:
        feed(workspace, "mail", [message("m1", at(1), person("ana@x.org", "Ana Silva", "ana@x.org"))])
    junk = tmp_path / "junk.db"
    junk.write_bytes(b"\x00garbage" * 500)
    result = runner.invoke(app, ["restore", str(junk), "--home", str(home)])
    assert result.exit_code == 1
    assert "junk.db is not a Kithkin backup" in result.stderr
    assert people_count(home) == 1


def test_a_migration_backs_the_database_up_first(tmp_path, monkeypatch):
    path = tmp_path / "crm.db"
    conn = sqlite3.connect(path, isolation_level=None)
    db.apply_migrations(conn, up_to=1)
    conn.execute("INSERT INTO people (id, canonical_name, created_at, updated_at) VALUES ('p1', 'Ana', 'x', 'x')")
    conn.close()
    shipped = db.available_migrations()
    probe = (shipped[-1][0] + 1, "probe.sql", "CREATE TABLE probe (x);")  # so an upgrade exists whatever ships
    monkeypatch.setattr(db, "available_migrations", lambda: [*shipped, probe])
    db.connect(path).close()
    first_upgrade = next(version for version, _, _ in [*shipped, probe] if version > 1)
    (copy,) = (tmp_path / "backups").glob(f"before-migration-{first_upgrade:04d}-*.db")
    saved = sqlite3.connect(copy)
    assert saved.execute("SELECT canonical_name FROM people").fetchall() == [("Ana",)]
    assert saved.execute("SELECT MAX(version) FROM schema_migrations").fetchone()[0] == 1
