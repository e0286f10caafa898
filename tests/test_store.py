"""The store's invariants: idempotent imports, entities never deleted by relinks, people figures, search."""

from __future__ import annotations

from kithkin.identity.review import confirm_link
from kithkin.models import Identity
from kithkin.store import links, people, sources
from tests.helpers import at, feed, message, person


def test_repeated_import_adds_nothing(workspace):
    observations = [
        message(
            "m1", at(1), person("ana@x.org", "Ana Silva", "ana@x.org"), person("me@example.org", email="me@example.org")
        ),
        message("m2", at(2), person("ben@x.org", "Ben Okafor", "ben@x.org")),
    ]
    first = feed(workspace, "mail", observations)
    second = feed(workspace, "mail", observations)
    assert (first.interactions, first.source_entities, first.people_created) == (2, 3, 2)
    assert (second.interactions, second.source_entities, second.people_created) == (0, 0, 0)
    counts = workspace.conn.execute(
        "SELECT (SELECT COUNT(*) FROM interactions), (SELECT COUNT(*) FROM source_entities),"
        " (SELECT COUNT(*) FROM interaction_participants)"
    ).fetchone()
    assert tuple(counts) == (2, 3, 3)


def test_owner_is_never_a_contact(workspace):
    feed(
        workspace,
        "mail",
        [
            message(
                "m1",
                at(1),
                person("me", "Owner Person", "ME@example.org"),
                person("ana@x.org", "Ana Silva", "ana@x.org"),
            ),
            message(
                "m2", at(2), person("cell", "Owner Person", phone="(415) 555-0100"), person("ana@x.org", "Ana Silva")
            ),
        ],
    )
    items, total = people.list_people(workspace.conn, limit=10)
    assert total == 1
    assert items[0]["canonical_name"] == "Ana Silva"
    owner_rows = workspace.conn.execute(
        "SELECT COUNT(*) FROM source_entities WHERE link_status = 'owner' AND canonical_person_id IS NULL"
    ).fetchone()[0]
    assert owner_rows == 2


def test_direction_follows_the_author(workspace):
    feed(
        workspace,
        "mail",
        [
            message("out", at(1), person("me", email="me@example.org"), person("ana@x.org", "Ana Silva", "ana@x.org")),
            message("in", at(2), person("ana@x.org", "Ana Silva", "ana@x.org"), person("me", email="me@example.org")),
        ],
    )
    rows = dict(workspace.conn.execute("SELECT source_id, direction FROM interactions").fetchall())
    assert rows == {"out": "out", "in": "in"}


def test_person_figures_are_kept_on_the_row(workspace):
    ana = person("ana@x.org", "Ana Silva", "ana@x.org")
    feed(workspace, "mail", [message(f"m{d}", at(d), ana) for d in (3, 1, 7)])
    (row,), _ = people.list_people(workspace.conn, limit=5)
    assert row["interaction_count"] == 3
    assert (row["first_seen"], row["last_seen"]) == ("2024-03-01T12:00:00Z", "2024-03-07T12:00:00Z")
    assert row["emails"] == ["ana@x.org"]
    assert row["sources"] == ["mail"]


def test_a_relink_never_deletes_a_source_entity(workspace):
    feed(
        workspace,
        "contacts",
        [message("card", at(1), Identity(source_id="c1", name="Robert Smith", emails=("rs@x.org",)), kind="contact")],
    )
    summary = feed(workspace, "slack", [message("s1", at(2), person("U1", "Robert Smithe"))])
    assert summary.links_pending == 1
    (link,), _ = links.list_pending_links(workspace.conn)
    before = workspace.conn.execute("SELECT COUNT(*) FROM source_entities").fetchone()[0]
    confirm_link(workspace.conn, link["id"])
    after = workspace.conn.execute("SELECT COUNT(*) FROM source_entities").fetchone()[0]
    assert before == after == 2
    slack_entity = sources.get_entity(workspace.conn, link["source_entity_id"])
    assert slack_entity["canonical_person_id"] == link["proposed_canonical_id"]
    assert slack_entity["link_status"] == "confirmed"
    # The provisional person the Slack user had is gone; the entity lives on under Robert.
    assert people.count_people(workspace.conn) == 1


