"""API latency on a large home: 5,000 people, 20,000 source entities, 200,000 interactions, 30,000 relationships.

Every endpoint is measured over ≥ 200 requests with realistic parameters, in-process (TestClient) and
over HTTP (uvicorn on 127.0.0.1, httpx), one request at a time; then reads while an import job writes.
Prints p50/p95/p99 per endpoint. Goals (issue 7): p95 ≤ 50 ms for every endpoint, people search
p95 ≤ 20 ms, person detail with its first timeline page ≤ 100 ms.

    .venv/bin/python bench/api.py [--requests 200]
"""

from __future__ import annotations

import argparse
import functools
import http.server
import random
import statistics
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from common import OWNER_EMAIL, owner_entity
from kithkin.config import LiveSource, Owner, Settings, save_settings
from kithkin.ingest import ingest
from kithkin.insight import relationships, strength
from kithkin.models import Identity, ImportSummary, Observation, utc_iso
from kithkin.store import db, interactions, links, people, sources
from kithkin.store.ids import entity_id, interaction_id
from kithkin.store.interactions import InteractionRecord
from kithkin.store.sources import EntityRecord
from kithkin.workspace import Workspace

if TYPE_CHECKING:
    from fastapi.testclient import TestClient

PEOPLE, ENTITIES, INTERACTIONS, RELATIONSHIPS, PENDING = 5_000, 20_000, 200_000, 30_000, 2_000
CIRCLE, OUTSIDERS = 12, 1 / 40
SOURCES = ("mail", "imessage", "whatsapp", "contacts", "slack", "calendar", "linkedin", "signal")
KIND = {"mail": "email", "calendar": "meeting", "contacts": "call", "linkedin": "message"}
FIRST = [
    "Ana",
    "Bob",
    "Carla",
    "Dan",
    "Eva",
    "Finn",
    "Gina",
    "Hugo",
    "Ida",
    "Jon",
    "Kara",
    "Leo",
    "Mia",
    "Nils",
    "Olga",
    "Paul",
    "Quinn",
    "Rosa",
    "Sam",
    "Tina",
    "Uma",
    "Vic",
    "Wes",
    "Xena",
    "Yuri",
    "Zoe",
    "Amir",
    "Bea",
    "Cleo",
    "Dev",
    "Emil",
    "Faye",
    "Gus",
    "Hana",
    "Ivan",
    "Jade",
    "Kai",
    "Lena",
    "Milo",
    "Nora",
    "Omar",
    "Pia",
    "Raj",
    "Sofi",
    "Theo",
]
LAST = [
    "Silva",
    "Jones",
    "King",
    "Brown",
    "Ray",
    "Ode",
    "Park",
    "Lee",
    "Novak",
    "Costa",
    "Meyer",
    "Rossi",
    "Dubois",
    "Smith",
    "Tanaka",
    "Kowal",
    "Haas",
    "Berg",
    "Lind",
    "Moreau",
    "Weber",
    "Fischer",
    "Garcia",
    "Lopez",
    "Khan",
    "Patel",
    "Nguyen",
    "Kim",
    "Chen",
    "Wang",
    "Ali",
    "Sato",
    "Ito",
    "Cruz",
    "Diaz",
    "Reyes",
    "Ortiz",
    "Vega",
]
TAGS = ["climbing", "book club", "investor", "school", "neighbour", "conference"]
COMPANIES = ("Acme", "Globex", "Initech", "Umbrella", "Hooli", "Stark", "Wayne", "Tyrell", None, None)
CATEGORIES = ("work", "personal", "family", "unknown")
NOW = datetime.now(UTC).replace(microsecond=0)
DAY = (NOW - timedelta(days=30)).strftime("%Y%m%d")  # inside the calendar importer's window


@dataclass
class Home:
    path: Path
    person_ids: list[str]
    names: list[str]
    emails: list[str]
    entities_of: dict[str, list[str]]
    merge_queue: Iterator[int]
    batches: list[int]  # reasons of the pending links left for bulk confirmation


