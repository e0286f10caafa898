"""Request-scoped dependencies: each request reads on a connection of its own (WAL readers never wait), taken
from the pool of those earlier requests gave back."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterator
from typing import Annotated, Any

from fastapi import Depends, Request, Response
from pydantic_core import to_json
from starlette.concurrency import run_in_threadpool

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


async def read_in_one_trip(request: Request, work: Callable[[sqlite3.Connection], Any]) -> Response:
    """`work`'s answer on a pooled connection, written as JSON, in one trip to the thread pool. For reads:
    nothing here checkpoints.

    A sync handler taking ConnDep makes four trips (the dependency's start and end, the handler, the check
    of its answer against the response model), each a wait for a thread and the interpreter lock on a busy
    machine. The answer is not checked against the route's response model as it is sent (that check cost a
    search a fifth of its time, bench/search.py): the tests check it, and schemathesis every route's."""

    def answer() -> bytes:
        pool: ConnectionPool = request.app.state.connections
        conn = pool.take()
        try:
            found = work(conn)
        finally:
            pool.give_back(conn)
        return to_json(found)

    return Response(await run_in_threadpool(answer), media_type="application/json")


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
