"""Calls end to end: a real CallHistory.storedata (Core Data SQLite) and an Android calls.xml."""

from __future__ import annotations

import json
import sqlite3
from datetime import UTC, datetime
from pathlib import Path

import pytest
from typer.testing import CliRunner

from kithkin.cli import app
from kithkin.demo.calls import write as write_demo_calls
from kithkin.demo.cast import make_cast
from kithkin.importers import sniff_source
from kithkin.importers.calls import CallsImporter
from kithkin.ingest import import_paths
from kithkin.models import ImportFormatError
from kithkin.store import sources
from kithkin.workspace import Workspace

APPLE_EPOCH = datetime(2001, 1, 1, tzinfo=UTC)

# ZCALLRECORD as iOS 16 / macOS 13 create it, with Core Data's bookkeeping tables.
CALL_HISTORY_SCHEMA = """
CREATE TABLE Z_PRIMARYKEY (Z_ENT INTEGER PRIMARY KEY, Z_NAME VARCHAR, Z_SUPER INTEGER, Z_MAX INTEGER);
CREATE TABLE Z_METADATA (Z_VERSION INTEGER PRIMARY KEY, Z_UUID VARCHAR(255), Z_PLIST BLOB);
CREATE TABLE Z_MODELCACHE (Z_CONTENT BLOB);
CREATE TABLE ZCALLRECORD (Z_PK INTEGER PRIMARY KEY, Z_ENT INTEGER, Z_OPT INTEGER, ZANSWERED INTEGER,
    ZCALL_CATEGORY INTEGER, ZCALLTYPE INTEGER, ZDISCONNECTED_CAUSE INTEGER, ZFACE_TIME_DATA INTEGER,
    ZHANDLE_TYPE INTEGER, ZNUMBER_AVAILABILITY INTEGER, ZORIGINATED INTEGER, ZREAD INTEGER,
    ZJUNKCONFIDENCE INTEGER, ZJUNKIDENTIFICATIONCATEGORY INTEGER, ZVERIFICATIONSTATUS INTEGER,
    ZDATE TIMESTAMP, ZDURATION FLOAT, ZADDRESS VARCHAR, ZDEVICE_ID VARCHAR, ZISO_COUNTRY_CODE VARCHAR,
    ZLOCATION VARCHAR, ZNAME VARCHAR, ZSERVICE_PROVIDER VARCHAR, ZUNIQUE_ID VARCHAR, ZPARTICIPANTGROUPUUID VARCHAR);
CREATE INDEX ZCALLRECORD_ZDATE_INDEX ON ZCALLRECORD (ZDATE);
INSERT INTO Z_PRIMARYKEY VALUES (1, 'CallRecord', 0, 0), (2, 'Handle', 0, 0);
"""
# An older layout: no ZNAME, ZSERVICE_PROVIDER nor ZCALLTYPE.
OLD_SCHEMA = """
CREATE TABLE Z_PRIMARYKEY (Z_ENT INTEGER PRIMARY KEY, Z_NAME VARCHAR, Z_SUPER INTEGER, Z_MAX INTEGER);
CREATE TABLE ZCALLRECORD (Z_PK INTEGER PRIMARY KEY, Z_ENT INTEGER, Z_OPT INTEGER, ZANSWERED INTEGER,
    ZORIGINATED INTEGER, ZDATE TIMESTAMP, ZDURATION FLOAT, ZADDRESS VARCHAR, ZUNIQUE_ID VARCHAR);
"""


def apple_seconds(moment: datetime) -> float:
    return (moment - APPLE_EPOCH).total_seconds()


def call_history(path: Path, rows: list[dict], schema: str = CALL_HISTORY_SCHEMA) -> Path:
    conn = sqlite3.connect(path)
    conn.executescript(schema)
    columns = {r[1] for r in conn.execute("PRAGMA table_info(ZCALLRECORD)")}
    for number, row in enumerate(rows, 1):
        values = {"Z_PK": number, "Z_ENT": 1, "Z_OPT": 1, **row}
        values = {k: v for k, v in values.items() if k in columns}
        marks = ", ".join("?" * len(values))
        conn.execute(f"INSERT INTO ZCALLRECORD ({', '.join(values)}) VALUES ({marks})", list(values.values()))
    conn.commit()
    conn.close()
    return path


