"""Read-side services shared by the CLI and the API: statistics, export, people import."""

from __future__ import annotations

import csv
import io
import json
import sqlite3
from typing import Any

from kithkin.identity.names import person_name
from kithkin.identity.normalize import readable_phone
from kithkin.models import KithkinError
from kithkin.store import db, links, people, sources, stats

PERSON_EXPORT_FIELDS = (
    "id",
    "canonical_name",
    "emails",
    "phone_numbers",
    "company",
    "position",
    "linkedin_url",
    "category",
    "vault_contexts",
    "tags",
    "notes",
    "relationship_strength",
    "sources",
    "source_entity_count",
    "interaction_count",
    "first_seen",
    "last_seen",
)


def statistics(conn: sqlite3.Connection) -> dict[str, Any]:
    """Dashboard figures: people, entities, interactions by source and by month, links, sources."""
    return stats.figures(conn)


EXPORT_FORMATS = ("json", "csv", "vcf")


def export_people(conn: sqlite3.Connection, fmt: str) -> tuple[str, int]:
    """All live people as text, and how many: json is lossless (people with their source entities), csv
    and vcf are views."""
    rows, _ = people.list_people(conn, sort="name", limit=10**9)
    return _export_text(conn, rows, fmt), len(rows)


def _export_text(conn: sqlite3.Connection, rows: list[dict[str, Any]], fmt: str) -> str:
    if fmt == "json":
        entities: dict[str, list[dict[str, Any]]] = {}
        ids = [p["id"] for p in rows]
        identifiers = sources.identifiers_of(conn, [e["id"] for e in sources.entities_of_people(conn, ids)])
        for entity in sources.entities_of_people(conn, ids):
            item = sources.entity_to_dict(entity)
            item["identifiers"] = [list(pair) for pair in identifiers.get(entity["id"], [])]
            entities.setdefault(entity["canonical_person_id"], []).append(item)
        return json.dumps(
            [
                {**{k: p.get(k) for k in PERSON_EXPORT_FIELDS}, "source_entities": entities.get(p["id"], [])}
                for p in rows
            ],
            indent=2,
            ensure_ascii=False,
        )
    if fmt == "csv":
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow(PERSON_EXPORT_FIELDS)
        for person in rows:
            writer.writerow(
                [
                    ";".join(v) if isinstance(v, list) else ("" if v is None else v)
                    for v in (person.get(k) for k in PERSON_EXPORT_FIELDS)
                ]
            )
        return out.getvalue()
    if fmt == "vcf":
        import vobject

        cards = []
        for person in rows:
            card = vobject.vCard()
            name = person["canonical_name"]
            if name in person["phone_numbers"]:
                # Nobody named them: FN (required) is the number as people write it, N stays empty.
                card.add("fn").value = readable_phone(name)
                card.add("n").value = vobject.vcard.Name()
            else:
                card.add("fn").value = name
                parts = name.rsplit(" ", 1)
                card.add("n").value = vobject.vcard.Name(family=parts[-1] if len(parts) > 1 else "", given=parts[0])
            for email in person["emails"]:
                card.add("email").value = email
            for phone in person["phone_numbers"]:
                card.add("tel").value = phone
            if person["company"]:
                card.add("org").value = [person["company"]]
            if person["position"]:
                card.add("title").value = person["position"]
            if person["notes"]:
                card.add("note").value = person["notes"]
            card.add("uid").value = person["id"]
            cards.append(card.serialize())
        return "".join(cards)
    raise KithkinError(f"Unknown export format '{fmt}'; use json, csv or vcf.")


def import_people(conn: sqlite3.Connection, data: Any) -> dict[str, int]:
    """Read back `export --format json` (the people_entities.json shape): people and their user data.

    Existing people (same id) get the user's fields; missing people are created. Source entities in
    the file are restored with their links when absent.
    """
    if not isinstance(data, list) or not all(isinstance(p, dict) and p.get("id") for p in data):
        raise KithkinError("The file is not a Kithkin people export: expected a JSON list of people with ids.")
    created = updated = restored = 0
    with db.transaction(conn):
        for person in data:
            if people.get_person(conn, person["id"]) is None:
                people.create_person(conn, person.get("canonical_name") or "Unknown", id=person["id"])
                created += 1
            else:
                updated += 1
            people.update_person(
                conn,
                person["id"],
                {
                    k: person[k]
                    for k in ("canonical_name", "notes", "tags", "category", "company", "position", "linkedin_url")
                    if person.get(k) is not None
                },
            )
            restored += _restore_entities(conn, person)
        people.refresh_people(conn, [p["id"] for p in data], choose_name=person_name)
    return {"people_created": created, "people_updated": updated, "source_entities_restored": restored}


def _restore_entities(conn: sqlite3.Connection, person: dict[str, Any]) -> int:
    count = 0
    for entity in person.get("source_entities", []):
        if sources.get_entity(conn, entity["id"]) is not None:
            continue
        record = sources.EntityRecord(
            id=entity["id"],
            source_type=entity["source_type"],
            source_id=entity["source_id"],
            observed_at=entity["observed_at"],
            account=entity.get("account"),
            observed_name=entity.get("observed_name"),
            observed_email=entity.get("observed_email"),
            observed_phone=entity.get("observed_phone"),
            name_key=entity.get("name_key"),
            metadata=entity.get("metadata") or {},
            identifiers=[tuple(i) for i in entity.get("identifiers", [])],
        )
        sources.upsert_entities(conn, [record])
        links.link_entities(
            conn,
            [
                (
                    entity["id"],
                    person["id"],
                    entity.get("link_confidence") or 1.0,
                    entity.get("link_status") or "confirmed",
                    entity.get("linked_by") or "user",
                )
            ],
        )
        sources.set_entity_times(conn, entity["id"], entity)
        count += 1
    return count
