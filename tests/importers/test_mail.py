"""mbox import end to end: real mbox files through the importer, ingest and the store."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from kithkin.cli import app
from kithkin.importers.mail import MboxImporter
from kithkin.ingest import import_paths
from kithkin.models import ImportFormatError, KithkinError
from kithkin.workspace import Workspace


def message(headers: str, body: str = "Hello there.\n", envelope: str = "Thu Jan 02 10:00:00 +0000 2025") -> bytes:
    text = f"From 1790000000000000000@xxx {envelope}\n{headers.strip()}\n\n{body}\n"
    return text.encode("utf-8")


def write_mbox(path: Path, *messages: bytes) -> Path:
    path.write_bytes(b"".join(messages))
    return path


def entities(ws: Workspace) -> dict[str, str | None]:
    rows = ws.conn.execute("SELECT observed_email, observed_name FROM source_entities WHERE source_type = 'mail'")
    return {row[0]: row[1] for row in rows}


def interactions(ws: Workspace) -> list[dict]:
    rows = ws.conn.execute(
        "SELECT source_id, account, direction, thread_id, title, snippet, occurred_at, participant_count"
        " FROM interactions WHERE source_type = 'mail' ORDER BY occurred_at, source_id"
    )
    return [dict(row) for row in rows]


def roles(ws: Workspace, source_id: str) -> dict[str, str]:
    rows = ws.conn.execute(
        "SELECT e.observed_email, p.role FROM interaction_participants p"
        " JOIN interactions i ON i.id = p.interaction_id JOIN source_entities e ON e.id = p.source_entity_id"
        " WHERE i.source_id = ?",
        (source_id,),
    )
    return {row[0]: row[1] for row in rows}


def test_display_names_in_every_real_form(tmp_path: Path, workspace: Workspace) -> None:
    raw_utf8 = "From: Zoë Lindqvist <zoe@lindqvist.example>\n".encode()
    path = write_mbox(
        tmp_path / "names.mbox",
        message(
            'From: "Smith, Robert" <robert.smith@acme.example>\n'
            "To: =?UTF-8?Q?Jos=C3=A9_Garc=C3=ADa?= <Jose@Garcia.example>, bare@plain.example,\n"
            " <angle@plain.example>, 'Single Quoted' <single@plain.example>\n"
            "Cc: =?ISO-8859-1?B?Suhy9G1l?= <jerome@fr.example>, undisclosed-recipients:;\n"
            "Reply-To: Robert Smith <bob@home.example>\n"
            "Subject: =?UTF-8?B?UsOpdW5pb24gZGUgbHVuZGk=?=\n"
            "Date: Thu, 02 Jan 2025 10:00:00 +0100\n"
            "Message-ID: <m1@acme.example>\n"
        ),
        # Undeclared 8-bit UTF-8 in a header, as old clients send it.
        b"From 1790000000000000001@xxx Fri Jan 03 09:00:00 +0000 2025\n"
        + raw_utf8
        + b"To: me@example.org\nDate: Fri, 03 Jan 2025 09:00:00 +0000\nMessage-ID: <m2@x>\n\nHi\n",
    )

    summary = import_paths(workspace, "mail", [path])

    assert (summary.interactions, summary.skipped) == (2, 0)
    assert entities(workspace) == {
        "robert.smith@acme.example": "Smith, Robert",
        "jose@garcia.example": "José García",
        "bare@plain.example": None,
        "angle@plain.example": None,
        "single@plain.example": "Single Quoted",
        "jerome@fr.example": "Jèrôme",
        "bob@home.example": "Robert Smith",
        "zoe@lindqvist.example": "Zoë Lindqvist",
        "me@example.org": None,
    }
    assert roles(workspace, "m1@acme.example") == {
        "robert.smith@acme.example": "from",
        "jose@garcia.example": "to",
        "bare@plain.example": "to",
        "angle@plain.example": "to",
        "single@plain.example": "to",
        "jerome@fr.example": "cc",
        "bob@home.example": "participant",
    }
    first = interactions(workspace)[0]
    assert (first["title"], first["occurred_at"]) == ("Réunion de lundi", "2025-01-02T09:00:00Z")


def test_encoded_words_with_a_garbled_charset_keep_their_raw_text(tmp_path: Path, workspace: Workspace) -> None:
    # Found by the long fuzz run: a charset name that is not ASCII made the email package raise CharsetError.
    path = write_mbox(
        tmp_path / "garbled.mbox",
        b"From 1790000000000000001@xxx Fri Jan 03 09:00:00 +0000 2025\n"
        b"From: =?\xc3\xbc?Q?Ana?= <ana@x.example>\nTo: me@example.org\nSubject: =?\xc3\xbc?Q?Plans?=\n"
        b"Date: Fri, 03 Jan 2025 09:00:00 +0000\nMessage-ID: <g1@x>\n\nHi\n",
    )

    summary = import_paths(workspace, "mail", [path])

    assert (summary.interactions, summary.skipped) == (1, 0)
    assert entities(workspace)["ana@x.example"] == "=?ü?Q?Ana?="
    assert interactions(workspace)[0]["title"] == "=?ü?Q?Plans?="


def test_threads_direction_and_snippets(tmp_path: Path, workspace: Workspace) -> None:
    path = write_mbox(
        tmp_path / "threads.mbox",
        message(
            "From: Ana Okafor <ana@northwind.example>\nTo: me@example.org\nSubject: Plan\n"
            "Date: Mon, 06 Jan 2025 09:00:00 +0000\nMessage-ID: <root@northwind.example>\n",
            "Shall we meet on Tuesday?\n\n-- \nAna\nNorthwind\n",
        ),
        message(
            "From: Owner Person <ME@example.org>\nTo: Ana Okafor <ana@northwind.example>\nSubject: Re: Plan\n"
            "Date: Mon, 06 Jan 2025 10:00:00 +0000\nMessage-ID: <reply@example.org>\n"
            "In-Reply-To: <root@northwind.example>\nReferences: <root@northwind.example>\n",
            # Gmail wraps a long "On ... wrote:" line.
            "Tuesday works.\n\nOn Mon, 6 Jan 2025 at 09:00, Ana Okafor <\nana@northwind.example> wrote:\n"
            "> Shall we meet on Tuesday?\n",
        ),
        message(
            "From: Ana Okafor <ana@northwind.example>\nTo: me@example.org\nSubject: Re: Plan\n"
            "Date: Mon, 06 Jan 2025 11:00:00 +0000\nMessage-ID: <third@northwind.example>\n"
            "In-Reply-To: <reply@example.org>\nReferences: <root@northwind.example> <reply@example.org>\n"
            "MIME-Version: 1.0\nContent-Type: text/html; charset=utf-8\n",
            "<html><body><p>See you <b>Tuesday</b> &amp; bring the deck.</p></body></html>",
        ),
        message(
            "From: Ben Smith <ben@gmail.com>\nTo: me@example.org\nSubject: Photos\n"
            "Date: Tue, 07 Jan 2025 08:00:00 +0000\nMessage-ID: <photos@gmail.com>\n"
            "X-GM-THRID: 1820000000000000001\nX-Gmail-Labels: Inbox,Important,Category Personal\n",
        ),
    )

    import_paths(workspace, "mail", [path])

    rows = interactions(workspace)
    assert [(r["source_id"], r["direction"], r["thread_id"], r["snippet"]) for r in rows] == [
        ("root@northwind.example", "in", "root@northwind.example", "Shall we meet on Tuesday?"),
        ("reply@example.org", "out", "root@northwind.example", "Tuesday works."),
        ("third@northwind.example", "in", "root@northwind.example", "See you Tuesday & bring the deck."),
        ("photos@gmail.com", "in", "1820000000000000001", "Hello there."),
    ]


def test_lists_robots_and_spam_are_kept_out_of_people(tmp_path: Path, workspace: Workspace) -> None:
    person = message(
        "From: Kemi Nakamura <kemi@bluefin.example>\nTo: me@example.org, Liam Ross <liam@bluefin.example>\n"
        "Subject: Lunch\nDate: Wed, 08 Jan 2025 12:00:00 +0000\nMessage-ID: <lunch@bluefin.example>\n"
    )
    path = write_mbox(
        tmp_path / "all.mbox",
        person,
        message(
            "From: Dev List <dev@lists.example>\nTo: dev@lists.example\nList-Id: <dev.lists.example>\n"
            "Subject: [dev] release\nDate: Wed, 08 Jan 2025 13:00:00 +0000\nMessage-ID: <l1@lists.example>\n"
        ),
        message(
            "From: Shop <news@shop.example>\nTo: me@example.org\nPrecedence: bulk\n"
            "Date: Wed, 08 Jan 2025 14:00:00 +0000\nMessage-ID: <b1@shop.example>\n"
        ),
        message(
            "From: Vacation <kemi.alt@bluefin.example>\nTo: me@example.org\nAuto-Submitted: auto-replied\n"
            "Date: Wed, 08 Jan 2025 15:00:00 +0000\nMessage-ID: <a1@bluefin.example>\n"
        ),
        message(
            "From: Acme Billing <no-reply@billing.acme.example>\nTo: me@example.org\n"
            "Date: Wed, 08 Jan 2025 16:00:00 +0000\nMessage-ID: <n1@acme.example>\n"
        ),
        message(
            "From: Prize <winner@spam.example>\nTo: me@example.org\nX-Gmail-Labels: Spam,Unread\n"
            "Date: Wed, 08 Jan 2025 17:00:00 +0000\nMessage-ID: <s1@spam.example>\n"
        ),
    )

    plain = MboxImporter()
    summary = import_paths(workspace, "mail", [path], importer=plain)

    assert (summary.interactions, summary.skipped, plain.left_out) == (1, 0, 5)
    assert set(entities(workspace)) == {"kemi@bluefin.example", "me@example.org", "liam@bluefin.example"}
    assert summary.details == {
        "read": {"messages": 6},
        "imported": {"emails": 1},
        "left_out": {
            "mailing list": 1,
            "precedence bulk": 1,
            "auto-submitted": 1,
            "no-reply sender": 1,
            "spam": 1,
        },
    }

    importer = MboxImporter(include_automated=True)
    kept = [o for o in importer.read(path, None) if not isinstance(o, Exception)]
    assert [o.metadata.get("automated") for o in kept] == [
        None,
        "mailing list",
        "precedence bulk",
        "auto-submitted",
        "no-reply sender",
    ]


def test_accounts_are_kept_side_by_side(tmp_path: Path, workspace: Workspace) -> None:
    shared = message(
        "From: Ana Okafor <ana@northwind.example>\nTo: me@example.org\n"
        "Date: Mon, 06 Jan 2025 09:00:00 +0000\nMessage-ID: <same@northwind.example>\n"
    )
    work = write_mbox(tmp_path / "work.mbox", shared)
    personal = write_mbox(tmp_path / "personal.mbox", shared)

    import_paths(workspace, "mail", [work], account="work")
    import_paths(workspace, "mail", [personal], account="personal")

    assert [(r["source_id"], r["account"]) for r in interactions(workspace)] == [
        ("personal:same@northwind.example", "personal"),
        ("work:same@northwind.example", "work"),
    ]


def test_reimport_adds_nothing_and_a_grown_mbox_adds_only_the_new_mail(tmp_path: Path, workspace: Workspace) -> None:
    first = message(
        "From: Ana Okafor <ana@northwind.example>\nTo: me@example.org\n"
        "Date: Mon, 06 Jan 2025 09:00:00 +0000\nMessage-ID: <one@northwind.example>\n"
    )
    second = message(
        "From: Ana Okafor <ana@northwind.example>\nTo: me@example.org\n"
        "Date: Tue, 07 Jan 2025 09:00:00 +0000\nMessage-ID: <two@northwind.example>\n"
    )
    path = write_mbox(tmp_path / "grow.mbox", first)
    assert import_paths(workspace, "mail", [path]).interactions == 1
    assert import_paths(workspace, "mail", [path]).interactions == 0

    path.write_bytes(first + second)
    importer = MboxImporter()
    summary = import_paths(workspace, "mail", [path], importer=importer)

    assert (summary.interactions, importer.total) == (1, 1)
    assert [r["source_id"] for r in interactions(workspace)] == ["one@northwind.example", "two@northwind.example"]


def test_a_message_without_date_uses_the_envelope_and_one_without_addresses_is_skipped(
    tmp_path: Path, workspace: Workspace
) -> None:
    path = write_mbox(
        tmp_path / "odd.mbox",
        message("From: Ana <ana@northwind.example>\nTo: me@example.org\nMessage-ID: <nodate@x>\n"),
        message("Subject: nobody\nDate: Mon, 06 Jan 2025 09:00:00 +0000\nMessage-ID: <nobody@x>\n"),
    )

    summary = import_paths(workspace, "mail", [path])

    assert (summary.interactions, summary.skipped) == (1, 1)
    assert summary.errors == ["message nobody@x has no sender or recipient address"]
    assert interactions(workspace)[0]["occurred_at"] == "2025-01-02T10:00:00Z"


@pytest.mark.parametrize(
    ("content", "problem"),
    [
        (b"BEGIN:VCALENDAR\nVERSION:2.0\nEND:VCALENDAR\n", "is not an mbox file"),
        (b"From x@y Thu Jan 02 10:00:00 2025\n\x00\x01\x02\xff binary", "looks corrupt"),
        (b"From x@y Thu Jan 02 10:00:00 2025\nnot a header line\n\nbody\n", "looks corrupt"),
    ],
)
def test_wrong_files_are_refused_and_nothing_is_written(
    tmp_path: Path, workspace: Workspace, content: bytes, problem: str
) -> None:
    path = tmp_path / "wrong.mbox"
    path.write_bytes(content)

    with pytest.raises(ImportFormatError, match=problem):
        import_paths(workspace, "mail", [path])

    assert workspace.conn.execute("SELECT COUNT(*) FROM interactions").fetchone()[0] == 0
    assert workspace.conn.execute("SELECT COUNT(*) FROM source_entities").fetchone()[0] == 0
    assert isinstance(ImportFormatError(path, problem), KithkinError)


def test_cli_imports_an_mbox_with_an_account_label(tmp_path: Path, home: Path) -> None:
    path = write_mbox(
        tmp_path / "cli.mbox",
        message(
            "From: Ana Okafor <ana@northwind.example>\nTo: me@example.org, ben@gmail.com\n"
            "Date: Mon, 06 Jan 2025 09:00:00 +0000\nMessage-ID: <cli@northwind.example>\n"
        ),
    )

    result = CliRunner().invoke(app, ["import", "mail", str(path), "--account", "work", "--home", str(home), "--json"])

    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert (data["source"], data["files"], data["interactions"], data["source_entities"]) == ("mail", 1, 1, 3)


def test_cli_refuses_a_non_mbox_in_one_sentence(tmp_path: Path, home: Path) -> None:
    path = tmp_path / "notes.txt"
    path.write_text("just some notes\n", encoding="utf-8")

    result = CliRunner().invoke(app, ["import", "mail", str(path), "--home", str(home), "--json"])

    assert result.exit_code == 1
    assert "is not an mbox file" in result.stderr


def test_the_demo_mbox_imports_with_lists_and_robots_left_out(tmp_path: Path, workspace: Workspace) -> None:
    from kithkin.demo import mail as demo_mail
    from kithkin.demo.cast import make_cast

    cast = make_cast(80)
    paths = demo_mail.write(cast, tmp_path)

    summary = import_paths(workspace, "mail", paths)

    assert summary.interactions > 50
    assert summary.skipped == 0
    addresses = set(entities(workspace))
    assert not any("lists." in a or a.startswith("no-reply@") for a in addresses)
    assert {cast.owner["email"], cast.owner["personal_email"]} <= addresses


def test_a_folder_of_mboxes_and_apple_mail_bundles_is_read_file_by_file(tmp_path: Path, workspace: Workspace) -> None:
    folder = tmp_path / "Takeout" / "Mail"
    (folder / "Archive.mbox").mkdir(parents=True)  # Apple Mail: a bundle folder holding a file named mbox
    write_mbox(
        folder / "Archive.mbox" / "mbox",
        message(
            "From: Ana Okafor <ana@northwind.example>\nTo: me@example.org\n"
            "Date: Mon, 06 Jan 2025 09:00:00 +0000\nMessage-ID: <apple@northwind.example>\n"
        ),
    )
    (folder / "Archive.mbox" / "Info.plist").write_text("<plist/>", encoding="utf-8")
    inbox = write_mbox(
        folder / "Inbox.mbox",
        message(
            "From: Ben Smith <ben@gmail.com>\nTo: me@example.org\n"
            "Date: Tue, 07 Jan 2025 09:00:00 +0000\nMessage-ID: <inbox@gmail.com>\n",
            # An unescaped body line starting with "From " (mboxo) stays in its message.
            body="See you then.\n\nFrom the team, thanks!\n",
        ),
    )

    first = import_paths(workspace, "mail", [tmp_path / "Takeout"])

    assert (first.interactions, first.skipped) == (2, 0)
    assert [r["snippet"] for r in interactions(workspace)] == ["Hello there.", "See you then. From the team, thanks!"]

    inbox.write_bytes(
        inbox.read_bytes()
        + message(
            "From: Ben Smith <ben@gmail.com>\nTo: me@example.org\n"
            "Date: Wed, 08 Jan 2025 09:00:00 +0000\nMessage-ID: <later@gmail.com>\n"
        )
    )
    importer = MboxImporter()
    second = import_paths(workspace, "mail", [tmp_path / "Takeout"], importer=importer)

    assert (second.interactions, importer.total) == (1, 1)


def test_a_folder_without_mbox_files_is_refused(tmp_path: Path, workspace: Workspace) -> None:
    (tmp_path / "notes.txt").write_text("hello", encoding="utf-8")

    with pytest.raises(ImportFormatError, match=r"holds no mbox files"):
        import_paths(workspace, "mail", [tmp_path])


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        (
            '"Smith, Robert" <R.Smith@acme.example>, Ben <ben@gmail.com>',
            [("Smith, Robert", "r.smith@acme.example"), ("Ben", "ben@gmail.com")],
        ),
        ("ana@x.example (Ana Okafor)", [("Ana Okafor", "ana@x.example")]),
        ('"Quote \\"Q\\" Person" <q@x.example>', [('Quote "Q" Person', "q@x.example")]),
        ("Team: ana@x.example, ben@x.example;", [(None, "ana@x.example"), (None, "ben@x.example")]),
        ("a@x.example, , b@x.example", [(None, "a@x.example"), (None, "b@x.example")]),
        (
            "John X. Doe <j@x.example>,\n Other <o@x.example>",
            [("John X. Doe", "j@x.example"), ("Other", "o@x.example")],
        ),
        ("=?UTF-8?B?WsO2ZQ==?= <zoe@x.example>", [("Zöe", "zoe@x.example")]),
        ("Not an address", []),
    ],
)
def test_address_lists_in_every_form(header: str, expected: list) -> None:
    from kithkin.importers.mail_headers import addresses, parse_message

    message = parse_message(f"To: {header}\n\nbody\n".encode())

    assert addresses(message, "To") == expected


def test_an_interrupted_mbox_import_resumes_where_the_last_batch_ended(tmp_path: Path, workspace: Workspace) -> None:
    from kithkin.ingest import ingest
    from kithkin.models import ImportSummary

    path = write_mbox(
        tmp_path / "big.mbox",
        *(
            message(
                f"From: Ana Okafor <ana@northwind.example>\nTo: me@example.org\n"
                f"Date: Mon, 06 Jan 2025 09:{n:02d}:00 +0000\nMessage-ID: <n{n}@northwind.example>\n"
            )
            for n in range(7)
        ),
    )
    importer = MboxImporter()

    def dies_after_four(items):
        for count, item in enumerate(items, start=1):
            yield item
            if count == 4:
                raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        ingest(
            workspace,
            importer,
            dies_after_four(importer.read(path, None)),
            ImportSummary(source="mail"),
            cursor_key=("mail", f"|{path.resolve()}"),
            batch_size=3,
        )
    assert len(interactions(workspace)) == 3

    resumed = MboxImporter()
    summary = import_paths(workspace, "mail", [path], importer=resumed)

    assert (resumed.total, summary.interactions) == (4, 4)
    assert [r["source_id"] for r in interactions(workspace)] == [f"n{n}@northwind.example" for n in range(7)]


def test_an_mbox_with_bare_from_separators_imports_every_message(tmp_path: Path, workspace: Workspace) -> None:
    """Some tools separate messages with a bare "From " line, without sender or date; Python's mailbox reads them."""
    import mailbox

    people = ["Ada Byrne", "Tomás Ruiz", "Mei Chen", "Kofi Mensah", "Ines Duarte", "Ravi Patel"]
    chunks = []
    for number in range(42):
        name = people[number % len(people)]
        address = name.split()[0].lower().replace("á", "a") + "@post.example"
        chunks.append(
            f"From \nFrom: {name} <{address}>\nTo: Owner <me@example.org>\nSubject: Note {number}\n"
            f"Date: Mon, {number % 28 + 1:02d} Sep 2024 09:{number:02d}:00 +0200\n"
            f"Message-ID: <n{number}@post.example>\n"
            f"\nNote {number}.\n>From here on the body goes on, escaped.\n\n".encode()
        )
    path = write_mbox(tmp_path / "exported.mbox", *chunks)
    assert len(mailbox.mbox(str(path))) == 42

    summary = import_paths(workspace, "mail", [path])

    assert (summary.interactions, summary.skipped) == (42, 0)
    assert summary.details == {"read": {"messages": 42}, "imported": {"emails": 42}}
    assert len(entities(workspace)) == 7
    assert interactions(workspace)[0]["title"] == "Note 0"
    assert interactions(workspace)[0]["snippet"] == "Note 0. From here on the body goes on, escaped."


