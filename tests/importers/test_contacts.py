"""Contacts end to end: vCard files of every version and the macOS Contacts database (abcddb)."""

from __future__ import annotations

import base64
import json
import sqlite3
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest
from typer.testing import CliRunner

from kithkin.cli import app
from kithkin.config import LiveSource
from kithkin.demo.cast import make_cast
from kithkin.demo.contacts import write as write_demo_contacts
from kithkin.demo.imessage import ChatDb
from kithkin.importers import sniff_source
from kithkin.importers.contacts import ContactsImporter
from kithkin.ingest import import_paths
from kithkin.models import ImportFormatError, KithkinError
from kithkin.sync import sync_source
from kithkin.workspace import Workspace

JPEG = bytes.fromhex("ffd8ffe000104a46494600010100000100010000ffdb004300") + bytes(range(60)) + b"\xff\xd9"
JPEG_B64 = base64.b64encode(JPEG).decode()


def folded(line: str, width: int = 40) -> str:
    """Fold a content line the RFC way (CRLF and one space), at an awkward width."""
    return "\r\n ".join(line[i : i + width] for i in range(0, len(line), width))


VCARD_30 = (
    "BEGIN:VCARD\r\nVERSION:3.0\r\nPRODID:-//Apple Inc.//macOS 14.4//EN\r\n"
    "N:García;José;Luis;;\r\nFN:José Luis García\r\n"
    "ORG:Acme\\, Inc.;Research & Development\r\nTITLE:Head of Things\\; Stuff\r\n"
    + folded("EMAIL;type=INTERNET;type=WORK;type=pref:jose.garcia@acme.example")
    + "\r\nitem1.EMAIL;type=INTERNET:jl@garcia-family.example\r\nitem1.X-ABLabel:_$!<Other>!$_\r\n"
    "TEL;type=CELL;type=VOICE;type=pref:(415) 555-0101\r\nTEL;type=WORK;type=VOICE:+1 415 555 0102\r\n"
    "BDAY;value=date:1990-02-03\r\n"
    + folded(f"PHOTO;ENCODING=b;TYPE=JPEG:{JPEG_B64}", 60)
    + "\r\nX-SOCIALPROFILE;type=linkedin:https://www.linkedin.com/in/joseluisgarcia\r\n"
    "NOTE:Climbing partner\\, met at the gym.\\nLikes sushi.\r\nUID:0A1B2C3D-0000-4000-8000-000000000001\r\n"
    "REV:2024-03-01T10:00:00Z\r\nEND:VCARD\r\n"
)
VCARD_21 = (
    "BEGIN:VCARD\r\nVERSION:2.1\r\n"
    "N;CHARSET=UTF-8;ENCODING=QUOTED-PRINTABLE:M=C3=BCller;J=C3=BCrgen;;;\r\n"
    "FN;CHARSET=UTF-8;ENCODING=QUOTED-PRINTABLE:J=C3=BCrgen M=C3=BC=\r\nller\r\n"  # a soft line break
    "TEL;CELL;PREF:+49 30 1234567\r\nTEL;HOME:030 7654321\r\nEMAIL;INTERNET:juergen@example.de\r\n"
    "END:VCARD\r\n"
)
VCARD_40 = (
    "BEGIN:VCARD\nVERSION:4.0\nFN:Kim Lee\nN:Lee;Kim;;;\nNICKNAME:Kimmy,KL\nBDAY:--0415\n"
    f"PHOTO:data:image/jpeg;base64,{JPEG_B64}\n"
    'TEL;VALUE=uri;TYPE="voice,home";PREF=2:tel:+1-202-555-0199;ext=12\n'
    "TEL;VALUE=uri;TYPE=cell;PREF=1:tel:+1-202-555-0188\nEMAIL:kim@lee.example\nEND:VCARD\n"
)


