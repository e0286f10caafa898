"""People you may know: close to a strong tie, or sharing a company or a notes context with one; each
with the reason in words."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from fastapi.testclient import TestClient

from kithkin.api.app import create_app
from kithkin.insight.discover import suggestions
from kithkin.models import Identity, Observation
from kithkin.store import db, people
from tests.helpers import at, feed, message

CARDS = {
    "Ana Silva": {"company": "Northwind", "vault_contexts": ["Work/Example/"]},
    "Bob Jones": {},
    "Cy Park": {"company": "northwind"},
    "Dee Lund": {"vault_contexts": ["Work/Example/"]},
    "Eve Moss": {},
    "Fay Ortiz": {"company": "Northwind"},
}
STRENGTHS = {"Ana Silva": 0.9, "Bob Jones": 0.6, "Cy Park": 0.1, "Dee Lund": 0.05, "Eve Moss": 0.0, "Fay Ortiz": 0.3}


def who(name: str, role: str) -> Identity:
    email = name.split()[0].lower() + "@x.org"
    return Identity(
        source_id=email, name=name, emails=(email,), role=role, metadata=CARDS[name] if role == "card" else {}
    )


def test_suggestions_through_ties_and_shared_contexts(workspace):
    feed(
        workspace,
        "contacts",
        [
            Observation(
                source_id=name,
                kind="contact",
                occurred_at=datetime(2023, 1, 1, tzinfo=UTC),
                participants=[who(name, "card")],
            )
            for name in CARDS
        ],
    )
    # Bob and Cy at a meeting of three with the user: one shared interaction of two people, weight 1.
    owner = Identity(source_id="me@example.org", name="Owner", emails=("me@example.org",), role="organizer")
    feed(
        workspace,
        "calendar",
        [
            message(
                "lunch",
                at(1),
                owner,
                who("Bob Jones", "attendee"),
                who("Cy Park", "attendee"),
                kind="meeting",
                title="Lunch",
            )
        ],
    )
    conn = workspace.conn
    ids = {p["canonical_name"]: p["id"] for p in people.list_people(conn, limit=10)[0]}
    with db.transaction(conn):
        people.set_strengths(conn, [(ids[name], value, 0) for name, value in STRENGTHS.items()])

    found = suggestions(conn)
    assert [(s["person"]["canonical_name"], s["score"], s["via"]) for s in found] == [
        ("Cy Park", pytest.approx(0.3835, abs=1e-4), ["Bob Jones", "Ana Silva"]),  # 1 − e^(−1/3) + 0.1
        ("Dee Lund", 0.1, ["Ana Silva"]),
    ]
    assert [s["reason"] for s in found] == [
        "Close to Bob Jones, whom you know well; also at Northwind, like Ana Silva; you have had little contact"
        " yourself.",
        "In Example in your notes, like Ana Silva, whom you know well; you have had little contact yourself.",
    ]
    served = TestClient(create_app(workspace=workspace)).get("/api/crm/discover", params={"limit": 1}).json()
    assert [(s["person"]["id"], s["reason"]) for s in served["items"]] == [(ids["Cy Park"], found[0]["reason"])]


def test_two_strong_ties_of_one_name_count_once_the_closer_one(workspace):
    conn = workspace.conn
    from kithkin.insight.relationships import relationship_id
    from kithkin.store import relationships

    with db.transaction(conn):
        twin_a, twin_b, guest = (people.create_person(conn, n) for n in ("Sam Lee", "Sam Lee", "Guest Person"))
        people.set_strengths(conn, [(twin_a, 0.9, 0), (twin_b, 0.8, 0), (guest, 0.0, 0)])
        stamp = "2024-01-01T00:00:00Z"
        relationships.save_pairs(
            conn,
            [
                (relationship_id(*pair), *pair, "inferred", "[]", 1, 0, stamp, stamp, overlap, 1.0, stamp, stamp)
                for pair, overlap in (
                    (tuple(sorted((twin_a, guest))), 0.25),
                    (tuple(sorted((twin_b, guest))), 0.5),
                )
            ],
        )
    found = suggestions(conn)
    assert [(s["person"]["id"], s["score"], s["via"]) for s in found] == [(guest, 0.5, ["Sam Lee"])]


def test_a_dismissed_suggestion_is_never_made_again(workspace):
    conn = workspace.conn
    from kithkin.insight.relationships import relationship_id
    from kithkin.store import relationships

    with db.transaction(conn):
        close, guest, other = (people.create_person(conn, n) for n in ("Ana Silva", "Guest Person", "Other One"))
        people.set_strengths(conn, [(close, 0.9, 0), (guest, 0.0, 0), (other, 0.0, 0)])
        stamp = "2024-01-01T00:00:00Z"
        relationships.save_pairs(
            conn,
            [
                (relationship_id(*pair), *pair, "inferred", "[]", 1, 0, stamp, stamp, overlap, 1.0, stamp, stamp)
                for pair, overlap in (
                    (tuple(sorted((close, guest))), 0.5),
                    (tuple(sorted((close, other))), 0.25),
                )
            ],
        )
    assert [(s["person"]["id"], s["group"]) for s in suggestions(conn)] == [(guest, "close"), (other, "close")]
    client = TestClient(create_app(workspace=workspace))
    assert client.post(f"/api/crm/discover/{guest}/dismiss").status_code == 204
    assert client.post(f"/api/crm/discover/{guest}/dismiss").status_code == 204  # twice is still once
    assert [s["person"]["id"] for s in client.get("/api/crm/discover").json()["items"]] == [other]
    assert client.post("/api/crm/discover/p_missing/dismiss").status_code == 404
