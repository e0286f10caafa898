"""Decisions: link a new source entity to a person, propose a link for review, or create a person."""

from __future__ import annotations

import sqlite3
from collections import Counter
from dataclasses import dataclass, field

from kithkin.config import Settings
from kithkin.identity.match import name_agreement
from kithkin.identity.normalize import name_from_email, name_keys
from kithkin.store import links, people, sources


@dataclass(slots=True)
class ResolutionResult:
    people_created: int = 0
    links_auto: int = 0
    links_pending: int = 0
    touched: set[str] = field(default_factory=set)


def resolve_entities(
    conn: sqlite3.Connection, entity_ids: list[str] | set[str], settings: Settings
) -> ResolutionResult:
    """Resolve unlinked entities in order; call inside the import's transaction."""
    result = ResolutionResult()
    ids = sorted(entity_ids)
    identifiers = sources.identifiers_of(conn, ids)
    names: dict[str, str] = {}
    for entity_id in ids:
        entity = sources.get_entity(conn, entity_id)
        if entity is None or entity["canonical_person_id"] or entity["link_status"] == "owner":
            continue
        signals = identifiers.get(entity_id, [])
        display = entity["observed_name"] or name_from_email(entity["observed_email"])
        match = _identifier_match(conn, signals, display, settings, names)
        if match is not None:
            person_id, reason, agreement = match
            if agreement != "conflict":
                links.link_entities(conn, [(entity_id, person_id, 0.99, "auto", "system")])
                result.links_auto += 1
                result.touched.add(person_id)
                continue
            own = _new_person(conn, entity_id, display or entity["observed_email"] or entity["observed_phone"], result)
            if links.create_pending_link(
                conn,
                source_entity_id=entity_id,
                proposed_person_id=person_id,
                previous_person_id=own,
                reason=reason,
                confidence=0.7,
                evidence={"name": display, "shared": reason, "names": "differ"},
            ):
                result.links_pending += 1
            continue
        candidate = _name_match(conn, display, signals, names)
        own = _new_person(conn, entity_id, display or entity["observed_email"] or entity["observed_phone"], result)
        if candidate and links.create_pending_link(
            conn,
            source_entity_id=entity_id,
            proposed_person_id=candidate,
            previous_person_id=own,
            reason="name_match",
            confidence=0.75,
            evidence={"name": display},
        ):
            result.links_pending += 1
    return result


def _person_name(conn: sqlite3.Connection, person_id: str, cache: dict[str, str]) -> str:
    if person_id not in cache:
        person = people.get_person(conn, person_id)
        cache[person_id] = person["canonical_name"] if person else ""
    return cache[person_id]


def _identifier_match(
    conn: sqlite3.Connection,
    signals: list[tuple[str, str]],
    display: str | None,
    settings: Settings,
    names: dict[str, str],
) -> tuple[str, str, str] | None:
    votes: Counter[str] = Counter()
    reasons: dict[str, str] = {}
    for kind in ("email", "phone"):
        values = [v for k, v in signals if k == kind]
        for _value, owners in links.people_by_identifier(conn, kind, values).items():
            if len(owners) >= settings.resolution.shared_identifier_people:
                continue  # a family landline or info@: evidence of nobody in particular
            for person_id in owners:
                votes[person_id] += 1
                reasons.setdefault(person_id, f"{kind}_match")
    if not votes:
        return None
    ranked = sorted(votes, key=lambda p: (-votes[p], _name_distance(display, _person_name(conn, p, names)), p))
    for person_id in ranked:
        agreement = name_agreement(display, _person_name(conn, person_id, names))
        if agreement != "conflict":
            return person_id, reasons[person_id], agreement
    best = ranked[0]
    return best, reasons[best], "conflict"


def _name_distance(a: str | None, b: str) -> int:
    return 0 if name_agreement(a, b) in ("same", "compatible") else 1


def _name_match(
    conn: sqlite3.Connection,
    display: str | None,
    signals: list[tuple[str, str]],
    names: dict[str, str],
) -> str | None:
    keys = name_keys(display)
    if not keys:
        return None
    found = links.people_by_name_key(conn, sorted(keys))
    candidates = sorted({p for owners in found.values() for p in owners})
    kinds = {k for k, _ in signals}
    for person_id in candidates:
        if name_agreement(display, _person_name(conn, person_id, names)) != "same":
            continue
        # Same name but a different address of the same kind: two people who share a name.
        if kinds & links.identifier_kinds_of_person(conn, person_id):
            continue
        return person_id
    return None


def _new_person(conn: sqlite3.Connection, entity_id: str, name: str | None, result: ResolutionResult) -> str:
    person_id = people.create_person(conn, name or "Unknown")
    links.link_entities(conn, [(entity_id, person_id, 1.0, "auto", "system")])
    result.people_created += 1
    result.touched.add(person_id)
    return person_id
