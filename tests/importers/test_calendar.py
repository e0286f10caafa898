"""Calendar import end to end: real .ics files (Google and Outlook shapes) and an ICS URL served on loopback."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from typer.testing import CliRunner

from kithkin.cli import app
from kithkin.config import LiveSource
from kithkin.importers.calendar import CalendarImporter, url_importer
from kithkin.ingest import import_paths
from kithkin.models import ImportFormatError, KithkinError, Observation
from kithkin.sync import sync_source
from kithkin.workspace import Workspace

NOW = datetime(2025, 6, 1, tzinfo=UTC)

GOOGLE = """\
BEGIN:VCALENDAR
PRODID:-//Google Inc//Google Calendar 70.9054//EN
VERSION:2.0
CALSCALE:GREGORIAN
X-WR-CALNAME:Work
X-WR-TIMEZONE:Europe/Berlin
BEGIN:VEVENT
DTSTART:20250106T090000
DTEND:20250106T093000
RRULE:FREQ=WEEKLY;BYDAY=MO;COUNT=4
UID:standup@google.com
ORGANIZER;CN=Ana Okafor:mailto:ana@northwind.example
ATTENDEE;CUTYPE=INDIVIDUAL;ROLE=REQ-PARTICIPANT;PARTSTAT=ACCEPTED;CN=Ana Okafor:mailto:ana@northwind.example
ATTENDEE;CUTYPE=INDIVIDUAL;ROLE=REQ-PARTICIPANT;PARTSTAT=ACCEPTED;CN=me@example.org:mailto:me@example.org
ATTENDEE;CUTYPE=INDIVIDUAL;ROLE=REQ-PARTICIPANT;PARTSTAT=DECLINED;CN=Ben Smith:mailto:ben@gmail.com
ATTENDEE;CUTYPE=RESOURCE;ROLE=REQ-PARTICIPANT;PARTSTAT=ACCEPTED;CN=Room 4:mailto:c_123@resource.calendar.google.com
SUMMARY:Standup
DESCRIPTION:Daily sync.\\n\\n-::~:~::~:~:~:~:~:~:~:~:~:~:~:~:~:~:~:~:~:~:~:~:~:~:~:~:~
 :~:~:~:~:~:~:~:~::-\\nJoin with Google Meet
