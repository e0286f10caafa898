"""GET/PATCH /people, person detail, merge and split over a home filled through ingest."""

from __future__ import annotations

from tests.api.conftest import ANA_NUMBER, BOB_NUMBER, number_person, person_named

API = "/api/crm"


def names(response) -> list[str]:
    return [p["canonical_name"] for p in response.json()["items"]]


def test_people_sorted_by_name_with_total_and_pages(client):
    response = client.get(f"{API}/people", params={"sort": "name"})
    assert response.status_code == 200
    assert response.json()["total"] == 6
    # People nobody named yet (known by a number) come after the named ones.
    assert names(response) == ["Ana Silva", "Bob Jones", "Carol King", "Dan Brown", ANA_NUMBER, BOB_NUMBER]
    unnamed = response.json()["items"][4]
    assert (unnamed["display_name"], unnamed["named"]) == ("+1 415-555-0123", False)
    assert (response.json()["items"][0]["display_name"], response.json()["items"][0]["named"]) == ("Ana Silva", True)
    page = client.get(f"{API}/people", params={"sort": "name", "limit": 2, "offset": 2})
    assert names(page) == ["Carol King", "Dan Brown"] and page.json()["total"] == 6


def test_people_sorted_by_last_seen_newest_first(client):
    listed = client.get(f"{API}/people", params={"sort": "last_seen"}).json()["items"]
    assert [p["last_seen"] for p in listed] == sorted((p["last_seen"] for p in listed), reverse=True)
    assert listed[0]["canonical_name"] == "Dan Brown"


def test_people_sorted_by_strength_strongest_first(client):
    listed = client.get(f"{API}/people", params={"sort": "strength"}).json()["items"]
    strengths = [p["relationship_strength"] for p in listed]
    assert strengths == sorted(strengths, reverse=True)
    assert all(0 <= s <= 1 for s in strengths)


def test_search_matches_names_emails_phones_and_companies(client):
    assert names(client.get(f"{API}/people", params={"q": "carol"})) == ["Carol King"]
    assert names(client.get(f"{API}/people", params={"q": "ana@x.org"})) == ["Ana Silva"]
    assert names(client.get(f"{API}/people", params={"q": "4155550125"})) == ["Dan Brown"]
    assert names(client.get(f"{API}/people", params={"q": "acme"})) == ["Bob Jones"]
    nobody = client.get(f"{API}/people", params={"q": "zebra"}).json()
    assert nobody == {"items": [], "total": 0}


def test_filters_by_source_pending_category_and_tag(client):
    whatsapp = client.get(f"{API}/people", params={"source": "whatsapp", "sort": "name"})
    assert names(whatsapp) == ["Dan Brown", ANA_NUMBER, BOB_NUMBER]
    pending = client.get(f"{API}/people", params={"pending": True, "sort": "name"}).json()["items"]
    assert [(p["canonical_name"], p["sources"]) for p in pending] == [("Ana Silva", ["mail"]), ("Bob Jones", ["mail"])]
    assert client.get(f"{API}/people", params={"pending": False}).json()["total"] == 4
    carol = person_named(client, "Carol King")
    client.patch(f"{API}/people/{carol['id']}", json={"category": "family", "tags": ["book club"]})
    assert names(client.get(f"{API}/people", params={"category": "family"})) == ["Carol King"]
    assert names(client.get(f"{API}/people", params={"tag": "book club"})) == ["Carol King"]
    assert client.get(f"{API}/people", params={"tag": "chess"}).json()["total"] == 0


def test_person_detail_has_entities_pending_links_and_relationships(client):
    ana = person_named(client, "Ana Silva")
    detail = client.get(f"{API}/people/{ana['id']}").json()
    assert detail["emails"] == ["ana@x.org"] and detail["interaction_count"] == 1
    assert [(e["source_type"], e["observed_email"], e["link_status"]) for e in detail["source_entities"]] == [
        ("mail", "ana@x.org", "auto")
    ]
    (link,) = detail["pending_links"]
    assert link["reason"] == "shared_thread" and link["status"] == "pending"
    assert link["source_entity"]["observed_phone"] == ANA_NUMBER
    assert link["proposed_person"]["id"] == ana["id"]
    assert link["previous_person"]["phone_numbers"] == [ANA_NUMBER]
    assert [a["person"]["canonical_name"] for a in link["alternatives"]] == ["Carol King"]
    assert isinstance(detail["relationships"], list)


def test_patch_edits_and_locks_name(client):
    dan = person_named(client, "Dan Brown")
    response = client.patch(
        f"{API}/people/{dan['id']}", json={"canonical_name": "Daniel Brown", "notes": "met at PyCon", "tags": ["py"]}
    )
    assert response.status_code == 200
    body = response.json()
    assert (body["canonical_name"], body["notes"], body["tags"]) == ("Daniel Brown", "met at PyCon", ["py"])
    assert names(client.get(f"{API}/people", params={"q": "daniel"})) == ["Daniel Brown"]


