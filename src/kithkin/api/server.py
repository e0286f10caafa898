"""`kithkin serve`: uvicorn on 127.0.0.1 unless told otherwise."""

from __future__ import annotations

from pathlib import Path

import uvicorn

from kithkin.api.app import create_app
from kithkin.workspace import Workspace


def run_server(home: Path, *, host: str | None = None, port: int | None = None) -> None:
    workspace = Workspace.open(home)
    host = host or workspace.settings.server.host
    port = port or workspace.settings.server.port
    app = create_app(workspace=workspace)
    print(f"Kithkin is serving {home} at http://{host}:{port}/crm")
    uvicorn.run(app, host=host, port=port, log_level="warning")
