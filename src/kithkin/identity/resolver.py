"""Decisions: link a new source entity to a person, propose a link for review, or create a person.

Evidence, strongest first:
- a shared email or phone whose names agree → automatic link; under a clearly different name →
  conflicting evidence, a pending link; once seen with two different names the number or address is
  shared (a family landline) and no evidence at all, nor is a role mailbox (info@) ever;
- the same full name (nicknames allowed: Bob Smith = Robert Smith) on exactly one known person and no
  contradicting address → automatic link; two different private mailboxes → pending link (two contact
  cards of one name are two people the user keeps apart: no proposal at all);
- a near name (a typo) or a name several people share → pending link, the others as alternatives;
- the other people a card looked like besides the one it joined or was proposed to, when its birthday (or
  its name and postal address, under another birthday) agrees → each proposed to the card's person;
- nothing → a new person.
A doubtful entity gets a person of its own until the user decides, so nothing is ever hidden.
"""

from __future__ import annotations

import sqlite3
from collections import Counter
from collections.abc import Callable, Collection
from dataclasses import dataclass, field, replace
from functools import lru_cache
from operator import attrgetter

from kithkin.config import Settings
from kithkin.identity.labels import household_members, is_label
from kithkin.identity.match import addresses_agree, birthdays_agree, name_agreement, name_likeness, near_address
from kithkin.identity.names import person_name
from kithkin.identity.normalize import (
    is_personal_email,
    is_role_address,
    match_keys,
    name_from_email,
    name_keys,
    parse_name,
)
from kithkin.store import links, people, sources
from kithkin.store.sources import EntityRecord

IDENTIFIER_CONFIDENCE = 0.99
NAME_CONFIDENCE = 0.9
CONTRADICTED_CONFIDENCE = 0.7
NEAR_NAME_CONFIDENCE = 0.6
CORROBORATED_CONFIDENCE = 0.95  # a name that agrees and a birthday, a postal address or a near email too
SAME_NAME_ONLY_CONFIDENCE = 0.8  # two cards of one name and nothing else: always the user's call
SIGNAL_KINDS = ("email", "phone")  # identifiers that name one person; the other kinds only find candidates
SCORED_KINDS = ("address", "birthday", "email", "phone")  # what a candidate's score compares


@dataclass(slots=True)
class ResolutionResult:
    people_created: int = 0
    links_auto: int = 0
    links_pending: int = 0
    touched: set[str] = field(default_factory=set)
    joined: set[str] = field(default_factory=set)  # people joined into one another: their relationships change
    # What resolution knows whole of people it touched: every address, number, birthday and postal address.
    identifiers: dict[str, list[tuple[str, str]]] = field(default_factory=dict)


@dataclass(slots=True)
class _Candidate:
    person_id: str
    confidence: float
    reason: str


CARD_SOURCES = frozenset({"contacts", "carddav"})
# Asked ~27,000 times an import of bench/resolution.py for ~10,000 pairs of names: the same name and person
# come back entity after entity.
_name_relation = lru_cache(maxsize=100_000)(name_agreement)


@dataclass(slots=True)
class _Entity:
    """One entity being resolved, with what resolution reads of it."""

    id: str
    source_type: str
    display: str | None  # its name, or one read from its address
    observed_name: str | None  # only the name it was seen with: a name read from an address contradicts nothing
    label: str | None  # what a new person of its own is called
    name_key: str | None
    signals: list[tuple[str, str]]  # emails and phones
    keys: list[tuple[str, str]]  # name keys, birthday, postal address, national numbers: candidates, not proof
    household: tuple[str, ...] | None  # the people a household card names ("Ann & Tom Lee")

    @property
    def is_card(self) -> bool:
        return self.source_type in CARD_SOURCES

    def fact(self, kind: str) -> str | None:
        return next((v for k, v in self.keys if k == kind), None)


