"""What tells where people work: the company each source said (contact cards, LinkedIn, Slack profiles…)
and the people's own rows (company, title, emails, strength, last contact)."""

from __future__ import annotations

import json
import sqlite3
from typing import Any

from kithkin.store.db import plain_cursor


def stated_companies(conn: sqlite3.Connection) -> list[tuple[str, str, str]]:
    """(person id, source type, company) for every source entity of a live person whose metadata names a
    company, oldest entity first."""
    return (
        plain_cursor(conn)
        .execute(
            """SELECT se.canonical_person_id, se.source_type, json_extract(se.metadata, '$.company')
           FROM source_entities se JOIN people p ON p.id = se.canonical_person_id
           WHERE p.merged_into IS NULL AND se.metadata LIKE '%"company"%'
             AND json_valid(se.metadata) AND json_type(se.metadata, '$.company') = 'text'
           ORDER BY se.observed_at, se.id"""
        )
        .fetchall()
    )


def working_people(conn: sqlite3.Connection) -> dict[str, dict[str, Any]]:
    """Live people with a company or an email: id → id, canonical_name, company, position, emails (a list),
    relationship_strength, last_seen, interaction_count."""
    rows = conn.execute(
        """SELECT id, canonical_name, company, position, emails, relationship_strength, last_seen, interaction_count
           FROM people WHERE merged_into IS NULL AND (company IS NOT NULL OR emails != '[]')"""
    ).fetchall()
    return {row["id"]: {**dict(row), "emails": json.loads(row["emails"] or "[]")} for row in rows}
