"""The review workflow: confirm, reject, merge, split — each logged and undone exactly; bulk confirm."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from kithkin.api.app import create_app
from kithkin.identity import review
from kithkin.models import Identity
from kithkin.store import links, relationships
from tests.helpers import at, feed, message, person


def card(source_id: str, name: str, email: str | None = None, phone: str | None = None):
    identity = Identity(
        source_id=source_id, name=name, emails=(email,) if email else (), phones=(phone,) if phone else (), role="card"
    )
    return message(source_id, at(1), identity, kind="contact")


def person_of(workspace, entity_id: str) -> str | None:
    return workspace.conn.execute(
        "SELECT canonical_person_id FROM source_entities WHERE id = ?", (entity_id,)
    ).fetchone()[0]


def live_people(workspace) -> list[str]:
    return sorted(r[0] for r in workspace.conn.execute("SELECT canonical_name FROM people WHERE merged_into IS NULL"))


@pytest.fixture
def proposal(workspace):
    """Robert Smith from contacts; "Robert Smithe" (a typo) seen on Slack with no address: a near-name proposal."""
    feed(workspace, "contacts", [card("c1", "Robert Smith", "rs@x.org")])
    feed(workspace, "slack", [message("s1", at(2), person("U1", "Robert Smithe"))])
    (link,), _ = links.list_pending_links(workspace.conn)
    return link


def test_confirm_then_undo_puts_the_entity_back(workspace, proposal):
    entity, provisional = proposal["source_entity_id"], proposal["previous_canonical_id"]
    review.confirm_link(workspace.conn, proposal["id"])
    assert person_of(workspace, entity) == proposal["proposed_canonical_id"]
    assert live_people(workspace) == ["Robert Smith"]
    (decision,), _ = review.list_decisions(workspace.conn)
    assert (decision["action"], decision["observed_name"]) == ("confirm", "Robert Smithe")
    review.undo_decision(workspace.conn, decision["id"])
    assert person_of(workspace, entity) == provisional
    assert live_people(workspace) == ["Robert Smith", "Robert Smithe"]
    assert links.get_pending_link(workspace.conn, proposal["id"])["status"] == "pending"
    with pytest.raises(review.DecisionConflict):
        review.undo_decision(workspace.conn, decision["id"])
    with pytest.raises(review.NotFound):
        review.undo_decision(workspace.conn, 999_999)


def test_a_rejection_is_remembered_until_undone(workspace, proposal):
    review.reject_link(workspace.conn, proposal["id"])
    feed(workspace, "slack", [message("s2", at(3), person("U1", "Robert Smithe"))])
    assert links.pending_count(workspace.conn) == 0  # the same pair is never proposed again
    (decision,), _ = review.list_decisions(workspace.conn)
    review.undo_decision(workspace.conn, decision["id"])
    assert not links.is_rejected(workspace.conn, proposal["source_entity_id"], proposal["proposed_canonical_id"])
    assert links.pending_count(workspace.conn) == 1
    review.reject_link(workspace.conn, proposal["id"])
    with pytest.raises(review.DecisionConflict, match="was already rejected"):
        review.reject_link(workspace.conn, proposal["id"])


def test_merge_and_split_undo_exactly(workspace):
    feed(workspace, "contacts", [card("c1", "Ana Silva", "ana@x.org"), card("c2", "Ana S.", phone="+14155550111")])
    ids = dict(workspace.conn.execute("SELECT canonical_name, id FROM people").fetchall())
    keep, other = ids["Ana Silva"], ids["Ana S."]
    workspace.conn.execute("UPDATE people SET notes = 'keeper', tags = '[\"a\"]' WHERE id = ?", (keep,))
    workspace.conn.execute("UPDATE people SET notes = 'second', tags = '[\"b\"]' WHERE id = ?", (other,))
    review.merge_people(workspace.conn, keep, other)
    merged = workspace.conn.execute("SELECT notes, tags, phone_numbers FROM people WHERE id = ?", (keep,)).fetchone()
    assert tuple(merged) == ("keeper\n\nsecond", '["a", "b"]', '["+14155550111"]')
    assert live_people(workspace) == ["Ana Silva"]
    with pytest.raises(review.DecisionConflict):
        review.merge_people(workspace.conn, keep, keep)
    merge_decision = review.list_decisions(workspace.conn)[0][0]
    review.undo_decision(workspace.conn, merge_decision["id"])
    assert live_people(workspace) == ["Ana S.", "Ana Silva"]
    restored = workspace.conn.execute("SELECT notes, tags FROM people WHERE id = ?", (keep,)).fetchone()
    assert tuple(restored) == ("keeper", '["a"]')

    review.merge_people(workspace.conn, keep, other)
    phone_entity = workspace.conn.execute(
        "SELECT id FROM source_entities WHERE observed_phone = '+14155550111'"
    ).fetchone()[0]
    new_id = review.split_person(workspace.conn, keep, [phone_entity])
    assert person_of(workspace, phone_entity) == new_id
    with pytest.raises(review.DecisionConflict):
        review.split_person(workspace.conn, keep, [phone_entity])
    split_decision = review.list_decisions(workspace.conn)[0][0]
    review.undo_decision(workspace.conn, split_decision["id"])
    assert person_of(workspace, phone_entity) == keep
    assert workspace.conn.execute("SELECT COUNT(*) FROM people WHERE id = ?", (new_id,)).fetchone()[0] == 0


def test_a_merge_carries_what_the_user_said_of_relationships_and_undo_takes_it_back(workspace):
    me = person("me", email="me@example.org")
    ana, annie = person("ana@x.org", "Ana Silva", "ana@x.org"), person("annie@y.org", "Annie", "annie@y.org")
    ben, cy = person("ben@x.org", "Ben Okafor", "ben@x.org"), person("cy@x.org", "Cy Twombly", "cy@x.org")
    feed(
        workspace,
        "mail",
        [message("g1", at(1), annie, me, ben), message("g2", at(2), annie, me, cy), message("g3", at(3), ana, me, cy)],
    )
    ids = dict(workspace.conn.execute("SELECT canonical_name, id FROM people").fetchall())
    keep, other = ids["Ana Silva"], ids["Annie"]

    def said(person_id: str) -> dict[str, tuple]:
        return {
            r["person_name"]: (r["user_confirmed"], r["user_notes"], r["relationship_type"], r["weight"])
            for r in relationships.of_person(workspace.conn, person_id)
        }

    def edit(person_id: str, name: str, changes: dict) -> None:
        row = next(r for r in relationships.of_person(workspace.conn, person_id) if r["person_name"] == name)
        relationships.edit_relationship(workspace.conn, row["id"], changes)

    edit(other, "Ben Okafor", {"user_confirmed": True, "user_notes": "climbing partners"})
    edit(other, "Cy Twombly", {"user_notes": "school"})
    edit(keep, "Cy Twombly", {"user_confirmed": True, "relationship_type": "coworker"})
    before = said(keep), said(other)

    review.merge_people(workspace.conn, keep, other)
    assert said(keep) == {
        "Ben Okafor": (True, "climbing partners", "inferred", 1),
        "Cy Twombly": (True, "school", "coworker", 2),
    }

    review.undo_decision(workspace.conn, review.list_decisions(workspace.conn)[0][0]["id"])
    assert (said(keep), said(other)) == before
    assert before[0] == {"Cy Twombly": (True, None, "coworker", 1)}


def test_bulk_confirm_and_the_decision_routes(workspace):
    feed(workspace, "contacts", [card("c1", "Robert Smith", "rs@x.org"), card("c2", "Ana Silva", "ana@x.org")])
    feed(
        workspace,
        "slack",
        [message("s1", at(2), person("U1", "Robert Smithe")), message("s2", at(3), person("U2", "Ana Silvaa"))],
    )
    assert links.pending_count(workspace.conn) == 2
    client = TestClient(create_app(workspace=workspace))
    done = client.post("/api/crm/pending-links/bulk-confirm", json={"reason": "name_match"})
    assert done.json() == {"confirmed": 2}
    assert live_people(workspace) == ["Ana Silva", "Robert Smith"]
    decisions = client.get("/api/crm/decisions").json()
    assert decisions["total"] == 2 and {d["action"] for d in decisions["items"]} == {"confirm"}
    first = decisions["items"][0]["id"]
    undone = client.post(f"/api/crm/decisions/{first}/undo")
    assert undone.status_code == 200 and undone.json()["undone_at"]
    assert client.post(f"/api/crm/decisions/{first}/undo").status_code == 409
    assert client.post("/api/crm/decisions/424242/undo").status_code == 404
    assert len(live_people(workspace)) == 3


def pending_table(workspace) -> list[dict]:
    return [dict(r) for r in workspace.conn.execute("SELECT * FROM pending_links ORDER BY id")]


@pytest.fixture
def queue(workspace):
    """Ana (contacts and mail), Carol; on WhatsApp a number saved without a name (person P, its only
    entity) and Dan. Proposed: P's number is Ana (link A); Dan is P (B) or Carol (C)."""
    feed(workspace, "contacts", [card("c1", "Ana Silva", "ana@x.org"), card("c2", "Carol King", "carol@y.org")])
    feed(workspace, "mail", [message("m1", at(2), person("ana@x.org", "Ana Silva", "ana@x.org"))])
    feed(
        workspace,
        "whatsapp",
        [
            message("w1", at(3), person("+14155550123", phone="+14155550123")),
            message("w2", at(4), person("+14155550125", "Dan Brown", phone="+14155550125")),
        ],
    )
    conn = workspace.conn
    ids = dict(conn.execute("SELECT canonical_name, id FROM people").fetchall())
    entity = dict(conn.execute("SELECT source_id, id FROM source_entities").fetchall())
    number, dan = entity["+14155550123"], entity["+14155550125"]
    made = {}
    for name, (who, proposed) in {
        "A": (number, ids["Ana Silva"]),
        "B": (dan, person_of(workspace, number)),
        "C": (dan, ids["Carol King"]),
    }.items():
        made[name] = links.create_pending_link(
            conn,
            source_entity_id=who,
            proposed_person_id=proposed,
            previous_person_id=person_of(workspace, who),
            reason="shared_thread",
            confidence=0.7,
            alternatives=[{"person_id": ids["Carol King"], "confidence": 0.5, "reason": "name"}],
            evidence={"thread": "Lunch?"},
        )
    return {**made, **ids, "P": person_of(workspace, number), "ana_mail": entity["ana@x.org"]}