class _Resolution:
    """One resolution run: the decisions, and what it asks about people, read once and kept current as it
    links — names, identifiers, and who owns each address, number and name key the entities carry (asked
    per entity, these lookups were a third of the time of resolving an import)."""

    def __init__(
        self,
        conn: sqlite3.Connection,
        settings: Settings,
        entities: list[_Entity],
        unstored: dict[str, EntityRecord] | None = None,
    ) -> None:
        self._conn, self.settings, self.result = conn, settings, ResolutionResult()
        self.unstored = unstored or {}  # new entities, stored as they are linked
        # Links made and not yet written: one statement per entity was a sixth of resolving bench/resolution.py.
        self.unwritten: list[tuple[str, str | None, float, str, str]] = []
        # People made and not written yet (id → name): one statement each was ~5 % of importing the cards of
        # bench/resolution.py.
        self.unmade: dict[str, str] = {}
        self.linked: set[str] = set()  # the people of the links not written yet
        self.names: dict[str, str] = {}
        self.signals: dict[str, list[tuple[str, str]]] = {}
        self.carded: dict[str, bool] = {}
        self.owners: dict[tuple[str, str], set[str]] = {}
        self.seen: dict[str, list[str]] = {}  # person → every name its entities were seen with
        carried: dict[str, set[str]] = {}
        for entity in entities:
            for kind, value in (*entity.signals, *entity.keys):
                carried.setdefault(kind, set()).add(value)
        # The people of a first name and a surname initial ("given") are many and asked for only when the
        # surname finds no one: looked up then (`_given_keys`), they cost a third of what reading them all
        # up front did on bench/resolution.py.
        self.given_read: set[str] = set()
        for kind in (*SIGNAL_KINDS, "national", "name", "first", "birthday", "address"):
            values = sorted(carried.get(kind, ()))
            # Name keys live in the entities' name_key column (one each), the other kinds as identifiers.
            found = (
                links.people_by_name_key(conn, values)
                if kind == "name"
                else links.people_by_identifier(conn, kind, values)
            )
            for value, owners in found.items():
                self.owners[(kind, value)] = owners
        for first in sorted(carried.get("first", ())):
            # A lone first name meets the people whose full name begins with it ("Logan" → "logan f").
            self.owners.setdefault(("first", first), set()).update(
                links.people_by_identifier_prefix(conn, "given", f"{first} ")
            )
        self.moved: dict[str, str] = {}  # people joined into another during this run
        self.made_for: dict[str, _Entity] = {}  # people made in this run → the entity each was made for
        # What scoring reads of every person an entity most likely meets, in a few queries: asked per candidate,
        # these were half the time of resolving bench/resolution.py. The people of a first name and a surname
        # initial ("given"), or of a first name alone, are many and seldom scored: they are read when they are.
        likely = sorted(
            {p for (kind, _), found in self.owners.items() if kind not in ("given", "first") for p in found}
        )
        # An entity whose address or number someone holds already most likely joins that person unscored: the
        # people of its name are read only if it is scored after all (bench/resolution.py: 15,554 people read
        # up front instead of 19,186, and 615 more later).
        scored = set()
        for entity in entities:
            known = any(self.owners.get(signal) for signal in entity.signals)
            for key in entity.signals if known else (*entity.signals, *entity.keys):
                if key[0] not in ("given", "first"):
                    scored.update(self.owners.get(key, ()))
        self._read_people(sorted(scored))
        self.proposed = links.proposed_from(conn, likely)  # person made for a doubtful entity → its proposals
        self.rejecting = links.entities_with_rejections(conn, [e.id for e in entities])
        self.never_refused = {e.id for e in entities} - self.rejecting

    @property
    def conn(self) -> sqlite3.Connection:
        """The store, with every link made so far written: whatever is read next sees them."""
        self.write_links()
        return self._conn

    def write_links(self) -> None:
        if not self.unwritten:
            return
        people.create_people(self._conn, self.unmade)
        self.unmade = {}
        new = {e: (p, confidence, status, by) for e, p, confidence, status, by in self.unwritten if e in self.unstored}
        sources.write_entities(self._conn, [self.unstored.pop(e) for e in new], new)
        links.link_entities(self._conn, [link for link in self.unwritten if link[0] not in new])
        self.unwritten, self.linked = [], set()

    # What is known of people

    def name(self, person_id: str) -> str:
        if person_id not in self.names:
            self.names[person_id] = people.name_of(self._conn, person_id) or ""  # people rows: links change no name
        return self.names[person_id]

    def identifiers(self, person_id: str) -> list[tuple[str, str]]:
        # Asked ~60,000 times on bench/resolution.py, mostly of people read already: only the others are read.
        if person_id not in self.signals:
            self._read_people([person_id])
        return self.signals[person_id]

    def has_card(self, person_id: str) -> bool:
        if person_id not in self.carded:
            self._read_people([person_id])
        return self.carded[person_id]

    def _read_people(self, person_ids: Collection[str], *, names_only: bool = False) -> None:
        """What scoring reads of people met for the first time, in one query each: a first name and a surname
        initial bring dozens of them (asked one by one, they were a tenth of resolving bench/resolution.py).
        `names_only`: the names they were seen with, all that tells whether a name is like theirs at all.
        What is known of a person already is kept: it holds this run's links, which may not be written yet."""
        nameless = sorted(p for p in person_ids if p not in self.names)
        if nameless:
            self.names.update(people.names_of(self._conn, nameless))  # people rows: links change no name
        seen, signals, carded = self.seen, self.signals, self.carded
        if names_only:
            unread = sorted(p for p in person_ids if p not in seen)
        else:
            unread = sorted(p for p in person_ids if p not in seen or p not in signals or p not in carded)
        if not unread:
            return
        conn = self.conn if self.linked.intersection(unread) else self._conn
        if names_only:
            names = links.names_seen_on_people(conn, unread)
            for person_id in unread:
                seen.setdefault(person_id, names.get(person_id, []))
            return
        held = links.held_by_people(conn, unread, SCORED_KINDS)
        for person_id in unread:
            found = held.get(person_id) or links.Held()
            seen.setdefault(person_id, found.names)
            signals.setdefault(person_id, found.identifiers)
            carded.setdefault(person_id, "contacts" in found.sources)

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
        if entity.household is not None:
            self._resolve_household(entity)
            return
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
            self._propose_met(entity, named.person_id, ranked[1:])
            return
        if disputed is not None and not any(c.person_id == disputed.person_id for c in ranked):
            # its address or number says one person, its name another (or a national-form number): the user decides
            ranked = sorted([*ranked, disputed], key=lambda c: (-c.confidence, c.person_id))
        own = self._new_person(entity)
        if ranked and ranked[0].confidence >= self.settings.resolution.pending:
            self._propose(entity, own, ranked)
            self._propose_met(entity, own, ranked[1:])

    def _resolve_household(self, entity: _Entity) -> None:
        """A household card ("Ann & Tom Lee", "The Lees") is a person of its own, proposed to each person it
        names (never one of them automatically, never all of them in one): its address and number are theirs
        to share."""
        own = self._new_person(entity)
        for member in entity.household or ():
            ranked = self._name_candidates(replace(entity, display=member, observed_name=member, household=None))
            for candidate in ranked[:1]:
                self._propose(entity, own, [replace(candidate, confidence=0.8, reason="household member")])

    def _identifier_match(self, entity: _Entity) -> tuple[_Candidate | None, _Candidate | None, list[str]]:
        """(the person this entity's email or phone belongs to when the names agree, or else the one person
        it belongs to under another name — conflicting evidence for review — and the other people of
        agreeing names its identifiers belong to: a card holding an email seen in mail and a phone seen in
        iMessage). An address or number seen with two differently named people already, or a role address
        (info@), or one on a household card, is evidence of nobody; so is a number two cards hold under
        different names, and a card named by a label ("Mom") ties to no other card at all."""
        votes: Counter[str] = Counter()
        reasons: dict[str, str] = {}
        labelled_card = entity.is_card and is_label(entity.observed_name)
        for signal in entity.signals:
            kind, value = signal
            if kind == "email" and is_role_address(value):
                continue
            owners = {p for p in self.owners_of(signal) if not self.is_household(p)}
            if len(owners) >= self.settings.resolution.shared_identifier_people or self._named_apart(owners):
                continue  # a family landline: evidence of nobody in particular
            for person_id in owners:
                if (
                    entity.is_card
                    and self.has_card(person_id)
                    and (
                        labelled_card
                        or is_label(self.name(person_id))
                        or _name_relation(entity.observed_name, self.name(person_id)) == "conflict"
                    )
                ):
                    continue  # the user saved this number on two cards of two names: it is shared
                votes[person_id] += 1
                reasons.setdefault(person_id, f"{kind}_match")
        if self.settings.resolution.auto_link > IDENTIFIER_CONFIDENCE:
            return None, None, []
        if not votes:
            national = self._national_match(entity)
            if national is not None and national.confidence == IDENTIFIER_CONFIDENCE:
                return national, None, []
            return None, national, []
        display = entity.observed_name  # "amlie.tanaka@…" lost an accent, not its owner
        agreeing = [p for p in votes if _name_relation(display, self.name(p)) != "conflict"]
        if agreeing:
            best = max(agreeing, key=lambda p: (votes[p], _name_relation(display, self.name(p)) == "same", p))
            best_name = self.name(best)
            others = sorted(p for p in agreeing if p != best and _name_relation(best_name, self.name(p)) != "conflict")
            return _Candidate(best, IDENTIFIER_CONFIDENCE, reasons[best]), None, others
        if len(votes) == 1:
            (person_id,) = votes
            return None, _Candidate(person_id, CONTRADICTED_CONFIDENCE, reasons[person_id]), []
        return None, None, []  # already shared by two people of different names

    def _national_match(self, entity: _Entity) -> _Candidate | None:
        """The one person holding the foreign number this entity saved in national form ("0151 74833085"
        for +49 151 74833085): linked when the names agree, else proposed."""
        owners = {self.live(p) for k, v in entity.keys if k == "national" for p in self.owners.get((k, v), ())}
        if len(owners) != 1:
            return None
        (person_id,) = owners
        agreed = _name_relation(entity.display, self.name(person_id)) == "same"
        return _Candidate(person_id, IDENTIFIER_CONFIDENCE if agreed else CONTRADICTED_CONFIDENCE, "national_number")

    def is_household(self, person_id: str) -> bool:
        return _names_household(self.name(person_id))

    def _on_household(self, signal: tuple[str, str]) -> bool:
        return any(self.is_household(p) for p in self.owners.get(signal, ()))

    def _not_households(self, signals: list[tuple[str, str]]) -> list[tuple[str, str]]:
        """These identifiers of a person but those a household holds too. Whose they are is known for what this
        run's entities carry; the others were stored before and are read (no link of this run holds them)."""
        unknown = sorted({s for s in signals if s not in self.owners})
        for kind in {k for k, _ in unknown}:
            values = [v for k, v in unknown if k == kind]
            found = links.people_by_identifier(self._conn, kind, values)
            for value in values:
                self.owners[(kind, value)] = found.get(value, set())
        return [s for s in signals if not self._on_household(s)]

    def _named_apart(self, owners: set[str]) -> bool:
        """Two or more people of conflicting names already hold it: a shared number."""
        names = [self.name(p) for p in sorted(owners)]
        return any(
            _name_relation(a, b) == "conflict" or (a != b and (is_label(a) or is_label(b)))
            for i, a in enumerate(names)
            for b in names[i + 1 :]
        )

    def _unique_name_match(self, ranked: list[_Candidate]) -> _Candidate | None:
        """The one person of these name candidates (best first) whose name matches well enough to link
        without asking, if there is exactly one."""
        unique = len(ranked) == 1 or (len(ranked) > 1 and ranked[1].confidence < ranked[0].confidence)
        if ranked and unique and ranked[0].confidence >= self.settings.resolution.name_auto_link:
            return ranked[0]
        return None

    def _name_candidates(self, entity: _Entity) -> list[_Candidate]:
        """People whose name matches, best first, each scored by what else agrees: the same full name
        (nicknames allowed), a typo or a swap, or a name that holds the entity's single one."""
        parsed = parse_name(entity.display)
        if parsed is None:
            return []
        candidates = self._scored(entity, {k for k in entity.keys if k[0] != "given"})
        if not candidates:
            # Only then the people of the same first name and surname initial (a typo in the surname): a
            # common first name brings dozens of them, scored in vain when the surname already found the one.
            candidates = self._scored(entity, self._given_keys(entity))
        if not candidates and not entity.signals and parsed.is_full and len(parsed.last) >= 4:
            found = links.people_by_name_prefix(self.conn, parsed.last[:4])  # a typo further along the surname
            candidates = self._scored_people(entity, found)
        # A person made for a doubtful entity that is itself proposed to another candidate here is most
        # likely that candidate's duplicate: when a birthday or an address corroborates both, it ranks just
        # below, so a third card of one person joins the first instead of standing between two equal ones.
        ids = {c.person_id for c in candidates if c.confidence >= CORROBORATED_CONFIDENCE}
        candidates = [
            replace(c, confidence=round(c.confidence - 0.01, 2))
            if c.person_id in ids and self.proposed.get(c.person_id, set()) & ids
            else c
            for c in candidates
        ]
        return sorted(candidates, key=lambda c: (-c.confidence, c.person_id))

    def _given_keys(self, entity: _Entity) -> set[tuple[str, str]]:
        """The entity's "given" keys, their owners read. This run's links need not be written first: `_link`
        has counted them in (written first for each such read, they were 3,600 small writes instead of 450:
        +0.5 s on bench/resolution.py)."""
        keys = {k for k in entity.keys if k[0] == "given"}
        unread = sorted(v for _, v in keys if v not in self.given_read)
        if unread:
            for value, owners in links.people_by_identifier(self._conn, "given", unread).items():
                self.owners.setdefault(("given", value), set()).update(owners)
            self.given_read.update(unread)
        return keys

    def _scored(self, entity: _Entity, keys: set[tuple[str, str]]) -> list[_Candidate]:
        return self._scored_people(entity, {self.live(p) for key in keys for p in self.owners.get(key, ())})

    def _scored_people(self, entity: _Entity, found: set[str]) -> list[_Candidate]:
        self._read_people(found, names_only=True)
        alike = {}
        for person_id in sorted(found):
            if self.is_rejected(entity, person_id) or self.is_household(person_id):
                continue
            name = self.name(person_id)
            likeness = name_likeness(entity.display, name)
            if likeness != "exact":  # the name shown is the one most often seen: the others only when it falls short
                # Read above with the names alone: reading a person whole here, one at a time, was a tenth of
                # resolving bench/resolution.py (three queries each for ~6,700 people met by a near name).
                likeness = _best_likeness(entity.display, [n for n in self.seen[person_id] if n != name], likeness)
            if likeness == "part" and not (entity.fact("birthday") or entity.fact("address")):
                # One name in common is kept only on a birthday or a postal address (`_score`): without either
                # there is nothing to read or score (17,066 of 24,756 people scored on bench/resolution.py).
                continue
            if likeness != "none" or (entity.fact("birthday") and entity.fact("address")):
                alike[person_id] = likeness
        # Most people of a first name and a surname initial are not alike at all: only the others are read whole.
        self._read_people(alike)
        scored = (self._score(entity, person_id, likeness) for person_id, likeness in alike.items())
        return [candidate for candidate in scored if candidate is not None]

    def _score(self, entity: _Entity, person_id: str, likeness: str) -> _Candidate | None:
        theirs = self.identifiers(person_id)
        # A household's address or number is no one's own: it contradicts nothing, on either side (a member's
        # mail from the family address may have made the person before their own address came).
        own = [s for s in entity.signals if not self._on_household(s)]
        theirs_own = [s for s in theirs if s[0] in SIGNAL_KINDS]
        if own and theirs_own:
            theirs_own = self._not_households(theirs_own)
        birthday = _agreement(entity.fact("birthday"), theirs, "birthday", birthdays_agree)
        address = _agreement(entity.fact("address"), theirs, "address", addresses_agree)
        mine_emails = [v for k, v in entity.signals if k == "email"]
        near_email = any(near_address(a, b) for a in mine_emails for k, b in theirs if k == "email")
        both_cards = entity.is_card and self.has_card(person_id)
        conflicting = birthday is False or _contradicts(own, theirs_own, phones=likeness != "exact")
        # A shared address is no proof between relatives of compatible first names (Jack and Jacqueline).
        corroborated = birthday is True or (address is True and likeness in ("exact", "typo"))
        if likeness in ("typo", "part", "partial") and not (corroborated or near_email) and _differ(own, theirs_own):
            return None  # a near name on someone with other addresses and numbers of their own: a near stranger
        if both_cards and not corroborated and _differ(own, theirs_own, every_kind=True):
            return None  # two cards of one name, each with its own address and number: two people the user keeps
        if likeness == "none":
            # Names that share nothing (a record garbled, a name changed) on one birthday at one address: twins
            # look so too, so the user decides.
            together = birthday is True and address is True
            return _Candidate(person_id, NEAR_NAME_CONFIDENCE, "birthday_and_address") if together else None
        if likeness == "part":
            # One name in common is how relatives look too: only for review, and only with a birthday, or
            # with the address when no birthday says otherwise.
            kept = birthday is True or (address is True and birthday is None)
            return _Candidate(person_id, NEAR_NAME_CONFIDENCE, "name_match") if kept else None
        if likeness == "partial" and near_email and not conflicting:
            return _Candidate(person_id, CONTRADICTED_CONFIDENCE + 0.05, "near_address")
        if likeness == "partial":
            both = birthday is True and address is True
            confidence = CORROBORATED_CONFIDENCE if both and not conflicting else NEAR_NAME_CONFIDENCE
            # A card of a lone name at the address of a person of that name, no birthday saying otherwise: review.
            kept = corroborated or (address is True and birthday is None)
            return _Candidate(person_id, confidence, "name_match") if kept else None
        if corroborated and not conflicting:
            return _Candidate(person_id, CORROBORATED_CONFIDENCE, "name_match")
        if conflicting:
            return _Candidate(person_id, CONTRADICTED_CONFIDENCE, "name_match")
        if near_email:
            return _Candidate(person_id, CONTRADICTED_CONFIDENCE + 0.05, "near_address")
        if both_cards:
            if likeness == "exact":
                return _Candidate(person_id, SAME_NAME_ONLY_CONFIDENCE, "same name only")
            return _Candidate(person_id, NEAR_NAME_CONFIDENCE, "name_match")
        if likeness in ("exact", "nickname"):
            return _Candidate(person_id, NAME_CONFIDENCE, "name_match")
        return _Candidate(person_id, NEAR_NAME_CONFIDENCE, "name_match")

    def _link(self, entity: _Entity, person_id: str, confidence: float, *, created: bool = False) -> None:
        self.unwritten.append((entity.id, person_id, confidence, "auto", "system"))
        self.linked.add(person_id)
        for signal in (*entity.signals, *entity.keys):
            self.owners.setdefault(signal, set()).add(person_id)
            if signal[0] == "given":  # what a lone first name of a later entity meets
                self.owners.setdefault(("first", signal[1].partition(" ")[0]), set()).add(person_id)
        # A person not read yet is read whole when first asked about, this link included.
        if entity.observed_name and person_id in self.seen:
            self.seen[person_id].append(entity.observed_name)
        if person_id in self.signals:
            self.signals[person_id].extend(s for s in (*entity.signals, *entity.keys) if s[0] in SCORED_KINDS)
        self.result.touched.add(person_id)
        if created:
            return
        self.result.links_auto += 1
        if person_id in self.carded:
            self.carded[person_id] = self.carded[person_id] or entity.source_type == "contacts"
        if entity.display and not _is_full_name(self.name(person_id)) and _is_full_name(entity.display):
            # The stored name is refreshed once per batch; later entities of this batch already see this one.
            self.names[person_id] = entity.display

    def _new_person(self, entity: _Entity) -> str:
        person_id = people.new_person_id()  # stored with its first link, before it
        self.names[person_id] = self.unmade[person_id] = entity.label or "Unknown"
        self.carded[person_id] = entity.source_type == "contacts"
        self.seen[person_id], self.signals[person_id] = [], []
        self._link(entity, person_id, 1.0, created=True)
        self.made_for[person_id] = entity
        self.result.people_created += 1
        return person_id

    def _propose(self, entity: _Entity, current: str, ranked: list[_Candidate]) -> None:
        """A pending link: the entity (on `current` until the user decides) to the best candidate, the next
        ones as alternatives."""
        best = ranked[0]
        self.proposed.setdefault(current, set()).add(best.person_id)
        # Only a rejection the user made of this entity before depends on the links made since: for an entity
        # never refused they need not be written first (220 writes fewer on bench/resolution.py).
        if links.create_pending_link(
            self._conn if entity.id in self.never_refused else self.conn,
            source_entity_id=entity.id,
            proposed_person_id=best.person_id,
            previous_person_id=current,
            reason=best.reason,
            confidence=best.confidence,
            alternatives=[
                {"person_id": c.person_id, "confidence": c.confidence, "reason": c.reason} for c in ranked[1:4]
            ],
            evidence={
                "name": entity.display or entity.observed_name,
                "proposed_name": self.name(best.person_id),
                "identifiers": [v for _, v in entity.signals],
            },
        ):
            self.result.links_pending += 1

    def _propose_met(self, entity: _Entity, person_id: str, others: list[_Candidate]) -> None:
        """The other people a card looked like, besides the person it is now on (linked, or made for it and
        proposed): each that shares its birthday, or its name and postal address under another birthday, is
        proposed to that person. Else three cards of one person met only in the order they came: the
        first, made a person of its own, never met the third once the second joined it (FEBRL3: 0.982 →
        0.987 after review, bench/peers.py). Not when proposals tie the two already."""
        for other in others:
            if other.confidence < self.settings.resolution.pending or other.person_id == person_id:
                continue
            if self._reach(person_id) & self._reach(other.person_id):
                continue
            theirs = self.identifiers(other.person_id)
            birthday = _agreement(entity.fact("birthday"), theirs, "birthday", birthdays_agree)
            address = _agreement(entity.fact("address"), theirs, "address", addresses_agree)
            if not (birthday is True or (birthday is False and address is True)):
                continue
            if links.rejected_between(self.conn, person_id, other.person_id):
                continue
            held = self.made_for.get(other.person_id) or self._stored_entity(other.person_id)
            if held is not None:
                self._propose(held, other.person_id, [replace(other, person_id=person_id)])

    def _reach(self, person_id: str) -> set[str]:
        """The person, the people it is proposed to, and theirs."""
        near = {person_id, *self.proposed.get(person_id, ())}
        return near.union(*(self.proposed.get(p, ()) for p in near))

    def _stored_entity(self, person_id: str) -> _Entity | None:
        """The first entity of a person made before this run, as resolution reads it."""
        rows = sources.entities_of_people(self.conn, [person_id], "id, source_type, observed_name, observed_email")
        if not rows:
            return None
        row = rows[0]
        return _entity(row["id"], row["source_type"], row["observed_name"], row["observed_email"], None, None, [])

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
        for cache in (self.names, self.signals, self.carded, self.seen):
            cache.pop(other, None)
        self.seen.pop(keep, None)
        self.signals.pop(keep, None)
        self.carded.pop(keep, None)
        self.result.touched.add(other)
        self.result.joined |= {keep, other}


