"""GET /people/{id}/paths: how the user knows someone, by the strongest chains of people, told in words."""

from __future__ import annotations

import math
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from fastapi.testclient import TestClient

from kithkin.api.app import create_app
from kithkin.models import Identity, utc_iso
from kithkin.store import db, people
from kithkin.workspace import Workspace
from tests.helpers import feed, message, person

OWNER = Identity(source_id="me@example.org", name="Owner Person", emails=("me@example.org",), role="to")
NOW = datetime.now(UTC).replace(microsecond=0)
# The user knows Ana well and Dee a little; Bob and Cy only through others.
STRENGTH = {"Ana Silva": 0.9, "Bob Jones": 0.0, "Cy Park": 0.0, "Dee Lund": 0.2}
# (a, b, overlap, days since last together, shared events, shared threads, contexts)
TIES = [
    ("Ana Silva", "Bob Jones", 0.8, 10, 14, 0, '["Work/Acme/"]'),
    ("Bob Jones", "Cy Park", 0.6, 400, 0, 3, "[]"),
    ("Dee Lund", "Cy Park", 0.9, 0, 2, 0, "[]"),
]


def fade(days: int) -> float:
    return 0.5 + 0.5 * math.exp(-days / 365)


@pytest.fixture
def ids(workspace: Workspace) -> dict[str, str]:
    mails = [
        message(f"m{i}", NOW - timedelta(days=3), person(f"p{i}@x.org", name, f"p{i}@x.org"), OWNER, kind="email")
        for i, name in enumerate(STRENGTH)
        if STRENGTH[name]
    ]
    feed(workspace, "mail", mails)
    feed(
        workspace,
        "contacts",
        [
            message(f"c{i}", NOW - timedelta(days=400), person(f"c{i}", name, f"p{i}@x.org"), kind="contact")
            for i, name in enumerate(STRENGTH)
            if not STRENGTH[name]
        ],
    )
    conn = workspace.conn
    found = {p["canonical_name"]: p["id"] for p in people.list_people(conn, limit=10)[0]}
    with db.transaction(conn):
        people.set_strengths(conn, [(found[name], value, 0) for name, value in STRENGTH.items()])
        conn.executemany(
            "INSERT INTO relationships (id, person_a_id, person_b_id, relationship_type, overlap_score,"
            " last_seen_together, shared_events_count, shared_threads_count, shared_contexts)"
            " VALUES (?, ?, ?, 'inferred', ?, ?, ?, ?, ?)",
            [
                (f"r{i}", *sorted((found[a], found[b])), score, utc_iso(NOW - timedelta(days=days)), ev, th, ctx)
                for i, (a, b, score, days, ev, th, ctx) in enumerate(TIES)
            ],
        )
    return found


@pytest.fixture
def client(workspace: Workspace, ids: dict[str, str]) -> Iterator[TestClient]:
    with TestClient(create_app(workspace=workspace)) as test_client:
        yield test_client


def test_the_strongest_chains_lead_to_a_person_the_user_has_never_met(client: TestClient, ids: dict[str, str]) -> None:
    body = client.get(f"/api/crm/people/{ids['Cy Park']}/paths").json()
    chains = [([p["canonical_name"] for p in item["people"]], item["score"]) for item in body["items"]]
    # Through Ana, whom the user knows well, before Dee, closer to Cy but barely known to the user.
    assert chains == [
        (["Ana Silva", "Bob Jones", "Cy Park"], pytest.approx(0.9 * 0.8 * fade(10) * 0.6 * fade(400), abs=1e-6)),
        (["Dee Lund", "Cy Park"], pytest.approx(0.2 * 0.9 * fade(0), abs=1e-6)),
    ]
    assert body["total"] == 2
    hops = body["items"][0]["hops"]
    assert [(h["from"], h["to"]) for h in hops] == [
        (None, ids["Ana Silva"]),
        (ids["Ana Silva"], ids["Bob Jones"]),
        (ids["Bob Jones"], ids["Cy Park"]),
    ]
    assert [h["words"] for h in hops] == [
        "You and Ana Silva: 1 interaction, last 3 days ago.",
        "Ana Silva and Bob Jones: 14 shared meetings or calls in Acme, last together 10 days ago.",
        "Bob Jones and Cy Park: 3 shared threads, last together 13 months ago.",
    ]


def test_someone_the_user_knows_is_reached_directly_first(client: TestClient, ids: dict[str, str]) -> None:
    body = client.get(f"/api/crm/people/{ids['Ana Silva']}/paths", params={"limit": 1}).json()
    assert [[p["canonical_name"] for p in item["people"]] for item in body["items"]] == [["Ana Silva"]]
    assert body["items"][0]["score"] == 0.9


def test_nobody_leads_to_an_unconnected_person_and_an_unknown_id_is_404(
    client: TestClient, workspace: Workspace
) -> None:
    feed(workspace, "contacts", [message("c9", NOW, person("c9", "Eve Moss", "eve@x.org"), kind="contact")])
    eve = next(p["id"] for p in people.list_people(workspace.conn, q="Eve")[0])
    (only,) = client.get(f"/api/crm/people/{eve}/paths").json()["items"]
    assert [h["words"] for h in only["hops"]] == ["You know Eve Moss from your contacts; no interaction yet."]
    with db.transaction(workspace.conn):
        people.set_strengths(workspace.conn, [(eve, 0.0, 0)])
    assert client.get(f"/api/crm/people/{eve}/paths").json() == {"items": [], "total": 0}
    assert client.get("/api/crm/people/p_missing/paths").status_code == 404