def record(when: datetime, address: str | bytes | None, **fields: object) -> dict:
    return {
        "ZDATE": apple_seconds(when),
        "ZADDRESS": address,
        "ZUNIQUE_ID": f"UID-{when.timestamp():.0f}",
        "ZDURATION": 0.0,
        "ZORIGINATED": 0,
        "ZANSWERED": 0,
        "ZCALLTYPE": 1,
        "ZISO_COUNTRY_CODE": "us",
        "ZSERVICE_PROVIDER": "com.apple.Telephony",
        **fields,
    }


def calls(ws: Workspace) -> list[tuple]:
    rows = ws.conn.execute(
        "SELECT i.occurred_at, i.direction, i.metadata, e.observed_phone, e.observed_email, e.observed_name, p.role"
        " FROM interactions i JOIN interaction_participants p ON p.interaction_id = i.id"
        " JOIN source_entities e ON e.id = p.source_entity_id WHERE i.source_type = 'calls' ORDER BY i.occurred_at"
    )
    return [(r[0], r[1], json.loads(r[2]), r[3], r[4], r[5], r[6]) for r in rows]


def test_call_history_directions_outcomes_and_numbers(tmp_path: Path, workspace: Workspace) -> None:
    path = call_history(
        tmp_path / "CallHistory.storedata",
        [
            record(datetime(2024, 2, 1, 9, 30, tzinfo=UTC), "(415) 555-0111", ZORIGINATED=1, ZANSWERED=1,
                   ZDURATION=312.6, ZNAME="Ana Okafor"),
            record(datetime(2024, 2, 2, 18, 0, tzinfo=UTC), b"+14155550111", ZANSWERED=0),
            record(datetime(2024, 2, 3, 20, 15, tzinfo=UTC), "ben@example.com", ZANSWERED=1, ZDURATION=60.0,
                   ZCALLTYPE=16, ZSERVICE_PROVIDER="com.apple.FaceTime"),
            record(datetime(2024, 2, 4, 8, 0, tzinfo=UTC), "", ZANSWERED=1),  # a multi-party call: no address
        ],
    )  # fmt: skip
    summary = import_paths(workspace, "calls", [path])
    assert (summary.interactions, summary.skipped, summary.people_created, summary.errors) == (3, 0, 2, [])
    assert summary.details == {
        "calls": 3,
        "calls_left_out": {"withheld or private number": 1},  # the multi-party call has no one to store
        "generic_caller_ids": 0,
        "caller_id_hints": 1,
    }
    phone = {"call_type": "phone", "country": "us", "service": "com.apple.Telephony"}
    assert calls(workspace) == [
        ("2024-02-01T09:30:00Z", "out",
         {"duration": 313, "answered": True, "missed": False, "caller_id": "Ana Okafor", **phone},
         "+14155550111", None, None, "to"),
        ("2024-02-02T18:00:00Z", "in", {"duration": 0, "answered": False, "missed": True, **phone},
         "+14155550111", None, None, "from"),
        ("2024-02-03T20:15:00Z", "in",
         {"duration": 60, "answered": True, "missed": False, "call_type": "facetime_audio", "country": "us",
          "service": "com.apple.FaceTime"},
         None, "ben@example.com", None, "from"),
    ]  # fmt: skip
    # The national and the international forms of Ana's number are one person; the carrier's name for the
    # number is a caller-ID hint on it, not its name.
    ana = workspace.conn.execute(
        "SELECT p.canonical_name, p.interaction_count, e.metadata FROM people p"
        " JOIN source_entities e ON e.canonical_person_id = p.id WHERE p.phone_numbers LIKE '%+14155550111%'"
        " ORDER BY e.source_id"
    ).fetchall()
    assert [(r[0], r[1], json.loads(r[2] or "{}")) for r in ana] == [
        ("+14155550111", 2, {"caller_id": "Ana Okafor"}),  # seen as (415) 555-0111
        ("+14155550111", 2, {}),  # seen as +14155550111
    ]
    assert sources.get_cursor(workspace.conn, "calls", f"|{path.resolve()}") == "4"
    assert import_paths(workspace, "calls", [path]).interactions == 0