def resolve_entities(
    conn: sqlite3.Connection, entity_ids: list[str] | set[str], settings: Settings
) -> ResolutionResult:
    """Resolve unlinked entities in order; call inside the import's transaction."""
    return _resolve_in_order(conn, sorted(entity_ids), settings)


def resolve_new_records(conn: sqlite3.Connection, records: list[EntityRecord], settings: Settings) -> ResolutionResult:
    """`resolve_entities` for entities not stored yet (call inside the import's transaction): each is stored
    already linked to its person, and what resolution reads of them comes from the records (reading them
    back was an eighth of resolving bench/resolution.py). Every record is stored when it returns."""
    waiting = [
        # The store lists an entity's identifiers in (kind, value) order: so do the signals here.
        _entity(
            r.id, r.source_type, r.observed_name, r.observed_email, r.observed_phone, r.name_key, sorted(r.identifiers)
        )
        for r in sorted(records, key=attrgetter("id"))
        if not r.is_owner
    ]
    sources.write_entities(conn, [r for r in records if r.is_owner])
    return _resolve_all(conn, settings, waiting, {r.id: r for r in records if not r.is_owner})


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
    # A label ("Mom", "Home") names no one: the entity is matched as if nameless, and keeps it as its label.
    named = None if is_label(observed_name) else observed_name
    display = named or name_from_email(observed_email)
    household = household_members(named)
    keys = [s for s in signals if s[0] not in SIGNAL_KINDS]
    # Its name keys, each first-name form's initial (Bob → b, r): what it looks up in other entities' name_key.
    keys += [("name", k) for k in sorted(name_keys(display if household is None else None))]
    if display and not observed_name:  # a name read from its address finds candidates like a written one
        keys += [k for k in match_keys(display) if k[0] in ("given", "first")]
    for member in household or ():  # a household card looks for each person it names
        keys += [("name", k) for k in sorted(name_keys(member))]
        keys += [k for k in match_keys(member) if k[0] == "given"]
    return _Entity(
        id=entity_id,
        source_type=source_type,
        display=display if household is None else None,
        observed_name=observed_name,
        label=display or observed_name or observed_email or observed_phone,
        name_key=key,
        signals=[s for s in signals if s[0] in SIGNAL_KINDS],
        keys=keys,
        household=household,
    )


