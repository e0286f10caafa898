"""GET /graph, /people/{id}/connections and /discover over people and relationships."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from kithkin.api.app import create_app
from kithkin.models import Identity
from kithkin.store import db, people
from kithkin.workspace import Workspace
from tests.helpers import at, feed, message, person

OWNER = Identity(source_id="me@example.org", name="Owner Person", emails=("me@example.org",), role="to")
STRENGTHS = {"Ana Silva": 0.9, "Bob Jones": 0.6, "Cy Park": 0.1, "Dee Lund": 0.05}
TIES = [
    ("Ana Silva", "Bob Jones", "coworker", 0.8),
    ("Bob Jones", "Cy Park", "friend", 0.5),
    ("Ana Silva", "Cy Park", "friend", 0.3),
    ("Ana Silva", "Dee Lund", "inferred", 0.2),
    ("Cy Park", "Dee Lund", "family", 0.9),
]


@pytest.fixture
def ids(workspace: Workspace) -> dict[str, str]:
    feed(
        workspace,
        "mail",
        [
            message(f"m{i}", at(1), person(f"p{i}@x.org", name, f"p{i}@x.org"), OWNER)
            for i, name in enumerate(STRENGTHS)
        ],
    )
    conn = workspace.conn
    found = {p["canonical_name"]: p["id"] for p in people.list_people(conn, limit=10)[0]}
    people.set_strengths(conn, [(found[name], value, 1) for name, value in STRENGTHS.items()])
    # Relationships by plain SQL: their writer (relationship discovery) is not in the store yet.
    with db.transaction(conn):
        conn.executemany(
            "INSERT INTO relationships (id, person_a_id, person_b_id, relationship_type, overlap_score)"
            " VALUES (?, ?, ?, ?, ?)",
            [(f"r{i}", found[a], found[b], kind, score) for i, (a, b, kind, score) in enumerate(TIES)],
        )
    return found


@pytest.fixture
def client(workspace: Workspace, ids: dict[str, str]) -> Iterator[TestClient]:
    with TestClient(create_app(workspace=workspace)) as test_client:
        yield test_client


def test_graph_nodes_are_the_strongest_and_edges_join_two_of_them(client: TestClient, ids: dict[str, str]) -> None:
    body = client.get("/api/crm/graph", params={"limit": 2}).json()
    assert [n["canonical_name"] for n in body["nodes"]] == ["Ana Silva", "Bob Jones"]
    assert body["edges"] == [
        {
            "source": ids["Ana Silva"],
            "target": ids["Bob Jones"],
            "relationship_type": "coworker",
            "overlap_score": 0.8,
            "last_seen_together": None,
        }
    ]
    assert len(client.get("/api/crm/graph").json()["edges"]) == 5
    friends = client.get("/api/crm/graph", params={"type": ["friend", "family"]}).json()
    assert len(friends["nodes"]) == 4
    assert [(e["relationship_type"], e["overlap_score"]) for e in friends["edges"]] == [
        ("family", 0.9),
        ("friend", 0.5),
        ("friend", 0.3),
    ]


def test_connections_list_related_people_largest_overlap_first(client: TestClient, ids: dict[str, str]) -> None:
    bob = client.get(f"/api/crm/people/{ids['Bob Jones']}/connections").json()
    assert bob["total"] == 2
    assert [(c["person_name"], c["relationship_type"], c["overlap_score"]) for c in bob["items"]] == [
        ("Ana Silva", "coworker", 0.8),
        ("Cy Park", "friend", 0.5),
    ]
    first = client.get(f"/api/crm/people/{ids['Ana Silva']}/connections", params={"limit": 1}).json()
    assert ([c["person_name"] for c in first["items"]], first["total"]) == (["Bob Jones"], 3)
    assert client.get("/api/crm/people/p_missing/connections").status_code == 404


def test_discover_suggests_who_strong_ties_know_with_the_reason(client: TestClient) -> None:
    items = client.get("/api/crm/discover").json()["items"]
    assert [(i["person"]["canonical_name"], i["score"], i["via"]) for i in items] == [
        ("Cy Park", 0.8, ["Bob Jones", "Ana Silva"]),
        ("Dee Lund", 0.2, ["Ana Silva"]),
    ]
    assert items[0]["reason"] == (
        "Close to Bob Jones and Ana Silva, whom you know well; you have had little contact yourself."
    )
