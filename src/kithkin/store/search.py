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


def index_people(conn: sqlite3.Connection, person_ids: list[str]) -> None:
    """Rewrite the search rows of these people from their current records and entities."""
    for part in chunks(list(person_ids)):
        marks = ",".join("?" * len(part))
        conn.execute(f"DELETE FROM people_fts WHERE person_id IN ({marks})", part)
        rows = conn.execute(
            f"""SELECT p.id, p.canonical_name, p.emails, p.phone_numbers, p.company, p.position,
                       (SELECT group_concat(DISTINCT se.observed_name) FROM source_entities se
                        WHERE se.canonical_person_id = p.id) AS observed
                FROM people p WHERE p.id IN ({marks}) AND p.merged_into IS NULL""",
            part,
        ).fetchall()
        conn.executemany(
            "INSERT INTO people_fts (person_id, names, emails, phones, company) VALUES (?, ?, ?, ?, ?)",
            [
                (
                    r["id"],
                    " ".join(filter(None, (r["canonical_name"], r["observed"]))),
                    " ".join(json.loads(r["emails"])),
                    _phone_text(json.loads(r["phone_numbers"])),
                    " ".join(filter(None, (r["company"], r["position"]))),
                )
                for r in rows
            ],
        )


def _phone_text(phones: list[str]) -> str:
    return " ".join(phone.lstrip("+") for phone in phones)


def phone_digits(query: str) -> str | None:
    """The digits of a query that looks like (part of) a phone number, else None."""
    stripped = re.sub(r"[\s+\-().]", "", query)
    return stripped if len(stripped) >= 3 and stripped.isdigit() else None
