"""Canonical people: creation, the denormalised figures kept on each row, listing and editing."""

from __future__ import annotations

import json
import sqlite3
from collections import Counter
from collections.abc import Callable
from json.encoder import encode_basestring_ascii
from operator import itemgetter
from typing import Any

from kithkin.models import now_utc, utc_iso
from kithkin.store.db import plain_cursor
from kithkin.store.ids import chunks, new_id
from kithkin.store.links import identifiers_of_people
from kithkin.store.relationships import USER_SPOKE
from kithkin.store.search import Searchable, index_people, match_expression, name_match_expression, phone_digits

JSON_COLUMNS = ("emails", "phone_numbers", "vault_contexts", "tags", "sources")
# Which sources know a person's real name best, best first.
NAME_AUTHORITY = ("contacts", "carddav", "linkedin", "slack", "calendar", "mail", "signal", "whatsapp")
SORTS = {
    "strength": "relationship_strength DESC, canonical_name COLLATE NOCASE",
    "name": "canonical_name GLOB '+[0-9]*', canonical_name COLLATE NOCASE, id",  # unnamed numbers last
    "last_seen": "last_seen IS NULL, last_seen DESC, canonical_name COLLATE NOCASE",
    "interactions": "interaction_count DESC, canonical_name COLLATE NOCASE",
}


def create_person(conn: sqlite3.Connection, name: str, **fields: Any) -> str:
    person_id = fields.pop("id", None) or new_id("p")
    stamp = utc_iso(now_utc())
    columns = {"id": person_id, "canonical_name": name or "Unknown", "created_at": stamp, "updated_at": stamp}
    for key, value in fields.items():
        columns[key] = json.dumps(value) if key in JSON_COLUMNS else value
    names = ", ".join(columns)
    conn.execute(f"INSERT INTO people ({names}) VALUES ({', '.join('?' * len(columns))})", list(columns.values()))
    return person_id


def create_people(conn: sqlite3.Connection, names: dict[str, str]) -> None:
    """Insert people of these ids (`new_person_id`) and names in one statement: resolution makes thousands."""
    stamp = utc_iso(now_utc())
    conn.executemany(
        "INSERT INTO people (id, canonical_name, created_at, updated_at) VALUES (?, ?, ?, ?)",
        [(person_id, name or "Unknown", stamp, stamp) for person_id, name in names.items()],
    )


def new_person_id() -> str:
    return new_id("p")


def person_to_dict(row: sqlite3.Row) -> dict[str, Any]:
    item = dict(row)
    for key in JSON_COLUMNS:
        if key in item:
            item[key] = json.loads(item[key] or "[]")
    item["name_locked"] = bool(item.get("name_locked"))
    item["category_locked"] = bool(item.get("category_locked"))
    return item


def get_person(conn: sqlite3.Connection, person_id: str) -> dict[str, Any] | None:
    row = conn.execute("SELECT * FROM people WHERE id = ?", (person_id,)).fetchone()
    return person_to_dict(row) if row else None


def get_people(conn: sqlite3.Connection, person_ids: list[str]) -> dict[str, dict[str, Any]]:
    found: dict[str, dict[str, Any]] = {}
    for part in chunks(person_ids):
        marks = ",".join("?" * len(part))
        for row in conn.execute(f"SELECT * FROM people WHERE id IN ({marks})", part):
            found[row["id"]] = person_to_dict(row)
    return found


def live_person_id(conn: sqlite3.Connection, person_id: str) -> str | None:
    """Follow merges: the person a (possibly merged-away) id now lives in."""
    seen = set()
    current: str | None = person_id
    while current and current not in seen:
        seen.add(current)
        row = conn.execute("SELECT merged_into FROM people WHERE id = ?", (current,)).fetchone()
        if row is None:
            return None
        if row[0] is None:
            return current
        current = row[0]
    return None


