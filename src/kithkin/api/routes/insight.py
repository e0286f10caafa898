"""Dashboard figures and a person's timeline."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Query

from kithkin.api.deps import ConnDep
from kithkin.api.schemas import ErrorBody, Statistics, TimelinePage
from kithkin.services import statistics as compute_statistics
from kithkin.store import people
from kithkin.store.timeline import person_timeline

router = APIRouter(tags=["insight"])


@router.get("/statistics", response_model=Statistics)
def statistics(conn: ConnDep) -> dict[str, Any]:
    """People, entities, interactions (by source and by month), pending links, sources."""
    return compute_statistics(conn)


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
    """The person's interactions across every source, newest first; page with `before` = `next_cursor`."""
    if people.get_person(conn, person_id) is None:
        raise HTTPException(404, f"There is no person {person_id}.")
    items, total = person_timeline(conn, person_id, source=source, before=_cursor(before), limit=limit)
    last = items[-1] if len(items) == limit else None
    return {"items": items, "total": total, "next_cursor": f"{last['occurred_at']}|{last['id']}" if last else None}


def _cursor(before: str | None) -> tuple[str, int | None] | None:
    """A next_cursor ("time|id") or a bare time; anything else is refused in one sentence."""
    if not before:
        return None
    moment, _, last_id = before.partition("|")
    if last_id and (not last_id.isdigit() or int(last_id) >= 2**63):
        raise HTTPException(422, "before: use the next_cursor of the previous page or an ISO time.")
    return moment, int(last_id) if last_id else None
