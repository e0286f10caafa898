"""Meetings: the ones coming up, and who is invited to one."""

from __future__ import annotations

import sqlite3
from typing import Any

from kithkin.store.interactions import interaction_to_dict

# A recurring series is one meeting to prepare for: its occurrences share the calendar's UID.
_SERIES = "CASE WHEN json_extract(metadata, '$.recurring') THEN json_extract(metadata, '$.uid') END"


def upcoming(conn: sqlite3.Connection, since: str, limit: int) -> tuple[list[dict[str, Any]], int]:
    """Meetings at or after `since` (UTC ISO), soonest first, a recurring series once (its next occurrence,
    with `series_ahead`: how many of its occurrences are ahead), and how many such entries there are."""
    ahead = f"""SELECT *, COALESCE({_SERIES}, 'one:' || id) AS series FROM interactions
                WHERE kind = 'meeting' AND occurred_at >= ?"""
    total = conn.execute(f"SELECT COUNT(DISTINCT series) FROM ({ahead})", (since,)).fetchone()[0]
    rows = conn.execute(
        f"""SELECT * FROM (
                SELECT *, ROW_NUMBER() OVER (PARTITION BY series ORDER BY occurred_at, id) AS position,
                       COUNT(*) OVER (PARTITION BY series) AS series_ahead
                FROM ({ahead}))
            WHERE position = 1 ORDER BY occurred_at, id LIMIT ?""",
        (since, limit),
    ).fetchall()
    found = []
    for row in rows:
        item = interaction_to_dict(row)
        for extra in ("series", "position"):
            item.pop(extra, None)
        item["recurring"] = not row["series"].startswith("one:")
        found.append(item)
    return found, total


def get_meeting(conn: sqlite3.Connection, meeting_id: int) -> dict[str, Any] | None:
    row = conn.execute("SELECT * FROM interactions WHERE id = ? AND kind = 'meeting'", (meeting_id,)).fetchone()
    return interaction_to_dict(row) if row else None


def attendees(conn: sqlite3.Connection, meeting_id: int) -> list[dict[str, Any]]:
    """Everyone on the invitation but the owner: role, what the calendar said, and the person if linked."""
    rows = conn.execute(
        """SELECT ip.role, se.id AS source_entity_id, se.observed_name, se.observed_email, se.observed_phone,
                  se.canonical_person_id
           FROM interaction_participants ip JOIN source_entities se ON se.id = ip.source_entity_id
           WHERE ip.interaction_id = ? AND COALESCE(se.link_status, '') != 'owner'
           ORDER BY ip.role = 'organizer' DESC, se.observed_name COLLATE NOCASE, se.id""",
        (meeting_id,),
    ).fetchall()
    return [dict(row) for row in rows]
