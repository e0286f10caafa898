"""Runs an importer: batches its observations into the store, one transaction per batch, resolving
the new source entities and refreshing the people they touch inside that same transaction."""

from __future__ import annotations

import gc
import sqlite3
import threading
import time
import zipfile
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path

from kithkin.identity.names import person_name
from kithkin.identity.normalize import name_key, normalize_email, normalize_phone, resolution_keys
from kithkin.identity.resolver import resolve_new_records
from kithkin.importers.base import Importer
from kithkin.insight import facts, strength
from kithkin.insight.relationships import (
    count_what_has_happened,
    refresh_relationships_for_people,
    update_for_interactions,
)
from kithkin.models import Identity, ImportSummary, KithkinError, Observation, now_utc, utc_iso
from kithkin.store import db, derived, fulltext, interactions, people, sources
from kithkin.store.ids import entity_id, interaction_id
from kithkin.store.interactions import InteractionRecord
from kithkin.store.sources import EntityRecord
from kithkin.workspace import Workspace

# Each batch repeats work for the people and pairs it touches (entity upserts, relationship rows): 20,000
# observations a batch imported 120,000 iMessages 18 % faster than 5,000, for 10 MB more memory and
# write transactions of about a second (readers never wait: WAL).
BATCH_SIZE = 20_000
# ...but a batch is one write transaction, and a user's write (a note, a confirmation, an undo) waits for
# the one under way (store/db.py lets it go before the next). While the user has written in the last
# USER_ACTIVE_SECONDS, batches are sized from the time the last one took to end within
# TRANSACTION_SECONDS; otherwise the first is FIRST_BATCH (its rows show at once) and the next BATCH_SIZE:
# doubling up to it took 7 batches where 2 do, each re-writing the people and pairs it touches (~0.3 s of
# bench/import_imessage.py), and a user who starts writing waits for one batch either way. Always small
# batches made bench/import_imessage.py 2.5 times slower (47.9 s against 19.1 s, both on a loaded machine).
# On a busy machine a batch sized for 0.25 s took up to twice that, and writes among 50 readers waited
# 400-600 ms at p95; sized for 0.15 s, 330-600 ms, the import storing ~35 % less a second while the user
# writes.
TRANSACTION_SECONDS = 0.15
USER_ACTIVE_SECONDS = 30
FIRST_BATCH = 250
# A batch also ends once the text it holds (metadata strings, kept text) passes this: 20,000 cards with a
# photo each are ~300 MB, and a batch is held whole until it is stored.
BATCH_WEIGHT = 16 * 1024 * 1024
SMALLEST_BATCH = 100
PROGRESS_EVERY = 1_000
SWEEP_EVERY = 100
MAX_ERROR_MESSAGES = 100
Progress = Callable[[int, int | None], None]
# Where a file or account's next read resumes: (sync_state key, cursor, observations stored with it).
Position = tuple[tuple[str, str], str | None, int]


