"""Decision rules of the resolver, each on the trap it exists for."""

from __future__ import annotations

from kithkin.identity.resolver import resolve_entities
from kithkin.models import Identity
from kithkin.store import db, links
from tests.helpers import at, feed, message


def say(workspace, source, *identities, kind="message"):
    return feed(workspace, source, [message(f"{source}-{i.source_id}", at(1), i, kind=kind) for i in identities])


def who(source_id, name=None, email=None, phone=None, role="from"):
    return Identity(
        source_id=source_id, name=name, emails=(email,) if email else (), phones=(phone,) if phone else (), role=role
    )


def people(workspace) -> list[tuple[str, int]]:
    return sorted(
        tuple(r)
        for r in workspace.conn.execute(
            "SELECT p.canonical_name, COUNT(se.id) FROM people p"
            " JOIN source_entities se ON se.canonical_person_id = p.id GROUP BY p.id"
        )
    )


def test_same_email_in_another_case_and_dots_links_automatically(workspace):
    say(workspace, "contacts", who("c1", "Ana Silva", "ana.silva@gmail.com", role="card"), kind="contact")
    summary = say(workspace, "mail", who("m1", "SILVA, ANA", "AnaSilva+news@googlemail.com"))
    assert (summary.links_auto, summary.links_pending, summary.people_created) == (1, 0, 0)
    assert people(workspace) == [("Ana Silva", 2)]


def test_national_and_international_forms_of_one_number_are_one_person(workspace):
    say(workspace, "contacts", who("c1", "Ben Okafor", phone="(415) 555-0142", role="card"), kind="contact")
    say(workspace, "imessage", who("+14155550142", phone="+1 415 555 0142"))
    say(workspace, "calls", who("4155550142", phone="415.555.0142"))
    assert people(workspace) == [("Ben Okafor", 3)]


def test_nickname_on_another_source_links_to_the_only_person_of_that_name(workspace):
    say(workspace, "contacts", who("c1", "Robert Smith", "rs@northwind.example", role="card"), kind="contact")
    summary = say(workspace, "slack", who("U1", "Bob Smith"))
    assert (summary.links_auto, summary.links_pending) == (1, 0)
    assert people(workspace) == [("Robert Smith", 2)]


def test_same_name_different_addresses_stay_apart_pending_review(workspace):
    say(workspace, "contacts", who("c1", "Maria Garcia", "maria.garcia@gmail.com", role="card"), kind="contact")
    summary = say(workspace, "mail", who("m1", "Maria Garcia", "mgarcia1987@yahoo.com"))
    assert summary.links_auto == 0 and summary.people_created == 1
    assert people(workspace) == [("Maria Garcia", 1), ("Maria Garcia", 1)]
    (link,), _ = links.list_pending_links(workspace.conn)
    assert (link["reason"], link["confidence"]) == ("name_match", 0.7)


def test_two_cards_of_one_name_are_two_people_and_a_third_sighting_is_proposed_with_an_alternative(workspace):
    # Issue 21: two cards of one name are proposed as one person ("same name only"), never joined.
    cards = say(
        workspace,
        "contacts",
        who("c1", "Maria Garcia", "maria.garcia@gmail.com", role="card"),
        who("c2", "Maria Garcia", "mg@northwind.example", role="card"),
        kind="contact",
    )
    assert (cards.links_auto, cards.links_pending, cards.people_created) == (0, 1, 2)
    summary = say(workspace, "linkedin", who("li1", "Maria Garcia", role="card"), kind="contact")
    assert (summary.links_auto, summary.links_pending) == (0, 1)
    by_reason = {link["reason"]: link for link in links.list_pending_links(workspace.conn)[0]}
    assert sorted(by_reason) == ["name_match", "same name only"]
    link = by_reason["name_match"]
    assert len(link["alternatives"]) == 1
    assert link["alternatives"][0]["person_id"] != link["proposed_canonical_id"]