def test_single_messages_and_a_maildir_import_whole(tmp_path: Path, workspace: Workspace) -> None:
    # What a mail client writes for "Save as" (.eml, CRLF, Received lines first) and a Maildir's message
    # files (no suffix, in cur/ and new/, beside the server's own index files).
    saved = tmp_path / "Lunch.eml"
    saved.write_bytes(
        b"Return-Path: <ana@northwind.example>\r\nReceived: from mx.example.org by mail.example.org;"
        b" Mon, 06 Jan 2025 09:00:05 +0000\r\nFrom: Ana Okafor <ana@northwind.example>\r\n"
        b"To: me@example.org\r\nSubject: Lunch\r\nDate: Mon, 06 Jan 2025 09:00:00 +0000\r\n"
        b"Message-ID: <lunch@northwind.example>\r\n\r\nFriday?\r\n"
    )
    maildir = tmp_path / "Maildir"
    for sub in ("cur", "new", "tmp"):
        (maildir / sub).mkdir(parents=True)
    (maildir / "dovecot.index.log").write_bytes(b"\x01\x00\x00\x00binary index")
    (maildir / "cur" / "1736154000.M1P2.host,S=300:2,S").write_bytes(
        # No Date header: the topmost Received line says when it arrived. Its body holds raw binary.
        b"Received: (qmail 11769 invoked from network); 7 Jan 2025 08:30:00 -0000\n"
        b"Received: from relay.example by smtp.example; 7 Jan 2025 08:29:00 -0000\n"
        b"From: Ben Smith <ben@gmail.com>\nTo: me@example.org\nSubject: Photos\n"
        b"Message-ID: <photos@gmail.com>\n\nRaw \x00\x01 bytes\n"
    )
    (maildir / "new" / "1736240400.M3P4.host").write_bytes(
        b"From: Shop <no-reply@shop.example>\nTo: me@example.org\nDate: Tue, 07 Jan 2025 09:00:00 +0000\n"
        b"Message-ID: <order@shop.example>\n\nYour order\n"
    )

    summary = import_paths(workspace, "mail", [saved, maildir])

    assert (summary.files, summary.interactions, summary.skipped) == (3, 2, 0)
    assert summary.details["read"] == {"messages": 3}
    assert summary.details["left_out"] == {"no-reply sender": 1}
    assert [(i["source_id"], i["title"], i["occurred_at"]) for i in interactions(workspace)] == [
        ("lunch@northwind.example", "Lunch", "2025-01-06T09:00:00Z"),
        ("photos@gmail.com", "Photos", "2025-01-07T08:30:00Z"),
    ]
    assert summary.details["files_left_out"] == {str(maildir / "dovecot.index.log"): "not a mail file"}
    assert import_paths(workspace, "mail", [saved, maildir]).interactions == 0