def list_people(
    conn: sqlite3.Connection,
    *,
    q: str | None = None,
    category: str | None = None,
    source: str | None = None,
    tag: str | None = None,
    pending: bool | None = None,
    sort: str = "strength",
    limit: int = 50,
    offset: int = 0,
) -> tuple[list[dict[str, Any]], int]:
    """People matching the filters, and how many match in all. `q` searches names, emails, phones, company."""
    where, params = ["p.merged_into IS NULL"], []
    if q:
        expression = match_expression(q)
        if expression is None:
            return [], 0
        digits = phone_digits(q)
        if digits:
            # National and partial numbers: FTS tokens are whole E.164 digit strings.
            where.append(
                "(p.id IN (SELECT person_id FROM people_fts WHERE people_fts MATCH ?) OR p.phone_numbers LIKE ?)"
            )
            params.extend([expression, f"%{digits}%"])
        else:
            where.append("p.id IN (SELECT person_id FROM people_fts WHERE people_fts MATCH ?)")
            params.append(expression)
    if category:
        where.append("p.category = ?")
        params.append(category)
    if source:
        where.append("EXISTS (SELECT 1 FROM json_each(p.sources) WHERE value = ?)")
        params.append(source)
    if tag:
        where.append("EXISTS (SELECT 1 FROM json_each(p.tags) WHERE value = ?)")
        params.append(tag)
    if pending is not None:
        clause = (
            "EXISTS (SELECT 1 FROM pending_links pl WHERE pl.proposed_canonical_id = p.id AND pl.status = 'pending')"
        )
        where.append(clause if pending else f"NOT {clause}")
    condition = " AND ".join(where)
    order, order_params = SORTS.get(sort, SORTS["strength"]), []
    if q:
        order = f"p.id NOT IN (SELECT person_id FROM people_fts WHERE people_fts MATCH ?), {order}"
        order_params.append(name_match_expression(q))
    total = conn.execute(f"SELECT COUNT(*) FROM people p WHERE {condition}", params).fetchone()[0]
    rows = conn.execute(
        f"SELECT p.* FROM people p WHERE {condition} ORDER BY {order} LIMIT ? OFFSET ?",
        [*params, *order_params, limit, offset],
    ).fetchall()
    return [person_to_dict(r) for r in rows], total


EDITABLE = {"notes", "tags", "category", "canonical_name", "company", "position", "linkedin_url"}


def update_person(conn: sqlite3.Connection, person_id: str, changes: dict[str, Any]) -> dict[str, Any] | None:
    """Apply the user's edits; an edited name or category is locked against automatic refresh."""
    sets, params = [], []
    for key, value in changes.items():
        if key not in EDITABLE:
            raise ValueError(f"{key} cannot be edited")
        sets.append(f"{key} = ?")
        params.append(json.dumps(value) if key in JSON_COLUMNS else value)
    if "canonical_name" in changes:
        sets.append("name_locked = 1")
    if "category" in changes:
        sets.append("category_locked = 1")
    if sets:
        sets.append("updated_at = ?")
        params.append(utc_iso(now_utc()))
        conn.execute(f"UPDATE people SET {', '.join(sets)} WHERE id = ?", [*params, person_id])
        index_people(conn, [person_id])
    return get_person(conn, person_id)


def _best_name(entities: list[tuple]) -> str | None:
    """The name to show, from a person's entity rows (source_type, observed_name first)."""
    ranked: Counter[tuple[int, str]] = Counter()
    for entity in entities:
        name = (entity[1] or "").strip()
        if not name or "@" in name:
            continue
        source = entity[0]
        authority = NAME_AUTHORITY.index(source) if source in NAME_AUTHORITY else len(NAME_AUTHORITY)
        ranked[(authority, name)] += 1
    if not ranked:
        return None
    # Most authoritative source first, then the most often seen, then the fullest spelling.
    return min(ranked, key=lambda k: (k[0], -ranked[k], -len(k[1]), k[1]))[1]