def test_a_family_landline_never_fuses_the_family(workspace):
    for name in ("Ana Costa", "Rui Costa", "Ines Costa"):
        say(workspace, "calls", who(f"land-{name}", name, phone="+1 212 555 0199"))
    assert people(workspace) == [("Ana Costa", 1), ("Ines Costa", 1), ("Rui Costa", 1)]
    # The second name on the number is conflicting evidence, put to the user once; after that the
    # number is known to be shared and the third name is no question at all.
    (link,), _ = links.list_pending_links(workspace.conn)
    assert (link["reason"], link["confidence"], link["evidence"]["name"]) == ("phone_match", 0.7, "Rui Costa")


def test_a_shared_info_address_never_fuses_colleagues(workspace):
    say(
        workspace,
        "mail",
        who("a", "Ana Silva", "info@acme.example"),
        who("b", "Ben Okafor", "info@acme.example"),
        who("c", "Chloe Kim", "info@acme.example"),
        who("d", "Dan Wu", "info@acme.example"),
    )
    assert [name for name, _ in people(workspace)] == ["Ana Silva", "Ben Okafor", "Chloe Kim", "Dan Wu"]


def test_a_typo_is_proposed_not_linked(workspace):
    say(workspace, "contacts", who("c1", "Katherine Lindqvist", "k@x.example", role="card"), kind="contact")
    summary = say(workspace, "linkedin", who("li1", "Katherine Lindqvits", role="card"), kind="contact")
    assert (summary.links_auto, summary.links_pending) == (0, 1)
    (link,), _ = links.list_pending_links(workspace.conn)
    assert (link["reason"], link["confidence"]) == ("name_match", 0.6)


def test_a_name_known_only_as_an_address(workspace):
    say(workspace, "contacts", who("c1", "Robert Smith", "robert.smith@x.example", role="card"), kind="contact")
    say(workspace, "mail", who("m1", None, "robert.smith@x.example"))
    say(workspace, "calendar", who("e1", None, "rob.smith@y.example"))
    assert people(workspace) == [("Robert Smith", 3)]  # the second one by the name its address spells


def test_the_owner_is_never_resolved(workspace):
    summary = say(workspace, "mail", who("me", "Owner Person", "me@example.org"))
    assert summary.people_created == 0
    assert people(workspace) == []


def test_re_resolving_the_same_entities_changes_nothing(workspace):
    say(workspace, "contacts", who("c1", "Ana Silva", "ana@x.example", role="card"), kind="contact")
    say(workspace, "mail", who("m1", "Ana Silva", "ana@x.example"))
    before = people(workspace)
    ids = [r[0] for r in workspace.conn.execute("SELECT id FROM source_entities")]
    with db.transaction(workspace.conn):
        result = resolve_entities(workspace.conn, ids, workspace.settings)
    assert (result.people_created, result.links_auto, result.links_pending) == (0, 0, 0)
    assert people(workspace) == before


def test_user_decisions_survive_a_full_re_resolution(workspace):
    from kithkin.identity.resolver import reresolve_all
    from kithkin.identity.review import confirm_link, reject_link

    say(
        workspace,
        "contacts",
        who("c1", "Katherine Lindqvist", "k@x.example", role="card"),
        who("c2", "Daniel Okafor", "d@x.example", role="card"),
        kind="contact",
    )
    say(
        workspace,
        "linkedin",
        who("li1", "Katherine Lindqvits", role="card"),
        who("li2", "Daniel Okafro", role="card"),
        kind="contact",
    )
    proposals = {link["evidence"]["name"]: link for link in links.list_pending_links(workspace.conn)[0]}
    confirm_link(workspace.conn, proposals["Katherine Lindqvits"]["id"])
    reject_link(workspace.conn, proposals["Daniel Okafro"]["id"])
    before = people(workspace)
    result = reresolve_all(workspace.conn, workspace.settings)
    assert people(workspace) == before == [("Daniel Okafor", 1), ("Daniel Okafro", 1), ("Katherine Lindqvist", 2)]
    assert result.links_pending == 0  # the rejected pair is not proposed again
    assert links.pending_count(workspace.conn) == 0


