"""Source entities (immutable observations of a person in a source), their identifiers and sync state."""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass, field
from typing import Any

from kithkin.models import now_utc, utc_iso
from kithkin.store.ids import chunks


@dataclass(slots=True)
class EntityRecord:
    """A source entity ready to store: signals already normalised by identity/normalize.py."""

    id: str
    source_type: str
    source_id: str
    observed_at: str
    account: str | None = None
    observed_name: str | None = None
    observed_email: str | None = None
    observed_phone: str | None = None
    name_key: str | None = None
    metadata: dict[str, Any] = field(default_factory=dict)
    identifiers: list[tuple[str, str]] = field(default_factory=list)  # (email|phone, value)
    is_owner: bool = False


def upsert_entities(conn: sqlite3.Connection, records: list[EntityRecord]) -> set[str]:
    """Insert new entities, refresh the observed signals of known ones; return the ids that are new.

    A known entity keeps its link: only what was observed changes (a contact card edited since).
    """
    new, _ = entity_changes(conn, records)
    write_entities(conn, records)
    return new


def _metadata_text(metadata: dict[str, Any]) -> str | None:
    return json.dumps(metadata, sort_keys=True, default=str) if metadata else None


def entity_changes(conn: sqlite3.Connection, records: list[EntityRecord]) -> tuple[set[str], set[str]]:
    """Which of these entities are new, and which known ones show something else now: (new ids, changed ids)."""
    if not records:
        return set(), set()
    before: dict[str, tuple] = {}
    for part in chunks([r.id for r in records]):
        marks = ",".join("?" * len(part))
        for row in conn.execute(
            f"SELECT id, observed_name, observed_email, observed_phone, metadata FROM source_entities"
            f" WHERE id IN ({marks})",
            part,
        ):
            before[row[0]] = tuple(row[1:])
    changed = set()
    for record in records:
        old = before.get(record.id)
        if old is None:
            continue
        shown = (record.observed_name, record.observed_email, record.observed_phone)
        if any(new is not None and new != was for new, was in zip(shown, old[:3], strict=True)) or (
            _metadata_text(record.metadata) != old[3]
        ):
            changed.add(record.id)
    return {r.id for r in records} - set(before), changed


# A new entity's link as it is stored: (person, confidence, link_status, linked_by).
NewLink = tuple[str, float, str, str]


def write_entities(
    conn: sqlite3.Connection, records: list[EntityRecord], links: dict[str, NewLink] | None = None
) -> None:
    """Insert new entities, refresh the observed signals of known ones (a known entity keeps its link).
    A new entity named in `links` is stored linked: one write, where storing it and then linking it
    rewrote its row and its person index entry (a sixth of resolving bench/resolution.py)."""
    if not records:
        return
    links = links or {}
    stamp = utc_iso(now_utc())
    unlinked = (None, 0.0, "unlinked", None)
    rows = []
    for r in records:
        person, confidence, status, by = links.get(r.id) or unlinked
        rows.append(
            (
                r.id,
                r.source_type,
                r.source_id,
                r.account,
                r.observed_name,
                r.observed_email,
                r.observed_phone,
                r.name_key,
                _metadata_text(r.metadata),
                r.observed_at,
                "owner" if r.is_owner else status,
                person,
                confidence,
                by,
                stamp if person else None,
                stamp,
                stamp,
            )
        )
    conn.executemany(
        """
        INSERT INTO source_entities (id, source_type, source_id, account, observed_name, observed_email,
            observed_phone, name_key, metadata, observed_at, link_status, canonical_person_id, link_confidence,
            linked_by, linked_at, created_at, updated_at)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
        ON CONFLICT(id) DO UPDATE SET
            observed_name = COALESCE(excluded.observed_name, observed_name),
            observed_email = COALESCE(excluded.observed_email, observed_email),
            observed_phone = COALESCE(excluded.observed_phone, observed_phone),
            name_key = COALESCE(excluded.name_key, name_key),
            metadata = excluded.metadata,
            observed_at = MIN(observed_at, excluded.observed_at),
            updated_at = excluded.updated_at
        WHERE excluded.observed_name IS NOT observed_name
           OR excluded.observed_email IS NOT observed_email
           OR excluded.observed_phone IS NOT observed_phone
           OR excluded.metadata IS NOT metadata
           OR excluded.observed_at < observed_at
        """,
        rows,
    )
    conn.executemany(
        "INSERT OR IGNORE INTO entity_identifiers (kind, value, source_entity_id) VALUES (?, ?, ?)",
        [(kind, value, r.id) for r in records for kind, value in r.identifiers],
    )


def get_entity(conn: sqlite3.Connection, entity_id: str) -> sqlite3.Row | None:
    return conn.execute("SELECT * FROM source_entities WHERE id = ?", (entity_id,)).fetchone()


