"""Hostile and absurd files: refused in one sentence before anything is stored, or imported in bounds."""

from __future__ import annotations

import json
import zipfile
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from kithkin.api.app import create_app
from kithkin.cli import app
from kithkin.importers import get_importer, limits, recurrence, sniff_source
from kithkin.importers.calendar import FUTURE_DAYS, CalendarImporter
from kithkin.ingest import import_paths
from kithkin.models import ImportFormatError

NOW = datetime(2025, 6, 1, tzinfo=UTC)


def _event(rule: str, uid: str = "series@x", day: str = "20250101") -> str:
    return (
        "BEGIN:VEVENT\r\n"
        f"UID:{uid}\r\nDTSTART:{day}T090000Z\r\nDTEND:{day}T093000Z\r\n{rule}\r\n"
        "SUMMARY:Standup\r\nORGANIZER;CN=Ana Silva:mailto:ana@x.org\r\n"
        "ATTENDEE;CN=Bob Jones;PARTSTAT=ACCEPTED:mailto:bob@y.org\r\n"
        "END:VEVENT\r\n"
    )


def _calendar(tmp_path: Path, *events: str) -> Path:
    path = tmp_path / "hostile.ics"
    path.write_text("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//x//x//EN\r\n" + "".join(events) + "END:VCALENDAR\r\n")
    return path


def _meetings(path: Path) -> list:
    return list(CalendarImporter(now=NOW).read(path, None))


@pytest.mark.parametrize(
    ("rule", "note"),
    [
        ("RRULE:FREQ=SECONDLY", "repeats secondly, more often than any meeting; kept as one series, not expanded"),
        (
            "RRULE:FREQ=MINUTELY;INTERVAL=1",
            "repeats minutely, more often than any meeting; kept as one series, not expanded",
        ),
        ("RRULE:FREQ=HOURLY", "repeats hourly, more often than any meeting; kept as one series, not expanded"),
        (
            "RRULE:FREQ=DAILY;BYHOUR=9,10;BYMINUTE=0,30",
            "repeats 4 times a day, more often than any meeting; kept as one series, not expanded",
        ),
    ],
)
def test_a_rule_more_frequent_than_daily_is_one_series_with_a_note(tmp_path, rule, note):
    (meeting,) = _meetings(_calendar(tmp_path, _event(rule)))
    assert meeting.source_id == "series@x"
    assert meeting.occurred_at == datetime(2025, 1, 1, 9, tzinfo=UTC)
    assert meeting.metadata["recurrence_not_expanded"] == note
    assert meeting.metadata["recurring"] is True


def _uids(found: list) -> dict[str, int]:
    return {
        uid: sum(1 for m in found if m.metadata["uid"] == uid) for uid in sorted({m.metadata["uid"] for m in found})
    }


def test_a_daily_series_is_expanded_and_one_past_the_cap_is_kept_whole(tmp_path):
    # A file is read over its whole history, endless series up to a year after NOW.
    last = (NOW + timedelta(days=FUTURE_DAYS)).date()
    path = _calendar(
        tmp_path,
        _event("RRULE:FREQ=DAILY"),
        _event("RRULE:FREQ=DAILY", uid="since2005@x", day="20050103"),
        _event("RRULE:FREQ=WEEKLY", uid="weekly2005@x", day="20050103"),
    )
    found = _meetings(path)
    assert _uids(found) == {
        "series@x": (last - date(2025, 1, 1)).days + 1,
        "since2005@x": 1,  # 7,800 occurrences: past the cap of a series
        "weekly2005@x": (last - date(2005, 1, 3)).days // 7 + 1,
    }
    (kept,) = [m for m in found if m.metadata["uid"] == "since2005@x"]
    assert kept.occurred_at == datetime(2005, 1, 3, 9, tzinfo=UTC)
    assert kept.metadata["recurrence_not_expanded"] == (
        f"repeats more than {recurrence.MAX_OCCURRENCES:,} times; kept as one series, not expanded"
    )
    assert not any("recurrence_not_expanded" in m.metadata for m in found if m.metadata["uid"] != "since2005@x")


def test_series_past_the_calendars_total_are_kept_whole(tmp_path, monkeypatch):
    monkeypatch.setattr(recurrence, "MAX_TOTAL", 1_000)  # three daily series of 517 occurrences each
    path = _calendar(tmp_path, *(_event("RRULE:FREQ=DAILY", uid=f"s{n}@x") for n in range(3)))
    found = _meetings(path)
    assert _uids(found) == {"s0@x": 517, "s1@x": 1, "s2@x": 1}
    assert {m.metadata.get("recurrence_not_expanded") for m in found if m.metadata["uid"] != "s0@x"} == {
        "would take the calendar past 1,000 occurrences; kept as one series, not expanded"
    }


def test_the_secondly_calendar_imports_through_the_cli_as_one_meeting(home, tmp_path):
    result = CliRunner().invoke(
        app,
        ["import", "calendar", str(_calendar(tmp_path, _event("RRULE:FREQ=SECONDLY"))), "--home", str(home), "--json"],
    )
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout)["interactions"] == 1


def _sparse(path: Path, head: bytes, size: int) -> Path:
    """A file of `size` bytes that costs no disk: its head, then a hole."""
    with path.open("wb") as handle:
        handle.write(head)
        handle.truncate(size)
    return path


