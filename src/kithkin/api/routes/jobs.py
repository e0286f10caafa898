"""Background jobs started by uploads and syncs: their state, progress and summary."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Query

from kithkin.api.deps import JobsDep
from kithkin.api.schemas import ErrorBody, JobList, JobPublic

router = APIRouter(tags=["jobs"])


@router.get("/jobs", response_model=JobList)
def list_jobs(
    jobs: JobsDep,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    offset: Annotated[int, Query(ge=0, le=10_000_000)] = 0,
) -> dict[str, Any]:
    """Jobs since the server started, newest first."""
    found = jobs.jobs()
    return {"items": [j.as_dict() for j in found[offset : offset + limit]], "total": len(found)}


@router.get("/jobs/{job_id}", response_model=JobPublic, responses={404: {"model": ErrorBody}})
def get_job(job_id: str, jobs: JobsDep) -> dict[str, Any]:
    """A job's state (queued, running, succeeded, failed), progress, summary or error."""
    job = jobs.get(job_id)
    if job is None:
        raise HTTPException(404, f"There is no job {job_id}; jobs are forgotten when the server restarts.")
    return job.as_dict()