def test_older_call_history_without_optional_columns(tmp_path: Path, workspace: Workspace) -> None:
    path = call_history(
        tmp_path / "CallHistory.storedata",
        [record(datetime(2015, 6, 1, 12, tzinfo=UTC), "+442071838750", ZORIGINATED=1, ZANSWERED=1, ZDURATION=5.0)],
        schema=OLD_SCHEMA,
    )
    importer = CallsImporter()
    [call] = list(importer.read(path, None))
    assert call.metadata == {"duration": 5, "answered": True, "missed": False, "call_type": "phone"}  # type: ignore[union-attr]
    assert call.participants[0].phones == ("+442071838750",)  # type: ignore[union-attr]
    assert importer.cursor() == "1" and importer.total == 1


ANDROID = """<?xml version='1.0' encoding='UTF-8' standalone='yes' ?>
<?xml-stylesheet type="text/xsl" href="calls.xsl"?>
<calls count="6" backup_set="b1" backup_date="1714550400000" type="full">
  <call number="+14155550122" duration="125" date="1714550400000" type="1" presentation="1"
        readable_date="May 1, 2024 8:00:00 AM" contact_name="Chloé García" />
  <call number="(415) 555-0122" duration="0" date="1714554000000" type="2" presentation="1" contact_name="null" />
  <call number="4155550133" duration="0" date="1714557600000" type="3" presentation="1" contact_name="(Unknown)" />
  <call number="4155550133" duration="0" date="1714561200000" type="4" presentation="1" />
  <call number="" duration="0" date="1714564800000" type="1" presentation="2" contact_name="" />
  <call number="4155550144" duration="30" date="1714568400000" type="7" presentation="1" contact_name="Dee" />
</calls>
"""


def test_android_calls_xml(tmp_path: Path, workspace: Workspace) -> None:
    path = tmp_path / "calls-20240501.xml"
    path.write_text(ANDROID, encoding="utf-8")
    assert sniff_source(path) == "calls"
    summary = import_paths(workspace, "calls", [path])
    assert (summary.interactions, summary.skipped, summary.errors) == (5, 0, [])
    assert summary.details["calls_left_out"] == {"withheld or private number": 1}
    got = [(c[0], c[1], c[2]["outcome"], c[2]["answered"], c[2]["missed"], c[3], c[5], c[6]) for c in calls(workspace)]
    assert got == [
        ("2024-05-01T08:00:00Z", "in", "answered", True, False, "+14155550122", "Chloé García", "from"),
        ("2024-05-01T09:00:00Z", "out", "not_answered", False, False, "+14155550122", None, "to"),
        ("2024-05-01T10:00:00Z", "in", "missed", False, True, "+14155550133", None, "from"),
        ("2024-05-01T11:00:00Z", "in", "voicemail", False, True, "+14155550133", None, "from"),
        ("2024-05-01T13:00:00Z", "in", "answered_elsewhere", True, False, "+14155550144", "Dee", "from"),
    ]
    assert import_paths(workspace, "calls", [path]).interactions == 0
    # Both written forms of Chloé's number are one person, named from the call that carried her name.
    chloe = workspace.conn.execute("SELECT canonical_name, interaction_count FROM people WHERE phone_numbers LIKE ?",
                                   ('%+14155550122%',)).fetchall()  # fmt: skip
    assert [tuple(r) for r in chloe] == [("Chloé García", 2)]


def test_broken_or_foreign_files_are_refused_whole(tmp_path: Path, workspace: Workspace) -> None:
    truncated = tmp_path / "calls.xml"
    truncated.write_text(ANDROID[: ANDROID.index('<call number=""')], encoding="utf-8")
    with pytest.raises(ImportFormatError, match=r"calls\.xml: is not readable XML"):
        import_paths(workspace, "calls", [truncated])
    sms = tmp_path / "sms.xml"
    sms.write_text('<?xml version="1.0"?><smses count="0"></smses>', encoding="utf-8")
    with pytest.raises(ImportFormatError, match=r"has <smses> at its root; expected <calls>"):
        import_paths(workspace, "calls", [sms])
    bomb = tmp_path / "bomb.xml"
    bomb.write_text('<?xml version="1.0"?><!DOCTYPE calls [<!ENTITY a "aaaa">]><calls>&a;</calls>', encoding="utf-8")
    with pytest.raises(ImportFormatError, match="is not readable XML"):
        import_paths(workspace, "calls", [bomb])
    other = tmp_path / "other.sqlite"
    sqlite3.connect(other).executescript("CREATE TABLE ZOTHER (Z_PK INTEGER PRIMARY KEY);")
    with pytest.raises(ImportFormatError, match="expected the table ZCALLRECORD"):
        import_paths(workspace, "calls", [other])
    assert workspace.conn.execute("SELECT COUNT(*) FROM interactions").fetchone()[0] == 0
    assert workspace.conn.execute("SELECT COUNT(*) FROM source_entities").fetchone()[0] == 0


