"""Links between source entities and people, pending links, rejections and the decision log."""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass, field
from typing import Any

from kithkin.models import now_utc, utc_iso
from kithkin.store.db import plain_cursor
from kithkin.store.ids import chunks, new_id


def link_entities(
    conn: sqlite3.Connection,
    links: list[tuple[str, str | None, float, str, str]],
) -> None:
    """Point entities at people: (entity_id, person_id, confidence, link_status, linked_by)."""
    stamp = utc_iso(now_utc())
    conn.executemany(
        """UPDATE source_entities SET canonical_person_id = ?, link_confidence = ?, link_status = ?,
               linked_by = ?, linked_at = ?, updated_at = ? WHERE id = ?""",
        [(person, confidence, status, by, stamp, stamp, entity) for entity, person, confidence, status, by in links],
    )


def people_by_identifier(conn: sqlite3.Connection, kind: str, values: list[str]) -> dict[str, set[str]]:
    """For each email/phone value, the live people whose entities carry it."""
    found: dict[str, set[str]] = {}
    cursor = plain_cursor(conn)
    for part in chunks(values):
        marks = ",".join("?" * len(part))
        for value, person in cursor.execute(
            f"""SELECT ei.value, se.canonical_person_id FROM entity_identifiers ei
                JOIN source_entities se ON se.id = ei.source_entity_id
                WHERE ei.kind = ? AND ei.value IN ({marks}) AND se.canonical_person_id IS NOT NULL""",
            [kind, *part],
        ):
            found.setdefault(value, set()).add(person)
    return found


def people_by_name_key(conn: sqlite3.Connection, keys: list[str]) -> dict[str, set[str]]:
    found: dict[str, set[str]] = {}
    cursor = plain_cursor(conn)
    for part in chunks(keys):
        marks = ",".join("?" * len(part))
        for key, person in cursor.execute(
            f"""SELECT name_key, canonical_person_id FROM source_entities
                WHERE name_key IN ({marks}) AND canonical_person_id IS NOT NULL""",
            part,
        ):
            found.setdefault(key, set()).add(person)
    return found


def create_pending_link(
    conn: sqlite3.Connection,
    *,
    source_entity_id: str,
    proposed_person_id: str,
    previous_person_id: str | None,
    reason: str,
    confidence: float,
    alternatives: list[dict[str, Any]] | None = None,
    evidence: dict[str, Any] | None = None,
) -> str | None:
    """Propose a link for review, unless this pair is already proposed or was rejected."""
    if is_rejected(conn, source_entity_id, proposed_person_id):
        return None
    existing = conn.execute(
        "SELECT id FROM pending_links WHERE source_entity_id = ? AND proposed_canonical_id = ? AND status = 'pending'",
        (source_entity_id, proposed_person_id),
    ).fetchone()
    if existing:
        return None
    link_id = new_id("pl")
    conn.execute(
        """INSERT INTO pending_links (id, source_entity_id, previous_canonical_id, proposed_canonical_id, reason,
               confidence, status, created_at, alternatives, evidence)
           VALUES (?, ?, ?, ?, ?, ?, 'pending', ?, ?, ?)""",
        (
            link_id,
            source_entity_id,
            previous_person_id,
            proposed_person_id,
            reason,
            confidence,
            utc_iso(now_utc()),
            json.dumps(alternatives or []),
            json.dumps(evidence or {}),
        ),
    )
    return link_id


def get_pending_link(conn: sqlite3.Connection, link_id: str) -> dict[str, Any] | None:
    row = conn.execute("SELECT * FROM pending_links WHERE id = ?", (link_id,)).fetchone()
    return pending_to_dict(row) if row else None


def pending_to_dict(row: sqlite3.Row) -> dict[str, Any]:
    item = dict(row)
    item["alternatives"] = json.loads(item.get("alternatives") or "[]")
    item["evidence"] = json.loads(item.get("evidence") or "{}")
    return item