def cards(ws: Workspace) -> dict[str, dict]:
    rows = ws.conn.execute(
        "SELECT e.id, e.source_id, e.observed_name, e.observed_email, e.observed_phone, e.metadata"
        " FROM source_entities e WHERE e.source_type = 'contacts'"
    )
    found = {}
    for row in rows:
        identifiers = ws.conn.execute(
            # emails and phones; the resolution keys (name, birthday, address) are tested in tests/identity
            "SELECT kind, value FROM entity_identifiers WHERE source_entity_id = ? AND kind IN ('email', 'phone')"
            " ORDER BY kind, value",
            (row[0],),
        ).fetchall()
        found[row[2]] = {
            "source_id": row[1],
            "email": row[3],
            "phone": row[4],
            "metadata": json.loads(row[5]) if row[5] else {},
            "identifiers": [tuple(i) for i in identifiers],
        }
    return found


def test_the_real_vcard_40_file(workspace: Workspace, realdata: Path) -> None:
    path = realdata / "contacts" / "vcard40_full.vcf"
    assert sniff_source(path) == "contacts"
    summary = import_paths(workspace, "contacts", [path])
    assert (summary.source_entities, summary.people_created, summary.interactions) == (1, 1, 0)
    john = cards(workspace)["Dr. John Q. Public, III"]
    assert john["source_id"] == "urn:uuid:f81d4fae-7dec-11d0-a765-00a0c91e6bf6"
    # PREF=1 first; its numbers use the fictional 555 area code: not valid in libphonenumber's metadata, but
    # written with their country code they are possible numbers, kept and matched (issue 21).
    assert (john["email"], john["phone"]) == ("johnny@personal.example.org", "+15555555555")
    assert john["identifiers"] == [
        ("email", "john.public@example.com"),
        ("email", "johnny@personal.example.org"),
        ("phone", "+15551234567"),
        ("phone", "+15555555555"),
    ]
    meta = john["metadata"]
    assert {k: meta[k] for k in ("company", "department", "position", "birthday", "nickname")} == {
        "company": "Example Corp.",
        "department": "North Division, Marketing",
        "position": "CEO",
        "birthday": "1985-04-15",
        "nickname": "Johnny, JQP",
    }
    assert meta["note"] == "This is a note about John.\nHe likes vCards."
    assert meta["phone_types"] == {"+1-555-555-5555": ["voice"], "+1-555-123-4567": ["cell"]}
    assert meta["email_types"] == {"john.public@example.com": ["work"], "johnny@personal.example.org": ["home"]}
    assert "avatar" not in meta  # its PHOTO is a link: nothing is fetched
    person = workspace.conn.execute("SELECT canonical_name, company, position FROM people").fetchone()
    assert tuple(person) == ("Dr. John Q. Public, III", "Example Corp.", "CEO")


def test_vcards_of_every_version_with_folding_and_encodings(tmp_path: Path, workspace: Workspace) -> None:
    path = tmp_path / "export.vcf"
    path.write_bytes(("\ufeff" + VCARD_30 + VCARD_21 + VCARD_40).encode("utf-8"))
    summary = import_paths(workspace, "contacts", [path])
    assert (summary.source_entities, summary.skipped) == (3, 0)
    found = cards(workspace)
    jose = found["José Luis García"]
    assert (jose["email"], jose["phone"]) == ("jose.garcia@acme.example", "+14155550101")
    assert jose["identifiers"] == [
        ("email", "jl@garcia-family.example"),
        ("email", "jose.garcia@acme.example"),
        ("phone", "+14155550101"),
        ("phone", "+14155550102"),
    ]
    assert jose["metadata"]["company"] == "Acme, Inc."
    assert jose["metadata"]["department"] == "Research & Development"
    assert jose["metadata"]["position"] == "Head of Things; Stuff"
    assert jose["metadata"]["avatar"] == f"data:image/jpeg;base64,{JPEG_B64}"
    assert jose["metadata"]["linkedin_url"] == "https://www.linkedin.com/in/joseluisgarcia"
    assert jose["metadata"]["note"] == "Climbing partner, met at the gym.\nLikes sushi."
    assert jose["metadata"]["email_types"] == {
        "jose.garcia@acme.example": ["work"],
        "jl@garcia-family.example": ["other"],  # Apple's item1.X-ABLabel
    }
    assert jose["metadata"]["phone_types"] == {
        "(415) 555-0101": ["cell", "voice"],
        "+1 415 555 0102": ["work", "voice"],
    }
    jurgen = found["Jürgen Müller"]
    assert jurgen["identifiers"] == [("email", "juergen@example.de"), ("phone", "+49301234567")]
    assert jurgen["metadata"]["phone_types"] == {"+49 30 1234567": ["cell"], "030 7654321": ["home"]}
    kim = found["Kim Lee"]
    assert kim["phone"] == "+12025550188"  # PREF=1 comes first
    assert kim["metadata"]["birthday"] == "--04-15"
    assert kim["metadata"]["nickname"] == "Kimmy, KL"
    assert kim["metadata"]["avatar"] == f"data:image/jpeg;base64,{JPEG_B64}"
    avatar = workspace.conn.execute("SELECT avatar FROM people WHERE canonical_name = 'Kim Lee'").fetchone()[0]
    assert avatar == f"data:image/jpeg;base64,{JPEG_B64}"
    observed = workspace.conn.execute("SELECT observed_at FROM source_entities WHERE observed_name LIKE 'José%'")
    assert observed.fetchone()[0] == "2024-03-01T10:00:00Z"  # from REV

    again = import_paths(workspace, "contacts", [path])
    assert (again.source_entities, again.people_created) == (0, 0)


