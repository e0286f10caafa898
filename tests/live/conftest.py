"""A chat.db as Messages keeps it, for the tests of keeping current."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from kithkin.demo.imessage import ChatDb
from tests.live.helpers import ALICE, ALICE_CHAT


@pytest.fixture
def messages_app(tmp_path: Path) -> Iterator[ChatDb]:
    """A chat.db as Messages keeps it: open, in WAL mode, never checkpointed by the reader."""
    (tmp_path / "Messages").mkdir()
    chat = ChatDb(tmp_path / "Messages" / "chat.db")
    chat.conn.commit()
    assert chat.conn.execute("PRAGMA journal_mode = WAL").fetchone() == ("wal",)
    chat.conn.execute("PRAGMA wal_autocheckpoint = 0")
    assert chat.chat([ALICE]) == ALICE_CHAT
    chat.message(ALICE_CHAT, ALICE, datetime(2026, 11, 1, 9, tzinfo=UTC), "First message")
    chat.conn.commit()
    yield chat
    chat.conn.close()
