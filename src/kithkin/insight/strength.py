"""Relationship strength, exactly as specified:

strength = recency×0.3 + frequency×0.4 + diversity×0.3
recency   = max(0, 1 − days_since_last/90)
frequency = min(1, interactions_90d/20)
diversity = distinct sources of this person / sources in use
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable
from datetime import datetime, timedelta

from kithkin.models import now_utc, parse_iso, utc_iso
from kithkin.store import people, stats


def strength(days_since_last: float | None, interactions_90d: int, person_sources: int, sources_in_use: int) -> float:
    recency = 0.0 if days_since_last is None else max(0.0, 1.0 - days_since_last / 90.0)
    frequency = min(1.0, interactions_90d / 20.0)
    diversity = min(1.0, person_sources / sources_in_use) if sources_in_use else 0.0
    return round(recency * 0.3 + frequency * 0.4 + diversity * 0.3, 6)


def update_strengths(conn: sqlite3.Connection, person_ids: Iterable[str] | None, now: datetime | None = None) -> int:
    """Recompute strength for these people (None: everyone); returns how many people were recomputed."""
    now = now or now_utc()
    # Meetings that were ahead at the last count may have happened since: they count as contact from now on.
    rolled = people.roll_figures_forward(conn, utc_iso(now))
    ids = people.all_person_ids(conn) if person_ids is None else sorted({*person_ids, *rolled})
    in_use = stats.sources_in_use(conn)
    recent = people.interaction_counts_between(conn, ids, utc_iso(now - timedelta(days=90)), utc_iso(now))
    inputs = people.strength_inputs(conn, ids)
    updates = []
    for person_id, last_seen, sources, stored in inputs:
        days = max(0.0, (now - parse_iso(last_seen)).total_seconds() / 86400) if last_seen else None
        count = recent.get(person_id, 0)
        value = strength(days, count, len(sources), in_use)
        # Only rows that change are written: an import leaves half the strengths it recomputes as they were,
        # and each write also moves the strength index entry.
        if (value, count) != stored:
            updates.append((person_id, value, count))
    people.set_strengths(conn, updates)
    return len(inputs)