END:VEVENT
BEGIN:VEVENT
DTSTART:20250113T100000
DTEND:20250113T103000
RECURRENCE-ID:20250113T090000
UID:standup@google.com
ORGANIZER;CN=Ana Okafor:mailto:ana@northwind.example
ATTENDEE;PARTSTAT=ACCEPTED;CN=Ana Okafor:mailto:ana@northwind.example
ATTENDEE;PARTSTAT=ACCEPTED;CN=Ben Smith:mailto:ben@gmail.com
SUMMARY:Standup (moved)
END:VEVENT
BEGIN:VEVENT
DTSTART:20250120T090000
DTEND:20250120T093000
RECURRENCE-ID:20250120T090000
UID:standup@google.com
STATUS:CANCELLED
SUMMARY:Standup
END:VEVENT
BEGIN:VEVENT
DTSTART;VALUE=DATE:20250110
DTEND;VALUE=DATE:20250111
UID:offsite@google.com
ORGANIZER;CN=Kemi Nakamura:mailto:kemi@bluefin.example
ATTENDEE;PARTSTAT=NEEDS-ACTION;CN=Kemi Nakamura:mailto:kemi@bluefin.example
ATTENDEE;PARTSTAT=TENTATIVE:mailto:liam@bluefin.example
SUMMARY:Offsite
LOCATION:Lisbon
END:VEVENT
BEGIN:VEVENT
DTSTART:20250115T120000Z
DTEND:20250115T130000Z
UID:cancelled@google.com
STATUS:CANCELLED
ORGANIZER;CN=Ana Okafor:mailto:ana@northwind.example
ATTENDEE;PARTSTAT=ACCEPTED:mailto:zoe@lindqvist.example
SUMMARY:Called off
END:VEVENT
BEGIN:VEVENT
DTSTART:20250116T080000Z
DTEND:20250116T090000Z
UID:focus@google.com
SUMMARY:Focus time
END:VEVENT
BEGIN:VEVENT
DTSTART:20250117T080000Z
UID:alone@google.com
ORGANIZER;CN=Me:mailto:me@example.org
ATTENDEE;PARTSTAT=ACCEPTED;CN=Me:mailto:me@example.org
ATTENDEE;PARTSTAT=DECLINED;CN=Ben Smith:mailto:ben@gmail.com
SUMMARY:Everyone else declined
END:VEVENT
BEGIN:VEVENT
DTSTART:20200101T080000Z
UID:ancient@google.com
ORGANIZER:mailto:old@friend.example
SUMMARY:Outside the window
END:VEVENT
END:VCALENDAR
"""

OUTLOOK = """\
BEGIN:VCALENDAR
PRODID:-//Microsoft Corporation//Outlook 16.0 MIMEDIR//EN
VERSION:2.0
METHOD:PUBLISH
BEGIN:VTIMEZONE
TZID:Pacific Standard Time
BEGIN:STANDARD
DTSTART:16011104T020000
RRULE:FREQ=YEARLY;BYDAY=1SU;BYMONTH=11
TZOFFSETFROM:-0700
TZOFFSETTO:-0800
END:STANDARD
BEGIN:DAYLIGHT
DTSTART:16010311T020000
RRULE:FREQ=YEARLY;BYDAY=2SU;BYMONTH=3
TZOFFSETFROM:-0800
TZOFFSETTO:-0700
END:DAYLIGHT
END:VTIMEZONE
BEGIN:VEVENT
ORGANIZER;CN="Smith, Robert":mailto:robert.smith@acme.example
ATTENDEE;ROLE=REQ-PARTICIPANT;PARTSTAT=NEEDS-ACTION;RSVP=TRUE;CN="Garcia, Jose":MAILTO:Jose.Garcia@acme.example
ATTENDEE;ROLE=OPT-PARTICIPANT;PARTSTAT=NEEDS-ACTION;CN=Conf Room:invalid:nomail
ATTENDEE;CUTYPE=GROUP;CN=All Staff:mailto:staff@acme.example
DTSTART;TZID=Pacific Standard Time:20250304T100000
DTEND;TZID=Pacific Standard Time:20250304T110000
RRULE:FREQ=WEEKLY;COUNT=3
EXDATE;TZID=Pacific Standard Time:20250311T100000
UID:040000008200E00074C5B7101A82E00800000000
SUMMARY:Quarterly review
END:VEVENT
END:VCALENDAR
"""


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_bytes(text.replace("\n", "\r\n").encode())
    return path


def meetings(ws: Workspace) -> list[tuple]:
    rows = ws.conn.execute(
        "SELECT source_id, occurred_at, title, context, snippet, participant_count, metadata FROM interactions"
        " WHERE kind = 'meeting' ORDER BY occurred_at, source_id"
    )
    return [tuple(row) for row in rows]


def roles(ws: Workspace, source_id: str) -> dict[str, str]:
    rows = ws.conn.execute(
        "SELECT COALESCE(e.observed_email, e.observed_name), p.role FROM interaction_participants p"
        " JOIN interactions i ON i.id = p.interaction_id JOIN source_entities e ON e.id = p.source_entity_id"
        " WHERE i.source_id = ?",
        (source_id,),
    )
    return {row[0]: row[1] for row in rows}


def test_google_calendar_occurrences_overrides_cancellations_and_declines(tmp_path: Path, workspace: Workspace) -> None:
    path = write(tmp_path, "work.ics", GOOGLE)

    summary = import_paths(workspace, "calendar", [path], importer=CalendarImporter(now=NOW))

    assert (summary.interactions, summary.skipped) == (4, 0)
    found = meetings(workspace)
    assert [row[:6] for row in found] == [
        ("standup@google.com/2025-01-06T08:00:00Z", "2025-01-06T08:00:00Z", "Standup", "Work", "Daily sync.", 2),
        ("offsite@google.com", "2025-01-10T00:00:00Z", "Offsite", "Work", None, 2),
        ("standup@google.com/2025-01-13T08:00:00Z", "2025-01-13T09:00:00Z", "Standup (moved)", "Work", None, 2),
        ("standup@google.com/2025-01-27T08:00:00Z", "2025-01-27T08:00:00Z", "Standup", "Work", "Daily sync.", 2),
    ]
    first = json.loads(found[0][6])
    assert first["declined"] == [{"name": "Ben Smith", "email": "ben@gmail.com"}]
    assert first["rooms"] == [{"name": "Room 4", "email": "c_123@resource.calendar.google.com"}]
    assert (first["recurring"], first["end"]) == (True, "2025-01-06T08:30:00Z")
    assert json.loads(found[1][6]) == {
        "uid": "offsite@google.com",
        "all_day": True,
        "end": "2025-01-11T00:00:00Z",
        "location": "Lisbon",
    }
    assert roles(workspace, "standup@google.com/2025-01-06T08:00:00Z") == {
        "ana@northwind.example": "organizer",
        "me@example.org": "attendee",
    }
    # In the moved instance Ben accepted: there he is a participant.
    assert roles(workspace, "standup@google.com/2025-01-13T08:00:00Z") == {
        "ana@northwind.example": "organizer",
        "ben@gmail.com": "attendee",
    }
    assert import_paths(workspace, "calendar", [path], importer=CalendarImporter(now=NOW)).interactions == 0


def test_outlook_time_zones_quoted_names_exdates_and_odd_attendees(tmp_path: Path, workspace: Workspace) -> None:
    path = write(tmp_path, "outlook.ics", OUTLOOK)

    import_paths(workspace, "calendar", [path], importer=CalendarImporter(now=NOW))

    found = meetings(workspace)
    uid = "040000008200E00074C5B7101A82E00800000000"
    # 10:00 Pacific is 18:00Z before the DST switch on 9 March and 17:00Z after it; the 11th is excluded.
    assert [(row[0], row[1]) for row in found] == [
        (f"{uid}/2025-03-04T18:00:00Z", "2025-03-04T18:00:00Z"),
        (f"{uid}/2025-03-18T17:00:00Z", "2025-03-18T17:00:00Z"),
    ]
    assert roles(workspace, f"{uid}/2025-03-04T18:00:00Z") == {
        "robert.smith@acme.example": "organizer",
        "jose.garcia@acme.example": "attendee",
        "Conf Room": "attendee",
    }
    names = dict(workspace.conn.execute("SELECT observed_email, observed_name FROM source_entities").fetchall())
    assert names["robert.smith@acme.example"] == "Smith, Robert"
    assert json.loads(found[0][6])["groups"] == [{"name": "All Staff", "email": "staff@acme.example"}]


def google_history() -> str:
    """A Google Calendar export whose meetings run from 2010 to 2023, with an endless weekly series."""
    events = "".join(
        f"BEGIN:VEVENT\nDTSTART:{year}0315T090000Z\nDTEND:{year}0315T100000Z\nUID:review-{year}@google.com\n"
        "ORGANIZER;CN=Ana Okafor:mailto:ana@northwind.example\n"
        "ATTENDEE;CUTYPE=INDIVIDUAL;ROLE=REQ-PARTICIPANT;PARTSTAT=ACCEPTED;CN=me@example.org;X-NUM-GUESTS=0:"
        "mailto:me@example.org\n"
        f"SUMMARY:Annual review {year}\nSTATUS:CONFIRMED\nEND:VEVENT\n"
        for year in range(2010, 2024)
    )
    return (
        "BEGIN:VCALENDAR\nPRODID:-//Google Inc//Google Calendar 70.9054//EN\nVERSION:2.0\nCALSCALE:GREGORIAN\n"
        "METHOD:PUBLISH\nX-WR-CALNAME:me@example.org\nX-WR-TIMEZONE:UTC\n"
        + events
        + "BEGIN:VEVENT\nDTSTART:20250505T150000Z\nDTEND:20250505T153000Z\nRRULE:FREQ=WEEKLY\n"
        "UID:weekly-1on1@google.com\n"
        "ORGANIZER;CN=Ana Okafor:mailto:ana@northwind.example\nATTENDEE;PARTSTAT=ACCEPTED:mailto:me@example.org\n"
        "SUMMARY:1:1\nEND:VEVENT\n"
        "BEGIN:VEVENT\nDTSTART:20110101T080000Z\nUID:focus@google.com\nORGANIZER:mailto:me@example.org\n"
        "SUMMARY:Focus time\nEND:VEVENT\n"
        "BEGIN:VEVENT\nDTSTART:20120101T080000Z\nUID:called-off@google.com\nSTATUS:CANCELLED\n"
        "ORGANIZER:mailto:ana@northwind.example\nATTENDEE:mailto:me@example.org\nSUMMARY:Called off\nEND:VEVENT\n"
        "END:VCALENDAR\n"
    )


def test_an_ics_file_imports_its_whole_history(tmp_path: Path, workspace: Workspace) -> None:
    path = write(tmp_path, "me@example.org.ics", google_history())

    summary = import_paths(workspace, "calendar", [path], importer=CalendarImporter(now=NOW))

    found = meetings(workspace)
    reviews = [row[1] for row in found if row[2].startswith("Annual review")]
    assert reviews == [f"{year}-03-15T09:00:00Z" for year in range(2010, 2024)]
    # The endless series runs from its start to a year after today: 5 May 2025 to 1 June 2026, 57 weeks.
    weekly = [row[1] for row in found if row[2] == "1:1"]
    assert (len(weekly), weekly[0], weekly[-1]) == (57, "2025-05-05T15:00:00Z", "2026-06-01T15:00:00Z")
    assert summary.interactions == 14 + 57
    assert summary.details == {
        "read": {"events": 17},
        "imported": {"meetings": 71},
        "left_out": {"fewer than two people": 1, "cancelled": 1},
    }


def test_live_sync_reads_a_window_and_counts_what_fell_outside(
    served: tuple[str, Path], workspace: Workspace
) -> None:
    base, folder = served
    now = datetime.now(UTC)
    events = "".join(
        f"BEGIN:VEVENT\nUID:lunch{days}\nDTSTART:{(now + timedelta(days=days)):%Y%m%dT%H%M00Z}\n"
        "ORGANIZER;CN=Rosa Garcia:mailto:rosa@gmail.com\nATTENDEE;PARTSTAT=ACCEPTED:mailto:sam@fastmail.com\n"
        f"SUMMARY:Lunch {days}\nEND:VEVENT\n"
        for days in (-400, -45, -3, 10, 100)
    )
    (folder / "family.ics").write_text(f"BEGIN:VCALENDAR\nVERSION:2.0\nPRODID:test\n{events}END:VCALENDAR\n")
    config = LiveSource(type="ics_url", account="family", url=f"{base}/family.ics", past_days=30, future_days=30)

    summary = sync_source(workspace, config)

    assert sorted(row[2] for row in meetings(workspace)) == ["Lunch -3", "Lunch 10"]
    assert summary.details == {
        "read": {"events": 5},
        "imported": {"meetings": 2},
        "left_out": {"outside live-sync window": 3},
    }


def test_google_placeholder_group_and_resource_calendars_are_not_people(tmp_path: Path, workspace: Workspace) -> None:
    path = write(
        tmp_path,
        "google.ics",
        "BEGIN:VCALENDAR\nPRODID:-//Google Inc//Google Calendar 70.9054//EN\nVERSION:2.0\n"
        "BEGIN:VEVENT\nDTSTART:20250210T100000Z\nUID:imported@google.com\n"
        "ORGANIZER;CN=Unknown Organizer:mailto:unknownorganizer@calendar.google.com\n"
        "ATTENDEE;PARTSTAT=ACCEPTED;CN=Ana Okafor:mailto:ana@northwind.example\n"
        "ATTENDEE;PARTSTAT=ACCEPTED:mailto:me@example.org\n"
        "ATTENDEE;CUTYPE=RESOURCE;CN=Room 4 (8):mailto:c_1884@resource.calendar.google.com\n"
        "SUMMARY:Imported invite\nEND:VEVENT\n"
        "BEGIN:VEVENT\nDTSTART:20250211T100000Z\nUID:team-offsite@google.com\n"
        "ORGANIZER;CN=Team:mailto:c_9a3f2e@group.calendar.google.com\n"
        "ATTENDEE;PARTSTAT=ACCEPTED:mailto:me@example.org\nSUMMARY:Team offsite\nEND:VEVENT\n"
        "BEGIN:VEVENT\nDTSTART;VALUE=DATE:20250214\nUID:holiday@google.com\n"
        "ORGANIZER;CN=Holidays in United States:mailto:en.usa#holiday@group.v.calendar.google.com\n"
        "ATTENDEE;PARTSTAT=ACCEPTED:mailto:me@example.org\nSUMMARY:Valentine's Day\nEND:VEVENT\n"
        "END:VCALENDAR\n",
    )

    summary = import_paths(workspace, "calendar", [path], importer=CalendarImporter(now=NOW))

    people = {row[0] for row in workspace.conn.execute("SELECT observed_email FROM source_entities")}
    assert people == {"ana@northwind.example", "me@example.org"}
    assert [row[2] for row in meetings(workspace)] == ["Imported invite"]
    assert json.loads(meetings(workspace)[0][6])["calendars"] == [
        {"name": "Unknown Organizer", "email": "unknownorganizer@calendar.google.com"}
    ]
    assert summary.details["not_people"] == {"Google placeholder and group calendars": 3, "rooms and resources": 1}
    assert summary.details["left_out"] == {"fewer than two people": 2}


APPLE_BERLIN = """\
BEGIN:VCALENDAR
METHOD:PUBLISH
VERSION:2.0
X-WR-CALNAME:Arbeit
PRODID:-//Apple Inc.//macOS 13.4.1//EN
X-APPLE-CALENDAR-COLOR:#1BADF8
X-WR-TIMEZONE:Europe/Berlin
CALSCALE:GREGORIAN
BEGIN:VTIMEZONE
TZID:Europe/Berlin
BEGIN:STANDARD
TZOFFSETFROM:+5328
RDATE:18930401T000000
DTSTART:18930401T000000
TZNAME:MEZ
TZOFFSETTO:+0100
END:STANDARD
BEGIN:DAYLIGHT
TZOFFSETFROM:+0100
RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU
DTSTART:19810329T020000
TZNAME:MESZ
TZOFFSETTO:+0200
END:DAYLIGHT
BEGIN:STANDARD
TZOFFSETFROM:+0200
RRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU
DTSTART:19961027T030000
TZNAME:MEZ
TZOFFSETTO:+0100
END:STANDARD
END:VTIMEZONE
BEGIN:VEVENT
CREATED:20150301T101500Z
UID:6B1A2F4E-1D3C-4B8A-9E77-2C0F5D1A9B01
DTEND;TZID=Europe/Berlin:20150310T110000
ATTENDEE;CN="Jonas Weber";CUTYPE=INDIVIDUAL;EMAIL="jonas@weber.example";PARTSTAT=ACCEPTED:mailto:jonas@weber.example
ATTENDEE;CN="Owner";CUTYPE=INDIVIDUAL;EMAIL="me@example.org";PARTSTAT=ACCEPTED;ROLE=CHAIR:mailto:me@example.org
TRANSP:OPAQUE
SUMMARY:Planung
DTSTART;TZID=Europe/Berlin:20150310T100000
DTSTAMP:20150301T101500Z
ORGANIZER;CN="Owner";EMAIL="me@example.org":mailto:me@example.org
SEQUENCE:0
END:VEVENT
BEGIN:VEVENT
UID:7C2B3A5F-2E4D-4C9B-8F88-3D1A6E2B0C12
DTEND;TZID=Europe/Berlin:20150715T200000
ATTENDEE;CN="Lena Vogt";CUTYPE=INDIVIDUAL;EMAIL="lena@vogt.example";PARTSTAT=ACCEPTED:mailto:lena@vogt.example
SUMMARY:Sommerfest
DTSTART;TZID=Europe/Berlin:20150715T180000
ORGANIZER;CN="Owner";EMAIL="me@example.org":mailto:me@example.org
END:VEVENT
BEGIN:VEVENT
UID:8D3C4B6A-3F5E-4DAC-9A99-4E2B7F3C1D23
DTSTART;TZID=Europe/Berlin:20150801T090000
ATTENDEE;CN="Lena Vogt";PARTSTAT=ACCEPTED:mailto:lena@vogt.example
ORGANIZER;CN="Owner":mailto:me@example.org
SUMMARY:Broken alarm
BEGIN:VALARM
X-WR-ALARMUID:11111111-2222-3333-4444-555555555555
TRIGGER:-PT15
ACTION:DISPLAY
END:VALARM
END:VEVENT
END:VCALENDAR
"""


def test_an_apple_export_with_historical_offsets_reads_its_time_zone_by_name(
    tmp_path: Path, workspace: Workspace
) -> None:
    path = write(tmp_path, "Arbeit.ics", APPLE_BERLIN)

    summary = import_paths(workspace, "calendar", [path], importer=CalendarImporter(now=NOW))

    # Berlin is an hour ahead of UTC in March and two in July.
    assert [(row[1], row[2], row[3]) for row in meetings(workspace)] == [
        ("2015-03-10T09:00:00Z", "Planung", "Arbeit"),
        ("2015-07-15T16:00:00Z", "Sommerfest", "Arbeit"),
    ]
    assert summary.skipped == 1
    assert summary.errors[0].startswith("calendar event 8D3C4B6A-3F5E-4DAC-9A99-4E2B7F3C1D23 cannot be read (")
    assert summary.details == {
        "read": {"events": 2},
        "imported": {"meetings": 2},
        "left_out": {"unreadable events": 1},
        "repaired": {"time zones read by their name": 1},
    }


def test_a_windows_zone_name_stands_in_for_an_unreadable_definition(tmp_path: Path, workspace: Workspace) -> None:
    broken = OUTLOOK.replace("TZOFFSETFROM:-0700\nTZOFFSETTO:-0800", "TZOFFSETFROM:-075258\nTZOFFSETTO:-0800", 1)
    broken = broken.replace("TZOFFSETFROM:-075258", "TZOFFSETFROM:-5258")
    path = write(tmp_path, "outlook.ics", broken)

    summary = import_paths(workspace, "calendar", [path], importer=CalendarImporter(now=NOW))

    uid = "040000008200E00074C5B7101A82E00800000000"
    # "Pacific Standard Time" read as America/Los_Angeles: the same times as with the definition.
    assert [(row[0], row[1]) for row in meetings(workspace)] == [
        (f"{uid}/2025-03-04T18:00:00Z", "2025-03-04T18:00:00Z"),
        (f"{uid}/2025-03-18T17:00:00Z", "2025-03-18T17:00:00Z"),
    ]
    assert summary.details["repaired"] == {"time zones read by their name": 1}


@pytest.mark.parametrize(
    ("content", "problem"),
    [
        (b"From x@y Thu Jan 02 10:00:00 2025\nFrom: a@b\n\nhi\n", "is not an iCalendar file"),
        (b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nBEGIN:VEVENT\r\nUID:x\r\nDTSTART:2025", "looks corrupt"),
        (b"BEGIN:VCALENDAR\r\ngarbage without a colon\r\nEND:VCALENDAR\r\n", "looks corrupt"),
    ],
)
def test_wrong_files_are_refused_and_nothing_is_written(
    tmp_path: Path, workspace: Workspace, content: bytes, problem: str
) -> None:
    path = tmp_path / "wrong.ics"
    path.write_bytes(content)

    with pytest.raises(ImportFormatError, match=problem):
        import_paths(workspace, "calendar", [path])

    assert workspace.conn.execute("SELECT COUNT(*) FROM interactions").fetchone()[0] == 0
    assert workspace.conn.execute("SELECT COUNT(*) FROM source_entities").fetchone()[0] == 0


def recent_calendar(now: datetime) -> str:
    start = (now - timedelta(days=3)).strftime("%Y%m%dT%H%M00Z")
    return (
        "BEGIN:VCALENDAR\nVERSION:2.0\nPRODID:test\nX-WR-CALNAME:Personal\nBEGIN:VEVENT\nUID:dinner\n"
        f"DTSTART:{start}\nORGANIZER;CN=Rosa Garcia:mailto:rosa@gmail.com\n"
        "ATTENDEE;PARTSTAT=ACCEPTED;CN=Sam Lee:mailto:sam@fastmail.com\nSUMMARY:Dinner\nEND:VEVENT\nEND:VCALENDAR\n"
    )


def test_cli_imports_a_calendar_with_an_account_label(tmp_path: Path, home: Path) -> None:
    path = write(tmp_path, "personal.ics", recent_calendar(datetime.now(UTC)))

    result = CliRunner().invoke(
        app, ["import", "calendar", str(path), "--account", "personal", "--home", str(home), "--json"]
    )

    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert (data["source"], data["interactions"], data["source_entities"], data["errors"]) == ("calendar", 1, 2, [])


@pytest.fixture
def served(tmp_path: Path) -> Iterator[tuple[str, Path]]:
    """A loopback HTTP server publishing the files of a folder, as a calendar host would."""
    folder = tmp_path / "published"
    folder.mkdir()
    server = ThreadingHTTPServer(("127.0.0.1", 0), partial(QuietHandler, directory=str(folder)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", folder
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


class QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:  # keep test output clean
        return


def test_an_ics_url_is_fetched_and_synced(served: tuple[str, Path], workspace: Workspace, monkeypatch) -> None:
    base, folder = served
    (folder / "secret-token-123").mkdir()
    (folder / "secret-token-123" / "basic.ics").write_text(recent_calendar(datetime.now(UTC)), encoding="utf-8")
    monkeypatch.setenv("KITHKIN_TEST_ICS_URL", f"{base}/secret-token-123/basic.ics")
    config = LiveSource(type="ics_url", account="family", url_env="KITHKIN_TEST_ICS_URL")

    summary = sync_source(workspace, config)

    assert (summary.source, summary.interactions) == ("calendar", 1)
    assert meetings(workspace)[0][0] == "family:dinner"
    assert sync_source(workspace, config).interactions == 0
    _, target = url_importer(config, workspace)
    assert "secret-token" not in target


def test_a_missing_ics_url_or_a_wrong_answer_is_one_plain_sentence(
    served: tuple[str, Path], workspace: Workspace
) -> None:
    base, folder = served
    (folder / "page.html").write_text("<html>not a calendar</html>", encoding="utf-8")

    with pytest.raises(KithkinError, match="answered HTTP 404"):
        sync_source(workspace, LiveSource(type="ics_url", account="x", url=f"{base}/gone.ics"))
    with pytest.raises(ImportFormatError, match="is not an iCalendar file"):
        sync_source(workspace, LiveSource(type="ics_url", account="x", url=f"{base}/page.html"))
    assert workspace.conn.execute("SELECT COUNT(*) FROM interactions").fetchone()[0] == 0


def test_the_demo_calendar_imports_its_series_without_the_cancelled_week(tmp_path: Path, workspace: Workspace) -> None:
    from kithkin.demo import calendar as demo_calendar
    from kithkin.demo.cast import make_cast

    paths = demo_calendar.write(make_cast(80), tmp_path)

    summary = import_paths(workspace, "calendar", paths)

    weekly = [row for row in meetings(workspace) if row[0].startswith("team-weekly@google.com/")]
    assert summary.skipped == 0
    assert len(weekly) == 29  # 30 weeks, one cancelled
    assert sum(1 for row in weekly if row[2] == "Team weekly (moved to Tuesday)") == 1
    assert all("declined" in json.loads(row[6]) for row in weekly if row[2] == "Team weekly")


def corpus() -> list[Path]:
    """The real-world calendars icalendar and recurring-ical-events test themselves with (Google, Outlook,
    Thunderbird, Apple exports and their bug reports), as installed with those packages."""
    import icalendar
    import recurring_ical_events

    folders = [
        Path(icalendar.__file__).parent / "tests" / "calendars",
        Path(recurring_ical_events.__file__).parent / "test" / "calendars",
    ]
    return sorted(path for folder in folders for path in folder.glob("*.ics"))


@pytest.mark.filterwarnings("ignore")
def test_real_world_calendars_are_read_or_refused_but_never_crash() -> None:
    files = corpus()
    assert len(files) > 150
    read = refused = 0
    for path in files:
        importer = CalendarImporter(now=datetime(2020, 1, 1, tzinfo=UTC))
        try:
            items = list(importer.read(path, None))
        except ImportFormatError:
            refused += 1
            continue
        assert all(isinstance(item, Observation | ValueError) for item in items), path.name
        read += 1
    assert read > 180
    assert refused < 20


def test_a_rescheduled_meeting_moves_instead_of_doubling(tmp_path: Path, workspace: Workspace) -> None:
    def one_meeting(start: str) -> str:
        return (
            "BEGIN:VCALENDAR\nVERSION:2.0\nPRODID:test\nBEGIN:VEVENT\nUID:review@google.com\n"
            f"DTSTART:{start}\nORGANIZER;CN=Ana Okafor:mailto:ana@northwind.example\n"
            "ATTENDEE;PARTSTAT=ACCEPTED:mailto:me@example.org\nSUMMARY:Review\nEND:VEVENT\nEND:VCALENDAR\n"
        )

    path = write(tmp_path, "cal.ics", one_meeting("20250301T100000Z"))
    import_paths(workspace, "calendar", [path], importer=CalendarImporter(now=NOW))
    write(tmp_path, "cal.ics", one_meeting("20250303T150000Z"))
    import_paths(workspace, "calendar", [path], importer=CalendarImporter(now=NOW))

    assert [(row[0], row[1]) for row in meetings(workspace)] == [("review@google.com", "2025-03-03T15:00:00Z")]


def test_a_takeout_calendar_folder_is_read_file_by_file(tmp_path: Path, workspace: Workspace) -> None:
    folder = tmp_path / "Takeout" / "Calendar"
    folder.mkdir(parents=True)
    write(folder, "Work.ics", GOOGLE)
    write(folder, "Family.ics", GOOGLE.replace("X-WR-CALNAME:Work\n", "").replace("@google.com", "@family"))
    (folder / "README.txt").write_text("not a calendar", encoding="utf-8")

    summary = import_paths(workspace, "calendar", [tmp_path / "Takeout"], importer=CalendarImporter(now=NOW))

    assert summary.interactions == 8
    contexts = sorted({row[3] for row in meetings(workspace)})
    assert contexts == ["Family", "Work"]  # X-WR-CALNAME, else the file's name


def test_a_folder_without_calendars_is_refused(tmp_path: Path, workspace: Workspace) -> None:
    (tmp_path / "notes.txt").write_text("hello", encoding="utf-8")

    with pytest.raises(ImportFormatError, match=r"holds no calendar files"):
        import_paths(workspace, "calendar", [tmp_path])


def test_the_cli_summary_says_what_was_read_imported_and_left_out(tmp_path: Path, home: Path) -> None:
    path = write(tmp_path, "history.ics", google_history())

    shown = CliRunner().invoke(app, ["import", "calendar", str(path), "--home", str(home)], env={"COLUMNS": "120"})
    again = CliRunner().invoke(app, ["import", "calendar", str(path), "--home", str(home), "--json"])

    assert shown.exit_code == 0, shown.output
    cells = [[cell.strip() for cell in line.strip("│").split("│")] for line in shown.stdout.splitlines() if "│" in line]
    rows = {label: value for label, value in cells}
    assert rows["read"] == "events 17"
    assert rows["left out"] == "fewer than two people 1, cancelled 1"
    assert rows["imported"].startswith("meetings ")
    data = json.loads(again.stdout)
    assert (data["interactions"], data["read"], data["left_out"]) == (
        0,
        {"events": 17},
        {"fewer than two people": 1, "cancelled": 1},
    )


def test_a_calendar_without_meetings_says_why_it_imported_nothing(tmp_path: Path, home: Path) -> None:
    tasks = write(
        tmp_path,
        "tasks.ics",
        "BEGIN:VCALENDAR\nVERSION:2.0\nPRODID:-//Apple Inc.//macOS 13.4.1//EN\n"
        "BEGIN:VTODO\nUID:t1\nSUMMARY:Call the plumber\nEND:VTODO\nEND:VCALENDAR\n",
    )
    empty = write(tmp_path, "empty.ics", "BEGIN:VCALENDAR\nVERSION:2.0\nPRODID:test\nEND:VCALENDAR\n")

    shown = [CliRunner().invoke(app, ["import", "calendar", str(p), "--home", str(home)]) for p in (tasks, empty)]

    assert [result.exit_code for result in shown] == [0, 0]
    assert "Nothing was imported: everything read was left out or skipped" in shown[0].stdout
    assert "to-dos and journal entries 1" in shown[0].stdout
    assert "Nothing was imported: the file holds nothing this importer reads." in shown[1].stdout
