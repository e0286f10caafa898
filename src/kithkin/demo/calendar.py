"""Demo calendar: a real .ics (written with `icalendar`) of meetings with the owner's colleagues.

It holds one-off meetings, a weekly team series with a moved instance, a cancelled instance and a
declined attendee, an all-day offsite, and times in the owner's zone (a VTIMEZONE plus Google's
X-WR-TIMEZONE), as Google Calendar exports them.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from icalendar import Calendar, Event, Timezone, vCalAddress

from kithkin.demo.cast import Cast, DemoPerson

SOURCE = "calendar"
ORDER = 45
ZONE = "America/Los_Angeles"
TOPICS = ["Project sync", "1:1", "Design review", "Coffee chat", "Planning", "Customer call", "Retro"]


def _address(name: str, email: str, role: str, partstat: str | None = None) -> vCalAddress:
    address = vCalAddress(f"mailto:{email}")
    address.params["CN"] = name
    if role == "attendee":
        address.params["ROLE"] = "REQ-PARTICIPANT"
        address.params["PARTSTAT"] = partstat or "ACCEPTED"
    return address


def _event(uid: str, start: datetime, minutes: int, summary: str) -> Event:
    event = Event()
    event.add("uid", uid)
    event.add("dtstamp", start)
    event.add("dtstart", start)
    event.add("dtend", start + timedelta(minutes=minutes))
    event.add("summary", summary)
    return event


def _invite(
    event: Event, owner: tuple[str, str], organiser: tuple[str, str], guests: list[tuple[str, str, str]]
) -> None:
    event.add("organizer", _address(*organiser, role="organizer"))
    for name, email, partstat in [(owner[0], owner[1], "ACCEPTED"), *guests]:
        event.add("attendee", _address(name, email, "attendee", partstat))


def _work_contact(person: DemoPerson) -> tuple[str, str]:
    return (person.name, person.work_email or "")


def write(cast: Cast, folder: Path) -> list[Path]:
    rng = cast.rng
    zone = ZoneInfo(ZONE)
    owner = (cast.owner["name"], cast.owner["email"])
    calendar = Calendar()
    calendar.add("prodid", "-//Google Inc//Google Calendar 70.9054//EN")
    calendar.add("version", "2.0")
    calendar.add("x-wr-calname", "Work")
    calendar.add("x-wr-timezone", ZONE)
    calendar.add_component(Timezone.from_tzid(ZONE))
    colleagues = [p for p in cast.people if p.work_email]
    local_now = cast.now.astimezone(zone).replace(minute=0, second=0)

    for index, person in enumerate(p for p in colleagues if p.closeness >= 0.05):
        for moment in cast.moments(person, 1 + int(person.closeness * 5), days=300):
            start = moment.astimezone(zone).replace(hour=rng.randint(9, 16), minute=rng.choice([0, 30]), second=0)
            event = _event(f"demo-{index}-{int(start.timestamp())}@google.com", start, 30, rng.choice(TOPICS))
            others = [(*_work_contact(p), "ACCEPTED") for p in rng.sample(colleagues, rng.randint(0, 2))]
            organiser = owner if rng.random() < 0.5 else _work_contact(person)
            _invite(event, owner, organiser, [(*_work_contact(person), "ACCEPTED"), *others])
            calendar.add_component(event)

    team = [p for p in colleagues if p.company == colleagues[0].company][:6] or colleagues[:6]
    first = (local_now - timedelta(weeks=20)).replace(hour=10)
    first -= timedelta(days=first.weekday())  # Mondays
    series = _event("team-weekly@google.com", first, 30, "Team weekly")
    series.add("rrule", {"freq": "weekly", "count": 30})
    declined = team[-1]
    _invite(
        series,
        owner,
        _work_contact(team[0]),
        [(*_work_contact(p), "ACCEPTED") for p in team[:-1]] + [(*_work_contact(declined), "DECLINED")],
    )
    calendar.add_component(series)
    moved_from = first + timedelta(weeks=4)
    moved = _event("team-weekly@google.com", moved_from + timedelta(days=1), 30, "Team weekly (moved to Tuesday)")
    moved.add("recurrence-id", moved_from)
    _invite(moved, owner, _work_contact(team[0]), [(*_work_contact(p), "ACCEPTED") for p in team[:-1]])
    calendar.add_component(moved)
    cancelled = _event("team-weekly@google.com", first + timedelta(weeks=6), 30, "Team weekly")
    cancelled.add("recurrence-id", first + timedelta(weeks=6))
    cancelled.add("status", "CANCELLED")
    calendar.add_component(cancelled)

    offsite = Event()
    offsite.add("uid", "offsite@google.com")
    offsite.add("dtstamp", cast.now)
    offsite_day = (local_now - timedelta(days=45)).date()
    offsite.add("dtstart", offsite_day)
    offsite.add("dtend", offsite_day + timedelta(days=1))
    offsite.add("summary", "Team offsite")
    offsite.add("location", "Half Moon Bay")
    _invite(offsite, owner, owner, [(*_work_contact(p), "ACCEPTED") for p in team])
    calendar.add_component(offsite)

    path = folder / "work.ics"
    path.write_bytes(calendar.to_ical())
    return [path]