def test_a_number_known_without_a_name_joins_the_person_a_later_source_names(workspace):
    say(workspace, "mail", who("m1", "Ann Lee", "ann.lee@northwind.example"))
    say(workspace, "imessage", who("+14155550177", phone="+14155550177"))
    assert people(workspace) == [("+14155550177", 1), ("Ann Lee", 1)]
    summary = say(workspace, "whatsapp", who("w1", "Ann Lee", phone="415 555 0177"))
    assert (summary.links_auto, summary.people_created) == (1, 0)
    assert people(workspace) == [("Ann Lee", 3)]
    decision = workspace.conn.execute("SELECT action, decided_by, payload FROM link_decisions").fetchone()
    assert (decision["action"], decision["decided_by"]) == ("merge", "system")
    again = say(workspace, "whatsapp", who("w1", "Ann Lee", phone="415 555 0177"))
    assert (again.links_auto, again.people_created) == (0, 0)  # idempotent
    assert people(workspace) == [("Ann Lee", 3)]


def test_a_card_holding_the_address_of_one_person_and_the_number_of_another_joins_them(workspace):
    say(workspace, "mail", who("m1", "Ann Lee", "ann@northwind.example"))
    say(workspace, "calls", who("c1", phone="+14155550177"))
    assert people(workspace) == [("+14155550177", 1), ("Ann Lee", 1)]
    card = Identity(
        source_id="card1", name="Ann Lee", emails=("ann@northwind.example",), phones=("+14155550177",), role="card"
    )
    say(workspace, "contacts", card, kind="contact")
    assert people(workspace) == [("Ann Lee", 3)]


def test_a_card_never_joins_two_people_of_conflicting_names(workspace):
    say(workspace, "mail", who("m1", "Ann Lee", "ann@northwind.example"))
    say(workspace, "calls", who("c1", "Tom Berg", phone="+14155550177"))
    card = Identity(
        source_id="card1", name="Ann Lee", emails=("ann@northwind.example",), phones=("+14155550177",), role="card"
    )
    say(workspace, "contacts", card, kind="contact")
    assert people(workspace) == [("Ann Lee", 2), ("Tom Berg", 1)]


def test_a_join_is_undone_by_the_user_and_not_made_again(workspace):
    from kithkin.identity.review import undo_decision

    say(workspace, "mail", who("m1", "Ann Lee", "ann.lee@northwind.example"))
    say(workspace, "imessage", who("+14155550177", phone="+14155550177"))
    say(workspace, "whatsapp", who("w1", "Ann Lee", phone="415 555 0177"))
    (decision,) = workspace.conn.execute("SELECT id FROM link_decisions WHERE action = 'merge'").fetchall()
    undo_decision(workspace.conn, decision["id"])
    assert people(workspace) == [("+14155550177", 1), ("Ann Lee", 2)]
    say(workspace, "whatsapp", who("w2", "Ann Lee", phone="+1 415 555 0177"))
    joins = workspace.conn.execute("SELECT COUNT(*) FROM link_decisions WHERE action = 'merge'").fetchone()[0]
    assert joins == 1  # the user's separation holds: no second join


def test_a_person_the_user_annotated_is_not_joined_without_asking(workspace):
    from kithkin.store import people as people_store

    say(workspace, "mail", who("m1", "Ann Lee", "ann.lee@northwind.example"))
    say(workspace, "imessage", who("+14155550177", phone="+14155550177"))
    number = workspace.conn.execute("SELECT canonical_person_id FROM source_entities WHERE source_type = 'imessage'")
    person_id = number.fetchone()[0]
    with db.transaction(workspace.conn):
        people_store.update_person(workspace.conn, person_id, {"notes": "the plumber?"})
    say(workspace, "whatsapp", who("w1", "Ann Lee", phone="415 555 0177"))
    assert people(workspace) == [("Ann Lee", 1), ("Ann Lee", 2)]  # the number's person, now named, stays apart
    (link,), _ = links.list_pending_links(workspace.conn)
    assert (link["reason"], link["evidence"]["name"], link["previous_canonical_id"]) == (
        "name_match",
        "Ann Lee",
        person_id,
    )


