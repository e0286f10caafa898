"""GET /graph (communities, the last-12-months filter) and /people/{id}/network (an ego network)."""

from __future__ import annotations

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
OLD = NOW - timedelta(days=800)
# Ana, Bob and Cy at Acme, tied last month; Dee and Eve tied two years ago; Fay tied to no one.
CAST = {
    "Ana Silva": ("Acme", NOW),
    "Bob Jones": ("Acme", NOW),
    "Cy Park": ("Acme Inc.", NOW),
    "Dee Lund": (None, OLD),
    "Eve Moss": (None, OLD),
    "Fay Wu": (None, OLD),
}
TIES = [
    ("Ana Silva", "Bob Jones", 0.8, NOW),
    ("Ana Silva", "Cy Park", 0.6, NOW),
    ("Bob Jones", "Cy Park", 0.5, NOW),
    ("Dee Lund", "Eve Moss", 0.7, OLD),
    ("Cy Park", "Dee Lund", 0.1, OLD),
]


@pytest.fixture
def ids(workspace: Workspace) -> dict[str, str]:
    mails = []
    for i, (name, (company, when)) in enumerate(CAST.items()):
        someone = person(f"p{i}@x.org", name, f"p{i}@x.org")
        someone.metadata = {"company": company} if company else {}
        mails.append(message(f"m{i}", when - timedelta(days=30), someone, OWNER, kind="email"))
    feed(workspace, "mail", mails)
    conn = workspace.conn
    found = {p["canonical_name"]: p["id"] for p in people.list_people(conn, limit=10)[0]}
    with db.transaction(conn):
        conn.executemany(
            "INSERT INTO relationships (id, person_a_id, person_b_id, relationship_type, overlap_score,"
            " last_seen_together, shared_contexts) VALUES (?, ?, ?, 'inferred', ?, ?, '[]')",
            [
                (f"r{i}", *sorted((found[a], found[b])), score, utc_iso(when - timedelta(days=30)))
                for i, (a, b, score, when) in enumerate(TIES)
            ],
        )
    return found


@pytest.fixture
def client(workspace: Workspace, ids: dict[str, str]) -> Iterator[TestClient]:
    with TestClient(create_app(workspace=workspace)) as test_client:
        yield test_client


def test_the_graph_names_its_communities(client: TestClient, ids: dict[str, str]) -> None:
    body = client.get("/api/crm/graph").json()
    groups = [(c["name"], c["reason"], c["size"]) for c in body["communities"]]
    assert groups == [
        ("Acme", "all 3 work at Acme", 3),
        ("Around Dee Lund", "nothing most of them share tells them apart; Dee Lund is the most tied in", 2),
    ]
    community = {n["canonical_name"]: n["community"] for n in body["nodes"]}
    assert community == {
        "Ana Silva": 0,
        "Bob Jones": 0,
        "Cy Park": 0,
        "Dee Lund": 1,
        "Eve Moss": 1,
        "Fay Wu": None,
    }
    centrality = {n["canonical_name"]: n["centrality"] for n in body["nodes"]}
    assert centrality["Ana Silva"] == pytest.approx(1.4)
    assert centrality["Fay Wu"] == 0
    assert body["communities"][0]["members"][0] == ids["Ana Silva"]


def test_the_last_12_months_leave_out_old_people_and_ties(client: TestClient, ids: dict[str, str]) -> None:
    body = client.get("/api/crm/graph", params={"period": "year"}).json()
    assert sorted(n["canonical_name"] for n in body["nodes"]) == ["Ana Silva", "Bob Jones", "Cy Park"]
    assert len(body["edges"]) == 3
    assert [c["name"] for c in body["communities"]] == ["Acme"]
    assert client.get("/api/crm/graph", params={"period": "week"}).status_code == 422


def test_an_ego_network_holds_the_person_their_connections_and_the_ties_among_them(
    client: TestClient, ids: dict[str, str]
) -> None:
    body = client.get(f"/api/crm/people/{ids['Cy Park']}/network").json()
    assert body["center"] == ids["Cy Park"]
    assert [n["canonical_name"] for n in body["nodes"]] == ["Cy Park", "Ana Silva", "Bob Jones", "Dee Lund"]
    names = {v: k for k, v in ids.items()}
    assert {frozenset((names[e["source"]], names[e["target"]])) for e in body["edges"]} == {
        frozenset(pair)
        for pair in [
            ("Ana Silva", "Bob Jones"),
            ("Ana Silva", "Cy Park"),
            ("Bob Jones", "Cy Park"),
            ("Cy Park", "Dee Lund"),
        ]
    }
    assert len(body["edges"]) == 4
    # The groups are those of Cy's connections among themselves: Ana and Bob; Dee alone is in none.
    assert [(c["name"], c["size"]) for c in body["communities"]] == [("Acme", 2)]
    community = {n["canonical_name"]: n["community"] for n in body["nodes"]}
    assert community == {"Cy Park": None, "Ana Silva": 0, "Bob Jones": 0, "Dee Lund": None}
    limited = client.get(f"/api/crm/people/{ids['Cy Park']}/network", params={"limit": 1}).json()
    assert [n["canonical_name"] for n in limited["nodes"]] == ["Cy Park", "Ana Silva"]
    assert client.get("/api/crm/people/p_missing/network").status_code == 404
