"""The resolver on the traps of real address books (issue 21), each named after the mistake it prevents."""

from __future__ import annotations

import pytest

from kithkin.models import Identity
from kithkin.store import links
from tests.helpers import at, feed, message
from tests.identity.test_resolver import people, say, who


def card(source_id, name, email=None, phone=None, **metadata):
    return Identity(
        source_id=source_id,
        name=name,
        emails=(email,) if email else (),
        phones=(phone,) if phone else (),
        role="card",
        metadata=metadata,
    )


def cards(workspace, *identities):
    return say(workspace, "contacts", *identities, kind="contact")


def pending(workspace):
    return sorted((link["reason"], link["evidence"]["name"]) for link in links.list_pending_links(workspace.conn)[0])


def test_duplicate_cards_with_one_birthday_are_one_person(workspace):
    summary = cards(
        workspace,
        card("c1", "Robert Allen", birthday="1971-06-24"),
        card("c2", "Robert Alen", birthday="1971-06-24"),
    )
    assert (summary.links_auto, summary.links_pending) == (1, 0)
    assert people(workspace) == [("Robert Allen", 2)]


def test_duplicate_cards_with_one_postal_address_are_one_person(workspace):
    cards(
        workspace,
        card("c1", "Ann Lee", address="12 Main Street, Springfield, 62701"),
        card("c2", "Lee, Ann", address="12 Main Street, Springfield, 62701"),
    )
    assert people(workspace) == [("Ann Lee", 2)]


def test_two_cards_of_one_name_and_nothing_else_are_proposed_as_same_name_only(workspace):
    summary = cards(workspace, card("c1", "Ann Lee"), card("c2", "Ann Lee"))
    assert (summary.links_auto, summary.links_pending) == (0, 1)
    assert people(workspace) == [("Ann Lee", 1), ("Ann Lee", 1)]
    assert pending(workspace) == [("same name only", "Ann Lee")]


def test_two_cards_whose_birthdays_differ_are_only_proposed(workspace):
    cards(workspace, card("c1", "Ann Lee", birthday="1970-01-02"), card("c2", "Ann Lee", birthday="1988-09-30"))
    assert people(workspace) == [("Ann Lee", 1), ("Ann Lee", 1)]
    assert pending(workspace) == [("name_match", "Ann Lee")]


def test_parents_sharing_a_landline_stay_two_people(workspace):
    landline = "+1 212 555 0199"
    cards(workspace, card("c1", "Mom", phone=landline), card("c2", "Dad", phone=landline))
    cards(workspace, card("c3", "Ann Lee", phone=landline), card("c4", "Tom Lee", phone=landline))
    assert len(people(workspace)) == 4
    assert pending(workspace) == []  # a label is no evidence, and a number two cards share ties neither


def test_a_call_from_a_number_two_cards_share_goes_to_neither(workspace):
    landline = "+1 212 555 0199"
    cards(workspace, card("c1", "Ann Lee", phone=landline), card("c2", "Tom Lee", phone=landline))
    say(workspace, "calls", who("call1", phone=landline))
    assert people(workspace) == [("+12125550199", 1), ("Ann Lee", 1), ("Tom Lee", 1)]


def test_a_household_card_is_proposed_to_each_person_it_names_never_merged(workspace):
    say(workspace, "mail", who("m1", "Ann Lee", "ann@northwind.example"), who("m2", "Tom Lee", "tom@acme.example"))
    cards(workspace, card("c1", "Ann & Tom Lee", phone="+1 212 555 0199", address="12 Main Street"))
    say(workspace, "mail", who("m3", "Ann Lee", "ann@northwind.example"))
    assert people(workspace) == [("Ann & Tom Lee", 1), ("Ann Lee", 2), ("Tom Lee", 1)]
    proposed = {link["proposed_canonical_id"]: link["reason"] for link in links.list_pending_links(workspace.conn)[0]}
    names = dict(workspace.conn.execute("SELECT id, canonical_name FROM people").fetchall())
    assert sorted(names[p] for p in proposed) == ["Ann Lee", "Tom Lee"]


def test_a_household_address_is_no_evidence_for_either_member(workspace):
    cards(workspace, card("c1", "The Lees", "lees@family.example"))
    say(workspace, "mail", who("m1", "Ann Lee", "lees@family.example"), who("m2", "Tom Lee", "lees@family.example"))
    assert people(workspace) == [("Ann Lee", 1), ("The Lees", 1), ("Tom Lee", 1)]


@pytest.mark.parametrize("imports", [["family", "own"], ["own", "family"], ["family own"], ["own family"]])
def test_a_member_first_seen_at_the_household_address_meets_their_own_address(workspace, imports):
    """Which came first, and whether both came in one import, must not matter: the household's address is
    no one's own, so it contradicts the member's private one on neither side."""
    cards(workspace, card("c1", "The Lees", "theleesfamily@gmail.com"))
    mails = {
        "family": who("m1", "Tom Lee", "theleesfamily@gmail.com"),
        "own": who("m2", "Tom Lee", "tom.lee@gmail.com"),
    }
    for names in imports:
        say(workspace, "mail", *(mails[name] for name in names.split()))
    assert people(workspace) == [("The Lees", 1), ("Tom Lee", 2)]
    assert pending(workspace) == []


