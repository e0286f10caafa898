"""The network as the graph views draw it: people, their ties, and the communities they form; for the
whole network (the strongest people) or around one person (an ego network)."""

from __future__ import annotations

import sqlite3
from dataclasses import asdict
from datetime import datetime, timedelta
from typing import Any

from kithkin.insight import communities
from kithkin.models import utc_iso
from kithkin.store import people, relationships

PERIODS = {"all": None, "year": timedelta(days=365)}


def since(period: str, now: datetime) -> str | None:
    """The start of a period ("year": the last 12 months) as UTC ISO; None for all time."""
    span = PERIODS[period]
    return utc_iso(now - span) if span else None


def whole(
    conn: sqlite3.Connection, limit: int, types: list[str] | None = None, seen_since: str | None = None
) -> dict[str, Any]:
    """The `limit` strongest people (seen since `seen_since`), every tie between two of them (of `types`,
    seen together since `seen_since`), and their communities."""
    nodes = relationships.strongest(conn, limit, seen_since)
    edges = relationships.among(conn, [n["id"] for n in nodes], types, seen_since)
    return _described(nodes, edges, nodes, edges)


def ego(conn: sqlite3.Connection, person_id: str, limit: int) -> dict[str, Any] | None:
    """The person, their `limit` closest connections and the ties among all of them; the communities are
    those of the connections among themselves (the person ties to all of them, which would hide them).
    None when there is no such person."""
    person = people.get_person(conn, person_id)
    if person is None:
        return None
    closest = relationships.of_person(conn, person_id, limit=limit)
    ids = [person_id, *(r["person_id"] for r in closest)]
    nodes = relationships.nodes_of(conn, ids)
    edges = relationships.among(conn, ids)
    circle = [e for e in edges if person_id not in (e["source"], e["target"])]
    return {**_described(nodes, edges, [n for n in nodes if n["id"] != person_id], circle), "center": person_id}


def _described(
    nodes: list[dict[str, Any]], edges: list[dict[str, Any]], grouped: list[dict[str, Any]], grouping: list[dict]
) -> dict[str, Any]:
    found, membership = communities.detect(grouped, grouping)
    weights = communities.centrality(
        [n["id"] for n in nodes], [(e["source"], e["target"], e["overlap_score"]) for e in edges]
    )
    return {
        "nodes": [
            {
                "id": n["id"],
                "canonical_name": n["canonical_name"],
                "relationship_strength": n["relationship_strength"],
                "category": n["category"],
                "company": n["company"],
                "community": membership.get(n["id"]),
                "centrality": round(weights[n["id"]], 6),
            }
            for n in nodes
        ],
        "edges": [
            {k: e[k] for k in ("source", "target", "relationship_type", "overlap_score", "last_seen_together")}
            for e in edges
        ],
        "communities": [
            {**{k: v for k, v in asdict(c).items() if k != "members"}, "size": len(c.members), "members": c.members}
            for c in found
        ],
    }
