"""People: list and search, detail, edits, merge and split."""

from __future__ import annotations

import sqlite3
from typing import Annotated, Any, Literal

from fastapi import APIRouter, HTTPException, Query

from kithkin.api.deps import ConnDep, WorkspaceDep
from kithkin.api.schemas import (
    ErrorBody,
    MergeRequest,
    PersonDetail,
    PersonList,
    PersonPatch,
    PersonPublic,
    SplitRequest,
)
from kithkin.identity import review
from kithkin.identity.review import pending_link_views
from kithkin.store import db, links, people, relationships, sources

router = APIRouter(tags=["people"])

NOT_FOUND = {404: {"model": ErrorBody, "description": "no such person"}}
DECIDED = {409: {"model": ErrorBody, "description": "the people or entities cannot be merged or split so"}}


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


def person_detail(conn: sqlite3.Connection, person_id: str) -> dict[str, Any]:
    person = person_or_404(conn, person_id)
    entities = [sources.entity_to_dict(e) for e in sources.entities_of_people(conn, [person_id])]
    return {
        **person,
        "source_entities": entities,
        "pending_links": pending_link_views(conn, links.pending_for_person(conn, person_id)),
        "relationships": relationships.of_person(conn, person_id),
    }


@router.get("/people/{person_id}", response_model=PersonDetail, responses=NOT_FOUND)
def get_person(person_id: str, conn: ConnDep) -> dict[str, Any]:
    """The person with their source entities, pending links and relationships."""
    return person_detail(conn, person_id)


@router.patch("/people/{person_id}", response_model=PersonPublic, responses=NOT_FOUND)
def patch_person(person_id: str, patch: PersonPatch, conn: ConnDep, workspace: WorkspaceDep) -> dict[str, Any]:
    """Edit notes, tags, category or name; an edited name or category is kept over automatic ones."""
    person_or_404(conn, person_id)
    changes = patch.model_dump(exclude_unset=True)
    with db.transaction(conn):
        updated = people.update_person(conn, person_id, changes)
    assert updated is not None
    return updated


@router.post("/people/{person_id}/merge", response_model=PersonDetail, responses={**NOT_FOUND, **DECIDED})
def merge_person(person_id: str, body: MergeRequest, conn: ConnDep, workspace: WorkspaceDep) -> dict[str, Any]:
    """Merge another person into this one: their source entities, notes and tags move here (undoable)."""
    review.merge_people(conn, person_id, body.other_id, workspace.mappings.domains(), workspace.settings)
    return person_detail(conn, person_id)


@router.post(
    "/people/{person_id}/split", status_code=201, response_model=PersonDetail, responses={**NOT_FOUND, **DECIDED}
)
def split_person(person_id: str, body: SplitRequest, conn: ConnDep, workspace: WorkspaceDep) -> dict[str, Any]:
    """Move these source entities of the person to a new person, returned (undoable)."""
    new_id = review.split_person(
        conn, person_id, body.source_entity_ids, workspace.mappings.domains(), workspace.settings
    )
    return person_detail(conn, new_id)
