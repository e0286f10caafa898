"""Mixed read load with 50 concurrent clients on loopback while a large import writes, and a user's
writes meanwhile: note edits, link confirmations and their undo.

Prints requests/s, p50/p95/p99 latency and the error count (goal: 0 errors) for the reads, and for
each kind of write its p50/p95/max (goal, issue 18: p95 ≤ 500 ms and max ≤ 2 s while the import runs).
The server, the import and the writers each run in their own process, as they would for a user; the
readers are asyncio tasks of this one.
"""

from __future__ import annotations

import asyncio
import random
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx

from common import start_server
from kithkin.ingest import ingest
from kithkin.models import Identity, ImportSummary, Observation
from kithkin.store import db, links, sources
from kithkin.workspace import Workspace

CLIENTS = 50
WRITERS = 4  # a person clicking through the review queue and editing notes, a few tabs open
WRITER_PAUSE = 0.2  # seconds between one writer's requests
PENDING = 400
WRITES_ALONE_SECONDS = 10
SEED_MESSAGES, SEED_PEOPLE = 40_000, 2_000
IMPORT_MESSAGES, IMPORT_PEOPLE = 600_000, 3_000  # long enough to outlast both phases, the machine quiet or not


class Messages:
    """An importer yielding synthetic iMessage-like messages (the load, not the parsing, is measured)."""

    source_type = "imessage"

    def __init__(self, prefix: str, count: int, people: int) -> None:
        self.prefix, self.count, self.people, self.done = prefix, count, people, 0

    def sniff(self, path: Path) -> bool:
        return True

    def read(self, path: Path, cursor: str | None) -> Iterator[Observation]:
        start = datetime(2025, 1, 1, tzinfo=UTC)
        for i in range(self.count):
            who = i % self.people
            self.done += 1
            yield Observation(
                source_id=f"{self.prefix}{i}",
                kind="message",
                occurred_at=start + timedelta(seconds=i * 30),
                participants=[
                    Identity(
                        source_id=f"+1415{who:07d}",
                        name=f"Friend{who} Person{who % 97}",
                        phones=(f"+1415{who:07d}",),
                        role="from",
                    )
                ],
                snippet="see you soon",
            )

    def cursor(self) -> str | None:
        return str(self.done)


def run_import(home: str, prefix: str, count: int, people: int) -> None:
    with Workspace.open(Path(home)) as workspace:
        importer = Messages(prefix, count, people)
        ingest(workspace, importer, importer.read(Path("."), None), ImportSummary(source="imessage"))


def stored_messages(home: Path) -> int:
    with Workspace.open(home) as workspace:
        return workspace.conn.execute("SELECT COUNT(*) FROM interactions").fetchone()[0]


async def client(base: str, ids: list[str], stop: float, latencies: list[float], errors: list[str]) -> None:
    rng = random.Random()
    async with httpx.AsyncClient(base_url=base, timeout=60) as http:
        while time.perf_counter() < stop:
            person = rng.choice(ids)
            request = rng.choice(
                [
                    ("/api/crm/people", {"limit": 50, "sort": "strength"}),
                    ("/api/crm/people", {"q": f"friend{rng.randrange(2000)}", "limit": 20}),
                    (f"/api/crm/people/{person}", None),
                    ("/api/crm/statistics", None),
                    ("/api/crm/pending-links", {"limit": 20}),
                ]
            )
            began = time.perf_counter()
            try:
                response = await http.get(request[0], params=request[1])
                if response.status_code >= 400 and response.status_code != 404:
                    errors.append(f"{request[0]}: {response.status_code}")
            except httpx.HTTPError as exc:
                errors.append(f"{request[0]}: {exc.__class__.__name__}")
            latencies.append(time.perf_counter() - began)


