"""Pending links: list with evidence, confirm, reject (with or without a new person), 404 and 409."""

from __future__ import annotations

from tests.api.conftest import ANA_NUMBER, BOB_NUMBER, number_person, person_named

API = "/api/crm"


def pending(client) -> list[dict]:
    response = client.get(f"{API}/pending-links")
    assert response.status_code == 200
    return response.json()["items"]


def link_for(client, number: str) -> dict:
    return next(link for link in pending(client) if link["source_entity"]["observed_phone"] == number)


def test_pending_links_list_their_entity_people_and_evidence(client):
    response = client.get(f"{API}/pending-links").json()
    assert response["total"] == 2
    ana = link_for(client, ANA_NUMBER)
    assert (ana["reason"], ana["confidence"], ana["status"]) == ("shared_thread", 0.75, "pending")
    assert ana["source_entity"]["source_type"] == "whatsapp"
    assert ana["source_entity"]["observed_name"] is None
    assert ana["proposed_person"]["emails"] == ["ana@x.org"]
    assert ana["previous_person"]["phone_numbers"] == [ANA_NUMBER]
    assert ana["evidence"] == {"thread": "Lunch?"}
    (carol,) = ana["alternatives"]
    assert (carol["confidence"], carol["reason"], carol["person"]["canonical_name"]) == (
        0.6,
        "shared_thread",
        "Carol King",
    )
    assert carol["person_id"] == carol["person"]["id"]
    assert ana["interactions_affected"] == 1


def test_pending_links_paginate(client):
    first = client.get(f"{API}/pending-links", params={"limit": 1}).json()
    second = client.get(f"{API}/pending-links", params={"limit": 1, "offset": 1}).json()
    assert first["total"] == second["total"] == 2
    assert {first["items"][0]["id"], second["items"][0]["id"]} == {link["id"] for link in pending(client)}


def test_confirm_links_the_entity_and_a_second_decision_is_409(client):
    link = link_for(client, ANA_NUMBER)
    response = client.post(f"{API}/pending-links/{link['id']}/confirm")
    assert response.status_code == 200
    assert response.json()["status"] == "confirmed"
    ana = client.get(f"{API}/people/{link['proposed_person']['id']}").json()
    assert ana["emails"] == ["ana@x.org"] and ana["phone_numbers"] == [ANA_NUMBER]
    assert sorted(ana["sources"]) == ["mail", "whatsapp"]
    assert client.get(f"{API}/people/{link['previous_person']['id']}").status_code == 404
    assert [link["source_entity"]["observed_phone"] for link in pending(client)] == [BOB_NUMBER]
    assert [c["id"] for c in client.get(f"{API}/pending-links", params={"status": "confirmed"}).json()["items"]] == [
        link["id"]
    ]
    again = client.post(f"{API}/pending-links/{link['id']}/confirm")
    assert (again.status_code, again.json()) == (409, {"detail": f"Pending link {link['id']} was already confirmed."})
    assert client.post(f"{API}/pending-links/{link['id']}/reject").status_code == 409


def test_reject_keeps_people_apart_and_is_not_proposed_again(client):
    link = link_for(client, BOB_NUMBER)
    response = client.post(f"{API}/pending-links/{link['id']}/reject", json={"create_new_person": False})
    assert response.status_code == 200 and response.json()["status"] == "rejected"
    assert person_named(client, "Bob Jones")["phone_numbers"] == []
    assert number_person(client, BOB_NUMBER)["sources"] == ["whatsapp"]
    assert [link["source_entity"]["observed_phone"] for link in pending(client)] == [ANA_NUMBER]
    rejected = client.get(f"{API}/pending-links", params={"status": "rejected"}).json()
    assert [r["id"] for r in rejected["items"]] == [link["id"]]


def test_reject_with_a_new_person_keeps_the_entity_on_its_own_person(client):
    link = link_for(client, ANA_NUMBER)
    response = client.post(f"{API}/pending-links/{link['id']}/reject", json={"create_new_person": True})
    assert response.status_code == 200
    own = client.get(f"{API}/people/{link['previous_person']['id']}").json()
    assert [e["link_status"] for e in own["source_entities"]] == ["confirmed"]