def list_pending_links(
    conn: sqlite3.Connection,
    *,
    status: str = "pending",
    limit: int = 50,
    offset: int = 0,
) -> tuple[list[dict[str, Any]], int]:
    """Pending links, those affecting the most interactions first."""
    total = conn.execute("SELECT COUNT(*) FROM pending_links WHERE status = ?", (status,)).fetchone()[0]
    rows = conn.execute(
        """SELECT pl.*, (SELECT COUNT(*) FROM interaction_participants ip
                         WHERE ip.source_entity_id = pl.source_entity_id) AS interactions_affected
           FROM pending_links pl WHERE pl.status = ?
           ORDER BY interactions_affected DESC, pl.confidence DESC, pl.created_at, pl.id
           LIMIT ? OFFSET ?""",
        (status, limit, offset),
    ).fetchall()
    return [pending_to_dict(r) for r in rows], total


def link_ids_starting_with(conn: sqlite3.Connection, given: str, limit: int = 2) -> list[str]:
    """Ids of pending links (of any status) that start with `given`: a short id typed by the user."""
    pattern = given.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
    found = conn.execute(
        "SELECT id FROM pending_links WHERE id LIKE ? ESCAPE '\\' ORDER BY id LIMIT ?", (pattern, limit)
    ).fetchall()
    return [row[0] for row in found]


def pending_for_person(conn: sqlite3.Connection, person_id: str) -> list[dict[str, Any]]:
    rows = conn.execute(
        """SELECT * FROM pending_links WHERE status = 'pending'
           AND (proposed_canonical_id = ? OR previous_canonical_id = ?) ORDER BY confidence DESC""",
        (person_id, person_id),
    ).fetchall()
    return [pending_to_dict(r) for r in rows]


def set_pending_status(conn: sqlite3.Connection, link_id: str, status: str, by: str = "user") -> None:
    conn.execute(
        "UPDATE pending_links SET status = ?, resolved_at = ?, resolved_by = ? WHERE id = ?",
        (status, utc_iso(now_utc()), by, link_id),
    )


def remember_rejection(conn: sqlite3.Connection, source_entity_id: str, person_id: str) -> None:
    """Never propose this entity for this person again — nor for whoever holds that person's entities
    later (people are re-made by a re-resolution or a split; the entities stay)."""
    stamp = utc_iso(now_utc())
    conn.execute(
        "INSERT OR IGNORE INTO link_rejections (source_entity_id, person_id, rejected_at) VALUES (?, ?, ?)",
        (source_entity_id, person_id, stamp),
    )
    conn.execute(
        """INSERT OR IGNORE INTO link_rejections (source_entity_id, person_id, rejected_at)
           SELECT ?, 'se:' || id, ? FROM source_entities WHERE canonical_person_id = ? AND id != ?""",
        (source_entity_id, stamp, person_id, source_entity_id),
    )


def entities_with_rejections(conn: sqlite3.Connection, entity_ids: list[str]) -> set[str]:
    """Which of these entities the user ever refused somewhere (most never were: no need to ask for them)."""
    found: set[str] = set()
    for part in chunks(entity_ids):
        marks = ",".join("?" * len(part))
        query = f"SELECT DISTINCT source_entity_id FROM link_rejections WHERE source_entity_id IN ({marks})"
        found.update(r[0] for r in conn.execute(query, part))
    return found


def is_rejected(conn: sqlite3.Connection, source_entity_id: str, person_id: str) -> bool:
    return (
        conn.execute(
            """SELECT 1 FROM link_rejections WHERE source_entity_id = ? AND (person_id = ? OR person_id IN
                   (SELECT 'se:' || id FROM source_entities WHERE canonical_person_id = ?)) LIMIT 1""",
            (source_entity_id, person_id, person_id),
        ).fetchone()
        is not None
    )


def rejected_between(conn: sqlite3.Connection, person_a: str, person_b: str) -> bool:
    """Whether the user ever refused an entity of one of these people on the other (or on an entity of it)."""
    query = """SELECT 1 FROM link_rejections r JOIN source_entities mine ON mine.id = r.source_entity_id
               WHERE mine.canonical_person_id = ? AND (r.person_id = ? OR r.person_id IN
                     (SELECT 'se:' || id FROM source_entities WHERE canonical_person_id = ?)) LIMIT 1"""
    return any(
        conn.execute(query, (mine, theirs, theirs)).fetchone() is not None
        for mine, theirs in ((person_a, person_b), (person_b, person_a))
    )