def propose_links(home: Path) -> list[str]:
    """Pending links for the writers to confirm: an entity of one seeded person proposed as another.
    Returns the people proposed away: a confirmation removes them (until its undo)."""
    with Workspace.open(home) as workspace, db.transaction(workspace.conn):
        conn = workspace.conn
        people = [r[0] for r in conn.execute("SELECT id FROM people ORDER BY id LIMIT ?", (PENDING * 2,))]
        for entity, proposed in zip(people[::2], people[1::2], strict=True):
            entity_id = sources.entities_of_people(conn, [entity])[0]["id"]
            links.create_pending_link(
                conn,
                source_entity_id=entity_id,
                proposed_person_id=proposed,
                previous_person_id=entity,
                reason="name",
                confidence=0.7,
            )
    return people[::2]


async def writer(
    base: str, ids: list[str], queue: list[str], stop: float, timings: dict[str, list[float]], errors: list[str]
) -> None:
    """Edit a note, or confirm a pending link and undo that decision, in turn, pausing between requests."""
    rng = random.Random()

    async def timed(kind: str, method: str, url: str, **kwargs: object) -> httpx.Response | None:
        began = time.perf_counter()
        try:
            response = await http.request(method, url, **kwargs)
        except httpx.HTTPError as exc:
            errors.append(f"{kind}: {exc.__class__.__name__}")
            return None
        timings[kind].append(time.perf_counter() - began)
        if response.status_code >= 400:
            errors.append(f"{kind}: {response.status_code} {response.text[:80]}")
            return None
        return response

    async with httpx.AsyncClient(base_url=base, timeout=60) as http:
        while time.perf_counter() < stop:
            if rng.random() < 0.5 or not queue:
                note = {"notes": f"call back about {rng.randrange(10**6)}"}
                await timed("note edit", "PATCH", f"/api/crm/people/{rng.choice(ids)}", json=note)
            else:
                link = queue.pop()
                if await timed("confirm", "POST", f"/api/crm/pending-links/{link}/confirm") is not None:
                    listed = await http.get("/api/crm/decisions", params={"limit": 50})
                    mine = [d["id"] for d in listed.json()["items"] if d.get("pending_link_id") == link]
                    await asyncio.sleep(WRITER_PAUSE)
                    if mine:
                        await timed("undo", "POST", f"/api/crm/decisions/{mine[0]}/undo")
            await asyncio.sleep(WRITER_PAUSE)


async def read(base: str, ids: list[str], clients: int, seconds: float) -> tuple[list[float], list[str]]:
    latencies: list[float] = []
    errors: list[str] = []
    stop = time.perf_counter() + seconds
    await asyncio.gather(*(client(base, ids, stop, latencies, errors) for _ in range(clients)))
    return latencies, errors


def write(
    base: str, ids: list[str], queue: list[str], seconds: float
) -> tuple[dict[str, list[float]], list[str], list[str], float]:
    """The writers for `seconds`; returns their timings, errors, the links left to confirm and the time taken."""
    timings: dict[str, list[float]] = {"note edit": [], "confirm": [], "undo": []}
    errors: list[str] = []
    began = time.perf_counter()
    stop = began + seconds

    async def writers() -> None:
        await asyncio.gather(*(writer(base, ids, queue, stop, timings, errors) for _ in range(WRITERS)))

    asyncio.run(writers())
    return timings, errors, queue, time.perf_counter() - began


def load(
    writing: ProcessPoolExecutor, base: str, ids: list[str], queue: list[str], clients: int, seconds: float
) -> tuple[list[float], dict[str, list[float]], list[str], float]:
    """The readers in this process and the writers in one of their own, as a user's browser is: timed
    among 50 clients' coroutines, a write's answer waited ~150 ms at p95 for this process's loop to
    read it (the server had sent it in 419 ms, the writer saw 561-687)."""
    writes = writing.submit(write, base, ids, queue, seconds)
    latencies, errors = asyncio.run(read(base, ids, clients, seconds))
    timings, write_errors, queue[:], elapsed = writes.result()
    return latencies, timings, errors + write_errors, elapsed