@pytest.mark.parametrize(
    ("source", "name", "head", "limit", "what"),
    [
        ("contacts", "all.vcf", b"BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Ana\r\n", limits.STREAMED_FILE, "vCard file"),
        ("whatsapp", "WhatsApp Chat.txt", b"12/01/2024, 10:00 - Ana: hi\n", limits.STREAMED_FILE, "WhatsApp chat"),
        ("linkedin", "Connections.csv", b"First Name,Last Name,URL\n", limits.STREAMED_FILE, "LinkedIn CSV"),
        ("calendar", "big.ics", b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\n", limits.STREAMED_FILE, "calendar"),
        ("granola", "cache-v3.json", b'{"cache": "{}"}', limits.JSON_FILE, "Granola cache"),
    ],
)
def test_a_file_larger_than_any_real_export_is_refused_before_it_is_read(
    workspace, tmp_path, source, name, head, limit, what
):
    path = _sparse(tmp_path / name, head, limit + 1)
    with pytest.raises(ImportFormatError) as refused:
        import_paths(workspace, source, [path])
    assert refused.value.problem == (
        f"is {(limit + 1) / limits.MB:,.0f} MB, larger than any real "
        f"{what} "
        f"({limit / limits.MB:,.0f} MB at most); check that it is the right file"
    )
    assert workspace.conn.execute("SELECT COUNT(*) FROM source_entities").fetchone()[0] == 0


def _linkedin_bomb(tmp_path: Path) -> Path:
    path = tmp_path / "Basic_LinkedInDataExport.zip"
    row = b"Ana,Silva,https://www.linkedin.com/in/ana,,Acme,Engineer,12 Mar 2024\n"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive, archive.open("Connections.csv", "w") as member:
        member.write(b"First Name,Last Name,URL,Email Address,Company,Position,Connected On\n")
        for _ in range(40):
            member.write(row * 2000)
    return path


def test_a_linkedin_zip_bomb_is_refused_by_its_ratio_with_exit_1(home, tmp_path):
    bomb = _linkedin_bomb(tmp_path)
    with zipfile.ZipFile(bomb) as archive:
        member = archive.getinfo("Connections.csv")
    assert member.file_size > limits.ZIP_RATIO * member.compress_size + limits.MB
    result = CliRunner().invoke(app, ["import", "linkedin", str(bomb), "--home", str(home), "--json"])
    assert result.exit_code == 1
    assert result.stdout == ""
    assert f"Connections.csv unpacks to {member.file_size / limits.MB:,.0f} MB from 0 MB (a zip bomb?)" in result.stderr
    assert "Traceback" not in result.stderr


def test_granola_json_nested_200000_deep_is_refused_in_one_sentence(workspace, tmp_path):
    path = tmp_path / "cache-v3.json"
    path.write_text('{"cache": ' + "[" * 200_000 + "]" * 200_000 + "}")
    with pytest.raises(ImportFormatError) as refused:
        import_paths(workspace, "granola", [path])
    assert refused.value.problem == "it nests deeper than any real export (hundreds of levels); it was not read"


def test_a_mail_with_a_header_block_over_the_limit_is_skipped_and_the_next_imported(workspace, tmp_path):
    huge = b"X-Junk: " + b"a" * 200 + b"\n"
    path = tmp_path / "hostile.mbox"
    path.write_bytes(
        b"From ana@x.org Thu Jan  2 10:00:00 2025\nFrom: Ana <ana@x.org>\nTo: me@example.org\nSubject: hi\n"
        + huge * (limits.MAIL_HEADER // len(huge) + 1)
        + b"\nbody\n"
        b"From bob@y.org Thu Jan  2 11:00:00 2025\nFrom: Bob <bob@y.org>\nTo: me@example.org\nSubject: yo\n"
        b"Date: Thu, 2 Jan 2025 11:00:00 +0000\nMessage-ID: <b@y.org>\n\nhello\n"
    )
    summary = import_paths(workspace, "mail", [path])
    assert (summary.interactions, summary.skipped) == (1, 1)
    end = path.stat().st_size - len(path.read_bytes().split(b"From bob@y.org", 1)[1]) - len(b"From bob@y.org")
    header_over = "has a header block over 1 MB, larger than any real mail; skipped"
    assert summary.errors == [f"hostile.mbox: the message before byte {end:,} {header_over}"]


def test_uploads_of_a_zip_bomb_and_of_deep_json_are_422_and_store_nothing(workspace, tmp_path):
    deep = ('{"cache": ' + '{"a":' * 100_000 + "1" + "}" * 100_000 + "}").encode()
    with TestClient(create_app(workspace=workspace)) as client:
        for source, name, data in (
            ("linkedin", "export.zip", _linkedin_bomb(tmp_path).read_bytes()),
            ("granola", "cache-v3.json", deep),
        ):
            response = client.post("/api/crm/sources/import", data={"source": source}, files=[("files", (name, data))])
            assert response.status_code == 422, response.text
            assert response.json()["detail"].startswith(f"{name}: ")
        assert list((workspace.home / "uploads").iterdir()) == []
    assert workspace.conn.execute("SELECT COUNT(*) FROM interactions").fetchone()[0] == 0


def test_sniffing_a_far_too_large_file_finds_no_source_instead_of_failing(tmp_path):
    path = _sparse(tmp_path / "Connections.csv", b"First Name,Last Name,URL\n", limits.STREAMED_FILE + 1)
    with pytest.raises(ImportFormatError):
        get_importer("linkedin").sniff(path)
    assert sniff_source(path) is None


def test_an_unreadable_rule_is_left_to_the_expansion_to_report(tmp_path):
    path = _calendar(tmp_path, _event("RRULE:FREQ=NOT_A_FREQUENCY"))
    (problem,) = _meetings(path)
    assert str(problem).startswith("calendar event series@x has a recurrence that cannot be read")
