"""Shared fixtures: a fresh home per test, closed afterwards."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from kithkin.config import Owner, Settings, save_settings
from kithkin.workspace import Workspace

REALDATA = Path(__file__).resolve().parent / "fixtures" / "realdata"


@pytest.fixture
def home(tmp_path: Path) -> Path:
    path = tmp_path / "home"
    save_settings(path, Settings(owner=Owner(name="Owner Person", emails=["me@example.org"], phones=["+14155550100"])))
    return path


@pytest.fixture
def workspace(home: Path) -> Iterator[Workspace]:
    ws = Workspace.open(home)
    yield ws
    ws.close()


@pytest.fixture
def realdata() -> Path:
    """Files in the shapes other tools write, kept in the repository with their origin and licence."""
    return REALDATA