def refresh_people(
    conn: sqlite3.Connection,
    person_ids: list[str] | set[str],
    domain_mappings: dict[str, dict[str, Any]] | None = None,
    choose_name: Callable[[list[tuple], list[str], list[str]], str | None] | None = None,
    known_identifiers: dict[str, list[tuple[str, str]]] | None = None,
) -> None:
    """Recompute what a person row derives from its source entities and interactions.

    Names, emails, phones, sources, company, category, counts, first/last seen and the search index.
    `choose_name(entity rows, emails, phones)` picks the name shown (the identity layer's rules:
    identity.names.person_name; rows start with source_type, observed_name); without it, the most
    authoritative name seen. `known_identifiers` (person → every identifier of its entities, as the
    caller has just read them) spares reading them again: resolution knows those of the people it linked.
    A person left with no entity and no user data is removed (it was only ever a link target).
    """
    ids = sorted(set(person_ids))
    if not ids:
        return
    domain_mappings = domain_mappings or {}
    by_person = _entities_by_person(conn, ids)
    known = known_identifiers or {}
    identifiers = {p: known[p] for p in ids if p in known}
    identifiers.update(identifiers_of_people(conn, [p for p in ids if p not in known], ("email", "phone")))
    stamp = utc_iso(now_utc())
    figures = _interaction_figures(conn, ids, stamp)
    current = _refresh_inputs(conn, ids)
    updates, unindexed_updates = [], []
    observed_names: dict[str, list[str]] = {}
    searchable: dict[str, Searchable] = {}
    for person_id in ids:
        person = current.get(person_id)
        if person is None:
            continue
        own = by_person.get(person_id, [])
        if (
            not own
            and person["merged_into"] is None
            and not person["notes"]
            and person["tags"] == "[]"
            and not (
                # a merge into this person can still be undone: the row stays for it
                conn.execute("SELECT 1 FROM people WHERE merged_into = ? LIMIT 1", (person_id,)).fetchone()
            )
        ):
            conn.execute(
                "DELETE FROM pending_links WHERE proposed_canonical_id = ? AND status = 'pending'", (person_id,)
            )
            conn.execute("DELETE FROM people WHERE id = ?", (person_id,))
            continue
        signals = identifiers.get(person_id, ())
        emails = sorted({v for k, v in signals if k == "email"})
        phones = sorted({v for k, v in signals if k == "phone"})
        metadata = [json.loads(e[4]) for e in own if e[4]]
        latest = _latest_values(metadata)
        mapping = next((domain_mappings[d] for d in (m.rpartition("@")[2] for m in emails) if d in domain_mappings), {})
        name = (
            person["canonical_name"]
            if person["name_locked"]
            else (
                (choose_name(own, emails, phones) if choose_name else _best_name(own))
                or (emails or phones or [person["canonical_name"]])[0]
            )
        )
        company = latest.get("company") or mapping.get("company") or person["company"]
        position = latest.get("position") or person["position"]
        category = (
            person["category"]
            if person["category_locked"]
            else (mapping.get("category") or latest.get("category") or person["category"])
        )
        contexts = sorted(
            set(json.loads(person["vault_contexts"]) if person["vault_contexts"] != "[]" else ())
            | set(mapping.get("vault_contexts", []))
            | {c for m in metadata if isinstance(m.get("vault_contexts"), list) for c in m["vault_contexts"]}
        )
        count, first, last, upcoming = figures.get(person_id, (0, None, None, None))
        observed_first = own[0][2] if own and own[0][2] <= stamp else None  # the entities come oldest first
        observed_names[person_id] = list(dict.fromkeys(e[1] for e in sorted(own, key=_ROWID) if e[1] is not None))
        if person["merged_into"] is None:
            searchable[person_id] = (name, emails, phones, company, position)
        indexed = (person["canonical_name"], person["category"], person["last_seen"], person["next_seen"])
        (unindexed_updates if (name, category, last, upcoming) == indexed else updates).append(
            (
                name,
                _string_list(emails),
                _string_list(phones),
                company,
                position,
                latest.get("linkedin_url") or person["linkedin_url"],
                latest.get("avatar") or person["avatar"],
                category,
                json.dumps(contexts),
                _string_list(sorted({e[0] for e in own})),
                len(own),
                count,
                min(filter(None, (first, observed_first)), default=None),
                last,
                upcoming,
                stamp,
                person_id,
            )
        )
    conn.executemany(
        """UPDATE people SET canonical_name = ?, emails = ?, phone_numbers = ?, company = ?, position = ?,
               linkedin_url = ?, avatar = ?, category = ?, vault_contexts = ?, sources = ?,
               source_entity_count = ?, interaction_count = ?, first_seen = ?, last_seen = ?, next_seen = ?,
               updated_at = ?
           WHERE id = ?""",
        updates,
    )
    # An UPDATE rewrites the index entry of every indexed column it sets, whatever the value: the rows whose
    # indexed columns stay as they were (two in three on bench/resolution.py) leave them out of it.
    conn.executemany(
        """UPDATE people SET emails = ?2, phone_numbers = ?3, company = ?4, position = ?5, linkedin_url = ?6,
               avatar = ?7, vault_contexts = ?9, sources = ?10, source_entity_count = ?11, interaction_count = ?12,
               first_seen = ?13, updated_at = ?16
           WHERE id = ?17""",
        unindexed_updates,
    )
    index_people(conn, ids, observed_names, searchable)


