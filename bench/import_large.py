"""Large LEGITIMATE exports (issue 18): each is read in bounded memory whatever its size. Goal: peak RSS
≤ 300 MB for every file, however large (the time grows with the size; only hostile files have a bound).

Built here, in the shapes the real tools write: a vCard 3.0 address book of 20,000 cards each with a
photo (folded base64, ~300 MB), an iCalendar file of ~100,000 events (~200 MB: Google-style
descriptions and attendees, a custom VTIMEZONE written after the events that use it, weekly series whose
overridden instances sit at the end of the file), a decade of one WhatsApp group chat (~300 MB, multi-line
messages among them) and a LinkedIn export zip (30,000 connections and ~100 MB of messages).

For each file, two figures, each in a process of its own: the importer alone reading every record
(`read`: what streaming costs), and the whole `kithkin import` into a fresh home (`import`: parsing,
identity resolution and storing). `--scale 0.1` builds files a tenth the size; `--only whatsapp,…` picks
formats; `--read-only` skips the imports (which take minutes at full size).
Run: `PYTHONPATH=src .venv/bin/python bench/import_large.py`.
"""

from __future__ import annotations

import argparse
import base64
import os
import random
import subprocess
import sys
import tempfile
import time
import zipfile
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path

LIMIT_MB = 300
MB = 1024 * 1024
NAMES = ["Ana Silva", "Bob Jones", "Chloé García", "Dmitri Volkov", "Eun-ji Park", "Farah Haddad", "Gus Olsen"]
GIVEN = ["Ana", "Bob", "Chloé", "Dmitri", "Eun-ji", "Farah", "Gus", "Hana", "Ivo", "Jun", "Kofi", "Lena", "Marta"]
SYLLABLES = ["ka", "lo", "mi", "ren", "sa", "tor", "vi", "ber", "dun", "gal", "hos", "nak", "pe", "qui", "zo"]
WORDS = [
    "the",
    "of",
    "meeting",
    "plan",
    "review",
    "budget",
    "team",
    "launch",
    "notes",
    "follow",
    "up",
    "quarter",
    "draft",
    "design",
    "call",
    "agenda",
]


def _sentence(rng: random.Random, words: int) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(words))


def _person(number: int) -> tuple[str, str]:
    """A given and a family name, the pair different for each number (as in a real address book)."""
    rng = random.Random(number)
    family = "".join(rng.choice(SYLLABLES) for _ in range(3)).capitalize()
    return rng.choice(GIVEN), family


def _fold(line: str, width: int = 75) -> str:
    """RFC 6350/5545 folding: lines of at most `width` characters, the rest on lines starting with a space."""
    parts = [line[:width]] + [" " + line[i : i + width - 1] for i in range(width, len(line), width - 1)]
    return "\r\n".join(parts) + "\r\n"


def vcards(path: Path, scale: float) -> int:
    rng = random.Random(1)
    cards = int(20_000 * scale)
    with path.open("w", encoding="utf-8", newline="") as out:
        for number in range(cards):
            given, family = _person(number)
            photo = base64.b64encode(rng.randbytes(11_000)).decode()
            out.write(
                "BEGIN:VCARD\r\nVERSION:3.0\r\n"
                f"N:{family};{given};;;\r\nFN:{given} {family}\r\n"
                f"ORG:Company {number % 700};Research\r\nTITLE:Engineer\r\n"
                f"EMAIL;TYPE=INTERNET;TYPE=WORK:{given.lower()}.{number}@example.org\r\n"
                f"TEL;TYPE=CELL:+1 415 555 {number % 10_000:04d}\r\n"
                f"NOTE:{_sentence(rng, 12)}\r\n"
                f"UID:card-{number}@bench\r\nREV:2024-03-0{number % 9 + 1}T10:00:00Z\r\n"
                + _fold(f"PHOTO;ENCODING=b;TYPE=JPEG:{photo}")
                + "END:VCARD\r\n"
            )
    return cards


BERLIN = (
    "BEGIN:VTIMEZONE\r\nTZID:Bench/Berlin\r\nBEGIN:STANDARD\r\nDTSTART:19701025T030000\r\n"
    "RRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU\r\nTZOFFSETFROM:+0200\r\nTZOFFSETTO:+0100\r\nEND:STANDARD\r\n"
    "BEGIN:DAYLIGHT\r\nDTSTART:19700329T020000\r\nRRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU\r\n"
    "TZOFFSETFROM:+0100\r\nTZOFFSETTO:+0200\r\nEND:DAYLIGHT\r\nEND:VTIMEZONE\r\n"
)


def _address(name: str) -> str:
    return name.lower().replace(" ", ".").replace("é", "e") + "@example.org"


