"""The user's side of linking: confirm or reject a pending link (every decision logged for undo)."""

from __future__ import annotations

import sqlite3
from typing import Any

from kithkin.config import Settings
from kithkin.identity.names import person_name
from kithkin.insight.relationships import (
    carry_user_word,
    merge_relationships,
    refresh_relationships_for_people,
    restore_user_word,
)
from kithkin.insight.strength import update_strengths
from kithkin.models import KithkinError
from kithkin.store import db, links, people, sources
from kithkin.store.timeline import latest_of_entities


class DecisionConflict(KithkinError):
    """The pending link was already decided."""


class NotFound(KithkinError):
    """No such pending link, person or entity."""


def pending_link_views(conn: sqlite3.Connection, found: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Pending links with their source entity, proposed, previous and alternative people as objects."""
    wanted = {
        person_id
        for link in found
        for person_id in (
            link["proposed_canonical_id"],
            link.get("previous_canonical_id"),
            *(a.get("person_id") for a in link["alternatives"]),
        )
        if person_id
    }
    persons = people.get_people(conn, sorted(wanted))
    samples = latest_of_entities(conn, [link["source_entity_id"] for link in found])
    views = []
    for link in found:
        entity = sources.get_entity(conn, link["source_entity_id"])
        views.append(
            {
                **link,
                "source_entity": sources.entity_to_dict(entity) if entity else None,
                "proposed_person": persons.get(link["proposed_canonical_id"]),
                "previous_person": persons.get(link.get("previous_canonical_id") or ""),
                "sample": samples.get(link["source_entity_id"]),
                "alternatives": [
                    {**a, "person": persons.get(a["person_id"])}
                    for a in link["alternatives"]
                    if isinstance(a, dict) and a.get("person_id")
                ],
            }
        )
    return views


def _open_link(conn: sqlite3.Connection, link_id: str) -> dict[str, Any]:
    link = links.get_pending_link(conn, link_id)
    if link is None:
        raise NotFound(f"There is no pending link {link_id}.")
    if link["status"] != "pending":
        raise DecisionConflict(f"Pending link {link_id} was already {link['status']}.")
    return link


def confirm_link(
    conn: sqlite3.Connection, link_id: str, domain_mappings: dict[str, Any] | None = None
) -> dict[str, Any]:
    """Move the entity to the proposed person; returns the decided link.

    The entity had a person of its own until the user decided: what was linked to that person since was
    linked because it is this entity's person (a third card of the same name and birthday), so it follows
    the entity, and so do the proposals made to that person; unless the user wrote notes or tags there."""
    with db.transaction(conn):
        link = _open_link(conn, link_id)
        entity = link["source_entity_id"]
        target = people.live_person_id(conn, link["proposed_canonical_id"])
        if target is None:
            raise NotFound(f"The person proposed by link {link_id} no longer exists.")
        previous = sources.person_of_entity(conn, entity)
        followers: list[tuple[str, str, float, str]] = []
        repointed: list[str] = []
        held = people.get_person(conn, previous) if previous else None
        if previous and previous == link["previous_canonical_id"] and held and not (held["notes"] or held["tags"]):
            followers = [
                (row["id"], row["link_status"], row["link_confidence"], row["linked_by"])
                for row in sources.entities_of_people(conn, [previous], "id, link_status, link_confidence, linked_by")
                if row["id"] != entity
            ]
            repointed = links.repoint_proposals(conn, previous, target)
        links.link_entities(
            conn,
            [(entity, target, 1.0, "confirmed", "user")]
            + [(f, target, confidence, status, by) for f, status, confidence, by in followers],
        )
        links.set_pending_status(conn, link_id, "confirmed")
        decision = links.record_decision(
            conn,
            "confirm",
            source_entity_id=entity,
            person_id=target,
            previous_person_id=previous,
            pending_link_id=link_id,
            payload={"followers": followers, "repointed": repointed} if followers or repointed else None,
        )
        _settle(conn, {p for p in (target, previous) if p}, domain_mappings, None, decision=decision)
        return links.get_pending_link(conn, link_id) or link


def reject_link(
    conn: sqlite3.Connection,
    link_id: str,
    *,
    create_new_person: bool = False,
    domain_mappings: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """Refuse the proposal (never proposed again); optionally give the entity a person of its own."""
    with db.transaction(conn):
        link = _open_link(conn, link_id)
        entity = link["source_entity_id"]
        links.remember_rejection(conn, entity, link["proposed_canonical_id"])
        links.set_pending_status(conn, link_id, "rejected")
        previous = sources.person_of_entity(conn, entity)
        moved_to = None
        if create_new_person:
            row = sources.get_entity(conn, entity)
            name = next((row[k] for k in ("observed_name", "observed_email", "observed_phone") if row and row[k]), None)
            # Already alone on a person of its own: that person is the new person.
            alone = previous is not None and sources.entity_count_of_person(conn, previous) == 1
            moved_to = previous if alone else people.create_person(conn, name or "Unknown")
            links.link_entities(conn, [(entity, moved_to, 1.0, "confirmed", "user")])
        decision = links.record_decision(
            conn,
            "reject_new" if create_new_person else "reject",
            source_entity_id=entity,
            person_id=moved_to,
            previous_person_id=previous,
            other_person_id=link["proposed_canonical_id"],
            pending_link_id=link_id,
        )
        _settle(conn, {p for p in (moved_to, previous) if p}, domain_mappings, None, decision=decision)
        return links.get_pending_link(conn, link_id) or link


def merge_people(
    conn: sqlite3.Connection,
    keep_id: str,
    other_id: str,
    domain_mappings: dict[str, Any] | None = None,
    settings: Settings | None = None,
) -> None:
    """Move every source entity of `other_id` to `keep_id`, with its notes and tags; `other_id` stays as
    merged into `keep_id` (the decision log lists the entities moved, for undo)."""
    with db.transaction(conn):
        keep, other = people.get_person(conn, keep_id), people.get_person(conn, other_id)
        for wanted, found in ((keep_id, keep), (other_id, other)):
            if found is None:
                raise NotFound(f"There is no person {wanted}.")
        assert keep is not None and other is not None
        if keep_id == other_id:
            raise DecisionConflict("A person cannot be merged into themselves; choose another person.")
        for person in (keep, other):
            if person["merged_into"]:
                raise DecisionConflict(f"{person['canonical_name']} was already merged into another person.")
        moved = [e["id"] for e in sources.entities_of_people(conn, [other_id])]
        links.link_entities(conn, [(entity, keep_id, 1.0, "confirmed", "user") for entity in moved])
        notes = "\n\n".join(n for n in (keep["notes"], other["notes"]) if n)
        tags = list(dict.fromkeys(keep["tags"] + other["tags"]))
        if (notes, tags) != (keep["notes"], keep["tags"]):  # else the refresh below re-indexes and stamps anyway
            people.update_person(conn, keep_id, {"notes": notes, "tags": tags})
        people.mark_merged(conn, other_id, keep_id)
        relationships_before = carry_user_word(conn, other_id, keep_id)
        decision = links.record_decision(
            conn,
            "merge",
            person_id=keep_id,
            other_person_id=other_id,
            payload={
                "source_entity_ids": moved,
                "kept_notes": keep["notes"],
                "kept_tags": keep["tags"],
                "kept_relationships": relationships_before,
            },
        )
        _settle(
            conn, {keep_id, other_id}, domain_mappings, settings, merged=(keep_id, other_id, moved), decision=decision
        )


def split_person(
    conn: sqlite3.Connection,
    person_id: str,
    entity_ids: list[str],
    domain_mappings: dict[str, Any] | None = None,
    settings: Settings | None = None,
) -> str:
    """Move these source entities of the person to a new person; returns the new person's id."""
    with db.transaction(conn):
        person = people.get_person(conn, person_id)
        if person is None or person["merged_into"]:
            raise NotFound(f"There is no person {person_id}.")
        own = {e["id"]: e for e in sources.entities_of_people(conn, [person_id])}
        chosen = list(dict.fromkeys(entity_ids))
        strangers = [e for e in chosen if e not in own]
        if strangers:
            raise DecisionConflict(f"Source entity {strangers[0]} is not linked to {person['canonical_name']}.")
        if len(chosen) == len(own):
            raise DecisionConflict("Splitting off every source entity would leave nobody behind; keep at least one.")
        first = own[chosen[0]]
        name = next((first[k] for k in ("observed_name", "observed_email", "observed_phone") if first[k]), None)
        new_id = people.create_person(conn, name or "Unknown")
        links.link_entities(conn, [(entity, new_id, 1.0, "confirmed", "user") for entity in chosen])
        decision = links.record_decision(
            conn, "split", person_id=new_id, previous_person_id=person_id, payload={"source_entity_ids": chosen}
        )
        _settle(conn, {person_id, new_id}, domain_mappings, settings, decision=decision)
        return new_id


def _settle(
    conn: sqlite3.Connection,
    person_ids: set[str],
    domain_mappings: dict[str, Any] | None,
    settings: Settings | None,
    merged: tuple[str, str, list[str]] | None = None,
    decision: int | None = None,
) -> None:
    """What a decision changes beyond the links: the people's figures, strength and relationships. A merge
    (kept person, merged person, the entities moved) adds up the two people's relationships instead of
    recounting them. A person left without entities goes, and the pending links proposing them with
    it: the `decision` keeps a copy of those links so that its undo brings them back."""
    proposing = links.open_links_proposing(conn, sorted(person_ids)) if decision is not None else []
    people.refresh_people(conn, person_ids, domain_mappings, person_name)
    if proposing:
        still_open = {row["id"] for row in links.open_links_proposing(conn, sorted(person_ids))}
        withdrawn = [row for row in proposing if row["id"] not in still_open]
        if withdrawn:
            links.add_to_decision(conn, decision, "withdrawn_links", withdrawn)
    live = [p for p in person_ids if people.name_of(conn, p) is not None]  # refresh removes people left empty
    update_strengths(conn, live)
    if merged is not None:
        merge_relationships(conn, settings or Settings(), *merged)
    else:
        refresh_relationships_for_people(conn, settings or Settings(), live)


def undo_decision(
    conn: sqlite3.Connection,
    decision_id: int,
    domain_mappings: dict[str, Any] | None = None,
    settings: Settings | None = None,
) -> dict[str, Any]:
    """Reverse one decision exactly (confirm, reject, reject_new, merge, split); returns it, now undone."""
    with db.transaction(conn):
        decision = links.get_decision(conn, decision_id)
        if decision is None or decision["action"] == "undo":
            raise NotFound(f"There is no decision {decision_id}.")
        if decision["undone_at"]:
            raise DecisionConflict(f"Decision {decision_id} was already undone.")
        action, entity, payload = decision["action"], decision["source_entity_id"], decision["payload"]
        touched: set[str] = {p for p in (decision["person_id"], decision["previous_person_id"]) if p}
        if action in ("confirm", "reject_new") and decision["previous_person_id"] and entity:
            previous = decision["previous_person_id"]
            people.ensure_person(conn, previous, _entity_name(conn, entity))
            links.link_entities(conn, [(entity, previous, 1.0, "auto", "system")])
            followers = payload.get("followers", [])
            links.link_entities(
                conn, [(e, previous, confidence, status, by) for e, status, confidence, by in followers]
            )
            links.repoint_proposals(conn, decision["person_id"], previous, payload.get("repointed", []))
        if action in ("reject", "reject_new") and entity and decision["other_person_id"]:
            links.forget_rejection(conn, entity, decision["other_person_id"])
        if action in ("confirm", "reject", "reject_new") and decision["pending_link_id"]:
            links.reopen_pending(conn, decision["pending_link_id"])
        links.put_back_pending_links(conn, payload.get("withdrawn_links", []))
        if action == "merge":
            other = decision["other_person_id"]
            people.unmerge(conn, other)
            moved = payload.get("source_entity_ids", [])
            links.link_entities(conn, [(e, other, 1.0, "confirmed", "user") for e in moved])
            people.restore_user_fields(
                conn, decision["person_id"], payload.get("kept_notes", ""), payload.get("kept_tags", [])
            )
            restore_user_word(conn, decision["person_id"], payload.get("kept_relationships", []))
            touched.add(other)
        if action == "split":
            previous = decision["previous_person_id"]
            moved = payload.get("source_entity_ids", [])
            links.link_entities(conn, [(e, previous, 1.0, "confirmed", "user") for e in moved])
        links.mark_undone(conn, decision_id)
        links.record_decision(conn, "undo", payload={"undid": decision_id, "action": action}, source_entity_id=entity)
        _settle(conn, touched, domain_mappings, settings)
        return links.get_decision(conn, decision_id) or decision


def _entity_name(conn: sqlite3.Connection, entity_id: str) -> str:
    row = sources.get_entity(conn, entity_id)
    if row is None:
        return "Unknown"
    return next((row[k] for k in ("observed_name", "observed_email", "observed_phone") if row[k]), "Unknown")


def bulk_confirm(
    conn: sqlite3.Connection,
    *,
    reason: str | None = None,
    min_confidence: float | None = None,
    domain_mappings: dict[str, Any] | None = None,
) -> int:
    """Confirm every open pending link matching the filter, in one transaction; returns how many."""
    with db.transaction(conn):
        chosen = links.pending_ids(conn, reason=reason, min_confidence=min_confidence)
        for link_id in chosen:
            confirm_link(conn, link_id, domain_mappings)
        return len(chosen)


def list_decisions(conn: sqlite3.Connection, limit: int = 50, offset: int = 0) -> tuple[list[dict[str, Any]], int]:
    """The decision log, newest first."""
    return links.list_decisions(conn, limit, offset)
