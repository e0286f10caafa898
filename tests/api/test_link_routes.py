"""Pending links: list with evidence, confirm, reject (with or without a new person), 404 and 409."""

from __future__ import annotations

API = "/api/crm"


def pending(client) -> list[dict]:
    response = client.get(f"{API}/pending-links")
    assert response.status_code == 200
    return response.json()["items"]


def link_for(client, name: str) -> dict:
    return next(link for link in pending(client) if link["source_entity"]["observed_name"] == name)


def test_pending_links_list_their_entity_people_and_evidence(client):
    response = client.get(f"{API}/pending-links").json()
    assert response["total"] == 2
    ana = link_for(client, "Ana Silva")
    assert (ana["reason"], ana["confidence"], ana["status"]) == ("name_match", 0.75, "pending")
    assert ana["source_entity"]["source_type"] == "whatsapp"
    assert ana["source_entity"]["observed_phone"] == "+14155550123"
    assert ana["proposed_person"]["emails"] == ["ana@x.org"]
    assert ana["previous_person"]["phone_numbers"] == ["+14155550123"]
    assert ana["evidence"] == {"name": "Ana Silva"}
    assert ana["alternatives"] == []
    assert ana["interactions_affected"] == 1


def test_pending_links_paginate(client):
    first = client.get(f"{API}/pending-links", params={"limit": 1}).json()
    second = client.get(f"{API}/pending-links", params={"limit": 1, "offset": 1}).json()
    assert first["total"] == second["total"] == 2
    assert {first["items"][0]["id"], second["items"][0]["id"]} == {link["id"] for link in pending(client)}


def test_confirm_links_the_entity_and_a_second_decision_is_409(client):
    link = link_for(client, "Ana Silva")
    response = client.post(f"{API}/pending-links/{link['id']}/confirm")
    assert response.status_code == 200
    assert response.json()["status"] == "confirmed"
    ana = client.get(f"{API}/people/{link['proposed_person']['id']}").json()
    assert ana["emails"] == ["ana@x.org"] and ana["phone_numbers"] == ["+14155550123"]
    assert sorted(ana["sources"]) == ["mail", "whatsapp"]
    assert client.get(f"{API}/people/{link['previous_person']['id']}").status_code == 404
    assert [link["source_entity"]["observed_name"] for link in pending(client)] == ["Bob Jones"]
    assert [c["id"] for c in client.get(f"{API}/pending-links", params={"status": "confirmed"}).json()["items"]] == [
        link["id"]
    ]
    again = client.post(f"{API}/pending-links/{link['id']}/confirm")
    assert (again.status_code, again.json()) == (409, {"detail": f"Pending link {link['id']} was already confirmed."})
    assert client.post(f"{API}/pending-links/{link['id']}/reject").status_code == 409


def test_reject_keeps_people_apart_and_is_not_proposed_again(client):
    link = link_for(client, "Bob Jones")
    response = client.post(f"{API}/pending-links/{link['id']}/reject", json={"create_new_person": False})
    assert response.status_code == 200 and response.json()["status"] == "rejected"
    bobs = client.get(f"{API}/people", params={"q": "bob jones"}).json()
    assert bobs["total"] == 2
    assert [link["source_entity"]["observed_name"] for link in pending(client)] == ["Ana Silva"]
    rejected = client.get(f"{API}/pending-links", params={"status": "rejected"}).json()
    assert [r["id"] for r in rejected["items"]] == [link["id"]]


def test_reject_with_a_new_person_keeps_the_entity_on_its_own_person(client):
    link = link_for(client, "Ana Silva")
    response = client.post(f"{API}/pending-links/{link['id']}/reject", json={"create_new_person": True})
    assert response.status_code == 200
    own = client.get(f"{API}/people/{link['previous_person']['id']}").json()
    assert [e["link_status"] for e in own["source_entities"]] == ["confirmed"]


def test_unknown_link_is_404_and_bad_bodies_are_422(client):
    for action in ("confirm", "reject"):
        response = client.post(f"{API}/pending-links/pl_nope/{action}")
        assert (response.status_code, response.json()) == (404, {"detail": "There is no pending link pl_nope."})
    link = link_for(client, "Ana Silva")
    bad = client.post(f"{API}/pending-links/{link['id']}/reject", json={"create_new_person": "perhaps"})
    assert bad.status_code == 422
    assert client.get(f"{API}/pending-links", params={"status": "lost"}).status_code == 422
