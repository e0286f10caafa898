"""What introductions are read from: the ties of some people, the user's own tie to each person, and a
relationship's figures for saying it in words."""

from __future__ import annotations

import json
import sqlite3
from typing import Any

from kithkin.store.db import plain_cursor


def ties_of(conn: sqlite3.Connection, person_ids: list[str], now: str) -> list[tuple[str, str, float, float | None]]:
    """(person, other, overlap score, days from their last time together to `now`) for every relationship of
    these people (one row per side they are on), the user's removals left out; the other may be merged away
    (the caller checks). SQLite counts the days: parsing the times in Python was a sixth of a request."""
    ids = json.dumps(person_ids)
    cursor = plain_cursor(conn)
    return cursor.execute(
        """SELECT person_a_id, person_b_id, overlap_score, julianday(?2) - julianday(last_seen_together)
           FROM relationships
           WHERE person_a_id IN (SELECT value FROM json_each(?1)) AND NOT user_deleted AND overlap_score > 0
           UNION ALL
           SELECT person_b_id, person_a_id, overlap_score, julianday(?2) - julianday(last_seen_together)
           FROM relationships
           WHERE person_b_id IN (SELECT value FROM json_each(?1)) AND NOT user_deleted AND overlap_score > 0""",
        (ids, now),
    ).fetchall()


def own_ties(conn: sqlite3.Connection, person_ids: list[str]) -> dict[str, tuple[str, float, int, int, str | None]]:
    """person → (name, strength, interactions, interactions in the last 90 days, last seen) for the live ones
    among these people: the user's own tie to each."""
    # json_each drives the join: with `id IN (SELECT value FROM json_each(?))` SQLite scanned every person
    # (9 ms of a 13 ms request at 5,000 people).
    rows = plain_cursor(conn).execute(
        """SELECT p.id, p.canonical_name, p.relationship_strength, p.interaction_count, p.interactions_90d,
                  p.last_seen
           FROM json_each(?) wanted CROSS JOIN people p ON p.id = wanted.value WHERE p.merged_into IS NULL""",
        (json.dumps(person_ids),),
    )
    return {row[0]: row[1:] for row in rows}


def tie(conn: sqlite3.Connection, a: str, b: str) -> dict[str, Any] | None:
    """The relationship between two people, with its shared contexts decoded; None when there is none."""
    first, second = sorted((a, b))
    row = conn.execute(
        """SELECT relationship_type, shared_contexts, shared_events_count, shared_threads_count, overlap_score,
                  first_seen_together, last_seen_together
           FROM relationships WHERE person_a_id = ? AND person_b_id = ?""",
        (first, second),
    ).fetchone()
    if row is None:
        return None
    return {**dict(row), "shared_contexts": json.loads(row["shared_contexts"] or "[]")}
