"""A Kithkin home opened for work: its settings, mappings and database connection."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from pathlib import Path

from kithkin import private_files
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
        private_files.keep_new_files_private()
        home = private_files.private_folder(Path(home).expanduser())
        private_files.repair_home(home)
        settings = load_settings(home)
        mappings = load_mappings(home)
        # SQLite creates the WAL and SHM files with the database file's mode.
        private_files.create_private(home / DATABASE_FILE)
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

