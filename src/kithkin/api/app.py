"""The FastAPI app factory: routers, error bodies, the static UI."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException

from kithkin import __version__
from kithkin.api.routes import insight, people
from kithkin.api.security import SecurityMiddleware
from kithkin.models import KithkinError
from kithkin.workspace import Workspace

API_PREFIX = "/api/crm"


def create_app(
    home: Path | None = None, *, workspace: Workspace | None = None, token: str | None = None,
    loopback_only: bool = True,
) -> FastAPI:
    """An app serving one Kithkin home; with `token`, every API request must present it."""
    if workspace is None:
        if home is None:
            raise ValueError("create_app needs a home or a workspace")
        workspace = Workspace.open(home)
    app = FastAPI(title="Kithkin", version=__version__, description="Local-first personal CRM API.")
    app.state.workspace = workspace
    app.add_middleware(SecurityMiddleware, token=token, loopback_only=loopback_only)
    for module in (people, insight):
        app.include_router(module.router, prefix=API_PREFIX)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(_: Request, exc: StarletteHTTPException) -> JSONResponse:
        return JSONResponse({"detail": str(exc.detail)}, status_code=exc.status_code, headers=exc.headers)

    @app.exception_handler(RequestValidationError)
    async def validation_error(_: Request, exc: RequestValidationError) -> JSONResponse:
        first = exc.errors()[0] if exc.errors() else {"loc": (), "msg": "invalid request"}
        where = ".".join(str(p) for p in first.get("loc", ()) if p not in ("body", "query", "path"))
        return JSONResponse({"detail": f"{where or 'request'}: {first.get('msg')}"}, status_code=422)

    @app.exception_handler(KithkinError)
    async def kithkin_error(_: Request, exc: KithkinError) -> JSONResponse:
        return JSONResponse({"detail": str(exc)}, status_code=400)

    @app.get("/", include_in_schema=False)
    def root() -> RedirectResponse:
        return RedirectResponse("/crm")

    web = resources.files("kithkin") / "web"
    app.mount("/crm", StaticFiles(directory=str(web), html=True), name="crm")
    return app
