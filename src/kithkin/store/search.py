"""The FTS5 index over people: every name they were seen under, emails, phones, company."""

from __future__ import annotations

import json
import re
import sqlite3

from kithkin.store.ids import chunks

_TOKEN = re.compile(r"\w+", re.UNICODE)


def match_expression(query: str) -> str | None:
    """A safe FTS5 query: every word of the user's text as a prefix, all required."""
    tokens = _TOKEN.findall(query)
    if not tokens:
        return None
    return " AND ".join(f'"{t}"*' for t in tokens)


def name_match_expression(query: str) -> str | None:
    """The same query limited to the names column: people found by name rank before those found by title,
    company or email ("ana" finds Ana Novak before nine Analysts)."""
    expression = match_expression(query)
    return f"names : ({expression})" if expression else None


# What a person's search row is made of: (name, emails, phones, company, position).
Searchable = tuple[str, list[str], list[str], str | None, str | None]


def index_people(
    conn: sqlite3.Connection,
    person_ids: list[str],
    observed_names: dict[str, list[str]] | None = None,
    searchable: dict[str, Searchable] | None = None,
) -> None:
    """Bring the search rows of these people up to date with their records and entities.

    `observed_names` (person → the distinct names its entities were seen under, in rowid order, as
    group_concat reads them) spares reading them again when the caller has just read the entities; with it,
    `searchable` (each live one of these people → what its row is made of, as the caller has just written
    it) spares reading the people back. A row whose text is unchanged stays: rewriting an FTS row costs far
    more than comparing it, and 38 % of the people refreshed on bench/resolution.py keep their text.
    """
    ids = list(dict.fromkeys(person_ids))
    if searchable is not None and observed_names is not None:
        wanted = {
            person_id: _row_text(name, ",".join(observed_names.get(person_id, ())) or None, *rest)
            for person_id, (name, *rest) in searchable.items()
        }
    else:
        wanted = _stored_texts(conn, ids, observed_names)
    stale, fresh = [], []
    indexed = _indexed_rows(conn, ids)
    for person_id in ids:
        text = wanted.get(person_id)
        rows = indexed.get(person_id, [])
        if text is not None and len(rows) == 1 and rows[0][1] == text:
            continue
        stale.extend((rowid,) for rowid, _ in rows)
        if text is not None:
            fresh.append((person_id, *text))
    conn.executemany("DELETE FROM people_fts WHERE rowid = ?", stale)
    conn.executemany("INSERT INTO people_fts (person_id, names, emails, phones, company) VALUES (?, ?, ?, ?, ?)", fresh)


def _stored_texts(
    conn: sqlite3.Connection, ids: list[str], observed_names: dict[str, list[str]] | None
) -> dict[str, tuple[str, str, str, str]]:
    """The search text of each of these people that lives, read from the store."""
    wanted: dict[str, tuple[str, str, str, str]] = {}
    for part in chunks(ids):
        marks = ",".join("?" * len(part))
        observed = (
            "(SELECT group_concat(DISTINCT se.observed_name) FROM source_entities se"
            " WHERE se.canonical_person_id = p.id)"
            if observed_names is None
            else "NULL"
        )
        for r in conn.execute(
            f"""SELECT p.id, p.canonical_name, p.emails, p.phone_numbers, p.company, p.position, {observed}
                FROM people p WHERE p.id IN ({marks}) AND p.merged_into IS NULL""",
            part,
        ):
            seen = r[6] if observed_names is None else ",".join(observed_names.get(r[0], ())) or None
            wanted[r[0]] = _row_text(r[1], seen, json.loads(r[2]), json.loads(r[3]), r[4], r[5])
    return wanted


def _row_text(
    name: str, seen: str | None, emails: list[str], phones: list[str], company: str | None, position: str | None
) -> tuple[str, str, str, str]:
    """A search row's text: names, emails, phones, company."""
    return (
        " ".join(filter(None, (name, seen))),
        " ".join(emails),
        _phone_text(phones),
        " ".join(filter(None, (company, position))),
    )


def _indexed_rows(conn: sqlite3.Connection, person_ids: list[str]) -> dict[str, list[tuple[int, tuple]]]:
    """person → its search rows (rowid, text). person_id is not indexed: every lookup scans the table, so
    all ids go in one statement (slices of them would each scan it again)."""
    found: dict[str, list[tuple[int, tuple]]] = {}
    for row in conn.execute(
        """SELECT rowid, person_id, names, emails, phones, company FROM people_fts
           WHERE person_id IN (SELECT value FROM json_each(?))""",
        (json.dumps(person_ids),),
    ):
        found.setdefault(row[1], []).append((row[0], tuple(row[2:])))
    return found


def _phone_text(phones: list[str]) -> str:
    return " ".join(phone.lstrip("+") for phone in phones)


def phone_digits(query: str) -> str | None:
    """The digits of a query that looks like (part of) a phone number, else None."""
    stripped = re.sub(r"[\s+\-().]", "", query)
    return stripped if len(stripped) >= 3 and stripped.isdigit() else None