def _resolve_all(
    conn: sqlite3.Connection,
    settings: Settings,
    waiting: list[_Entity],
    unstored: dict[str, EntityRecord] | None = None,
) -> ResolutionResult:
    run = _Resolution(conn, settings, waiting, unstored)
    for entity in waiting:
        run.resolve(entity)
    run.write_links()
    run.result.identifiers = {p: run.signals[p] for p in run.result.touched if p in run.signals}
    return run.result


@lru_cache(maxsize=50_000)
def _names_household(name: str) -> bool:
    """Asked of every candidate and every owner of an address or number, several times an entity: parsed
    each time, household names were ~3 % of importing the cards of bench/resolution.py."""
    return household_members(name) is not None


def _is_full_name(name: str | None) -> bool:
    parsed = parse_name(name)
    return parsed is not None and parsed.is_full


def _contradicts(signals: list[tuple[str, str]], theirs: list[tuple[str, str]], *, phones: bool = False) -> bool:
    """Two different private mailboxes: most likely two people of one name. A work address beside a
    private one, or another phone, is how one person looks across sources (measured in
    bench/resolution.py: counting them sent 44 % of people to review for 0.0002 more precision). Where only
    a nickname or a typo joins the names (`phones`), two different numbers contradict too: Nora and Eleanor
    Liu, each with her own mobile, are two people."""
    kinds = ("email", "phone") if phones else ("email",)
    for kind in kinds:
        mine = {v for k, v in signals if k == kind and (kind == "phone" or is_personal_email(v))}
        other = {v for k, v in theirs if k == kind and (kind == "phone" or is_personal_email(v))}
        if mine and other and not mine & other:
            return True
    return False


