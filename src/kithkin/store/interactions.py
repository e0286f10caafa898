"""Interactions (one message, email, meeting, call or note) and who took part in them."""

from __future__ import annotations

import json
import sqlite3
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from kithkin.store import fulltext
from kithkin.store.ids import chunks

# One encoder for every row: json.dumps(..., default=str) builds a new one per call.
_METADATA = json.JSONEncoder(default=str)
_ENCODED: dict[tuple, str] = {}  # most messages of a source carry the same few metadata ({"service": "SMS"})


def _encoded_metadata(metadata: dict[str, Any]) -> str:
    # Only all-text metadata is remembered: 1 == True == 1.0 as keys, yet they encode differently.
    for value in metadata.values():  # a loop, not all(generator): half the time, once per interaction
        if type(value) is not str:
            return _METADATA.encode(metadata)
    key = tuple(metadata.items())
    found = _ENCODED.get(key)
    if found is None:
        if len(_ENCODED) > 10_000:
            _ENCODED.clear()
        found = _ENCODED[key] = _METADATA.encode(metadata)
    return found


@dataclass(slots=True)
class InteractionRecord:
    id: int
    source_type: str
    source_id: str
    kind: str
    occurred_at: str
    participants: Sequence[tuple[str, str]]  # (source_entity_id, role)
    account: str | None = None
    direction: str | None = None
    thread_id: str | None = None
    context: str | None = None
    title: str | None = None
    snippet: str | None = None
    metadata: dict[str, Any] = field(default_factory=dict)
    text: str | None = None  # kept for search alone when longer than the snippet (fulltext.py)