def report_writes(timings: dict[str, list[float]]) -> None:
    for kind, spent in timings.items():
        spent.sort()
        if spent:
            p95 = spent[min(len(spent) - 1, int(0.95 * len(spent)))] * 1000
            print(
                f"  {kind}: {len(spent)}, ms p50 {statistics.median(spent) * 1000:.0f}"
                f"  p95 {p95:.0f}  max {spent[-1] * 1000:.0f}  (goal p95 ≤ 500, max ≤ 2000)"
            )


def main() -> None:
    with tempfile.TemporaryDirectory() as folder, ProcessPoolExecutor(1) as writing:
        writing.submit(int).result()  # the writers' process starts now, not in the first measured phase
        home = Path(folder) / "home"
        started = time.perf_counter()
        run_import(str(home), "seed", SEED_MESSAGES, SEED_PEOPLE)
        print(f"seeded {SEED_MESSAGES:,} messages from {SEED_PEOPLE:,} people in {time.perf_counter() - started:.1f} s")
        merged_away = set(propose_links(home))
        with Workspace.open(home) as workspace:
            # People the clients read and the writers annotate: those a confirmation removes are no one's page.
            ids = [r[0] for r in workspace.conn.execute("SELECT id FROM people") if r[0] not in merged_away]
            queue = [r["id"] for r in links.list_pending_links(workspace.conn, limit=PENDING)[0]]
        server, base = start_server(home)
        try:
            # What the writes cost with no import at all, on this machine as loaded as it is now.
            _, quiet, _, quiet_elapsed = load(writing, base, ids, queue, 0, WRITES_ALONE_SECONDS)
            stored_before = stored_messages(home)
            import_began = time.perf_counter()
            importer = subprocess.Popen(
                [
                    sys.executable,
                    "-c",
                    (
                        "import sys; sys.path.insert(0, 'bench'); from load import run_import; "
                        f"run_import({str(home)!r}, 'bulk', {IMPORT_MESSAGES}, {IMPORT_PEOPLE})"
                    ),
                ],
                cwd=Path(__file__).resolve().parents[1],
            )
            # The user alone with the import first (what the import costs a user's writes), then the user
            # among 50 reading clients.
            _, alone, alone_errors, alone_elapsed = load(writing, base, ids, queue, 0, WRITES_ALONE_SECONDS)
            alone_running = importer.poll() is None
            latencies, timings, errors, elapsed = load(writing, base, ids, queue, CLIENTS, 20)
            import_running = importer.poll() is None
            importer.terminate()  # what was measured is done; the rest of the import is not
            importer.wait()
            import_elapsed = time.perf_counter() - import_began
            imported = stored_messages(home) - stored_before
        finally:
            server.terminate()
            server.wait()
    latencies.sort()

    def pct(p: float) -> float:
        return latencies[min(len(latencies) - 1, int(p * len(latencies)))] * 1000

    print(f"{WRITERS} writers alone for {quiet_elapsed:.1f} s, no import running")
    report_writes(quiet)
    print(
        f"{WRITERS} writers alone for {alone_elapsed:.1f} s during an import of {IMPORT_MESSAGES:,} messages"
        f" (import still running at the end: {alone_running}); errors: {len(alone_errors)}"
    )
    report_writes(alone)
    print(
        f"then {CLIENTS} clients and the writers for {elapsed:.1f} s during the same import"
        f" (import still running at the end: {import_running})"
    )
    print(f"requests: {len(latencies):,}  = {len(latencies) / elapsed:,.0f} req/s")
    print(
        f"latency ms: p50 {pct(0.5):.1f}  p95 {pct(0.95):.1f}  p99 {pct(0.99):.1f}"
        f"  mean {statistics.fmean(latencies) * 1000:.1f}"
    )
    print(f"errors: {len(errors)} (goal 0)" + (f"  first: {errors[:3]}" if errors else ""))
    print("writes among the readers:")
    report_writes(timings)
    # What the writes' turns cost the import: it stores less per second the more often it lets them go.
    print(f"the import stored {imported:,} messages in its {import_elapsed:.1f} s = {imported / import_elapsed:,.0f}/s")


if __name__ == "__main__":
    main()