def _event(rng: random.Random, uid: str, start: datetime, extra: str = "") -> str:
    # Colleagues: a work calendar meets a few hundred people.
    people = [" ".join(_person(n)) for n in rng.sample(range(300), rng.randint(2, 5))]
    attendees = "".join(
        _fold(f"ATTENDEE;CN={name};PARTSTAT=ACCEPTED;ROLE=REQ-PARTICIPANT:mailto:{_address(name)}")
        for name in people[1:]
    )
    description = (
        _sentence(rng, 150) + "\\n\\n-::~:~::~:~:~:~:~:~::-\\nJoin with Google Meet: https://meet.google.com/x"
    )
    return (
        "BEGIN:VEVENT\r\n"
        f"DTSTART;TZID=Bench/Berlin:{start:%Y%m%dT%H%M%S}\r\n"
        f"DTEND;TZID=Bench/Berlin:{start + timedelta(minutes=30):%Y%m%dT%H%M%S}\r\n"
        f"DTSTAMP:20240101T000000Z\r\nUID:{uid}\r\n{extra}"
        + _fold(f"ORGANIZER;CN={people[0]}:mailto:{_address(people[0])}")
        + attendees
        + _fold(f"DESCRIPTION:{description}")
        + f"LOCATION:Room {rng.randint(1, 40)}\r\nSUMMARY:{_sentence(rng, 4).title()}\r\nSTATUS:CONFIRMED\r\n"
        "END:VEVENT\r\n"
    )


