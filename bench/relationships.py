"""Relationship inference speed: 5,000 people, 150,000 interactions (1:1 and group chats, mail
threads) and 2,000 meetings of 3 to 40 people.

Prints the time of a full recomputation (goal ≤ 10 s) and of the incremental update that follows a
1,000-message import (goal ≤ 1 s), and the import's own time for scale.
"""

from __future__ import annotations

import random
import tempfile
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

from kithkin.ingest import ingest
from kithkin.insight.relationships import recompute_all, update_for_interactions
from kithkin.models import Identity, ImportSummary, Observation
from kithkin.store import db
from kithkin.workspace import Workspace

PEOPLE, MESSAGES, MEETINGS, GROUPS = 5_000, 148_000, 2_000, 300


def friend(n: int, role: str) -> Identity:
    return Identity(source_id=f"+1415{n:07d}", name=f"Friend{n} Person{n % 89}", phones=(f"+1415{n:07d}",), role=role)


class Stream:
    def __init__(self, source_type: str, observations: list[Observation]) -> None:
        self.source_type, self.observations, self.done = source_type, observations, 0

    def sniff(self, path: Path) -> bool:
        return True

    def read(self, path: Path, cursor: str | None) -> Iterator[Observation]:
        for item in self.observations:
            self.done += 1
            yield item

    def cursor(self) -> str | None:
        return str(self.done)


def messages(rng: random.Random, count: int, start: datetime, prefix: str) -> list[Observation]:
    groups = [rng.sample(range(PEOPLE), rng.randint(3, 12)) for _ in range(GROUPS)]
    found = []
    for i in range(count):
        when = start + timedelta(minutes=i)
        if rng.random() < 0.25:
            group = rng.randrange(GROUPS)
            members = groups[group]
            author = rng.choice(members)
            people = [friend(author, "from"), *(friend(m, "member") for m in members if m != author)]
            found.append(
                Observation(
                    source_id=f"{prefix}{i}",
                    kind="message",
                    occurred_at=when,
                    participants=people,
                    thread_id=f"group{group}",
                    context=f"Group {group}",
                )
            )
        else:
            found.append(
                Observation(
                    source_id=f"{prefix}{i}",
                    kind="message",
                    occurred_at=when,
                    participants=[friend(rng.randrange(PEOPLE), "from")],
                    thread_id=f"dm{i % 4000}",
                )
            )
    return found


def meetings(rng: random.Random, start: datetime) -> list[Observation]:
    return [
        Observation(
            source_id=f"meet{i}",
            kind="meeting",
            occurred_at=start + timedelta(hours=i),
            participants=[friend(m, "attendee") for m in rng.sample(range(PEOPLE), rng.randint(3, 40))],
            title=f"Meeting {i}",
        )
        for i in range(MEETINGS)
    ]


def feed(workspace: Workspace, source: str, observations: list[Observation]) -> ImportSummary:
    stream = Stream(source, observations)
    summary = ImportSummary(source=source)
    ingest(workspace, stream, stream.read(Path("."), None), summary)
    return summary


def main() -> None:
    rng = random.Random(5)
    start = datetime(2025, 1, 1, tzinfo=UTC)
    with tempfile.TemporaryDirectory() as folder, Workspace.open(Path(folder)) as workspace:
        began = time.perf_counter()
        feed(workspace, "imessage", messages(rng, MESSAGES, start, "m"))
        feed(workspace, "calendar", meetings(rng, start))
        built = time.perf_counter() - began
        conn = workspace.conn
        interactions = conn.execute("SELECT COUNT(*) FROM interactions").fetchone()[0]
        people = conn.execute("SELECT COUNT(*) FROM people").fetchone()[0]
        began = time.perf_counter()
        with db.transaction(conn):
            pairs = recompute_all(conn, workspace.settings)
        full = time.perf_counter() - began
        rows = conn.execute("SELECT COUNT(*) FROM relationships").fetchone()[0]

        fresh = messages(rng, 1_000, start + timedelta(days=400), "new")
        began = time.perf_counter()
        summary = feed(workspace, "imessage", fresh)
        imported = time.perf_counter() - began
        new_ids = [r[0] for r in conn.execute("SELECT id FROM interactions WHERE source_id LIKE 'new%'")]
        with db.transaction(conn):
            conn.execute("SAVEPOINT measure")
            began = time.perf_counter()
            updated = update_for_interactions(conn, workspace.settings, new_ids)
            incremental = time.perf_counter() - began
            conn.execute("ROLLBACK TO measure")  # it already ran inside the import; measured alone here
    print(f"data: {people:,} people, {interactions:,} interactions ({MEETINGS:,} meetings), built in {built:.1f} s")
    print(f"full recomputation: {full:.2f} s (goal ≤ 10 s), {pairs:,} pair updates, {rows:,} relationships")
    print(
        f"incremental update for a 1,000-message import: {incremental:.3f} s (goal ≤ 1 s), {updated:,} pairs;"
        f" the whole import with it: {imported:.2f} s ({summary.interactions:,} interactions)"
    )


if __name__ == "__main__":
    main()
