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


class _People:
    """Names and identifiers of candidate people, read once per resolution."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn
        self.names: dict[str, str] = {}
        self.signals: dict[str, list[tuple[str, str]]] = {}
        self.carded: dict[str, bool] = {}

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

    def forget(self, person_id: str) -> None:
        self.names.pop(person_id, None)
        self.signals.pop(person_id, None)
        self.carded.pop(person_id, None)


def resolve_entities(
    conn: sqlite3.Connection, entity_ids: list[str] | set[str], settings: Settings
) -> ResolutionResult:
    """Resolve unlinked entities in order; call inside the import's transaction."""
    return _resolve_in_order(conn, sorted(entity_ids), settings)


def _resolve_in_order(conn: sqlite3.Connection, ids: list[str], settings: Settings) -> ResolutionResult:
    result = ResolutionResult()
    identifiers = sources.identifiers_of(conn, ids)
    rows = sources.get_entities(conn, ids)
    known = _People(conn)
    for entity_id in ids:
        entity = rows.get(entity_id)
        if entity is None or entity["canonical_person_id"] or entity["link_status"] == "owner":
            continue
        signals = identifiers.get(entity_id, [])
        display = entity["observed_name"] or name_from_email(entity["observed_email"])
        label = display or entity["observed_email"] or entity["observed_phone"]
        by_identifier, disputed, also = _identifier_match(conn, signals, display, settings, known)
        if by_identifier is not None:
            keep = by_identifier.person_id
            named = None
            if not _is_full_name(known.name(keep)):
                # A number or address known so far without a name now comes with one that names a known
                # person: the two are one (WhatsApp's "Ann Lee" on a phone seen only in iMessage).
                named = _unique_name_match(conn, display, signals, known, entity_id, entity["source_type"], settings)
            if named is not None and named.person_id != keep and _may_join(conn, named.person_id, keep):
                keep, also = named.person_id, [keep, *also]
            elif named is not None and named.person_id != keep:
                _propose(conn, entity_id, keep, [named], display, signals, known, result)
            _link(conn, entity_id, keep, by_identifier.confidence, display, known, result)
            for other in also:
                if _may_join(conn, keep, other):
                    _join(conn, keep, other, entity_id, known, result)
            continue
        named = _unique_name_match(conn, display, signals, known, entity_id, entity["source_type"], settings)
        if named is not None:
            _link(conn, entity_id, named.person_id, named.confidence, display, known, result)
            continue
        ranked = _name_candidates(conn, display, signals, known, entity_id, entity["source_type"])
        if disputed is not None and not ranked:
            ranked = [disputed]  # its address or number says one person, its name another: the user decides
        own = _new_person(conn, entity_id, label, result)
        if ranked and ranked[0].confidence >= settings.resolution.pending:
            _propose(conn, entity_id, own, ranked, display, signals, known, result)
    return result


def _propose(
    conn: sqlite3.Connection,
    entity_id: str,
    current: str,
    ranked: list[_Candidate],
    display: str | None,
    signals: list[tuple[str, str]],
    known: _People,
    result: ResolutionResult,
) -> None:
    """A pending link: the entity (on `current` until the user decides) to the best candidate, the next
    ones as alternatives."""
    best = ranked[0]
    if links.create_pending_link(
        conn,
        source_entity_id=entity_id,
        proposed_person_id=best.person_id,
        previous_person_id=current,
        reason=best.reason,
        confidence=best.confidence,
        alternatives=[{"person_id": c.person_id, "confidence": c.confidence, "reason": c.reason} for c in ranked[1:4]],
        evidence={"name": display, "proposed_name": known.name(best.person_id), "identifiers": [v for _, v in signals]},
    ):
        result.links_pending += 1


def _identifier_match(
    conn: sqlite3.Connection, signals: list[tuple[str, str]], display: str | None, settings: Settings, known: _People
) -> tuple[_Candidate | None, _Candidate | None, list[str]]:
    """(the person this entity's email or phone belongs to when the names agree, or else the one person
    it belongs to under another name — conflicting evidence for review — and the other people of agreeing
    names its identifiers belong to: a card holding an email seen in mail and a phone seen in iMessage).
    An address or number seen with two differently named people already, or a role address (info@), is
    evidence of nobody."""
    votes: Counter[str] = Counter()
    reasons: dict[str, str] = {}
    for kind in ("email", "phone"):
        values = [v for k, v in signals if k == kind and not (kind == "email" and is_role_address(v))]
        for owners in links.people_by_identifier(conn, kind, values).values():
            if len(owners) >= settings.resolution.shared_identifier_people:
                continue  # a family landline: evidence of nobody in particular
            for person_id in owners:
                votes[person_id] += 1
                reasons.setdefault(person_id, f"{kind}_match")
    if settings.resolution.auto_link > IDENTIFIER_CONFIDENCE or not votes:
        return None, None, []
    agreeing = [p for p in votes if name_agreement(display, known.name(p)) != "conflict"]
    if agreeing:
        best = max(agreeing, key=lambda p: (votes[p], name_agreement(display, known.name(p)) == "same", p))
        best_name = known.name(best)
        others = sorted(p for p in agreeing if p != best and name_agreement(best_name, known.name(p)) != "conflict")
        return _Candidate(best, IDENTIFIER_CONFIDENCE, reasons[best]), None, others
    if len(votes) == 1:
        (person_id,) = votes
        return None, _Candidate(person_id, CONTRADICTED_CONFIDENCE, reasons[person_id]), []
    return None, None, []  # already shared by two people of different names