def test_an_edited_card_updates_its_entity(tmp_path: Path, workspace: Workspace) -> None:
    path = tmp_path / "one.vcf"
    path.write_text(VCARD_40, encoding="utf-8")
    import_paths(workspace, "contacts", [path])
    path.write_text(VCARD_40.replace("NICKNAME:Kimmy,KL\n", "TITLE:Architect\nORG:Bluefin\n"), encoding="utf-8")
    import_paths(workspace, "contacts", [path])
    kim = cards(workspace)["Kim Lee"]
    assert (kim["metadata"]["position"], kim["metadata"]["company"]) == ("Architect", "Bluefin")
    assert workspace.conn.execute("SELECT company FROM people").fetchone()[0] == "Bluefin"


def test_a_card_joins_what_its_email_and_phone_were_seen_as(tmp_path: Path, workspace: Workspace) -> None:
    chat_db = tmp_path / "chat.db"
    db = ChatDb(chat_db)
    by_phone = db.chat(["+14155550101"])
    db.message(by_phone, "+14155550101", datetime(2024, 1, 5, tzinfo=UTC), "hi from my phone")
    db.close()
    import_paths(workspace, "imessage", [chat_db])
    card = tmp_path / "jose.vcf"
    card.write_text(VCARD_30, encoding="utf-8")
    summary = import_paths(workspace, "contacts", [card])
    assert (summary.links_auto, summary.people_created) == (1, 0)

    db = ChatDb(tmp_path / "mail-handle.db")
    by_mail = db.chat(["jl@garcia-family.example"])
    db.message(by_mail, "jl@garcia-family.example", datetime(2024, 1, 6, tzinfo=UTC), "and from my mail")
    db.close()
    later = import_paths(workspace, "imessage", [tmp_path / "mail-handle.db"])
    assert (later.links_auto, later.people_created) == (1, 0)
    people = workspace.conn.execute("SELECT canonical_name, interaction_count FROM people").fetchall()
    assert [tuple(p) for p in people] == [("José Luis García", 2)]


def test_a_cut_card_is_skipped_and_foreign_files_refused(tmp_path: Path, workspace: Workspace) -> None:
    cut = tmp_path / "cut.vcf"
    # A soft line break written inside an escape ("=C3=" then "BC"): joined back, the name reads "Müller".
    bad_qp = "BEGIN:VCARD\r\nVERSION:2.1\r\nFN;CHARSET=UTF-8;ENCODING=QUOTED-PRINTABLE:M=C3=\r\nBCller\r\nEND:VCARD\r\n"
    cut.write_text(VCARD_21 + bad_qp + VCARD_40[:60], encoding="utf-8")
    summary = import_paths(workspace, "contacts", [cut])
    assert (summary.source_entities, summary.skipped) == (2, 1)
    assert "Müller" in cards(workspace)
    assert summary.errors == [f"{cut}: the last card has no END:VCARD (the file is cut short); skipped"]
    assert summary.details["repaired"] == {"properties broken in an escape": 1}

    folder = tmp_path / "export"
    folder.mkdir()
    (folder / "a.vcf").write_text(VCARD_30, encoding="utf-8")
    (folder / "b.vcf").write_text("Name,Phone\nJo,555\n", encoding="utf-8")
    with pytest.raises(ImportFormatError, match=r"b\.vcf: holds no vCard"):
        import_paths(workspace, "contacts", [folder])
    corrupt = tmp_path / "AddressBook-v22.abcddb"
    corrupt.write_bytes(b"SQLite format 3\x00" + b"\x00" * 500)
    with pytest.raises(ImportFormatError, match="is not an SQLite database"):
        import_paths(workspace, "contacts", [corrupt])
    assert workspace.conn.execute("SELECT COUNT(*) FROM source_entities").fetchone()[0] == 2  # Jürgen and Müller


