"""People search: people found by name come before those found by title, company or email."""

from __future__ import annotations

from kithkin.models import Identity
from kithkin.store import people
from kithkin.workspace import Workspace
from tests.helpers import at, feed, message, person

OWNER = Identity(source_id="me@example.org", name="Owner Person", emails=("me@example.org",), role="to")


def test_name_matches_rank_before_title_and_company_matches(workspace: Workspace) -> None:
    """Three analysts the user writes to often, Ana Novak once, and Bob at Anaheim Labs."""
    analysts = []
    for i, name in enumerate(["Cleo Berg", "Dev Cruz", "Eli Dahl"]):
        who = person(f"a{i}@x.org", name, f"a{i}@x.org")
        who.metadata = {"position": "Analyst"}
        analysts += [message(f"a{i}-{n}", at(1 + n), who, OWNER, kind="email") for n in range(5)]
    bob = person("bob@y.org", "Bob Stone", "bob@y.org")
    bob.metadata = {"company": "Anaheim Labs"}
    feed(
        workspace,
        "mail",
        [
            *analysts,
            message("n1", at(1), person("ana@z.org", "Ana Novak", "ana@z.org"), OWNER, kind="email"),
            message("b1", at(2), bob, OWNER, kind="email"),
        ],
    )
    found, total = people.list_people(workspace.conn, q="ana")
    assert total == 5
    assert found[0]["canonical_name"] == "Ana Novak"
    assert {p["canonical_name"] for p in found[1:]} == {"Cleo Berg", "Dev Cruz", "Eli Dahl", "Bob Stone"}
    by_name, _ = people.list_people(workspace.conn, q="ana", sort="name")
    assert [p["canonical_name"] for p in by_name] == ["Ana Novak", "Bob Stone", "Cleo Berg", "Dev Cruz", "Eli Dahl"]
