"""Request connections kept from one request to the next.

Opening a connection per request ran its pragmas again and started every request with an empty page
cache: a search filtered to a busy person took 10.5 ms of CPU on a new connection against 7.8 ms on a
warm one (bench/search.py, issue 17). Connections go back only when the request left no transaction
open; a few are kept, the rest closed.
"""

from __future__ import annotations

import sqlite3
import threading
from pathlib import Path

from kithkin.store import db

KEPT = 8  # the read slots (admission.py) and a few writes at once


class ConnectionPool:
    def __init__(self, database: Path, *, kept: int = KEPT) -> None:
        self._database, self._kept = database, kept
        self._idle: list[sqlite3.Connection] = []
        self._lock = threading.Lock()

    def take(self) -> sqlite3.Connection:
        with self._lock:
            if self._idle:
                return self._idle.pop()
        conn = db.connect(self._database, migrate=False)
        # A request never checkpoints the WAL itself: the app's checkpointer does, after it (see checkpoint.py).
        conn.execute("PRAGMA wal_autocheckpoint=0")
        return conn

    def give_back(self, conn: sqlite3.Connection) -> None:
        if not conn.in_transaction:
            with self._lock:
                if len(self._idle) < self._kept:
                    self._idle.append(conn)
                    return
        conn.close()  # more than are kept, or left mid-transaction by a failure: its state is not to be trusted

    def close(self) -> None:
        with self._lock:
            idle, self._idle = self._idle, []
        for conn in idle:
            conn.close()
