"""Decisions: link a new source entity to a person, propose a link for review, or create a person.

Evidence, strongest first:
- a shared email or phone whose names agree → automatic link; under a clearly different name →
  conflicting evidence, a pending link; once seen with two different names the number or address is
  shared (a family landline) and no evidence at all, nor is a role mailbox (info@) ever;
- the same full name (nicknames allowed: Bob Smith = Robert Smith) on exactly one known person and no
  contradicting address → automatic link; two different private mailboxes → pending link (two contact
  cards of one name are two people the user keeps apart: no proposal at all);
- a near name (a typo) or a name several people share → pending link, the others as alternatives;
- nothing → a new person.
A doubtful entity gets a person of its own until the user decides, so nothing is ever hidden.
"""

from __future__ import annotations

import sqlite3
from collections import Counter
from dataclasses import dataclass, field
from operator import attrgetter

from rapidfuzz.distance import OSA

from kithkin.config import Settings
from kithkin.identity.match import name_agreement
from kithkin.identity.normalize import (
    is_personal_email,
    is_role_address,
    name_from_email,
    name_keys,
    parse_name,
    same_first_name,
)
from kithkin.store import links, people, sources
from kithkin.store.sources import EntityRecord

IDENTIFIER_CONFIDENCE = 0.99
NAME_CONFIDENCE = 0.9
CONTRADICTED_CONFIDENCE = 0.7
NEAR_NAME_CONFIDENCE = 0.6


@dataclass(slots=True)
class ResolutionResult:
    people_created: int = 0
    links_auto: int = 0
    links_pending: int = 0
    touched: set[str] = field(default_factory=set)
    joined: set[str] = field(default_factory=set)  # people joined into one another: their relationships change


@dataclass(slots=True)
class _Candidate:
    person_id: str
    confidence: float
    reason: str


@dataclass(slots=True)
class _Entity:
    """One entity being resolved, with what resolution reads of it."""

    id: str
    source_type: str
    display: str | None  # its name, or one read from its address
    observed_name: str | None  # only the name it was seen with: a name read from an address contradicts nothing
    label: str | None  # what a new person of its own is called
    name_key: str | None
    signals: list[tuple[str, str]]


