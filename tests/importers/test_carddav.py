"""CardDAV live sync against a real Radicale server on loopback: tokens, ETags, deletions, errors."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import httpx
import pytest

from kithkin.config import LiveSource
from kithkin.importers.carddav import CardDavImporter
from kithkin.models import KithkinError, Observation
from kithkin.store import sources
from kithkin.sync import sync_source
from kithkin.workspace import Workspace
from tests.fixtures.radicale import RadicaleServer, radicale_server  # noqa: F401  (the fixture, found by name)

MKCOL = (
    '<?xml version="1.0" encoding="utf-8"?><d:mkcol xmlns:d="DAV:" xmlns:card="urn:ietf:params:xml:ns:carddav">'
    "<d:set><d:prop><d:resourcetype><d:collection/><card:addressbook/></d:resourcetype>"
    "<d:displayname>Contacts</d:displayname></d:prop></d:set></d:mkcol>"
)


def vcard(uid: str, name: str, email: str, phone: str | None = None, title: str | None = None) -> str:
    lines = ["BEGIN:VCARD", "VERSION:3.0", f"UID:{uid}", f"FN:{name}", f"EMAIL;TYPE=WORK:{email}"]
    lines += [f"TEL;TYPE=CELL:{phone}"] if phone else []
    lines += [f"TITLE:{title}"] if title else []
    return "\r\n".join([*lines, "END:VCARD"]) + "\r\n"


class Book:
    """An address book on the Radicale server, written to as another CardDAV client would."""

    def __init__(self, server: RadicaleServer, name: str = "contacts") -> None:
        self.url = f"{server.user_url}{name}/"
        self.client = httpx.Client(auth=server.auth)
        assert self.client.request("MKCOL", self.url, content=MKCOL).status_code == 201

    def put(self, uid: str, card: str) -> None:
        response = self.client.put(f"{self.url}{uid}.vcf", content=card, headers={"Content-Type": "text/vcard"})
        assert response.status_code in (201, 204)

    def delete(self, uid: str) -> None:
        assert self.client.delete(f"{self.url}{uid}.vcf").status_code in (200, 204)


@pytest.fixture
def book(radicale_server: RadicaleServer) -> Iterator[Book]:  # noqa: F811
    book = Book(radicale_server)
    book.put("ana", vcard("ana", "Ana Okafor", "ana@northwind.example", "+1 415 555 0111", "Engineer"))
    book.put("ben", vcard("ben", "Ben Lindqvist", "ben@bluefin.example"))
    book.put("chloe", vcard("chloe", "Chloé García", "chloe@gmail.com", "(415) 555-0133"))
    yield book
    book.client.close()


def configure(monkeypatch: pytest.MonkeyPatch, url: str, password: str = "secret") -> LiveSource:
    monkeypatch.setenv("KITHKIN_TEST_CARDDAV_PASSWORD", password)
    return LiveSource(
        type="carddav", account="radicale", url=url, username="tester", password_env="KITHKIN_TEST_CARDDAV_PASSWORD"
    )


def entities(ws: Workspace) -> dict[str, tuple]:
    rows = ws.conn.execute(
        "SELECT source_id, observed_name, observed_email, observed_phone, metadata FROM source_entities"
        " WHERE source_type = 'contacts' ORDER BY source_id"
    )
    return {r[0]: (r[1], r[2], r[3], json.loads(r[4]) if r[4] else {}) for r in rows}


def names(observations: list[Observation | Exception]) -> list[tuple[str, str | None, bool]]:
    found = []
    for item in observations:
        assert isinstance(item, Observation)
        card = item.participants[0]
        found.append((card.source_id, card.name, bool(card.metadata.get("deleted"))))
    return sorted(found)


def test_first_sync_reads_every_card_then_only_changes(
    radicale_server: RadicaleServer,  # noqa: F811
    book: Book,
    workspace: Workspace,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    source = configure(monkeypatch, radicale_server.url)  # the server root: the address book is discovered
    first = sync_source(workspace, source)
    assert (first.source_entities, first.people_created, first.interactions) == (3, 3, 0)
    assert first.details == {"read": {"cards": 3}, "imported": {"cards": 3}}
    assert entities(workspace)["radicale:ana"] == (
        "Ana Okafor",
        "ana@northwind.example",
        "+14155550111",
        {"position": "Engineer", "email_types": {"ana@northwind.example": ["work"]},
         "phone_types": {"+1 415 555 0111": ["cell"]}},
    )  # fmt: skip
    cursor = sources.get_cursor(workspace.conn, "contacts", "radicale")
    state = json.loads(cursor)["books"][book.url]
    assert state["token"].startswith("http://radicale.org/ns/sync/")
    assert sorted(state["cards"]) == [f"/tester/contacts/{uid}.vcf" for uid in ("ana", "ben", "chloe")]

    # Nothing changed: nothing is downloaded.
    quiet = CardDavImporter("tester", "secret")
    assert list(quiet.read(radicale_server.url, cursor)) == []

    book.put("ben", vcard("ben", "Ben Lindqvist", "ben@bluefin.example", title="Designer"))
    book.put("dee", vcard("dee", "Dee Novak", "dee@harborhealth.example", "(111) 555-0100"))
    book.delete("chloe")
    changes = CardDavImporter("tester", "secret")
    assert names(list(changes.read(radicale_server.url, cursor))) == [
        ("ben", "Ben Lindqvist", False),
        ("chloe", None, True),
        ("dee", "Dee Novak", False),
    ]

    second = sync_source(workspace, source)
    assert (second.source_entities, second.people_created) == (1, 1)
    assert second.details == {
        "read": {"cards": 2},
        "imported": {"cards": 2, "deletions": 1},
        "kept_as_observed": {"phone numbers that do not validate": 1},
    }
    found = entities(workspace)
    assert found["radicale:ben"][3]["position"] == "Designer"
    # The deleted card is marked, and what was seen of it stays.
    assert found["radicale:chloe"] == ("Chloé García", "chloe@gmail.com", "+14155550133", {"deleted": True})
    assert workspace.conn.execute("SELECT COUNT(*) FROM people").fetchone()[0] == 4
    third = sync_source(workspace, source)
    assert (third.source_entities, third.people_created, third.skipped) == (0, 0, 0)


class _NoSyncTokens(BaseHTTPRequestHandler):
    """A CardDAV server without RFC 6578: forwards to Radicale, but refuses sync-collection reports."""

    upstream = ""

    def _forward(self) -> None:
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        if self.command == "REPORT" and b"sync-collection" in body:
            self.send_response(501)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        headers = {k: v for k, v in self.headers.items() if k.lower() not in ("host", "content-length")}
        answer = httpx.request(self.command, self.upstream + self.path, content=body, headers=headers)
        self.send_response(answer.status_code)
        for key, value in answer.headers.items():
            if key.lower() not in ("content-length", "transfer-encoding", "connection", "content-encoding"):
                self.send_header(key, value)
        self.send_header("Content-Length", str(len(answer.content)))
        self.end_headers()
        self.wfile.write(answer.content)

    do_GET = do_PUT = do_DELETE = do_PROPFIND = do_REPORT = do_OPTIONS = _forward

    def log_message(self, format: str, *args: object) -> None:
        return


@pytest.fixture
def no_token_server(radicale_server: RadicaleServer) -> Iterator[str]:  # noqa: F811
    handler = type("Handler", (_NoSyncTokens,), {"upstream": radicale_server.url.rstrip("/")})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()
    server.server_close()


def test_a_server_without_sync_tokens_is_compared_by_etag(
    no_token_server: str, book: Book, workspace: Workspace, monkeypatch: pytest.MonkeyPatch
) -> None:
    book_url = no_token_server + "tester/contacts/"
    source = configure(monkeypatch, book_url)  # the address book itself
    first = sync_source(workspace, source)
    assert first.source_entities == 3
    cursor = sources.get_cursor(workspace.conn, "contacts", "radicale")
    state = json.loads(cursor)["books"][book_url]
    assert state["token"] is None and len(state["cards"]) == 3
    assert list(CardDavImporter("tester", "secret").read(book_url, cursor)) == []

    book.put("ana", vcard("ana", "Ana Okafor", "ana@northwind.example", "+1 415 555 0111", "Staff Engineer"))
    book.delete("ben")
    assert names(list(CardDavImporter("tester", "secret").read(book_url, cursor))) == [
        ("ana", "Ana Okafor", False),
        ("ben", None, True),
    ]
    sync_source(workspace, source)
    found = entities(workspace)
    assert found["radicale:ana"][3]["position"] == "Staff Engineer"
    assert found["radicale:ben"][3] == {"deleted": True}


class _WellKnownOnly(_NoSyncTokens):
    """A server whose root answers nothing and whose /.well-known/carddav redirects to the user's home."""

    def _forward(self) -> None:
        if self.path == "/" and self.command == "PROPFIND":
            self.send_response(404)
        elif self.path.startswith("/.well-known/carddav"):
            self.send_response(301)
            self.send_header("Location", "/tester/")
        else:
            super()._forward()
            return
        self.send_header("Content-Length", "0")
        self.end_headers()

    do_GET = do_PUT = do_DELETE = do_PROPFIND = do_REPORT = do_OPTIONS = _forward