def record_decision(
    conn: sqlite3.Connection,
    action: str,
    *,
    source_entity_id: str | None = None,
    person_id: str | None = None,
    previous_person_id: str | None = None,
    other_person_id: str | None = None,
    pending_link_id: str | None = None,
    payload: dict[str, Any] | None = None,
    decided_by: str = "user",
) -> int:
    cursor = conn.execute(
        """INSERT INTO link_decisions (action, source_entity_id, person_id, previous_person_id, other_person_id,
               pending_link_id, payload, decided_by, decided_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)""",
        (
            action,
            source_entity_id,
            person_id,
            previous_person_id,
            other_person_id,
            pending_link_id,
            json.dumps(payload or {}),
            decided_by,
            utc_iso(now_utc()),
        ),
    )
    return int(cursor.lastrowid or 0)


def pending_count(conn: sqlite3.Connection) -> int:
    return conn.execute("SELECT COUNT(*) FROM pending_links WHERE status = 'pending'").fetchone()[0]


def identifier_kinds_of_person(conn: sqlite3.Connection, person_id: str) -> set[str]:
    return {
        r[0]
        for r in conn.execute(
            """SELECT DISTINCT ei.kind FROM entity_identifiers ei
           JOIN source_entities se ON se.id = ei.source_entity_id WHERE se.canonical_person_id = ?""",
            (person_id,),
        )
    }


def get_decision(conn: sqlite3.Connection, decision_id: int) -> dict[str, Any] | None:
    row = conn.execute("SELECT * FROM link_decisions WHERE id = ?", (decision_id,)).fetchone()
    if row is None:
        return None
    return {**dict(row), "payload": json.loads(row["payload"] or "{}")}


def list_decisions(conn: sqlite3.Connection, limit: int = 50, offset: int = 0) -> tuple[list[dict[str, Any]], int]:
    """The decision log, newest first, with the names of the people involved."""
    total = conn.execute("SELECT COUNT(*) FROM link_decisions WHERE action != 'undo'").fetchone()[0]
    rows = conn.execute(
        """SELECT d.*, p.canonical_name AS person_name, q.canonical_name AS previous_person_name,
                  o.canonical_name AS other_person_name, se.observed_name, se.source_type
           FROM link_decisions d
           LEFT JOIN people p ON p.id = d.person_id
           LEFT JOIN people q ON q.id = d.previous_person_id
           LEFT JOIN people o ON o.id = d.other_person_id
           LEFT JOIN source_entities se ON se.id = d.source_entity_id
           WHERE d.action != 'undo' ORDER BY d.id DESC LIMIT ? OFFSET ?""",
        (limit, offset),
    ).fetchall()
    return [{**dict(r), "payload": json.loads(r["payload"] or "{}")} for r in rows], total


def mark_undone(conn: sqlite3.Connection, decision_id: int) -> None:
    conn.execute("UPDATE link_decisions SET undone_at = ? WHERE id = ?", (utc_iso(now_utc()), decision_id))


def forget_rejection(conn: sqlite3.Connection, source_entity_id: str, person_id: str) -> None:
    conn.execute(
        """DELETE FROM link_rejections WHERE source_entity_id = ? AND (person_id = ? OR person_id IN
               (SELECT 'se:' || id FROM source_entities WHERE canonical_person_id = ?))""",
        (source_entity_id, person_id, person_id),
    )


def open_links_proposing(conn: sqlite3.Connection, person_ids: list[str]) -> list[dict[str, Any]]:
    """The stored rows of the open pending links proposing these people, as they are (JSON left as text)."""
    found: list[dict[str, Any]] = []
    for part in chunks(person_ids):
        marks = ",".join("?" * len(part))
        query = f"SELECT * FROM pending_links WHERE status = 'pending' AND proposed_canonical_id IN ({marks})"
        found += [dict(r) for r in conn.execute(query, part)]
    return found


def put_back_pending_links(conn: sqlite3.Connection, rows: list[dict[str, Any]]) -> None:
    """Store pending links again exactly as `open_links_proposing` read them (an undo brings them back)."""
    for row in rows:
        columns = list(row)
        conn.execute(
            f"INSERT OR IGNORE INTO pending_links ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})",
            [row[c] for c in columns],
        )


def add_to_decision(conn: sqlite3.Connection, decision_id: int, key: str, value: Any) -> None:
    """Add one entry to a logged decision's payload (what its consequences took away, for its undo)."""
    decision = get_decision(conn, decision_id)
    if decision is not None:
        payload = {**decision["payload"], key: value}
        conn.execute("UPDATE link_decisions SET payload = ? WHERE id = ?", (json.dumps(payload), decision_id))


