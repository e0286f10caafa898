"""GET /companies and /companies/{id}: who the user knows where, from cards, LinkedIn and mapped domains."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from kithkin.api.app import create_app
from kithkin.config import write_default_mappings
from kithkin.models import Identity, Observation
from kithkin.workspace import Workspace
from tests.helpers import at, feed, message, person

OWNER = Identity(source_id="me@example.org", name="Owner Person", emails=("me@example.org",), role="to")


def card(source_id: str, name: str, email: str, **metadata: str) -> Observation:
    who = Identity(source_id=source_id, name=name, emails=(email,), role="card", metadata=metadata)
    return Observation(
        source_id=source_id, kind="contact", occurred_at=datetime(2024, 1, 1, tzinfo=UTC), participants=[who]
    )


@pytest.fixture
def client(home: Path) -> Iterator[TestClient]:
    """Ana's card says Acme, Inc.; Bob is at Acme on LinkedIn; Cy has only an address at acme.test, which
    crm_mappings.yaml maps to Acme; Dee's card says Globex; Eve has a Gmail address and no company."""
    mappings = write_default_mappings(home)
    mappings.write_text(
        mappings.read_text().replace("domain_mappings:\n", "domain_mappings:\n  acme.test: {company: Acme}\n")
    )
    with Workspace.open(home) as workspace:
        feed(
            workspace,
            "contacts",
            [
                card("c-ana", "Ana Silva", "ana@home.org", company="Acme, Inc.", position="Engineer"),
                card("c-dee", "Dee Lund", "dee@globex.test", company="Globex"),
            ],
        )
        feed(workspace, "linkedin", [card("l-bob", "Bob Jones", "bob@home.net", company="Acme", position="CTO")])
        feed(
            workspace,
            "mail",
            [
                message("m1", at(1), person("cy@acme.test", "Cy Park", "cy@acme.test"), OWNER, kind="email"),
                message("m2", at(2), person("cy@acme.test", "Cy Park", "cy@acme.test"), OWNER, kind="email"),
                message("m3", at(3), person("eve@gmail.com", "Eve Moss", "eve@gmail.com"), OWNER, kind="email"),
            ],
        )
        with TestClient(create_app(workspace=workspace)) as test_client:
            yield test_client


def test_companies_gather_everyone_known_there(client: TestClient) -> None:
    body = client.get("/api/crm/companies").json()
    assert body["total"] == 2
    assert [(c["id"], c["name"], c["people_count"], c["domains"]) for c in body["items"]] == [
        ("acme", "Acme", 3, ["acme.test"]),
        ("globex", "Globex", 1, []),
    ]
    assert body["items"][0]["last_contact"] == "2024-03-02T12:00:00Z"
    assert [c["id"] for c in client.get("/api/crm/companies", params={"q": "glob"}).json()["items"]] == ["globex"]
    assert [c["id"] for c in client.get("/api/crm/companies", params={"q": "acme.test"}).json()["items"]] == ["acme"]


def test_a_company_lists_its_people_with_role_and_evidence(client: TestClient) -> None:
    acme = client.get("/api/crm/companies/acme").json()
    assert acme["name"] == "Acme"
    found = {p["canonical_name"]: (p["position"], p["evidence"], p["interaction_count"]) for p in acme["people"]}
    assert found == {
        "Ana Silva": ("Engineer", ["contact card"], 0),
        "Bob Jones": ("CTO", ["LinkedIn"], 0),
        "Cy Park": (None, ["email at acme.test"], 2),
    }
    strengths = [p["relationship_strength"] for p in acme["people"]]
    assert strengths == sorted(strengths, reverse=True)
    missing = client.get("/api/crm/companies/initech")
    assert missing.status_code == 404
    assert missing.json()["detail"] == "No one you know works at a company initech."
