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
from collections import Counter
from collections.abc import Iterable
from typing import Any

from kithkin.config import Settings
from kithkin.models import now_utc, utc_iso
from kithkin.store import people, relationships

EVENT_KINDS = {"meeting", "call", "note"}
CONTEXTS_KEPT = 20
# A pair's weight added up by a merge can differ from a recount in the last bits of the float: below this, none.
WEIGHT_EPSILON = 1e-9


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


Gained = dict[tuple[str, str], list[Any]]  # pair → [weight, events, first, last, contexts or None]


def _gather(participation: list[tuple], max_group_size: int, only: set[str] | None) -> tuple[Gained, set]:
    """What these shared interactions add to each pair (only pairs with someone in `only`, when given), and
    the (person_a_id, person_b_id, thread) rows of the threads pairs share."""
    # A group chat repeats one set of people in every message: its messages are added up first, so each
    # group's pairs are walked once rather than once per message.
    groups: dict[tuple[tuple[str, ...], bool, str | None, str | None], list[Any]] = {}  # → [count, first, last]
    for _iid, kind, _source, thread, context, when, persons in participation:
        key = (tuple(persons), kind in EVENT_KINDS, thread, context)
        group = groups.get(key)
        if group is None:
            groups[key] = [1, when, when]
        else:
            group[0] += 1
            group[1] = min(group[1], when)
            group[2] = max(group[2], when)
    gained: Gained = {}
    thread_rows: set[tuple[str, str, str]] = set()
    for (members, is_event, thread, context), (count, first, last) in groups.items():
        weight = crowd_weight(len(members), max_group_size) * count
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
    return gained, thread_rows


def update_for_interactions(
    conn: sqlite3.Connection, settings: Settings, interaction_ids: Iterable[int], only: set[str] | None = None
) -> int:
    """Count newly stored interactions into the relationships of the pairs they bring together (only
    pairs with someone in `only`, when given).

    Call once per interaction (ingest passes only interactions it has just stored). Returns the pairs updated.
    """
    participation = relationships.shared_participation(conn, list(interaction_ids))
    gained, thread_rows = _gather(participation, settings.relationships.max_group_size, only)
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
    persons = relationships.type_inputs(conn, sorted({p for pair in pairs for p in pair}))
    family = {f.casefold() for f in settings.relationships.family}
    is_family, marks = {}, {}
    for person_id, (name, category, company, stored_emails, family_tag) in persons.items():
        emails = json.loads(stored_emails or "[]") if family or category == "work" else []
        is_family[person_id] = (
            family_tag
            or category == "family"
            or name.casefold() in family
            or any(e.casefold() in family for e in emails)
        )
        domains = {e.rpartition("@")[2] for e in emails} if category == "work" else set()
        marks[person_id] = domains | ({f"company:{company}"} if company else set())
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
    """Recompute every relationship of these people from scratch (after a merge, split or relink); returns
    the pairs found.

    Only rows whose figures changed are written: a decision moves a few interactions of people who may
    have thousands, and rewriting all their pairs made the commit alone cost more than the reads.
    """
    ids = sorted(set(person_ids))
    if not ids:
        return 0
    participation = relationships.shared_participation_of_people(conn, ids)
    gained, thread_rows = _gather(participation, settings.relationships.max_group_size, set(ids))
    return _store_relationships(conn, settings, gained, thread_rows, relationships.rows_of_people(conn, ids))