# --- macOS Contacts database ----------------------------------------------------------------------

ABCD_SCHEMA = """
CREATE TABLE Z_PRIMARYKEY (Z_ENT INTEGER PRIMARY KEY, Z_NAME VARCHAR, Z_SUPER INTEGER, Z_MAX INTEGER);
CREATE TABLE Z_METADATA (Z_VERSION INTEGER PRIMARY KEY, Z_UUID VARCHAR(255), Z_PLIST BLOB);
CREATE TABLE ZABCDRECORD (Z_PK INTEGER PRIMARY KEY, Z_ENT INTEGER, Z_OPT INTEGER, ZCONTACTINDEX INTEGER,
    ZDISPLAYFLAGS INTEGER, ZIMAGETYPE INTEGER, ZPRIVACYFLAGS INTEGER, ZSEARCHINDEX INTEGER,
    ZBIRTHDAY TIMESTAMP, ZBIRTHDAYYEAR INTEGER, ZBIRTHDAYYEARLESS TIMESTAMP, ZCREATIONDATE TIMESTAMP,
    ZMODIFICATIONDATE TIMESTAMP, ZDEPARTMENT VARCHAR, ZFIRSTNAME VARCHAR, ZJOBTITLE VARCHAR, ZLASTNAME VARCHAR,
    ZMAIDENNAME VARCHAR, ZMIDDLENAME VARCHAR, ZNAME VARCHAR, ZNICKNAME VARCHAR, ZORGANIZATION VARCHAR,
    ZSORTINGFIRSTNAME VARCHAR, ZSORTINGLASTNAME VARCHAR, ZSUFFIX VARCHAR, ZTITLE VARCHAR, ZUNIQUEID VARCHAR,
    ZIMAGEREFERENCE BLOB, ZTHUMBNAILIMAGEDATA BLOB, ZIMAGEHASH BLOB);
CREATE TABLE ZABCDPHONENUMBER (Z_PK INTEGER PRIMARY KEY, Z_ENT INTEGER, Z_OPT INTEGER, ZISPRIMARY INTEGER,
    ZISPRIVATE INTEGER, ZORDERINGINDEX INTEGER, ZOWNER INTEGER, ZAREACODE VARCHAR, ZCOUNTRYCODE VARCHAR,
    ZEXTENSION VARCHAR, ZFULLNUMBER VARCHAR, ZLABEL VARCHAR, ZLASTFOURDIGITS VARCHAR, ZLOCALNUMBER VARCHAR,
    ZUNIQUEID VARCHAR);
CREATE TABLE ZABCDEMAILADDRESS (Z_PK INTEGER PRIMARY KEY, Z_ENT INTEGER, Z_OPT INTEGER, ZISPRIMARY INTEGER,
    ZISPRIVATE INTEGER, ZORDERINGINDEX INTEGER, ZOWNER INTEGER, ZADDRESS VARCHAR, ZADDRESSNORMALIZED VARCHAR,
    ZLABEL VARCHAR, ZUNIQUEID VARCHAR);
CREATE TABLE ZABCDSOCIALPROFILE (Z_PK INTEGER PRIMARY KEY, Z_ENT INTEGER, Z_OPT INTEGER, ZISPRIMARY INTEGER,
    ZORDERINGINDEX INTEGER, ZOWNER INTEGER, ZLABEL VARCHAR, ZSERVICENAME VARCHAR, ZURLSTRING VARCHAR,
    ZUSERIDENTIFIER VARCHAR, ZUSERNAME VARCHAR, ZUNIQUEID VARCHAR);
CREATE TABLE ZABCDNOTE (Z_PK INTEGER PRIMARY KEY, Z_ENT INTEGER, Z_OPT INTEGER, ZCONTACT INTEGER,
    ZTEXT VARCHAR, ZRICHTEXTDATA BLOB);
"""
APPLE_EPOCH = datetime(2001, 1, 1, tzinfo=UTC)


