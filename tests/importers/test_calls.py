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
    assert (summary.interactions, summary.skipped, summary.people_created) == (3, 1, 2)
    assert "call record 4 has no date or no number" in summary.errors[0]
    phone = {"call_type": "phone", "country": "us", "service": "com.apple.Telephony"}
    assert calls(workspace) == [
        ("2024-02-01T09:30:00Z", "out", {"duration": 313, "answered": True, "missed": False, **phone},
         "+14155550111", None, "Ana Okafor", "to"),
        ("2024-02-02T18:00:00Z", "in", {"duration": 0, "answered": False, "missed": True, **phone},
         "+14155550111", None, None, "from"),
        ("2024-02-03T20:15:00Z", "in",
         {"duration": 60, "answered": True, "missed": False, "call_type": "facetime_audio", "country": "us",
          "service": "com.apple.FaceTime"},
         None, "ben@example.com", None, "from"),
    ]  # fmt: skip
    # The national and the international forms of Ana's number are one person.
    ana = workspace.conn.execute("SELECT interaction_count FROM people WHERE canonical_name = 'Ana Okafor'").fetchone()
    assert ana[0] == 2
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
    assert (summary.interactions, summary.skipped) == (5, 1)
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
