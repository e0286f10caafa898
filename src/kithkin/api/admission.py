"""Reads take turns for a few slots; a user's writes never wait for one.

Every request the server answers runs its Python on one interpreter lock and its handlers on one thread
pool. With 50 clients reading during an import, a note edit queued behind their requests at each hop
(thread pool, lock, event loop) and answered in 1.2 s at p95 (bench/load.py; issue 18) although its
own work took 30 ms. Reads past READ_SLOTS at once wait here, in order, without holding a thread, so a
write only ever shares the server with a few of them. Reads are not slower for it: the lock lets one
thread run Python at a time anyway.
"""

from __future__ import annotations

import asyncio

from starlette.types import ASGIApp, Receive, Scope, Send

READ_SLOTS = 4
READ_METHODS = {"GET", "HEAD", "OPTIONS"}
# Uploads and syncs start background work (an import job): they are no user's edit, and take a slot.
BACKGROUND_PREFIX = "/api/crm/sources/"


def is_user_write(scope: Scope) -> bool:
    path: str = scope["path"]
    return (
        scope["method"] not in READ_METHODS and path.startswith("/api/crm/") and not path.startswith(BACKGROUND_PREFIX)
    )


class ReadSlots:
    """Pure ASGI: a request that is no user write holds a slot until its response is sent."""

    def __init__(self, app: ASGIApp, *, slots: int = READ_SLOTS) -> None:
        self.app = app
        self.slots = asyncio.Semaphore(slots)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or is_user_write(scope):
            await self.app(scope, receive, send)
            return
        async with self.slots:
            await self.app(scope, receive, send)
