"""One search over people and everything said and written with them."""

from __future__ import annotations

import sqlite3
from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Query, Request, Response

from kithkin.api.deps import read_in_one_trip
from kithkin.api.schemas import ErrorBody
from kithkin.api.search_schemas import SearchResults
from kithkin.insight import search as searching
from kithkin.store import people

router = APIRouter(tags=["search"])
MMAP_BYTES = 1 << 30


@router.get(
    "/search",
    response_model=SearchResults,
    responses={400: {"model": ErrorBody, "description": "a date that is not one"}, 404: {"model": ErrorBody}},
)
async def search(
    request: Request,
    q: Annotated[str, Query(max_length=500, description='words, "a phrase", prefix*; accents do not matter')] = "",
    person: Annotated[str | None, Query(max_length=64, description="only conversations with this person")] = None,
    source: Annotated[str | None, Query(max_length=64)] = None,
    after: Annotated[str | None, Query(max_length=40, description="from this date or time on (UTC)")] = None,
    before: Annotated[str | None, Query(max_length=40, description="before this date or time (UTC)")] = None,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
    offset: Annotated[int, Query(ge=0, le=searching.WINDOW)] = 0,
) -> Response:
    """People who match, then who talked about it; conversations best first (BM25 with a recency boost),
    each with its people, the matching words as spans, and the timeline cursor that opens it."""

    def answer(conn: sqlite3.Connection) -> dict[str, Any]:
        # A connection's page cache starts empty; the index's pages are then read through the OS's cache by
        # memory map rather than copied in one read() each.
        conn.execute(f"PRAGMA mmap_size={MMAP_BYTES}")
        person_id = None
        if person:
            person_id = people.live_person_id(conn, person)
            if person_id is None:
                raise HTTPException(404, f"There is no person {person}.")
        return searching.search(
            conn, q, person_id=person_id, source=source, after=after, before=before, limit=limit, offset=offset
        )

    return await read_in_one_trip(request, answer)
