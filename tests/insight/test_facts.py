"""Quick facts, each with the source it was read from, through the CLI and the API."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from fastapi.testclient import TestClient
from typer.testing import CliRunner

from kithkin.api.app import create_app
from kithkin.cli import app
from kithkin.models import Identity, Observation
from tests.helpers import feed


def test_facts_from_cards_meetings_and_notes(workspace):
    ana = dict(source_id="ana@x.org", name="Ana Silva", emails=("ana@x.org",))
    feed(
        workspace,
        "linkedin",
        [
            Observation(
                source_id="li",
                kind="contact",
                occurred_at=datetime(2021, 5, 1, tzinfo=UTC),
                participants=[
                    Identity(**ana, role="card", metadata={"company": "Bluefin Studio", "position": "Designer"})
                ],
            )
        ],
    )
    feed(
        workspace,
        "contacts",
        [
            Observation(
                source_id="card",
                kind="contact",
                occurred_at=datetime(2023, 1, 1, tzinfo=UTC),
                participants=[
                    Identity(
                        **ana,
                        role="card",
                        metadata={"company": "Northwind Labs", "birthday": "1990-03-14", "location": "Lisbon"},
                    )
                ],
            )
        ],
    )
    feed(
        workspace,
        "calendar",
        [
            Observation(
                source_id="m1",
                kind="meeting",
                occurred_at=datetime(2022, 2, 2, 10, tzinfo=UTC),
                title="Coffee at the fair",
                participants=[Identity(**ana, role="attendee")],
            )
        ],
    )
    feed(
        workspace,
        "mail",
        [
            Observation(
                source_id=f"e{i}",
                kind="email",
                occurred_at=datetime(2024, 1, i, tzinfo=UTC),
                title=f"Subject {i}",
                participants=[Identity(**ana, role="from")],
            )
            for i in range(1, 6)
        ],
    )
    feed(
        workspace,
        "vault",
        [
            Observation(
                source_id="note",
                kind="note",
                occurred_at=datetime(2024, 2, 1, tzinfo=UTC),
                title="Catch-up",
                snippet="Ana loves bouldering. Her daughter Maya starts school soon.",
                participants=[Identity(**ana, role="mention")],
            )
        ],
    )

    result = CliRunner().invoke(app, ["facts", "--limit", "5", "--home", str(workspace.home), "--json"])
    assert result.exit_code == 0, result.stderr
    (entry,) = json.loads(result.stdout)["people"].values()
    facts = {(f["kind"], f["value"]): f["source_type"] for f in entry["facts"]}
    assert facts[("birthday", "1990-03-14")] == "contacts"
    assert facts[("company", "Northwind Labs")] == "contacts"
    assert facts[("past_company", "Bluefin Studio")] == "linkedin"
    assert facts[("title", "Designer")] == "linkedin"
    assert facts[("location", "Lisbon")] == "contacts"
    assert facts[("met", "2022-02-02 via calendar: Coffee at the fair")] == "calendar"
    assert [v for k, v in facts if k == "last_topic"] == ["Catch-up", "Subject 5", "Subject 4"]
    assert facts[("family", "daughter Maya")] == "vault"
    assert facts[("interest", "bouldering")] == "vault"

    person_id = next(iter(json.loads(result.stdout)["people"]))
    served = TestClient(create_app(workspace=workspace)).get(f"/api/crm/people/{person_id}/facts").json()
    assert served["total"] == len(entry["facts"])
    assert TestClient(create_app(workspace=workspace)).get("/api/crm/people/p_nope/facts").status_code == 404
