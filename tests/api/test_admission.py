"""Reads take turns for the server's read slots; a user's write never waits for one (api/admission.py)."""

from __future__ import annotations

import json
import socket
from contextlib import ExitStack
from urllib.parse import urlsplit

import httpx

from kithkin.api.admission import READ_SLOTS, is_user_write
from kithkin.api.server import serve
from tests.helpers import at, feed, message, person

BOUNDARY = "slot"
# A whole multipart body naming a source that does not exist: the upload ends in a 422, having held its slot.
UPLOAD_BODY = (
    f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="source"\r\n\r\nnot-a-source\r\n--{BOUNDARY}--\r\n'
).encode()


def connect(base: str) -> tuple[socket.socket, str]:
    address = urlsplit(base)
    return socket.create_connection((address.hostname, address.port), timeout=20), address.netloc


def start_upload(base: str) -> socket.socket:
    """An upload whose body has not come yet: it holds a slot from the moment the server asks for the body,
    which it says with `100 Continue` (the client asked to be told)."""
    upload, host = connect(base)
    upload.sendall(
        (
            "POST /api/crm/sources/import HTTP/1.1\r\n"
            f"Host: {host}\r\n"
            f"Content-Type: multipart/form-data; boundary={BOUNDARY}\r\n"
            f"Content-Length: {len(UPLOAD_BODY)}\r\n"
            "Expect: 100-continue\r\n\r\n"
        ).encode()
    )
    assert upload.recv(1024).startswith(b"HTTP/1.1 100 Continue\r\n")
    return upload


def reply(connection: socket.socket) -> tuple[int, bytes]:
    """Status and body of the answer on a connection the server closes after it."""
    received = b""
    while chunk := connection.recv(65536):
        received += chunk
    head, body = received.split(b"\r\n\r\n", 1)
    return int(head.split(b" ", 2)[1]), body


def test_a_write_goes_through_while_reads_hold_every_slot_and_a_read_waits(workspace):
    feed(workspace, "mail", [message("m1", at(1), person("ana@x.org", "Ana Silva", "ana@x.org"))])
    ana = workspace.conn.execute("SELECT id FROM people WHERE canonical_name = 'Ana Silva'").fetchone()[0]
    with serve(workspace) as base, ExitStack() as held:
        uploads = [held.enter_context(start_upload(base)) for _ in range(READ_SLOTS)]
        read, host = connect(base)
        held.enter_context(read)
        read.sendall(f"GET /api/crm/people/{ana} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n".encode())

        edited = httpx.patch(f"{base}/api/crm/people/{ana}", json={"notes": "call back"}, timeout=30)

        assert edited.status_code == 200
        assert edited.json()["notes"] == "call back"
        for upload in uploads:
            upload.sendall(UPLOAD_BODY)
            upload.shutdown(socket.SHUT_WR)
        assert [reply(upload)[0] for upload in uploads] == [422] * READ_SLOTS
        # Asked for before the edit, answered after it: the read waited for a slot, the edit did not.
        status, body = reply(read)
        assert status == 200
        assert json.loads(body)["notes"] == "call back"


def test_user_writes_are_the_changes_under_the_api_but_uploads_and_syncs():
    def write(method: str, path: str) -> bool:
        return is_user_write({"type": "http", "method": method, "path": path})

    assert write("PATCH", "/api/crm/people/p1")
    assert write("POST", "/api/crm/pending-links/l1/confirm")
    assert write("POST", "/api/crm/decisions/3/undo")
    assert write("DELETE", "/api/crm/relationships/r1")
    assert not write("GET", "/api/crm/people")
    assert not write("HEAD", "/api/crm/people")
    assert not write("POST", "/api/crm/sources/import")
    assert not write("POST", "/api/crm/sources/ics/sync")
    assert not write("POST", "/crm/index.html")
