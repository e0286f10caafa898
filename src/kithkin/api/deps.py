"""Request-scoped dependencies: each request reads on a connection of its own (WAL readers never wait), taken
from the pool of those earlier requests gave back."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from typing import Annotated, Any

from fastapi import Depends, Request

from kithkin.api.cache import ReadCache
from kithkin.api.pool import ConnectionPool
from kithkin.jobs import JobRunner
from kithkin.live.scheduler import published_status
from kithkin.workspace import Workspace


def get_workspace(request: Request) -> Workspace:
    return request.app.state.workspace


def get_conn(request: Request) -> Iterator[sqlite3.Connection]:
    pool: ConnectionPool = request.app.state.connections
    conn = pool.take()
    changes = conn.total_changes
    try:
        yield conn
    finally:
        wrote = conn.total_changes != changes
        pool.give_back(conn)
        if wrote:
            request.app.state.checkpointer.after_write()


def get_jobs(request: Request) -> JobRunner:
    return request.app.state.jobs


def get_live_status(request: Request) -> list[dict[str, Any]]:
    """The live sources' status from this server's scheduler, else from a `kithkin sync --watch` of the home."""
    if request.app.state.live is not None:
        return request.app.state.live.status()
    return published_status(request.app.state.workspace.home) or []


def get_reads(request: Request) -> ReadCache:
    return request.app.state.reads


WorkspaceDep = Annotated[Workspace, Depends(get_workspace)]
ConnDep = Annotated[sqlite3.Connection, Depends(get_conn)]
JobsDep = Annotated[JobRunner, Depends(get_jobs)]
ReadsDep = Annotated[ReadCache, Depends(get_reads)]
LiveStatusDep = Annotated[list[dict[str, Any]], Depends(get_live_status)]