def test_search_matches_names_emails_phones_and_company(workspace):
    card = Identity(
        source_id="c1",
        name="Zoë Ångström",
        emails=("zoe@northwind.example",),
        phones=("+1 415 555 0199",),
        metadata={"company": "Northwind Labs"},
    )
    feed(workspace, "contacts", [message("card", at(1), card, kind="contact")])
    for query in ("zoe", "angstr", "northwind", "zoe@north", "4155550199", "555-0199", "Labs"):
        items, total = people.list_people(workspace.conn, q=query)
        assert total == 1, query
        assert items[0]["canonical_name"] == "Zoë Ångström"
    assert people.list_people(workspace.conn, q="nobody")[1] == 0
    assert people.list_people(workspace.conn, q='"*)(')[1] == 0


def test_a_moved_meeting_keeps_one_row(workspace):
    ana = person("ana@x.org", "Ana Silva", "ana@x.org")
    feed(workspace, "calendar", [message("evt-1", at(4), ana, kind="meeting", title="Planning")])
    feed(workspace, "calendar", [message("evt-1", at(5), ana, kind="meeting", title="Planning (moved)")])
    rows = workspace.conn.execute("SELECT occurred_at, title FROM interactions").fetchall()
    assert [tuple(r) for r in rows] == [("2024-03-05T12:00:00Z", "Planning (moved)")]
    assert workspace.conn.execute("SELECT COUNT(*) FROM interaction_participants").fetchone()[0] == 1


def test_counts_by_source_and_month_follow_every_kind_of_import(workspace):
    from kithkin.store import stats

    ana = person("ana@x.org", "Ana Silva", "ana@x.org")
    feed(workspace, "mail", [message(f"m{d}", at(d), ana) for d in (1, 2)])
    feed(workspace, "mail", [message(f"m{d}", at(d), ana) for d in (1, 2, 3)])  # one new among known ones
    feed(workspace, "calendar", [message("evt", at(4), ana, kind="meeting")])
    moved = message("evt", at(4).replace(month=4), ana, kind="meeting")  # the meeting moves to April
    feed(workspace, "calendar", [moved])
    figures = stats.figures(workspace.conn)
    truth = workspace.conn.execute(
        "SELECT substr(occurred_at, 1, 7), COUNT(*) FROM interactions GROUP BY 1 ORDER BY 1"
    ).fetchall()
    assert figures["interactions_by_month"] == [{"month": m, "count": c} for m, c in truth]
    assert figures["interactions_by_month"] == [{"month": "2024-03", "count": 3}, {"month": "2024-04", "count": 1}]
    assert figures["interactions_by_source"] == {"mail": 3, "calendar": 1}
    assert figures["interactions"] == 4


def test_metadata_is_stored_exactly_whatever_its_values(workspace):
    import json

    shapes = [{"service": "SMS"}, {"service": "SMS"}, {"flag": True}, {"flag": 1}, {"files": [{"name": "a.jpg"}]}]
    feed(
        workspace,
        "imessage",
        [
            message(f"m{n}", at(1, n), person("+14155550100", phone="+14155550100"), metadata=m)
            for n, m in enumerate(shapes)
        ],
    )
    stored = [
        json.loads(r[0]) for r in workspace.conn.execute("SELECT metadata FROM interactions ORDER BY occurred_at")
    ]
    assert stored == shapes
    assert [type(s.get("flag")) for s in stored[2:4]] == [bool, int]


def test_interactions_of_two_people_besides_the_owner_are_marked_shared(workspace):
    me, ana = person("me", email="me@example.org"), person("ana@x.org", "Ana Silva", "ana@x.org")
    ben, cy = person("ben@x.org", "Ben Okafor", "ben@x.org"), person("cy@x.org", "Cy Twombly", "cy@x.org")
    feed(
        workspace,
        "mail",
        [
            message("one-to-one", at(1), ana, me),
            message("group", at(2), ana, me, ben),
            message("without-me", at(3), ana, ben),
            message("twice-the-same", at(4), ana, me, ana),
        ],
    )

    def shared() -> set[str]:
        query = "SELECT source_id FROM interactions WHERE id IN (SELECT interaction_id FROM shared_interactions)"
        return {row[0] for row in workspace.conn.execute(query)}

    assert shared() == {"group", "without-me"}
    # The one-to-one message read again from another mailbox that shows only its other recipient (a Bcc):
    # the interaction now has two people besides the owner.
    feed(workspace, "mail", [message("one-to-one", at(1), cy, me)])
    assert shared() == {"group", "without-me", "one-to-one"}
