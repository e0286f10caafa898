"""What the tests of keeping current share: a home's live sources, and patience instead of timing."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from kithkin.config import Live, LiveSource, load_settings, save_settings

ALICE = "+14155550111"
ALICE_CHAT = 1  # the first chat of the chat.db below
PATIENCE = 60.0  # seconds a test waits for an outcome (the machine may be busy; nothing is timed)


def eventually(check: Callable[[], Any], what: str) -> Any:
    """Poll `check` until it returns something truthy; fail naming `what` after PATIENCE seconds."""
    deadline = time.monotonic() + PATIENCE
    while time.monotonic() < deadline:
        found = check()
        if found:
            return found
        time.sleep(0.1)
    raise AssertionError(f"{what} did not happen within {PATIENCE:.0f} s")


def configure(home: Path, *sources: LiveSource) -> None:
    settings = load_settings(home)
    settings.sources = list(sources)
    settings.live = Live(retry_seconds=0.2, retry_max_minutes=0.01)  # a failing source retries within a second
    save_settings(home, settings)
