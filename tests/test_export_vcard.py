"""vCard export of people nobody named: FN is their number as people write it, never raw E.164."""

from __future__ import annotations

import vobject

from kithkin.models import Identity
from kithkin.services import export_people
from kithkin.workspace import Workspace
from tests.helpers import at, feed, message, person

OWNER = Identity(source_id="me@example.org", name="Owner Person", emails=("me@example.org",), role="to")


def test_a_person_known_by_number_only_gets_a_readable_full_name(workspace: Workspace) -> None:
    feed(
        workspace,
        "whatsapp",
        [
            message("w1", at(1), person("+14155550123", phone="+14155550123"), OWNER),
            message("w2", at(2), person("+447700900123", "Ana Silva", phone="+447700900123"), OWNER),
        ],
    )
    text, count = export_people(workspace.conn, "vcf")
    assert count == 2
    cards = {card.uid.value: card for card in vobject.readComponents(text)}
    by_name = {card.fn.value: card for card in cards.values()}
    assert sorted(by_name) == ["+1 415-555-0123", "Ana Silva"]
    unnamed = by_name["+1 415-555-0123"]
    assert (unnamed.n.value.family, unnamed.n.value.given) == ("", "")
    assert unnamed.tel.value == "+14155550123"
    assert (by_name["Ana Silva"].n.value.family, by_name["Ana Silva"].n.value.given) == ("Silva", "Ana")
