"""A person's interactions across every source, newest first, a page at a time."""

from __future__ import annotations

import sqlite3
from typing import Any

from kithkin.store.interactions import interaction_to_dict, participants_of


def person_timeline(
    conn: sqlite3.Connection,
    person_id: str,
    *,
    source: str | None = None,
    before: tuple[str, int | None] | None = None,
    until: str | None = None,
    limit: int = 30,
) -> tuple[list[dict[str, Any]], int]:
    """Interactions any of the person's source entities took part in, newest first, with their participants.

    `before` is (occurred_at, id) of the last item already shown (id None: everything before that
    time); `until` (UTC ISO) leaves out what comes later, such as meetings still ahead. Returns the page and
    how many interactions the person has in all (with the source filter, up to `until`).
    """
    where = ["se.canonical_person_id = ?"]
    params: list[Any] = [person_id]
    if until:
        where.append("i.occurred_at <= ?")
        params.append(until)
    if source:
        where.append("i.source_type = ?")
        params.append(source)
    base = " AND ".join(where)
    joined = """FROM interactions i
                JOIN interaction_participants ip ON ip.interaction_id = i.id
                JOIN source_entities se ON se.id = ip.source_entity_id"""
    total = conn.execute(f"SELECT COUNT(DISTINCT i.id) {joined} WHERE {base}", params).fetchone()[0]
    page_where, page_params = base, list(params)
    if before is not None:
        moment, last_id = before
        if last_id is None:
            page_where += " AND i.occurred_at < ?"
            page_params.append(moment)
        else:
            page_where += " AND (i.occurred_at < ? OR (i.occurred_at = ? AND i.id < ?))"
            page_params.extend([moment, moment, last_id])
    rows = conn.execute(
        f"SELECT DISTINCT i.* {joined} WHERE {page_where} ORDER BY i.occurred_at DESC, i.id DESC LIMIT ?",
        [*page_params, limit],
    ).fetchall()
    items = [interaction_to_dict(row) for row in rows]
    who = participants_of(conn, [item["id"] for item in items])
    for item in items:
        item["participants"] = who.get(item["id"], [])
    return items, total


def upcoming_of(conn: sqlite3.Connection, person_id: str, now: str, limit: int) -> tuple[list[dict[str, Any]], int]:
    """The person's interactions after `now` (UTC ISO), soonest first, and how many there are: meetings
    ahead, not contact yet."""
    joined = """FROM interactions i
                JOIN interaction_participants ip ON ip.interaction_id = i.id
                JOIN source_entities se ON se.id = ip.source_entity_id
                WHERE se.canonical_person_id = ? AND i.occurred_at > ?"""
    total = conn.execute(f"SELECT COUNT(DISTINCT i.id) {joined}", (person_id, now)).fetchone()[0]
    rows = conn.execute(
        f"SELECT DISTINCT i.* {joined} ORDER BY i.occurred_at, i.id LIMIT ?", (person_id, now, limit)
    ).fetchall()
    return [interaction_to_dict(row) for row in rows], total


def latest_of_entities(conn: sqlite3.Connection, entity_ids: list[str]) -> dict[str, dict[str, Any]]:
    """For each source entity, its latest interaction with words in it (title or snippet): source_type, kind,
    occurred_at, title, snippet. The evidence a reviewer reads before deciding who the entity is."""
    found: dict[str, dict[str, Any]] = {}
    for entity_id in dict.fromkeys(entity_ids):
        row = conn.execute(
            """SELECT i.source_type, i.kind, i.occurred_at, i.title, i.snippet FROM interaction_participants ip
               JOIN interactions i ON i.id = ip.interaction_id
               WHERE ip.source_entity_id = ? AND (i.title IS NOT NULL OR i.snippet IS NOT NULL)
               ORDER BY i.occurred_at DESC LIMIT 1""",
            (entity_id,),
        ).fetchone()
        if row is not None:
            found[entity_id] = dict(row)
    return found
