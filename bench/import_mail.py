"""Mail and calendar import speed, end to end through the real importers and ingest into a fresh home.

Goals (issue 5): 10,000 messages from an mbox in ≤ 10 s; 2,000 events, 200 of them weekly recurring
series, in ≤ 3 s. Prints the figures: parse-only and full import (store, identity resolution, people).
"""

from __future__ import annotations

import random
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from kithkin.config import Owner, Settings, save_settings
from kithkin.importers.calendar import CalendarImporter
from kithkin.importers.mail import MboxImporter
from kithkin.ingest import import_paths
from kithkin.workspace import Workspace

MESSAGES = 10_000
EVENTS = 2_000
SERIES = 200
SERIES_WEEKS = 10  # each series: ten weekly meetings inside the window
CORRESPONDENTS = 800
NOW = datetime(2025, 6, 1, tzinfo=UTC)
OWNER = "me@example.org"


def people(rng: random.Random) -> list[tuple[str, str]]:
    first = ["Ana", "Ben", "Chloe", "David", "Elena", "Farid", "Grace", "Hiro", "Isabel", "Jonas", "Kemi", "Liam"]
    last = ["Okafor", "Lindqvist", "García", "Nakamura", "Smith", "Rossi", "Novak", "Dubois", "Khan", "Berg"]
    found = []
    for i in range(CORRESPONDENTS):
        name = f"{rng.choice(first)} {rng.choice(last)}"
        found.append((name, f"{name.split()[0].lower()}.{i}@{rng.choice(['gmail.com', 'acme.example'])}"))
    return found


def write_mbox(path: Path, rng: random.Random) -> None:
    cast = people(rng)
    lines = []
    for i in range(MESSAGES):
        name, address = rng.choice(cast)
        others = rng.sample(cast, rng.randint(0, 3))
        outgoing = rng.random() < 0.3
        sender, to = (f"Me <{OWNER}>", f'"{name}" <{address}>') if outgoing else (f'"{name}" <{address}>', OWNER)
        cc = ", ".join(f'"{n}" <{a}>' for n, a in others)
        moment = NOW - timedelta(minutes=37 * (MESSAGES - i))
        thread = i - i % 4
        lines.append(
            f"From {1790000000000000000 + i}@xxx {moment:%a %b %d %H:%M:%S +0000 %Y}\n"
            f"X-GM-THRID: {1700000000000000000 + thread}\n"
            f"X-Gmail-Labels: Inbox,Important\n"
            f"From: {sender}\nTo: {to}\n" + (f"Cc: {cc}\n" if cc else "") + f"Subject: Topic {thread}\n"
            f"Date: {moment:%a, %d %b %Y %H:%M:%S +0000}\nMessage-ID: <m{i}@bench.example>\n"
            "MIME-Version: 1.0\nContent-Type: text/plain; charset=utf-8\n\n"
            f"Hello {name.split()[0]},\n\nA few lines about topic {thread}, as real mail has.\n"
            "Let me know what you think.\n\n> quoted earlier text\n> more quoted text\n\n-- \nSignature\n\n"
        )
    path.write_text("".join(lines), encoding="utf-8")


def write_ics(path: Path, rng: random.Random) -> None:
    cast = people(rng)
    parts = ["BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//bench//EN\r\nX-WR-CALNAME:Work\r\n"]
    for i in range(EVENTS):
        start = NOW - timedelta(days=rng.randint(0, 600), hours=rng.randint(0, 9))
        attendees = rng.sample(cast, rng.randint(1, 6))
        rule = f"RRULE:FREQ=WEEKLY;COUNT={SERIES_WEEKS}\r\n" if i < SERIES else ""
        parts.append(
            f"BEGIN:VEVENT\r\nUID:event-{i}@bench.example\r\nDTSTAMP:20250101T000000Z\r\n"
            f"DTSTART:{start:%Y%m%dT%H%M00Z}\r\nDTEND:{start + timedelta(hours=1):%Y%m%dT%H%M00Z}\r\n{rule}"
            f"SUMMARY:Meeting {i}\r\nORGANIZER;CN=Me:mailto:{OWNER}\r\n"
            + "".join(f"ATTENDEE;CN={n};PARTSTAT=ACCEPTED:mailto:{a}\r\n" for n, a in attendees)
            + "END:VEVENT\r\n"
        )
    parts.append("END:VCALENDAR\r\n")
    path.write_text("".join(parts), encoding="utf-8")


def timed_import(home: Path, source: str, path: Path, importer: object) -> tuple[float, int]:
    with Workspace.open(home) as workspace:
        started = time.perf_counter()
        summary = import_paths(workspace, source, [path], importer=importer)  # type: ignore[arg-type]
        return time.perf_counter() - started, summary.interactions


def timed_parse(importer: MboxImporter | CalendarImporter, path: Path) -> tuple[float, int]:
    started = time.perf_counter()
    count = sum(1 for _ in importer.read(path, None))
    return time.perf_counter() - started, count


def main() -> None:
    rng = random.Random(5)
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        mbox, ics = root / "bench.mbox", root / "bench.ics"
        write_mbox(mbox, rng)
        write_ics(ics, rng)
        for name in ("mail-home", "calendar-home"):
            save_settings(root / name, Settings(owner=Owner(name="Me", emails=[OWNER])))

        parse_s, parsed = timed_parse(MboxImporter(), mbox)
        import_s, stored = timed_import(root / "mail-home", "mail", mbox, MboxImporter())
        size_mb = mbox.stat().st_size / 1e6
        print(f"mail: {MESSAGES:,} messages, {size_mb:.1f} MB mbox")
        print(f"  parse only:  {parse_s:6.2f} s  ({parsed / parse_s:,.0f} messages/s)")
        print(f"  full import: {import_s:6.2f} s  ({stored:,} interactions, {stored / import_s:,.0f}/s)  goal ≤ 10 s")

        calendar = CalendarImporter(now=NOW)
        parse_s, parsed = timed_parse(calendar, ics)
        import_s, stored = timed_import(root / "calendar-home", "calendar", ics, CalendarImporter(now=NOW))
        print(f"calendar: {EVENTS:,} events, {SERIES} weekly series of {SERIES_WEEKS} → {parsed:,} occurrences")
        print(f"  parse only:  {parse_s:6.2f} s  ({parsed / parse_s:,.0f} occurrences/s)")
        print(f"  full import: {import_s:6.2f} s  ({stored:,} meetings)  goal ≤ 3 s")


if __name__ == "__main__":
    main()
