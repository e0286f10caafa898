"""WAL checkpoints on a thread of their own, after the server's writes, instead of inside a request.

SQLite copies the write-ahead log back into the database when a commit finds it past 1,000 pages, and that
commit pays for it: with 16 kB pages a merge writes ~250 of them, so every few decisions one waited for a
16 MB copy and its fsyncs. Request connections leave that to this thread (PASSIVE: it never waits for a
reader, and copies what it can); import jobs keep checkpointing their own large transactions.
"""

from __future__ import annotations

import sqlite3
import threading
from pathlib import Path

from kithkin.store import db


class Checkpointer:
    def __init__(self, database: Path) -> None:
        self._database = database
        self._wake = threading.Event()
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None

    def after_write(self) -> None:
        """A request committed: checkpoint soon, on the checkpointer's thread (started on first use)."""
        with self._lock:
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name="kithkin-checkpoint", daemon=True)
                self._thread.start()
        self._wake.set()

    def _run(self) -> None:
        conn: sqlite3.Connection | None = None
        while True:
            self._wake.wait()
            self._wake.clear()
            try:
                conn = conn or db.connect(self._database, migrate=False)
                conn.execute("PRAGMA wal_checkpoint(PASSIVE)")
            except sqlite3.Error:  # a busy or vanished database: the next write tries again
                conn = None
