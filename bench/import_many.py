"""One import command of many files: 1,000 WhatsApp chat exports (15,000 messages) into a home of 5,000
people and 150,000 interactions, then the same 1,000 files again.

The exports are Android "Export chat" files as a phone writes them: 700 one-to-one chats and 300 groups
of 3 to 8, their senders named as saved in the phone; 70 % of the chats are with people the home
already knows, the rest with new people. Goals (issue 20): the first import ≤ 5 s, the same files again
≤ 2 s. Each trial starts from a copy of the same home; every trial is printed, then the best.

    .venv/bin/python bench/import_many.py [--trials 3]
"""

from __future__ import annotations

import argparse
import random
import shutil
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from kithkin.config import Owner, Settings, save_settings
from kithkin.ingest import import_paths
from kithkin.workspace import Workspace
from relationships import PEOPLE, feed, friend, meetings, messages

OWNER = "Owner Person"
CHATS, GROUPS, MESSAGES_PER_CHAT, KNOWN_SHARE = 1_000, 300, 15, 0.7
START = datetime(2025, 1, 1, tzinfo=UTC)


def build_home(home: Path, rng: random.Random) -> tuple[int, int]:
    save_settings(home, Settings(owner=Owner(name=OWNER, phones=["+14155550100"])))
    with Workspace.open(home) as workspace:
        feed(workspace, "imessage", messages(rng, 148_000, START, "m"))
        feed(workspace, "calendar", meetings(rng, START))
        conn = workspace.conn
        return (
            conn.execute("SELECT COUNT(*) FROM people").fetchone()[0],
            conn.execute("SELECT COUNT(*) FROM interactions").fetchone()[0],
        )


def someone(rng: random.Random, chat: int, seat: int) -> str:
    if rng.random() < KNOWN_SHARE:
        return str(friend(rng.randrange(PEOPLE), "from").name)
    return f"New{chat}x{seat} Someone"


def write_exports(folder: Path, rng: random.Random) -> int:
    written = 0
    for chat in range(CHATS):
        members = [someone(rng, chat, seat) for seat in range(rng.randint(2, 7) if chat < GROUPS else 1)]
        when = START + timedelta(days=400 + chat % 200, hours=rng.randrange(8, 20))
        lines = [f"{when:%d/%m/%Y, %H:%M} - Messages and calls are end-to-end encrypted."]
        if chat < GROUPS:
            lines.append(f"{when:%d/%m/%Y, %H:%M} - {members[0]} created group \u201cGroup {chat}\u201d")
        for n in range(MESSAGES_PER_CHAT):
            when += timedelta(minutes=rng.randrange(1, 300))
            sender = OWNER if n % 3 == 1 else rng.choice(members)
            lines.append(f"{when:%d/%m/%Y, %H:%M} - {sender}: message {n} in chat {chat}")
            written += 1
        title = f"Group {chat}" if chat < GROUPS else members[0]
        (folder / f"WhatsApp Chat with {title} {chat}.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return written


def timed_import(home: Path, folder: Path) -> tuple[float, int, int]:
    with Workspace.open(home) as workspace:
        began = time.perf_counter()
        summary = import_paths(workspace, "whatsapp", [folder])
        return time.perf_counter() - began, summary.files, summary.interactions


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--trials", type=int, default=3)
    args = parser.parse_args()
    rng = random.Random(20)
    with tempfile.TemporaryDirectory() as scratch:
        base, exports = Path(scratch) / "home", Path(scratch) / "exports"
        exports.mkdir()
        began = time.perf_counter()
        people, interactions = build_home(base, rng)
        written = write_exports(exports, rng)
        print(
            f"home: {people:,} people, {interactions:,} interactions; {CHATS:,} exports, {written:,} messages "
            f"(built in {time.perf_counter() - began:.0f} s)"
        )
        firsts, agains = [], []
        for trial in range(1, args.trials + 1):
            home = Path(scratch) / f"trial{trial}"
            shutil.copytree(base, home)
            first, files, added = timed_import(home, exports)
            again, _, added_again = timed_import(home, exports)
            firsts.append(first)
            agains.append(again)
            print(
                f"trial {trial}: first {first:.2f} s ({files:,} files, {added:,} interactions), "
                f"again {again:.2f} s ({added_again} interactions)"
            )
            shutil.rmtree(home)
    print(f"first import of {CHATS:,} files: best {min(firsts):.2f} s (goal ≤ 5 s)")
    print(f"the same files again: best {min(agains):.2f} s (goal ≤ 2 s)")


if __name__ == "__main__":
    main()
