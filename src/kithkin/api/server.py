"""`kithkin serve`: uvicorn on 127.0.0.1 unless told otherwise."""

from __future__ import annotations

from pathlib import Path

import uvicorn

from kithkin.api.app import create_app
from kithkin.api.security import is_loopback, load_or_create_token
from kithkin.workspace import Workspace


def run_server(home: Path, *, host: str | None = None, port: int | None = None) -> None:
    workspace = Workspace.open(home)
    host = host or workspace.settings.server.host
    port = port or workspace.settings.server.port
    if is_loopback(host):
        app = create_app(workspace=workspace)
        print(f"Kithkin is serving {home} at http://{host}:{port}/crm")
    else:
        # Reachable from other machines: every request must carry the token, any Host is accepted.
        token = load_or_create_token(workspace.home)
        app = create_app(workspace=workspace, token=token, loopback_only=False)
        print(f"Kithkin is serving {home} at http://{host}:{port}/crm?token={token}")
    uvicorn.run(app, host=host, port=port, log_level="warning")
