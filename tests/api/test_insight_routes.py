"""GET /statistics with each source's coverage, and `kithkin stats` showing it."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from fastapi.testclient import TestClient
from typer.testing import CliRunner

from kithkin.api.app import create_app
from kithkin.cli import app
from kithkin.models import Identity, Observation
from kithkin.store import db, links, sources
from kithkin.workspace import Workspace
from tests.helpers import at, feed, message, person

OWNER = Identity(source_id="me@example.org", name="Owner Person", emails=("me@example.org",), role="to")


def fill(workspace: Workspace) -> None:
    feed(
        workspace,
        "contacts",
        [
            Observation(
                source_id=email,
                kind="contact",
                occurred_at=datetime(2023, 1, 1, tzinfo=UTC),
                participants=[Identity(source_id=email, name=name, emails=(email,), role="card")],
            )
            for name, email in (("Ana Silva", "ana@x.org"), ("Ben Okafor", "ben@x.org"))
        ],
    )
    feed(
        workspace,
        "mail",
        [
            message("m1", at(1), person("ana@x.org", "Ana Silva", "ana@x.org"), OWNER),
            message("m2", datetime(2024, 4, 2, tzinfo=UTC), person("cy@y.org", "Cy Park", "cy@y.org"), OWNER),
        ],
    )
    conn = workspace.conn
    cy = conn.execute(
        "SELECT id, canonical_person_id FROM source_entities WHERE observed_email = 'cy@y.org'"
    ).fetchone()
    ana = conn.execute("SELECT id FROM people WHERE canonical_name = 'Ana Silva'").fetchone()[0]
    with db.transaction(conn):
        links.create_pending_link(
            conn,
            source_entity_id=cy["id"],
            proposed_person_id=ana,
            previous_person_id=cy["canonical_person_id"],
            reason="shared_thread",
            confidence=0.6,
        )
        sources.record_sync(conn, "mail", "work", cursor="2", status="ok", items=2)


def test_statistics_report_each_sources_coverage(workspace: Workspace) -> None:
    fill(workspace)
    stats = TestClient(create_app(workspace=workspace)).get("/api/crm/statistics").json()
    assert (stats["people"], stats["interactions"], stats["pending_links"]) == (3, 2, 1)
    assert stats["interactions_by_month"] == [{"month": "2024-03", "count": 1}, {"month": "2024-04", "count": 1}]
    synced = workspace.conn.execute("SELECT last_sync_at FROM sync_state WHERE source_type = 'mail'").fetchone()[0]
    assert stats["coverage"] == [
        {
            "source_type": "contacts",
            "entities": 2,
            "owner_entities": 0,
            "linked_entities": 2,
            "linked_share": 1.0,
            "pending_links": 0,
            "people": 2,
            "interactions": 0,
            "first_month": None,
            "last_month": None,
            "last_sync_at": None,
        },
        {
            "source_type": "mail",
            "entities": 3,
            "owner_entities": 1,
            "linked_entities": 2,
            "linked_share": 1.0,
            "pending_links": 1,
            "people": 2,
            "interactions": 2,
            "first_month": "2024-03",
            "last_month": "2024-04",
            "last_sync_at": synced,
        },
    ]


def test_kithkin_stats_shows_coverage(home) -> None:
    with Workspace.open(home) as workspace:
        fill(workspace)
    runner = CliRunner()
    shown = runner.invoke(app, ["stats", "--home", str(home)], env={"COLUMNS": "200"})
    assert shown.exit_code == 0
    assert "100% of 2 identities linked, 2 people, 1 pending, 2024-03 to 2024-04" in shown.stdout
    assert "100% of 2 identities linked, 2 people, 0 pending" in shown.stdout
    data = json.loads(runner.invoke(app, ["stats", "--home", str(home), "--json"]).stdout)
    assert [(c["source_type"], c["interactions"]) for c in data["coverage"]] == [("contacts", 0), ("mail", 2)]
