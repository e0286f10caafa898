"""The API's foundation: people list and detail, statistics, and the 404/422 bodies."""

from __future__ import annotations

from fastapi.testclient import TestClient

from kithkin.api.app import create_app
from tests.helpers import at, feed, message, person


def client_for(workspace) -> TestClient:
    return TestClient(create_app(workspace=workspace))


def test_people_list_detail_and_statistics(workspace):
    feed(workspace, "mail", [message("m1", at(1), person("ana@x.org", "Ana Silva", "ana@x.org"))])
    client = client_for(workspace)
    listed = client.get("/api/crm/people").json()
    assert listed["total"] == 1
    (ana,) = listed["items"]
    assert ana["canonical_name"] == "Ana Silva"
    assert ana["emails"] == ["ana@x.org"]
    detail = client.get(f"/api/crm/people/{ana['id']}").json()
    assert [e["observed_email"] for e in detail["source_entities"]] == ["ana@x.org"]
    assert detail["pending_links"] == [] and detail["relationships"] == []
    stats = client.get("/api/crm/statistics").json()
    assert (stats["people"], stats["interactions"]) == (1, 1)


def test_unknown_person_is_404_with_detail(workspace):
    response = client_for(workspace).get("/api/crm/people/p_missing")
    assert response.status_code == 404
    assert response.json() == {"detail": "There is no person p_missing."}


def test_bad_parameters_are_422_with_detail(workspace):
    client = client_for(workspace)
    response = client.get("/api/crm/people", params={"limit": 0})
    assert response.status_code == 422
    assert response.json()["detail"].startswith("limit: ")
    response = client.get("/api/crm/people", params={"sort": "shoe size"})
    assert response.status_code == 422


def test_root_redirects_to_the_ui(workspace):
    response = client_for(workspace).get("/", follow_redirects=False)
    assert response.status_code in (302, 307)
    assert response.headers["location"] == "/crm"
    assert client_for(workspace).get("/crm/").status_code == 200