_ROWID = itemgetter(3)  # of an entity row from _entities_by_person
_LATEST_KEYS = ("company", "position", "category", "linkedin_url", "avatar")


def _latest_values(metadata: list[dict[str, Any]]) -> dict[str, Any]:
    """The last set value of each of _LATEST_KEYS in a person's entity metadata, oldest entity first."""
    found: dict[str, Any] = {}
    for item in metadata:
        for key in _LATEST_KEYS:
            value = item.get(key)
            if value:
                found[key] = value
    return found


def _string_list(items: list[str]) -> str:
    """json.dumps of a list of strings, byte for byte, without the encoder json.dumps builds per call
    (four per person refreshed: a tenth of refresh_people)."""
    return f"[{', '.join(map(encode_basestring_ascii, items))}]"


def _entities_by_person(conn: sqlite3.Connection, ids: list[str]) -> dict[str, list[tuple]]:
    """person → its entities oldest first, as plain tuples (source_type, observed_name, observed_at, rowid,
    metadata): sqlite3.Row objects cost more to build and read than the rebuild's own work on them."""
    found: dict[str, list[tuple]] = {}
    cursor = plain_cursor(conn)
    for part in chunks(ids):
        marks = ",".join("?" * len(part))
        for row in cursor.execute(
            f"""SELECT canonical_person_id, source_type, observed_name, observed_at, rowid, metadata
                FROM source_entities WHERE canonical_person_id IN ({marks}) ORDER BY observed_at""",
            part,
        ):
            found.setdefault(row[0], []).append(row[1:])
    return found


def _refresh_inputs(conn: sqlite3.Connection, ids: list[str]) -> dict[str, sqlite3.Row]:
    """The columns refresh_people keeps or decides from, undecoded: whole rows decoded cost a third of it."""
    found = {}
    for part in chunks(ids):
        marks = ",".join("?" * len(part))
        for row in conn.execute(
            f"""SELECT id, canonical_name, name_locked, company, position, linkedin_url, avatar, category,
                       category_locked, vault_contexts, merged_into, notes, tags, last_seen, next_seen
                FROM people WHERE id IN ({marks})""",
            part,
        ):
            found[row["id"]] = row
    return found