class _CollectorPause:
    """Cyclic garbage collection held off while ingest reads and writes (the whole stream with its batches,
    then the import's strengths; `ingest` sweeps the young objects by hand meanwhile). A batch's records, the
    resolver's caches and the rows it rebuilds are many long-lived containers without a cycle among them,
    yet they set off the collector's full passes over every object alive (0.47 s of ~5 s on
    bench/resolution.py).
    Counted: overlapping imports on job threads resume collection with the last one out, and only if it
    was on before."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._holders = 0
        self._resume = False

    @contextmanager
    def held(self) -> Iterator[None]:
        with self._lock:
            if self._holders == 0:
                self._resume = gc.isenabled()
                gc.disable()
            self._holders += 1
        try:
            yield
        finally:
            with self._lock:
                self._holders -= 1
                if self._holders == 0 and self._resume:
                    gc.enable()


_collector_pause = _CollectorPause()


@dataclass
class _Batch:
    entities: dict[str, EntityRecord] = field(default_factory=dict)
    records: list[InteractionRecord] = field(default_factory=list)
    observations: int = 0
    weight: int = 0  # characters of text held (BATCH_WEIGHT)


class Normaliser:
    """Turns importer identities into entity records; each distinct raw signal is normalised once."""

    def __init__(self, workspace: Workspace, source_type: str, account: str | None) -> None:
        self.source_type = source_type
        self.account = account
        self.region = workspace.settings.default_region
        self.other_regions = tuple(workspace.settings.other_regions)
        owner = workspace.settings.owner
        self.owner_emails = {e for e in (normalize_email(x) for x in owner.emails) if e}
        self.owner_phones = {p for p in (normalize_phone(x, self.region) for x in owner.phones) if p}
        # source id → (what the importer showed, its record): a chat's members recur in every message,
        # so an identity shown the same way again skips normalisation.
        self.seen: dict[str, tuple[tuple, EntityRecord]] = {}

    def entity(self, identity: Identity, observed_at: str) -> EntityRecord:
        source_id = f"{self.account}:{identity.source_id}" if self.account else identity.source_id
        emails = [e for e in (normalize_email(x) for x in identity.emails) if e]
        phones = [p for p in (normalize_phone(x, self.region, self.other_regions) for x in identity.phones) if p]
        is_owner = (
            identity.is_owner
            or bool(self.owner_emails.intersection(emails))
            or bool(self.owner_phones.intersection(phones))
        )
        raw_email = identity.email.strip().lower() if identity.email else None
        raw_phone = identity.phone.strip() if identity.phone else None
        return EntityRecord(
            id=entity_id(self.source_type, source_id),
            source_type=self.source_type,
            source_id=source_id,
            account=self.account,
            observed_at=observed_at,
            observed_name=(identity.name or "").strip() or None,
            observed_email=emails[0] if emails else raw_email,
            observed_phone=phones[0] if phones else raw_phone,
            name_key=name_key(identity.name),
            metadata=identity.metadata,
            identifiers=[("email", e) for e in dict.fromkeys(emails)]
            + [("phone", p) for p in dict.fromkeys(phones)]
            + resolution_keys(identity, phones, self.region),
            is_owner=is_owner,
        )


def _direction(observation: Observation, participants: list[tuple[EntityRecord, str]]) -> str | None:
    if observation.direction is not None:
        return observation.direction
    authors = [record for record, role in participants if role == "from"]
    if not authors:
        return None
    return "out" if any(a.is_owner for a in authors) else "in"


def _add_to_batch(batch: _Batch, normaliser: Normaliser, observation: Observation) -> None:
    batch.observations += 1
    stamp = utc_iso(observation.occurred_at)
    is_card = observation.kind == "contact"
    entities, seen = batch.entities, normaliser.seen
    participants = []
    for identity in observation.participants:
        shown = (identity.name, identity.emails, identity.phones, identity.is_owner, identity.metadata)
        cached = None if is_card else seen.get(identity.source_id)
        if cached is not None and cached[0] == shown:
            record = entities.get(cached[1].id)
            if record is None:
                record = entities[cached[1].id] = replace(cached[1], observed_at=stamp)
            elif stamp < record.observed_at:
                record.observed_at = stamp
        else:
            record = normaliser.entity(identity, stamp)
            known = entities.get(record.id)
            if known is not None:
                record.observed_at = min(record.observed_at, known.observed_at)
            entities[record.id] = record
            batch.weight += sum(len(value) for value in identity.metadata.values() if isinstance(value, str))
            if not is_card:  # a card is met once and may carry a photo: a message naming it again normalises anew
                seen[identity.source_id] = (shown, record)
        participants.append((record, identity.role))
    if is_card:
        return
    text = observation.text
    if text:
        batch.weight += len(text)
    account = normaliser.account
    source_id = f"{account}:{observation.source_id}" if account else observation.source_id
    # A tuple, not a list: a batch holds 20,000 records until it is stored, and a tuple of strings is one object
    # fewer for the cyclic collector to walk in each of its passes.
    if len(participants) == 1:  # most messages: one person besides the owner
        record, role = participants[0]
        taking_part: tuple[tuple[str, str], ...] = ((record.id, role),)
    else:  # an entity listed twice takes part once
        taking_part = tuple({r.id: (r.id, role) for r, role in participants}.values())
    snippet = observation.snippet
    batch.records.append(
        InteractionRecord(
            id=interaction_id(normaliser.source_type, source_id, observation.occurred_at),
            source_type=normaliser.source_type,
            source_id=source_id,
            kind=observation.kind,
            occurred_at=stamp,
            account=account,
            participants=taking_part,
            direction=_direction(observation, participants),
            thread_id=observation.thread_id,
            context=observation.context,
            title=observation.title,
            snippet=snippet[:500] if snippet else None,
            metadata=observation.metadata,
            text=fulltext.kept_text(text),
        )
    )


def _commit_batch(
    workspace: Workspace,
    batch: _Batch,
    summary: ImportSummary,
    *,
    positions: list[Position],
) -> set[str]:
    """Store one batch atomically with where each file's next read resumes; return the people whose
    figures changed.

    Only people whose identity changed (new or edited entities, new links) are rebuilt from their
    whole history; the others just count the new interactions in. Rebuilding everyone a batch
    touches re-read the same histories every batch (measured: 9 of 23 s of a 120k-message import).
    """
    conn = workspace.conn
    with db.transaction(conn, background=True):  # within ingest's hold of the collector
        records = list(batch.entities.values())
        new_entities, changed_entities = sources.entity_changes(conn, records)
        sources.write_entities(conn, [r for r in records if r.id not in new_entities])
        # The new ones are stored as they are linked, before the interactions they take part in.
        resolution = resolve_new_records(conn, [batch.entities[e] for e in new_entities], workspace.settings)
        fresh = sorted(interactions.unknown_interaction_ids(conn, [r.id for r in batch.records]))
        summary.interactions += interactions.add_interactions(conn, batch.records)
        summary.source_entities += len(new_entities)
        summary.people_created += resolution.people_created
        summary.links_auto += resolution.links_auto
        summary.links_pending += resolution.links_pending
        person_of = sources.person_by_entity(conn, list(batch.entities))
        rebuilt = resolution.touched | {person_of[e] for e in new_entities | changed_entities if e in person_of}
        counted = _new_interaction_figures(batch.records, set(fresh), person_of, rebuilt, utc_iso(now_utc()))
        people.add_interaction_figures(conn, counted)
        people.refresh_people(conn, rebuilt, workspace.mappings.domains(), person_name, resolution.identifiers)
        # Only interactions with two people or more besides the owner (the store keeps which) tell who knows whom.
        update_for_interactions(conn, workspace.settings, sorted(interactions.shared_among(conn, fresh)))
        # People joined into one another: their pairs are recounted whole, the fresh interactions with them.
        refresh_relationships_for_people(conn, workspace.settings, resolution.joined)
        for (source_type, account_key), cursor, items in positions:
            sources.record_sync(conn, source_type, account_key, cursor=cursor, status="ok", items=items)
        touched = rebuilt | set(counted)
        derived.mark_dirty(conn, touched)
    return touched


def _next_size(size: int, seconds: float | None, largest: int) -> int:
    """The next batch's size: for a transaction of TRANSACTION_SECONDS, this one of `size` having taken
    `seconds` (growing at most twofold a step: one fast batch proves little), or (None: nobody to wait for
    it) `largest`; never past `largest`."""
    if seconds is None:
        return largest
    scaled = size * min(2.0, TRANSACTION_SECONDS / max(seconds, 1e-3))
    return max(min(SMALLEST_BATCH, largest), min(largest, int(scaled)))


def _new_interaction_figures(
    records: list[InteractionRecord], fresh: set[int], person_of: dict[str, str], skip: set[str], now: str
) -> dict[str, tuple[int, str | None, str | None, str | None]]:
    """What the batch's new interactions add to each person's figures (past count, first, last, earliest
    future), read from the batch itself; people in `skip` are about to be rebuilt whole from their history
    anyway. What lies after `now` is not contact yet: it only moves the person's next_seen."""
    found: dict[str, list] = {}  # person → [count, first, last, upcoming], changed in place
    for record in records:
        if record.id not in fresh:
            continue
        fresh.discard(record.id)  # a message seen twice in one batch is one interaction
        when = record.occurred_at
        taking_part = record.participants
        # Most messages have one person besides the owner: no set to build for them.
        if len(taking_part) == 1:
            persons: Iterable[str | None] = (person_of.get(taking_part[0][0]),)
        else:
            persons = {person_of.get(entity) for entity, _ in taking_part}
        past = when <= now
        for person in persons:
            if person is None or person in skip:
                continue
            figures = found.get(person)
            if figures is None:
                found[person] = [1, when, when, None] if past else [0, None, None, when]
            elif past:
                figures[0] += 1
                if figures[1] is None or when < figures[1]:
                    figures[1] = when
                if figures[2] is None or when > figures[2]:
                    figures[2] = when
            elif figures[3] is None or when < figures[3]:
                figures[3] = when
    return {person: (count, first, last, upcoming) for person, (count, first, last, upcoming) in found.items()}


