"""A long import to be killed: `python -m tests.kill_worker HOME [--die-before-derived]`. Deterministic data,
small batches. With `--die-before-derived` the process SIGKILLs itself once every batch is stored, just
before the import derives strengths and facts: the worst moment for derived data."""

from __future__ import annotations

import os
import signal
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

from kithkin import ingest as ingest_module
from kithkin.ingest import ingest
from kithkin.models import Identity, ImportSummary, Observation
from kithkin.workspace import Workspace
from tests.helpers import ListImporter

MESSAGES = 6000
PEOPLE = 400


def observations() -> list[Observation]:
    start = datetime(2024, 1, 1, tzinfo=UTC)
    found = []
    for i in range(MESSAGES):
        who = i % PEOPLE
        sender = Identity(
            source_id=f"p{who}@x.org", name=f"Person{who} Family{who % 37}", emails=(f"p{who}@x.org",), role="from"
        )
        friend = Identity(
            source_id=f"p{(who * 7) % PEOPLE}@x.org",
            name=f"Person{(who * 7) % PEOPLE} Family{(who * 7) % PEOPLE % 37}",
            emails=(f"p{(who * 7) % PEOPLE}@x.org",),
            role="cc",
        )
        found.append(
            Observation(
                source_id=f"m{i}",
                kind="email",
                occurred_at=start + timedelta(minutes=i),
                participants=[sender, friend],
                thread_id=f"t{i // 4}",
                title=f"Subject {i}",
            )
        )
    return found


def main(home: Path, die_before_derived: bool) -> None:
    if die_before_derived:
        ingest_module.finish_import = lambda *_: os.kill(os.getpid(), signal.SIGKILL)
    with Workspace.open(home) as workspace:
        importer = ListImporter("mail", observations())
        summary = ImportSummary(source="mail")
        cursor_key = ("mail", "kill-test")
        from kithkin.store import sources

        start = sources.get_cursor(workspace.conn, *cursor_key)
        importer.yielded = int(start or 0)
        ingest(
            workspace,
            importer,
            importer.read(Path("."), start),
            summary,
            cursor_key=cursor_key,
            batch_size=250,
            progress=lambda done, _total: print(f"batch {done}", flush=True),
        )
        print("done", flush=True)


if __name__ == "__main__":
    main(Path(sys.argv[1]), "--die-before-derived" in sys.argv[2:])