def test_patch_errors(client):
    dan = person_named(client, "Dan Brown")
    missing = client.patch(f"{API}/people/p_nobody", json={"notes": "x"})
    assert (missing.status_code, missing.json()) == (404, {"detail": "There is no person p_nobody."})
    extra = client.patch(f"{API}/people/{dan['id']}", json={"shoe_size": 44})
    assert extra.status_code == 422 and extra.json()["detail"].startswith("shoe_size")
    empty_name = client.patch(f"{API}/people/{dan['id']}", json={"canonical_name": ""})
    assert empty_name.status_code == 422


def test_list_parameter_errors_are_422(client):
    for params in ({"limit": 0}, {"limit": 501}, {"offset": -1}, {"sort": "age"}, {"pending": "maybe"}):
        response = client.get(f"{API}/people", params=params)
        assert response.status_code == 422, params
        assert isinstance(response.json()["detail"], str)


def ana_and_her_number(client) -> tuple[dict, dict]:
    return person_named(client, "Ana Silva"), number_person(client, ANA_NUMBER)


def test_merge_moves_identities_notes_and_tags_and_split_takes_them_apart(client):
    mail, whatsapp = ana_and_her_number(client)
    client.patch(f"{API}/people/{whatsapp['id']}", json={"notes": "met in Lisbon", "tags": ["travel"]})
    merged = client.post(f"{API}/people/{mail['id']}/merge", json={"other_id": whatsapp["id"]})
    assert merged.status_code == 200
    ana = merged.json()
    assert (ana["emails"], ana["phone_numbers"], ana["sources"]) == (
        ["ana@x.org"],
        [ANA_NUMBER],
        ["mail", "whatsapp"],
    )
    assert (ana["notes"], ana["tags"]) == ("met in Lisbon", ["travel"])
    assert sorted(e["source_type"] for e in ana["source_entities"]) == ["mail", "whatsapp"]
    assert client.get(f"{API}/people/{whatsapp['id']}").json()["merged_into"] == mail["id"]
    assert client.get(f"{API}/people").json()["total"] == 5

    moved = next(e["id"] for e in ana["source_entities"] if e["source_type"] == "whatsapp")
    split = client.post(f"{API}/people/{mail['id']}/split", json={"source_entity_ids": [moved]})
    assert split.status_code == 201
    new = split.json()
    assert new["id"] not in (mail["id"], whatsapp["id"])
    assert (new["canonical_name"], new["phone_numbers"], new["sources"]) == (ANA_NUMBER, [ANA_NUMBER], ["whatsapp"])
    assert client.get(f"{API}/people/{mail['id']}").json()["sources"] == ["mail"]


def test_merge_errors(client):
    mail, whatsapp = ana_and_her_number(client)
    missing = client.post(f"{API}/people/{mail['id']}/merge", json={"other_id": "p_nobody"})
    assert (missing.status_code, missing.json()) == (404, {"detail": "There is no person p_nobody."})
    assert client.post(f"{API}/people/p_nobody/merge", json={"other_id": mail["id"]}).status_code == 404
    itself = client.post(f"{API}/people/{mail['id']}/merge", json={"other_id": mail["id"]})
    assert itself.status_code == 409
    assert itself.json() == {"detail": "A person cannot be merged into themselves; choose another person."}
    assert client.post(f"{API}/people/{mail['id']}/merge", json={"other_id": whatsapp["id"]}).status_code == 200
    again = client.post(f"{API}/people/{mail['id']}/merge", json={"other_id": whatsapp["id"]})
    assert (again.status_code, again.json()) == (
        409,
        {"detail": f"{ANA_NUMBER} was already merged into another person."},
    )
    assert client.post(f"{API}/people/{mail['id']}/merge", json={}).status_code == 422


def test_split_errors(client):
    mail, whatsapp = ana_and_her_number(client)
    own = client.get(f"{API}/people/{mail['id']}").json()["source_entities"][0]["id"]
    stranger = client.get(f"{API}/people/{whatsapp['id']}").json()["source_entities"][0]["id"]
    everything = client.post(f"{API}/people/{mail['id']}/split", json={"source_entity_ids": [own]})
    assert everything.status_code == 409
    assert everything.json()["detail"].startswith("Splitting off every source entity would leave nobody behind")
    not_theirs = client.post(f"{API}/people/{mail['id']}/split", json={"source_entity_ids": [stranger]})
    assert (not_theirs.status_code, not_theirs.json()) == (
        409,
        {"detail": f"Source entity {stranger} is not linked to Ana Silva."},
    )
    assert client.post(f"{API}/people/p_nobody/split", json={"source_entity_ids": [own]}).status_code == 404
    assert client.post(f"{API}/people/{mail['id']}/split", json={"source_entity_ids": []}).status_code == 422
