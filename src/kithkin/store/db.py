"""Connection, pragmas, transactions and the numbered-migration runner."""

from __future__ import annotations

import fcntl
import os
import re
import sqlite3
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from importlib import resources
from pathlib import Path

from kithkin.models import KithkinError, now_utc, utc_iso

TURN_SUFFIX = "-turn"
WRITING_SUFFIX = "-writing"
BUSY_TIMEOUT_MS = 30_000
WRITER_POLL_SECONDS = 0.005
MIGRATION_NAME = re.compile(r"^(\d{4})_[a-z0-9_]+\.sql$")


def connect(path: Path | str, *, migrate: bool = True) -> sqlite3.Connection:
    """Open (creating if needed) a Kithkin database with WAL and foreign keys, migrated to the latest.

    The connection is in autocommit mode: writes go through `transaction()` so each batch is atomic.
    """
    try:
        conn = sqlite3.connect(str(path), isolation_level=None, check_same_thread=False, timeout=BUSY_TIMEOUT_MS / 1000)
    except sqlite3.OperationalError as exc:
        raise KithkinError(f"Cannot open the database {path}: {exc}; check the path and its permissions.") from exc
    conn.row_factory = sqlite3.Row
    try:
        # Larger pages cut B-tree splits on bulk imports (measured ~1.3x); only takes effect on a new file.
        conn.execute("PRAGMA page_size=16384")
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA foreign_keys=ON")
        conn.execute("PRAGMA synchronous=NORMAL")
        conn.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
        conn.execute("PRAGMA temp_store=MEMORY")
        conn.execute("PRAGMA cache_size=-65536")
        if migrate:
            apply_migrations(conn)
    except sqlite3.DatabaseError as exc:
        conn.close()
        raise KithkinError(
            f"{path} is not a usable Kithkin database ({exc}); restore it from a backup or choose another home."
        ) from exc
    return conn


def plain_cursor(conn: sqlite3.Connection) -> sqlite3.Cursor:
    """A cursor yielding plain tuples: reads of thousands of rows pay for building sqlite3.Row objects otherwise."""
    cursor = conn.cursor()
    cursor.row_factory = None
    return cursor


@contextmanager
def transaction(conn: sqlite3.Connection, *, background: bool = False) -> Iterator[sqlite3.Connection]:
    """One atomic write: BEGIN IMMEDIATE … COMMIT, rolled back on any exception.

    Nested use joins the outer transaction, so a service can call another service's writes.
    A `background` writer (an import, a sync: many transactions in a row) lets every user write that is
    waiting go first; see `_write_turn`.
    """
    if conn.in_transaction:
        yield conn
        return
    with _write_turn(conn, background) as let_next_writer_in:
        conn.execute("BEGIN IMMEDIATE")
        try:
            yield conn
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        # The next writer waits on SQLite's lock for the commit's own writes, its first sleeps short, and
        # not for the checkpoint SQLite may run after them, the lock let go (35-180 ms of the import's
        # commits at p95 among 50 readers).
        let_next_writer_in()
        conn.execute("COMMIT")


@contextmanager
def _write_turn(conn: sqlite3.Connection, background: bool) -> Iterator[Callable[[], None]]:
    """Writers queue for SQLite's one write lock by polling it with growing sleeps, so an import that
    begins its next transaction the moment it commits the last one wins nearly every time: a user's
    note edit waited 2.6 s at p95 and an undo 10.9 s behind one (issue 18). A turn file beside the
    database evens that out across processes: a user write holds it shared while it waits and writes
    (and stamps it: `user_wrote_within`); a background writer takes it exclusively (waiting while any
    user write holds it) and lets go at once, before each of its transactions. A user write then waits
    for one background transaction at most, and not a moment longer: see `_one_writer`."""
    path = _database_path(conn)
    if path is None:  # an in-memory database has no other process to share it with
        yield _nobody
        return
    try:
        # Only user writes create the file: until one has, a background writer has nobody to wait for.
        descriptor = os.open(f"{path}{TURN_SUFFIX}", os.O_RDWR if background else os.O_RDWR | os.O_CREAT, 0o600)
    except FileNotFoundError:
        yield _nobody
        return
    try:
        if background:
            fcntl.flock(descriptor, fcntl.LOCK_EX)
            fcntl.flock(descriptor, fcntl.LOCK_UN)
        else:
            fcntl.flock(descriptor, fcntl.LOCK_SH)
            os.utime(descriptor)
        with _one_writer(path) as let_next_writer_in:
            yield let_next_writer_in
    finally:
        os.close(descriptor)


