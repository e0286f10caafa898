"""Calendars from iCalendar data: `.ics` files (Google, Outlook, Apple exports) and ICS subscription
URLs (Google's secret address, Outlook published calendars).

Every occurrence of a meeting inside a bounded window (2 years back, 1 year ahead by default) is one
observation: recurring series are expanded with their overrides, exceptions and cancellations by
`recurring-ical-events`. Declined attendees, rooms and resources are not participants; they are
kept in the metadata. Events with no one but their owner (focus blocks, reminders) are left out.
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


def parse_calendar(data: bytes, where: object) -> icalendar.Calendar:
    """iCalendar bytes as a calendar; ImportFormatError naming `where` when they are not iCalendar."""
    text = data.lstrip(b"\xef\xbb\xbf \t\r\n")
    if not text[:15].upper().startswith(b"BEGIN:VCALENDAR"):
        raise ImportFormatError(
            where, "is not an iCalendar file (it must start with BEGIN:VCALENDAR); export it as .ics"
        )
    try:
        calendar = icalendar.Calendar.from_ical(text)
    except ValueError as exc:
        raise ImportFormatError(where, "looks corrupt (the iCalendar data cannot be read); export it again") from exc
    if not isinstance(calendar, icalendar.Calendar):
        raise ImportFormatError(where, "is not an iCalendar file (no VCALENDAR at its top); export it as .ics")
    return calendar


def meetings(calendar: icalendar.Calendar, window: Window, context: str | None = None) -> Iterator[Observation]:
    """One observation per occurrence in the window with at least one participant."""
    context = context or _text(calendar.get("X-WR-CALNAME")) or None
    recurring = {
        _text(event.get("UID"))
        for event in calendar.walk("VEVENT")
        if event.get("RRULE") or event.get("RDATE") or event.get("RECURRENCE-ID")
    }
    # A series whose rule cannot be read is left out rather than stopping the whole calendar.
    query = recurring_ical_events.of(calendar, skip_bad_series=True)
    for event in query.between(window.start, window.end):
        observation = _observation(event, recurring, context)
        if observation is not None:
            yield observation


def _observation(event: icalendar.Event, recurring: set[str], context: str | None) -> Observation | None:
    if _text(event.get("STATUS")).upper() == "CANCELLED":
        return None
    start = event.get("DTSTART")
    if start is None or not isinstance(start.dt, date):
        return None
    participants, left_out = _participants(event)
    if not participants:
        return None
    uid = _text(event.get("UID")) or _digest(event)
    occurrence_id = event.get("RECURRENCE-ID")
    # One id per occurrence that survives an override moving it: the series' original start.
    source_id = f"{uid}/{utc_iso(_moment(occurrence_id.dt))}" if uid in recurring and occurrence_id else uid
    all_day = not isinstance(start.dt, datetime)
    metadata: dict[str, Any] = {"uid": uid}
    if all_day:
        metadata["all_day"] = True
    end = event.get("DTEND")
    if end is not None and isinstance(end.dt, date):
        metadata["end"] = utc_iso(_moment(end.dt))
    location = _text(event.get("LOCATION"))
    if location:
        metadata["location"] = location
    if uid in recurring:
        metadata["recurring"] = True
    metadata.update(left_out)
    return Observation(
        source_id=source_id,
        kind="meeting",
        occurred_at=_moment(start.dt),
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
        if not path.is_file():
            return False
        with path.open("rb") as handle:
            head = handle.read(256).lstrip(b"\xef\xbb\xbf \t\r\n")
        return head[:15].upper().startswith(b"BEGIN:VCALENDAR")

    def read(self, path: Path, cursor: str | None) -> Iterator[Observation | Exception]:
        """Parse the whole file now (a wrong or corrupt one raises before anything is yielded).

        Every read covers the whole window: the window moves with time, and re-reads add nothing twice.
        """
        calendar = parse_calendar(path.read_bytes(), path)
        return meetings(calendar, self.window())

    def window(self) -> Window:
        return Window.around(self.now, self.past_days, self.future_days)

    def cursor(self) -> str | None:
        return None


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