def test_a_bare_server_name_is_found_through_well_known(
    radicale_server: RadicaleServer,  # noqa: F811
    book: Book,
    workspace: Workspace,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    handler = type("Handler", (_WellKnownOnly,), {"upstream": radicale_server.url.rstrip("/")})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        summary = sync_source(workspace, configure(monkeypatch, f"http://127.0.0.1:{server.server_address[1]}"))
    finally:
        server.shutdown()
        server.server_close()
    assert summary.source_entities == 3


def test_an_expired_sync_token_falls_back_to_a_full_listing(
    radicale_server: RadicaleServer,  # noqa: F811
    book: Book,
) -> None:
    stale = json.dumps(
        {
            "books": {
                book.url: {
                    "token": "http://radicale.org/ns/sync/0000000000000000000000000000000000000000000000000000000000000000",
                    "cards": {"/tester/contacts/gone.vcf": ['"old-etag"', "gone"]},
                }
            }
        }
    )
    importer = CardDavImporter("tester", "secret")
    assert names(list(importer.read(book.url, stale))) == [
        ("ana", "Ana Okafor", False),
        ("ben", "Ben Lindqvist", False),
        ("chloe", "Chloé García", False),
        ("gone", None, True),
    ]
    assert json.loads(importer.cursor())["books"][book.url]["token"].startswith("http://radicale.org/ns/sync/")


def test_wrong_credentials_and_bad_config_are_explained(
    radicale_server: RadicaleServer,  # noqa: F811
    workspace: Workspace,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    with pytest.raises(KithkinError, match="No address book was found"):  # the user has none yet
        sync_source(workspace, configure(monkeypatch, radicale_server.url))
    with pytest.raises(KithkinError, match="refused the credentials of 'tester'"):
        sync_source(workspace, configure(monkeypatch, radicale_server.url, password="wrong"))
    with pytest.raises(KithkinError, match="needs 'url'"):
        sync_source(workspace, LiveSource(type="carddav", account="x", username="tester"))
    with pytest.raises(KithkinError, match=r"answered 404 to PROPFIND .*/tester/nothing-here/; check the url"):
        sync_source(workspace, configure(monkeypatch, f"{radicale_server.url}tester/nothing-here/"))
    assert workspace.conn.execute("SELECT COUNT(*) FROM source_entities").fetchone()[0] == 0


def test_unreachable_server_is_one_plain_sentence(workspace: Workspace, monkeypatch: pytest.MonkeyPatch) -> None:
    import socket

    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with pytest.raises(KithkinError, match=r"could not be reached .*; check the url"):
        sync_source(workspace, configure(monkeypatch, f"http://127.0.0.1:{port}/"))
