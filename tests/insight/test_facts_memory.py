"""Quick facts read a person's first and latest interactions without keeping all of them (store/facts.py)."""

from __future__ import annotations

from kithkin.insight import facts
from kithkin.store import facts as store
from tests.helpers import at, feed, message, person


def test_first_and_latest_interactions_are_each_listed_once_whatever_entities_take_part(workspace):
    # Ana seen as two entities (her address and her number) in the same messages: each message counts once.
    observations = [
        message(f"m{n}", at(n), person("ana@x.org", "Ana Silva", "ana@x.org"), person("+14155550123"), title=f"S{n}")
        for n in range(1, 8)
    ]
    feed(workspace, "mail", observations)
    ana = workspace.conn.execute("SELECT id FROM people WHERE canonical_name = 'Ana Silva'").fetchone()[0]
    workspace.conn.execute(
        "UPDATE source_entities SET canonical_person_id = ? WHERE link_status != 'owner'", (ana,)
    )
    assert workspace.conn.execute(
        "SELECT COUNT(*) FROM source_entities WHERE canonical_person_id = ?", (ana,)
    ).fetchone()[0] == 2
    newest = store.interactions_of(workspace.conn, ana, newest=True, limit=3)
    oldest = store.interactions_of(workspace.conn, ana, newest=False, limit=1)
    assert [row["title"] for row in newest] == ["S7", "S6", "S5"]
    assert [row["title"] for row in oldest] == ["S1"]
    found = facts.extract(workspace.conn, ana)
    assert [f["value"] for f in found if f["kind"] == "last_topic"] == ["S7", "S6", "S5"]
    assert [f["value"] for f in found if f["kind"] == "met"] == ["2024-03-01 via mail: S1"]
