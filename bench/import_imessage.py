"""iMessage import speed: a chat.db of 120,000 messages in 2,000 chats through `import_paths`.

Goals (issue 4): the import, resolution included, ≤ 5 s and ≤ 300 MB peak memory; a re-sync with
no new rows ≤ 0.5 s. The import runs in a fresh interpreter so its peak RSS is its own.
Run: `.venv/bin/python bench/import_imessage.py` (add `--profile` for the top functions).
"""

from __future__ import annotations

import cProfile
import json
import pstats
import random
import resource
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from kithkin.config import Owner, Settings, save_settings
from kithkin.demo.imessage import ChatDb
from kithkin.ingest import import_paths
from kithkin.workspace import Workspace

MESSAGES = 120_000
CHATS = 2_000
GROUPS = 200  # of the chats; the rest are one-to-one
CONTACTS = 2_500
RUNS = 3
WORDS = [
    "lunch",
    "later",
    "call",
    "thanks",
    "see",
    "you",
    "soon",
    "running",
    "late",
    "address",
    "game",
    "dinner",
    "tomorrow",
    "ok",
    "great",
]


def build(path: Path) -> None:
    """Half the messages carry their text only in attributedBody, as on recent macOS; 3 % are tapbacks."""
    rng = random.Random(4)
    db = ChatDb(path)
    addresses = [f"+1415{5550000 + i:07d}" if i % 3 else f"friend{i}@example.com" for i in range(CONTACTS)]
    chats: list[tuple[int, list[str]]] = []
    for index in range(CHATS):
        if index < GROUPS:
            members = rng.sample(addresses, rng.randint(3, 8))
            chats.append((db.chat(members, display_name=f"Group {index}"), members))
        else:
            member = addresses[index % CONTACTS]
            chats.append((db.chat([member]), [member]))
    start = datetime(2019, 1, 1, tzinfo=UTC)
    for index in range(MESSAGES):
        chat_id, members = chats[rng.randrange(CHATS)]
        moment = start + timedelta(seconds=index * 1500 + rng.randrange(600))
        sender = None if rng.random() < 0.45 else rng.choice(members)
        text = " ".join(rng.choices(WORDS, k=rng.randint(2, 12)))
        tapback = rng.random() < 0.03
        db.message(
            chat_id,
            sender,
            moment,
            text,
            body_only=rng.random() < 0.5,
            associated_type=2000 + rng.randrange(6) if tapback else 0,
        )
    db.close()


def run_import(chat_db: Path, home: Path, profile: bool) -> dict[str, float]:
    save_settings(home, Settings(owner=Owner(name="Bench Owner", emails=["me@example.org"], phones=["+14155550100"])))
    with Workspace.open(home) as workspace:
        profiler = cProfile.Profile() if profile else None
        started = time.perf_counter()
        if profiler:
            profiler.enable()
        summary = import_paths(workspace, "imessage", [chat_db])
        if profiler:
            profiler.disable()
        seconds = time.perf_counter() - started
        peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        started = time.perf_counter()
        again = import_paths(workspace, "imessage", [chat_db])
        resync = time.perf_counter() - started
    if profiler:
        pstats.Stats(profiler, stream=sys.stderr).sort_stats("cumulative").print_stats(35)
        pstats.Stats(profiler, stream=sys.stderr).sort_stats("tottime").print_stats(25)
    return {
        "seconds": seconds,
        "peak_mb": peak_mb,
        "resync_seconds": resync,
        "interactions": summary.interactions,
        "people_created": summary.people_created,
        "resync_interactions": again.interactions,
    }


def main() -> None:
    if len(sys.argv) >= 4 and sys.argv[1] == "--child":
        figures = run_import(Path(sys.argv[2]), Path(sys.argv[3]), profile="--profile" in sys.argv)
        print(json.dumps(figures))
        return
    with tempfile.TemporaryDirectory() as folder:
        chat_db = Path(folder) / "chat.db"
        started = time.perf_counter()
        build(chat_db)
        print(f"built chat.db: {MESSAGES:,} messages in {CHATS:,} chats in {time.perf_counter() - started:.1f} s")
        extra = ["--profile"] if "--profile" in sys.argv else []
        # This machine's speed wanders by ±20 % with its neighbours' load: the best of a few runs, each in
        # a fresh interpreter and a fresh home, is the import's own time.
        runs = []
        for run in range(1 if extra else RUNS):
            child = subprocess.run(
                [sys.executable, __file__, "--child", str(chat_db), str(Path(folder) / f"home{run}"), *extra],
                check=True,
                capture_output=True,
                text=True,
            )
            if extra:
                print(child.stderr)
            runs.append(json.loads(child.stdout.strip().splitlines()[-1]))
    figures = min(runs, key=lambda f: f["seconds"])
    shown = ", ".join(f"{f['seconds']:.2f}" for f in runs)
    print(
        f"import: {figures['seconds']:.2f} s best of {len(runs)} ({shown}) (goal ≤ 5 s), "
        f"{figures['interactions']:,.0f} interactions, {figures['people_created']:,.0f} people created"
    )
    print(f"peak memory: {max(f['peak_mb'] for f in runs):.0f} MB max RSS, the most of any run (goal ≤ 300 MB)")
    print(
        f"re-sync with no new rows: {figures['resync_seconds']:.3f} s (goal ≤ 0.5 s), "
        f"{figures['resync_interactions']:,.0f} interactions added"
    )


if __name__ == "__main__":
    main()