def ingest(
    workspace: Workspace,
    importer: Importer,
    observations: Iterable[Observation | Exception],
    summary: ImportSummary,
    *,
    account: str | None = None,
    cursor_key: tuple[str, str] | None = None,
    progress: Progress | None = None,
    total: int | None = None,
    batch_size: int = BATCH_SIZE,
    finish: bool = True,
    positions: Callable[[], list[Position]] | None = None,
) -> set[str]:
    """Store a stream of observations in atomic batches; return the people touched. Each batch records
    where the reading resumes: `cursor_key` with the importer's cursor, or, for a stream of many files,
    what `positions` says. `finish=False` leaves the import's strengths and facts to the caller's
    `finish_import` (one import command of many files)."""
    normaliser = Normaliser(workspace, importer.source_type, account)
    batch = _Batch()
    touched: set[str] = set()
    done = 0
    size = min(batch_size, FIRST_BATCH)

    def resume_points() -> list[Position]:
        if positions is not None:
            return positions()
        return [] if cursor_key is None else [(cursor_key, importer.cursor(), batch.observations)]

    def commit() -> None:
        nonlocal touched, done, batch, size
        began = time.perf_counter()
        touched |= _commit_batch(workspace, batch, summary, positions=resume_points())
        user_active = db.user_wrote_within(workspace.conn, USER_ACTIVE_SECONDS)
        size = _next_size(size, time.perf_counter() - began if user_active else None, batch_size)
        done += batch.observations
        batch = _Batch()
        gc.collect(1)  # the stored batch is gone: what is left of the young objects is garbage or kept for good

    # The collector is held off for the whole read too, and swept by hand: its own passes walked the records a
    # batch holds over and over (6 full passes over ~90,000 objects, ~0.3 s of bench/import_imessage.py). A
    # sweep of what is new every SWEEP_EVERY observations frees any cyclic garbage a reader leaves within a
    # few observations (none of ours was seen to; one that did would otherwise keep a batch's worth), and one
    # after each batch what outlived those.
    with _collector_pause.held():
        try:
            for read, item in enumerate(observations, 1):
                if read % SWEEP_EVERY == 0:
                    gc.collect(0)
                if isinstance(item, Exception):
                    summary.skipped += 1
                    if len(summary.errors) < MAX_ERROR_MESSAGES:
                        summary.errors.append(str(item))
                    continue
                _add_to_batch(batch, normaliser, item)
                if batch.observations >= size or batch.weight >= BATCH_WEIGHT:
                    commit()
                if progress and batch.observations % PROGRESS_EVERY == 0:
                    progress(done + batch.observations, total)  # read so far; a batch is stored at its end
        except KithkinError:
            if positions is not None:
                commit()  # the files read before the damaged one are kept, and not read again
            raise
        if batch.observations or cursor_key is not None or positions is not None:
            commit()
    if finish:
        finish_import(workspace, touched)
    if progress:
        # The stream is read to its end: every row counted in `total` was seen, also those that were no
        # observation (a tapback, a system line), so the bar ends full.
        progress(max(done, total or 0), total)
    return touched


