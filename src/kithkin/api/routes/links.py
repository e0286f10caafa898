"""Link review: pending links (list, confirm, reject, bulk confirm) and the undoable decision log."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Path, Query

from kithkin.api.deps import ConnDep, WorkspaceDep
from kithkin.api.schemas import (
    BulkConfirmRequest,
    BulkConfirmResult,
    DecisionList,
    DecisionPublic,
    ErrorBody,
    PendingLinkList,
    PendingLinkPublic,
    RejectRequest,
)
from kithkin.identity import review
from kithkin.store import links

router = APIRouter(tags=["links"])

NOT_FOUND = {404: {"model": ErrorBody, "description": "no such pending link"}}
DECIDED = {409: {"model": ErrorBody, "description": "the link was already decided"}}


@router.get("/pending-links", response_model=PendingLinkList)
def list_pending_links(
    conn: ConnDep,
    status: Literal["pending", "confirmed", "rejected"] = "pending",
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    offset: Annotated[int, Query(ge=0, le=10_000_000)] = 0,
) -> dict[str, Any]:
    """Proposed links, those affecting the most interactions first, each with its evidence."""
    found, total = links.list_pending_links(conn, status=status, limit=limit, offset=offset)
    return {"items": review.pending_link_views(conn, found), "total": total}


@router.post("/pending-links/{link_id}/confirm", response_model=PendingLinkPublic, responses={**NOT_FOUND, **DECIDED})
def confirm_pending_link(link_id: str, conn: ConnDep, workspace: WorkspaceDep) -> dict[str, Any]:
    """Link the source entity to the proposed person."""
    decided = review.confirm_link(conn, link_id, workspace.mappings.domains())
    return review.pending_link_views(conn, [decided])[0]


@router.post("/pending-links/{link_id}/reject", response_model=PendingLinkPublic, responses={**NOT_FOUND, **DECIDED})
def reject_pending_link(
    link_id: str, conn: ConnDep, workspace: WorkspaceDep, body: RejectRequest | None = None
) -> dict[str, Any]:
    """Refuse the proposal (it is never proposed again); optionally give the entity a person of its own."""
    create_new_person = body.create_new_person if body else False
    decided = review.reject_link(
        conn, link_id, create_new_person=create_new_person, domain_mappings=workspace.mappings.domains()
    )
    return review.pending_link_views(conn, [decided])[0]


@router.post("/pending-links/bulk-confirm", response_model=BulkConfirmResult)
def bulk_confirm(body: BulkConfirmRequest, conn: ConnDep, workspace: WorkspaceDep) -> dict[str, Any]:
    """Confirm every open pending link with this reason and at least this confidence."""
    count = review.bulk_confirm(
        conn, reason=body.reason, min_confidence=body.min_confidence, domain_mappings=workspace.mappings.domains()
    )
    return {"confirmed": count}


@router.get("/decisions", response_model=DecisionList)
def list_decisions(
    conn: ConnDep,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    offset: Annotated[int, Query(ge=0, le=10_000_000)] = 0,
) -> dict[str, Any]:
    """Every confirm, reject, merge and split, newest first; each can be undone."""
    items, total = review.list_decisions(conn, limit, offset)
    return {"items": items, "total": total}


@router.post(
    "/decisions/{decision_id}/undo",
    response_model=DecisionPublic,
    responses={
        404: {"model": ErrorBody, "description": "no such decision"},
        409: {"model": ErrorBody, "description": "already undone"},
    },
)
def undo_decision(
    decision_id: Annotated[int, Path(ge=1, le=2**62)], conn: ConnDep, workspace: WorkspaceDep
) -> dict[str, Any]:
    """Reverse a decision exactly: links, merges and splits go back as they were."""
    return review.undo_decision(conn, decision_id, workspace.mappings.domains(), workspace.settings)