@pytest.mark.parametrize("decide", ["confirm", "reject", "reject_new", "merge", "merge_away", "split"])
def test_undo_brings_the_pending_queue_back_exactly(workspace, queue, decide):
    conn = workspace.conn
    before = pending_table(workspace)
    assert {row["id"] for row in before if row["status"] == "pending"} >= {queue["A"], queue["B"], queue["C"]}
    open_before = sorted(row["id"] for row in before if row["status"] == "pending")
    if decide == "confirm":
        review.confirm_link(conn, queue["A"])  # P loses its only entity: B, proposing P, now proposes Ana
        assert links.get_pending_link(conn, queue["B"])["proposed_canonical_id"] == queue["Ana Silva"]
        left_open = sorted(set(open_before) - {queue["A"]})
    elif decide in ("reject", "reject_new"):
        review.reject_link(conn, queue["A"], create_new_person=decide == "reject_new")
        left_open = sorted(set(open_before) - {queue["A"]})
    else:
        if decide == "merge":
            review.merge_people(conn, queue["Ana Silva"], queue["P"])
        elif decide == "merge_away":
            review.merge_people(conn, queue["P"], queue["Ana Silva"])
        else:
            review.split_person(conn, queue["Ana Silva"], [queue["ana_mail"]])
        left_open = open_before
    assert sorted(row["id"] for row in pending_table(workspace) if row["status"] == "pending") == left_open
    (decision,), _ = review.list_decisions(conn, limit=1)
    review.undo_decision(conn, decision["id"])
    assert pending_table(workspace) == before
