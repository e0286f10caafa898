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
    limit: int = 30,
) -> tuple[list[dict[str, Any]], int]:
    """Interactions any of the person's source entities took part in, newest first, with their participants.

    `before` is (occurred_at, id) of the last item already shown (id None: everything before that
    time). Returns the page and how many interactions the person has in all (with the source filter).
    """
    where = ["se.canonical_person_id = ?"]
    params: list[Any] = [person_id]
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