class _Resolution:
    """One resolution run: the decisions, and what it asks about people, read once and kept current as it
    links — names, identifiers, and who owns each address, number and name key the entities carry (asked
    per entity, these lookups were a third of the time of resolving an import)."""

    def __init__(self, conn: sqlite3.Connection, settings: Settings, entities: list[_Entity]) -> None:
        self.conn, self.settings, self.result = conn, settings, ResolutionResult()
        self.names: dict[str, str] = {}
        self.signals: dict[str, list[tuple[str, str]]] = {}
        self.carded: dict[str, bool] = {}
        self.owners: dict[tuple[str, str], set[str]] = {}
        for kind in ("email", "phone"):
            values = sorted({v for e in entities for k, v in e.signals if k == kind})
            for value, owners in links.people_by_identifier(conn, kind, values).items():
                self.owners[(kind, value)] = owners
        self.keyed = links.people_by_name_key(conn, sorted({k for e in entities for k in name_keys(e.display)}))
        self.moved: dict[str, str] = {}  # people joined into another during this run
        candidates = {p for found in (*self.owners.values(), *self.keyed.values()) for p in found}
        self.names.update(people.names_of(conn, sorted(candidates)))
        self.rejecting = links.entities_with_rejections(conn, [e.id for e in entities])

    # What is known of people

    def name(self, person_id: str) -> str:
        if person_id not in self.names:
            self.names[person_id] = people.name_of(self.conn, person_id) or ""
        return self.names[person_id]

    def identifiers(self, person_id: str) -> list[tuple[str, str]]:
        if person_id not in self.signals:
            self.signals[person_id] = links.identifiers_of_person(self.conn, person_id)
        return self.signals[person_id]

    def has_card(self, person_id: str) -> bool:
        if person_id not in self.carded:
            self.carded[person_id] = people.has_source(self.conn, person_id, "contacts")
        return self.carded[person_id]

    def live(self, person_id: str) -> str:
        while person_id in self.moved:
            person_id = self.moved[person_id]
        return person_id

    def owners_of(self, signal: tuple[str, str]) -> set[str]:
        return {self.live(p) for p in self.owners.get(signal, ())}

    def is_rejected(self, entity: _Entity, person_id: str) -> bool:
        return entity.id in self.rejecting and links.is_rejected(self.conn, entity.id, person_id)

    # Decisions

    def resolve(self, entity: _Entity) -> None:
        by_identifier, disputed, also = self._identifier_match(entity)
        if by_identifier is not None:
            keep = by_identifier.person_id
            named = None
            if not _is_full_name(self.name(keep)):
                # A number or address known so far without a name now comes with one that names a known
                # person: the two are one (WhatsApp's "Ann Lee" on a phone seen only in iMessage).
                named = self._unique_name_match(self._name_candidates(entity))
            if named is not None and named.person_id != keep and self._may_join(named.person_id, keep):
                keep, also = named.person_id, [keep, *also]
            elif named is not None and named.person_id != keep:
                self._propose(entity, keep, [named])
            self._link(entity, keep, by_identifier.confidence)
            for other in also:
                if self._may_join(keep, other):
                    self._join(keep, other, entity)
            return
        ranked = self._name_candidates(entity)
        named = self._unique_name_match(ranked)
        if named is not None:
            self._link(entity, named.person_id, named.confidence)
            return
        if disputed is not None and not ranked:
            ranked = [disputed]  # its address or number says one person, its name another: the user decides
        own = self._new_person(entity)
        if ranked and ranked[0].confidence >= self.settings.resolution.pending:
            self._propose(entity, own, ranked)

    def _identifier_match(self, entity: _Entity) -> tuple[_Candidate | None, _Candidate | None, list[str]]:
        """(the person this entity's email or phone belongs to when the names agree, or else the one person
        it belongs to under another name — conflicting evidence for review — and the other people of
        agreeing names its identifiers belong to: a card holding an email seen in mail and a phone seen in
        iMessage). An address or number seen with two differently named people already, or a role address
        (info@), is evidence of nobody."""
        votes: Counter[str] = Counter()
        reasons: dict[str, str] = {}
        for signal in entity.signals:
            kind, value = signal
            if kind == "email" and is_role_address(value):
                continue
            owners = self.owners_of(signal)
            if len(owners) >= self.settings.resolution.shared_identifier_people:
                continue  # a family landline: evidence of nobody in particular
            for person_id in owners:
                votes[person_id] += 1
                reasons.setdefault(person_id, f"{kind}_match")
        if self.settings.resolution.auto_link > IDENTIFIER_CONFIDENCE or not votes:
            return None, None, []
        display = entity.observed_name  # "amlie.tanaka@…" lost an accent, not its owner
        agreeing = [p for p in votes if name_agreement(display, self.name(p)) != "conflict"]
        if agreeing:
            best = max(agreeing, key=lambda p: (votes[p], name_agreement(display, self.name(p)) == "same", p))
            best_name = self.name(best)
            others = sorted(p for p in agreeing if p != best and name_agreement(best_name, self.name(p)) != "conflict")
            return _Candidate(best, IDENTIFIER_CONFIDENCE, reasons[best]), None, others
        if len(votes) == 1:
            (person_id,) = votes
            return None, _Candidate(person_id, CONTRADICTED_CONFIDENCE, reasons[person_id]), []
        return None, None, []  # already shared by two people of different names

    def _unique_name_match(self, ranked: list[_Candidate]) -> _Candidate | None:
        """The one person of these name candidates (best first) whose name matches well enough to link
        without asking, if there is exactly one."""
        unique = len(ranked) == 1 or (len(ranked) > 1 and ranked[1].confidence < ranked[0].confidence)
        if ranked and unique and ranked[0].confidence >= self.settings.resolution.name_auto_link:
            return ranked[0]
        return None

    def _name_candidates(self, entity: _Entity) -> list[_Candidate]:
        """People whose name matches, best first: the same full name (nicknames allowed) or a near one."""
        parsed = parse_name(entity.display)
        keys = name_keys(entity.display)
        if parsed is None or not parsed.is_full or not keys:
            return []
        found = {self.live(p) for key in keys for p in self.keyed.get(key, ())}
        if not found and not entity.signals and len(parsed.last) >= 4:
            found = links.people_by_name_prefix(self.conn, parsed.last[:4])  # a typo further along the surname
        candidates = []
        for person_id in sorted(found):
            if self.is_rejected(entity, person_id):
                continue
            theirs = parse_name(self.name(person_id))
            if theirs is None or not theirs.is_full:
                continue
            if entity.source_type == "contacts" and self.has_card(person_id):
                continue  # two cards are two people the user keeps apart, whatever their names
            if theirs.last == parsed.last and same_first_name(parsed.first, theirs.first):
                contradicted = _contradicts(entity.signals, self.identifiers(person_id))
                confidence = CONTRADICTED_CONFIDENCE if contradicted else NAME_CONFIDENCE
                candidates.append(_Candidate(person_id, confidence, "name_match"))
            elif parsed.first == theirs.first and OSA.distance(parsed.last, theirs.last) == 1:  # one typo or swap
                candidates.append(_Candidate(person_id, NEAR_NAME_CONFIDENCE, "name_match"))
        return sorted(candidates, key=lambda c: (-c.confidence, c.person_id))

    def _link(self, entity: _Entity, person_id: str, confidence: float, *, created: bool = False) -> None:
        links.link_entities(self.conn, [(entity.id, person_id, confidence, "auto", "system")])
        for signal in entity.signals:
            self.owners.setdefault(signal, set()).add(person_id)
        if entity.name_key:
            self.keyed.setdefault(entity.name_key, set()).add(person_id)
        self.result.touched.add(person_id)
        if created:
            return
        self.result.links_auto += 1
        self.signals.pop(person_id, None)
        self.carded.pop(person_id, None)
        if entity.display and not _is_full_name(self.name(person_id)) and _is_full_name(entity.display):
            # The stored name is refreshed once per batch; later entities of this batch already see this one.
            self.names[person_id] = entity.display

    def _new_person(self, entity: _Entity) -> str:
        person_id = people.create_person(self.conn, entity.label or "Unknown")
        self.names[person_id] = entity.label or "Unknown"
        self.carded[person_id] = entity.source_type == "contacts"
        self._link(entity, person_id, 1.0, created=True)
        self.result.people_created += 1
        return person_id

    def _propose(self, entity: _Entity, current: str, ranked: list[_Candidate]) -> None:
        """A pending link: the entity (on `current` until the user decides) to the best candidate, the next
        ones as alternatives."""
        best = ranked[0]
        if links.create_pending_link(
            self.conn,
            source_entity_id=entity.id,
            proposed_person_id=best.person_id,
            previous_person_id=current,
            reason=best.reason,
            confidence=best.confidence,
            alternatives=[
                {"person_id": c.person_id, "confidence": c.confidence, "reason": c.reason} for c in ranked[1:4]
            ],
            evidence={
                "name": entity.display,
                "proposed_name": self.name(best.person_id),
                "identifiers": [v for _, v in entity.signals],
            },
        ):
            self.result.links_pending += 1

    def _may_join(self, keep: str, other: str) -> bool:
        """Only a person made by the machine alone is joined into another without asking, never against
        a rejection the user made between the two, and never when both have a contact card (two cards
        are two people the user keeps apart)."""
        return (
            keep != other
            and not (self.has_card(keep) and self.has_card(other))
            and people.machine_made(self.conn, other)
            and not links.rejected_between(self.conn, keep, other)
        )

    def _join(self, keep: str, other: str, evidence: _Entity) -> None:
        """Join `other` into `keep`: one entity showed they are one person; a logged merge the user can undo."""
        moved = [e["id"] for e in sources.entities_of_people(self.conn, [other])]
        links.link_entities(self.conn, [(e, keep, IDENTIFIER_CONFIDENCE, "auto", "system") for e in moved])
        people.mark_merged(self.conn, other, keep)
        kept = people.get_person(self.conn, keep) or {"notes": "", "tags": []}
        links.record_decision(
            self.conn,
            "merge",
            person_id=keep,
            other_person_id=other,
            source_entity_id=evidence.id,
            payload={"source_entity_ids": moved, "kept_notes": kept["notes"], "kept_tags": kept["tags"]},
            decided_by="system",
        )
        self.moved[other] = keep
        for cache in (self.names, self.signals, self.carded):
            cache.pop(other, None)
        self.signals.pop(keep, None)
        self.carded.pop(keep, None)
        self.result.touched.add(other)
        self.result.joined |= {keep, other}


