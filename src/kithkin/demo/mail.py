"""Demo mail: a real mbox (written by the standard library's `mailbox`) with work and personal threads.

Work threads run between the owner's work address and colleagues, with teammates on Cc; personal
ones use the owner's personal address. Names go through `formataddr`, so "Last, First" forms are
quoted and accented names RFC 2047 encoded, as mail clients send them. A club mailing list and a
no-reply newsletter are in there too: the importer keeps them out of people.
"""

from __future__ import annotations

import mailbox
from datetime import datetime, timedelta
from email.message import EmailMessage
from email.utils import format_datetime, formataddr
from pathlib import Path

from kithkin.demo.cast import Cast, DemoPerson

SOURCE = "mail"
ORDER = 40

SUBJECTS_WORK = ["Roadmap review", "Q3 numbers", "Design critique", "Hiring loop", "Launch checklist", "Offsite plan"]
SUBJECTS_PERSONAL = ["Dinner Saturday?", "Photos from the trip", "Birthday plans", "Climbing this week?", "Book swap"]
BODIES = [
    "Thanks for the notes, I've folded them in. Can we go over the open points tomorrow?",
    "Sounds good to me. I'll send the draft by Friday.",
    "Attaching the latest version. Shout if anything looks off.",
    "Great catching up today! Let's not leave it so long next time.",
    "Could you take a look before the meeting? Mostly small changes.",
]


class _Writer:
    def __init__(self, cast: Cast, path: Path) -> None:
        self.cast = cast
        self.box = mailbox.mbox(path, create=True)
        self.count = 0

    def add(
        self,
        sender: tuple[str, str],
        to: list[tuple[str, str]],
        moment: datetime,
        subject: str,
        *,
        cc: list[tuple[str, str]] | None = None,
        parent: EmailMessage | None = None,
        root: EmailMessage | None = None,
        headers: dict[str, str] | None = None,
    ) -> EmailMessage:
        self.count += 1
        message = EmailMessage()
        message["From"] = formataddr(sender)
        message["To"] = ", ".join(formataddr(a) for a in to)
        if cc:
            message["Cc"] = ", ".join(formataddr(a) for a in cc)
        message["Subject"] = subject
        message["Date"] = format_datetime(moment)
        message["Message-ID"] = f"<demo.{self.count}.{int(moment.timestamp())}@mail.demo.example>"
        if parent is not None and root is not None:
            message["In-Reply-To"] = parent["Message-ID"]
            message["References"] = f"{root['Message-ID']} {parent['Message-ID']}"
        for name, value in (headers or {}).items():
            message[name] = value
        message.set_content(self.cast.rng.choice(BODIES) + "\n")
        entry = mailbox.mboxMessage(message)
        entry.set_from(sender[1], moment.utctimetuple())
        self.box.add(entry)
        return message

    def thread(
        self,
        owner: tuple[str, str],
        other: tuple[str, str],
        moment: datetime,
        subject: str,
        cc: list[tuple[str, str]],
    ) -> None:
        """A conversation of one to four messages, alternating between the other person and the owner."""
        first = self.add(other, [owner], moment, subject, cc=cc)
        parent = first
        for turn in range(self.cast.rng.randint(0, 3)):
            moment += timedelta(hours=self.cast.rng.randint(1, 30))
            if moment > self.cast.now:
                break
            sender, recipient = (owner, other) if turn % 2 == 0 else (other, owner)
            parent = self.add(sender, [recipient], moment, f"Re: {subject}", cc=cc, parent=parent, root=first)


def _address(person: DemoPerson, work: bool) -> tuple[str, str] | None:
    email = person.work_email if work else person.personal_email
    if not email:
        return None
    # Some corporate directories show "Last, First": mail carries it quoted.
    name = f"{person.last}, {person.first}" if work and person.key.endswith("3") else person.name
    return (name, email)


def write(cast: Cast, folder: Path) -> list[Path]:
    path = folder / "mail.mbox"
    path.unlink(missing_ok=True)
    writer = _Writer(cast, path)
    rng = cast.rng
    owner_work = (cast.owner["name"], cast.owner["email"])
    owner_personal = (cast.owner["name"], cast.owner["personal_email"])
    for person in cast.people:
        if person.closeness < 0.08:
            continue
        for work in (True, False):
            other = _address(person, work)
            if other is None:
                continue
            teammates = [p for p in cast.people if work and p.company == person.company and p is not person]
            for moment in cast.moments(person, 1 + int(person.closeness * 6), days=540):
                cc = [a for a in (_address(p, True) for p in rng.sample(teammates, min(2, len(teammates)))) if a]
                subject = rng.choice(SUBJECTS_WORK if work else SUBJECTS_PERSONAL)
                writer.thread(owner_work if work else owner_personal, other, moment, subject, cc if work else [])
    club = [p for p in cast.circle("climbing club") if p.personal_email][:6]
    for index, member in enumerate(club):
        writer.add(
            (member.name, member.personal_email or ""),
            [("Climbing Club", "club@lists.climbing.example")],
            cast.now - timedelta(days=7 * index + 2),
            "[club] Saturday session",
            headers={"List-Id": "Climbing Club <club.lists.climbing.example>", "Precedence": "list"},
        )
    for week in range(8):
        writer.add(
            ("Northwind Weekly", "no-reply@news.northwind.example"),
            [owner_work],
            cast.now - timedelta(days=7 * week + 1),
            "This week at Northwind",
        )
    writer.box.flush()
    writer.box.close()
    return [path]