def reopen_pending(conn: sqlite3.Connection, link_id: str) -> None:
    conn.execute(
        "UPDATE pending_links SET status = 'pending', resolved_at = NULL, resolved_by = NULL WHERE id = ?", (link_id,)
    )


def pending_ids(conn: sqlite3.Connection, *, reason: str | None, min_confidence: float | None) -> list[str]:
    """Open pending links matching a filter (for bulk confirmation), the weightiest first."""
    query = "SELECT id FROM pending_links WHERE status = 'pending'"
    params: list[Any] = []
    if reason:
        query += " AND reason = ?"
        params.append(reason)
    if min_confidence is not None:
        query += " AND confidence >= ?"
        params.append(min_confidence)
    return [r[0] for r in conn.execute(query + " ORDER BY confidence DESC, id", params)]


def identifiers_of_person(conn: sqlite3.Connection, person_id: str, kinds: tuple[str, ...]) -> list[tuple[str, str]]:
    """The person's identifiers of these kinds, in (kind, value) order."""
    return identifiers_of_people(conn, [person_id], kinds).get(person_id, [])


def repoint_proposals(conn: sqlite3.Connection, old: str, new: str, link_ids: list[str] | None = None) -> list[str]:
    """Open proposals of `old` (or only `link_ids`) now propose `new`; returns the ids repointed."""
    rows = conn.execute(
        "SELECT id FROM pending_links WHERE proposed_canonical_id = ? AND status = 'pending'", (old,)
    ).fetchall()
    ids = [r[0] for r in rows if link_ids is None or r[0] in link_ids]
    conn.executemany("UPDATE pending_links SET proposed_canonical_id = ? WHERE id = ?", [(new, i) for i in ids])
    return ids


def proposed_from(conn: sqlite3.Connection, person_ids: list[str]) -> dict[str, set[str]]:
    """For each of these people made for a doubtful entity, the people its open proposals point to."""
    found: dict[str, set[str]] = {}
    for part in chunks(person_ids):
        marks = ",".join("?" * len(part))
        for previous, proposed in conn.execute(
            f"""SELECT previous_canonical_id, proposed_canonical_id FROM pending_links
                WHERE status = 'pending' AND previous_canonical_id IN ({marks})""",
            part,
        ):
            found.setdefault(previous, set()).add(proposed)
    return found


def people_by_identifier_prefix(conn: sqlite3.Connection, kind: str, prefix: str) -> set[str]:
    """The live people whose entities carry an identifier of this kind starting with `prefix` (one index range)."""
    return {
        r[0]
        for r in conn.execute(
            """SELECT DISTINCT se.canonical_person_id FROM entity_identifiers ei
               JOIN source_entities se ON se.id = ei.source_entity_id
               WHERE ei.kind = ? AND ei.value >= ? AND ei.value < ? AND se.canonical_person_id IS NOT NULL""",
            (kind, prefix, prefix + "\U0010ffff"),
        )
    }


def names_seen_on_people(conn: sqlite3.Connection, person_ids: list[str]) -> dict[str, list[str]]:
    """Every name each person's entities were seen with, each once, in no particular order. Grouped and
    ordered by SQLite (a sort per query), the names were a twentieth of bench/resolution.py's import."""
    found: dict[str, dict[str, None]] = {}
    cursor = plain_cursor(conn)
    for part in chunks(person_ids):
        marks = ",".join("?" * len(part))
        for person, name in cursor.execute(
            f"""SELECT canonical_person_id, observed_name FROM source_entities
                WHERE canonical_person_id IN ({marks}) AND observed_name IS NOT NULL""",
            part,
        ):
            found.setdefault(person, {})[name] = None
    return {person: list(names) for person, names in found.items()}


@dataclass(slots=True)
class Held:
    """What a person's entities hold, as resolution scores it."""

    names: list[str] = field(default_factory=list)  # every name they were seen with, once, in no order
    identifiers: list[tuple[str, str]] = field(default_factory=list)  # of the kinds asked, in (kind, value) order
    sources: set[str] = field(default_factory=set)