def abcddb(path: Path, first_entity: int, contacts: list[dict]) -> Path:
    """An AddressBook-v22.abcddb; entity numbers start at `first_entity` (they differ between files)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    conn = sqlite3.connect(path)
    conn.executescript(ABCD_SCHEMA)
    record, contact, group, info = first_entity, first_entity + 1, first_entity + 2, first_entity + 3
    conn.executemany(
        "INSERT INTO Z_PRIMARYKEY VALUES (?, ?, ?, 0)",
        [(record, "ABCDRecord", 0), (contact, "ABCDContact", record), (group, "ABCDGroup", record),
         (info, "ABCDInfo", 0)],
    )  # fmt: skip
    conn.execute("INSERT INTO ZABCDRECORD (Z_PK, Z_ENT, ZNAME, ZUNIQUEID) VALUES (1, ?, 'Pals', 'G:ABGroup')", (group,))
    conn.execute("INSERT INTO ZABCDRECORD (Z_PK, Z_ENT, ZUNIQUEID) VALUES (2, ?, 'INFO:ABInfo')", (info,))
    for pk, card in enumerate(contacts, start=10):
        columns = {"Z_PK": pk, "Z_ENT": contact, "Z_OPT": 1, **card["record"]}
        conn.execute(
            f"INSERT INTO ZABCDRECORD ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})",
            list(columns.values()),
        )
        for order, (number, label, primary) in enumerate(card.get("phones", [])):
            conn.execute(
                "INSERT INTO ZABCDPHONENUMBER (Z_ENT, ZOWNER, ZFULLNUMBER, ZLABEL, ZISPRIMARY, ZORDERINGINDEX)"
                " VALUES (?, ?, ?, ?, ?, ?)",
                (first_entity + 10, pk, number, label, primary, order),
            )
        for order, (address, label, primary) in enumerate(card.get("emails", [])):
            conn.execute(
                "INSERT INTO ZABCDEMAILADDRESS (Z_ENT, ZOWNER, ZADDRESS, ZADDRESSNORMALIZED, ZLABEL, ZISPRIMARY,"
                " ZORDERINGINDEX) VALUES (?, ?, ?, ?, ?, ?, ?)",
                (first_entity + 11, pk, address, address.lower(), label, primary, order),
            )
        for url in card.get("socials", []):
            conn.execute(
                "INSERT INTO ZABCDSOCIALPROFILE (ZOWNER, ZURLSTRING, ZSERVICENAME) VALUES (?, ?, 'LinkedIn')", (pk, url)
            )
        if "note" in card:
            conn.execute("INSERT INTO ZABCDNOTE (ZCONTACT, ZTEXT) VALUES (?, ?)", (pk, card["note"]))
    conn.commit()
    conn.close()
    return path


def seconds(moment: datetime) -> float:
    return (moment - APPLE_EPOCH).total_seconds()


def test_macos_contacts_databases_in_a_folder(tmp_path: Path, workspace: Workspace) -> None:
    root = tmp_path / "AddressBook"
    abcddb(
        root / "AddressBook-v22.abcddb",
        19,
        [{"record": {"ZFIRSTNAME": "Local", "ZLASTNAME": "Only", "ZUNIQUEID": "L1:ABPerson",
                     "ZMODIFICATIONDATE": seconds(datetime(2023, 1, 2, tzinfo=UTC))},
          "phones": [("+1 (415) 555-0177", "_$!<Mobile>!$_", 1)]}],
    )  # fmt: skip
    abcddb(
        root / "Sources" / "5E0C1F2A-1111-4222-8333-944455556666" / "AddressBook-v22.abcddb",
        31,
        [
            {
                "record": {
                    "ZFIRSTNAME": "Ana", "ZLASTNAME": "Okafor", "ZORGANIZATION": "Northwind Labs",
                    "ZJOBTITLE": "Engineer", "ZDEPARTMENT": "Platform", "ZNICKNAME": "Annie",
                    "ZUNIQUEID": "A1B2:ABPerson", "ZBIRTHDAY": seconds(datetime(1988, 7, 9, 12, tzinfo=UTC)),
                    "ZCREATIONDATE": seconds(datetime(2020, 5, 1, tzinfo=UTC)),
                    "ZMODIFICATIONDATE": seconds(datetime(2024, 2, 3, 4, 5, 6, tzinfo=UTC)),
                    "ZTHUMBNAILIMAGEDATA": b"\x01" + JPEG,
                },
                "phones": [("415.555.0111", "_$!<Work>!$_", 0), ("+1 415 555 0112", "_$!<Mobile>!$_", 1)],
                "emails": [("Ana@Northwind.example", "_$!<Work>!$_", 1), ("ana.o@gmail.com", "custom", 0)],
                "socials": ["https://www.linkedin.com/in/anaokafor"],
                "note": "Met at PyCon",
            },
            {"record": {"ZORGANIZATION": "Harbor Health", "ZUNIQUEID": "C9:ABPerson",
                        "ZBIRTHDAY": seconds(datetime(1604, 12, 24, 12, tzinfo=UTC))},
             "phones": [("+1 415 555 0199", "_$!<Main>!$_", 1)]},
        ],
    )  # fmt: skip
    assert sniff_source(root) == "contacts"
    summary = import_paths(workspace, "contacts", [root])
    assert (summary.source_entities, summary.people_created, summary.skipped) == (3, 3, 0)
    found = cards(workspace)
    assert set(found) == {"Local Only", "Ana Okafor", "Harbor Health"}  # no group, no ABCDInfo record
    ana = found["Ana Okafor"]
    assert ana["source_id"] == "A1B2:ABPerson"
    assert (ana["email"], ana["phone"]) == ("ana@northwind.example", "+14155550112")  # primaries first
    assert ana["identifiers"] == [
        ("email", "ana@northwind.example"),
        ("email", "anao@gmail.com"),
        ("phone", "+14155550111"),
        ("phone", "+14155550112"),
    ]
    assert ana["metadata"] == {
        "company": "Northwind Labs",
        "department": "Platform",
        "position": "Engineer",
        "nickname": "Annie",
        "birthday": "1988-07-09",
        "avatar": f"data:image/jpeg;base64,{JPEG_B64}",
        "note": "Met at PyCon",
        "linkedin_url": "https://www.linkedin.com/in/anaokafor",
        "phone_types": {"415.555.0111": ["work"], "+1 415 555 0112": ["mobile"]},
        "email_types": {"Ana@Northwind.example": ["work"], "ana.o@gmail.com": ["custom"]},
    }
    assert found["Harbor Health"]["metadata"]["birthday"] == "--12-24"
    observed = workspace.conn.execute("SELECT observed_at FROM source_entities WHERE source_id = 'A1B2:ABPerson'")
    assert observed.fetchone()[0] == "2024-02-03T04:05:06Z"
    person = workspace.conn.execute(
        "SELECT company, position, linkedin_url FROM people WHERE canonical_name = 'Ana Okafor'"
    ).fetchone()
    assert tuple(person) == ("Northwind Labs", "Engineer", "https://www.linkedin.com/in/anaokafor")


def test_a_foreign_sqlite_file_is_not_a_contacts_database(tmp_path: Path, workspace: Workspace) -> None:
    other = tmp_path / "Other.abcddb"
    sqlite3.connect(other).executescript("CREATE TABLE ZSOMETHING (Z_PK INTEGER PRIMARY KEY);")
    with pytest.raises(ImportFormatError, match="is not a macOS Contacts database"):
        import_paths(workspace, "contacts", [other])
    assert not ContactsImporter().sniff(other)


def test_demo_contacts_import_through_the_cli(tmp_path: Path, home: Path) -> None:
    [path] = write_demo_contacts(make_cast(60), tmp_path)
    expected = path.read_text(encoding="utf-8").count("BEGIN:VCARD")
    result = CliRunner().invoke(app, ["import", "contacts", str(path), "--home", str(home), "--json"])
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    assert (summary["source"], summary["source_entities"], summary["skipped"]) == ("contacts", expected, 0)
    assert summary["people_created"] == expected


def test_live_macos_contacts_say_plainly_they_need_macos(home: Path) -> None:
    if sys.platform == "darwin":
        pytest.skip("this checks the message shown on other systems; see test_live_macos_contacts_read_cards")
    with Workspace.open(home) as workspace, pytest.raises(KithkinError, match="needs macOS"):
        sync_source(workspace, LiveSource(type="contacts", account="mac"))


@pytest.mark.skipif(sys.platform != "darwin", reason="the Contacts framework exists only on macOS")
def test_live_macos_contacts_read_cards(home: Path) -> None:
    from kithkin.importers import contacts_macos

    if not contacts_macos.available():
        pytest.skip("pyobjc-framework-Contacts is not installed (pip install 'kithkin[macos]')")
    with Workspace.open(home) as workspace:
        summary = sync_source(workspace, LiveSource(type="contacts", account="mac"))
        count = workspace.conn.execute("SELECT COUNT(*) FROM source_entities WHERE source_type = 'contacts'")
        assert summary.source_entities == count.fetchone()[0]
        assert summary.interactions == 0


# An Android phone's vCard 2.1 export: long QUOTED-PRINTABLE values are broken over lines, and some breaks
# fall inside an escape, with a soft line break ("=C3=" + "BC") or without one ("=E7=9" + "5=8C").
ANDROID_21 = (
    "BEGIN:VCARD\r\nVERSION:2.1\r\n"
    "N;CHARSET=UTF-8;ENCODING=QUOTED-PRINTABLE:=E7=8E=8B;=E8=8A=B3;;;\r\n"
    "FN;CHARSET=UTF-8;ENCODING=QUOTED-PRINTABLE:=E7=8E=8B=E8=8A=\r\nB3\r\n"
    "TEL;CELL:+86 139 1099 8888\r\nEMAIL;HOME:wangfang@post.example\r\n"
    "NOTE;CHARSET=UTF-8;ENCODING=QUOTED-PRINTABLE:=E4=BD=A0=E5=A5=BD=E4=B8=96=E7=9\r\n5=8C\r\n"
    "END:VCARD\r\n"
    "BEGIN:VCARD\r\nVERSION:2.1\r\n"
    "N:Okafor;Ngozi;;;\r\nFN:Ngozi Okafor\r\n"
    "TEL;CELL:+1 415 555 0123\r\nTEL;WORK:(111) 555-0100\r\nEMAIL;HOME:ngozi@okafor.example\r\n"
    # cut inside a character: the last three bytes of a four-byte sequence never came
    "NOTE;CHARSET=UTF-8;ENCODING=QUOTED-PRINTABLE:Met at the =E2=80=9Cconference=E2=80=9D =F0=\r\n=9F\r\n"
    "END:VCARD\r\n"
)


def test_an_android_card_broken_mid_escape_keeps_its_name_email_and_phone(tmp_path: Path, workspace: Workspace) -> None:
    path = tmp_path / "contacts.vcf"
    path.write_bytes(ANDROID_21.encode("ascii"))

    summary = import_paths(workspace, "contacts", [path])

    assert (summary.source_entities, summary.skipped, summary.errors) == (2, 0, [])
    found = cards(workspace)
    assert found["王芳"]["metadata"]["note"] == "你好世界"
    assert found["王芳"]["identifiers"] == [("email", "wangfang@post.example"), ("phone", "+8613910998888")]
    ngozi = found["Ngozi Okafor"]
    assert ngozi["identifiers"] == [("email", "ngozi@okafor.example"), ("phone", "+14155550123")]
    assert "note" not in ngozi["metadata"]
    # Area code 111 does not exist: the number is kept as the card gave it, never matched on.
    assert ngozi["metadata"]["unvalidated_phones"] == ["(111) 555-0100"]
    assert summary.details == {
        "read": {"cards": 2},
        "repaired": {"properties broken in an escape": 2},
        "imported": {"cards": 2},
        "left_out": {"unreadable properties": 1},
        "dropped_properties": ["contacts.vcf: Ngozi Okafor: NOTE"],
        "kept_as_observed": {"phone numbers that do not validate": 1},
    }