@contextmanager
def _one_writer(path: str) -> Iterator[Callable[[], None]]:
    """Each writer holds a second file for as long as its transaction is open, and the next one polls it
    every few milliseconds: waiting on SQLite's lock instead, whose sleeps grow to 100 ms, a note edit
    among 50 readers got the lock 40 ms after the import had committed at p50 and 200 ms at p95
    (bench/load.py), and writes that had waited together then waited on each other the same way.
    No longer than SQLite would wait: a writer that hangs still fails the others as it did."""
    descriptor = os.open(f"{path}{WRITING_SUFFIX}", os.O_RDWR | os.O_CREAT, 0o600)
    deadline = time.monotonic() + BUSY_TIMEOUT_MS / 1000
    try:
        while True:
            try:
                fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() > deadline:
                    raise sqlite3.OperationalError("database is locked") from None
                time.sleep(WRITER_POLL_SECONDS)
        yield lambda: fcntl.flock(descriptor, fcntl.LOCK_UN)
    finally:
        os.close(descriptor)


def _nobody() -> None:
    """No writer to let in: the database is in memory, or no user has written to it."""


def user_wrote_within(conn: sqlite3.Connection, seconds: float) -> bool:
    """Whether a user write (any transaction not marked background) began in the last `seconds`, in any
    process: background writers keep their transactions short while the user is at work."""
    path = _database_path(conn)
    try:
        return path is not None and time.time() - os.stat(f"{path}{TURN_SUFFIX}").st_mtime < seconds
    except FileNotFoundError:
        return False


def _database_path(conn: sqlite3.Connection) -> str | None:
    for _, name, path in conn.execute("PRAGMA database_list"):
        if name == "main":
            return path or None
    return None


def available_migrations() -> list[tuple[int, str, str]]:
    """(version, name, sql) of every migration shipped with the package, in order."""
    found = []
    for entry in resources.files("kithkin.store.migrations").iterdir():
        match = MIGRATION_NAME.match(entry.name)
        if match:
            found.append((int(match.group(1)), entry.name, entry.read_text(encoding="utf-8")))
    return sorted(found)


def schema_version(conn: sqlite3.Connection) -> int:
    row = conn.execute("SELECT name FROM sqlite_master WHERE type='table' AND name='schema_migrations'").fetchone()
    if row is None:
        return 0
    return conn.execute("SELECT COALESCE(MAX(version), 0) FROM schema_migrations").fetchone()[0]


def pending_migrations(conn: sqlite3.Connection) -> list[tuple[int, str, str]]:
    current = schema_version(conn)
    return [m for m in available_migrations() if m[0] > current]


def apply_migrations(conn: sqlite3.Connection, *, up_to: int | None = None) -> list[str]:
    """Apply every migration newer than the database, each in its own transaction; return their names."""
    conn.execute(
        "CREATE TABLE IF NOT EXISTS schema_migrations ("
        " version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)"
    )
    applied = []
    pending = pending_migrations(conn)
    if pending and schema_version(conn) > 0:
        _backup_before_migrating(conn, pending[0][0])
    for version, name, sql in pending:
        if up_to is not None and version > up_to:
            break
        # executescript would commit on its own; run statement by statement inside one transaction. Not a
        # user's write: marked as one, it made the import that follows a new home's migrations take small
        # batches for its first 30 s (bench/import_imessage.py 6.0 -> 11.3 s).
        with transaction(conn, background=True):
            for statement in split_sql(sql):
                conn.execute(statement)
            conn.execute(
                "INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)",
                (version, name, utc_iso(now_utc())),
            )
        applied.append(name)
    return applied


def split_sql(script: str) -> list[str]:
    """Split a migration into complete statements (handles triggers' inner semicolons)."""
    statements, buffer = [], ""
    for line in script.splitlines(keepends=True):
        if line.strip().startswith("--"):
            continue
        buffer += line
        if sqlite3.complete_statement(buffer):
            if buffer.strip():
                statements.append(buffer.strip())
            buffer = ""
    if buffer.strip():
        statements.append(buffer.strip())
    return statements


def _backup_before_migrating(conn: sqlite3.Connection, next_version: int) -> None:
    """An upgrade never risks the user's data: copy the database beside itself before migrating."""
    from kithkin.store.backup import backup_to, database_file, timestamped_name

    path = database_file(conn)
    if path is not None:
        backup_to(conn, path.parent / "backups" / timestamped_name(f"before-migration-{next_version:04d}"))