def _unique_name_match(
    conn: sqlite3.Connection,
    display: str | None,
    signals: list[tuple[str, str]],
    known: _People,
    entity_id: str,
    source_type: str,
    settings: Settings,
) -> _Candidate | None:
    """The one person whose name matches well enough to link without asking, if there is exactly one."""
    ranked = _name_candidates(conn, display, signals, known, entity_id, source_type)
    unique = len(ranked) == 1 or (len(ranked) > 1 and ranked[1].confidence < ranked[0].confidence)
    if ranked and unique and ranked[0].confidence >= settings.resolution.name_auto_link:
        return ranked[0]
    return None


def _is_full_name(name: str | None) -> bool:
    parsed = parse_name(name)
    return parsed is not None and parsed.is_full


def _link(
    conn: sqlite3.Connection,
    entity_id: str,
    person_id: str,
    confidence: float,
    display: str | None,
    known: _People,
    result: ResolutionResult,
) -> None:
    links.link_entities(conn, [(entity_id, person_id, confidence, "auto", "system")])
    result.links_auto += 1
    result.touched.add(person_id)
    known.signals.pop(person_id, None)
    known.carded.pop(person_id, None)
    if display and not _is_full_name(known.name(person_id)) and _is_full_name(display):
        # The stored name is refreshed once per batch; later entities of this batch already see this one.
        known.names[person_id] = display


def _may_join(conn: sqlite3.Connection, keep: str, other: str) -> bool:
    """Only a person made by the machine alone is joined into another without asking, and never against
    a rejection the user made between the two."""
    return keep != other and people.machine_made(conn, other) and not links.rejected_between(conn, keep, other)


def _join(
    conn: sqlite3.Connection, keep: str, other: str, evidence: str, known: _People, result: ResolutionResult
) -> None:
    """Join `other` into `keep`: one entity showed they are one person; a logged merge the user can undo."""
    moved = [e["id"] for e in sources.entities_of_people(conn, [other])]
    links.link_entities(conn, [(entity, keep, IDENTIFIER_CONFIDENCE, "auto", "system") for entity in moved])
    people.mark_merged(conn, other, keep)
    kept = people.get_person(conn, keep) or {"notes": "", "tags": []}
    links.record_decision(
        conn,
        "merge",
        person_id=keep,
        other_person_id=other,
        source_entity_id=evidence,
        payload={"source_entity_ids": moved, "kept_notes": kept["notes"], "kept_tags": kept["tags"]},
        decided_by="system",
    )
    result.touched.add(other)
    result.joined |= {keep, other}
    known.forget(other)


def _contradicts(signals: list[tuple[str, str]], theirs: list[tuple[str, str]]) -> bool:
    """Two different private mailboxes: most likely two people of one name. A work address beside a
    private one, or another phone, is how one person looks across sources (measured in
    bench/resolution.py: counting them sent 44 % of people to review for 0.0002 more precision)."""
    mine = {v for k, v in signals if k == "email" and is_personal_email(v)}
    other = {v for k, v in theirs if k == "email" and is_personal_email(v)}
    return bool(mine and other and not mine & other)


def _name_candidates(
    conn: sqlite3.Connection,
    display: str | None,
    signals: list[tuple[str, str]],
    known: _People,
    entity_id: str,
    source_type: str,
) -> list[_Candidate]:
    """People whose name matches, best first: the same full name (nicknames allowed) or a near one."""
    parsed = parse_name(display)
    keys = name_keys(display)
    if parsed is None or not parsed.is_full or not keys:
        return []
    found = {p for owners in links.people_by_name_key(conn, sorted(keys)).values() for p in owners}
    if not found and not signals and len(parsed.last) >= 4:
        found = links.people_by_name_prefix(conn, parsed.last[:4])  # a typo further along the surname
    candidates = []
    for person_id in sorted(found):
        if links.is_rejected(conn, entity_id, person_id):
            continue
        theirs = parse_name(known.name(person_id))
        if theirs is None or not theirs.is_full:
            continue
        exact_last = theirs.last == parsed.last
        first_ok = same_first_name(parsed.first, theirs.first)
        if source_type == "contacts" and known.has_card(person_id):
            continue  # two cards are two people the user keeps apart, whatever their names
        if exact_last and first_ok:
            contradicted = _contradicts(signals, known.identifiers(person_id))
            confidence = CONTRADICTED_CONFIDENCE if contradicted else NAME_CONFIDENCE
            candidates.append(_Candidate(person_id, confidence, "name_match"))
        elif parsed.first == theirs.first and OSA.distance(parsed.last, theirs.last) == 1:  # one typo or swap
            candidates.append(_Candidate(person_id, NEAR_NAME_CONFIDENCE, "name_match"))
    return sorted(candidates, key=lambda c: (-c.confidence, c.person_id))


def _new_person(conn: sqlite3.Connection, entity_id: str, name: str | None, result: ResolutionResult) -> str:
    person_id = people.create_person(conn, name or "Unknown")
    links.link_entities(conn, [(entity_id, person_id, 1.0, "auto", "system")])
    result.people_created += 1
    result.touched.add(person_id)
    return person_id


def reresolve_all(
    conn: sqlite3.Connection, settings: Settings, domain_mappings: dict | None = None
) -> ResolutionResult:
    """Resolve every entity again from scratch, keeping the user's word: confirmed links stay where the
    user put them and rejected pairs are never linked or proposed again. One transaction."""
    from kithkin.insight.relationships import recompute_all
    from kithkin.insight.strength import update_strengths
    from kithkin.store import db

    with db.transaction(conn):
        before = set(people.all_person_ids(conn))
        waiting = links.unlink_machine_links(conn)
        result = _resolve_in_order(conn, waiting, settings)
        people.refresh_people(conn, before | result.touched, domain_mappings)
        update_strengths(conn, None)
        recompute_all(conn, settings)
    return result