def entities_of_people(conn: sqlite3.Connection, person_ids: list[str], columns: str = "*") -> list[sqlite3.Row]:
    """The entities of these people, oldest first; `columns` narrows the rows for bulk readers."""
    rows: list[sqlite3.Row] = []
    for part in chunks(person_ids):
        marks = ",".join("?" * len(part))
        rows.extend(
            conn.execute(
                f"SELECT {columns} FROM source_entities WHERE canonical_person_id IN ({marks}) ORDER BY observed_at",
                part,
            )
        )
    return rows


def identifiers_of(conn: sqlite3.Connection, entity_ids: list[str]) -> dict[str, list[tuple[str, str]]]:
    found: dict[str, list[tuple[str, str]]] = {}
    for part in chunks(entity_ids):
        marks = ",".join("?" * len(part))
        for row in conn.execute(
            f"SELECT source_entity_id, kind, value FROM entity_identifiers WHERE source_entity_id IN ({marks})",
            part,
        ):
            found.setdefault(row[0], []).append((row[1], row[2]))
    return found


def person_by_entity(conn: sqlite3.Connection, entity_ids: list[str]) -> dict[str, str]:
    """The person each of these entities is linked to (unlinked ones and the owner's are left out)."""
    found: dict[str, str] = {}
    for part in chunks(entity_ids):
        marks = ",".join("?" * len(part))
        query = f"""SELECT id, canonical_person_id FROM source_entities
                    WHERE id IN ({marks}) AND canonical_person_id IS NOT NULL"""
        found.update(conn.execute(query, part).fetchall())
    return found


def person_of_entity(conn: sqlite3.Connection, entity_id: str) -> str | None:
    row = conn.execute("SELECT canonical_person_id FROM source_entities WHERE id = ?", (entity_id,)).fetchone()
    return row[0] if row else None


def entity_count_of_person(conn: sqlite3.Connection, person_id: str) -> int:
    return conn.execute("SELECT COUNT(*) FROM source_entities WHERE canonical_person_id = ?", (person_id,)).fetchone()[
        0
    ]


def set_entity_times(conn: sqlite3.Connection, entity_id: str, times: dict[str, str | None]) -> None:
    """Put back when an entity was first stored, last changed and linked (a restored export keeps its history)."""
    kept = {k: v for k, v in times.items() if k in ("created_at", "updated_at", "linked_at") and v}
    if kept:
        assignments = ", ".join(f"{column} = ?" for column in kept)
        conn.execute(f"UPDATE source_entities SET {assignments} WHERE id = ?", (*kept.values(), entity_id))


def entity_to_dict(row: sqlite3.Row) -> dict[str, Any]:
    item = dict(row)
    item["metadata"] = json.loads(item["metadata"]) if item.get("metadata") else {}
    return item


# --- sync state -------------------------------------------------------------------------------


def get_cursor(conn: sqlite3.Connection, source_type: str, account: str | None) -> str | None:
    row = conn.execute(
        "SELECT cursor FROM sync_state WHERE source_type = ? AND account = ?", (source_type, account or "")
    ).fetchone()
    return row[0] if row else None


def record_sync(
    conn: sqlite3.Connection,
    source_type: str,
    account: str | None,
    *,
    cursor: str | None,
    status: str,
    error: str | None = None,
    items: int = 0,
) -> None:
    """Store where the next sync resumes; call inside the transaction that committed the data."""
    conn.execute(
        """
        INSERT INTO sync_state (source_type, account, cursor, last_sync_at, last_status, last_error, items)
        VALUES (?, ?, ?, ?, ?, ?, ?)
        ON CONFLICT(source_type, account) DO UPDATE SET
            cursor = COALESCE(excluded.cursor, cursor), last_sync_at = excluded.last_sync_at,
            last_status = excluded.last_status, last_error = excluded.last_error,
            items = items + excluded.items
        """,
        (source_type, account or "", cursor, utc_iso(now_utc()), status, error, items),
    )


def sync_states(conn: sqlite3.Connection) -> list[dict[str, Any]]:
    return [dict(r) for r in conn.execute("SELECT * FROM sync_state ORDER BY source_type, account")]


def entity_counts_by_source(conn: sqlite3.Connection) -> dict[str, int]:
    return {r[0]: r[1] for r in conn.execute("SELECT source_type, COUNT(*) FROM source_entities GROUP BY source_type")}


def get_entities(conn: sqlite3.Connection, entity_ids: list[str]) -> dict[str, sqlite3.Row]:
    found: dict[str, sqlite3.Row] = {}
    for part in chunks(entity_ids):
        marks = ",".join("?" * len(part))
        for row in conn.execute(f"SELECT * FROM source_entities WHERE id IN ({marks})", part):
            found[row["id"]] = row
    return found
