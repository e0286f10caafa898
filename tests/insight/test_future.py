"""Future interactions (meetings ahead) are not contact: they never count in a person's figures, strength,
timeline or facts, and show apart as next_seen / upcoming until the clock passes them."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from fastapi.testclient import TestClient

from kithkin.api.app import create_app
from kithkin.insight import facts
from kithkin.insight.strength import update_strengths
from kithkin.models import Identity, Observation, utc_iso
from kithkin.store import db, people
from kithkin.workspace import Workspace
from tests.helpers import feed, message, person

OWNER = Identity(source_id="me@example.org", name="Owner Person", emails=("me@example.org",), role="to")
NOW = datetime.now(UTC).replace(microsecond=0)
PAST = NOW - timedelta(days=10)
AHEAD = NOW + timedelta(days=3)


def weekly(source_id: str, when: datetime, *attendees: Identity) -> Observation:
    invited = [Identity(a.source_id, a.name, a.emails, role="attendee") for a in attendees]
    organizer = Identity(OWNER.source_id, OWNER.name, OWNER.emails, role="organizer")
    return Observation(
        source_id=source_id, kind="meeting", occurred_at=when, participants=[organizer, *invited], title="Team weekly"
    )


@pytest.fixture
def ana_id(workspace: Workspace) -> str:
    """Ana: one email ten days ago, then a weekly meeting series whose four occurrences are all ahead."""
    ana = person("ana@x.org", "Ana Silva", "ana@x.org")
    feed(workspace, "mail", [message("m1", PAST, ana, OWNER, kind="email", title="Hello")])
    feed(workspace, "calendar", [weekly(f"w{i}", AHEAD + timedelta(weeks=i), ana) for i in range(4)])
    (found,), _ = people.list_people(workspace.conn, q="Ana")
    return found["id"]


def test_meetings_ahead_are_not_counted_as_contact(workspace: Workspace, ana_id: str) -> None:
    ana = people.get_person(workspace.conn, ana_id)
    assert ana is not None
    assert (ana["interaction_count"], ana["first_seen"], ana["last_seen"]) == (1, utc_iso(PAST), utc_iso(PAST))
    assert ana["next_seen"] == utc_iso(AHEAD)
    assert ana["interactions_90d"] == 1


def test_figures_are_rebuilt_without_the_future_too(workspace: Workspace, ana_id: str) -> None:
    with db.transaction(workspace.conn):
        people.refresh_people(workspace.conn, [ana_id])
    ana = people.get_person(workspace.conn, ana_id)
    assert ana is not None
    assert (ana["interaction_count"], ana["last_seen"], ana["next_seen"]) == (1, utc_iso(PAST), utc_iso(AHEAD))


def test_a_meeting_that_has_happened_counts_from_then_on(workspace: Workspace, ana_id: str) -> None:
    later = AHEAD + timedelta(weeks=1, hours=1)  # two of the four occurrences are behind by then
    with db.transaction(workspace.conn):
        update_strengths(workspace.conn, [], now=later)
    ana = people.get_person(workspace.conn, ana_id)
    assert ana is not None
    assert ana["interaction_count"] == 3
    assert ana["last_seen"] == utc_iso(AHEAD + timedelta(weeks=1))
    assert ana["next_seen"] == utc_iso(AHEAD + timedelta(weeks=2))
    assert ana["interactions_90d"] == 3


def test_last_seen_sort_puts_the_latest_past_contact_first(workspace: Workspace, ana_id: str) -> None:
    bob = person("bob@y.org", "Bob Jones", "bob@y.org")
    feed(workspace, "mail", [message("m2", NOW - timedelta(days=1), bob, OWNER, kind="email")])
    found, _ = people.list_people(workspace.conn, sort="last_seen")
    assert [p["canonical_name"] for p in found] == ["Bob Jones", "Ana Silva"]


def test_facts_read_only_what_happened(workspace: Workspace, ana_id: str) -> None:
    found = {(f["kind"], f["value"]) for f in facts.extract(workspace.conn, ana_id)}
    assert found == {("met", f"{utc_iso(PAST)[:10]} via mail: Hello"), ("last_topic", "Hello")}


@pytest.fixture
def client(workspace: Workspace, ana_id: str) -> Iterator[TestClient]:
    with TestClient(create_app(workspace=workspace)) as test_client:
        yield test_client


def test_the_timeline_holds_the_past_and_upcoming_the_rest(client: TestClient, ana_id: str) -> None:
    timeline = client.get(f"/api/crm/people/{ana_id}/timeline").json()
    assert [(i["title"], i["occurred_at"]) for i in timeline["items"]] == [("Hello", utc_iso(PAST))]
    assert timeline["total"] == 1
    upcoming = client.get(f"/api/crm/people/{ana_id}/upcoming", params={"limit": 2}).json()
    assert [(i["title"], i["occurred_at"]) for i in upcoming["items"]] == [
        ("Team weekly", utc_iso(AHEAD)),
        ("Team weekly", utc_iso(AHEAD + timedelta(weeks=1))),
    ]
    assert upcoming["total"] == 4
    detail = client.get(f"/api/crm/people/{ana_id}").json()
    assert (detail["last_seen"], detail["next_seen"]) == (utc_iso(PAST), utc_iso(AHEAD))


def pair_row(workspace: Workspace, a: str, b: str) -> tuple | None:
    return workspace.conn.execute(
        """SELECT r.shared_events_count, r.first_seen_together, r.last_seen_together FROM relationships r
           JOIN people pa ON pa.id = r.person_a_id JOIN people pb ON pb.id = r.person_b_id
           WHERE (pa.canonical_name, pb.canonical_name) IN ((?, ?), (?, ?))""",
        (a, b, b, a),
    ).fetchone()


def test_a_meeting_ahead_ties_no_one_until_it_has_happened(workspace: Workspace) -> None:
    from kithkin.insight.relationships import count_what_has_happened, recompute_all

    ana, ben = person("ana@x.org", "Ana Silva", "ana@x.org"), person("ben@y.org", "Ben Okafor", "ben@y.org")
    feed(workspace, "calendar", [weekly("past", PAST, ana, ben), weekly("ahead", AHEAD, ana, ben)])
    assert tuple(pair_row(workspace, "Ana Silva", "Ben Okafor")) == (1, utc_iso(PAST), utc_iso(PAST))
    # A recount gives the same: only what has happened.
    with db.transaction(workspace.conn):
        recompute_all(workspace.conn, workspace.settings)
    assert tuple(pair_row(workspace, "Ana Silva", "Ben Okafor")) == (1, utc_iso(PAST), utc_iso(PAST))
    # Once the clock passes the meeting, it counts.
    with db.transaction(workspace.conn):
        count_what_has_happened(workspace.conn, workspace.settings, utc_iso(AHEAD + timedelta(hours=1)))
    assert tuple(pair_row(workspace, "Ana Silva", "Ben Okafor")) == (2, utc_iso(PAST), utc_iso(AHEAD))


def test_a_database_that_counted_meetings_ahead_is_recounted_once(workspace: Workspace) -> None:
    from kithkin.insight.relationships import count_what_has_happened, recompute_all
    from kithkin.store import relationships

    ana, ben = person("ana@x.org", "Ana Silva", "ana@x.org"), person("ben@y.org", "Ben Okafor", "ben@y.org")
    feed(workspace, "calendar", [weekly("past", PAST, ana, ben), weekly("ahead", AHEAD, ana, ben)])
    with db.transaction(workspace.conn):  # counted as before migration 0013, which marks such a database so
        relationships.set_counted_until(workspace.conn, "9999-12-31T23:59:59Z")
        recompute_all(workspace.conn, workspace.settings)
    assert pair_row(workspace, "Ana Silva", "Ben Okafor")[0] == 2
    with db.transaction(workspace.conn):
        count_what_has_happened(workspace.conn, workspace.settings)
    assert tuple(pair_row(workspace, "Ana Silva", "Ben Okafor")) == (1, utc_iso(PAST), utc_iso(PAST))
