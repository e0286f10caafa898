"""Relationship strength = recency×0.3 + frequency×0.4 + diversity×0.3, on hand-computed cases."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from kithkin.insight.strength import strength, update_strengths
from kithkin.models import Identity
from kithkin.store import db
from tests.helpers import at, feed, message, person

OWNER = Identity(source_id="me@example.org", name="Owner Person", emails=("me@example.org",), role="to")


@pytest.mark.parametrize(
    ("days", "recent", "mine", "in_use", "expected"),
    [
        (0, 20, 3, 3, 1.0),  # seen today, 20 in 90 days, every source: all three parts full
        (45, 10, 1, 4, 0.425),  # 0.5×0.3 + 0.5×0.4 + 0.25×0.3
        (90, 0, 1, 1, 0.3),  # recency reaches 0 at 90 days; diversity alone
        (120, 30, 2, 4, 0.55),  # recency never below 0, frequency never above 1: 0 + 0.4 + 0.5×0.3
        (9, 5, 1, 2, 0.52),  # 0.9×0.3 + 0.25×0.4 + 0.5×0.3
        (None, 0, 0, 0, 0.0),  # never seen, no source in use
    ],
)
def test_the_formula(days: float | None, recent: int, mine: int, in_use: int, expected: float) -> None:
    assert strength(days, recent, mine, in_use) == pytest.approx(expected, abs=1e-6)


def test_update_strengths_reads_the_store_at_a_given_now(workspace):
    ana, ben = person("ana@x.org", "Ana Silva", "ana@x.org"), person("ben@x.org", "Ben Okafor", "ben@x.org")
    feed(workspace, "mail", [message("m1", at(1), ana, OWNER), message("m2", at(10), ana, OWNER)])
    feed(workspace, "mail", [message("m3", at(1), ben, OWNER)])
    feed(workspace, "imessage", [message("i1", at(20), person("ana@x.org", "Ana Silva", "ana@x.org"), OWNER)])
    feed(workspace, "calendar", [message("c1", at(5), person("ben@x.org", "Ben Okafor", "ben@x.org"), kind="meeting")])
    # A meeting long ago: outside the 90 days, it counts for nothing but diversity (already counted).
    feed(workspace, "calendar", [message("c0", datetime(2023, 1, 1, tzinfo=UTC), person("ben@x.org"), kind="meeting")])
    conn = workspace.conn
    with db.transaction(conn):
        assert update_strengths(conn, None, datetime(2024, 3, 30, 12, tzinfo=UTC)) == 2
    found = {
        r["canonical_name"]: (r["relationship_strength"], r["interactions_90d"])
        for r in conn.execute("SELECT canonical_name, relationship_strength, interactions_90d FROM people")
    }
    # Three sources in use (mail, imessage, calendar). Ana: last 10 days ago, 3 interactions, 2 sources:
    # (1 − 10/90)×0.3 + (3/20)×0.4 + (2/3)×0.3 = 0.266667 + 0.06 + 0.2
    assert found["Ana Silva"] == (pytest.approx(0.526667, abs=1e-6), 3)
    # Ben: last 25 days ago, 2 interactions in 90 days (3 in all), 2 sources:
    # (1 − 25/90)×0.3 + (2/20)×0.4 + (2/3)×0.3 = 0.216667 + 0.04 + 0.2
    assert found["Ben Okafor"] == (pytest.approx(0.456667, abs=1e-6), 2)
    # Only the people asked for are touched; "now" decides recency.
    with db.transaction(conn):
        ben_id = conn.execute("SELECT id FROM people WHERE canonical_name = 'Ben Okafor'").fetchone()[0]
        assert update_strengths(conn, [ben_id], datetime(2024, 6, 28, 12, tzinfo=UTC)) == 1
    rows = dict(conn.execute("SELECT canonical_name, relationship_strength FROM people").fetchall())
    assert rows["Ana Silva"] == pytest.approx(0.526667, abs=1e-6)
    # 115 days since Ben's last: recency 0; no interactions in the last 90 days; diversity 2/3.
    assert rows["Ben Okafor"] == pytest.approx(0.2, abs=1e-6)
