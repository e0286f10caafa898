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
    }