def resolve_entities(
    conn: sqlite3.Connection, entity_ids: list[str] | set[str], settings: Settings
) -> ResolutionResult:
    """Resolve unlinked entities in order; call inside the import's transaction."""
    return _resolve_in_order(conn, sorted(entity_ids), settings)


def resolve_stored_records(
    conn: sqlite3.Connection, records: list[EntityRecord], settings: Settings
) -> ResolutionResult:
    """`resolve_entities` for the records of entities this transaction has just created: what resolution
    reads of them comes from the records instead of the store (reading them back was an eighth of
    resolving bench/resolution.py)."""
    waiting = [
        # The store lists an entity's identifiers in (kind, value) order: so do the signals here.
        _entity(
            r.id, r.source_type, r.observed_name, r.observed_email, r.observed_phone, r.name_key, sorted(r.identifiers)
        )
        for r in sorted(records, key=attrgetter("id"))
        if not r.is_owner
    ]
    return _resolve_all(conn, settings, waiting)


def _resolve_in_order(conn: sqlite3.Connection, ids: list[str], settings: Settings) -> ResolutionResult:
    identifiers = sources.identifiers_of(conn, ids)
    rows = sources.get_entities(conn, ids)
    waiting = []
    for entity_id in ids:
        row = rows.get(entity_id)
        if row is None or row["canonical_person_id"] or row["link_status"] == "owner":
            continue
        waiting.append(
            _entity(
                entity_id,
                row["source_type"],
                row["observed_name"],
                row["observed_email"],
                row["observed_phone"],
                row["name_key"],
                identifiers.get(entity_id, []),
            )
        )
    return _resolve_all(conn, settings, waiting)


