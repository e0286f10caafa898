"""Quick facts: what the data itself says about a person, rule by rule, each with its source.

Birthday, current and past company and title, location (contact cards, LinkedIn), how and when the
user met them (the first interaction), last topics (recent subjects and titles), and family and
interests mentioned in notes. Deterministic: the same data gives the same facts.
"""

from __future__ import annotations

import re
import sqlite3
from typing import Any

from kithkin.store import facts as store
from kithkin.store import people

LOCATION_KEYS = ("location", "city", "address")
_FAMILY = re.compile(
    r"\b(?i:his|her|their|has an?|with (?:his|her|their))\s+(wife|husband|partner|son|daughter|kids?|children|"
    r"baby|twins|brother|sister|mother|father|mom|dad)\b(?:\s*,?\s*(?:named|called)?\s*([A-Z][a-z]+))?"
)
_INTEREST = re.compile(
    r"\b(?:loves|likes|enjoys|is into|is a fan of|plays|collects)\s+([a-z][a-z \-]{2,30}?)(?=[.,;!\n]|$)"
)
TOPICS = 3


def _fact(kind: str, value: str, source_type: str | None, ref: str | None, when: str | None) -> dict[str, Any]:
    return {"kind": kind, "value": value.strip(), "source_type": source_type, "source_ref": ref, "observed_at": when}


def extract(conn: sqlite3.Connection, person_id: str) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    companies: list[tuple[str, str, str, str]] = []
    for entity in store.entity_metadata(conn, person_id):
        meta, where = entity["metadata"], (entity["source_type"], entity["id"], entity["observed_at"])
        if meta.get("birthday"):
            found.append(_fact("birthday", str(meta["birthday"]), *where))
        if meta.get("company"):
            companies.append((entity["observed_at"], str(meta["company"]), entity["source_type"], entity["id"]))
        if meta.get("position"):
            found.append(_fact("title", str(meta["position"]), *where))
        for key in LOCATION_KEYS:
            if meta.get(key):
                found.append(_fact("location", str(meta[key]), *where))
    if companies:
        companies.sort()
        *past, current = companies
        found.append(_fact("company", current[1], current[2], current[3], current[0]))
        found += [_fact("past_company", c[1], c[2], c[3], c[0]) for c in past if c[1] != current[1]]
    first = store.interactions_of(conn, person_id, newest=False, limit=1)
    if first:
        met = first[0]
        how = met["title"] or met["kind"]
        found.append(
            _fact(
                "met",
                f"{met['occurred_at'][:10]} via {met['source_type']}: {how}",
                met["source_type"],
                str(met["id"]),
                met["occurred_at"],
            )
        )
    for recent in store.interactions_of(conn, person_id, newest=True, limit=20):
        if recent["title"] and sum(f["kind"] == "last_topic" for f in found) < TOPICS:
            found.append(
                _fact("last_topic", recent["title"], recent["source_type"], str(recent["id"]), recent["occurred_at"])
            )
    for note in store.notes_mentioning(conn, person_id):
        where = (note["source_type"], str(note["id"]), note["occurred_at"])
        for relation, name in _FAMILY.findall(note["snippet"]):
            found.append(_fact("family", f"{relation} {name}".strip(), *where))
        for interest in _INTEREST.findall(note["snippet"]):
            found.append(_fact("interest", interest, *where))
    return found


def refresh(conn: sqlite3.Connection, limit: int = 50) -> dict[str, int]:
    """Extract and store the facts of the `limit` strongest people; returns facts per person."""
    strongest, _ = people.list_people(conn, sort="strength", limit=limit)
    counts = {}
    for person in strongest:
        extracted = extract(conn, person["id"])
        store.replace_facts(conn, person["id"], extracted)
        counts[person["id"]] = len(extracted)
    return counts
