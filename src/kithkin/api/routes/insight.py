"""Dashboard figures."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from kithkin.api.deps import ConnDep
from kithkin.api.schemas import Statistics
from kithkin.services import statistics as compute_statistics

router = APIRouter(tags=["insight"])


@router.get("/statistics", response_model=Statistics)
def statistics(conn: ConnDep) -> dict[str, Any]:
    """People, entities, interactions (by source and by month), pending links, sources."""
    return compute_statistics(conn)
