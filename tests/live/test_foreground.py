"""`kithkin sync --watch` in a process of its own, as the login service runs it: one line per sync, its
status shown by a server on the same home (which then starts no scheduler of its own), a clean stop."""

from __future__ import annotations

import os
import queue
import signal
import subprocess
import sys
import threading
from datetime import UTC, datetime
from pathlib import Path

import httpx
from typer.testing import CliRunner

from kithkin.api.server import serve
from kithkin.cli import app
from kithkin.config import LiveSource
from kithkin.demo.imessage import ChatDb
from kithkin.live.scheduler import STATUS_FILE
from kithkin.workspace import Workspace
from tests.live.helpers import ALICE, ALICE_CHAT, PATIENCE, configure, eventually


def watch(home: Path) -> tuple[subprocess.Popen[str], queue.Queue[str]]:
    process = subprocess.Popen(
        [sys.executable, "-m", "kithkin", "sync", "--watch", "--home", str(home)],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env={**os.environ, "COLUMNS": "500"},  # one sync, one line, however long the path
    )
    lines: queue.Queue[str] = queue.Queue()
    assert process.stdout is not None
    stdout = process.stdout
    threading.Thread(target=lambda: [lines.put(line.rstrip("\n")) for line in stdout], daemon=True).start()
    return process, lines


def test_sync_watch_keeps_a_home_current_and_a_server_shows_its_status(
    tmp_path: Path, home: Path, messages_app: ChatDb
) -> None:
    chat_db = tmp_path / "Messages" / "chat.db"
    configure(home, LiveSource(type="imessage", account="mac", path=str(chat_db)))
    process, lines = watch(home)
    try:
        said = [lines.get(timeout=PATIENCE) for _ in range(3)]
        assert said == [
            f"Keeping the live sources of {home} current; Ctrl-C stops.",
            f"imessage:mac: watching {chat_db.parent}",
            "imessage:mac: synced, 1 new interaction, 1 new identity",
        ]
        assert (home / STATUS_FILE).is_file()

        second = subprocess.run(
            [sys.executable, "-m", "kithkin", "sync", "--watch", "--home", str(home)],
            capture_output=True,
            text=True,
            timeout=PATIENCE,
            env={**os.environ, "COLUMNS": "500"},
        )
        assert second.returncode == 1
        assert f"{home} is kept current already (by kithkin serve or the login service); one is enough." in (
            second.stderr.replace("\n", " ")
        )

        with Workspace.open(home) as workspace, serve(workspace, keep_current=True) as base:
            messages_app.message(ALICE_CHAT, ALICE, datetime(2026, 11, 3, 9, tzinfo=UTC), "Seen by the service")
            messages_app.conn.commit()
            assert lines.get(timeout=PATIENCE) == "imessage:mac: synced, 1 new interaction, 0 new identities"

            def shown() -> dict | None:
                items = httpx.get(f"{base}/api/crm/sources").json()["items"]
                status = next(s for item in items for s in item["live_status"] if s["key"] == "imessage:mac")
                return status if status["interactions_added"] == 1 and status["state"] == "watching" else None

            status = eventually(shown, "the service's status shown by the server")
            assert (status["watching"], status["last_error"]) == (str(chat_db.parent), None)
    finally:
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=PATIENCE) == 0
    assert not (home / STATUS_FILE).exists()


def test_sync_watch_keeps_every_source_current_or_none(home: Path) -> None:
    named = CliRunner().invoke(app, ["sync", "imap", "--watch", "--home", str(home)])
    assert (named.exit_code, named.output.replace("\n", " ").strip()) == (
        1,
        "kithkin sync --watch keeps every configured source current; leave out the names.",
    )
    bare = CliRunner().invoke(app, ["sync", "--watch", "--home", str(home)])
    assert bare.exit_code == 1
    assert "No live source is configured; add one under 'sources' in config.yaml" in bare.output.replace("\n", " ")
