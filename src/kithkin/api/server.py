"""`kithkin serve`: uvicorn on 127.0.0.1 unless told otherwise; and a server in a thread for tests and benches."""

from __future__ import annotations

import gc
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import uvicorn

from kithkin.api.app import create_app
from kithkin.api.security import is_loopback, load_or_create_token
from kithkin.ingest import finish_import
from kithkin.workspace import Workspace


def run_server(home: Path, *, host: str | None = None, port: int | None = None) -> None:
    workspace = Workspace.open(home)
    finish_import(workspace, None)  # recency has moved on since the last import, which may have died
    host = host or workspace.settings.server.host
    port = port or workspace.settings.server.port
    if is_loopback(host):
        app = create_app(workspace=workspace, keep_current=True)
        print(f"Kithkin is serving {home} at http://{host}:{port}/crm")
    else:
        # Reachable from other machines: every request must carry the token, any Host is accepted.
        token = load_or_create_token(workspace.home)
        app = create_app(workspace=workspace, token=token, loopback_only=False, keep_current=True)
        print(f"Kithkin is serving {home} at http://{host}:{port}/crm?token={token}")
    print("Press Ctrl+C to stop it.", flush=True)
    freeze_heap()
    uvicorn.run(app, host=host, port=port, log_level="warning")


def freeze_heap() -> None:
    """Keep what the process holds at start (modules, the app, the workspace) out of the collector's full
    passes: with it scanned, a full collection during a large response (the graph's thousands of edges)
    added ~40 ms to one request in twenty. Garbage is collected first, so none is kept for good."""
    gc.collect()
    gc.freeze()


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextmanager
def serve(workspace: Workspace, *, keep_current: bool = False) -> Iterator[str]:
    """Serve the workspace; yields the base URL and stops the server (and waits for its jobs) afterwards.
    With `keep_current`, as `kithkin serve` does: its live sources sync by themselves."""
    port = free_port()
    app = create_app(workspace=workspace, keep_current=keep_current)
    freeze_heap()
    lifespan = "on" if keep_current else "off"
    config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", workers=1, lifespan=lifespan)
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("the test server did not start")
        time.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        app.state.jobs.wait(30)
