"""Text exports read record by record (importers/limits.py): a record over its cap refuses the file before
anything is stored, naming the record; everything else reads as it did when files were parsed whole."""

from __future__ import annotations

import base64
import zipfile
from datetime import UTC, datetime
from pathlib import Path

import pytest

from kithkin.importers import limits
from kithkin.importers.calendar import BATCH_EVENTS, CalendarImporter
from kithkin.importers.contacts import ContactsImporter
from kithkin.importers.whatsapp import WhatsAppImporter
from kithkin.ingest import import_paths
from kithkin.models import ImportFormatError, Observation
from kithkin.workspace import Workspace

NOW = datetime(2025, 6, 1, tzinfo=UTC)


def _card(name: str, extra: str = "") -> str:
    return f"BEGIN:VCARD\r\nVERSION:3.0\r\nFN:{name}\r\nEMAIL:{name.split()[0].lower()}@x.org\r\n{extra}END:VCARD\r\n"


def _stored(workspace: Workspace) -> int:
    return workspace.conn.execute("SELECT COUNT(*) FROM source_entities").fetchone()[0]


def _too_large(what: str, line: int, limit: int) -> str:
    return (
        f"holds {what} (from line {line:,}) larger than any real one ({limit // limits.MB} MB at most); "
        "check that it is the right file"
    )