def test_nickname_compatible_strangers_with_their_own_numbers_are_not_linked(workspace):
    cards(workspace, card("c1", "Eleanor Liu", phone="+1 415 555 0101"))
    summary = say(workspace, "whatsapp", who("w1", "Nora Liu", phone="+1 415 555 0202"))
    assert (summary.links_auto, summary.links_pending) == (0, 1)
    assert people(workspace) == [("Eleanor Liu", 1), ("Nora Liu", 1)]


def test_jack_and_jacqueline_at_one_address_are_only_proposed(workspace):
    cards(
        workspace,
        card("c1", "Jacqueline Lewandowski", address="4 Elm Road, Boston"),
        card("c2", "Jack Lewandowski", address="4 Elm Road, Boston"),
    )
    assert people(workspace) == [("Jack Lewandowski", 1), ("Jacqueline Lewandowski", 1)]


def test_a_nickname_without_conflicting_identifiers_still_links(workspace):
    cards(workspace, card("c1", "Theodore Davis", "ted@northwind.example"))
    summary = say(workspace, "slack", who("U1", "Ted Davis"))
    assert (summary.links_auto, summary.links_pending) == (1, 0)


def test_an_address_two_typos_from_a_same_named_persons_is_proposed(workspace):
    say(workspace, "mail", who("m1", "Evie Harris", "evied56@harris-bailey.net"))
    summary = say(workspace, "mail", who("m2", "Evie Harris", "evihd56@earris-bailey.net"))
    assert (summary.links_auto, summary.links_pending) == (0, 1)
    assert pending(workspace) == [("near_address", "Evie Harris")]


def test_surname_typos_find_each_other(workspace):
    say(workspace, "mail", who("m1", "Robert Allen", "robert255@smith.net"))
    summary = say(workspace, "contacts", card("c1", "Robert Alen", birthday="1971-06-24"), kind="contact")
    assert (summary.links_auto, summary.links_pending) == (0, 1)
    assert pending(workspace) == [("name_match", "Robert Alen")]


def test_a_sender_without_an_at_sign_keeps_its_name(workspace):
    feed(workspace, "mail", [message("m1", at(1), who("jamesd75collins.biz", "James Collins", "jamesd75collins.biz"))])
    assert people(workspace) == [("James Collins", 1)]


def test_a_foreign_number_saved_in_national_form_meets_its_twin(workspace):
    say(workspace, "whatsapp", who("w1", "Jonas Weber", phone="+49 151 74833085"))
    summary = cards(workspace, card("c1", "Jonas Weber", phone="0151 74833085"))
    assert (summary.links_auto, summary.links_pending) == (1, 0)
    assert people(workspace) == [("Jonas Weber", 2)]


def test_a_foreign_national_number_under_another_name_is_only_proposed(workspace):
    say(workspace, "whatsapp", who("w1", "Jonas Weber", phone="+49 151 74833085"))
    summary = cards(workspace, card("c1", "Papa Weber's office", phone="0151 74833085"))
    assert (summary.links_auto, summary.links_pending) == (0, 1)
    assert pending(workspace) == [("national_number", "Papa Weber's office")]


def test_confirming_a_duplicate_card_brings_what_the_machine_linked_to_it_and_undo_takes_it_back(workspace):
    from kithkin.identity.review import confirm_link, undo_decision

    cards(workspace, card("c1", "Ann Lee", birthday="1970-01-02"))
    cards(workspace, card("c2", "Ann Lee", "ann.lee@northwind.example"))  # no birthday: same name only
    say(workspace, "mail", who("m1", "Ann Lee", "ann.lee@northwind.example"))  # the second card's address
    assert people(workspace) == [("Ann Lee", 1), ("Ann Lee", 2)]
    (link,), _ = links.list_pending_links(workspace.conn)
    assert link["reason"] == "same name only"
    confirm_link(workspace.conn, link["id"])
    assert people(workspace) == [("Ann Lee", 3)]
    (decision,) = workspace.conn.execute("SELECT id FROM link_decisions WHERE action = 'confirm'").fetchall()
    undo_decision(workspace.conn, decision["id"])
    assert people(workspace) == [("Ann Lee", 1), ("Ann Lee", 2)]


def test_two_lone_first_names_are_not_one_person(workspace):
    summary = say(workspace, "mail", who("m1", "Oliver", "ow@haynes.example"), who("m2", "Oliver", "ol@palmer.example"))
    assert (summary.links_auto, summary.people_created) == (0, 2)


def test_cards_with_nothing_in_their_names_but_one_birthday_and_address_are_only_proposed(workspace):
    place = "62 Matina Street, Ascot Park, 4107"
    summary = cards(
        workspace,
        card("c1", "Hoffman", birthday="1976-02-03", address=place),
        card("c2", "Frgh Lambert", birthday="1976-02-03", address=place),
    )
    assert (summary.links_auto, summary.links_pending) == (0, 1)
    assert [reason for reason, _ in pending(workspace)] == ["birthday_and_address"]  # either card to the other


def test_one_name_in_common_at_one_address_is_proposed_unless_the_birthdays_differ(workspace):
    place = "12 Fuhrman Street, Sefton Park, 3153"
    cards(workspace, card("c1", "David Donaldson", address=place), card("c2", "David Sydorenko", address=place))
    assert [reason for reason, _ in pending(workspace)] == ["name_match"]
    cards(
        workspace,
        card("c3", "Isabella Browne", birthday="1921-09-14", address="57 Fincham Crescent, Thebarton"),
        card("c4", "Isabella Shandley", birthday="1952-06-02", address="57 Fincham Crescent, Thebarton"),
    )
    assert [name for _, name in pending(workspace)] in (["David Donaldson"], ["David Sydorenko"])
