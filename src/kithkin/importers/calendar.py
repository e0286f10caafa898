"""Calendars from iCalendar data: `.ics` files (Google, Outlook, Apple exports) and ICS subscription
URLs (Google's secret address, Outlook published calendars).

Every occurrence of a meeting is one observation: recurring series are expanded with their overrides,
exceptions and cancellations by `recurring-ical-events`. A file is a record of the past: all of it is read
(endless series up to a year ahead); live sync (an ICS URL, CalDAV) reads a window around today (2 years
back, 1 year ahead by default, configurable) and counts what fell outside it. Declined attendees, rooms,
resources and Google's placeholder and group calendars are not participants; they are kept in the
metadata. Events with fewer than two people (focus blocks, reminders) are left out, and counted.

A VTIMEZONE the calendar library cannot read (Apple writes the historical offsets of Europe/Berlin's
local mean time as `TZOFFSETFROM:+5328`) is dropped and its TZID read as a zone name instead (IANA names
through zoneinfo, Windows names through icalendar's table); an event that cannot be read at all is
skipped with its reason while the others are imported.

A file's whole history is read, but never held whole: a first pass outlines it (ics_outline: its time
zones, which parts share a UID) and the second parses one event at a time, expanding them in batches.
"""

from __future__ import annotations

import hashlib
import io
import re
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from functools import partial
from pathlib import Path
from typing import IO, Any, ClassVar
from urllib.parse import urlsplit

import httpx
import icalendar
import recurring_ical_events

from kithkin.config import LiveSource
from kithkin.credentials import secret_for
from kithkin.importers import ics_outline, limits, recurrence
from kithkin.importers.base import tally
from kithkin.models import Identity, ImportFormatError, KithkinError, Observation, now_utc, utc_iso
from kithkin.workspace import Workspace

PAST_DAYS = 730
FUTURE_DAYS = 365
SNIPPET_LENGTH = 200
FETCH_TIMEOUT = 60.0
_SPACE = re.compile(r"\s+")
# Google appends its video-call block after this marker; it says nothing about the meeting.
_GOOGLE_JOIN_BLOCK = re.compile(r"-::~[:~]+::-")
_RESOURCE_DOMAIN = "resource.calendar.google.com"
# Google's own calendar addresses: the organizer it writes when it does not know one
# (unknownorganizer@calendar.google.com), group, holiday and imported calendars (…@group.calendar.google.com,
# …@group.v.calendar.google.com, …@import.calendar.google.com). None of them is a person.
_GOOGLE_CALENDAR_DOMAIN = "calendar.google.com"
OUTSIDE_WINDOW = "outside live-sync window"
Opener = Callable[[], AbstractContextManager[IO[bytes]]]


@dataclass(frozen=True)
class Window:
    """The span of live sync: occurrences outside it are left out (and counted)."""

    start: datetime
    end: datetime

    @classmethod
    def around(cls, now: datetime | None = None, past_days: int = PAST_DAYS, future_days: int = FUTURE_DAYS) -> Window:
        now = now or now_utc()
        return cls(now - timedelta(days=past_days), now + timedelta(days=future_days))


@dataclass
class Parsed:
    """iCalendar data checked and outlined by a first pass (ics_outline), ready to be read by `meetings`."""

    opener: Opener
    where: object
    calendars: list[ics_outline.Calendar]


def parse_calendar(data: bytes, where: object) -> Parsed:
    """iCalendar bytes held in memory (a CalDAV resource, a subscription), outlined; see `outline_calendar`."""
    return outline_calendar(lambda: nullcontext(io.BytesIO(data)), where)


def outline_calendar(opener: Opener, where: object) -> Parsed:
    """iCalendar data (some exports concatenate several calendars) read once through (ics_outline.outline),
    keeping its outline only; ImportFormatError naming `where` when it is not iCalendar, is cut short or
    holds what no calendar application writes."""
    with opener() as handle:
        if not _starts_calendar(handle.read(256).lstrip(ics_outline.LEADING)):
            raise ImportFormatError(
                where, "is not an iCalendar file (it must start with BEGIN:VCALENDAR); export it as .ics"
            )
    with opener() as handle:
        calendars = ics_outline.outline(ics_outline.raw_lines(handle, where), where)
    # A calendar whose own lines cannot be read is refused now, before any of its events is.
    if not calendars or not all(_parses(calendar.header, []) for calendar in calendars):
        raise ImportFormatError(where, ics_outline.CORRUPT)
    return Parsed(opener, where, calendars)


