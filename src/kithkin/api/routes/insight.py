"""Dashboard figures, a person's timeline, meeting prep, the network graph."""

from __future__ import annotations

import json
import sqlite3
from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Path, Query, Response

from kithkin.api.deps import ConnDep, ReadsDep
from kithkin.api.insight_schemas import (
    FactList,
    MeetingBriefPublic,
    RelationshipPatch,
    RelationshipRecord,
    StatisticsPublic,
)
from kithkin.api.schemas import (
    ConnectionList,
    ErrorBody,
    MeetingList,
    SuggestionList,
    TimelinePage,
)
from kithkin.insight import discover as discovery
from kithkin.insight import facts
from kithkin.insight import meetings as meeting_prep
from kithkin.models import now_utc, utc_iso
from kithkin.services import statistics as compute_statistics
from kithkin.store import db, people, relationships
from kithkin.store import facts as facts_store
from kithkin.store.timeline import person_timeline

router = APIRouter(tags=["insight"])


@router.get("/statistics", response_model=StatisticsPublic)
def statistics(conn: ConnDep, reads: ReadsDep) -> dict[str, Any]:
    """People, entities, interactions (by source and by month), pending links, sources and what each covers."""
    return reads.get("statistics", lambda: compute_statistics(conn))


@router.get(
    "/people/{person_id}/timeline",
    response_model=TimelinePage,
    responses={404: {"model": ErrorBody, "description": "no such person"}, 422: {"model": ErrorBody}},
)
def timeline(
    person_id: str,
    conn: ConnDep,
    source: Annotated[str | None, Query(max_length=64, description="only this source")] = None,
    before: Annotated[
        str | None, Query(max_length=80, description="a next_cursor, or an ISO time: only what happened before it")
    ] = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 30,
) -> dict[str, Any]:
    """What happened with the person across every source, newest first (what is still ahead is under
    /people/{id}/upcoming); page with `before` = `next_cursor`."""
    if people.get_person(conn, person_id) is None:
        raise HTTPException(404, f"There is no person {person_id}.")
    now = utc_iso(now_utc())
    items, total = person_timeline(conn, person_id, source=source, before=_cursor(before), until=now, limit=limit)
    last = items[-1] if len(items) == limit else None
    cursor = f"{last['occurred_at']}|{last['id']}" if last else None
    return {"items": [_text_id(item) for item in items], "total": total, "next_cursor": cursor}


def _cursor(before: str | None) -> tuple[str, int | None] | None:
    """A next_cursor ("time|id") or a bare time; anything else is refused in one sentence."""
    if not before:
        return None
    moment, _, last_id = before.partition("|")
    if last_id and (not last_id.isdigit() or int(last_id) >= 2**63):
        raise HTTPException(422, "before: use the next_cursor of the previous page or an ISO time.")
    return moment, int(last_id) if last_id else None


@router.get(
    "/people/{person_id}/connections",
    response_model=ConnectionList,
    responses={404: {"model": ErrorBody, "description": "no such person"}},
)
def connections(person_id: str, conn: ConnDep, limit: Annotated[int, Query(ge=1, le=500)] = 100) -> dict[str, Any]:
    """Related people with their overlap scores, shared contexts and counts, the largest overlap first."""
    if people.get_person(conn, person_id) is None:
        raise HTTPException(404, f"There is no person {person_id}.")
    found = relationships.of_person(conn, person_id, limit=limit)
    return {"items": found, "total": relationships.count_of_person(conn, person_id)}


def _relationship_or_404(conn: sqlite3.Connection, relationship_id: str) -> dict[str, Any]:
    found = relationships.get_relationship(conn, relationship_id)
    if found is None or found["user_deleted"]:
        raise HTTPException(404, f"There is no relationship {relationship_id}.")
    return {
        **found,
        "shared_contexts": json.loads(found["shared_contexts"] or "[]"),
        "user_confirmed": bool(found["user_confirmed"]),
    }


@router.patch(
    "/relationships/{relationship_id}",
    response_model=RelationshipRecord,
    responses={404: {"model": ErrorBody, "description": "no such relationship"}},
)
def edit_relationship(relationship_id: str, patch: RelationshipPatch, conn: ConnDep) -> dict[str, Any]:
    """Confirm, retype or annotate a relationship; recomputation keeps what the user said."""
    _relationship_or_404(conn, relationship_id)
    with db.transaction(conn):
        relationships.edit_relationship(conn, relationship_id, patch.model_dump(exclude_unset=True))
    return _relationship_or_404(conn, relationship_id)


@router.delete(
    "/relationships/{relationship_id}",
    status_code=204,
    responses={404: {"model": ErrorBody, "description": "no such relationship"}},
)
def delete_relationship(relationship_id: str, conn: ConnDep) -> Response:
    """Hide a relationship for good: later imports will not bring it back."""
    _relationship_or_404(conn, relationship_id)
    with db.transaction(conn):
        relationships.edit_relationship(conn, relationship_id, {"deleted": True})
    return Response(status_code=204)


@router.get(
    "/people/{person_id}/facts",
    response_model=FactList,
    responses={404: {"model": ErrorBody, "description": "no such person"}},
)
def person_facts(person_id: str, conn: ConnDep) -> dict[str, Any]:
    """Quick facts read from the data (birthday, company, how you met, last topics…), each with its source.
    Stored for the strongest people after each import; read fresh for anyone else."""
    if people.get_person(conn, person_id) is None:
        raise HTTPException(404, f"There is no person {person_id}.")
    found = facts_store.facts_of(conn, person_id) or facts.extract(conn, person_id)
    return {"items": found, "total": len(found)}


@router.get("/discover", response_model=SuggestionList)
def discover(conn: ConnDep, reads: ReadsDep, limit: Annotated[int, Query(ge=1, le=200)] = 20) -> dict[str, Any]:
    """People you may know: close to your strong ties, barely in touch with you; each with the reason."""
    found = reads.get(("discover", limit), lambda: discovery.suggestions(conn, limit))
    return {"items": found, "total": len(found)}


@router.get("/meetings/upcoming", response_model=MeetingList)
def upcoming_meetings(conn: ConnDep, limit: Annotated[int, Query(ge=1, le=200)] = 20) -> dict[str, Any]:
    """Meetings from now on, soonest first, with their attendees' names."""
    items, total = meeting_prep.upcoming(conn, now_utc(), limit)
    return {"items": [_text_id(item) for item in items], "total": total}


@router.get(
    "/meetings/{meeting_id}/brief",
    response_model=MeetingBriefPublic,
    responses={404: {"model": ErrorBody, "description": "no such meeting"}},
)
def meeting_brief(meeting_id: Annotated[int, Path(ge=0, le=2**63 - 1)], conn: ConnDep) -> dict[str, Any]:
    """For each attendee: who they are, strength, last interactions, notes, the other attendees they know,
    how the user knows them and their quick facts; unknown attendees have known = false."""
    found = meeting_prep.brief(conn, meeting_id, now_utc())
    if found is None:
        raise HTTPException(404, f"There is no meeting {meeting_id}.")
    for attendee in found["attendees"]:
        attendee["recent_interactions"] = [_text_id(i) for i in attendee["recent_interactions"]]
    return _text_id(found)


def _text_id(item: dict[str, Any]) -> dict[str, Any]:
    """Interaction ids are 63-bit; browsers read JSON numbers past 2**53 wrongly, so they go out as text."""
    return {**item, "id": str(item["id"])}
