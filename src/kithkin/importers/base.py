"""The importer interface (ARCHITECTURE.md) and the helpers every importer shares."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, ClassVar, Protocol, runtime_checkable

from kithkin.importers import limits
from kithkin.models import ImportFormatError, Observation

APPLE_EPOCH = datetime(2001, 1, 1, tzinfo=UTC)
ZIP_ERRORS = limits.ZIP_ERRORS


@runtime_checkable
class Importer(Protocol):
    """Parses one source. Yields observations, or an Exception for a bad record (one bad row never
    stops an import); raises ImportFormatError when the whole file is not of its format."""

    source_type: ClassVar[str]

    def sniff(self, path: Path) -> bool:
        """Is this file (or folder) one this importer reads?"""
        ...

    def read(self, path: Path, cursor: str | None) -> Iterator[Observation | Exception]:
        """Observations after `cursor` (None: from the start)."""
        ...

    def cursor(self) -> str | None:
        """Where the next sync resumes, valid once `read` has been consumed."""
        ...


def tally(report: dict[str, Any], section: str, what: str, amount: int = 1) -> None:
    """Count `amount` of `what` under `section` of an importer's coverage `report`.

    The sections every importer uses, so that the CLI and the UI can show any of them without knowing
    the source: "read" (what the input held, per kind), "imported" (what was handed to the store, per
    kind), "left_out" (what was not imported, per reason) and "kept_as_observed" (imported, but not
    usable as evidence, per reason). Counts add up over the files of one import (ingest.add_report).
    """
    counts = report.setdefault(section, {})
    counts[what] = counts.get(what, 0) + amount


def open_sqlite_readonly(path: Path, *, immutable: bool = True) -> sqlite3.Connection:
    """Open another app's SQLite file read-only: never modified. Immutable (no locks, no WAL read) for
    an export or a copy; `immutable=False` for a database its app is writing right now, whose newest
    rows may still sit in its write-ahead log.

    Raises ImportFormatError when the file is not SQLite at all.
    """
    if not path.is_file():
        raise ImportFormatError(path, "no such file; check the path")
    uri = f"file:{path.resolve().as_posix()}?mode=ro" + ("&immutable=1" if immutable else "")
    conn = sqlite3.connect(uri, uri=True, check_same_thread=False)
    conn.row_factory = sqlite3.Row
    try:
        conn.execute("SELECT name FROM sqlite_master LIMIT 1").fetchall()
    except sqlite3.DatabaseError as exc:
        conn.close()
        raise ImportFormatError(path, "is not an SQLite database (corrupt or another kind of file)") from exc
    return conn


def table_columns(conn: sqlite3.Connection, table: str) -> set[str]:
    """The columns a table has (schemas vary by OS/app version): empty when the table is missing."""
    return {row[1] for row in conn.execute(f"PRAGMA table_info({table!r})")}


def apple_time(value: float | int | None) -> datetime | None:
    """Core Data / Apple epoch: seconds since 2001 in old files, nanoseconds in new ones."""
    if value is None or value == 0:
        return None
    seconds = value / 1e9 if abs(value) > 1e11 else float(value)
    return APPLE_EPOCH + timedelta(seconds=seconds)


def read_text_lenient(path: Path, limit: int = limits.TEXT_FILE) -> str:
    """A text file as UTF-8 (BOM stripped), falling back to Latin-1 for legacy exports; ImportFormatError
    when it is larger than `limit`, before it is read."""
    data = limits.read_bytes(path, limit, "text export")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("latin-1")


def iter_files(paths: list[Path], suffixes: tuple[str, ...]) -> Iterator[Path]:
    """Files named directly, and those with a matching suffix inside named folders, sorted."""
    for path in paths:
        if path.is_dir():
            yield from sorted(p for p in path.rglob("*") if p.is_file() and p.suffix.lower() in suffixes)
        else:
            yield path