def _differ(signals: list[tuple[str, str]], theirs: list[tuple[str, str]], *, every_kind: bool = False) -> bool:
    """Both sides hold emails, or both phones, and share none of them (`every_kind`: both sides hold emails
    and phones, and share neither)."""
    verdicts = []
    for kind in SIGNAL_KINDS:
        mine = {v for k, v in signals if k == kind}
        other = {v for k, v in theirs if k == kind}
        verdicts.append(bool(mine and other and not mine & other))
    return all(verdicts) if every_kind else any(verdicts)


def _best_likeness(name: str | None, seen: list[str], known: str) -> str:
    """The closest `name_likeness` of a name to any name a person was seen with, or `known` (its likeness to
    another name of the person, already compared)."""
    found = {known, *(name_likeness(name, other) for other in dict.fromkeys(seen) if other)}
    return next((level for level in ("exact", "nickname", "typo", "partial", "part") if level in found), "none")


def _agreement(mine: str | None, theirs: list[tuple[str, str]], kind: str, agree: Callable) -> bool | None:
    """Whether a fact of the entity (birthday, postal address) agrees with the person's: True when one of
    theirs agrees, False when they hold some and none agrees, None when either side has none. An
    address elsewhere is no contradiction (people move); a birthday that differs is."""
    values = [v for k, v in theirs if k == kind]
    if not mine or not values:
        return None
    verdicts = [agree(mine, v) for v in values]
    if any(v is True for v in verdicts):
        return True
    return False if all(v is False for v in verdicts) else None


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
        people.refresh_people(conn, before | result.touched, domain_mappings, person_name)
        update_strengths(conn, None)
        recompute_all(conn, settings)
    return result
