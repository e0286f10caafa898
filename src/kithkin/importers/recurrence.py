"""Which recurring calendar series are expanded into occurrences, and which are kept as one series.

A 340-byte event with `RRULE:FREQ=SECONDLY` expands to 31 million occurrences a year (measured before
this check: past 6 GB and 300 s). No meeting recurs more often than daily, so a rule that does (a
sub-daily frequency, or several hours, minutes or seconds a day) is stored once, at its first start,
with a note saying why, never expanded. So is a series with more occurrences than MAX_OCCURRENCES, and
any series that would take its calendar past MAX_TOTAL: expansion holds every occurrence in memory
(a few kB each), so both bound what one file can cost.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from datetime import UTC, date, datetime

import icalendar
from dateutil.rrule import rrulestr

# A daily meeting for 13 years; a file's history runs from its first event to a year ahead.
MAX_OCCURRENCES = 5_000
# A busy work calendar of ten years (8 meetings a working day) holds ~20,000 occurrences.
MAX_TOTAL = 100_000
SUB_DAILY = ("SECONDLY", "MINUTELY", "HOURLY")
_KEPT = "kept as one series, not expanded"


@dataclass
class Budget:
    """The occurrences a calendar's series expanded so far (a large file is expanded batch by batch)."""

    total: int = 0


def not_expanded(
    series: dict[str, list[icalendar.Event]], start: datetime, end: datetime, budget: Budget | None = None
) -> dict[str, str]:
    """The series (by UID: a master and its overrides) not to expand between `start` and `end`, each with
    why, counting what the others will expand into `budget` (MAX_TOTAL bounds it). A series whose rule
    cannot be read is left to the expansion, which reports it."""
    notes: dict[str, str] = {}
    budget = budget or Budget()
    total = budget.total
    for uid, events in series.items():
        try:
            note, expected = _judge(events, start, end)
        except ValueError:  # icalendar raises on reading a broken RRULE or RDATE
            continue
        if note is None and total + expected > MAX_TOTAL:
            note = f"would take the calendar past {MAX_TOTAL:,} occurrences; {_KEPT}"
        if note is None:
            total += expected
        else:
            notes[uid] = note
    budget.total = total
    return notes


def _judge(events: list[icalendar.Event], start: datetime, end: datetime) -> tuple[str | None, int]:
    """(why not to expand or None, how many occurrences expanding would make at most)."""
    expected = 0
    for event in events:
        rules = event.get("RRULE") or []
        for rule in rules if isinstance(rules, list) else [rules]:
            frequency = str((rule.get("FREQ") or [""])[0]).upper()
            if frequency in SUB_DAILY:
                return f"repeats {frequency.lower()}, more often than any meeting; {_KEPT}", 0
            per_day = 1
            for part in ("BYHOUR", "BYMINUTE", "BYSECOND"):
                per_day *= len(rule.get(part) or [0])
            if per_day > 1:
                return f"repeats {per_day:,} times a day, more often than any meeting; {_KEPT}", 0
            expected += _count(rule, event.get("DTSTART"), start, end)
        dates = event.get("RDATE") or []
        expected += sum(len(getattr(group, "dts", ())) for group in (dates if isinstance(dates, list) else [dates]))
        if expected > MAX_OCCURRENCES:
            return f"repeats more than {MAX_OCCURRENCES:,} times; {_KEPT}", expected
    return None, expected + len(events)


def _count(rule: icalendar.vRecur, dtstart: object, start: datetime, end: datetime) -> int:
    """How many occurrences of one at-most-daily rule fall between `start` and `end`, counted lazily and
    no further than one past the cap. A rule dateutil cannot read counts one a day (its upper bound)."""
    first = _naive_utc(getattr(dtstart, "dt", None))
    low, high = _naive_utc(start), _naive_utc(end)
    if first is None or low is None or high is None:
        return 0
    try:
        occurrences = rrulestr(rule.to_ical().decode(), dtstart=first, ignoretz=True)
        following = occurrences.xafter(max(low, first), count=MAX_OCCURRENCES + 1, inc=True)
        return sum(1 for _ in itertools.takewhile(lambda moment: moment <= high, following))
    except (ValueError, TypeError, OverflowError):
        return max(0, (high - max(low, first)).days + 1)


def _naive_utc(value: object) -> datetime | None:
    """A DTSTART or window edge as a naive UTC datetime (dates at midnight), comparable with each other."""
    if isinstance(value, datetime):
        return value.astimezone(UTC).replace(tzinfo=None) if value.tzinfo else value
    if isinstance(value, date):
        return datetime(value.year, value.month, value.day)
    return None
