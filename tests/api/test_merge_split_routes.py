"""POST /people/{id}/split and /people/{id}/merge over a home filled through ingest."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from kithkin.api.app import create_app
from kithkin.models import Identity
from kithkin.workspace import Workspace
from tests.helpers import at, feed, message, person

OWNER = Identity(source_id="me@example.org", name="Owner Person", emails=("me@example.org",), role="to")


@pytest.fixture
def client(workspace: Workspace) -> Iterator[TestClient]:
    """Ana by mail and by WhatsApp (one person, two entities); 'A. Silva' alone on Signal."""
    feed(workspace, "mail", [message("m1", at(1), person("ana@x.org", "Ana Silva", "ana@x.org"), OWNER, kind="email")])
    both = person("+14155550123", "Ana Silva", "ana@x.org", "+14155550123")
    feed(workspace, "whatsapp", [message("w1", at(2), both, OWNER)])
    feed(workspace, "signal", [message("s1", at(3), person("+14155550999", "A. Silva", phone="+14155550999"), OWNER)])
    with TestClient(create_app(workspace=workspace)) as test_client:
        yield test_client


def find(client: TestClient, name: str) -> dict:
    return next(
        p for p in client.get("/api/crm/people", params={"limit": 50}).json()["items"] if p["canonical_name"] == name
    )


def test_split_moves_the_chosen_identity_to_a_new_person(client: TestClient) -> None:
    ana = client.get(f"/api/crm/people/{find(client, 'Ana Silva')['id']}").json()
    whatsapp = next(e["id"] for e in ana["source_entities"] if e["source_type"] == "whatsapp")
    response = client.post(f"/api/crm/people/{ana['id']}/split", json={"source_entity_ids": [whatsapp]})
    assert response.status_code == 201
    created = response.json()
    assert created["id"] != ana["id"]
    assert [(e["id"], e["link_status"]) for e in created["source_entities"]] == [(whatsapp, "confirmed")]
    assert created["phone_numbers"] == ["+14155550123"]
    left = client.get(f"/api/crm/people/{ana['id']}").json()
    assert [e["source_type"] for e in left["source_entities"]] == ["mail"]


def test_split_refuses_to_empty_a_person_or_take_a_strangers_identity(client: TestClient) -> None:
    ana = client.get(f"/api/crm/people/{find(client, 'Ana Silva')['id']}").json()
    every = [e["id"] for e in ana["source_entities"]]
    emptied = client.post(f"/api/crm/people/{ana['id']}/split", json={"source_entity_ids": every})
    assert emptied.status_code == 409
    assert emptied.json()["detail"] == (
        "Splitting off every source entity would leave nobody behind; keep at least one."
    )
    other = client.get(f"/api/crm/people/{find(client, 'A. Silva')['id']}").json()["source_entities"][0]["id"]
    stranger = client.post(f"/api/crm/people/{ana['id']}/split", json={"source_entity_ids": [other]})
    assert stranger.status_code == 409
    assert stranger.json()["detail"] == f"Source entity {other} is not linked to Ana Silva."
    missing = client.post("/api/crm/people/p_missing/split", json={"source_entity_ids": [other]})
    assert missing.status_code == 404


def test_merge_moves_identities_notes_and_tags_and_hides_the_other(client: TestClient) -> None:
    ana, alias = find(client, "Ana Silva"), find(client, "A. Silva")
    client.patch(f"/api/crm/people/{ana['id']}", json={"notes": "Met in Lisbon.", "tags": ["friends"]})
    client.patch(f"/api/crm/people/{alias['id']}", json={"notes": "Signal only.", "tags": ["climbing", "friends"]})
    merged = client.post(f"/api/crm/people/{ana['id']}/merge", json={"other_id": alias["id"]})
    assert merged.status_code == 200
    body = merged.json()
    assert sorted(e["source_type"] for e in body["source_entities"]) == ["mail", "signal", "whatsapp"]
    assert (body["notes"], body["tags"]) == ("Met in Lisbon.\n\nSignal only.", ["friends", "climbing"])
    assert [p["canonical_name"] for p in client.get("/api/crm/people").json()["items"]] == ["Ana Silva"]
    again = client.post(f"/api/crm/people/{ana['id']}/merge", json={"other_id": alias["id"]})
    assert again.status_code == 409
    assert again.json()["detail"] == "A. Silva was already merged into another person."
    itself = client.post(f"/api/crm/people/{ana['id']}/merge", json={"other_id": ana["id"]})
    assert itself.status_code == 409
