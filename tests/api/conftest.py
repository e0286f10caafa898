"""A home filled through the real ingest path, and a TestClient on it."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from kithkin import importers
from kithkin.api.app import create_app
from kithkin.models import Identity
from kithkin.store import db, links, sources
from kithkin.store.ids import entity_id
from kithkin.workspace import Workspace
from tests.api import calllog
from tests.helpers import at, feed, message, person

ANA_NUMBER, BOB_NUMBER = "+14155550123", "+14155550124"
EMAILS = ("ana@x.org", "bob@acme.com", "carol@y.org")
OWNER = Identity(source_id="me@example.org", name="Owner Person", emails=("me@example.org",), role="to")


def fill(workspace: Workspace) -> None:
    """Ana, Bob and Carol by mail (Bob at Acme); on WhatsApp two numbers saved without a name, and Dan.

    Two pending links ask whether the first number is Ana's (Carol the alternative) and the second
    Bob's. They are proposed through the store, so these tests do not hang on the resolver's rules.
    """
    ana = person("ana@x.org", "Ana Silva", "ana@x.org")
    bob = person("bob@acme.com", "Bob Jones", "bob@acme.com")
    bob.metadata = {"company": "Acme", "position": "Engineer"}
    carol = person("carol@y.org", "Carol King", "carol@y.org")
    feed(
        workspace,
        "mail",
        [
            message("m1", at(1), ana, OWNER, kind="email", title="Lunch?"),
            message("m2", at(2), bob, OWNER, carol, kind="email"),
            message("m3", at(3), bob, OWNER, kind="email"),
        ],
    )
    feed(
        workspace,
        "whatsapp",
        [
            message("w1", at(4), person(ANA_NUMBER, phone=ANA_NUMBER), OWNER),
            message("w2", at(5), person(BOB_NUMBER, phone=BOB_NUMBER), OWNER),
            message("w3", at(6), person("+14155550125", "Dan Brown", phone="+14155550125"), OWNER),
        ],
    )
    conn = workspace.conn
    person_of = {email: sources.person_of_entity(conn, entity_id("mail", email)) for email in EMAILS}
    with db.transaction(conn):
        for number, proposed, confidence, alternative in (
            (ANA_NUMBER, "ana@x.org", 0.75, "carol@y.org"),
            (BOB_NUMBER, "bob@acme.com", 0.65, None),
        ):
            entity = entity_id("whatsapp", number)
            links.create_pending_link(
                conn,
                source_entity_id=entity,
                proposed_person_id=person_of[proposed],
                previous_person_id=sources.person_of_entity(conn, entity),
                reason="shared_thread",
                confidence=confidence,
                alternatives=[{"person_id": person_of[alternative], "confidence": 0.6, "reason": "shared_thread"}]
                if alternative
                else [],
                evidence={"thread": "Lunch?"},
            )


@pytest.fixture
def filled(workspace: Workspace) -> Workspace:
    fill(workspace)
    return workspace


@pytest.fixture
def client(filled: Workspace) -> Iterator[TestClient]:
    app = create_app(workspace=filled)
    with TestClient(app) as test_client:
        yield test_client
    app.state.jobs.wait(30)


@pytest.fixture
def calllog_source(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> str:
    """Register the test call-log importer as an uploadable and a live source (jobs pass the registry and
    the environment on to their process)."""
    monkeypatch.setitem(importers.REGISTRY, "calllog", "tests.api.calllog:CallLogImporter")
    monkeypatch.setitem(importers.LIVE_REGISTRY, "calllog", "tests.api.calllog:live_importer")
    flags = tmp_path / "calllog-flags"
    flags.mkdir()
    monkeypatch.setenv(calllog.FLAGS_FOLDER, str(flags))
    return "calllog"


def number_person(client: TestClient, number: str) -> dict:
    """The person a WhatsApp number without a name stands for (named after the number)."""
    return person_named(client, number)


def person_named(client: TestClient, name: str) -> dict:
    found = client.get("/api/crm/people", params={"q": name, "limit": 10}).json()["items"]
    matches = [p for p in found if p["canonical_name"] == name]
    assert matches, f"no person named {name}"
    return matches[0]


def call_rows(count: int, phone: str = "+14155550199", name: str = "Eve Ray") -> list[list[str]]:
    """`count` incoming calls from one caller, a minute apart from 1 April 2024."""
    base = datetime(2024, 4, 1, tzinfo=UTC)
    return [
        [base.replace(minute=i % 60, hour=i // 60 % 24, day=1 + i // 1440).isoformat(), name, phone, "in"]
        for i in range(count)
    ]


def write_log(path: Path, rows: list[list[str]]) -> Path:
    return calllog.write_log(path, rows)