def finish_import(workspace: Workspace, touched: set[str] | None) -> None:
    """What an import derives once at its end rather than per batch or per file: strength moves with the
    clock anyway (recency; `kithkin serve` recomputes everyone's at start), then the strongest people's
    quick facts (0.12 s for a home of 5,000 people). `touched` None: everyone; else those touched and
    those an interrupted import left marked in derived_dirty (each batch marks its people), whose marks
    are cleared in the same transaction; nothing at all: an import that added nothing costs nothing
    more than its read."""
    conn = workspace.conn
    if touched is not None:
        touched = touched | derived.dirty_people(conn)
        if not touched:
            return
    with _collector_pause.held(), db.transaction(conn, background=True):
        count_what_has_happened(conn, workspace.settings)
        strength.update_strengths(conn, touched)
        facts.refresh(conn)
        derived.clear(conn)


def import_paths(
    workspace: Workspace,
    source: str,
    paths: list[Path],
    *,
    account: str | None = None,
    full: bool = False,
    progress: Progress | None = None,
    importer: Importer | None = None,
) -> ImportSummary:
    """`kithkin import SOURCE PATH...`: each file, or each of the source's files inside a folder, through
    the source's importer, incrementally; strengths and facts are derived once, after the last file."""
    from kithkin.importers import get_importer
    from kithkin.importers.folders import find_inputs

    summary = ImportSummary(source=source)
    inputs: list[Path] = []
    left_out: dict[str, str] = {}
    walked = False
    sniffer = importer or get_importer(source)  # only asked which files are the source's
    for path in paths:
        path = Path(path).expanduser()
        if not path.exists():
            raise KithkinError(f"{path} does not exist; check the path.")
        found = find_inputs(sniffer, path)
        inputs += found.inputs
        if found.walked:
            walked = True
            left_out.update(found.left_out)
    files = _Files(workspace, inputs, summary, lambda: importer or get_importer(source), account, full, progress)
    try:
        touched = ingest(
            workspace,
            files.first_reader,
            files.observations(),
            summary,
            account=account,
            finish=False,
            positions=files.positions,
        )
    except KithkinError:
        # The batches stored before the damaged file marked their people dirty: those, not everyone, are derived.
        finish_import(workspace, set())
        raise
    finish_import(workspace, touched)
    if walked:
        summary.details["files_read"] = [str(path) for path in inputs]
        summary.details["files_left_out"] = left_out
    return summary


