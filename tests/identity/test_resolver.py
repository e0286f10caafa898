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
    say(
        workspace,
        "contacts",
        who("c1", "Maria Garcia", "maria.garcia@gmail.com", role="card"),
        who("c2", "Maria Garcia", "mg@northwind.example", role="card"),
        kind="contact",
    )
    summary = say(workspace, "linkedin", who("li1", "Maria Garcia", role="card"), kind="contact")
    assert (summary.links_auto, summary.links_pending) == (0, 1)
    (link,), _ = links.list_pending_links(workspace.conn)
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
