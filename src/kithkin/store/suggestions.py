"""The suggestions ("people you may know") the user dismissed, remembered for good."""

from __future__ import annotations

import sqlite3

from kithkin.models import now_utc, utc_iso


def dismiss(conn: sqlite3.Connection, person_id: str) -> None:
    conn.execute(
        "INSERT OR IGNORE INTO dismissed_suggestions (person_id, dismissed_at) VALUES (?, ?)",
        (person_id, utc_iso(now_utc())),
    )


def dismissed(conn: sqlite3.Connection) -> set[str]:
    return {row[0] for row in conn.execute("SELECT person_id FROM dismissed_suggestions")}