def held_by_people(conn: sqlite3.Connection, person_ids: list[str], kinds: tuple[str, ...]) -> dict[str, Held]:
    """person → what its entities hold: `names_seen_on_people`, `identifiers_of_people` and their sources in
    one pass over the entities (three queries over them were a seventh of bench/resolution.py's import)."""
    found: dict[str, tuple[dict[str, None], set[tuple[str, str]], set[str]]] = {}
    cursor = plain_cursor(conn)
    wanted = ",".join("?" * len(kinds))
    for part in chunks(person_ids):
        marks = ",".join("?" * len(part))
        for person, source, name, kind, value in cursor.execute(
            f"""SELECT se.canonical_person_id, se.source_type, se.observed_name, ei.kind, ei.value
                FROM source_entities se
                LEFT JOIN entity_identifiers ei ON ei.source_entity_id = se.id AND +ei.kind IN ({wanted})
                WHERE se.canonical_person_id IN ({marks})""",
            [*kinds, *part],
        ):
            names, identifiers, sources = found.setdefault(person, ({}, set(), set()))
            if name is not None:
                names[name] = None
            if kind is not None:
                identifiers.add((kind, value))
            sources.add(source)
    return {p: Held(list(names), sorted(identifiers), sources) for p, (names, identifiers, sources) in found.items()}


def identifiers_of_people(
    conn: sqlite3.Connection, person_ids: list[str], kinds: tuple[str, ...]
) -> dict[str, list[tuple[str, str]]]:
    """person → its identifiers of these kinds, in (kind, value) order. Only the kinds asked are read: name
    keys and national numbers, which nobody reads back per person, are as many rows as the rest. The unary +
    keeps SQLite starting from the people's entities: from the kinds, it scanned every identifier of them."""
    found: dict[str, set[tuple[str, str]]] = {}
    cursor = plain_cursor(conn)
    wanted = ",".join("?" * len(kinds))
    for part in chunks(person_ids):
        marks = ",".join("?" * len(part))
        for person, kind, value in cursor.execute(
            f"""SELECT se.canonical_person_id, ei.kind, ei.value FROM source_entities se
                JOIN entity_identifiers ei ON ei.source_entity_id = se.id
                WHERE se.canonical_person_id IN ({marks}) AND +ei.kind IN ({wanted})""",
            [*part, *kinds],
        ):
            found.setdefault(person, set()).add((kind, value))
    return {person: sorted(values) for person, values in found.items()}


def people_by_name_prefix(conn: sqlite3.Connection, prefix: str) -> set[str]:
    """People with a name key starting with `prefix` (a surname's first letters): typo-tolerant blocking
    as one index range scan."""
    return {
        r[0]
        for r in conn.execute(
            "SELECT DISTINCT canonical_person_id FROM source_entities"
            " WHERE name_key >= ? AND name_key < ? AND canonical_person_id IS NOT NULL",
            (prefix, prefix + "\U0010ffff"),
        )
    }


def forget_system_joins(conn: sqlite3.Connection) -> None:
    """Undo the joins the machine made (before resolving everything again, which makes them anew where
    the evidence still says so); the people it joined away live again until then."""
    joins = """SELECT id, other_person_id FROM link_decisions
               WHERE action = 'merge' AND decided_by = 'system' AND undone_at IS NULL"""
    found = conn.execute(joins).fetchall()
    conn.executemany("UPDATE people SET merged_into = NULL WHERE id = ?", [(r["other_person_id"],) for r in found])
    for row in found:
        mark_undone(conn, row["id"])


def unlink_machine_links(conn: sqlite3.Connection) -> list[str]:
    """Undo the links the machine made (user-confirmed people stay whole) and close open proposals; returns
    the entities now waiting for resolution, oldest observation first."""
    conn.execute("DELETE FROM pending_links WHERE status = 'pending'")
    # A person the user vouched for (a confirmed entity) keeps everything on it: the user has seen it whole.
    conn.execute(
        """UPDATE source_entities SET canonical_person_id = NULL, link_status = 'unlinked', link_confidence = 0
           WHERE link_status NOT IN ('owner', 'confirmed') AND linked_by IS NOT 'user'
             AND canonical_person_id NOT IN (SELECT canonical_person_id FROM source_entities
                                             WHERE link_status = 'confirmed' AND canonical_person_id IS NOT NULL)"""
    )
    return [
        r[0]
        for r in conn.execute(
            "SELECT id FROM source_entities WHERE canonical_person_id IS NULL AND link_status = 'unlinked'"
            " ORDER BY observed_at, id"
        )
    ]