def _from_blocks(header: list[bytes], components: list[list[bytes]]) -> icalendar.Calendar:
    lines = [b"BEGIN:VCALENDAR", *header, *(line for c in components for line in c), b"END:VCALENDAR"]
    return icalendar.Calendar.from_ical(b"\r\n".join(lines) + b"\r\n")


def _parses(header: list[bytes], components: list[list[bytes]]) -> bool:
    try:
        _from_blocks(header, components)
    except ValueError:
        return False
    return True


def _label(component: list[bytes]) -> str:
    """How to name an unreadable event: its UID, else its summary, else its first line."""
    for key in (b"UID", b"SUMMARY"):
        line = next((x for x in component if x.upper().startswith(key + b":")), None)
        if line is not None:
            return line.split(b":", 1)[1].decode("utf-8", "replace").strip()
    return component[0].decode("utf-8", "replace")


def meetings(
    parsed: Parsed,
    window: Window | None,
    report: dict[str, Any],
    context: str | None = None,
    fallback: str | None = None,
    now: datetime | None = None,
) -> Iterator[Observation | Exception]:
    """One observation per occurrence with two people or more; an Exception for an event that cannot be
    read (no start, a broken recurrence), which leaves the others unharmed. `window` None reads the
    whole history (a file); a Window keeps only what falls inside it (live sync). What was read and left
    out, and why, is counted into `report`.

    The second pass over the data: each event is parsed alone (a recurring series once all its parts are
    in), and they are expanded BATCH_EVENTS at a time, so memory holds a batch, not the calendar.
    Each meeting's context is `context`, else the calendar's own name (X-WR-CALNAME), else `fallback`.
    """
    outlines = iter(parsed.calendars)
    budget = recurrence.Budget()
    reader: _CalendarReader | None = None
    with parsed.opener() as handle:
        for kind, part in ics_outline.parts(ics_outline.raw_lines(handle, parsed.where), parsed.where):
            if kind == "calendar":
                reader = _CalendarReader(next(outlines), parsed.where, window, report, budget, now)
                reader.name = context or reader.name or fallback
                yield from reader.begin()
            elif reader is not None and isinstance(part, ics_outline.Component):
                yield from reader.add(part)
            elif reader is not None:
                yield from reader.finish()


# Events parsed and expanded together: a few MB of parsed events at most.
BATCH_EVENTS = 500


