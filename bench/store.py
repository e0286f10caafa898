"""Store write speed: 20,000 source entities and 150,000 interactions through the store's public API.

Goal (issue 2): ≥ 100,000 interactions/s on a 2-core machine. Prints rows/s for each step.
"""

from __future__ import annotations

import random
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from kithkin.models import utc_iso
from kithkin.store import db, interactions, sources
from kithkin.store.ids import entity_id, interaction_id
from kithkin.store.interactions import InteractionRecord
from kithkin.store.sources import EntityRecord

ENTITIES = 20_000
INTERACTIONS = 150_000
BATCHES = (5_000, 20_000)  # rows per transaction: ingest's size, and a bulk load's


def main() -> None:
    for batch in BATCHES:
        run(batch)


def run(batch: int) -> None:
    rng = random.Random(1)
    with tempfile.TemporaryDirectory() as folder:
        conn = db.connect(Path(folder) / "crm.db")
        stamp = "2024-01-01T00:00:00Z"
        entities = [
            EntityRecord(
                id=entity_id("mail", f"person{i}@example.com"),
                source_type="mail",
                source_id=f"person{i}@example.com",
                observed_at=stamp,
                observed_name=f"Person {i}",
                observed_email=f"person{i}@example.com",
                name_key=f"person {i}",
                identifiers=[("email", f"person{i}@example.com")],
            )
            for i in range(ENTITIES)
        ]
        started = time.perf_counter()
        for start in range(0, ENTITIES, batch):
            with db.transaction(conn):
                sources.upsert_entities(conn, entities[start : start + batch])
        entity_seconds = time.perf_counter() - started

        base = 1_700_000_000
        records = []
        for i in range(INTERACTIONS):
            source_id = f"<msg{i}@example.com>"
            people = rng.sample(range(ENTITIES), 2)
            moment = datetime.fromtimestamp(base + i * 60, UTC)
            records.append(
                InteractionRecord(
                    id=interaction_id("mail", source_id, moment),
                    source_type="mail",
                    source_id=source_id,
                    kind="email",
                    occurred_at=utc_iso(moment),
                    participants=[(entities[p].id, "to") for p in people],
                    direction="in",
                    thread_id=f"t{i // 3}",
                    title=f"Subject {i}",
                    snippet="Hello there",
                )
            )
        started = time.perf_counter()
        for start in range(0, INTERACTIONS, batch):
            with db.transaction(conn):
                interactions.add_interactions(conn, records[start : start + batch])
        interaction_seconds = time.perf_counter() - started

        started = time.perf_counter()
        with db.transaction(conn):
            again = interactions.add_interactions(conn, records[:50_000])
        repeat_seconds = time.perf_counter() - started
        conn.close()

    print(f"-- {batch:,} rows per transaction")
    print(f"source entities: {ENTITIES:,} in {entity_seconds:.2f} s = {ENTITIES / entity_seconds:,.0f} rows/s")
    print(
        f"interactions:    {INTERACTIONS:,} (+{2 * INTERACTIONS:,} participant rows) in {interaction_seconds:.2f} s"
        f" = {INTERACTIONS / interaction_seconds:,.0f} interactions/s (goal ≥ 100,000)"
    )
    print(f"re-import of 50,000 known interactions: {again} added in {repeat_seconds:.2f} s")


if __name__ == "__main__":
    main()