def test_demo_calls_import_through_the_cli(tmp_path: Path, home: Path) -> None:
    cast = make_cast(40, now=datetime(2024, 6, 1, tzinfo=UTC))
    [path] = write_demo_calls(cast, tmp_path)
    expected = path.read_text(encoding="utf-8").count("<call ")
    result = CliRunner().invoke(app, ["import", "calls", str(path), "--home", str(home), "--json"])
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    assert (summary["source"], summary["interactions"], summary["skipped"]) == ("calls", expected, 0)
    assert expected > 0


def people_rows(ws: Workspace) -> list[tuple]:
    rows = ws.conn.execute("SELECT canonical_name, phone_numbers FROM people ORDER BY canonical_name")
    return [(r[0], json.loads(r[1])) for r in rows]


def test_carrier_caller_id_labels_name_no_one_and_link_nothing(tmp_path: Path, workspace: Workspace) -> None:
    day = datetime(2024, 3, 1, 12, tzinfo=UTC)
    labelled = [
        ("+12065550101", "WIRELESS CALLER"),
        ("+12065550102", "WIRELESS CALLER"),
        ("+12065550103", "WIRELESS CALLER"),
        ("+12065550104", "Spam Risk"),
        ("+12065550105", "Spam Risk"),
        ("+12065550106", "SEATTLE WA"),
        ("+12065550107", "V123456789"),
        ("+12065550108", "Scam Likely"),
        ("+12065550109", "TELEMARKETER"),
        ("+12065550110", "JONES ROBERT"),
        ("+12065550111", "JONES ROBERT"),
        ("+12065550112", "BEAMAN,JENNIFER"),
        ("+12065550113", "SCHEUELING AUGU"),
    ]
    rows = [
        record(day.replace(minute=i), number, ZNAME=label, ZUNIQUE_ID=f"U{i}")
        for i, (number, label) in enumerate(labelled)
    ]
    path = call_history(tmp_path / "CallHistory.storedata", rows)
    summary = import_paths(workspace, "calls", [path])
    assert (summary.interactions, summary.people_created, summary.links_auto, summary.links_pending) == (13, 13, 0, 0)
    assert (summary.details["generic_caller_ids"], summary.details["caller_id_hints"]) == (9, 4)
    # Every number is its own person, known by the number: no label became a name.
    assert people_rows(workspace) == [(number, [number]) for number, _ in labelled]
    hints = workspace.conn.execute(
        "SELECT observed_phone, observed_name, metadata FROM source_entities WHERE metadata IS NOT NULL"
        " ORDER BY observed_phone"
    ).fetchall()
    assert [tuple(r) for r in hints] == [
        ("+12065550110", None, '{"caller_id": "JONES ROBERT"}'),
        ("+12065550111", None, '{"caller_id": "JONES ROBERT"}'),
        ("+12065550112", None, '{"caller_id": "BEAMAN,JENNIFER"}'),
        ("+12065550113", None, '{"caller_id": "SCHEUELING AUGU"}'),
    ]
    # The label still says something about the call itself ("Spam Risk").
    spam = workspace.conn.execute("SELECT metadata FROM interactions WHERE source_id = 'U3'").fetchone()[0]
    assert json.loads(spam)["caller_id"] == "Spam Risk"


def test_withheld_numbers_and_service_codes_are_no_one(tmp_path: Path, workspace: Workspace) -> None:
    day = datetime(2024, 3, 2, 9, tzinfo=UTC)
    numbers = ["-1", "-2", "", "Unknown", "*69", "*86", "#31#+14155550123", "+14155550123"]
    rows = [record(day.replace(minute=i), number, ZUNIQUE_ID=f"W{i}") for i, number in enumerate(numbers)]
    path = call_history(tmp_path / "CallHistory.storedata", rows)
    summary = import_paths(workspace, "calls", [path])
    assert (summary.interactions, summary.skipped, summary.errors) == (1, 0, [])
    assert summary.details["calls"] == 1
    assert summary.details["calls_left_out"] == {"withheld or private number": 4, "service code": 3}
    assert people_rows(workspace) == [("+14155550123", ["+14155550123"])]