def calendar(path: Path, scale: float) -> int:
    rng = random.Random(2)
    events = int(100_000 * scale)
    first = datetime(2014, 1, 6, 9, 0)
    overrides = []
    with path.open("w", encoding="utf-8", newline="") as out:
        out.write("BEGIN:VCALENDAR\r\nPRODID:-//Google Inc//Google Calendar 70.9054//EN\r\nVERSION:2.0\r\n")
        out.write("CALSCALE:GREGORIAN\r\nX-WR-CALNAME:Work\r\nX-WR-TIMEZONE:Europe/Berlin\r\n")
        for number in range(events):
            start = first + timedelta(hours=number * 3 // 2)
            uid = f"event-{number}@google.com"
            if number % 50 == 0:  # a weekly series of 20, its third instance moved an hour later
                out.write(_event(rng, uid, start, "RRULE:FREQ=WEEKLY;COUNT=20\r\n"))
                moved = start + timedelta(weeks=2)
                extra = f"RECURRENCE-ID;TZID=Bench/Berlin:{moved:%Y%m%dT%H%M%S}\r\n"
                overrides.append(_event(rng, uid, moved + timedelta(hours=1), extra))
            else:
                out.write(_event(rng, uid, start))
        out.writelines(overrides)
        out.write(BERLIN)  # RFC 5545 lets time zones come after the events that name them
        out.write("END:VCALENDAR\r\n")
    return events


def whatsapp(path: Path, scale: float) -> int:
    rng = random.Random(3)
    messages = int(3_600_000 * scale)
    moment = datetime(2014, 1, 1, 8, 0)
    step = timedelta(days=3650) / max(messages, 1)
    with path.open("w", encoding="utf-8", newline="") as out:
        out.write("01/01/2014, 08:00 - Messages and calls are end-to-end encrypted. Tap to learn more.\n")
        out.write(f'01/01/2014, 08:00 - {NAMES[0]} created group "Family"\n')
        for number in range(messages):
            moment += step
            text = _sentence(rng, rng.randint(3, 12))
            if number % 20 == 0:
                text += "\n" + _sentence(rng, 6) + "\n" + _sentence(rng, 4)
            elif number % 97 == 0:
                text = "<Media omitted>"
            out.write(f"{moment:%d/%m/%Y, %H:%M} - {NAMES[number % 5]}: {text}\n")
    return messages + 2


def linkedin(path: Path, scale: float) -> int:
    rng = random.Random(4)
    connections, messages = int(30_000 * scale), int(400_000 * scale)
    preamble = (
        '\ufeffNotes:\r\n"When exporting your connection data, you may notice that some of the email addresses '
        'are missing."\r\n\r\n'
    )
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        with archive.open("Basic_LinkedInDataExport/Connections.csv", "w", force_zip64=True) as member:
            member.write(
                (preamble + "First Name,Last Name,URL,Email Address,Company,Position,Connected On\r\n").encode()
            )
            for number in range(connections):
                given, family = _person(number)
                row = (
                    f'{given},{family},https://www.linkedin.com/in/p-{number},,"Company {number % 900}, Inc.",'
                    f'"Director, Research",{rng.randint(1, 28):02d} Mar 20{rng.randint(10, 24)}\r\n'
                )
                member.write(row.encode())
        with archive.open("Basic_LinkedInDataExport/messages.csv", "w", force_zip64=True) as member:
            member.write(
                b"CONVERSATION ID,CONVERSATION TITLE,FROM,SENDER PROFILE URL,TO,RECIPIENT PROFILE URLS,DATE,"
                b"SUBJECT,CONTENT,FOLDER,IS MESSAGE DRAFT\r\n"
            )
            for number in range(messages):
                other = number % max(connections, 1)
                mine = number % 2 == 0
                name = " ".join(_person(other))
                sender, to = ("Sam Owner", name) if mine else (name, "Sam Owner")
                urls = ("sam-owner", f"p-{other}") if mine else (f"p-{other}", "sam-owner")
                row = (
                    f"2-{other:06d}=,,{sender},https://www.linkedin.com/in/{urls[0]},{to},"
                    f"https://www.linkedin.com/in/{urls[1]},2023-{number % 12 + 1:02d}-{number % 28 + 1:02d} "
                    f'10:{number % 60:02d}:00 UTC,,"{_sentence(rng, 20)},\n{_sentence(rng, 8)}",INBOX,No\r\n'
                )
                member.write(row.encode())
    return connections + messages


FORMATS: dict[str, tuple[str, str, Callable[[Path, float], int]]] = {
    "contacts": ("contacts", "address-book.vcf", vcards),
    "calendar": ("calendar", "work.ics", calendar),
    "whatsapp": ("whatsapp", "WhatsApp Chat with Family.txt", whatsapp),
    "linkedin": ("linkedin", "Basic_LinkedInDataExport.zip", linkedin),
}

READ_ONLY = """
import sys
from pathlib import Path
from kithkin.importers import get_importer
reader = get_importer(sys.argv[1])
items = problems = 0
for item in reader.read(Path(sys.argv[2]), None):
    items += 1
    problems += isinstance(item, Exception)
print(items, problems)
"""


def measure(command: list[str]) -> tuple[float, float, int, str, str]:
    """(seconds, peak RSS MB, exit code, stdout, stderr) of a command in a process of its own."""
    started = time.perf_counter()
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        child = subprocess.Popen(command, stdout=out, stderr=err)
        _, status, usage = os.wait4(child.pid, 0)
        seconds = time.perf_counter() - started
        out.seek(0)
        err.seek(0)
        return (
            seconds,
            usage.ru_maxrss / 1024,
            os.waitstatus_to_exitcode(status),
            out.read().decode("utf-8", "replace"),
            err.read().decode("utf-8", "replace"),
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=1.0, help="size of the files (1.0: the sizes above)")
    parser.add_argument("--only", default=",".join(FORMATS), help="formats, comma-separated")
    parser.add_argument("--read-only", action="store_true", help="measure the importers alone, no import")
    args = parser.parse_args()
    print(f"load average {os.getloadavg()[0]:.2f} {os.getloadavg()[1]:.2f} {os.getloadavg()[2]:.2f}")
    print(f"{'':4} {'file':32} {'MB':>6} {'records':>9}  {'read s':>7} {'read MB':>7}  {'import s':>8} {'peak MB':>7}")
    worst = 0.0
    with tempfile.TemporaryDirectory() as scratch:
        for name in args.only.split(","):
            source, file_name, build = FORMATS[name]
            path = Path(scratch) / file_name
            records = build(path, args.scale)
            size = path.stat().st_size / MB
            read_s, read_mb, code, out, err = measure([sys.executable, "-c", READ_ONLY, source, str(path)])
            ok = code == 0 and read_mb <= LIMIT_MB
            said = out.strip() if code == 0 else err.strip().splitlines()[-1]
            import_s = import_mb = 0.0
            if not args.read_only:
                home = Path(scratch) / f"home-{name}"
                import_s, import_mb, code, _, err = measure(
                    [sys.executable, "-m", "kithkin", "import", source, str(path), "--home", str(home), "--json"]
                )
                ok = ok and code == 0 and import_mb <= LIMIT_MB
                said += "" if code == 0 else f"; import failed: {err.strip().splitlines()[-1]}"
            worst = max(worst, read_mb, import_mb)
            print(
                f"{'ok' if ok else 'FAIL':4} {file_name[:32]:32} {size:6.0f} {records:9,}  {read_s:7.1f} {read_mb:7.0f}"
                f"  {import_s:8.1f} {import_mb:7.0f}  (read: items, problems = {said})"
            )
            path.unlink()
    print(f"worst peak RSS {worst:.0f} MB (goal ≤ {LIMIT_MB} MB whatever the size)")
    print(f"load average {os.getloadavg()[0]:.2f} {os.getloadavg()[1]:.2f} {os.getloadavg()[2]:.2f}")


if __name__ == "__main__":
    main()
