"""How each live source is kept current (plan.py), and the two new live types read in place: the macOS
call history (with its write-ahead log) and Granola's cache folder."""

from __future__ import annotations

import re
import sqlite3
from datetime import UTC, datetime
from pathlib import Path

import pytest

from kithkin.config import LiveSource
from kithkin.live.plan import Watch, plan_for
from kithkin.models import KithkinError
from kithkin.sync import sync_source
from kithkin.workspace import Workspace
from tests.importers.test_calls import call_history, record
from tests.importers.test_granola import cache_file


def test_remote_sources_get_their_default_interval_unless_config_sets_one() -> None:
    minutes = {
        kind: plan_for(LiveSource(type=kind)).interval / 60  # type: ignore[operator]
        for kind in ("imap", "caldav", "carddav", "ics_url", "slack")
    }
    assert minutes == {"imap": 5, "caldav": 15, "carddav": 15, "ics_url": 60, "slack": 15}
    assert plan_for(LiveSource(type="caldav", interval_minutes=2)).interval == 120
    assert plan_for(LiveSource(type="imap")).push is True
    assert plan_for(LiveSource(type="vault", path="/v")).interval is None


def test_stores_read_in_place_are_watched_at_their_configured_or_standard_path(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HOME", str(tmp_path))
    support = tmp_path / "Library" / "Application Support"
    assert plan_for(LiveSource(type="imessage", account="mac")).watch == Watch(
        tmp_path / "Library" / "Messages", recursive=False, patterns=("chat.db", "chat.db-wal")
    )
    assert plan_for(LiveSource(type="calls")).watch == Watch(
        support / "CallHistoryDB",
        recursive=False,
        patterns=("CallHistory.storedata", "CallHistory.storedata-wal"),
    )
    assert plan_for(LiveSource(type="wacli", path=str(tmp_path / "store"))).watch == Watch(
        tmp_path / "store", recursive=False, patterns=("wacli.db", "wacli.db-wal")
    )
    assert plan_for(LiveSource(type="granola")).watch == Watch(
        support / "Granola", recursive=False, patterns=("cache-v*.json", "*.md", "*.markdown")
    )
    assert plan_for(LiveSource(type="vault", path="~/Notes")).watch == Watch(tmp_path / "Notes", recursive=True)
    assert plan_for(LiveSource(type="imap")).watch is None


def test_what_a_watch_concerns() -> None:
    messages = Watch(Path("/m"), recursive=False, patterns=("chat.db", "chat.db-wal"))
    assert [messages.concerns(Path(p)) for p in ("/m/chat.db-wal", "/m/chat.db-shm", "/m/x/chat.db", "/other")] == [
        True,
        False,
        False,
        False,
    ]
    vault = Watch(Path("/v"), recursive=True)
    assert [vault.concerns(Path(p)) for p in ("/v/Work/a.md", "/v/.obsidian/workspace.json", "/v/.DS_Store")] == [
        True,
        False,
        False,
    ]


def test_the_call_history_is_synced_in_place_with_calls_still_in_its_write_ahead_log(
    tmp_path: Path, workspace: Workspace
) -> None:
    path = call_history(
        tmp_path / "CallHistory.storedata",
        [record(datetime(2026, 11, 1, 9, tzinfo=UTC), "+14155550111", ZORIGINATED=1, ZANSWERED=1)],
    )
    phone_app = sqlite3.connect(path)  # the phone app keeps the store open in WAL mode
    phone_app.execute("PRAGMA journal_mode = WAL")
    phone_app.execute("PRAGMA wal_autocheckpoint = 0")
    columns = record(datetime(2026, 11, 2, 9, tzinfo=UTC), "+14155550122", ZANSWERED=1)
    marks = ", ".join("?" * len(columns))
    phone_app.execute(
        f"INSERT INTO ZCALLRECORD (Z_PK, Z_ENT, Z_OPT, {', '.join(columns)}) VALUES (2, 1, 1, {marks})",
        list(columns.values()),
    )
    phone_app.commit()
    try:
        assert (tmp_path / "CallHistory.storedata-wal").stat().st_size > 0
        source = LiveSource(type="calls", account="mac", path=str(path))
        assert sync_source(workspace, source).interactions == 2
        assert sync_source(workspace, source).interactions == 0
    finally:
        phone_app.close()
    absent = tmp_path / "absent.storedata"
    with pytest.raises(KithkinError, match=re.escape(f"The call history {absent} was not found; set 'path'")):
        sync_source(workspace, LiveSource(type="calls", path=str(absent)))


def test_granolas_cache_folder_is_synced_in_place(tmp_path: Path, workspace: Workspace) -> None:
    folder = tmp_path / "Granola"
    folder.mkdir()
    cache_file(folder / "cache-v3.json")
    summary = sync_source(workspace, LiveSource(type="granola", account="meetings", path=str(folder)))
    assert (summary.interactions, summary.details["meetings"]) == (2, 2)
    nowhere = tmp_path / "Nowhere"
    with pytest.raises(KithkinError, match=re.escape(f"The Granola folder {nowhere} was not found; set 'path'")):
        sync_source(workspace, LiveSource(type="granola", path=str(nowhere)))