def test_unknown_link_is_404_and_bad_bodies_are_422(client):
    for action in ("confirm", "reject"):
        response = client.post(f"{API}/pending-links/pl_nope/{action}")
        assert (response.status_code, response.json()) == (404, {"detail": "There is no pending link pl_nope."})
    link = link_for(client, ANA_NUMBER)
    bad = client.post(f"{API}/pending-links/{link['id']}/reject", json={"create_new_person": "perhaps"})
    assert bad.status_code == 422
    assert client.get(f"{API}/pending-links", params={"status": "lost"}).status_code == 422


def test_bulk_confirm_confirms_what_matches(client):
    assert client.post(f"{API}/pending-links/bulk-confirm", json={"reason": "email_match"}).json() == {"confirmed": 0}
    assert client.post(f"{API}/pending-links/bulk-confirm", json={"min_confidence": 0.9}).json() == {"confirmed": 0}
    response = client.post(f"{API}/pending-links/bulk-confirm", json={"reason": "shared_thread", "min_confidence": 0.7})
    assert (response.status_code, response.json()) == (200, {"confirmed": 1})
    assert [link["source_entity"]["observed_phone"] for link in pending(client)] == [BOB_NUMBER]
    assert client.post(f"{API}/pending-links/bulk-confirm", json={"min_confidence": 0.6}).json() == {"confirmed": 1}
    assert pending(client) == []
    assert client.get(f"{API}/people").json()["total"] == 4
    assert client.post(f"{API}/pending-links/bulk-confirm", json={"min_confidence": 2}).status_code == 422


def test_decisions_are_listed_newest_first_and_undone_once(client):
    link = link_for(client, ANA_NUMBER)
    client.post(f"{API}/pending-links/{link['id']}/confirm")
    bob = link_for(client, BOB_NUMBER)
    client.post(f"{API}/pending-links/{bob['id']}/reject")
    decisions = client.get(f"{API}/decisions").json()
    assert decisions["total"] == 2
    assert [(d["action"], d["pending_link_id"]) for d in decisions["items"]] == [
        ("reject", bob["id"]),
        ("confirm", link["id"]),
    ]
    confirm = decisions["items"][1]
    assert (confirm["source_type"], confirm["person_name"], confirm["undone_at"]) == ("whatsapp", "Ana Silva", None)

    undone = client.post(f"{API}/decisions/{confirm['id']}/undo")
    assert undone.status_code == 200 and undone.json()["undone_at"] is not None
    number = client.get(f"{API}/people/{link['previous_person']['id']}").json()
    assert number["phone_numbers"] == [ANA_NUMBER] and number["sources"] == ["whatsapp"]
    assert [link["source_entity"]["observed_phone"] for link in pending(client)] == [ANA_NUMBER]
    again = client.post(f"{API}/decisions/{confirm['id']}/undo")
    assert (again.status_code, again.json()) == (409, {"detail": f"Decision {confirm['id']} was already undone."})
    missing = client.post(f"{API}/decisions/999999/undo")
    assert (missing.status_code, missing.json()) == (404, {"detail": "There is no decision 999999."})
    assert client.post(f"{API}/decisions/first/undo").status_code == 422


def test_a_merge_is_undone_from_the_log(client):
    ana, number = person_named(client, "Ana Silva"), number_person(client, ANA_NUMBER)
    client.post(f"{API}/people/{ana['id']}/merge", json={"other_id": number["id"]})
    (merge,) = client.get(f"{API}/decisions").json()["items"]
    assert (merge["action"], merge["person_id"], merge["other_person_id"]) == ("merge", ana["id"], number["id"])
    assert client.post(f"{API}/decisions/{merge['id']}/undo").status_code == 200
    assert client.get(f"{API}/people/{number['id']}").json()["merged_into"] is None
    assert client.get(f"{API}/people/{ana['id']}").json()["sources"] == ["mail"]
