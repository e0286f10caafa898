"""50 concurrent API clients while a large import runs: no error and no lost write."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta

import httpx

from kithkin.api.server import serve
from kithkin.models import Identity, Observation
from kithkin.workspace import Workspace
from tests.helpers import feed

CLIENTS = 50


def batch(prefix: str, count: int, people: int) -> list[Observation]:
    start = datetime(2024, 6, 1, tzinfo=UTC)
    return [
        Observation(
            source_id=f"{prefix}{i}",
            kind="message",
            occurred_at=start + timedelta(seconds=i),
            participants=[
                Identity(
                    source_id=f"+1415555{i % people:04d}",
                    name=f"Friend {i % people}",
                    phones=(f"+1415555{i % people:04d}",),
                    role="from",
                )
            ],
        )
        for i in range(count)
    ]


def test_fifty_clients_during_an_import(home):
    with Workspace.open(home) as workspace:
        feed(workspace, "imessage", batch("seed", 500, 100))
        ids = [r[0] for r in workspace.conn.execute("SELECT id FROM people ORDER BY id")]
    importing = Workspace.open(home)
    try:
        with Workspace.open(home) as serving, serve(serving) as base:
            importer = threading.Thread(target=feed, args=(importing, "imessage", batch("bulk", 30_000, 3_000)))
            importer.start()

            def client(number: int) -> list[int]:
                statuses = []
                with httpx.Client(base_url=base, timeout=60) as http:
                    person = ids[number % len(ids)]
                    for step in range(6):
                        statuses.append(http.get("/api/crm/people", params={"q": "friend", "limit": 20}).status_code)
                        statuses.append(http.get(f"/api/crm/people/{person}").status_code)
                        patched = http.patch(
                            f"/api/crm/people/{person}",
                            json={"tags": [f"client{number}"], "notes": f"client {number} step {step}"},
                        )
                        statuses.append(patched.status_code)
                return statuses

            with ThreadPoolExecutor(CLIENTS) as pool:
                results = list(pool.map(client, range(CLIENTS)))
            importer.join()
    finally:
        importing.close()
    assert {s for statuses in results for s in statuses} == {200}
    with Workspace.open(home) as workspace:
        # Every person's last write is one of the writes made to it: none was lost or torn.
        for number in range(CLIENTS):
            person = ids[number % len(ids)]
            notes, tags = workspace.conn.execute("SELECT notes, tags FROM people WHERE id = ?", (person,)).fetchone()
            writers = [n for n in range(CLIENTS) if ids[n % len(ids)] == person]
            assert notes in {f"client {n} step 5" for n in writers}
            assert tags in {f'["client{n}"]' for n in writers}
        assert workspace.conn.execute("SELECT COUNT(*) FROM interactions").fetchone()[0] == 30_500