def test_an_outgoing_ios_call_with_a_duration_was_answered(tmp_path: Path) -> None:
    when = datetime(2024, 3, 3, 18, tzinfo=UTC)
    path = call_history(
        tmp_path / "CallHistory.storedata",
        [
            record(when, "+14155550123", ZORIGINATED=1, ZANSWERED=0, ZDURATION=159.0),
            record(when.replace(hour=19), "+14155550123", ZORIGINATED=1, ZANSWERED=0, ZDURATION=0.0),
        ],
    )
    answered = [(c.direction, c.metadata["answered"], c.metadata["missed"]) for c in CallsImporter().read(path, None)]  # type: ignore[union-attr]
    assert answered == [("out", True, False), ("out", False, False)]


def test_a_voip_apps_own_contact_name_is_a_name(tmp_path: Path, workspace: Workspace) -> None:
    path = call_history(
        tmp_path / "CallHistory.storedata",
        [
            record(datetime(2024, 3, 4, 8, tzinfo=UTC), "+4915112345678", ZCALLTYPE=0, ZNAME="Jana Becker",
                   ZSERVICE_PROVIDER="net.whatsapp.WhatsApp", ZANSWERED=1, ZDURATION=42.0),
            record(datetime(2024, 3, 4, 9, tzinfo=UTC), "+4915112345679", ZCALLTYPE=16, ZNAME="Tom Becker",
                   ZSERVICE_PROVIDER="com.apple.FaceTime", ZANSWERED=1, ZDURATION=42.0),
        ],
    )  # fmt: skip
    import_paths(workspace, "calls", [path])
    assert people_rows(workspace) == [("+4915112345679", ["+4915112345679"]), ("Jana Becker", ["+4915112345678"])]


ANDROID_LABELS = """<?xml version='1.0' encoding='UTF-8' standalone='yes' ?>
<calls count="9">
  <call number="+12065550101" duration="0" date="1714550400000" type="3" presentation="1"
        contact_name="WIRELESS CALLER" />
  <call number="+12065550102" duration="12" date="1714550460000" type="1" presentation="1"
        contact_name="Wireless Caller" />
  <call number="+12065550110" duration="30" date="1714550520000" type="1" presentation="1"
        contact_name="JONES ROBERT" />
  <call number="+12065550120" duration="65" date="1714550580000" type="2" presentation="1"
        contact_name="Chloé García" />
  <call number="-2" duration="0" date="1714550640000" type="3" presentation="2"
        contact_name="(Unknown)" />
  <call number="+12065550130" duration="0" date="1714550700000" type="3" presentation="3" />
  <call number="*86" duration="20" date="1714550760000" type="2" presentation="1"
        contact_name="Voicemail" />
  <call number="+12065550140" duration="5" date="1714550820000" type="1" presentation="1"
        cached_name="Spam Risk" />
  <call number="+12065550150" duration="95" date="1714550880000" type="1" presentation="1"
        contact_name="Mom Cell" />
</calls>
"""  # fmt: skip


def test_android_carrier_labels_withheld_numbers_and_service_codes(tmp_path: Path, workspace: Workspace) -> None:
    path = tmp_path / "calls.xml"
    path.write_text(ANDROID_LABELS, encoding="utf-8")
    summary = import_paths(workspace, "calls", [path])
    assert (summary.interactions, summary.skipped, summary.links_auto, summary.links_pending) == (6, 0, 0, 0)
    assert summary.details == {
        "calls": 6,
        "calls_left_out": {"withheld or private number": 2, "service code": 1},
        "generic_caller_ids": 3,
        "caller_id_hints": 1,
    }
    assert people_rows(workspace) == [
        ("+12065550101", ["+12065550101"]),
        ("+12065550102", ["+12065550102"]),
        ("+12065550110", ["+12065550110"]),
        ("+12065550140", ["+12065550140"]),
        ("Chloé García", ["+12065550120"]),
        ("Mom Cell", ["+12065550150"]),  # typed by the user: a "Cell" in it is no carrier's verdict
    ]
