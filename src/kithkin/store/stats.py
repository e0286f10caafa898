"""Counts for the dashboard and `kithkin stats`."""

from __future__ import annotations

import sqlite3
from typing import Any

from kithkin.store import interactions, links, people, sources


def figures(conn: sqlite3.Connection) -> dict[str, Any]:
    return {
        "people": people.count_people(conn),
        "source_entities": conn.execute("SELECT COUNT(*) FROM source_entities").fetchone()[0],
        "interactions": conn.execute("SELECT COALESCE(SUM(count), 0) FROM interaction_counts").fetchone()[0],
        "relationships": conn.execute("SELECT COUNT(*) FROM relationships").fetchone()[0],
        "pending_links": links.pending_count(conn),
        "entities_by_source": sources.entity_counts_by_source(conn),
        "interactions_by_source": interactions.counts_by_source(conn),
        "interactions_by_month": interactions.counts_by_month(conn),
        "sources": sources.sync_states(conn),
        "coverage": coverage(conn),
    }


def sources_in_use(conn: sqlite3.Connection) -> int:
    """How many kinds of source have linked anyone (the denominator of strength's diversity), read from the
    source_type index: one seek per kind and one probe for a linked entity, instead of every entity (a
    decision spent ~4 ms on the plain COUNT(DISTINCT) at 20,000 entities)."""
    return conn.execute(
        """WITH RECURSIVE kinds(kind) AS (
               SELECT MIN(source_type) FROM source_entities
               UNION ALL
               SELECT (SELECT MIN(source_type) FROM source_entities WHERE source_type > kind) FROM kinds
               WHERE kind IS NOT NULL)
           SELECT COUNT(*) FROM kinds WHERE kind IS NOT NULL AND EXISTS
               (SELECT 1 FROM source_entities WHERE source_type = kind AND canonical_person_id IS NOT NULL)"""
    ).fetchone()[0]


def coverage(conn: sqlite3.Connection) -> list[dict[str, Any]]:
    """What each source brought, by source: identities seen, how many of them belong to a person (the
    user's own aside), those awaiting review, the people reached, interactions and the months they span,
    and the last sync."""
    found: dict[str, dict[str, Any]] = {}

    def row(source: str) -> dict[str, Any]:
        return found.setdefault(
            source,
            {
                "source_type": source,
                "entities": 0,
                "owner_entities": 0,
                "linked_entities": 0,
                "linked_share": 0.0,
                "pending_links": 0,
                "people": 0,
                "interactions": 0,
                "first_month": None,
                "last_month": None,
                "last_sync_at": None,
            },
        )

    # Counted from narrow ends: totals from the source_type index, the few unlinked rows through the
    # canonical_person_id index, people from each person's list of sources (one grouped DISTINCT over every
    # entity took ~180 ms at 200,000 entities; this ~40 ms).
    for source, entities in sources.entity_counts_by_source(conn).items():
        row(source).update(entities=entities, linked_entities=entities)
    for source, unlinked, owner in conn.execute(
        """SELECT source_type, COUNT(*), SUM(link_status = 'owner') FROM source_entities
           WHERE canonical_person_id IS NULL GROUP BY source_type"""
    ):
        row(source).update(owner_entities=owner, linked_entities=found[source]["entities"] - unlinked)
    for source, reached in conn.execute(
        "SELECT value, COUNT(*) FROM people, json_each(people.sources) WHERE merged_into IS NULL GROUP BY value"
    ):
        row(source)["people"] = reached
    for item in found.values():
        others = item["entities"] - item["owner_entities"]
        item["linked_share"] = round(item["linked_entities"] / others, 4) if others else 0.0
    for source, count in conn.execute(
        """SELECT se.source_type, COUNT(*) FROM pending_links pl JOIN source_entities se ON se.id = pl.source_entity_id
           WHERE pl.status = 'pending' GROUP BY se.source_type"""
    ):
        row(source)["pending_links"] = count
    for source, count, first, last in conn.execute(
        "SELECT source_type, SUM(count), MIN(month), MAX(month) FROM interaction_counts WHERE count > 0"
        " GROUP BY source_type"
    ):
        row(source).update(interactions=count, first_month=first, last_month=last)
    for source, last_sync in conn.execute("SELECT source_type, MAX(last_sync_at) FROM sync_state GROUP BY source_type"):
        row(source)["last_sync_at"] = last_sync
    return [found[source] for source in sorted(found)]


def arrival_mark(conn: sqlite3.Connection) -> str:
    """A mark that moves whenever interactions or source entities are added: their highest row ids, the last
    entry of each table (read in microseconds however large the store), cheap enough to poll."""
    row = conn.execute(
        "SELECT (SELECT COALESCE(MAX(rowid), 0) FROM interactions),"
        " (SELECT COALESCE(MAX(rowid), 0) FROM source_entities)"
    ).fetchone()
    return f"{row[0]}.{row[1]}"