def add_interaction_figures(
    conn: sqlite3.Connection, totals: dict[str, tuple[int, str | None, str | None, str | None]]
) -> None:
    """Count newly stored interactions into people's figures without re-reading their history:
    person → (new past interactions, the first one's time, the last one's time, the earliest future one's
    time); a time is None when the batch has none of that kind."""
    conn.executemany(
        """UPDATE people SET interaction_count = interaction_count + ?1,
               first_seen = CASE WHEN ?2 IS NULL THEN first_seen ELSE MIN(COALESCE(first_seen, ?2), ?2) END,
               last_seen = CASE WHEN ?3 IS NULL THEN last_seen ELSE MAX(COALESCE(last_seen, ?3), ?3) END,
               next_seen = CASE WHEN ?4 IS NULL THEN next_seen ELSE MIN(COALESCE(next_seen, ?4), ?4) END
           WHERE id = ?5""",
        [(count, first, last, upcoming, person) for person, (count, first, last, upcoming) in totals.items()],
    )


def _interaction_figures(
    conn: sqlite3.Connection, ids: list[str], now: str
) -> dict[str, tuple[int, str | None, str | None, str | None]]:
    """person → (interactions up to `now`, the first and last of them, the earliest one after `now`)."""
    found = {}
    for part in chunks(ids):
        marks = ",".join("?" * len(part))
        for row in conn.execute(
            f"""SELECT se.canonical_person_id, COUNT(DISTINCT i.id) FILTER (WHERE i.occurred_at <= ?),
                       MIN(i.occurred_at) FILTER (WHERE i.occurred_at <= ?),
                       MAX(i.occurred_at) FILTER (WHERE i.occurred_at <= ?),
                       MIN(i.occurred_at) FILTER (WHERE i.occurred_at > ?)
                FROM source_entities se
                JOIN interaction_participants ip ON ip.source_entity_id = se.id
                JOIN interactions i ON i.id = ip.interaction_id
                WHERE se.canonical_person_id IN ({marks})
                GROUP BY se.canonical_person_id""",
            [now, now, now, now, *part],
        ):
            found[row[0]] = (row[1], row[2], row[3], row[4])
    return found


def roll_figures_forward(conn: sqlite3.Connection, now: str) -> list[str]:
    """Recount the figures of the people whose next interaction is no longer ahead of `now`; returns them."""
    due = [row[0] for row in conn.execute("SELECT id FROM people WHERE next_seen <= ?", (now,))]
    figures = _interaction_figures(conn, due, now)
    conn.executemany(
        """UPDATE people SET interaction_count = ?1,
               first_seen = CASE WHEN first_seen <= ?6 THEN MIN(first_seen, COALESCE(?2, first_seen)) ELSE ?2 END,
               last_seen = ?3, next_seen = ?4 WHERE id = ?5""",
        [(*figures.get(person, (0, None, None, None)), person, now) for person in due],
    )
    return due


def count_people(conn: sqlite3.Connection) -> int:
    return conn.execute("SELECT COUNT(*) FROM people WHERE merged_into IS NULL").fetchone()[0]


def all_person_ids(conn: sqlite3.Connection) -> list[str]:
    return [r[0] for r in conn.execute("SELECT id FROM people WHERE merged_into IS NULL")]


def interaction_counts_between(conn: sqlite3.Connection, ids: list[str], since: str, until: str) -> dict[str, int]:
    found: dict[str, int] = {}
    for part in chunks(ids):
        marks = ",".join("?" * len(part))
        for row in conn.execute(
            f"""SELECT se.canonical_person_id, COUNT(DISTINCT i.id) FROM source_entities se
                JOIN interaction_participants ip ON ip.source_entity_id = se.id
                JOIN interactions i ON i.id = ip.interaction_id
                WHERE se.canonical_person_id IN ({marks}) AND i.occurred_at >= ? AND i.occurred_at <= ?
                GROUP BY se.canonical_person_id""",
            [*part, since, until],
        ):
            found[row[0]] = row[1]
    return found