def add_interactions(conn: sqlite3.Connection, records: list[InteractionRecord]) -> int:
    """Insert interactions and their participants; a known interaction is left as it is. The counts by
    source and month move with them. Returns how many interactions were new."""
    if not records:
        return 0
    _reuse_ids_of_moved(conn, records)
    before = conn.total_changes
    conn.executemany(
        """INSERT OR IGNORE INTO interactions (id, source_type, source_id, account, kind, occurred_at,
               direction, thread_id, context, title, snippet, participant_count, metadata)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
        [
            (
                r.id,
                r.source_type,
                r.source_id,
                r.account,
                r.kind,
                r.occurred_at,
                r.direction,
                r.thread_id,
                r.context,
                r.title,
                r.snippet,
                len(r.participants),
                _encoded_metadata(r.metadata) if r.metadata else None,
            )
            for r in records
        ],
    )
    added = conn.total_changes - before
    all_new = added == len({r.id for r in records})
    joined = _add_participants(conn, records, all_new=all_new, none_new=not added)
    _mark_shared(conn, records, fresh=all_new)
    _count(conn, records, added)
    if added or joined or any(r.kind in MOVABLE_KINDS for r in records):
        fulltext.index_added(conn, records, all_new=all_new)
    return added


def _add_participants(
    conn: sqlite3.Connection, records: list[InteractionRecord], *, all_new: bool, none_new: bool
) -> list[int]:
    """Store the records' participants; return the indexed interactions that gained one, taken out of the
    search index for index_added to put back (fulltext.forget_gaining_participants, which must see them
    before). A batch of known interactions only (a re-import) is stored first and looked at only if that
    added a row, which is then undone: the look costs ~3 us a participant, 7 % of importing 1,000 known
    chat exports again (bench/import_many.py)."""
    rows = [(entity, r.id, role) for r in records for entity, role in r.participants]
    insert = "INSERT OR IGNORE INTO interaction_participants (source_entity_id, interaction_id, role) VALUES (?, ?, ?)"
    if all_new:
        conn.executemany(insert, rows)
        return []
    if none_new:
        conn.execute("SAVEPOINT participants")
        before = conn.total_changes
        conn.executemany(insert, rows)
        stored = conn.total_changes == before
        conn.execute("RELEASE participants" if stored else "ROLLBACK TO participants")
        if stored:
            return []
        conn.execute("RELEASE participants")
    joined = fulltext.forget_gaining_participants(conn, records)
    conn.executemany(insert, rows)
    return joined


def shared_among(conn: sqlite3.Connection, interaction_ids: list[int]) -> set[int]:
    """Which of these interactions have two participants or more besides the owner."""
    rows = conn.execute(
        "SELECT interaction_id FROM shared_interactions WHERE interaction_id IN (SELECT value FROM json_each(?))",
        (json.dumps(interaction_ids),),
    )
    return {row[0] for row in rows}


def _mark_shared(conn: sqlite3.Connection, records: list[InteractionRecord], fresh: bool) -> None:
    """Keep shared_interactions: the interactions with two participants or more besides the owner."""
    owners = {row[0] for row in conn.execute("SELECT id FROM source_entities WHERE link_status = 'owner'")}
    shared = []
    for r in records:
        # One participant (most messages) can never be two people besides the owner: no set to build.
        if len(r.participants) > 1 and len({entity for entity, _ in r.participants} - owners) >= 2:
            shared.append((r.id,))
    conn.executemany("INSERT OR IGNORE INTO shared_interactions (interaction_id) VALUES (?)", shared)
    if fresh:
        return
    # A known interaction seen again with one more participant (a message read from a second mailbox) can
    # become shared with the ones it already had.
    single = [r.id for r in records if len({entity for entity, _ in r.participants} - owners) == 1]
    if not single:
        return
    conn.execute(
        """INSERT OR IGNORE INTO shared_interactions (interaction_id)
           SELECT ip.interaction_id FROM interaction_participants ip
           JOIN source_entities se ON se.id = ip.source_entity_id
           WHERE ip.interaction_id IN (SELECT value FROM json_each(?)) AND COALESCE(se.link_status, '') != 'owner'
           GROUP BY ip.interaction_id HAVING COUNT(*) >= 2""",
        (json.dumps(single),),
    )


def _count(conn: sqlite3.Connection, records: list[InteractionRecord], added: int) -> None:
    """Keep interaction_counts right without asking which rows were new: all of them (a fresh import)
    or none (a re-import) is known from the change count; a mix recounts the months it touched."""
    unique = {r.id: r for r in records}
    if added == 0:
        return
    if added == len(unique):
        counts = Counter((r.source_type, r.occurred_at[:7]) for r in unique.values())
        conn.executemany(
            "INSERT INTO interaction_counts (source_type, month, count) VALUES (?, ?, ?)"
            " ON CONFLICT(source_type, month) DO UPDATE SET count = count + excluded.count",
            [(source, month, count) for (source, month), count in counts.items()],
        )
        return
    for source, month in sorted({(r.source_type, r.occurred_at[:7]) for r in unique.values()}):
        conn.execute(
            """INSERT INTO interaction_counts (source_type, month, count)
               SELECT ?, ?, COUNT(*) FROM interactions WHERE source_type = ? AND substr(occurred_at, 1, 7) = ?
               ON CONFLICT(source_type, month) DO UPDATE SET count = excluded.count""",
            (source, month, source, month),
        )


MOVABLE_KINDS = ("meeting", "note")


def _reuse_ids_of_moved(conn: sqlite3.Connection, records: list[InteractionRecord]) -> None:
    """A meeting or note seen again at another time keeps its row: take over its id, update its time."""
    movable = [r for r in records if r.kind in MOVABLE_KINDS]
    for part in chunks(movable):
        clauses = " OR ".join("(source_type = ? AND source_id = ?)" for _ in part)
        params = [value for r in part for value in (r.source_type, r.source_id)]
        known = {
            (row[1], row[2]): (row[0], row[3])
            for row in conn.execute(
                f"SELECT id, source_type, source_id, occurred_at FROM interactions"
                f" WHERE kind IN ('meeting', 'note') AND ({clauses})",
                params,
            )
        }
        for record in part:
            existing, was = known.get((record.source_type, record.source_id), (None, None))
            if existing is not None and existing != record.id:
                record.id = existing
                fulltext.forget(conn, [existing])  # indexed again with its new text once stored
                conn.execute(
                    "UPDATE interactions SET occurred_at = ?, title = ?, snippet = ?, context = ? WHERE id = ?",
                    (record.occurred_at, record.title, record.snippet, record.context, existing),
                )
                if was[:7] != record.occurred_at[:7]:  # moved to another month: move its count too
                    conn.executemany(
                        "INSERT INTO interaction_counts (source_type, month, count) VALUES (?, ?, ?)"
                        " ON CONFLICT(source_type, month) DO UPDATE SET count = count + excluded.count",
                        [(record.source_type, was[:7], -1), (record.source_type, record.occurred_at[:7], 1)],
                    )


def unknown_interaction_ids(conn: sqlite3.Connection, ids: list[int]) -> set[int]:
    """Those of `ids` not stored yet (call before `add_interactions`)."""
    known: set[int] = set()
    for part in chunks(ids):
        marks = ",".join("?" * len(part))
        known.update(r[0] for r in conn.execute(f"SELECT id FROM interactions WHERE id IN ({marks})", part))
    return set(ids) - known


def interaction_to_dict(row: sqlite3.Row) -> dict[str, Any]:
    item = dict(row)
    item["metadata"] = json.loads(item["metadata"]) if item.get("metadata") else {}
    return item


def participants_of(conn: sqlite3.Connection, interaction_ids: list[int]) -> dict[int, list[dict[str, Any]]]:
    """For each interaction, its participants with the person each is linked to."""
    found: dict[int, list[dict[str, Any]]] = {}
    for part in chunks(interaction_ids):
        marks = ",".join("?" * len(part))
        for row in conn.execute(
            f"""SELECT ip.interaction_id, ip.role, se.id AS source_entity_id, se.observed_name,
                       se.observed_email, se.observed_phone, se.canonical_person_id, p.canonical_name
                FROM interaction_participants ip
                JOIN source_entities se ON se.id = ip.source_entity_id
                LEFT JOIN people p ON p.id = se.canonical_person_id
                WHERE ip.interaction_id IN ({marks})""",
            part,
        ):
            item = dict(row)
            found.setdefault(item.pop("interaction_id"), []).append(item)
    return found


def counts_by_source(conn: sqlite3.Connection) -> dict[str, int]:
    return {
        r[0]: r[1]
        for r in conn.execute(
            "SELECT source_type, SUM(count) FROM interaction_counts GROUP BY source_type HAVING SUM(count) > 0"
        )
    }


def counts_by_month(conn: sqlite3.Connection) -> list[dict[str, Any]]:
    return [
        {"month": r[0], "count": r[1]}
        for r in conn.execute(
            "SELECT month, SUM(count) FROM interaction_counts GROUP BY month HAVING SUM(count) > 0 ORDER BY month"
        )
    ]
