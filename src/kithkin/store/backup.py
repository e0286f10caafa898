"""Online backups of the database (SQLite's backup API: consistent while others read and write)."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

from kithkin import private_files
from kithkin.models import KithkinError, now_utc


def database_file(conn: sqlite3.Connection) -> Path | None:
    row = next((r for r in conn.execute("PRAGMA database_list") if r[1] == "main"), None)
    return Path(row[2]) if row and row[2] else None


def timestamped_name(prefix: str) -> str:
    return f"{prefix}-{now_utc().strftime('%Y%m%d-%H%M%S-%f')}.db"


def backup_to(conn: sqlite3.Connection, target: Path) -> Path:
    """Copy the live database to `target` (a new file) and verify the copy."""
    private_files.private_folder(target.parent)
    try:
        private_files.create_private(target, exclusive=True)  # a copy of everything: the owner's alone
    except FileExistsError:
        raise KithkinError(f"{target} already exists; choose another file name.") from None
    destination = sqlite3.connect(target)
    try:
        conn.backup(destination)
        destination.execute("PRAGMA journal_mode=DELETE")
        verdict = destination.execute("PRAGMA quick_check").fetchone()[0]
    finally:
        destination.close()
    if verdict != "ok":
        target.unlink(missing_ok=True)
        raise KithkinError(f"The backup written to {target} failed its check ({verdict}); try again.")
    return target


def check_backup(path: Path) -> int:
    """The schema version of a backup file; a clear error when it is not a sound Kithkin database."""
    if not path.is_file():
        raise KithkinError(f"{path} does not exist; give the path of a backup file.")
    try:
        conn = sqlite3.connect(f"file:{path.resolve().as_posix()}?mode=ro", uri=True)
        try:
            verdict = conn.execute("PRAGMA integrity_check").fetchone()[0]
            version = conn.execute("SELECT MAX(version) FROM schema_migrations").fetchone()[0]
        finally:
            conn.close()
    except sqlite3.DatabaseError as exc:
        raise KithkinError(
            f"{path} is not a Kithkin backup ({exc}); choose a file written by `kithkin backup`."
        ) from exc
    if verdict != "ok":
        raise KithkinError(f"{path} is damaged ({verdict}); choose another backup.")
    return int(version or 0)


def restore_from(backup: Path, database: Path, safety_copy: Path) -> None:
    """Replace `database` by `backup`, keeping the current database at `safety_copy` first.

    The caller must have closed every connection to `database`.
    """
    check_backup(backup)
    if database.exists():
        source = sqlite3.connect(database)
        try:
            backup_to(source, safety_copy)
        finally:
            source.close()
    for suffix in ("-wal", "-shm"):
        Path(f"{database}{suffix}").unlink(missing_ok=True)
    staging = database.with_suffix(".restoring")
    shutil.copyfile(backup, staging)
    private_files.make_private(staging)
    staging.replace(database)  # atomic on one filesystem: never a half-written crm.db
