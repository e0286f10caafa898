"""What several benches share: the owner's entity of a home filled through the store, and `kithkin serve`
of a home in a process of its own, as a user runs it."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import httpx

from kithkin.api.server import free_port
from kithkin.store.ids import entity_id
from kithkin.store.sources import EntityRecord

OWNER_EMAIL = "me@example.org"


def owner_entity() -> EntityRecord:
    """The owner as the mail source sees them (settings name OWNER_EMAIL as theirs)."""
    return EntityRecord(
        id=entity_id("mail", OWNER_EMAIL),
        source_type="mail",
        source_id=OWNER_EMAIL,
        observed_at="2023-01-01T00:00:00Z",
        observed_email=OWNER_EMAIL,
        is_owner=True,
        identifiers=[("email", OWNER_EMAIL)],
    )


def start_server(home: Path, *, stderr: int | None = None) -> tuple[subprocess.Popen, str]:
    """`kithkin serve` of `home` on a free port, once it answers (up to 30 s): the process and its address."""
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "kithkin", "serve", "--home", str(home), "--port", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=stderr,
    )
    address = f"http://127.0.0.1:{port}"
    for _ in range(300):
        try:
            httpx.get(f"{address}/api/crm/statistics", timeout=1)
            break
        except httpx.HTTPError:
            time.sleep(0.1)
    return server, address
