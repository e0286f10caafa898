"""`kithkin sync --watch`: the server's scheduler in the foreground, one line per sync, until stopped."""

from __future__ import annotations

import signal
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

from kithkin.jobs import Job, JobRunner
from kithkin.live.scheduler import LiveSync, published_status
from kithkin.models import KithkinError
from kithkin.workspace import Workspace


def describe(key: str, job: Job) -> str:
    """One line on a finished sync, for a terminal or a service's log."""
    if job.state != "succeeded":
        return f"{key}: sync failed: {job.error}"
    summary = job.summary or {}
    interactions, identities = summary.get("interactions", 0), summary.get("source_entities", 0)
    return (
        f"{key}: synced, {interactions} new interaction{'' if interactions == 1 else 's'},"
        f" {identities} new {'identity' if identities == 1 else 'identities'}"
    )


def explain(entry: dict[str, Any]) -> str:
    """How a source is kept current, from LiveSync.status()."""
    if entry["watching"]:
        return f"watching {entry['watching']}"
    if entry["interval_minutes"]:
        return f"every {entry['interval_minutes']:g} minutes"
    return "synced at start"


def run(home: Path, say: Callable[[str], None]) -> None:
    """Keep every live source of this home current until Ctrl-C or SIGTERM (a service stopping)."""
    stop = threading.Event()
    with Workspace.open(home) as workspace:
        if not workspace.settings.sources:
            raise KithkinError(
                "No live source is configured; add one under 'sources' in config.yaml (kithkin init finds "
                "the local ones)."
            )
        if published_status(workspace.home) is not None:
            raise KithkinError(
                f"{home} is kept current already (by kithkin serve or the login service); one is enough."
            )
        jobs = JobRunner(workspace.home)
        live = LiveSync(workspace, jobs, on_sync=lambda key, job: say(describe(key, job)), publish=True)
        previous = signal.signal(signal.SIGTERM, lambda *_: stop.set())
        live.start()
        say(f"Keeping the live sources of {home} current; Ctrl-C stops.")
        for entry in live.status():
            say(f"{entry['key']}: {explain(entry)}")
        try:
            stop.wait()
        except KeyboardInterrupt:
            pass
        finally:
            live.stop()
            jobs.wait()
            signal.signal(signal.SIGTERM, previous)