def _entity(
    entity_id: str,
    source_type: str,
    observed_name: str | None,
    observed_email: str | None,
    observed_phone: str | None,
    key: str | None,
    signals: list[tuple[str, str]],
) -> _Entity:
    display = observed_name or name_from_email(observed_email)
    return _Entity(
        id=entity_id,
        source_type=source_type,
        display=display,
        observed_name=observed_name,
        label=display or observed_email or observed_phone,
        name_key=key,
        signals=signals,
    )


def _resolve_all(conn: sqlite3.Connection, settings: Settings, waiting: list[_Entity]) -> ResolutionResult:
    run = _Resolution(conn, settings, waiting)
    for entity in waiting:
        run.resolve(entity)
    return run.result


def _is_full_name(name: str | None) -> bool:
    parsed = parse_name(name)
    return parsed is not None and parsed.is_full


def _contradicts(signals: list[tuple[str, str]], theirs: list[tuple[str, str]]) -> bool:
    """Two different private mailboxes: most likely two people of one name. A work address beside a
    private one, or another phone, is how one person looks across sources (measured in
    bench/resolution.py: counting them sent 44 % of people to review for 0.0002 more precision)."""
    mine = {v for k, v in signals if k == "email" and is_personal_email(v)}
    other = {v for k, v in theirs if k == "email" and is_personal_email(v)}
    return bool(mine and other and not mine & other)


def reresolve_all(
    conn: sqlite3.Connection, settings: Settings, domain_mappings: dict | None = None
) -> ResolutionResult:
    """Resolve every entity again from scratch, keeping the user's word: confirmed links stay where the
    user put them and rejected pairs are never linked or proposed again. One transaction."""
    from kithkin.insight.relationships import recompute_all
    from kithkin.insight.strength import update_strengths
    from kithkin.store import db

    with db.transaction(conn):
        links.forget_system_joins(conn)
        before = set(people.all_person_ids(conn))
        waiting = links.unlink_machine_links(conn)
        result = _resolve_in_order(conn, waiting, settings)
        people.refresh_people(conn, before | result.touched, domain_mappings)
        update_strengths(conn, None)
        recompute_all(conn, settings)
    return result
