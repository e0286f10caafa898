"""GET /people/{id}/timeline: every source, newest first, cursor pages, source filter, participants."""

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
    """Ana: five emails (two at the same minute, one with Bob copied) and two WhatsApp messages."""
    ana = person("ana@x.org", "Ana Silva", "ana@x.org")
    bob = person("bob@y.org", "Bob Jones", "bob@y.org")
    bob.role = "cc"
    feed(
        workspace,
        "mail",
        [
            message("m1", at(1), ana, OWNER, kind="email", title="One"),
            message("m2", at(2), ana, OWNER, kind="email", title="Two"),
            message("m3", at(3), ana, OWNER, kind="email", title="Three a"),
            message("m4", at(3), ana, OWNER, kind="email", title="Three b"),
            message("m5", at(4), ana, OWNER, bob, kind="email", title="Four"),
        ],
    )
    phone = person("+14155550123", "Ana Silva", "ana@x.org", "+14155550123")
    feed(workspace, "whatsapp", [message("w1", at(5), phone, OWNER, snippet="hi"), message("w2", at(6), phone, OWNER)])
    app = create_app(workspace=workspace)
    with TestClient(app) as test_client:
        yield test_client


def ana_id(client: TestClient) -> str:
    return client.get("/api/crm/people", params={"q": "ana"}).json()["items"][0]["id"]


def test_pages_walk_every_interaction_newest_first_without_repeats(client: TestClient) -> None:
    url = f"/api/crm/people/{ana_id(client)}/timeline"
    seen, cursor = [], None
    while True:
        page = client.get(url, params={"limit": 2, "before": cursor}).json()
        assert page["total"] == 7
        seen += [(item["source_type"], item["title"] or item["snippet"]) for item in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert [title for _, title in seen[:3]] == [None, "hi", "Four"]
    assert sorted(t for s, t in seen if s == "mail") == ["Four", "One", "Three a", "Three b", "Two"]
    assert len(seen) == 7


def test_source_filter_and_participants(client: TestClient) -> None:
    page = client.get(f"/api/crm/people/{ana_id(client)}/timeline", params={"source": "mail", "limit": 1}).json()
    assert page["total"] == 5
    [four] = page["items"]
    assert four["title"] == "Four"
    assert sorted((p["observed_name"], p["role"]) for p in four["participants"]) == [
        ("Ana Silva", "from"),
        ("Bob Jones", "cc"),
        ("Owner Person", "to"),
    ]


def test_a_bare_time_works_as_before_and_a_bad_cursor_or_person_is_refused(client: TestClient) -> None:
    url = f"/api/crm/people/{ana_id(client)}/timeline"
    older = client.get(url, params={"before": at(3).strftime("%Y-%m-%dT%H:%M:%SZ")}).json()
    assert [item["title"] for item in older["items"]] == ["Two", "One"]
    refused = client.get(url, params={"before": "2024-03-01|not-a-number"})
    assert refused.status_code == 422
    assert refused.json() == {"detail": "before: use the next_cursor of the previous page or an ISO time."}
    assert client.get("/api/crm/people/p_missing/timeline").status_code == 404
