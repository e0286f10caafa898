"""Mixed read load with 50 concurrent clients on loopback while a large import writes.

Prints requests/s, p50/p95/p99 latency and the error count (goal: 0 errors). The server and the
import each run in their own process, as they would for a user; the clients are asyncio tasks.
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
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx

from kithkin.api.server import free_port
from kithkin.ingest import ingest
from kithkin.models import Identity, ImportSummary, Observation
from kithkin.workspace import Workspace

CLIENTS = 50
SEED_MESSAGES, SEED_PEOPLE = 40_000, 2_000
IMPORT_MESSAGES, IMPORT_PEOPLE = 120_000, 3_000


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


async def load(base: str, ids: list[str], importer: subprocess.Popen[bytes]) -> tuple[list[float], list[str], float]:
    latencies: list[float] = []
    errors: list[str] = []
    began = time.perf_counter()
    stop = began + 20
    tasks = [asyncio.create_task(client(base, ids, stop, latencies, errors)) for _ in range(CLIENTS)]
    await asyncio.gather(*tasks)
    return latencies, errors, time.perf_counter() - began


def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        home = Path(folder) / "home"
        started = time.perf_counter()
        run_import(str(home), "seed", SEED_MESSAGES, SEED_PEOPLE)
        print(f"seeded {SEED_MESSAGES:,} messages from {SEED_PEOPLE:,} people in {time.perf_counter() - started:.1f} s")
        with Workspace.open(home) as workspace:
            ids = [r[0] for r in workspace.conn.execute("SELECT id FROM people")]
        port = free_port()
        server = subprocess.Popen(
            [sys.executable, "-m", "kithkin", "serve", "--home", str(home), "--port", str(port)],
            stdout=subprocess.DEVNULL,
        )
        base = f"http://127.0.0.1:{port}"
        try:
            for _ in range(200):
                try:
                    httpx.get(f"{base}/api/crm/statistics", timeout=1)
                    break
                except httpx.HTTPError:
                    time.sleep(0.1)
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
            latencies, errors, elapsed = asyncio.run(load(base, ids, importer))
            import_running = importer.poll() is None
            importer.wait()
        finally:
            server.terminate()
            server.wait()
    latencies.sort()

    def pct(p: float) -> float:
        return latencies[min(len(latencies) - 1, int(p * len(latencies)))] * 1000

    print(
        f"{CLIENTS} clients for {elapsed:.1f} s during an import of {IMPORT_MESSAGES:,} messages"
        f" (import still running at the end: {import_running})"
    )
    print(f"requests: {len(latencies):,}  = {len(latencies) / elapsed:,.0f} req/s")
    print(
        f"latency ms: p50 {pct(0.5):.1f}  p95 {pct(0.95):.1f}  p99 {pct(0.99):.1f}"
        f"  mean {statistics.fmean(latencies) * 1000:.1f}"
    )
    print(f"errors: {len(errors)} (goal 0)" + (f"  first: {errors[:3]}" if errors else ""))


if __name__ == "__main__":
    main()
