"""Who knows whom: relationships inferred from what people share — meetings, mail threads (To/Cc
together), group chats, small Slack channels, co-mentions in notes — kept current batch by batch.

Each shared interaction adds 1/(n−1) to a pair's weight (n people in it): a 3-person dinner says far
more than a 20-person meeting. Above `max_group_size` people a crowd adds a tenth of that, and above
four times that size nothing (a 200-person all-hands pairs 19,900 people and says nothing).
"""

from __future__ import annotations

import json
import math
import sqlite3
from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from kithkin.config import Settings
from kithkin.models import now_utc, utc_iso
from kithkin.store import people, relationships
from kithkin.store.ids import new_id

EVENT_KINDS = {"meeting", "call", "note"}
CONTEXTS_KEPT = 20
CROWD_DISCOUNT = 0.1


def crowd_weight(size: int, max_group_size: int) -> float:
    """What one shared interaction of `size` people tells about each pair in it."""
    if size < 2 or size > 4 * max_group_size:
        return 0.0
    weight = 1.0 / (size - 1)
    return weight * CROWD_DISCOUNT if size > max_group_size else weight


def overlap_score(weight: float) -> float:
    """0..1, rising fast for the first shared moments and saturating: 3 one-to-one meetings ≈ 0.63."""
    return round(1.0 - math.exp(-weight / 3.0), 6)


def update_for_interactions(
    conn: sqlite3.Connection, settings: Settings, interaction_ids: Iterable[int], only: set[str] | None = None
) -> int:
    """Count newly stored interactions into the relationships of the pairs they bring together (only
    pairs with someone in `only`, when given).

    Call once per interaction (ingest passes only interactions it has just stored). Returns the pairs updated.
    """
    limit = settings.relationships.max_group_size
    gained: dict[tuple[str, str], dict[str, Any]] = defaultdict(
        lambda: {"weight": 0.0, "events": 0, "first": None, "last": None, "contexts": set(), "threads": set()}
    )
    for _iid, kind, _source, thread, context, when, persons in relationships.shared_participation(
        conn, list(interaction_ids)
    ):
        weight = crowd_weight(len(persons), limit)
        if weight == 0.0:
            continue
        members = sorted(persons)
        for i, a in enumerate(members):
            for b in members[i + 1 :]:
                if only is not None and a not in only and b not in only:
                    continue
                pair = gained[(a, b)]
                pair["weight"] += weight
                pair["events"] += kind in EVENT_KINDS
                pair["first"] = min(pair["first"] or when, when)
                pair["last"] = max(pair["last"] or when, when)
                if context:
                    pair["contexts"].add(context)
                if thread and kind not in EVENT_KINDS:
                    pair["threads"].add(thread)
    if not gained:
        return 0
    pairs = sorted(gained)
    relationships.add_threads(conn, [(a, b, key) for (a, b) in pairs for key in gained[(a, b)]["threads"]])
    threads = relationships.thread_counts(conn, pairs)
    known = relationships.existing_pairs(conn, pairs)
    kinds = _types(conn, settings, pairs)
    stamp = utc_iso(now_utc())
    rows = []
    for pair in pairs:
        new, old = gained[pair], known.get(pair, {})
        weight = (old.get("weight") or 0.0) + new["weight"]
        contexts = list(dict.fromkeys([*json.loads(old.get("shared_contexts") or "[]"), *sorted(new["contexts"])]))
        rows.append(
            {
                "id": old.get("id") or new_id("r"),
                "person_a_id": pair[0],
                "person_b_id": pair[1],
                "relationship_type": kinds.get(pair, "inferred"),
                "shared_contexts": json.dumps(contexts[:CONTEXTS_KEPT]),
                "shared_events_count": (old.get("shared_events_count") or 0) + new["events"],
                "shared_threads_count": threads[pair],
                "first_seen_together": min(filter(None, (old.get("first_seen_together"), new["first"]))),
                "last_seen_together": max(filter(None, (old.get("last_seen_together"), new["last"]))),
                "overlap_score": overlap_score(weight),
                "weight": weight,
                "stamp": stamp,
            }
        )
    relationships.save_pairs(conn, rows)
    return len(rows)


def _types(conn: sqlite3.Connection, settings: Settings, pairs: list[tuple[str, str]]) -> dict[tuple[str, str], str]:
    """Family from config or a "family" tag; coworkers when both are work contacts sharing a company or
    an email domain; the rest stays "inferred"."""
    persons = people.get_people(conn, sorted({p for pair in pairs for p in pair}))
    family = {f.casefold() for f in settings.relationships.family}
    is_family, marks = {}, {}
    for person_id, p in persons.items():
        is_family[person_id] = (
            "family" in p["tags"]
            or p["category"] == "family"
            or p["canonical_name"].casefold() in family
            or any(e.casefold() in family for e in p["emails"])
        )
        domains = {e.rpartition("@")[2] for e in p["emails"]} if p["category"] == "work" else set()
        marks[person_id] = domains | ({f"company:{p['company']}"} if p["company"] else set())
    found = {}
    for a, b in pairs:
        if a not in persons or b not in persons:
            continue
        if is_family[a] and is_family[b]:
            found[(a, b)] = "family"
        elif marks[a] & marks[b]:
            found[(a, b)] = "coworker"
    return found


def refresh_relationships_for_people(conn: sqlite3.Connection, settings: Settings, person_ids: Iterable[str]) -> int:
    """Recompute every relationship of these people from scratch (after a merge, split or relink)."""
    ids = sorted(set(person_ids))
    if not ids:
        return 0
    relationships.forget_inferred(conn, ids)
    return update_for_interactions(conn, settings, relationships.interactions_of_people(conn, ids), only=set(ids))


def recompute_all(conn: sqlite3.Connection, settings: Settings) -> int:
    """Rebuild every inferred relationship; the user's edits survive."""
    relationships.forget_inferred(conn, people.all_person_ids(conn))
    return update_for_interactions(conn, settings, relationships.all_interaction_ids(conn))
