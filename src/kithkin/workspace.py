"""A Kithkin home opened for work: its settings, mappings and database connection."""

from __future__ import annotations

import os
import sqlite3
from dataclasses import dataclass
from pathlib import Path

from kithkin.config import DATABASE_FILE, Mappings, Settings, load_mappings, load_settings
from kithkin.store import db


@dataclass
class Workspace:
    home: Path
    settings: Settings
    mappings: Mappings
    conn: sqlite3.Connection

    @classmethod
    def open(cls, home: Path) -> Workspace:
        home = Path(home).expanduser()
        home.mkdir(parents=True, exist_ok=True)
        settings = load_settings(home)
        mappings = load_mappings(home)
        return cls(home=home, settings=settings, mappings=mappings, conn=db.connect(home / DATABASE_FILE))

    @property
    def database_path(self) -> Path:
        return self.home / DATABASE_FILE

    def reader(self) -> sqlite3.Connection:
        """A second connection for reads that must not wait on this one's writes (WAL)."""
        return db.connect(self.database_path, migrate=False)

    def close(self) -> None:
        self.conn.close()

    def __enter__(self) -> Workspace:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()


def write_private(path: Path, text: str) -> None:
    """Write a file only its owner may read or change: an export holds everything anyone said to the user."""
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    os.fchmod(descriptor, 0o600)  # a file that existed keeps its old mode through O_CREAT
    with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
        handle.write(text)
