"""Live IMAP sync against a real Dovecot on loopback (tests/fixtures/dovecot.py)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import TYPE_CHECKING

import pytest
from typer.testing import CliRunner

from kithkin.cli import app
from kithkin.config import LiveSource, load_settings, save_settings
from kithkin.importers.imap import ImapImporter, live_importer
from kithkin.ingest import ingest
from kithkin.models import ImportSummary, KithkinError, Observation
from kithkin.store import sources
from kithkin.sync import sync_source
from kithkin.workspace import Workspace

if TYPE_CHECKING:
    from tests.fixtures.dovecot import DovecotServer

# The Dovecot fixtures (dovecot_server, dovecot_all_mail) come from this plugin module.
pytest_plugins = ("tests.fixtures.dovecot",)

PASSWORD_ENV = "KITHKIN_TEST_IMAP_PASSWORD"


def mail(number: int, sender: str = "ana@northwind.example", extra: str = "", body: str = "Body text.") -> bytes:
    return (
        f"From: Ana Okafor <{sender}>\r\nTo: Owner <me@example.org>, Ben Smith <ben@gmail.com>\r\n"
        f"Subject: Note {number}\r\nDate: Mon, 06 Jan 2025 {number // 60 % 24:02d}:{number % 60:02d}:00 +0000\r\n"
        f"Message-ID: <n{number}@northwind.example>\r\n{extra}\r\n{body}\r\n"
    ).encode()


def source(server: DovecotServer, monkeypatch: pytest.MonkeyPatch, **extra: object) -> LiveSource:
    monkeypatch.setenv(PASSWORD_ENV, server.password)
    return LiveSource(
        type="imap",
        account="work",
        host=server.host,
        port=server.port,
        ssl=False,
        username=server.username,
        password_env=PASSWORD_ENV,
        **extra,
    )


def stored_ids(ws: Workspace) -> list[str]:
    rows = ws.conn.execute("SELECT source_id FROM interactions WHERE source_type = 'mail' ORDER BY source_id")
    return [row[0] for row in rows]


def test_first_sync_reads_history_then_only_new_mail(
    dovecot_server: DovecotServer, workspace: Workspace, monkeypatch: pytest.MonkeyPatch
) -> None:
    dovecot_server.append("INBOX", mail(1), mail(2))
    dovecot_server.append("Sent", mail(3, sender="me@example.org"))
    dovecot_server.append("Trash", mail(4))
    dovecot_server.append("Junk", mail(5))
    dovecot_server.append("INBOX", mail(6, extra="List-Id: <dev.lists.example>\r\n"))
    config = source(dovecot_server, monkeypatch)

    first = sync_source(workspace, config)

    assert (first.interactions, first.skipped) == (3, 0)
    assert stored_ids(workspace) == [
        "work:n1@northwind.example",
        "work:n2@northwind.example",
        "work:n3@northwind.example",
    ]
    rows = workspace.conn.execute(
        "SELECT source_id, direction, context, snippet, thread_id FROM interactions ORDER BY source_id"
    ).fetchall()
    assert [tuple(r) for r in rows] == [
        ("work:n1@northwind.example", "in", "INBOX", None, "n1@northwind.example"),
        ("work:n2@northwind.example", "in", "INBOX", None, "n2@northwind.example"),
        ("work:n3@northwind.example", "out", "Sent", None, "n3@northwind.example"),
    ]

    importer, target = live_importer(config, workspace)
    assert sorted(o.source_id for o in importer.read(target, None) if isinstance(o, Observation)) == [
        "n1@northwind.example",
        "n2@northwind.example",
        "n3@northwind.example",
    ]
    assert (importer.total, importer.left_out) == (4, 1)  # Trash and Junk unread; the list mail left out
    assert importer.report == {
        "read": {"messages": 4},
        "imported": {"emails": 3},
        "left_out": {"mailing list": 1},
    }
    assert (first.details["read"], first.details["imported"], first.details["left_out"]) == (
        {"messages": 4},
        {"emails": 3},
        {"mailing list": 1},
    )

    dovecot_server.append("INBOX", mail(7))
    second = sync_source(workspace, config)

    assert second.interactions == 1
    assert stored_ids(workspace)[-1] == "work:n7@northwind.example"
    assert sync_source(workspace, config).interactions == 0


def test_bodies_give_snippets_and_include_automated_keeps_list_mail(
    dovecot_server: DovecotServer, workspace: Workspace, monkeypatch: pytest.MonkeyPatch
) -> None:
    dovecot_server.append(
        "INBOX",
        mail(1, body="Lunch on Friday?\r\n\r\nOn Mon Ana wrote:\r\n> old"),
        mail(2, extra="List-Id: <dev.lists.example>\r\n"),
    )
    config = source(dovecot_server, monkeypatch, bodies=True, include_automated=True)

    sync_source(workspace, config)

    rows = workspace.conn.execute("SELECT source_id, snippet, metadata FROM interactions ORDER BY source_id")
    assert [(r[0], r[1]) for r in rows] == [
        ("work:n1@northwind.example", "Lunch on Friday?"),
        ("work:n2@northwind.example", "Body text."),
    ]


def test_all_mail_is_read_alone_when_the_server_has_it(
    dovecot_all_mail: DovecotServer, workspace: Workspace, monkeypatch: pytest.MonkeyPatch
) -> None:
    dovecot_all_mail.append("All Mail", mail(1), mail(2))
    dovecot_all_mail.append("INBOX", mail(3))
    config = source(dovecot_all_mail, monkeypatch)
    importer, target = live_importer(config, workspace)

    found = [o for o in importer.read(target, None) if isinstance(o, Observation)]

    assert [(o.source_id, o.context) for o in found] == [
        ("n1@northwind.example", "All Mail"),
        ("n2@northwind.example", "All Mail"),
    ]
    assert importer.total == 2


def test_a_changed_uidvalidity_resyncs_the_folder_without_duplicates(
    dovecot_server: DovecotServer, workspace: Workspace, monkeypatch: pytest.MonkeyPatch
) -> None:
    dovecot_server.append("Archive", mail(1), mail(2))
    config = source(dovecot_server, monkeypatch, folders=["Archive"])
    assert sync_source(workspace, config).interactions == 2

    # Deleting and re-creating a mailbox gives it a new UIDVALIDITY, as a restored server would.
    client = dovecot_server.client()
    client.delete_folder("Archive")
    client.logout()
    dovecot_server.append("Archive", mail(1), mail(2), mail(3))
    importer, target = live_importer(config, workspace)
    summary = ImportSummary(source="mail")
    observations = importer.read(target, sources.get_cursor(workspace.conn, "mail", "work"))

    assert importer.total == 3
    ingest(workspace, importer, observations, summary, account="work", cursor_key=("mail", "work"))
    assert summary.interactions == 1
    assert stored_ids(workspace) == [f"work:n{i}@northwind.example" for i in (1, 2, 3)]


def test_an_interrupted_sync_resumes_without_duplicates_or_gaps(
    dovecot_server: DovecotServer, workspace: Workspace, monkeypatch: pytest.MonkeyPatch
) -> None:
    dovecot_server.append("INBOX", *(mail(i) for i in range(1, 12)))
    config = source(dovecot_server, monkeypatch)
    importer, target = live_importer(config, workspace)
    importer.chunk_size = 4  # several FETCH round trips, as with tens of thousands of messages

    def dies_after_seven(items: Iterator[Observation | Exception]) -> Iterator[Observation | Exception]:
        for count, item in enumerate(items, start=1):
            yield item
            if count == 7:
                raise ConnectionResetError("network gone")

    summary = ImportSummary(source="mail")
    with pytest.raises(ConnectionResetError):
        ingest(
            workspace,
            importer,
            dies_after_seven(importer.read(target, None)),
            summary,
            account="work",
            cursor_key=("mail", "work"),
            batch_size=3,
        )
    # Two batches of three were committed; the seventh message was in the batch that never was.
    assert stored_ids(workspace) == sorted(f"work:n{i}@northwind.example" for i in range(1, 7))

    resumed, _ = live_importer(config, workspace)
    resumed.read(target, sources.get_cursor(workspace.conn, "mail", "work")).close()
    assert resumed.total == 5  # only what was not committed is fetched again

    reports: list[tuple[int, int | None]] = []
    result = sync_source(workspace, config, progress=lambda done, total: reports.append((done, total)))

    assert (result.interactions, result.skipped) == (5, 0)
    assert reports[-1] == (5, 5)
    assert stored_ids(workspace) == sorted(f"work:n{i}@northwind.example" for i in range(1, 12))


def test_a_wrong_password_is_one_plain_sentence(
    dovecot_server: DovecotServer, workspace: Workspace, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = source(dovecot_server, monkeypatch)
    monkeypatch.setenv(PASSWORD_ENV, "wrong")

    with pytest.raises(KithkinError, match=r"refused to sign in tester at 127\.0\.0\.1"):
        sync_source(workspace, config)


def test_a_source_without_a_host_is_refused(workspace: Workspace) -> None:
    with pytest.raises(KithkinError, match="needs host and username"):
        live_importer(LiveSource(type="imap", account="work"), workspace)


def test_the_importer_reads_no_files(tmp_path) -> None:
    assert ImapImporter("h", "u", "p").sniff(tmp_path) is False


def test_cli_sync_reads_the_configured_account(
    dovecot_server: DovecotServer, home, monkeypatch: pytest.MonkeyPatch
) -> None:
    dovecot_server.append("INBOX", mail(1), mail(2))
    settings = load_settings(home)
    settings.sources = [source(dovecot_server, monkeypatch)]
    save_settings(home, settings)

    result = CliRunner().invoke(app, ["sync", "imap", "--home", str(home), "--json"])

    assert result.exit_code == 0, result.output
    [data] = json.loads(result.stdout)["results"]
    assert (data["source"], data["interactions"], data["source_entities"]) == ("mail", 2, 3)
    assert "secret" not in (home / "config.yaml").read_text(encoding="utf-8")


def test_the_sync_summary_says_what_it_read_and_why_it_left_each_message_out(
    dovecot_server: DovecotServer, workspace: Workspace, monkeypatch: pytest.MonkeyPatch
) -> None:
    nobody = b"Subject: To no one\r\nDate: Mon, 06 Jan 2025 10:00:00 +0000\r\nMessage-ID: <x@example.org>\r\n\r\nHi\r\n"
    dovecot_server.append(
        "INBOX",
        mail(1),
        mail(2, sender="no-reply@shop.example"),
        mail(3, extra="Precedence: bulk\r\n"),
        mail(4, extra="List-Unsubscribe: <mailto:u@news.example>\r\n"),
        nobody,
    )

    summary = sync_source(workspace, source(dovecot_server, monkeypatch))

    assert (summary.interactions, summary.skipped) == (1, 1)
    assert summary.details["read"] == {"messages": 5}
    assert summary.details["imported"] == {"emails": 1}
    assert summary.details["left_out"] == {
        "no-reply sender": 1,
        "precedence bulk": 1,
        "bulk mail": 1,
        "unreadable messages": 1,
    }
