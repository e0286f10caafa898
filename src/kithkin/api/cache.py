"""Derived reads (statistics, suggestions, the graph) kept until the database next changes.

SQLite counts commits for us: `PRAGMA data_version` on one connection changes whenever any other
connection, in this process or another (an import job, the CLI), has committed since. A cached result is
served only while that number has not moved, so it is never staler than a fresh read would be.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Callable, Hashable
from pathlib import Path
from typing import Any

from kithkin.store import db

# Results kept per database version; parameters vary little (limits, relationship types).
MAX_ENTRIES = 32


class ReadCache:
    def __init__(self, database: Path) -> None:
        self._database = database
        self._watch: sqlite3.Connection | None = None
        self._lock = threading.Lock()
        self._version: int | None = None
        self._results: dict[Hashable, Any] = {}

    def _current_version(self) -> int:
        if self._watch is None:
            self._watch = db.connect(self._database, migrate=False)
        return self._watch.execute("PRAGMA data_version").fetchone()[0]

    def get(self, key: Hashable, compute: Callable[[], Any]) -> Any:
        """The result for `key` read at the current version of the database, computed when there is none."""
        with self._lock:
            version = self._current_version()
            if version != self._version:
                self._results.clear()
                self._version = version
            if key in self._results:
                return self._results[key]
        # A commit landing while this computes moves the version: the next request clears the result.
        result = compute()
        with self._lock:
            if self._version == version and len(self._results) < MAX_ENTRIES:
                self._results[key] = result
        return result

    def close(self) -> None:
        with self._lock:
            if self._watch is not None:
                self._watch.close()
                self._watch = None
