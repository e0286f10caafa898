"""Relationships between two people (inferred from shared contexts, or stated by the user)."""

from __future__ import annotations

import json
import sqlite3
from typing import Any


def of_person(conn: sqlite3.Connection, person_id: str, limit: int = 50) -> list[dict[str, Any]]:
    """A person's relationships, strongest overlap first, seen from their side."""
    rows = conn.execute(
        """SELECT r.*, p.id AS other_id, p.canonical_name AS other_name
           FROM relationships r JOIN people p
             ON p.id = CASE WHEN r.person_a_id = ? THEN r.person_b_id ELSE r.person_a_id END
           WHERE (r.person_a_id = ? OR r.person_b_id = ?) AND p.merged_into IS NULL
           ORDER BY r.overlap_score DESC, r.id LIMIT ?""",
        (person_id, person_id, person_id, limit),
    ).fetchall()
    return [
        {
            **dict(r),
            "person_id": r["other_id"],
            "person_name": r["other_name"],
            "shared_contexts": json.loads(r["shared_contexts"] or "[]"),
            "user_confirmed": bool(r["user_confirmed"]),
        }
        for r in rows
    ]


def among(conn: sqlite3.Connection, person_ids: list[str]) -> list[dict[str, Any]]:
    """The relationships whose two people are both in `person_ids` (ids passed as one JSON array), as
    graph edges: source, target, relationship_type, overlap_score."""
    ids = json.dumps(person_ids)
    rows = conn.execute(
        """SELECT person_a_id AS source, person_b_id AS target, relationship_type, overlap_score FROM relationships
           WHERE person_a_id IN (SELECT value FROM json_each(?)) AND person_b_id IN (SELECT value FROM json_each(?))
           ORDER BY overlap_score DESC, id""",
        (ids, ids),
    ).fetchall()
    return [dict(row) for row in rows]


def ties_of_strong_people(conn: sqlite3.Connection, strong_min: float, weak_max: float) -> list[dict[str, Any]]:
    """Each relationship between a strong tie (strength ≥ strong_min) and someone the user barely knows
    (strength < weak_max): candidate_id, via_id, via_name, overlap_score."""
    rows = conn.execute(
        """SELECT other.id AS candidate_id, strong.id AS via_id, strong.canonical_name AS via_name, r.overlap_score
           FROM relationships r
           JOIN people strong ON strong.id IN (r.person_a_id, r.person_b_id)
           JOIN people other ON other.id = CASE WHEN r.person_a_id = strong.id THEN r.person_b_id ELSE r.person_a_id END
           WHERE strong.relationship_strength >= ? AND other.relationship_strength < ?
             AND strong.merged_into IS NULL AND other.merged_into IS NULL""",
        (strong_min, weak_max),
    ).fetchall()
    return [dict(row) for row in rows]
