"""Who knows whom: relationships inferred from what people share — meetings, mail threads (To/Cc
together), group chats, small Slack channels, co-mentions in notes — kept current batch by batch.

Each shared interaction adds 1/(n−1) to a pair's weight (n people in it): a 3-person dinner says far
more than a 20-person meeting, and a crowd above `max_group_size` says nothing (a 200-person all-hands
would pair 19,900 people; peers skip such crowds too).
"""

from __future__ import annotations

import hashlib
import json
import math
import sqlite3
from collections.abc import Iterable
from typing import Any

from kithkin.config import Settings
from kithkin.models import now_utc, utc_iso
from kithkin.store import people, relationships

EVENT_KINDS = {"meeting", "call", "note"}
CONTEXTS_KEPT = 20


def crowd_weight(size: int, max_group_size: int) -> float:
    """What one shared interaction of `size` people tells about each pair in it."""
    if size < 2 or size > max_group_size:
        return 0.0
    return 1.0 / (size - 1)


def overlap_score(weight: float) -> float:
    """0..1, rising fast for the first shared moments and saturating: 3 one-to-one meetings ≈ 0.63."""
    return round(1.0 - math.exp(-weight / 3.0), 6)


def relationship_id(a: str, b: str) -> str:
    return "r_" + hashlib.blake2b(f"{a}\x00{b}".encode(), digest_size=8).hexdigest()


def update_for_interactions(
    conn: sqlite3.Connection, settings: Settings, interaction_ids: Iterable[int], only: set[str] | None = None
) -> int:
    """Count newly stored interactions into the relationships of the pairs they bring together (only
    pairs with someone in `only`, when given).

    Call once per interaction (ingest passes only interactions it has just stored). Returns the pairs updated.
    """
    limit = settings.relationships.max_group_size
    # A group chat repeats one set of people in every message: its messages are added up first, so the
    # pairs of each group are walked once per batch instead of once per message.
    # (people, is event, thread, context) → [interactions, first, last]
    groups: dict[tuple[tuple[str, ...], bool, str | None, str | None], list[Any]] = {}
    for _iid, kind, _source, thread, context, when, persons in relationships.shared_participation(
        conn, list(interaction_ids)
    ):
        key = (tuple(sorted(persons)), kind in EVENT_KINDS, thread, context)
        group = groups.get(key)
        if group is None:
            groups[key] = [1, when, when]
        else:
            group[0] += 1
            group[1] = min(group[1], when)
            group[2] = max(group[2], when)
    # pair → [weight, events, first, last, contexts]; sets made only when needed
    gained: dict[tuple[str, str], list[Any]] = {}
    thread_rows: set[tuple[str, str, str]] = set()
    for (members, is_event, thread, context), (count, first, last) in groups.items():
        weight = crowd_weight(len(members), limit) * count
        if weight == 0.0:
            continue
        for i, a in enumerate(members):
            for b in members[i + 1 :]:
                if only is not None and a not in only and b not in only:
                    continue
                pair = gained.get((a, b))
                if pair is None:
                    pair = gained[(a, b)] = [0.0, 0, first, last, None]
                pair[0] += weight
                pair[1] += count if is_event else 0
                pair[2] = min(pair[2], first)
                pair[3] = max(pair[3], last)
                if context:
                    pair[4] = {context} if pair[4] is None else pair[4] | {context}
                if thread and not is_event:
                    thread_rows.add((a, b, thread))
    if not gained:
        return 0
    pairs = list(gained)
    relationships.add_threads(conn, sorted(thread_rows))
    threads = relationships.thread_counts(conn, pairs)
    known = relationships.existing_pairs(conn, pairs)
    kinds = _types(conn, settings, pairs)
    stamp = utc_iso(now_utc())
    rows = []
    for pair in pairs:
        weight, events, first, last, contexts = gained[pair]
        old = known.get(pair)
        if old is not None:
            weight += old["weight"] or 0.0
            events += old["shared_events_count"] or 0
            first = min(filter(None, (old["first_seen_together"], first)))
            last = max(filter(None, (old["last_seen_together"], last)))
            before = json.loads(old["shared_contexts"] or "[]")
            merged = list(dict.fromkeys([*before, *sorted(contexts or ())]))[:CONTEXTS_KEPT]
            shared = old["shared_contexts"] if merged == before else json.dumps(merged)
        else:
            shared = json.dumps(sorted(contexts)[:CONTEXTS_KEPT]) if contexts else "[]"
        rows.append(
            (
                old["id"] if old else relationship_id(*pair),
                pair[0],
                pair[1],
                kinds.get(pair, "inferred"),
                shared,
                events,
                threads[pair],
                first,
                last,
                overlap_score(weight),
                weight,
                stamp,
                stamp,
            )
        )
    relationships.save_pairs(conn, rows)
    return len(rows)


def _types(conn: sqlite3.Connection, settings: Settings, pairs: list[tuple[str, str]]) -> dict[tuple[str, str], str]:
    """Family from config or a "family" tag; coworkers when both are work contacts sharing a company or
    an email domain; the rest stays "inferred"."""
    persons = people.type_signals(conn, sorted({p for pair in pairs for p in pair}))
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