def strength_inputs(
    conn: sqlite3.Connection, ids: list[str]
) -> list[tuple[str, str | None, list[str], tuple[float, int]]]:
    """(person id, last seen, sources, (strength, interactions in the last 90 days) as stored) for each of
    these people."""
    found = []
    cursor = plain_cursor(conn)
    for part in chunks(ids):
        marks = ",".join("?" * len(part))
        for row in cursor.execute(
            f"SELECT id, last_seen, sources, relationship_strength, interactions_90d FROM people WHERE id IN ({marks})",
            part,
        ):
            found.append((row[0], row[1], json.loads(row[2] or "[]"), (row[3], row[4])))
    return found


def set_strengths(conn: sqlite3.Connection, updates: list[tuple[str, float, int]]) -> None:
    """(person id, strength, interactions in the last 90 days)."""
    conn.executemany(
        "UPDATE people SET relationship_strength = ?, interactions_90d = ? WHERE id = ?",
        [(value, count, person_id) for person_id, value, count in updates],
    )


def known_full_names(conn: sqlite3.Connection) -> list[str]:
    """Names of live people with at least two words: the names a note may mention in plain text."""
    query = "SELECT DISTINCT canonical_name FROM people WHERE merged_into IS NULL AND canonical_name LIKE '% %'"
    return [row[0] for row in conn.execute(query)]


def mark_merged(conn: sqlite3.Connection, person_id: str, into_id: str) -> None:
    """The person now lives in `into_id`; the row stays (merged_into set) so the merge can be undone."""
    conn.execute(
        "UPDATE people SET merged_into = ?, updated_at = ? WHERE id = ?", (into_id, utc_iso(now_utc()), person_id)
    )


def unmerge(conn: sqlite3.Connection, person_id: str) -> None:
    conn.execute("UPDATE people SET merged_into = NULL, updated_at = ? WHERE id = ?", (utc_iso(now_utc()), person_id))


def ensure_person(conn: sqlite3.Connection, person_id: str, name: str) -> None:
    """Bring back a person that was removed when it was left empty (undo needs its id again)."""
    if get_person(conn, person_id) is None:
        create_person(conn, name or "Unknown", id=person_id)


def restore_user_fields(conn: sqlite3.Connection, person_id: str, notes: str, tags: list[str]) -> None:
    conn.execute("UPDATE people SET notes = ?, tags = ? WHERE id = ?", (notes, json.dumps(tags), person_id))
    index_people(conn, [person_id])


def name_of(conn: sqlite3.Connection, person_id: str) -> str | None:
    """Just the name: resolution asks for it thousands of times per import."""
    row = conn.execute("SELECT canonical_name FROM people WHERE id = ?", (person_id,)).fetchone()
    return row[0] if row else None


def names_of(conn: sqlite3.Connection, person_ids: list[str]) -> dict[str, str]:
    """The names of many people in one pass (resolution reads those of every candidate up front)."""
    found: dict[str, str] = {}
    cursor = plain_cursor(conn)
    for part in chunks(person_ids):
        marks = ",".join("?" * len(part))
        found.update(cursor.execute(f"SELECT id, canonical_name FROM people WHERE id IN ({marks})", part))
    return found


def machine_made(conn: sqlite3.Connection, person_id: str) -> bool:
    """Nothing of the user on this person: no notes or tags, no entity the user placed, no relationship the user
    spoke of, not merged away. Only such a person may be joined into another without asking."""
    row = conn.execute(
        f"""SELECT merged_into IS NULL AND notes = '' AND tags = '[]'
               AND NOT EXISTS (SELECT 1 FROM source_entities WHERE canonical_person_id = people.id
                                   AND (link_status = 'confirmed' OR linked_by = 'user'))
               AND NOT EXISTS (SELECT 1 FROM relationships WHERE person_a_id = people.id AND {USER_SPOKE})
               AND NOT EXISTS (SELECT 1 FROM relationships WHERE person_b_id = people.id AND {USER_SPOKE})
           FROM people WHERE id = ?""",
        (person_id,),
    ).fetchone()
    return bool(row and row[0])
