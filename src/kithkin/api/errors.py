"""Every error leaves the API as `{"detail": "one plain sentence"}` with a fitting status."""

from __future__ import annotations

import sqlite3

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from kithkin.identity.review import DecisionConflict, NotFound
from kithkin.jobs import JobConflict
from kithkin.models import ImportFormatError, KithkinError

# Most specific first: an error gets the status of the first class it is an instance of.
STATUS_OF = {NotFound: 404, DecisionConflict: 409, JobConflict: 409, ImportFormatError: 422, KithkinError: 400}


def install(app: FastAPI) -> None:
    @app.exception_handler(StarletteHTTPException)
    async def http_error(_: Request, exc: StarletteHTTPException) -> JSONResponse:
        return JSONResponse({"detail": str(exc.detail)}, status_code=exc.status_code, headers=exc.headers)

    @app.exception_handler(RequestValidationError)
    async def validation_error(_: Request, exc: RequestValidationError) -> JSONResponse:
        first = exc.errors()[0] if exc.errors() else {"loc": (), "msg": "invalid request"}
        where = ".".join(str(p) for p in first.get("loc", ()) if p not in ("body", "query", "path"))
        return JSONResponse({"detail": f"{where or 'request'}: {first.get('msg')}"}, status_code=422)

    async def kithkin_error(_: Request, exc: Exception) -> JSONResponse:
        status = next(code for kind, code in STATUS_OF.items() if isinstance(exc, kind))
        return JSONResponse({"detail": str(exc)}, status_code=status)

    for kind in STATUS_OF:
        app.add_exception_handler(kind, kithkin_error)

    @app.exception_handler(sqlite3.OperationalError)
    async def database_busy(_: Request, exc: sqlite3.OperationalError) -> JSONResponse:
        # A write waits for a running import's transaction; past the busy timeout, say so instead of a 500.
        if "locked" in str(exc) or "busy" in str(exc):
            return JSONResponse(
                {"detail": "The database is busy with an import; try again when the job has finished."},
                status_code=503,
            )
        return JSONResponse({"detail": f"The database failed ({exc}); check the home folder's disk."}, status_code=500)
