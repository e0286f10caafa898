"""How do I know X: GET /people/{id}/paths on a large home (goal, issue 16: p95 ≤ 50 ms).

The home is bench/api.py's: 5,000 people, 20,000 entities, 200,000 interactions, and the ~30,000
relationships Kithkin infers from them (people meet in circles of 12, now and then someone from outside).
The people asked about are drawn from every strength: hubs, the middle and the tail.

    .venv/bin/python bench/paths.py [--requests 300] [--home DIR]

--home keeps the built home in DIR and uses it again on the next run (building it takes minutes).
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import httpx
from bench.api import build

from kithkin.api.server import serve
from kithkin.workspace import Workspace


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=300)
    parser.add_argument("--home", type=Path, help="keep the built home here and use it again")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        path = args.home or Path(folder) / "home"
        if not (path / "crm.db").exists():
            build(path)
        with Workspace.open(path) as workspace:
            conn = workspace.conn
            person_ids = [row[0] for row in conn.execute("SELECT id FROM people WHERE merged_into IS NULL ORDER BY id")]
            relationships = conn.execute("SELECT COUNT(*) FROM relationships").fetchone()[0]
            print(f"home: {len(person_ids):,} people, {relationships:,} relationships")
            with serve(workspace) as url, httpx.Client(base_url=f"{url}/api/crm", timeout=30) as client:
                rng = random.Random(16)
                wanted = [rng.choice(person_ids) for _ in range(args.requests)]
                # The same people's detail, for what one request costs this machine at the moment.
                base = sorted(timed(client, f"/people/{person_id}")[0] for person_id in wanted)
                times, chains, hops = [], 0, 0
                for person_id in wanted:
                    elapsed, items = timed(client, f"/people/{person_id}/paths")
                    times.append(elapsed)
                    items = items["items"]
                    chains += len(items)
                    hops += sum(len(item["hops"]) for item in items)
    times.sort()
    p95 = times[int(0.95 * (len(times) - 1))]
    print(
        f"person detail over HTTP, for scale: p50 {statistics.median(base):.1f} ms, "
        f"p95 {base[int(0.95 * (len(base) - 1))]:.1f} ms"
    )
    verdict = "ok" if p95 <= 50 else "MISSED"
    print(
        f"paths over HTTP for {len(times)} people: p50 {statistics.median(times):.1f} ms, p95 {p95:.1f} ms, "
        f"max {times[-1]:.1f} ms (goal p95 ≤ 50 ms: {verdict}); {chains / len(times):.1f} chains, "
        f"{hops / max(1, chains):.1f} hops each on average"
    )


def timed(client: httpx.Client, path: str) -> tuple[float, dict]:
    started = time.perf_counter()
    response = client.get(path)
    elapsed = (time.perf_counter() - started) * 1000
    response.raise_for_status()
    return elapsed, response.json()


if __name__ == "__main__":
    main()
