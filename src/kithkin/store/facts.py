"""Quick facts about people and the raw material they are read from."""

from __future__ import annotations

import json
import sqlite3
from typing import Any


def entity_metadata(conn: sqlite3.Connection, person_id: str) -> list[dict[str, Any]]:
    """The person's source entities with their metadata, oldest observation first."""
    return [
        {**dict(r), "metadata": json.loads(r["metadata"]) if r["metadata"] else {}}
        for r in conn.execute(
            "SELECT id, source_type, observed_at, metadata FROM source_entities"
            " WHERE canonical_person_id = ? ORDER BY observed_at, id",
            (person_id,),
        )
    ]


def interactions_of(
    conn: sqlite3.Connection, person_id: str, *, newest: bool, limit: int, until: str | None = None
) -> list[dict[str, Any]]:
    """The person's interactions up to `until` (UTC ISO; default: now), newest or oldest first."""
    order = "DESC" if newest else "ASC"
    return _first_distinct(
        conn,
        person_id,
        f"""SELECT i.id, i.kind, i.source_type, i.occurred_at, i.title, i.snippet FROM source_entities se
            JOIN interaction_participants ip ON ip.source_entity_id = se.id
            JOIN interactions i ON i.id = ip.interaction_id
            WHERE se.canonical_person_id = ? AND i.occurred_at <= COALESCE(?, strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))
            ORDER BY i.occurred_at {order}, i.id LIMIT ?""",
        (person_id, until),
        limit,
    )


def notes_mentioning(conn: sqlite3.Connection, person_id: str, limit: int = 50) -> list[dict[str, Any]]:
    """Notes (vault, meeting transcripts) the person appears in, with their text snippets."""
    return _first_distinct(
        conn,
        person_id,
        """SELECT i.id, i.source_type, i.occurred_at, i.title, i.snippet FROM source_entities se
           JOIN interaction_participants ip ON ip.source_entity_id = se.id
           JOIN interactions i ON i.id = ip.interaction_id
           WHERE se.canonical_person_id = ? AND i.kind = 'note' AND i.snippet IS NOT NULL
           ORDER BY i.occurred_at DESC, i.id LIMIT ?""",
        (person_id,),
        limit,
    )


def _first_distinct(
    conn: sqlite3.Connection, person_id: str, query: str, params: tuple[Any, ...], limit: int
) -> list[dict[str, Any]]:
    """The first `limit` different interactions `query` lists (it ends in LIMIT ?). An interaction appears
    once per entity of the person taking part, so enough rows are asked for that `limit` stay different:
    SQL's DISTINCT instead kept every one of the person's interactions to compare (in memory: the temp
    store is) — 170 MB for the two sides of a decade-long WhatsApp chat, where a LIMIT alone keeps a few."""
    copies = conn.execute(
        "SELECT COUNT(*) FROM source_entities WHERE canonical_person_id = ?", (person_id,)
    ).fetchone()[0]
    found: dict[int, dict[str, Any]] = {}
    for row in conn.execute(query, (*params, limit * max(copies, 1))):
        found.setdefault(row["id"], dict(row))
        if len(found) == limit:
            break
    return list(found.values())


def replace_facts(conn: sqlite3.Connection, person_id: str, facts: list[dict[str, Any]]) -> None:
    conn.execute("DELETE FROM facts WHERE person_id = ?", (person_id,))
    conn.executemany(
        "INSERT OR IGNORE INTO facts (person_id, kind, value, source_type, source_ref, observed_at)"
        " VALUES (:person_id, :kind, :value, :source_type, :source_ref, :observed_at)",
        [{**f, "person_id": person_id} for f in facts],
    )


def facts_of(conn: sqlite3.Connection, person_id: str) -> list[dict[str, Any]]:
    return [
        dict(r)
        for r in conn.execute(
            "SELECT kind, value, source_type, source_ref, observed_at FROM facts WHERE person_id = ?"
            " ORDER BY kind, observed_at DESC, value",
            (person_id,),
        )
    ]
