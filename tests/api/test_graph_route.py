"""GET /graph (the strongest people and only the relationships among them) and /people/{id}/connections."""

from __future__ import annotations

from fastapi.testclient import TestClient

from kithkin.api.app import create_app
from kithkin.models import Identity
from kithkin.store import db, people
from kithkin.workspace import Workspace
from tests.helpers import at, feed, message, person

OWNER = Identity(source_id="me@example.org", name="Owner Person", emails=("me@example.org",), role="to")


def test_graph_nodes_are_the_strongest_and_connections_list_overlaps(workspace: Workspace) -> None:
    mails = [message(f"a{day}", at(day), person("ana@x.org", "Ana Silva", "ana@x.org"), OWNER) for day in (1, 2, 3)]
    mails += [message(f"b{day}", at(day), person("bob@x.org", "Bob Jones", "bob@x.org"), OWNER) for day in (1, 2)]
    mails += [message("c1", at(1), person("cy@x.org", "Cy Park", "cy@x.org"), OWNER)]
    feed(workspace, "mail", mails)
    conn = workspace.conn
    ids = {p["canonical_name"]: p["id"] for p in people.list_people(conn, limit=10)[0]}
    people.set_strengths(conn, [(ids["Ana Silva"], 0.9, 3), (ids["Bob Jones"], 0.6, 2), (ids["Cy Park"], 0.1, 1)])
    # Relationships by plain SQL: their writer (relationship discovery) is not in the store yet.
    with db.transaction(conn):
        conn.executemany(
            "INSERT INTO relationships (id, person_a_id, person_b_id, relationship_type, overlap_score)"
            " VALUES (?, ?, ?, ?, ?)",
            [
                ("r1", ids["Ana Silva"], ids["Bob Jones"], "coworker", 0.8),
                ("r2", ids["Bob Jones"], ids["Cy Park"], "friend", 0.5),
            ],
        )
    client = TestClient(create_app(workspace=workspace))
    body = client.get("/api/crm/graph", params={"limit": 2}).json()
    assert [n["canonical_name"] for n in body["nodes"]] == ["Ana Silva", "Bob Jones"]
    assert body["edges"] == [
        {"source": ids["Ana Silva"], "target": ids["Bob Jones"], "relationship_type": "coworker", "overlap_score": 0.8}
    ]
    assert len(client.get("/api/crm/graph").json()["edges"]) == 2

    bob = client.get(f"/api/crm/people/{ids['Bob Jones']}/connections").json()
    assert bob["total"] == 2
    assert [(c["person_name"], c["relationship_type"], c["overlap_score"]) for c in bob["items"]] == [
        ("Ana Silva", "coworker", 0.8),
        ("Cy Park", "friend", 0.5),
    ]
    assert client.get("/api/crm/people/p_missing/connections").status_code == 404
