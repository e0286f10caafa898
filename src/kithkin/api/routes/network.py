"""The network around the user: what lies ahead with a person, communities and the graph, ego networks."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, HTTPException, Query, Response

from kithkin.api.deps import ConnDep, ReadsDep, WorkspaceDep
from kithkin.api.network_schemas import CompanyDetail, CompanyList, NetworkGraph, PathList, UpcomingList
from kithkin.api.schemas import ErrorBody
from kithkin.insight import companies, network, paths
from kithkin.models import now_utc, utc_iso
from kithkin.store import db, people
from kithkin.store import suggestions as dismissals
from kithkin.store.timeline import upcoming_of

router = APIRouter(tags=["network"])

NOT_FOUND = {404: {"model": ErrorBody, "description": "no such person"}}


@router.get("/people/{person_id}/upcoming", response_model=UpcomingList, responses=NOT_FOUND)
def upcoming(person_id: str, conn: ConnDep, limit: Annotated[int, Query(ge=1, le=50)] = 5) -> dict[str, Any]:
    """The person's interactions still ahead (meetings), soonest first; they are not counted as contact."""
    if people.get_person(conn, person_id) is None:
        raise HTTPException(404, f"There is no person {person_id}.")
    found, total = upcoming_of(conn, person_id, utc_iso(now_utc()), limit)
    return {"items": [{**item, "id": str(item["id"])} for item in found], "total": total}


@router.get("/graph", response_model=NetworkGraph)
def graph(
    conn: ConnDep,
    reads: ReadsDep,
    limit: Annotated[int, Query(ge=1, le=1000)] = 250,
    types: Annotated[
        list[str] | None,
        Query(alias="type", max_length=40, description="only edges of this relationship type (repeatable)"),
    ] = None,
    period: Annotated[
        Literal["all", "year"], Query(description="year: only people seen and ties active in the last 12 months")
    ] = "all",
) -> dict[str, Any]:
    """The `limit` strongest people as nodes, every relationship between two of them as an edge, and the
    communities they form (Louvain), each named by what most of its members share."""
    since = network.since(period, now_utc())
    day = since[:10] if since else None  # the cache key moves once a day, not once a second
    return reads.get(("graph", limit, tuple(types or ()), day), lambda: network.whole(conn, limit, types, since))


@router.get("/people/{person_id}/network", response_model=NetworkGraph, responses=NOT_FOUND)
def ego_network(
    person_id: str, conn: ConnDep, reads: ReadsDep, limit: Annotated[int, Query(ge=1, le=200)] = 40
) -> dict[str, Any]:
    """The person, their `limit` closest connections, the ties among all of them, and the communities
    their connections form among themselves."""
    found = reads.get(("ego", person_id, limit), lambda: network.ego(conn, person_id, limit))
    if found is None:
        raise HTTPException(404, f"There is no person {person_id}.")
    return found


def _companies(conn: ConnDep, reads: ReadsDep, workspace: WorkspaceDep) -> dict[str, dict[str, Any]]:
    return reads.get("companies", lambda: companies.gather(conn, workspace.mappings.domains()))


@router.get("/companies", response_model=CompanyList)
def list_companies(
    conn: ConnDep,
    reads: ReadsDep,
    workspace: WorkspaceDep,
    q: Annotated[str | None, Query(max_length=200, description="part of a company's name or domain")] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    offset: Annotated[int, Query(ge=0, le=10_000_000)] = 0,
) -> dict[str, Any]:
    """Who the user knows where: companies named by contact cards, LinkedIn and profiles, or mapped from
    email domains in crm_mappings.yaml; the most people first."""
    found = companies.listing(_companies(conn, reads, workspace), q)
    return {"items": found[offset : offset + limit], "total": len(found)}


@router.get(
    "/companies/{company_id}",
    response_model=CompanyDetail,
    responses={404: {"model": ErrorBody, "description": "no such company"}},
)
def get_company(company_id: str, conn: ConnDep, reads: ReadsDep, workspace: WorkspaceDep) -> dict[str, Any]:
    """Everyone the user knows at the company, strongest first, with their role, last contact and what
    places them there."""
    found = companies.detail(_companies(conn, reads, workspace), company_id)
    if found is None:
        raise HTTPException(404, f"No one you know works at a company {company_id}.")
    return found


@router.get("/people/{person_id}/paths", response_model=PathList, response_model_by_alias=True, responses=NOT_FOUND)
def introduction_paths(person_id: str, conn: ConnDep, limit: Annotated[int, Query(ge=1, le=10)] = 3) -> dict[str, Any]:
    """How the user knows the person: the strongest chains of people from the user to them (up to three
    hops, weighed by strength and recency), each hop with its evidence in words."""
    if people.get_person(conn, person_id) is None:
        raise HTTPException(404, f"There is no person {person_id}.")
    found = paths.strongest_paths(conn, person_id, now_utc(), limit)
    return {"items": found, "total": len(found)}


@router.post("/discover/{person_id}/dismiss", status_code=204, responses=NOT_FOUND)
def dismiss_suggestion(person_id: str, conn: ConnDep) -> Response:
    """Never suggest this person again among the people you may know."""
    if people.get_person(conn, person_id) is None:
        raise HTTPException(404, f"There is no person {person_id}.")
    with db.transaction(conn):
        dismissals.dismiss(conn, person_id)
    return Response(status_code=204)
