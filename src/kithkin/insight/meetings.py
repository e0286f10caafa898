"""Meeting prep: the meetings coming up and, for each attendee, what is worth knowing beforehand."""

from __future__ import annotations

import sqlite3
from datetime import datetime
from typing import Any

from kithkin.insight import facts
from kithkin.models import utc_iso
from kithkin.store import facts as facts_store
from kithkin.store import meetings, people, relationships
from kithkin.store.timeline import person_timeline

RECENT = 4
MENTIONS = 3
SHARED = 5
BRIEF_FIELDS = ("id", "source_type", "kind", "occurred_at", "title", "snippet")


def upcoming(conn: sqlite3.Connection, now: datetime, limit: int) -> tuple[list[dict[str, Any]], int]:
    """Meetings from `now` on, soonest first, each with its attendees' names."""
    found, total = meetings.upcoming(conn, utc_iso(now), limit)
    items = []
    for meeting in found:
        invited = meetings.attendees(conn, meeting["id"])
        names = [a["observed_name"] or a["observed_email"] or a["observed_phone"] or "unknown" for a in invited]
        series = {"recurring": meeting["recurring"], "series_ahead": meeting["series_ahead"]}
        items.append({**_summary(meeting), **series, "attendee_count": len(invited), "attendee_names": names})
    return items, total


def brief(conn: sqlite3.Connection, meeting_id: int, now: datetime) -> dict[str, Any] | None:
    """The meeting, and per attendee: the person (None when nobody known), the last interactions before
    `now`, who among the other attendees they are connected to. None when there is no such meeting."""
    meeting = meetings.get_meeting(conn, meeting_id)
    if meeting is None:
        return None
    invited = meetings.attendees(conn, meeting_id)
    persons = people.get_people(conn, sorted({a["canonical_person_id"] for a in invited if a["canonical_person_id"]}))
    attendees, seen = [], set()
    for entry in invited:
        person = persons.get(entry["canonical_person_id"] or "")
        if person is not None:
            if person["id"] in seen:
                continue  # two of their addresses were invited: one person
            seen.add(person["id"])
        attendees.append(_attendee(conn, entry, person, utc_iso(now), persons))
    return {**_summary(meeting), "attendees": attendees}


def _attendee(
    conn: sqlite3.Connection,
    entry: dict[str, Any],
    person: dict[str, Any] | None,
    now: str,
    persons: dict[str, dict[str, Any]],
) -> dict[str, Any]:
    recent: list[dict[str, Any]] = []
    connected: list[str] = []
    known_facts: list[dict[str, Any]] = []
    mentions: list[dict[str, Any]] = []
    shared: list[str] = []
    if person is not None:
        # What already happened: later series occurrences are on the timeline too.
        items, _ = person_timeline(conn, person["id"], before=(now, None), limit=RECENT)
        recent = [{k: i[k] for k in BRIEF_FIELDS} for i in items]
        others = {pid for pid in persons if pid != person["id"]}
        ties = relationships.of_person(conn, person["id"])
        connected = [r["person_name"] for r in ties if r["person_id"] in others]
        # The people the user and the attendee both know, closest to the attendee first.
        shared = [r["person_name"] for r in ties if r["person_id"] not in others][:SHARED]
        known_facts = facts_store.facts_of(conn, person["id"]) or facts.extract(conn, person["id"])
        mentions = [
            {**{k: note[k] for k in ("source_type", "occurred_at", "title", "snippet")}, "id": str(note["id"])}
            for note in facts_store.notes_mentioning(conn, person["id"], limit=MENTIONS)
        ]
    return {
        "name": (person or {}).get("canonical_name") or entry["observed_name"] or entry["observed_email"] or "unknown",
        "email": entry["observed_email"],
        "role": entry["role"],
        "known": bool(recent),
        "last_contact": recent[0]["occurred_at"] if recent else None,
        "person": person,
        "recent_interactions": recent,
        "connected_attendees": connected,
        "shared_people": shared,
        "mentions": mentions,
        "how_you_know": _how_you_know(conn, person, now) if recent else None,
        "facts": known_facts,
    }


def _how_you_know(conn: sqlite3.Connection, person: dict[str, Any], now: str) -> str:
    """When and where the user was first in touch with the person, and the sources that know them."""
    (first,) = facts_store.interactions_of(conn, person["id"], newest=False, limit=1, until=now)
    what = f" ({first['title']})" if first["title"] else ""
    known = ", ".join(person["sources"])
    return f"First in touch on {first['occurred_at'][:10]} by {first['source_type']}{what}; known through {known}."


def _summary(meeting: dict[str, Any]) -> dict[str, Any]:
    return {k: meeting[k] for k in ("id", "title", "occurred_at", "context", "source_type")}