def build(path: Path) -> Home:
    """Fill a home through the store's bulk functions; relationships are inferred from the interactions."""
    rng = random.Random(7)
    save_settings(path, Settings(owner=Owner(name="Me", emails=[OWNER_EMAIL])))
    conn = db.connect(path / "crm.db")
    started = time.perf_counter()
    owner = owner_entity()
    person_ids, names, emails, entities_of = [], [], [], {}
    records: list[EntityRecord] = [owner]
    with db.transaction(conn):
        for n in range(PEOPLE):
            name = f"{rng.choice(FIRST)} {rng.choice(LAST)}"
            email = f"{name.lower().replace(' ', '.')}{n}@{rng.choice(['example.com', 'mail.org', 'corp.net'])}"
            tags = rng.sample(TAGS, rng.randint(0, 2))
            person_id = people.create_person(
                conn, name, company=rng.choice(COMPANIES), category=rng.choice(CATEGORIES), tags=tags
            )
            person_ids.append(person_id)
            names.append(name)
            emails.append(email)
            own = rng.sample(SOURCES, ENTITIES // PEOPLE)
            for source in own:
                handle = email if source in ("mail", "calendar", "slack") else f"+1415{n:07d}"
                record = EntityRecord(
                    id=entity_id(source, handle),
                    source_type=source,
                    source_id=handle,
                    observed_at="2023-01-01T00:00:00Z",
                    observed_name=name,
                    observed_email=email if "@" in handle else None,
                    observed_phone=None if "@" in handle else handle,
                    identifiers=[("email" if "@" in handle else "phone", handle)],
                )
                records.append(record)
                entities_of.setdefault(person_id, []).append(record.id)
        sources.upsert_entities(conn, records)
    source_of = {r.id: r.source_type for r in records}
    with db.transaction(conn):
        links.link_entities(conn, [(e, p, 0.99, "auto", "system") for p, ids in entities_of.items() for e in ids])
    print(f"  people and entities: {time.perf_counter() - started:.1f} s")

    started = time.perf_counter()
    weights = [1 / (rank + 1) ** 0.8 for rank in range(PEOPLE)]  # a few close people, a long tail
    chosen = rng.choices(range(PEOPLE), weights=weights, k=INTERACTIONS)
    # People meet in circles (a team, a family, a club): a group message or meeting brings together people of
    # one circle, now and then someone from outside it. Circles of 12 and one outsider in 40 make the
    # ~30,000 relationships the issue asks for, and they are the ones Kithkin infers from these interactions.
    order = rng.sample(range(PEOPLE), PEOPLE)
    circles = [order[start : start + CIRCLE] for start in range(0, PEOPLE, CIRCLE)]
    circle_of = {who: circle for circle in circles for who in circle}

    def companion(who: int) -> int:
        others = [n for n in circle_of[who] if n != who]
        return rng.randrange(PEOPLE) if rng.random() < OUTSIDERS or not others else rng.choice(others)

    span = int(timedelta(days=3 * 365).total_seconds())
    batch: list[InteractionRecord] = []
    for i, who in enumerate(chosen):
        entity = rng.choice(entities_of[person_ids[who]])
        source = source_of[entity]
        moment = NOW - timedelta(seconds=rng.randrange(span))
        group = rng.choice((0, 0, 0, 1, 2))  # most interactions are one to one
        others = [rng.choice(entities_of[person_ids[companion(who)]]) for _ in range(group)]
        batch.append(
            InteractionRecord(
                id=interaction_id(source, f"i{i}", moment),
                source_type=source,
                source_id=f"i{i}",
                kind=KIND.get(source, "message"),
                occurred_at=utc_iso(moment),
                participants=[(entity, "from"), (owner.id, "to"), *((o, "to") for o in others if o != entity)],
                direction=rng.choice(("in", "out")),
                thread_id=f"t{who}-{i % 7}",
                title=f"Subject {i}" if source == "mail" else None,
                snippet="see you at the usual place",
            )
        )
        if len(batch) == 20_000:
            with db.transaction(conn):
                interactions.add_interactions(conn, batch)
            batch = []
    with db.transaction(conn):
        interactions.add_interactions(conn, batch)
    print(f"  interactions: {time.perf_counter() - started:.1f} s")

    started = time.perf_counter()
    with db.transaction(conn):
        for n in range(PENDING):
            a, b = rng.sample(range(PEOPLE), 2)
            links.create_pending_link(
                conn,
                source_entity_id=entities_of[person_ids[a]][0],
                proposed_person_id=person_ids[b],
                previous_person_id=person_ids[a],
                # One link in five has a reason of its own, so each bulk confirmation confirms about one.
                reason="name_match" if n % 5 else f"batch{n // 5}",
                confidence=0.75,
                alternatives=[{"person_id": person_ids[(b + 1) % PEOPLE], "confidence": 0.6, "reason": "name_match"}],
                evidence={"name": names[a], "bench": n},
            )
    print(f"  pending links: {time.perf_counter() - started:.1f} s")

    started = time.perf_counter()
    with db.transaction(conn):
        people.refresh_people(conn, person_ids)
        strength.update_strengths(conn, None)
        inferred = relationships.recompute_all(conn, Settings())
    conn.execute("ANALYZE")
    conn.close()
    print(
        f"  people figures, search index, strengths, {inferred:,} relationships: {time.perf_counter() - started:.1f} s"
    )
    return Home(path, person_ids, names, emails, entities_of, iter(range(0, PEOPLE, 2)), list(range(PENDING // 5)))


ICS = """BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//bench//EN\r\nBEGIN:VEVENT\r\nUID:{uid}@bench\r
DTSTAMP:{day}T100000Z\r\nDTSTART:{day}T100000Z\r\nDTEND:{day}T110000Z\r\nSUMMARY:Coffee {uid}\r
ORGANIZER;CN=Me:mailto:me@example.org\r\nATTENDEE;CN=Guest {uid}:mailto:guest{uid}@example.com\r
END:VEVENT\r\nEND:VCALENDAR\r\n"""


@dataclass
class Endpoint:
    name: str
    call: Callable[[Any, int], Any]  # (client, request number) -> response (or a list of them)
    goal_ms: float = 50


def endpoints(home: Home, available: set[str]) -> list[Endpoint]:
    rng = random.Random(11)
    ids, names, emails = home.person_ids, home.names, home.emails
    api = "/api/crm"
    pick = lambda: rng.choice(ids)  # noqa: E731
    found = [
        Endpoint("GET /people (strength)", lambda c, n: c.get(f"{api}/people")),
        Endpoint(
            "GET /people sort=name page",
            lambda c, n: c.get(f"{api}/people", params={"sort": "name", "offset": rng.randrange(0, 4950, 50)}),
        ),
        Endpoint("GET /people sort=last_seen", lambda c, n: c.get(f"{api}/people", params={"sort": "last_seen"})),
        Endpoint(
            "GET /people category+source",
            lambda c, n: c.get(
                f"{api}/people", params={"category": rng.choice(CATEGORIES), "source": rng.choice(SOURCES)}
            ),
        ),
        Endpoint("GET /people tag", lambda c, n: c.get(f"{api}/people", params={"tag": "investor"})),
        Endpoint("GET /people pending=true", lambda c, n: c.get(f"{api}/people", params={"pending": True})),
        Endpoint(
            "GET /people q=name (search)",
            lambda c, n: c.get(f"{api}/people", params={"q": rng.choice(names) if n % 2 else rng.choice(names)[:3]}),
            goal_ms=20,
        ),
        Endpoint(
            "GET /people q=email (search)",
            lambda c, n: c.get(f"{api}/people", params={"q": rng.choice(emails)}),
            goal_ms=20,
        ),
        Endpoint("GET /people/{id}", lambda c, n: c.get(f"{api}/people/{pick()}")),
    ]
    if f"{api}/people/{{person_id}}/timeline" in available:
        found.append(
            Endpoint("GET /people/{id} + timeline page 1", lambda c, n: person_with_timeline(c, pick()), goal_ms=100)
        )
        found.append(
            Endpoint(
                "GET /people/{id}/timeline", lambda c, n: c.get(f"{api}/people/{pick()}/timeline", params={"limit": 50})
            )
        )
    for path, label in (
        ("/people/{person_id}/connections", "GET /people/{id}/connections"),
        ("/discover", "GET /discover"),
        ("/meetings/upcoming", "GET /meetings/upcoming"),
        ("/statistics", "GET /statistics"),
        ("/graph", "GET /graph"),
    ):
        if api + path in available:
            url = api + path
            found.append(Endpoint(label, lambda c, n, url=url: c.get(url.replace("{person_id}", pick()))))
    found += [
        Endpoint(
            "PATCH /people/{id}",
            lambda c, n: c.patch(f"{api}/people/{pick()}", json={"notes": f"bench note {n}", "tags": ["bench"]}),
        ),
        Endpoint(
            "GET /pending-links",
            lambda c, n: c.get(f"{api}/pending-links", params={"offset": rng.randrange(0, 400, 50)}),
        ),
        Endpoint("POST /pending-links/{id}/confirm", lambda c, n: decide(c, "confirm")),
        Endpoint("POST /pending-links/{id}/reject", lambda c, n: decide(c, "reject")),
        Endpoint("GET /sources", lambda c, n: c.get(f"{api}/sources")),
        Endpoint("GET /jobs", lambda c, n: c.get(f"{api}/jobs")),
        Endpoint("POST /sources/import (.ics)", lambda c, n: upload(c, n)),
        Endpoint("POST /sources/{type}/sync", lambda c, n: start_sync(c)),
        Endpoint("GET /jobs/{id}", lambda c, n: c.get(f"{api}/jobs/{last_job(c)}")),
    ]
    found += [
        Endpoint("POST /people/{id}/merge", lambda c, n: merge_next(c, ids, home.merge_queue)),
        Endpoint("POST /people/{id}/split", lambda c, n: split_one(c, home, rng)),
        Endpoint(
            "POST /pending-links/bulk-confirm",
            lambda c, n: c.post(f"{api}/pending-links/bulk-confirm", json={"reason": f"batch{home.batches.pop()}"}),
        ),
        Endpoint("GET /decisions", lambda c, n: c.get(f"{api}/decisions")),
        Endpoint("POST /decisions/{id}/undo", lambda c, n: undo_latest(c)),
    ]
    return found


def undo_latest(client: Any) -> Any:
    """Undo the newest decision not undone yet (what an undo button does)."""
    decisions = client.get("/api/crm/decisions", params={"limit": 500}).json()["items"]
    latest = next(d["id"] for d in decisions if d["undone_at"] is None)
    return timed(lambda: client.post(f"/api/crm/decisions/{latest}/undo"))


def person_with_timeline(client: Any, person_id: str) -> list[Any]:
    return [
        client.get(f"/api/crm/people/{person_id}"),
        client.get(f"/api/crm/people/{person_id}/timeline", params={"limit": 50}),
    ]


def decide(client: Any, action: str) -> Any:
    link = client.get("/api/crm/pending-links", params={"limit": 1}).json()["items"][0]["id"]
    return timed(lambda: client.post(f"/api/crm/pending-links/{link}/{action}"))


def upload(client: Any, n: int) -> Any:
    wait_for_jobs(client)
    return timed(
        lambda: client.post(
            "/api/crm/sources/import",
            data={"source": "calendar"},
            files=[("files", (f"invite{n}.ics", ICS.format(uid=n, day=DAY).encode()))],
        )
    )


def start_sync(client: Any) -> Any:
    wait_for_jobs(client)
    return timed(lambda: client.post("/api/crm/sources/ics_url/sync"))


def timed(send: Callable[[], Any]) -> Any:
    """The response, timed alone (not the set-up before it)."""
    started = time.perf_counter()
    response = send()
    response.elapsed_override = time.perf_counter() - started
    return response


def wait_for_jobs(client: Any) -> None:
    """One job per source at a time: let the previous one finish (not timed) before starting another."""
    while any(j["state"] in ("queued", "running") for j in client.get("/api/crm/jobs").json()["items"]):
        time.sleep(0.005)


def last_job(client: Any) -> str:
    return client.get("/api/crm/jobs", params={"limit": 1}).json()["items"][0]["id"]


def merge_next(client: Any, ids: list[str], merged: Iterator[int]) -> Any:
    keep = next(merged)
    return client.post(f"/api/crm/people/{ids[keep]}/merge", json={"other_id": ids[keep + 1]})


def split_one(client: Any, home: Home, rng: random.Random) -> Any:
    person = rng.choice(home.person_ids[1::2])
    detail = client.get(f"/api/crm/people/{person}").json()
    if detail.get("merged_into") or len(detail["source_entities"]) < 2:
        person = rng.choice(home.person_ids[-1000:])
        detail = client.get(f"/api/crm/people/{person}").json()
    return timed(
        lambda: client.post(
            f"/api/crm/people/{person}/split", json={"source_entity_ids": [detail["source_entities"][-1]["id"]]}
        )
    )


def measure(client: Any, endpoint: Endpoint, requests: int) -> list[float]:
    timings = []
    for n in range(requests):
        started = time.perf_counter()
        result = endpoint.call(client, n)
        elapsed = time.perf_counter() - started
        responses = result if isinstance(result, list) else [result]
        for response in responses:
            if response.status_code >= 400:
                raise SystemExit(f"{endpoint.name}: {response.status_code} {response.text[:300]}")
        timings.append(getattr(result, "elapsed_override", elapsed) * 1000)
    return timings


def percentile(values: list[float], q: float) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[q - 1]


def report(title: str, rows: list[tuple[str, list[float], float]]) -> bool:
    print(f"\n{title}")
    print(f"{'endpoint':40} {'n':>5} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8}  goal (p95)")
    ok = True
    for name, timings, goal in rows:
        p95 = percentile(timings, 95)
        met = p95 <= goal
        ok &= met
        print(
            f"{name:40} {len(timings):>5} {statistics.median(timings):>8.2f} {p95:>8.2f} "
            f"{percentile(timings, 99):>8.2f}  ≤ {goal:g} {'ok' if met else 'MISSED'}"
        )
    return ok


def calendar_server(folder: Path) -> tuple[http.server.ThreadingHTTPServer, str]:
    """A loopback web server publishing one .ics, the target of the `ics_url` live source."""
    (folder / "team.ics").write_text(ICS.format(uid="team", day=DAY), encoding="utf-8")

    class Quiet(http.server.SimpleHTTPRequestHandler):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, directory=str(folder), **kwargs)

        def log_message(self, *args: Any) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Quiet)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}/team.ics"


class Synthetic:
    """Observations for the import that runs while reads are measured."""

    source_type = "imessage"

    def __init__(self, count: int) -> None:
        self.count = count

    def read(self, path: Path, cursor: str | None) -> Iterator[Observation]:
        for i in range(self.count):
            who = i % 3000
            yield Observation(
                source_id=f"load{i}",
                kind="message",
                occurred_at=NOW - timedelta(seconds=i),
                participants=[
                    Identity(source_id=f"+1650{who:07d}", name=f"Load {who}", phones=(f"+1650{who:07d}",), role="from")
                ],
            )

    def sniff(self, path: Path) -> bool:
        return True

    def cursor(self) -> str | None:
        return None


def synthetic_import(count: int, workspace: Workspace, progress: Any) -> ImportSummary:
    """The job's work (module-level: jobs run in a process of their own, their work is pickled)."""
    importer = Synthetic(count)
    summary = ImportSummary(source="imessage")
    ingest(workspace, importer, importer.read(Path("."), None), summary, progress=progress)
    return summary


def reads_during_import(client: TestClient, home: Home, requests: int) -> list[tuple[str, list[float], float]]:
    runner = client.app.state.jobs
    job = runner.start("import", "imessage", functools.partial(synthetic_import, 60_000))
    rng = random.Random(3)
    search, detail = [], []
    while len(search) < requests or job.state in ("queued", "running"):
        for bucket, call in (
            (search, lambda: client.get("/api/crm/people", params={"q": rng.choice(home.names)[:4]})),
            (detail, lambda: client.get(f"/api/crm/people/{rng.choice(home.person_ids)}")),
        ):
            started = time.perf_counter()
            assert call().status_code == 200
            bucket.append((time.perf_counter() - started) * 1000)
    runner.wait()
    print(f"\n  the import job {job.state}: {job.done} observations, while {len(search) + len(detail)} reads ran")
    return [("GET /people q= during import", search, 20), ("GET /people/{id} during import", detail, 50)]


def main() -> None:
    # The web stack is imported here, not at the top: each import job's process imports this module again
    # (multiprocessing runs the main module in its children), and it need not load the server to ingest.
    import httpx
    from fastapi.testclient import TestClient

    from kithkin.api.app import create_app
    from kithkin.api.server import freeze_heap, serve

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=200)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        print(
            f"Building {PEOPLE:,} people, {ENTITIES:,} entities, {INTERACTIONS:,} interactions, "
            f"{RELATIONSHIPS:,} relationships, {PENDING:,} pending links"
        )
        home = build(Path(folder) / "home")
        ics_server, ics_url = calendar_server(Path(folder))
        settings = Settings(
            owner=Owner(name="Me", emails=["me@example.org"]), sources=[LiveSource(type="ics_url", url=ics_url)]
        )
        save_settings(home.path, settings)
        all_ok = True
        with Workspace.open(home.path) as workspace:
            app = create_app(workspace=workspace)
            available = set(app.openapi()["paths"])
            # As `kithkin serve` does at start: what is alive now (here also the bench's own 20,000-entity
            # maps) stays out of the collector's full passes, which otherwise land inside the writes.
            freeze_heap()
            with TestClient(app) as client:
                rows = [(e.name, measure(client, e, args.requests), e.goal_ms) for e in endpoints(home, available)]
                all_ok &= report(f"In-process (TestClient), {args.requests} requests each, one at a time", rows)
                all_ok &= report(
                    "Reads while an import job writes (in-process)", reads_during_import(client, home, args.requests)
                )
            with serve(workspace) as base, httpx.Client(base_url=base, timeout=60) as http_client:
                rows = [(e.name, measure(http_client, e, args.requests), e.goal_ms) for e in endpoints(home, available)]
                all_ok &= report(f"Over HTTP (uvicorn on 127.0.0.1, httpx), {args.requests} requests each", rows)
        ics_server.shutdown()
        print("\nAll goals met." if all_ok else "\nSome goals were missed (marked MISSED).")


if __name__ == "__main__":
    main()