def merge_relationships(
    conn: sqlite3.Connection, settings: Settings, keep_id: str, other_id: str, moved: list[str]
) -> int:
    """keep_id's relationships once other_id merged into it (`moved`, other_id's entities, now keep_id's): the two
    people's pair figures added up, less what the interactions they shared counted twice. Those interactions now
    hold one person fewer, so each of their pairs weighs more (and a crowd one over the limit starts to count).
    Gives what refresh_relationships_for_people would, from the two people's relationship rows and their common
    interactions alone: a recount read every interaction either took part in (~14,000 for two busy people)."""
    max_size = settings.relationships.max_group_size
    current = relationships.rows_of_people(conn, [keep_id, other_id])
    totals: Gained = {}

    def pair_with(person_id: str) -> tuple[str, str]:
        return (keep_id, person_id) if keep_id < person_id else (person_id, keep_id)

    def total(person_id: str) -> list[Any]:
        pair = pair_with(person_id)
        found = totals.get(pair)
        if found is None:
            found = totals[pair] = [0.0, 0, None, None, set()]
        return found

    def theirs(a: str, b: str) -> str | None:
        """The person other than keep_id or other_id in this pair (None for the pair of the two)."""
        if {a, b} == {keep_id, other_id}:
            return None
        return b if a in (keep_id, other_id) else a

    for (a, b), row in current.items():
        person_id = theirs(a, b)
        if person_id is not None:
            found = total(person_id)
            found[0] += row["weight"] or 0.0
            found[1] += row["shared_events_count"] or 0
            _widen(found, row["first_seen_together"], row["last_seen_together"])
            found[4].update(json.loads(row["shared_contexts"] or "[]"))
    new_threads = set()
    for _iid, kind, _source, thread, context, when, persons in relationships.shared_participation_between(
        conn, moved, keep_id
    ):
        after, before = crowd_weight(len(persons), max_size), crowd_weight(len(persons) + 1, max_size)
        is_event = kind in EVENT_KINDS
        for person_id in persons:
            if person_id == keep_id:
                continue
            found = total(person_id)
            found[0] += after - 2 * before
            found[1] += ((after > 0) - 2 * (before > 0)) if is_event else 0
            if before == 0.0 and after > 0.0:  # a crowd one person too big before: it counts now
                _widen(found, when, when)
                if context:
                    found[4].add(context)
                if thread and not is_event:
                    new_threads.add((*pair_with(person_id), thread))
    kept_threads = set()
    for a, b, thread in relationships.threads_of_pairs(conn, list(current)):
        person_id = theirs(a, b)
        if person_id is not None:
            kept_threads.add((*pair_with(person_id), thread))
    supported = {pair: found for pair, found in totals.items() if found[0] > WEIGHT_EPSILON}
    return _store_relationships(conn, settings, supported, kept_threads | new_threads, current)


def _widen(found: list[Any], first: str | None, last: str | None) -> None:
    if first is not None:
        found[2] = first if found[2] is None else min(found[2], first)
    if last is not None:
        found[3] = last if found[3] is None else max(found[3], last)


def _store_relationships(
    conn: sqlite3.Connection,
    settings: Settings,
    gained: Gained,
    thread_rows: set[tuple[str, str, str]],
    current: dict[tuple[str, str], dict[str, Any]],
) -> int:
    """Make the stored relationships of some people what `gained` and `thread_rows` say; `current` is every
    stored row with one of those people in it. Returns the pairs found."""
    pairs = list(gained)
    kinds = _types(conn, settings, pairs)
    threads = Counter((a, b) for a, b, _ in thread_rows)
    current_pairs = list(current)
    stamp = utc_iso(now_utc())
    inserts, updates = [], []
    for pair in pairs:
        weight, events, first, last, contexts = gained[pair]
        shared = json.dumps(sorted(contexts)[:CONTEXTS_KEPT]) if contexts else "[]"
        kind = kinds.get(pair, "inferred")
        figures = (shared, events, threads[pair], first, last, overlap_score(weight), weight)
        old = current.pop(pair, None)
        if old is None:
            inserts.append((relationship_id(*pair), *pair, kind, *figures, stamp, stamp))
            continue
        wanted = (old["user_type"] or kind, *figures)
        if wanted != tuple(old[column] for column in relationships.FIGURES):
            updates.append((*wanted, stamp, old["id"]))
    # Pairs no shared interaction supports any more: gone, unless the user touched them (then zeroed).
    delete = [row["id"] for row in current.values() if not row["user_data"]]
    zero = [row["id"] for row in current.values() if row["user_data"] and not _zeroed(row)]
    relationships.drop_inferred(conn, delete, zero)
    relationships.update_figures(conn, updates)
    relationships.save_pairs(conn, inserts)
    # Thread rows exist only for pairs that have a relationship row (or are about to get one).
    stored = relationships.threads_of_pairs(conn, sorted({*pairs, *current_pairs}))
    relationships.remove_threads(conn, sorted(stored - thread_rows))
    relationships.add_threads(conn, sorted(thread_rows - stored))
    return len(pairs)


