"""GET /meetings/upcoming and /meetings/{id}/brief over a home filled through ingest."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from fastapi.testclient import TestClient

from kithkin.api.app import create_app
from kithkin.models import Identity, Observation
from kithkin.workspace import Workspace
from tests.helpers import at, feed, message, person

OWNER = Identity(source_id="me@example.org", name="Owner Person", emails=("me@example.org",), role="organizer")


def meeting(source_id: str, when: datetime, title: str, *guests: Identity) -> Observation:
    invited = [Identity(g.source_id, g.name, g.emails, role="attendee") for g in guests]
    return Observation(
        source_id=source_id, kind="meeting", occurred_at=when, participants=[OWNER, *invited], title=title
    )


@pytest.fixture
def client(workspace: Workspace) -> Iterator[TestClient]:
    """Ana mailed the owner in March 2024; a planning meeting with Ana and Zed is two days ahead, and
    a retro with Ana five days ahead."""
    ana = person("ana@x.org", "Ana Silva", "ana@x.org")
    zed = person("zed@new.org", "Zed Quist", "zed@new.org")
    owner = Identity(source_id="me@example.org", name="Owner Person", emails=("me@example.org",), role="to")
    feed(workspace, "mail", [message("m1", at(1), ana, owner, kind="email", title="Agenda ideas")])
    soon = datetime.now(UTC).replace(microsecond=0) + timedelta(days=2)
    feed(
        workspace,
        "calendar",
        [
            meeting("past", at(2), "Kick-off", ana),
            meeting("plan", soon, "Planning", ana, zed),
            meeting("retro", soon + timedelta(days=3), "Retro", ana),
        ],
    )
    with TestClient(create_app(workspace=workspace)) as test_client:
        yield test_client


def test_upcoming_lists_future_meetings_soonest_first_with_ids_as_text(client: TestClient) -> None:
    body = client.get("/api/crm/meetings/upcoming").json()
    assert body["total"] == 2
    assert [(m["title"], m["attendee_count"], m["attendee_names"]) for m in body["items"]] == [
        ("Planning", 2, ["Ana Silva", "Zed Quist"]),
        ("Retro", 1, ["Ana Silva"]),
    ]
    assert all(m["id"].isdigit() for m in body["items"])


def test_brief_knows_ana_from_the_past_and_flags_zed_as_new(client: TestClient) -> None:
    planning = client.get("/api/crm/meetings/upcoming").json()["items"][0]
    brief = client.get(f"/api/crm/meetings/{planning['id']}/brief").json()
    assert brief["title"] == "Planning"
    ana, zed = brief["attendees"]
    assert (ana["name"], ana["known"], ana["last_contact"]) == ("Ana Silva", True, "2024-03-02T12:00:00Z")
    assert [i["title"] for i in ana["recent_interactions"]] == ["Kick-off", "Agenda ideas"]
    assert ana["person"]["emails"] == ["ana@x.org"]
    assert ana["how_you_know"] == "First in touch on 2024-03-01 by mail (Agenda ideas); known through calendar, mail."
    assert [(f["kind"], f["value"], f["source_type"]) for f in ana["facts"] if f["kind"] == "met"] == [
        ("met", "2024-03-01 via mail: Agenda ideas", "mail")
    ]
    assert (zed["name"], zed["known"], zed["recent_interactions"]) == ("Zed Quist", False, [])
    assert (zed["how_you_know"], zed["facts"]) == (None, [])


def test_a_brief_for_no_meeting_is_404(client: TestClient) -> None:
    response = client.get("/api/crm/meetings/12345/brief")
    assert response.status_code == 404
    assert response.json() == {"detail": "There is no meeting 12345."}


def test_a_weekly_series_is_listed_once_with_its_next_occurrence(client: TestClient, workspace: Workspace) -> None:
    ana = person("ana@x.org", "Ana Silva", "ana@x.org")
    start = datetime.now(UTC).replace(microsecond=0) + timedelta(days=1)
    weekly = [meeting(f"team/{i}", start + timedelta(weeks=i), "Team weekly", ana) for i in range(4)]
    for occurrence in weekly:
        occurrence.metadata = {"uid": "team", "recurring": True}
    feed(workspace, "calendar", weekly)
    body = client.get("/api/crm/meetings/upcoming").json()
    assert body["total"] == 3
    assert [(m["title"], m["recurring"], m["series_ahead"]) for m in body["items"]] == [
        ("Team weekly", True, 4),
        ("Planning", False, 1),
        ("Retro", False, 1),
    ]


def test_the_brief_has_the_notes_that_mention_an_attendee_and_the_people_they_know(
    client: TestClient, workspace: Workspace
) -> None:
    ana = person("ana@x.org", "Ana Silva", "ana@x.org")
    bob = person("bob@x.org", "Bob Jones", "bob@x.org")
    note = Observation(
        source_id="Notes/Ana.md",
        kind="note",
        occurred_at=at(5),
        participants=[Identity(ana.source_id, ana.name, ana.emails, role="mentioned")],
        title="Ana",
        snippet="Ana loves climbing.",
    )
    feed(workspace, "vault", [note])
    thread = message("t1", at(6), bob, OWNER, ana, kind="email", title="Intro")
    feed(workspace, "mail", [thread])
    planning = client.get("/api/crm/meetings/upcoming").json()["items"][0]
    ana_brief = client.get(f"/api/crm/meetings/{planning['id']}/brief").json()["attendees"][0]
    assert [(m["title"], m["snippet"], m["source_type"]) for m in ana_brief["mentions"]] == [
        ("Ana", "Ana loves climbing.", "vault")
    ]
    assert ana_brief["shared_people"] == ["Bob Jones"]