class _CalendarReader:
    """The second pass over one VCALENDAR: its time zones first (events need them, wherever they sit),
    then its events in batches."""

    def __init__(
        self,
        outline: ics_outline.Calendar,
        where: object,
        window: Window | None,
        report: dict[str, Any],
        budget: recurrence.Budget,
        now: datetime | None,
    ) -> None:
        self.outline, self.where, self.window, self.report, self.budget = outline, where, window, report, budget
        # A VTIMEZONE the library cannot read is dropped: its TZID is then read as a zone name.
        zones = [zone.lines for zone in outline.zones]
        readable = [zone for zone in zones if _parses(outline.header, [zone])]
        self.zones_by_name = len(zones) - len(readable)
        try:
            # Parsing the time zones caches them (icalendar's tzp) for the events parsed alone after.
            self.base = _from_blocks(outline.header, readable)
        except ValueError as exc:
            raise ImportFormatError(where, ics_outline.CORRUPT) from exc
        self.name: str | None = _text(self.base.get("X-WR-CALNAME")) or None
        self.start, self.end = _span(outline, window, now)
        self.pending: dict[bytes, list[ics_outline.Component]] = {}
        self.batch: list[icalendar.Event] = []

    def begin(self) -> Iterator[Observation | Exception]:
        if self.zones_by_name:
            tally(self.report, "repaired", "time zones read by their name", self.zones_by_name)
        tally(self.report, "read", "events", 0)
        return iter(())

    def add(self, component: ics_outline.Component) -> Iterator[Observation | Exception]:
        if component.name in (b"VTODO", b"VJOURNAL"):
            tally(self.report, "left_out", "to-dos and journal entries")
            return
        if component.name != b"VEVENT":
            return  # the time zones are read already; free/busy and unknown components say nothing
        key = component.key()
        parts = self.pending.setdefault(key, [])
        parts.append(component)
        if len(parts) < self.outline.series.get(key, [0])[0]:
            return  # a series is read once all its parts are in
        del self.pending[key]
        yield from self._parse(parts)
        if len(self.batch) >= BATCH_EVENTS:
            yield from self._flush()

    def finish(self) -> Iterator[Observation | Exception]:
        for parts in self.pending.values():  # only when the file changed between the two passes
            yield from self._parse(parts)
        self.pending = {}
        yield from self._flush()

    def _parse(self, parts: list[ics_outline.Component]) -> Iterator[Exception]:
        for part in parts:
            try:
                event = icalendar.Component.from_ical(b"\r\n".join(part.lines) + b"\r\n")
            except ValueError as exc:
                tally(self.report, "left_out", "unreadable events")
                yield ValueError(f"calendar event {_label(part.lines)} cannot be read ({exc})")
                continue
            tally(self.report, "read", "events")
            self.batch.append(event)

    def _flush(self) -> Iterator[Observation | Exception]:
        if self.batch:
            calendar = _alone(self.base, self.batch)
            self.batch = []
            yield from _expanded(calendar, self.start, self.end, self.window, self.name, self.report, self.budget)


def _expanded(
    calendar: icalendar.Calendar,
    start: datetime,
    end: datetime,
    window: Window | None,
    name: str | None,
    report: dict[str, Any],
    budget: recurrence.Budget,
) -> Iterator[Observation | Exception]:
    """The meetings of a calendar holding whole series only (a batch of the file's), between `start` and `end`."""
    series = _series(calendar)
    unreadable = {uid for uid, events in series.items() if any(not _has_start(e) for e in events)}
    for uid in unreadable:
        tally(report, "left_out", "unreadable events")
        yield ValueError(f"calendar event {uid} has no readable start (DTSTART)")
    if unreadable:
        calendar.subcomponents = [
            c for c in calendar.subcomponents if not (isinstance(c, icalendar.Event) and _uid(c) in unreadable)
        ]
    recurring = {
        uid
        for uid, events in series.items()
        if len(events) > 1 or any(e.get("RRULE") or e.get("RDATE") or e.get("RECURRENCE-ID") for e in events)
    }
    yield from _kept_whole(
        calendar, _recurring_series(series, recurring - unreadable), start, end, window, name, report, budget
    )
    try:
        occurrences = list(recurring_ical_events.of(calendar).between(start, end))
    except Exception:  # the recurrence library raises many kinds on malformed rules
        occurrences = []
        # Expand each series on its own, so that one broken rule costs only that series.
        for uid, events in series.items():
            if uid in unreadable:
                continue
            try:
                occurrences += recurring_ical_events.of(_alone(calendar, events)).between(start, end)
            except Exception as exc:
                tally(report, "left_out", "unreadable events")
                yield ValueError(f"calendar event {uid} has a recurrence that cannot be read ({exc})")
    for event in occurrences:
        uid = _uid(event)
        observation = _observation(event, uid, uid in recurring, name, report)
        if isinstance(observation, str):
            tally(report, "left_out", observation)
        elif window is not None and not window.start <= observation.occurred_at < window.end:
            tally(report, "left_out", OUTSIDE_WINDOW)
        else:
            tally(report, "imported", "meetings")
            yield observation


def _recurring_series(series: dict[str, list[icalendar.Event]], chosen: set[str]) -> dict[str, list[icalendar.Event]]:
    """These series in the calendar's order (the total cap favours the first ones complete in the file)."""
    return {uid: events for uid, events in series.items() if uid in chosen}