def test_a_card_over_the_cap_between_two_good_ones_refuses_the_file_before_anything_is_stored(
    tmp_path: Path, workspace: Workspace
) -> None:
    photo = base64.b64encode(b"\xff\xd8\xff" + b"\x00" * (limits.CARD * 3 // 4)).decode()
    folded = "\r\n ".join(photo[i : i + 74] for i in range(0, len(photo), 74))
    path = tmp_path / "contacts.vcf"
    path.write_text(
        _card("Ana Silva") + _card("Bob Jones", f"PHOTO;ENCODING=b;TYPE=JPEG:{folded}\r\n") + _card("Cy Young"),
        encoding="utf-8",
    )
    with pytest.raises(ImportFormatError) as refused:
        import_paths(workspace, "contacts", [path])
    assert refused.value.problem == _too_large("a card", 6, limits.CARD)
    assert _stored(workspace) == 0


def test_cards_are_read_one_by_one_around_junk_and_a_card_cut_by_the_next(tmp_path: Path, workspace: Workspace) -> None:
    path = tmp_path / "contacts.vcf"
    cut = "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Cut Short\r\n"
    # Latin-1 bytes on one line of a file otherwise UTF-8: that line alone is read as Latin-1.
    path.write_bytes(
        b"\xef\xbb\xbf"
        + _card("Ana Silva").encode()
        + b"some exporter's junk between cards\r\n"
        + cut.encode()
        + _card("Bob Jones").encode()
        + "BEGIN:VCARD\r\nVERSION:2.1\r\nFN:Zoë Brandt\r\nEND:VCARD\r\n".encode("latin-1")
    )
    summary = import_paths(workspace, "contacts", [path])
    assert (summary.source_entities, summary.skipped) == (3, 1)
    assert summary.errors == [f"{path}: a card has no END:VCARD before the next BEGIN:VCARD; skipped"]
    names = {row[0] for row in workspace.conn.execute("SELECT observed_name FROM source_entities")}
    assert names == {"Ana Silva", "Bob Jones", "Zoë Brandt"}


def test_a_vcard_without_any_card_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "contacts.vcf"
    path.write_text("BEGIN:VCARDS\r\nnothing here\r\n", encoding="utf-8")
    with pytest.raises(ImportFormatError) as refused:
        list(ContactsImporter().read(path, None))
    assert refused.value.problem == "holds no vCard (expected BEGIN:VCARD … END:VCARD)"


def _chat(path: Path, lines: list[str]) -> Path:
    path.write_text("".join(line + "\n" for line in lines), encoding="utf-8")
    return path


def test_a_whatsapp_message_over_the_cap_refuses_the_chat(tmp_path: Path, workspace: Workspace) -> None:
    path = _chat(
        tmp_path / "WhatsApp Chat with Ana.txt",
        ["12/01/2024, 10:00 - Ana: hi", "12/01/2024, 10:01 - Bob: and then", *["x" * 1023] * 1024],
    )
    with pytest.raises(ImportFormatError) as refused:
        import_paths(workspace, "whatsapp", [path])
    assert refused.value.problem == _too_large("a message", 2, limits.CHAT_MESSAGE)
    assert _stored(workspace) == 0


def test_a_date_late_in_the_chat_decides_the_order_of_the_first(tmp_path: Path) -> None:
    """The first pass sees every date before any message is read: 25 can only be a day, so 04/03 is April 3."""
    lines = [f"04/03/2024, 10:{minute:02d} - Ana: message {minute}" for minute in range(50)]
    path = _chat(tmp_path / "WhatsApp Chat with Ana.txt", [*lines, "04/25/2024, 11:00 - Bob: the last"])
    found = [o for o in WhatsAppImporter().read(path, None) if isinstance(o, Observation)]
    assert len(found) == 51
    assert found[0].occurred_at == datetime(2024, 4, 3, 10, 0).astimezone(UTC)
    assert found[-1].occurred_at == datetime(2024, 4, 25, 11, 0).astimezone(UTC)


def test_a_whatsapp_zip_is_read_as_a_stream_with_its_multiline_messages(tmp_path: Path) -> None:
    path = tmp_path / "WhatsApp Chat - Ana.zip"
    chat = "[12/01/2024, 10:00:00] Ana: first line\nsecond line\n[12/01/2024, 10:05:00] Bob: ok\n"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("_chat.txt", chat)
        archive.writestr("00000001-PHOTO-2024-01-12.jpg", b"\xff\xd8\xff")
    found = list(WhatsAppImporter().read(path, None))
    assert [o.snippet for o in found if isinstance(o, Observation)] == ["first line\nsecond line", "ok"]


def test_a_linkedin_row_over_the_line_cap_refuses_the_file(tmp_path: Path, workspace: Workspace) -> None:
    path = tmp_path / "Connections.csv"
    header = "First Name,Last Name,URL,Email Address,Company,Position,Connected On\r\n"
    row = "Ana,Silva,https://www.linkedin.com/in/ana,,Acme,Engineer,12 Mar 2024\r\n"
    path.write_text(
        header + row + "B" * (limits.CSV_LINE + 1),
        encoding="utf-8",
    )
    with pytest.raises(ImportFormatError) as refused:
        import_paths(workspace, "linkedin", [path])
    assert refused.value.problem == "has a line (line 3) longer than any real CSV row (1 MB at most)"
    assert _stored(workspace) == 0


def test_more_connections_than_linkedin_allows_are_refused(tmp_path: Path, workspace: Workspace) -> None:
    path = tmp_path / "Connections.csv"
    rows = "".join(f"P,{n},https://www.linkedin.com/in/p{n},,,,12 Mar 2024\r\n" for n in range(limits.CONNECTIONS + 1))
    path.write_text("First Name,Last Name,URL,Email Address,Company,Position,Connected On\r\n" + rows)
    with pytest.raises(ImportFormatError) as refused:
        import_paths(workspace, "linkedin", [path])
    assert refused.value.problem == (
        f"holds {limits.CONNECTIONS + 1:,} connections, more than LinkedIn allows anyone "
        f"({limits.CONNECTIONS:,} at most); check that it is the right file"
    )


ZONE = (
    "BEGIN:VTIMEZONE\r\nTZID:Custom/Berlin\r\nBEGIN:STANDARD\r\nDTSTART:19701025T030000\r\n"
    "RRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU\r\nTZOFFSETFROM:+0200\r\nTZOFFSETTO:+0100\r\nEND:STANDARD\r\n"
    "BEGIN:DAYLIGHT\r\nDTSTART:19700329T020000\r\nRRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU\r\n"
    "TZOFFSETFROM:+0100\r\nTZOFFSETTO:+0200\r\nEND:DAYLIGHT\r\nEND:VTIMEZONE\r\n"
)


def _event(uid: str, start: str, extra: str = "") -> str:
    return (
        f"BEGIN:VEVENT\r\nUID:{uid}\r\nDTSTART;TZID=Custom/Berlin:{start}\r\n{extra}"
        "ORGANIZER;CN=Ana Silva:mailto:ana@x.org\r\nATTENDEE;CN=Bob Jones:mailto:bob@y.org\r\n"
        "SUMMARY:Planning\r\nEND:VEVENT\r\n"
    )


def test_a_series_overridden_at_the_end_of_a_long_file_meets_its_zone_written_after_it(tmp_path: Path) -> None:
    """More events than a batch lie between a series and its override, and the custom zone comes last."""
    singles = [_event(f"single-{n}@x", f"202401{n % 28 + 1:02d}T1{n % 10}0000") for n in range(BATCH_EVENTS + 20)]
    path = tmp_path / "work.ics"
    path.write_text(
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//x//x//EN\r\nX-WR-CALNAME:Work\r\n"
        + _event("weekly@x", "20250106T090000", "RRULE:FREQ=WEEKLY;COUNT=3\r\n")
        + "".join(singles)
        + _event("weekly@x", "20250113T150000", "RECURRENCE-ID;TZID=Custom/Berlin:20250113T090000\r\n")
        + ZONE
        + "END:VCALENDAR\r\n"
    )
    importer = CalendarImporter(now=NOW)
    found = [o for o in importer.read(path, None) if isinstance(o, Observation)]
    weekly = sorted((o.source_id, o.occurred_at) for o in found if o.metadata["uid"] == "weekly@x")
    assert weekly == [
        ("weekly@x/2025-01-06T08:00:00Z", datetime(2025, 1, 6, 8, tzinfo=UTC)),
        ("weekly@x/2025-01-13T08:00:00Z", datetime(2025, 1, 13, 14, tzinfo=UTC)),  # moved to 15:00 Berlin
        ("weekly@x/2025-01-20T08:00:00Z", datetime(2025, 1, 20, 8, tzinfo=UTC)),
    ]
    assert len(found) == BATCH_EVENTS + 23
    assert {o.context for o in found} == {"Work"}
    assert importer.report["read"] == {"events": BATCH_EVENTS + 22}


def test_a_calendar_event_over_the_cap_refuses_the_file(tmp_path: Path, workspace: Workspace) -> None:
    description = "\r\n ".join(["x" * 74] * (limits.CALENDAR_COMPONENT // 70))
    path = tmp_path / "work.ics"
    path.write_text(
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\n"
        + _event("a@x", "20250106T090000")
        + _event("b@x", "20250107T090000", f"DESCRIPTION:{description}\r\n")
        + "END:VCALENDAR\r\n"
    )
    with pytest.raises(ImportFormatError) as refused:
        import_paths(workspace, "calendar", [path])
    assert refused.value.problem == _too_large("a VEVENT", 10, limits.CALENDAR_COMPONENT)
    assert workspace.conn.execute("SELECT COUNT(*) FROM interactions").fetchone()[0] == 0


def test_a_calendar_that_is_one_endless_line_is_refused_by_the_line_cap(tmp_path: Path) -> None:
    path = tmp_path / "big.ics"
    with path.open("wb") as handle:
        handle.write(b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nBEGIN:VEVENT\r\nDESCRIPTION:")
        handle.truncate(limits.CALENDAR_COMPONENT * 2)
    with pytest.raises(ImportFormatError) as refused:
        CalendarImporter(now=NOW).read(path, None)
    assert refused.value.problem == "has a line (line 4) longer than any real calendar component (16 MB at most)"


def test_the_same_words_twice_in_a_minute_are_two_messages_counted_within_two_days(tmp_path: Path) -> None:
    """Repeats are counted over the last two days of the chat (memory holds days of a chat, not a decade): a
    line dated weeks back, the same minute and words as an earlier one, gets that one's id."""
    lines = ["01/01/2024, 10:00 - Ana: ok", "01/01/2024, 10:00 - Ana: ok", "20/01/2024, 10:00 - Ana: ok"]
    lines += ["01/01/2024, 10:00 - Ana: ok"]  # a clock set back weeks: counted afresh
    found = list(WhatsAppImporter().read(_chat(tmp_path / "WhatsApp Chat with Ana.txt", lines), None))
    assert [o.source_id.rsplit(":", 1)[1] for o in found if isinstance(o, Observation)] == ["1", "2", "1", "1"]


def test_an_alarm_with_a_uid_of_its_own_does_not_split_a_series(tmp_path: Path) -> None:
    alarm = "BEGIN:VALARM\r\nUID:alarm-1@x\r\nACTION:DISPLAY\r\nTRIGGER:-PT10M\r\nEND:VALARM\r\n"
    master = _event("weekly@x", "20250106T090000", "RRULE:FREQ=WEEKLY;COUNT=2\r\n").replace(
        "BEGIN:VEVENT\r\n", "BEGIN:VEVENT\r\n" + alarm, 1
    )
    override = _event("weekly@x", "20250113T150000", "RECURRENCE-ID;TZID=Custom/Berlin:20250113T090000\r\n")
    path = tmp_path / "work.ics"
    singles = "".join(_event(f"single-{n}@x", "20240101T100000") for n in range(BATCH_EVENTS))
    path.write_text("BEGIN:VCALENDAR\r\nVERSION:2.0\r\n" + ZONE + master + singles + override + "END:VCALENDAR\r\n")
    found = [o for o in CalendarImporter(now=NOW).read(path, None) if isinstance(o, Observation)]
    assert sorted(o.occurred_at for o in found if o.metadata["uid"] == "weekly@x") == [
        datetime(2025, 1, 6, 8, tzinfo=UTC),
        datetime(2025, 1, 13, 14, tzinfo=UTC),
    ]
