"""Tables the command line prints, sized for an 80-column terminal. Every cell is plain text: names and
messages come from other people and must never be read as rich markup."""

from __future__ import annotations

from typing import Any

from rich.table import Table
from rich.text import Text

from kithkin.identity.normalize import readable_phone

# "pl_" and 8 of the id's 16 hex digits: unique among millions of links, and `link confirm` takes a prefix.
SHORT_ID = 11


def seen_as(entity: dict[str, Any] | None) -> Text:
    """Who was seen, as the source showed them: name, address or number, and where."""
    if not entity:
        return Text("(identity gone)", style="dim")
    phone = entity.get("observed_phone")
    signal = entity.get("observed_email") or (readable_phone(phone) if phone else "")
    name = entity.get("observed_name") or ""
    shown = f"{name} <{signal}>" if name and signal else name or signal or entity["source_id"]
    return Text(shown) + Text(f"\n{entity['source_type']}", style="dim")


def pending_table(items: list[dict[str, Any]]) -> Table:
    table = Table("id", "seen as", "proposed person", "reason", "conf.", box=None, padding=(0, 1, 0, 0))
    table.columns[0].no_wrap = True
    table.columns[1].ratio, table.columns[2].ratio, table.columns[3].ratio = 4, 3, 3
    table.columns[4].justify = "right"
    for link in items:
        person = link.get("proposed_person") or {}
        table.add_row(
            Text(link["id"][:SHORT_ID]),
            seen_as(link.get("source_entity")),
            Text(person.get("canonical_name") or link["proposed_canonical_id"]),
            Text(link.get("reason") or ""),
            Text(f"{link['confidence']:.2f}"),
        )
    return table


def people_table(items: list[dict[str, Any]]) -> Table:
    table = Table("name", "company", "emails", "phones", "strength", "last seen")
    table.columns[3].no_wrap = True  # a number cut in two reads as two numbers
    for person in items:
        table.add_row(
            *(
                Text(cell)
                for cell in (
                    person["canonical_name"],
                    person["company"] or "",
                    ", ".join(person["emails"][:2]),
                    ", ".join(readable_phone(number) for number in person["phone_numbers"][:2]),
                    f"{person['relationship_strength']:.2f}",
                    (person["last_seen"] or "")[:10],
                )
            )
        )
    return table