def _kept_whole(
    calendar: icalendar.Calendar,
    series: dict[str, list[icalendar.Event]],
    start: datetime,
    end: datetime,
    window: Window | None,
    name: str | None,
    report: dict[str, Any],
    budget: recurrence.Budget,
) -> Iterator[Observation]:
    """Series recurring too often to expand (recurrence.py) leave the calendar; each is one meeting at its
    first start, noting why."""
    notes = recurrence.not_expanded(series, start, end, budget)
    if not notes:
        return
    calendar.subcomponents = [
        c for c in calendar.subcomponents if not (isinstance(c, icalendar.Event) and _uid(c) in notes)
    ]
    for uid, note in notes.items():
        master = next((e for e in series[uid] if not e.get("RECURRENCE-ID")), series[uid][0])
        observation = _observation(master, uid, True, name, report)
        if isinstance(observation, str):
            tally(report, "left_out", observation)
        elif window is not None and not window.start <= observation.occurred_at < window.end:
            tally(report, "left_out", OUTSIDE_WINDOW)
        else:
            observation.metadata["recurrence_not_expanded"] = note
            tally(report, "repaired", "series kept as one meeting (repeating too often to expand)")
            tally(report, "imported", "meetings")
            yield observation


def _span(outline: ics_outline.Calendar, window: Window | None, now: datetime | None) -> tuple[datetime, datetime]:
    """Where to expand: from the first event to the last one (series without an end up to a year ahead),
    and over the live-sync window when there is one, so what falls outside it can be counted. The starts
    are the first pass's, read without their zones: a day on each side covers that."""
    ahead = (now or now_utc()) + timedelta(days=FUTURE_DAYS)
    first = (outline.first_start or ahead) - timedelta(days=1)
    last = max(outline.last_start or ahead, ahead) + timedelta(days=1)
    if window is not None:
        first, last = min(first, window.start), max(last, window.end)
    return first, last


def _series(calendar: icalendar.Calendar) -> dict[str, list[icalendar.Event]]:
    """The calendar's events by UID: a recurring master with its overridden instances."""
    found: dict[str, list[icalendar.Event]] = {}
    for event in calendar.subcomponents:
        if isinstance(event, icalendar.Event):
            found.setdefault(_uid(event), []).append(event)
    return found


def _alone(calendar: icalendar.Calendar, events: list[icalendar.Event]) -> icalendar.Calendar:
    """A calendar with the same properties and time zones holding only `events`."""
    single = icalendar.Calendar()
    for key, value in calendar.items():
        single[key] = value
    for component in calendar.subcomponents:
        if isinstance(component, icalendar.Timezone):
            single.add_component(component)
    for event in events:
        single.add_component(event)
    return single


def _has_start(event: icalendar.Event) -> bool:
    return _when(event.get("DTSTART")) is not None


def _when(value: object) -> date | None:
    """The date or datetime of a DTSTART/DTEND/RECURRENCE-ID, or None when missing or unreadable."""
    try:
        moment = getattr(value, "dt", None)
    except ValueError:  # icalendar keeps an unparsable value and raises on reading it
        return None
    return moment if isinstance(moment, date) else None


def _uid(event: icalendar.Event) -> str:
    return _text(event.get("UID")) or _digest(event)


def _observation(
    event: icalendar.Event, uid: str, recurring: bool, context: str | None, report: dict[str, Any]
) -> Observation | str:
    """The meeting of one occurrence, or the reason it is left out."""
    if _text(event.get("STATUS")).upper() == "CANCELLED":
        return "cancelled"
    participants, left_out = _participants(event, report)
    # A meeting takes two: an event of its organiser alone (a focus block, a reminder, a meeting
    # everyone else declined) says nothing about anyone.
    if len(participants) < 2:
        return "fewer than two people"
    start = _when(event.get("DTSTART"))
    if start is None:
        return "unreadable events"
    occurrence_id = _when(event.get("RECURRENCE-ID"))
    # One id per occurrence that survives an override moving it: the series' original start.
    source_id = f"{uid}/{utc_iso(_moment(occurrence_id))}" if recurring and occurrence_id else uid
    metadata: dict[str, Any] = {"uid": uid}
    if not isinstance(start, datetime):
        metadata["all_day"] = True
    end = _when(event.get("DTEND"))
    if end is not None:
        metadata["end"] = utc_iso(_moment(end))
    location = _text(event.get("LOCATION"))
    if location:
        metadata["location"] = location
    if recurring:
        metadata["recurring"] = True
    metadata.update(left_out)
    return Observation(
        source_id=source_id,
        kind="meeting",
        occurred_at=_moment(start),
        participants=participants,
        context=context,
        title=_text(event.get("SUMMARY")) or None,
        snippet=_snippet(_text(event.get("DESCRIPTION"))),
        metadata=metadata,
        text=_description(_text(event.get("DESCRIPTION"))) or None,  # searched whole
    )


