"""Statistics, suggestions and the graph are kept between requests only until the database changes."""

from __future__ import annotations

from kithkin.store import db, people

API = "/api/crm"


def test_cached_reads_follow_every_commit_of_any_connection(client, filled):
    before = client.get(f"{API}/statistics").json()["people"]
    nodes = len(client.get(f"{API}/graph").json()["nodes"])
    assert client.get(f"{API}/statistics").json()["people"] == before  # served again, unchanged
    with db.transaction(filled.conn):  # another connection than the server's requests
        people.create_person(filled.conn, "Zed Quinn")
    assert client.get(f"{API}/statistics").json()["people"] == before + 1
    assert len(client.get(f"{API}/graph").json()["nodes"]) == nodes + 1
    assert len(client.get(f"{API}/graph", params={"limit": 1}).json()["nodes"]) == 1


def test_a_request_that_writes_is_seen_by_the_next_cached_read(client):
    listed = client.get(f"{API}/people", params={"q": "ana silva"}).json()["items"][0]
    strongest = client.get(f"{API}/graph").json()["nodes"]
    assert listed["id"] in {n["id"] for n in strongest}
    renamed = client.patch(f"{API}/people/{listed['id']}", json={"canonical_name": "Ana Renamed"})
    assert renamed.status_code == 200
    names = {n["id"]: n["canonical_name"] for n in client.get(f"{API}/graph").json()["nodes"]}
    assert names[listed["id"]] == "Ana Renamed"
