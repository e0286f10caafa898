"""Calendars from iCalendar data: `.ics` files (Google, Outlook, Apple exports) and ICS subscription
URLs (Google's secret address, Outlook published calendars).

Every occurrence of a meeting inside a bounded window (2 years back, 1 year ahead by default) is one
observation: recurring series are expanded with their overrides, exceptions and cancellations by
`recurring-ical-events`. Declined attendees, rooms and resources are not participants; they are
kept in the metadata. Events with fewer than two people (focus blocks, reminders) are left out.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any, ClassVar
from urllib.parse import urlsplit

import httpx
import icalendar
import recurring_ical_events

from kithkin.config import LiveSource
from kithkin.credentials import secret_for
from kithkin.models import Identity, ImportFormatError, KithkinError, Observation, now_utc, utc_iso
from kithkin.workspace import Workspace

PAST_DAYS = 730
FUTURE_DAYS = 365
SNIPPET_LENGTH = 200
FETCH_TIMEOUT = 60.0
_SPACE = re.compile(r"\s+")
# Google appends its video-call block after this marker; it says nothing about the meeting.
_LEADING = b"\xef\xbb\xbf \t\r\n"  # a byte-order mark and blank lines some exporters put first
_GOOGLE_JOIN_BLOCK = re.compile(r"-::~[:~]+::-")
_NOT_PEOPLE_DOMAINS = ("resource.calendar.google.com", "group.calendar.google.com", "group.v.calendar.google.com")


@dataclass(frozen=True)
class Window:
    """The span whose occurrences are read: endless series are cut to it."""

    start: datetime
    end: datetime

    @classmethod
    def around(cls, now: datetime | None = None, past_days: int = PAST_DAYS, future_days: int = FUTURE_DAYS) -> Window:
        now = now or now_utc()
        return cls(now - timedelta(days=past_days), now + timedelta(days=future_days))


def parse_calendar(data: bytes, where: object) -> list[icalendar.Calendar]:
    """iCalendar bytes as calendars (some exports concatenate several); ImportFormatError naming `where`
    when they are not iCalendar."""
    text = data.lstrip(_LEADING)
    if not _starts_calendar(text):
        raise ImportFormatError(
            where, "is not an iCalendar file (it must start with BEGIN:VCALENDAR); export it as .ics"
        )
    corrupt = "looks corrupt (the iCalendar data is cut short or cannot be read); export it again"
    try:
        calendars = icalendar.Calendar.from_ical(text, multiple=True)
    except ValueError as exc:
        raise ImportFormatError(where, corrupt) from exc
    # A file cut short (no END:VCALENDAR) parses to nothing at all.
    if not calendars or not all(isinstance(c, icalendar.Calendar) for c in calendars):
        raise ImportFormatError(where, corrupt)
    return calendars


def meetings(
    calendars: list[icalendar.Calendar], window: Window, context: str | None = None, fallback: str | None = None
) -> Iterator[Observation | Exception]:
    """One observation per occurrence in the window with two people or more; an Exception for an
    event that cannot be read (no start, a broken recurrence), which leaves the others unharmed.

    Each meeting's context is `context`, else the calendar's own name (X-WR-CALNAME), else `fallback`.
    """
    for calendar in calendars:
        name = context or _text(calendar.get("X-WR-CALNAME")) or fallback
        series = _series(calendar)
        unreadable = {uid for uid, events in series.items() if any(not _has_start(e) for e in events)}
        for uid in unreadable:
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
        try:
            occurrences = list(recurring_ical_events.of(calendar).between(window.start, window.end))
        except Exception:  # the recurrence library raises many kinds on malformed rules
            occurrences = []
            # Expand each series on its own, so that one broken rule costs only that series.
            for uid, events in series.items():
                if uid in unreadable:
                    continue
                try:
                    occurrences += recurring_ical_events.of(_alone(calendar, events)).between(window.start, window.end)
                except Exception as exc:
                    yield ValueError(f"calendar event {uid} has a recurrence that cannot be read ({exc})")
        for event in occurrences:
            uid = _uid(event)
            observation = _observation(event, uid, uid in recurring, name)
            if observation is not None:
                yield observation


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


def _observation(event: icalendar.Event, uid: str, recurring: bool, context: str | None) -> Observation | None:
    if _text(event.get("STATUS")).upper() == "CANCELLED":
        return None
    participants, left_out = _participants(event)
    # A meeting takes two: an event of its organiser alone (a focus block, a reminder, a meeting
    # everyone else declined) says nothing about anyone.
    if len(participants) < 2:
        return None
    start = _when(event.get("DTSTART"))
    if start is None:
        return None
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
    )


def _participants(event: icalendar.Event) -> tuple[list[Identity], dict[str, list[dict[str, str | None]]]]:
    """(organiser and attending attendees, {"declined"|"rooms"|"groups": [{name, email}]})."""
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
        if (email and email.endswith(_NOT_PEOPLE_DOMAINS)) or kind in ("ROOM", "RESOURCE"):
            left_out.setdefault("rooms", []).append({"name": name, "email": email})
            continue
        if kind == "GROUP":
            left_out.setdefault("groups", []).append({"name": name, "email": email})
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


def _snippet(description: str) -> str | None:
    text = _SPACE.sub(" ", _GOOGLE_JOIN_BLOCK.split(description, maxsplit=1)[0]).strip()
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
    """`kithkin import calendar FILE.ics`: one meeting per occurrence inside the window."""

    source_type: ClassVar[str] = "calendar"

    def __init__(
        self, *, past_days: int = PAST_DAYS, future_days: int = FUTURE_DAYS, now: datetime | None = None
    ) -> None:
        self.past_days = past_days
        self.future_days = future_days
        self.now = now

    def sniff(self, path: Path) -> bool:
        files = _ics_files(path)
        return bool(files) and all(_looks_like_ics(f) for f in files)

    def read(self, path: Path, cursor: str | None) -> Iterator[Observation | Exception]:
        """Parse the file, or every .ics in a folder (Google Takeout's Calendar folder), now: a wrong or
        corrupt one raises before anything is yielded.

        Every read covers the whole window: the window moves with time, and re-reads add nothing twice.
        """
        files = _ics_files(path)
        if not files:
            raise ImportFormatError(path, "holds no calendar files (*.ics); export the calendar as .ics")
        parsed = [(file, parse_calendar(file.read_bytes(), file)) for file in files]
        return self._meetings(parsed)

    def _meetings(self, parsed: list[tuple[Path, list[icalendar.Calendar]]]) -> Iterator[Observation | Exception]:
        window = self.window()
        for file, calendars in parsed:
            yield from meetings(calendars, window, fallback=file.stem)

    def window(self) -> Window:
        return Window.around(self.now, self.past_days, self.future_days)

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
        return _starts_calendar(handle.read(256).lstrip(_LEADING))


def _starts_calendar(text: bytes) -> bool:
    return text[:15].upper() == b"BEGIN:VCALENDAR"


class CalendarUrlImporter(CalendarImporter):
    """An ICS subscription URL, fetched whole on every sync."""

    def __init__(self, url: str, **window: Any) -> None:
        super().__init__(**window)
        # webcal:// is how calendar apps spell an https subscription.
        self.url = re.sub(r"^webcal://", "https://", url.strip(), flags=re.IGNORECASE)

    def sniff(self, path: Path) -> bool:
        return False

    def read(self, target: object, cursor: str | None) -> Iterator[Observation | Exception]:
        """Fetch the calendar now; `target` only labels it (the URL itself may hold a secret token)."""
        label = redacted(self.url)
        try:
            response = httpx.get(self.url, follow_redirects=True, timeout=FETCH_TIMEOUT)
        except httpx.HTTPError as exc:
            raise KithkinError(f"Could not fetch the calendar at {label} ({exc}); check the address.") from exc
        if response.status_code != 200:
            raise KithkinError(
                f"The calendar at {label} answered HTTP {response.status_code}; check the address is still valid."
            )
        return meetings(parse_calendar(response.content, label), self.window())


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