def _participants(
    event: icalendar.Event, report: dict[str, Any]
) -> tuple[list[Identity], dict[str, list[dict[str, str | None]]]]:
    """(organiser and attending attendees, {"declined"|"rooms"|"calendars"|"groups": [{name, email}]});
    each attendee who is not a person is counted in `report`."""
    found: dict[str, Identity] = {}
    left_out: dict[str, list[dict[str, str | None]]] = {}
    attendees = event.get("ATTENDEE") or []
    if not isinstance(attendees, list):
        attendees = [attendees]
    # The organiser first: when also listed as an attendee, the first role wins.
    entries = [(event.get("ORGANIZER"), "organizer")] if event.get("ORGANIZER") else []
    entries += [(attendee, "attendee") for attendee in attendees]
    for value, role in entries:
        name = _text(value.params.get("CN")).strip().strip("'\"") or None
        email = _address(value)
        kind = _text(value.params.get("CUTYPE")).upper()
        not_person = _not_a_person(email, kind)
        if not_person is not None:
            left_out.setdefault(not_person, []).append({"name": name, "email": email})
            tally(report, "not_people", _NOT_PEOPLE_LABELS[not_person])
            continue
        if role == "attendee" and _text(value.params.get("PARTSTAT")).upper() == "DECLINED":
            left_out.setdefault("declined", []).append({"name": name, "email": email})
            continue
        key = email or (f"name:{name.casefold()}" if name else None)
        if key is None or key in found:
            continue
        found[key] = Identity(
            source_id=key,
            name=name if name and name.lower() != email else None,
            emails=(email,) if email else (),
            role=role,
        )
    return list(found.values()), left_out


_NOT_PEOPLE_LABELS = {
    "rooms": "rooms and resources",
    "calendars": "Google placeholder and group calendars",
    "groups": "mailing-list groups",
}


def _not_a_person(email: str | None, kind: str) -> str | None:
    """Which kind of non-person an attendee is ("rooms", "calendars", "groups"), or None for a person."""
    domain = email.rpartition("@")[2] if email else ""
    if kind in ("ROOM", "RESOURCE") or domain == _RESOURCE_DOMAIN:
        return "rooms"
    if domain == _GOOGLE_CALENDAR_DOMAIN or domain.endswith("." + _GOOGLE_CALENDAR_DOMAIN):
        return "calendars"
    if kind == "GROUP":
        return "groups"
    return None


def _address(value: object) -> str | None:
    """The email of a CAL-ADDRESS ("mailto:a@b", "MAILTO:a@b"); None for other URIs (Outlook's "invalid:nomail")."""
    text = _text(value).strip()
    if text.lower().startswith("mailto:"):
        text = text[7:]
    text = text.strip().lower()
    return text if "@" in text and ":" not in text else None


def _moment(value: date | datetime) -> datetime:
    """An aware datetime: all-day dates at midnight UTC, floating times in this machine's zone (a
    floating time means the wall clock of whoever reads the calendar)."""
    if not isinstance(value, datetime):
        return datetime(value.year, value.month, value.day, tzinfo=UTC)
    return value if value.tzinfo is not None else value.astimezone()


def _description(description: str) -> str:
    return _SPACE.sub(" ", _GOOGLE_JOIN_BLOCK.split(description, maxsplit=1)[0]).strip()


def _snippet(description: str) -> str | None:
    text = _description(description)
    if len(text) > SNIPPET_LENGTH:
        text = text[: SNIPPET_LENGTH - 1].rstrip() + "…"
    return text or None


def _digest(event: icalendar.Event) -> str:
    fields = "\x00".join(_text(event.get(key)) for key in ("SUMMARY", "DTSTART", "ORGANIZER"))
    return "sha1:" + hashlib.sha1(fields.encode()).hexdigest()


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    return str(value)


