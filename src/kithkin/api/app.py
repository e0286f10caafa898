"""The FastAPI app factory: routers, error bodies, the static UI."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from importlib import resources
from pathlib import Path

from fastapi import FastAPI
from fastapi.responses import RedirectResponse
from fastapi.staticfiles import StaticFiles

from kithkin import __version__, live
from kithkin.api import errors
from kithkin.api.admission import ReadSlots
from kithkin.api.cache import ReadCache
from kithkin.api.checkpoint import Checkpointer
from kithkin.api.pool import ConnectionPool
from kithkin.api.routes import insight, jobs, links, network, people, search, sources
from kithkin.api.security import SecurityMiddleware
from kithkin.jobs import JobRunner
from kithkin.workspace import Workspace

API_PREFIX = "/api/crm"


def create_app(
    home: Path | None = None,
    *,
    workspace: Workspace | None = None,
    token: str | None = None,
    loopback_only: bool = True,
    keep_current: bool = False,
) -> FastAPI:
    """An app serving one Kithkin home; with `token`, every API request must present it; with
    `keep_current`, its live sources sync by themselves while it runs (kithkin/live)."""
    if workspace is None:
        if home is None:
            raise ValueError("create_app needs a home or a workspace")
        workspace = Workspace.open(home)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        app.state.live = live.start(workspace, app.state.jobs) if keep_current else None
        try:
            yield
        finally:
            if app.state.live is not None:
                app.state.live.stop()
            app.state.connections.close()

    app = FastAPI(title="Kithkin", version=__version__, description="Local-first personal CRM API.", lifespan=lifespan)
    app.state.workspace = workspace
    app.state.jobs = JobRunner(workspace.home)
    app.state.live = None
    app.state.reads = ReadCache(workspace.database_path)
    app.state.checkpointer = Checkpointer(workspace.database_path)
    app.state.connections = ConnectionPool(workspace.database_path)
    app.add_middleware(ReadSlots)
    app.add_middleware(SecurityMiddleware, token=token, loopback_only=loopback_only)
    for module in (people, links, sources, jobs, insight, network, search):
        app.include_router(module.router, prefix=API_PREFIX)

    errors.install(app)

    @app.get("/", include_in_schema=False)
    def root() -> RedirectResponse:
        return RedirectResponse("/crm")

    web = resources.files("kithkin") / "web"
    app.mount("/crm", StaticFiles(directory=str(web), html=True), name="crm")
    return app