class _Files:
    """The files of one import command as one stream of observations, so that many small files (a folder
    of 1,000 chat exports) share batches instead of paying a batch's fixed cost each. Remembers where each
    file read whole resumes until the batch holding its last observations is stored."""

    def __init__(
        self,
        workspace: Workspace,
        paths: list[Path],
        summary: ImportSummary,
        new_reader: Callable[[], Importer],
        account: str | None,
        full: bool,
        progress: Progress | None,
    ) -> None:
        self.workspace, self.paths, self.summary, self.new_reader = workspace, paths, summary, new_reader
        self.account, self.full, self.progress = account, full, progress
        self.first_reader = new_reader()
        self._read_whole: list[Position] = []
        self._reading: tuple[Importer, tuple[str, str]] | None = None
        self._items = 0

    def observations(self) -> Iterator[Observation | Exception]:
        one_file = len(self.paths) == 1
        earlier = 0  # observations of the files before this one: progress counts them all
        for index, path in enumerate(self.paths):
            reader = self.first_reader if index == 0 else self.new_reader()
            prepare_reader(self.workspace, reader)
            key = (reader.source_type, f"{self.account or ''}|{path.resolve()}")
            cursor = None if self.full else sources.get_cursor(self.workspace.conn, *key)
            stream = _checked(reader.read(path, cursor), path)  # some readers count their `total` here
            self._reading, self._items = (reader, key), 0
            total = _total_of(reader) if one_file else None  # many files: not known before all are read
            for item in stream:
                if not isinstance(item, Exception):  # a bad row is counted as skipped, not as stored
                    self._items += 1
                    if self.progress and self._items % PROGRESS_EVERY == 0:
                        self.progress(earlier + self._items, total)
                yield item
            self._read_whole.append((key, reader.cursor(), self._items))
            self._reading = None
            add_report(self.summary, reader)
            self.summary.files += 1
            earlier += self._items
            if self.progress:
                # A file read to its end ends the bar full: every row was read, also those that made no
                # observation (a tapback, a system line).
                self.progress(total or earlier, total)

    def positions(self) -> list[Position]:
        """Where to resume the files whose observations the batch being stored holds."""
        found, self._read_whole = self._read_whole, []
        if self._reading is not None and self._items:
            reader, key = self._reading
            found.append((key, reader.cursor(), self._items))
        return found