def _zeroed(row: dict[str, Any]) -> bool:
    return (
        not row["weight"]
        and not row["overlap_score"]
        and not row["shared_events_count"]
        and not row["shared_threads_count"]
        and row["shared_contexts"] == "[]"
        and row["first_seen_together"] is None
        and row["last_seen_together"] is None
    )


NO_WORD = {"user_confirmed": 0, "user_notes": None, "user_type": None, "user_deleted": 0}


def carry_user_word(conn: sqlite3.Connection, from_id: str, to_id: str) -> list[list[Any]]:
    """Carry the user's word on from_id's relationships (confirmed, notes, type, deleted) to to_id's relationship
    with the same person, so that merging from_id into to_id hides none of it. Notes are joined; where to_id's
    own row already says something, its type and its confirmation or deletion stand.

    Returns [other person id, to_id's word on that pair before, or None] for restore_user_word (undo)."""
    carried = relationships.user_word_of(conn, from_id)
    carried.pop(to_id, None)  # the pair of the two merged people: one person now
    if not carried:
        return []
    own = relationships.user_word_of(conn, to_id)
    rows, before = [], []
    for other, theirs in carried.items():
        mine = own.get(other)
        before.append([other, mine])
        word = theirs
        if mine is not None:
            spoke = mine if mine["user_confirmed"] or mine["user_deleted"] else theirs
            word = {
                "user_confirmed": spoke["user_confirmed"],
                "user_deleted": spoke["user_deleted"],
                "user_type": mine["user_type"] or theirs["user_type"],
                "user_notes": "\n\n".join(n for n in (mine["user_notes"], theirs["user_notes"]) if n) or None,
            }
        rows.append(_word_row(to_id, other, word))
    relationships.set_user_word(conn, rows)
    return before


def restore_user_word(conn: sqlite3.Connection, person_id: str, before: list[list[Any]]) -> None:
    """Put back the user's word on person_id's relationships as carry_user_word found it."""
    relationships.set_user_word(conn, [_word_row(person_id, other, word or NO_WORD) for other, word in before])


def _word_row(person_id: str, other: str, word: dict[str, Any]) -> tuple[str, str, str, dict[str, Any], str]:
    a, b = sorted((person_id, other))
    return relationship_id(a, b), a, b, word, utc_iso(now_utc())


def count_what_has_happened(conn: sqlite3.Connection, settings: Settings, now: str | None = None) -> int:
    """Relationships count only interactions that have happened (a meeting next week is no time spent
    together yet, and must not make "last seen together" lie ahead): those the clock has passed since the
    last count are counted now. Run at the end of every import and at server start. Returns the pairs updated."""
    now = now or utc_iso(now_utc())
    before = relationships.counted_until(conn)
    if before == now:
        return 0
    relationships.set_counted_until(conn, now)
    if before > now:  # counted before this rule, ahead included (or the clock went back): rebuilt once
        return recompute_all(conn, settings)
    return update_for_interactions(conn, settings, relationships.shared_interaction_ids_between(conn, before, now))


def recompute_all(conn: sqlite3.Connection, settings: Settings) -> int:
    """Rebuild every inferred relationship; the user's edits survive."""
    relationships.forget_inferred(conn, people.all_person_ids(conn))
    return update_for_interactions(conn, settings, relationships.all_shared_interaction_ids(conn))