class CalendarImporter:
    """`kithkin import calendar FILE.ics`: one meeting per occurrence, over the file's whole history."""

    source_type: ClassVar[str] = "calendar"

    def __init__(self, *, now: datetime | None = None) -> None:
        self.now = now
        self.report: dict[str, Any] = {}

    def sniff(self, path: Path) -> bool:
        files = _ics_files(path)
        return bool(files) and all(_looks_like_ics(f) for f in files)

    def read(self, path: Path, cursor: str | None) -> Iterator[Observation | Exception]:
        """Parse the file, or every .ics in a folder (Google Takeout's Calendar folder), now: a wrong or
        corrupt one raises before anything is yielded. Every read covers everything: re-reads add nothing twice.
        """
        files = _ics_files(path)
        if not files:
            raise ImportFormatError(path, "holds no calendar files (*.ics); export the calendar as .ics")
        parsed = [
            (file, outline_calendar(partial(limits.open_file, file, limits.STREAMED_FILE, "calendar"), file))
            for file in files
        ]
        self.report = {"read": {"events": 0}}
        return self._meetings(parsed)

    def _meetings(self, parsed: list[tuple[Path, Parsed]]) -> Iterator[Observation | Exception]:
        for file, calendars in parsed:
            yield from meetings(calendars, None, self.report, fallback=file.stem, now=self.now)

    def cursor(self) -> str | None:
        return None


def _ics_files(path: Path) -> list[Path]:
    if path.is_file():
        return [path]
    if not path.is_dir():
        return []
    return sorted(p for p in path.rglob("*") if p.is_file() and p.suffix.lower() == ".ics")


def _looks_like_ics(path: Path) -> bool:
    with path.open("rb") as handle:
        return _starts_calendar(handle.read(256).lstrip(ics_outline.LEADING))


def _starts_calendar(text: bytes) -> bool:
    return text[:15].upper() == b"BEGIN:VCALENDAR"


class CalendarUrlImporter(CalendarImporter):
    """An ICS subscription URL, fetched whole on every sync; only the window around today is read."""

    def __init__(
        self, url: str, *, past_days: int = PAST_DAYS, future_days: int = FUTURE_DAYS, now: datetime | None = None
    ) -> None:
        super().__init__(now=now)
        self.window = Window.around(now, past_days, future_days)
        # webcal:// is how calendar apps spell an https subscription.
        self.url = re.sub(r"^webcal://", "https://", url.strip(), flags=re.IGNORECASE)

    def sniff(self, path: Path) -> bool:
        return False

    def read(self, target: object, cursor: str | None) -> Iterator[Observation | Exception]:
        """Fetch the calendar now; `target` only labels it (the URL itself may hold a secret token)."""
        label = redacted(self.url)
        try:
            status, content = limits.fetch(self.url, limits.CALENDAR_DOWNLOAD, "calendar", label, FETCH_TIMEOUT)
        except httpx.HTTPError as exc:
            raise KithkinError(f"Could not fetch the calendar at {label} ({exc}); check the address.") from exc
        if status != 200:
            raise KithkinError(f"The calendar at {label} answered HTTP {status}; check the address is still valid.")
        self.report = {"read": {"events": 0}}
        return meetings(parse_calendar(content, label), self.window, self.report, now=self.now)


def redacted(url: str) -> str:
    """The URL without its path: Google's secret address carries its token in the path."""
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.hostname or ''}/…"


def window_options(extra: dict[str, Any]) -> dict[str, int]:
    """`past_days` / `future_days` from a live source's config, when set."""
    return {key: int(extra[key]) for key in ("past_days", "future_days") if extra.get(key) is not None}


def url_importer(source: LiveSource, workspace: Workspace) -> tuple[CalendarUrlImporter, str]:
    """The `ics_url` source: `url` in config.yaml, or (for a secret address) `url_env` / the keyring."""
    extra = source.model_extra or {}
    url = str(extra.get("url") or secret_for(source, "url"))
    importer = CalendarUrlImporter(url, **window_options(extra))
    return importer, redacted(importer.url)