def test_an_outlook_msg_file_is_refused_in_one_sentence(tmp_path: Path, workspace: Workspace) -> None:
    path = tmp_path / "Lunch.msg"
    path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504)

    with pytest.raises(ImportFormatError, match=r"is an Outlook \.msg file, which Kithkin cannot read; save the"):
        import_paths(workspace, "mail", [path])


def test_a_thunderbird_profile_folder_reads_its_mailboxes_without_suffix(tmp_path: Path, workspace: Workspace) -> None:
    # Thunderbird keeps each folder as an mbox named like the folder (no suffix), its index beside it
    # (INBOX.msf), subfolders in `INBOX.sbd/`, and envelope lines `From - <date>`.
    server = tmp_path / "ImapMail" / "imap.example.org"
    (server / "INBOX.sbd").mkdir(parents=True)
    (server / "INBOX").write_bytes(
        b"From - Mon Jan  6 09:00:00 2025\nX-Mozilla-Status: 0001\nFrom: Ana Okafor <ana@northwind.example>\n"
        b"To: me@example.org\nDate: Mon, 06 Jan 2025 09:00:00 +0000\nMessage-ID: <a1@northwind.example>\n\nHi\n\n"
    )
    (server / "INBOX.sbd" / "Work").write_bytes(
        b"From - Mon Jan  6 10:00:00 2025\nFrom: Ben Smith <ben@gmail.com>\nTo: me@example.org\n"
        b"Date: Mon, 06 Jan 2025 10:00:00 +0000\nMessage-ID: <b1@gmail.com>\n\nHey\n"
    )
    (server / "INBOX.msf").write_bytes(b"// <!-- <mdb:mork:z v=\"1.4\"/> -->\n< <(a=c)>")
    (server / "Trash").write_bytes(b"")

    summary = import_paths(workspace, "mail", [tmp_path / "ImapMail"])

    assert (summary.files, summary.interactions, summary.skipped) == (2, 2, 0)
    assert summary.details["files_left_out"] == {
        str(server / "INBOX.msf"): "not a mail file",
        str(server / "Trash"): "empty file",
    }


