"""Live CalDAV sync against a real Radicale on loopback (tests/fixtures/radicale.py)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

import caldav
import pytest

from kithkin.config import LiveSource
from kithkin.importers.caldav import live_importer
from kithkin.ingest import ingest
from kithkin.models import ImportSummary, KithkinError, Observation
from kithkin.store import sources
from kithkin.sync import sync_source
from kithkin.workspace import Workspace

if TYPE_CHECKING:
    from tests.fixtures.radicale import RadicaleServer

# The Radicale fixture (radicale_server) comes from this plugin module.
pytest_plugins = ("tests.fixtures.radicale",)

PASSWORD_ENV = "KITHKIN_TEST_CALDAV_PASSWORD"
SOON = datetime.now(UTC).replace(microsecond=0) - timedelta(days=10)


def event(uid: str, start: datetime, attendee: str, extra: str = "") -> str:
    return (
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\nBEGIN:VEVENT\r\n"
        f"UID:{uid}\r\nDTSTAMP:20250101T000000Z\r\nDTSTART:{start:%Y%m%dT%H%M%SZ}\r\n"
        f"DTEND:{start + timedelta(hours=1):%Y%m%dT%H%M%SZ}\r\nSUMMARY:Meeting {uid}\r\n"
        "ORGANIZER;CN=Ana Okafor:mailto:ana@northwind.example\r\n"
        f"ATTENDEE;PARTSTAT=ACCEPTED:mailto:{attendee}\r\n{extra}END:VEVENT\r\nEND:VCALENDAR\r\n"
    )


def calendar(server: RadicaleServer, name: str) -> caldav.Calendar:
    client = caldav.DAVClient(
        url=server.user_url, username=server.username, password=server.password, require_tls=False
    )
    return client.principal().make_calendar(name=name)


def source(server: RadicaleServer, monkeypatch: pytest.MonkeyPatch, **extra: object) -> LiveSource:
    monkeypatch.setenv(PASSWORD_ENV, server.password)
    return LiveSource(
        type="caldav",
        account="personal",
        url=server.user_url,
        username=server.username,
        password_env=PASSWORD_ENV,
        **extra,
    )


def stored(ws: Workspace) -> list[tuple[str, str | None]]:
    rows = ws.conn.execute("SELECT source_id, context FROM interactions WHERE kind = 'meeting' ORDER BY source_id")
    return [tuple(row) for row in rows]


def test_first_sync_reads_every_event_then_only_changes(
    radicale_server: RadicaleServer, workspace: Workspace, monkeypatch: pytest.MonkeyPatch
) -> None:
    work = calendar(radicale_server, "Work")
    work.save_event(event("e1", SOON, "me@example.org"))
    work.save_event(event("weekly", SOON, "ben@gmail.com", extra="RRULE:FREQ=WEEKLY;COUNT=3\r\n"))
    config = source(radicale_server, monkeypatch)

    first = sync_source(workspace, config)

    assert (first.interactions, first.skipped) == (4, 0)
    assert (first.details["read"], first.details["imported"]) == ({"events": 2}, {"meetings": 4})
    weekly = [f"personal:weekly/{SOON + timedelta(weeks=n):%Y-%m-%dT%H:%M:%SZ}" for n in range(3)]
    assert stored(workspace) == [("personal:e1", "Work")] + [(w, "Work") for w in weekly]

    work.save_event(event("e2", SOON + timedelta(days=1), "zoe@lindqvist.example"))
    importer, target = live_importer(config, workspace)
    changed = list(importer.read(target, sources.get_cursor(workspace.conn, "calendar", "personal")))

    # The sync token brings only the new event back, not the whole calendar.
    assert [o.source_id for o in changed if isinstance(o, Observation)] == ["e2"]
    assert sync_source(workspace, config).interactions == 1


def test_an_interrupted_sync_resumes_without_duplicates_or_gaps(
    radicale_server: RadicaleServer, workspace: Workspace, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in ("Family", "Work"):
        cal = calendar(radicale_server, name)
        for n in range(3):
            cal.save_event(event(f"{name}-{n}", SOON + timedelta(days=n), "me@example.org"))
    config = source(radicale_server, monkeypatch)
    importer, target = live_importer(config, workspace)

    def dies_after_four(items: Iterator[Observation | Exception]) -> Iterator[Observation | Exception]:
        for count, item in enumerate(items, start=1):
            yield item
            if count == 4:
                raise ConnectionResetError("network gone")

    with pytest.raises(ConnectionResetError):
        ingest(
            workspace,
            importer,
            dies_after_four(importer.read(target, None)),
            ImportSummary(source="calendar"),
            account="personal",
            cursor_key=("calendar", "personal"),
            batch_size=2,
        )
    assert len(stored(workspace)) == 4

    resumed = sync_source(workspace, config)

    assert (resumed.interactions, resumed.skipped) == (2, 0)
    assert sorted(s for s, _ in stored(workspace)) == sorted(
        f"personal:{name}-{n}" for name in ("Family", "Work") for n in range(3)
    )


def test_only_the_named_calendars_are_read(
    radicale_server: RadicaleServer, workspace: Workspace, monkeypatch: pytest.MonkeyPatch
) -> None:
    calendar(radicale_server, "Work").save_event(event("w1", SOON, "me@example.org"))
    calendar(radicale_server, "Birthdays").save_event(event("b1", SOON, "me@example.org"))

    sync_source(workspace, source(radicale_server, monkeypatch, calendars=["Work"]))

    assert stored(workspace) == [("personal:w1", "Work")]


def test_a_wrong_password_is_one_plain_sentence(
    radicale_server: RadicaleServer, workspace: Workspace, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = source(radicale_server, monkeypatch)
    monkeypatch.setenv(PASSWORD_ENV, "wrong")

    with pytest.raises(KithkinError, match="refused tester; check the user name and the app password"):
        sync_source(workspace, config)


def test_a_source_without_an_address_is_refused(workspace: Workspace) -> None:
    with pytest.raises(KithkinError, match="needs url and username"):
        live_importer(LiveSource(type="caldav", account="personal"), workspace)


def test_the_live_sync_window_is_configurable_and_counts_what_fell_outside(
    radicale_server: RadicaleServer, workspace: Workspace, monkeypatch: pytest.MonkeyPatch
) -> None:
    work = calendar(radicale_server, "Work")
    work.save_event(event("recent", SOON, "me@example.org"))
    work.save_event(event("last-year", SOON - timedelta(days=400), "ben@gmail.com"))
    work.save_event(event("next-year", SOON + timedelta(days=400), "zoe@lindqvist.example"))
    config = source(radicale_server, monkeypatch, past_days=30, future_days=30)

    summary = sync_source(workspace, config)

    assert stored(workspace) == [("personal:recent", "Work")]
    assert summary.details == {
        "read": {"events": 3},
        "imported": {"meetings": 1},
        "left_out": {"outside live-sync window": 2},
    }