def test_a_person_whose_relationship_the_user_annotated_is_not_joined_without_asking(workspace):
    from kithkin.store import relationships

    say(workspace, "mail", who("m1", "Ann Lee", "ann.lee@northwind.example"))
    group = [who("+14155550177", phone="+14155550177"), who("+14155550188", name="Cy Young", phone="+14155550188")]
    feed(workspace, "imessage", [message("g1", at(2), group[0], group[1], thread_id="chat-1")])
    (pair,) = workspace.conn.execute("SELECT id FROM relationships").fetchall()
    with db.transaction(workspace.conn):
        relationships.edit_relationship(workspace.conn, pair["id"], {"user_notes": "Cy's plumber"})
    say(workspace, "whatsapp", who("w1", "Ann Lee", phone="415 555 0177"))
    assert people(workspace) == [("Ann Lee", 1), ("Ann Lee", 2), ("Cy Young", 1)]
    assert links.pending_count(workspace.conn) == 1


def test_a_join_moves_the_relationships_of_the_nameless_number(workspace):
    say(workspace, "mail", who("m1", "Ann Lee", "ann.lee@northwind.example"))
    group = [who("+14155550177", phone="+14155550177"), who("+14155550188", name="Cy Young", phone="+14155550188")]
    feed(workspace, "imessage", [message("g1", at(2), group[0], group[1], thread_id="chat-1")])
    say(workspace, "whatsapp", who("w1", "Ann Lee", phone="415 555 0177"))
    pairs = workspace.conn.execute(
        """SELECT a.canonical_name, b.canonical_name, r.shared_threads_count FROM relationships r
           JOIN people a ON a.id = r.person_a_id JOIN people b ON b.id = r.person_b_id"""
    ).fetchall()
    assert sorted([*sorted((a, b)), n] for a, b, n in pairs) == [["Ann Lee", "Cy Young", 1]]


def test_a_name_read_from_an_address_never_contradicts_the_address(workspace):
    say(workspace, "contacts", who("c1", "Amélie Tanaka", "amlie.tanaka192@icloud.com", role="card"), kind="contact")
    summary = say(workspace, "imessage", who("amlie.tanaka192@icloud.com", email="amlie.tanaka192@icloud.com"))
    assert (summary.links_auto, summary.links_pending) == (1, 0)
    assert people(workspace) == [("Amélie Tanaka", 2)]


def test_two_contact_cards_are_never_joined(workspace):
    say(workspace, "contacts", who("c1", "Ann Lee", "ann@northwind.example", role="card"), kind="contact")
    say(workspace, "contacts", who("c2", "Mom", phone="+14155550177", role="card"), kind="contact")
    say(workspace, "whatsapp", who("w1", "Ann Lee", phone="415 555 0177"))
    # "Mom" names no one (issue 21): the person is shown by the name WhatsApp gives, and the user decides
    # whether Mom's card is the Ann Lee card.
    assert people(workspace) == [("Ann Lee", 1), ("Ann Lee", 2)]
    (link,), _ = links.list_pending_links(workspace.conn)
    assert link["reason"] == "name_match"


def test_a_full_re_resolution_makes_the_same_joins(workspace):
    from kithkin.identity.resolver import reresolve_all

    say(workspace, "mail", who("m1", "Ann Lee", "ann.lee@northwind.example"))
    say(workspace, "imessage", who("+14155550177", phone="+14155550177"))
    say(workspace, "whatsapp", who("w1", "Ann Lee", phone="415 555 0177"))
    reresolve_all(workspace.conn, workspace.settings)
    assert people(workspace) == [("Ann Lee", 3)]
    live = workspace.conn.execute("SELECT COUNT(*) FROM people WHERE merged_into IS NULL").fetchone()[0]
    assert live == 1
