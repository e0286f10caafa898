"""Kithkin keeps itself current: the live sources of config.yaml synced as they change (`kithkin serve`,
`kithkin sync --watch`), the login service that runs the latter, and the local stores `kithkin init` finds."""

from __future__ import annotations

from kithkin.jobs import JobRunner
from kithkin.live.scheduler import LiveSync, published_status
from kithkin.workspace import Workspace


def start(workspace: Workspace, jobs: JobRunner) -> LiveSync | None:
    """The server's scheduler, started; None when config.yaml has no live source or turns it off, or when
    another process keeps this home current already (the login service): two would sync one source at once."""
    if not workspace.settings.live.enabled or not workspace.settings.sources:
        return None
    if published_status(workspace.home) is not None:
        return None
    return LiveSync(workspace, jobs, publish=True).start()
