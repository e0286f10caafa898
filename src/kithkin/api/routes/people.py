"""People: list and search, detail, edits."""

from __future__ import annotations

import sqlite3
from typing import Annotated, Any, Literal

from fastapi import APIRouter, HTTPException, Query

from kithkin.api.deps import ConnDep, WorkspaceDep
from kithkin.api.schemas import PersonDetail, PersonList, PersonPatch, PersonPublic
from kithkin.store import db, links, people, relationships, sources

router = APIRouter(tags=["people"])


@router.get("/people", response_model=PersonList)
def list_people(
    conn: ConnDep,
    q: Annotated[str | None, Query(max_length=200, description="matches names, emails, phones, companies")] = None,
    category: Annotated[str | None, Query(max_length=64)] = None,
    source: Annotated[str | None, Query(max_length=64)] = None,
    tag: Annotated[str | None, Query(max_length=64)] = None,
    pending: bool | None = None,
    sort: Literal["strength", "name", "last_seen", "interactions"] = "strength",
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    offset: Annotated[int, Query(ge=0, le=10_000_000)] = 0,
) -> dict[str, Any]:
    """People, filtered and sorted; `total` counts every match."""
    items, total = people.list_people(
        conn, q=q, category=category, source=source, tag=tag, pending=pending, sort=sort, limit=limit, offset=offset
    )
    return {"items": items, "total": total}


def person_or_404(conn: sqlite3.Connection, person_id: str) -> dict[str, Any]:
    person = people.get_person(conn, person_id)
    if person is None:
        raise HTTPException(404, f"There is no person {person_id}.")
    return person


def pending_link_view(conn: sqlite3.Connection, link: dict[str, Any]) -> dict[str, Any]:
    entity = sources.get_entity(conn, link["source_entity_id"])
    return {
        **link,
        "source_entity": sources.entity_to_dict(entity) if entity else None,
        "proposed_person": people.get_person(conn, link["proposed_canonical_id"]),
        "previous_person": people.get_person(conn, link["previous_canonical_id"])
        if link.get("previous_canonical_id")
        else None,
    }


@router.get("/people/{person_id}", response_model=PersonDetail, responses={404: {"description": "no such person"}})
def get_person(person_id: str, conn: ConnDep) -> dict[str, Any]:
    """The person with their source entities, pending links and relationships."""
    person = person_or_404(conn, person_id)
    entities = [sources.entity_to_dict(e) for e in sources.entities_of_people(conn, [person_id])]
    pending = [pending_link_view(conn, link) for link in links.pending_for_person(conn, person_id)]
    return {
        **person,
        "source_entities": entities,
        "pending_links": pending,
        "relationships": relationships.of_person(conn, person_id),
    }


@router.patch("/people/{person_id}", response_model=PersonPublic, responses={404: {"description": "no such person"}})
def patch_person(person_id: str, patch: PersonPatch, conn: ConnDep, workspace: WorkspaceDep) -> dict[str, Any]:
    """Edit notes, tags, category or name; an edited name or category is kept over automatic ones."""
    person_or_404(conn, person_id)
    changes = patch.model_dump(exclude_unset=True)
    with db.transaction(conn):
        updated = people.update_person(conn, person_id, changes)
    assert updated is not None
    return updated
