"""iCalendar data cut into its calendars and their components, without parsing them, so that a large
calendar is parsed one component at a time (importers/calendar.py).

An event cannot be read alone: its times name the file's VTIMEZONE definitions, which may come after
it, and a recurring series (a master and the instances it overrides, sharing a UID) must be expanded
together, wherever its parts sit in the file. So a first pass (`outline`) reads the whole stream and
keeps only what the second needs: each calendar's own properties and time zones, how many components
and bytes each UID has, and the span of its start dates. It refuses, before anything is read in
earnest, data no calendar application writes: a component, a series or a calendar's time zones over
their caps (limits.py), or more components than any real calendar holds.

Folded lines begin with a space or a tab, so BEGIN and END lines are found at the start of a line.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import IO

from kithkin.importers import limits
from kithkin.models import ImportFormatError

_BEGIN = re.compile(rb"BEGIN:([A-Z-]+)\s*$", re.IGNORECASE)
_END = re.compile(rb"END:([A-Z-]+)\s*$", re.IGNORECASE)
_DATE = re.compile(rb"(\d{4})(\d{2})(\d{2})(?:T(\d{2})(\d{2})(\d{2}))?")
LEADING = b"\xef\xbb\xbf \t\r\n"  # a byte-order mark and blank lines some exporters put first
CORRUPT = "looks corrupt (the iCalendar data is cut short or cannot be read); export it again"


@dataclass
class Component:
    """One component of a calendar (VEVENT, VTODO, VTIMEZONE…) as its lines, BEGIN to END."""

    name: bytes
    lines: list[bytes]
    line: int  # where it begins in the file

    def key(self) -> bytes:
        """What ties a series' parts together: the UID as written (unfolded), or, without one, where it is."""
        value = self.value(b"UID")
        return value.strip() if value is not None else b"#%d" % self.line

    def value(self, name: bytes) -> bytes | None:
        """The raw value of the component's own first property called `name` (unfolded; parameters dropped),
        not one of a component inside it (a VALARM has a UID of its own)."""
        wanted = name.upper()
        depth = 0
        for index, line in enumerate(self.lines):
            depth += 1 if _BEGIN.match(line) else -1 if _END.match(line) else 0
            head = line[: len(wanted) + 1].upper()
            if depth == 1 and head in (wanted + b":", wanted + b";"):
                whole = line + b"".join(
                    rest[1:] for rest in _continuations(self.lines, index + 1)
                )  # a folded value goes on in the lines that begin with a space or a tab
                return _after_parameters(whole)
        return None

    def start(self) -> datetime | None:
        """DTSTART read without its time zone (as UTC): within a day of the truth, enough to bound a span."""
        value = self.value(b"DTSTART")
        match = _DATE.match(value.strip()) if value else None
        if match is None:
            return None
        try:
            return datetime(*(int(part or 0) for part in match.groups()), tzinfo=UTC)  # type: ignore[misc]
        except ValueError:
            return None


def _continuations(lines: list[bytes], start: int) -> Iterator[bytes]:
    for line in lines[start:]:
        if line[:1] not in (b" ", b"\t"):
            return
        yield line


def _after_parameters(line: bytes) -> bytes:
    """The value of a content line: after the first colon outside a quoted parameter value."""
    quoted = False
    for index, byte in enumerate(line):
        if byte == 0x22:  # "
            quoted = not quoted
        elif byte == 0x3A and not quoted:  # :
            return line[index + 1 :]
    return b""


@dataclass
class Calendar:
    """One VCALENDAR: its own property lines and time zones whole, and of its other components only what
    the first pass counts (`series`: UID key → [components, bytes]; the span of their starts)."""

    header: list[bytes] = field(default_factory=list)
    zones: list[Component] = field(default_factory=list)
    series: dict[bytes, list[int]] = field(default_factory=dict)
    first_start: datetime | None = None
    last_start: datetime | None = None


Part = tuple[str, "list[bytes] | Component | None"]


def parts(lines: Iterable[bytes], where: object) -> Iterator[Part]:
    """("calendar", None) at each BEGIN:VCALENDAR, then ("component", a Component) in the file's order,
    and ("end", the calendar's own property lines) at its END:VCALENDAR. Lines outside any calendar are
    passed over. ImportFormatError for a component over limits.CALENDAR_COMPONENT (and as much of the
    calendar's own lines), or for a calendar cut short."""
    header: list[bytes] = []
    component: Component | None = None
    depth = size = header_size = 0
    for number, line in enumerate(lines, 1):
        begins, ends = _BEGIN.match(line), _END.match(line)
        if depth == 0:
            if begins and begins[1].upper() == b"VCALENDAR":
                depth, header, header_size = 1, [], 0
                yield "calendar", None
            continue
        if depth == 1 and begins:
            component, size = Component(begins[1].upper(), [], number), 0
        if component is not None:
            size += len(line)
            if size > limits.CALENDAR_COMPONENT:
                raise limits.too_large(where, f"a {component.name.decode()}", component.line, limits.CALENDAR_COMPONENT)
            component.lines.append(line)
        elif not ends:
            header_size += len(line)
            if header_size > limits.CALENDAR_COMPONENT:
                raise limits.too_large(where, "a calendar's own properties", number, limits.CALENDAR_COMPONENT)
            header.append(line)
        depth += 1 if begins else -1 if ends else 0
        if depth == 1 and ends and component is not None:
            yield "component", component
            component = None
        elif depth == 0:
            yield "end", header
    if depth:
        raise ImportFormatError(where, CORRUPT)


def outline(lines: Iterable[bytes], where: object) -> list[Calendar]:
    """The first pass over iCalendar data: its calendars' outlines (see the module's docstring)."""
    calendars: list[Calendar] = []
    components = 0
    for kind, part in parts(lines, where):
        if kind == "calendar":
            calendars.append(Calendar())
        elif kind == "end" and isinstance(part, list):
            calendars[-1].header = part
        elif isinstance(part, Component):
            components += 1
            if components > limits.CALENDAR_COMPONENTS:
                raise ImportFormatError(
                    where,
                    f"holds more than {limits.CALENDAR_COMPONENTS:,} events, more than any real calendar; "
                    "check that it is the right file",
                )
            _count(calendars[-1], part, where)
    return calendars


def _count(calendar: Calendar, component: Component, where: object) -> None:
    size = sum(len(line) for line in component.lines)
    if component.name == b"VTIMEZONE":
        calendar.zones.append(component)
        if sum(len(line) for zone in calendar.zones for line in zone.lines) > limits.CALENDAR_COMPONENT:
            raise limits.too_large(where, "time zones", component.line, limits.CALENDAR_COMPONENT)
        return
    if component.name != b"VEVENT":
        return
    counts = calendar.series.setdefault(component.key(), [0, 0])
    counts[0] += 1
    counts[1] += size
    if counts[1] > limits.CALENDAR_SERIES:
        raise limits.too_large(where, "a recurring series", component.line, limits.CALENDAR_SERIES)
    start = component.start()
    if start is not None:
        calendar.first_start = min(start, calendar.first_start or start)
        calendar.last_start = max(start, calendar.last_start or start)


def raw_lines(handle: IO[bytes], where: object) -> Iterator[bytes]:
    """The lines of iCalendar bytes without their line ends, a line longer than a component refused."""
    for number, raw in enumerate(limits.raw_lines(handle, limits.CALENDAR_COMPONENT, where, "calendar component")):
        yield from (raw if number else raw.lstrip(LEADING)).splitlines()
