"""Cards of one person that only review can join (issue 21, FEBRL3's garbled records): real vCard files,
imported one after another through the contacts importer."""

from __future__ import annotations

from pathlib import Path

from kithkin.identity.review import confirm_link
from kithkin.ingest import import_paths
from kithkin.store import links
from kithkin.workspace import Workspace
from tests.identity.test_resolver import people

PLACE = ("", "", "11 Lott Place", "Kingston", "NSW", "3125", "")


def import_card(workspace: Workspace, folder: Path, uid: str, name: str, birthday: str = "", place=PLACE) -> None:
    first, _, last = name.partition(" ")
    lines = ["BEGIN:VCARD", "VERSION:3.0", f"UID:{uid}", f"N:{last};{first};;;", f"FN:{name}"]
    lines += [f"BDAY:{birthday}"] if birthday else []
    lines += ["ADR:" + ";".join(place), "END:VCARD"]
    path = folder / f"{uid}.vcf"
    path.write_text("\r\n".join(lines) + "\r\n", encoding="utf-8")
    import_paths(workspace, "contacts", [path])


def proposals(workspace: Workspace) -> list[tuple[str, str, str]]:
    """(card's name, the proposed person's name, reason) of every open pending link."""
    names = dict(workspace.conn.execute("SELECT id, canonical_name FROM people").fetchall())
    found, _ = links.list_pending_links(workspace.conn)
    return sorted((link["evidence"]["name"], names[link["proposed_canonical_id"]], link["reason"]) for link in found)


def test_a_card_like_two_earlier_cards_brings_both_to_review(workspace: Workspace, tmp_path: Path) -> None:
    # A card with a garbled first name, one with a wrong birthday, then the right one: it looks like both,
    # is proposed to the one of its name, and the garbled card (its birthday and surname) is proposed to it,
    # so confirming both makes one person of the three.
    import_card(workspace, tmp_path, "c1", "Irene Campbell", "1931-08-29")
    import_card(workspace, tmp_path, "c2", "Benjamin Campbell", "1908-01-13")
    assert proposals(workspace) == []  # one surname, two birthdays: no evidence at all
    import_card(workspace, tmp_path, "c3", "Benjamin Campbell", "1931-08-29")
    assert proposals(workspace) == [
        ("Benjamin Campbell", "Benjamin Campbell", "name_match"),
        ("Irene Campbell", "Benjamin Campbell", "name_match"),
    ]
    for link in links.list_pending_links(workspace.conn)[0]:
        confirm_link(workspace.conn, link["id"])
    assert people(workspace) == [("Benjamin Campbell", 3)]


def test_a_relative_at_the_same_address_is_not_proposed_when_a_second_card_joins(
    workspace: Workspace, tmp_path: Path
) -> None:
    import_card(workspace, tmp_path, "c1", "Mary Campbell", "1960-03-01")
    import_card(workspace, tmp_path, "c2", "Benjamin Campbell", "1931-08-29")
    import_card(workspace, tmp_path, "c3", "Benjamin Campbell", "1931-08-29")
    assert people(workspace) == [("Benjamin Campbell", 2), ("Mary Campbell", 1)]
    assert proposals(workspace) == []


def test_a_card_of_a_lone_first_name_at_a_persons_address_is_proposed_to_them(
    workspace: Workspace, tmp_path: Path
) -> None:
    import_card(workspace, tmp_path, "c1", "Felicity Pulford", "1986-06-10")
    import_card(workspace, tmp_path, "c2", "Felicity")
    assert people(workspace) == [("Felicity", 1), ("Felicity Pulford", 1)]
    assert proposals(workspace) == [("Felicity", "Felicity Pulford", "name_match")]


def test_a_card_of_a_lone_first_name_at_the_address_under_another_birthday_is_not_proposed(
    workspace: Workspace, tmp_path: Path
) -> None:
    import_card(workspace, tmp_path, "c1", "Felicity Pulford", "1986-06-10")
    import_card(workspace, tmp_path, "c2", "Felicity", "2015-02-01")  # her daughter, named after her
    assert proposals(workspace) == []