def test_apple_mail_emlx_files_import_without_their_length_line_and_flags(
    tmp_path: Path, workspace: Workspace
) -> None:
    messages = tmp_path / "Mail" / "V10" / "ABC-123" / "INBOX.mbox" / "DEF-456" / "Data" / "1" / "Messages"
    messages.mkdir(parents=True)
    mail = (
        b"From: Ana Okafor <ana@northwind.example>\nTo: me@example.org\nSubject: Tickets\n"
        b"Date: Mon, 06 Jan 2025 09:00:00 +0000\nMessage-ID: <tickets@northwind.example>\n\nGot them.\n"
    )
    flags = b'<?xml version="1.0" encoding="UTF-8"?>\n<plist version="1.0">\n<dict><key>flags</key>'
    flags += b"<integer>8590195713</integer></dict>\n</plist>\n"
    (messages / "1234.emlx").write_bytes(str(len(mail)).encode() + b"\n" + mail + flags)
    (messages / "1235.partial.emlx").write_bytes(str(len(mail)).encode() + b"        \n" + mail + flags)

    summary = import_paths(workspace, "mail", [tmp_path / "Mail"])

    assert (summary.interactions, summary.skipped) == (1, 0)  # one message, stored twice by Apple Mail
    assert summary.details["read"] == {"messages": 2}
    assert [(i["source_id"], i["title"], i["snippet"]) for i in interactions(workspace)] == [
        ("tickets@northwind.example", "Tickets", "Got them.")
    ]
