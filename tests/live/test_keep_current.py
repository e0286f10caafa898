"""Kithkin keeps itself current: real stores changed under a running server (a chat.db in WAL mode, a
vault folder), mail delivered to a real Dovecot, an event added on a real Radicale, a source that fails
and recovers. Outcomes are polled with a generous timeout; nothing here asserts how fast they came."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

import caldav
import httpx
import pytest

from kithkin.api.server import serve
from kithkin.config import LiveSource
from kithkin.demo.imessage import ChatDb
from kithkin.jobs import JobRunner
from kithkin.live.scheduler import LiveSync
from kithkin.workspace import Workspace
from tests.live.helpers import ALICE, ALICE_CHAT, configure, eventually

if TYPE_CHECKING:
    from tests.fixtures.dovecot import DovecotServer
    from tests.fixtures.radicale import RadicaleServer

pytest_plugins = ("tests.fixtures.dovecot", "tests.fixtures.radicale")

IMAP_PASSWORD_ENV = "KITHKIN_TEST_LIVE_IMAP_PASSWORD"
CALDAV_PASSWORD_ENV = "KITHKIN_TEST_LIVE_CALDAV_PASSWORD"


def status_of(base: str, key: str) -> dict[str, Any] | None:
    items = httpx.get(f"{base}/api/crm/sources", params={"limit": 500}).json()["items"]
    return next((s for item in items for s in item["live_status"] if s["key"] == key), None)


def synced(base: str, key: str) -> dict[str, Any] | None:
    status = status_of(base, key)
    return status if status and status["last_sync_at"] and status["state"] != "syncing" else None


def timeline_of(base: str, query: str) -> list[dict[str, Any]]:
    found = httpx.get(f"{base}/api/crm/people", params={"q": query}).json()["items"]
    if len(found) != 1:
        return []
    return httpx.get(f"{base}/api/crm/people/{found[0]['id']}/timeline").json()["items"]


def shows(base: str, query: str, words: str) -> bool:
    """Whether the timeline of the one person `query` finds has an interaction titled or saying `words`."""
    return any(words in (item["title"] or "") + (item["snippet"] or "") for item in timeline_of(base, query))


def note(folder: Path, name: str, title: str) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / name).write_text(
        f"---\nattendees:\n  - Chloe Dubois <chloe@bluefin.example>\n---\n# {title}\nWe spoke.\n", encoding="utf-8"
    )


def test_a_message_and_a_note_arrive_by_themselves_under_a_running_server(
    tmp_path: Path, home: Path, messages_app: ChatDb
) -> None:
    vault = tmp_path / "vault"
    note(vault / "Work", "2026-11-02 Kickoff.md", "Kickoff")
    configure(
        home,
        LiveSource(type="imessage", account="mac", path=str(tmp_path / "Messages" / "chat.db")),
        LiveSource(type="vault", account="notes", path=str(vault)),
    )
    with Workspace.open(home) as workspace, serve(workspace, keep_current=True) as base:
        eventually(lambda: synced(base, "imessage:mac") and synced(base, "vault:notes"), "the first syncs")
        assert shows(base, ALICE, "First message")
        status = status_of(base, "imessage:mac")
        assert status is not None
        assert (status["state"], status["watching"], status["last_error"]) == (
            "watching",
            str(tmp_path / "Messages"),
            None,
        )
        assert status["interactions_added"] == 1
        mark = httpx.get(f"{base}/api/crm/changes").json()["mark"]

        messages_app.message(ALICE_CHAT, ALICE, datetime(2026, 11, 3, 9, tzinfo=UTC), "Written while you watched")
        messages_app.conn.commit()
        assert (tmp_path / "Messages" / "chat.db-wal").stat().st_size > 0
        eventually(lambda: shows(base, ALICE, "Written while you watched"), "the new message")

        note(vault / "Work", "2026-11-04 Review.md", "Review")
        eventually(lambda: shows(base, "chloe@bluefin.example", "Review"), "the new note")
        assert shows(base, "chloe@bluefin.example", "Kickoff")
        assert httpx.get(f"{base}/api/crm/changes").json()["mark"] != mark


def test_a_source_that_fails_is_retried_with_its_error_shown_and_recovers(tmp_path: Path, home: Path) -> None:
    vault = tmp_path / "later"
    configure(home, LiveSource(type="vault", account="notes", path=str(vault)))
    with Workspace.open(home) as workspace, serve(workspace, keep_current=True) as base:
        failing = eventually(lambda: (s := status_of(base, "vault:notes")) and s["failures"] >= 2 and s, "retries")
        assert failing["state"] in ("retrying", "syncing")
        assert failing["last_error"] == (
            f"The vault folder {vault} was not found; fix 'path' of the vault source in config.yaml."
        )
        # Nothing arrives while it fails, yet the page's mark moves with each retry: its status is news.
        mark = httpx.get(f"{base}/api/crm/changes").json()["mark"]
        eventually(lambda: httpx.get(f"{base}/api/crm/changes").json()["mark"] != mark, "the mark of a retry")

        note(vault, "2026-11-05 Lunch.md", "Lunch")
        recovered = eventually(lambda: (s := synced(base, "vault:notes")) and s["failures"] == 0 and s, "the recovery")
        assert (recovered["last_error"], recovered["interactions_added"]) == (None, 1)
        assert shows(base, "chloe@bluefin.example", "Lunch")
        # Found, the folder is watched from now on: a new note arrives without a retry.
        eventually(lambda: status_of(base, "vault:notes")["state"] == "watching", "watching the folder")
        note(vault, "2026-11-06 Dinner.md", "Dinner")
        eventually(lambda: shows(base, "chloe@bluefin.example", "Dinner"), "the next note")


def mail(number: int) -> bytes:
    return (
        "From: Ana Okafor <ana@northwind.example>\r\nTo: Owner <me@example.org>\r\n"
        f"Subject: Live {number}\r\nDate: Mon, 06 Jan 2025 10:{number:02d}:00 +0000\r\n"
        f"Message-ID: <live{number}@northwind.example>\r\n\r\nHello.\r\n"
    ).encode()


def test_mail_delivered_to_an_imap_server_arrives_through_idle(
    dovecot_server: DovecotServer, home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(IMAP_PASSWORD_ENV, dovecot_server.password)
    dovecot_server.append("INBOX", mail(1))
    imap = LiveSource(
        type="imap",
        account="work",
        host=dovecot_server.host,
        port=dovecot_server.port,
        ssl=False,
        username=dovecot_server.username,
        password_env=IMAP_PASSWORD_ENV,
    )
    configure(home, imap)
    with Workspace.open(home) as workspace, serve(workspace, keep_current=True) as base:
        listening = eventually(
            lambda: (s := synced(base, "imap:work")) and s["state"] == "listening" and s, "listening with IDLE"
        )
        # While IDLE listens, mail needs no interval: nothing is scheduled.
        assert (listening["interval_minutes"], listening["next_sync_at"]) == (None, None)
        assert shows(base, "ana@northwind.example", "Live 1")

        dovecot_server.append("INBOX", mail(2))
        eventually(lambda: shows(base, "ana@northwind.example", "Live 2"), "the delivered mail")


def event(uid: str, start: datetime) -> str:
    return (
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\nBEGIN:VEVENT\r\n"
        f"UID:{uid}\r\nDTSTAMP:20250101T000000Z\r\nDTSTART:{start:%Y%m%dT%H%M%SZ}\r\n"
        f"DTEND:{start + timedelta(hours=1):%Y%m%dT%H%M%SZ}\r\nSUMMARY:Planning {uid}\r\n"
        "ORGANIZER;CN=Ana Okafor:mailto:ana@northwind.example\r\n"
        "ATTENDEE;PARTSTAT=ACCEPTED:mailto:me@example.org\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
    )


def test_an_event_added_on_a_caldav_server_arrives_on_the_sources_interval(
    radicale_server: RadicaleServer, home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(CALDAV_PASSWORD_ENV, radicale_server.password)
    client = caldav.DAVClient(
        url=radicale_server.user_url,
        username=radicale_server.username,
        password=radicale_server.password,
        require_tls=False,
    )
    work = client.principal().make_calendar(name="Work")
    soon = datetime.now(UTC).replace(microsecond=0) - timedelta(days=3)
    work.save_event(event("first", soon))
    configure(
        home,
        LiveSource(
            type="caldav",
            account="personal",
            url=radicale_server.user_url,
            username=radicale_server.username,
            password_env=CALDAV_PASSWORD_ENV,
            interval_minutes=0.02,  # about a second, so the test does not wait the default quarter of an hour
        ),
    )
    with Workspace.open(home) as workspace, serve(workspace, keep_current=True) as base:
        first = eventually(lambda: synced(base, "caldav:personal"), "the first sync")
        assert (first["state"], first["interval_minutes"]) == ("scheduled", 0.02)
        assert first["next_sync_at"] is not None
        assert shows(base, "ana@northwind.example", "Planning first")

        work.save_event(event("second", soon + timedelta(days=1)))
        eventually(lambda: shows(base, "ana@northwind.example", "Planning second"), "the new event")


def test_a_change_during_a_sync_starts_another_right_after_it(tmp_path: Path, home: Path, messages_app: ChatDb) -> None:
    configure(home, LiveSource(type="imessage", account="mac", path=str(tmp_path / "Messages" / "chat.db")))
    with Workspace.open(home) as workspace:
        jobs = JobRunner(home)
        finished: list[str] = []
        live = LiveSync(workspace, jobs, on_sync=lambda key, job: finished.append(job.state))
        with jobs._write_lock:  # the first sync is held back as a long import would hold it
            live.start()
            eventually(lambda: live.status()[0]["state"] == "syncing", "the first sync starting")
            live.changed("imessage:mac")
            assert [j.state for j in jobs.jobs()] == ["queued"]  # never two syncs of one source at once
        try:
            eventually(lambda: len(finished) == 2, "the second sync")
            assert finished == ["succeeded", "succeeded"]
            assert [j.summary["interactions"] for j in reversed(jobs.jobs())] == [1, 0]  # type: ignore[index]
        finally:
            live.stop()
            jobs.wait()