def _total_of(reader: Importer) -> int | None:
    total = getattr(reader, "total", None)
    return total if isinstance(total, int) else None


def prepare_reader(workspace: Workspace, reader: Importer) -> None:
    """Hand an importer what it asks for by attribute: `known_names` (full names of people already known,
    to find in plain text), `mappings` (crm_mappings.yaml) and `owner_name` (exports that name the owner
    like anyone else). Importers never read the store themselves."""
    if hasattr(reader, "known_names"):
        reader.known_names = set(people.known_full_names(workspace.conn))
    if getattr(reader, "mappings", False) is None:
        reader.mappings = workspace.mappings
    if hasattr(reader, "owner_name") and reader.owner_name is None:
        reader.owner_name = workspace.settings.owner.name or None
    if hasattr(reader, "channel_max_members") and reader.channel_max_members is None:
        # Slack: a channel's members count as people who shared something only up to this size.
        reader.channel_max_members = workspace.settings.relationships.slack_channel_max_members
    if hasattr(reader, "region") and reader.region is None:
        reader.region = workspace.settings.default_region  # phones that do not validate there are counted


def add_report(summary: ImportSummary, reader: Importer) -> None:
    """Copy an importer's coverage `report` (a dict) into the summary's details, adding up counts over files."""
    report = getattr(reader, "report", None)
    if not isinstance(report, dict):
        return
    for key, value in report.items():
        known = summary.details.get(key)
        if isinstance(value, int) and isinstance(known, int):
            summary.details[key] = known + value
        elif isinstance(value, dict):
            # Counts add up; other entries ({file: why it was left out}) join. A copy: the importer may count on.
            merged = dict(known) if isinstance(known, dict) else {}
            for what, count in value.items():
                before = merged.get(what)
                merged[what] = before + count if isinstance(count, int) and isinstance(before, int) else count
            summary.details[key] = merged
        elif isinstance(value, list) and isinstance(known, list):
            summary.details[key] = known + value
        else:
            summary.details[key] = value


def _checked(observations: Iterator[Observation | Exception], path: Path) -> Iterator[Observation | Exception]:
    """Damage found mid-read (a truncated database, a broken archive) becomes one plain sentence naming
    the file; the batches already committed stay, and the cursor lets a repaired file resume."""
    try:
        yield from observations
    except OSError as exc:
        raise KithkinError(f"{path}: reading failed ({exc.strerror or exc}); check the file and try again.") from exc
    except (sqlite3.DatabaseError, zipfile.BadZipFile, EOFError, UnicodeError) as exc:
        raise KithkinError(f"{path} is damaged ({exc}); repair or re-export it and import again.") from exc
