"""Which people's derived figures (strength, quick facts) wait to be recomputed: kept in the database so
that a killed import leaves the debt written down in the same transaction as the data that caused it."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable


def mark_dirty(conn: sqlite3.Connection, person_ids: Iterable[str]) -> None:
    conn.executemany("INSERT OR IGNORE INTO derived_dirty (person_id) VALUES (?)", ((p,) for p in person_ids))


def dirty_people(conn: sqlite3.Connection) -> set[str]:
    return {r[0] for r in conn.execute("SELECT person_id FROM derived_dirty")}


def clear(conn: sqlite3.Connection) -> None:
    conn.execute("DELETE FROM derived_dirty")
