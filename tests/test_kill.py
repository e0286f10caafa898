"""Killing an import with SIGKILL at random moments leaves a consistent database that the next run
completes without duplicates or gaps."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

from kithkin.store import db
from tests.kill_worker import MESSAGES

REPO = Path(__file__).resolve().parents[1]


def start_worker(home: Path, *flags: str) -> subprocess.Popen[str]:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(REPO), str(REPO / "src")])}
    return subprocess.Popen(
        [sys.executable, "-m", "tests.kill_worker", str(home), *flags],
        cwd=REPO,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def assert_consistent(home: Path) -> int:
    conn = db.connect(home / "crm.db")
    try:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        dangling = conn.execute(
            """SELECT COUNT(*) FROM interaction_participants ip
               LEFT JOIN interactions i ON i.id = ip.interaction_id
               LEFT JOIN source_entities se ON se.id = ip.source_entity_id
               WHERE i.id IS NULL OR se.id IS NULL"""
        ).fetchone()[0]
        assert dangling == 0
        lonely = conn.execute(
            "SELECT COUNT(*) FROM interactions i WHERE NOT EXISTS"
            " (SELECT 1 FROM interaction_participants ip WHERE ip.interaction_id = i.id)"
        ).fetchone()[0]
        assert lonely == 0
        unlinked = conn.execute("SELECT COUNT(*) FROM source_entities WHERE canonical_person_id IS NULL").fetchone()[0]
        assert unlinked == 0
        stale = conn.execute(
            """SELECT COUNT(*) FROM people p WHERE p.interaction_count != (
                 SELECT COUNT(DISTINCT ip.interaction_id) FROM source_entities se
                 JOIN interaction_participants ip ON ip.source_entity_id = se.id
                 WHERE se.canonical_person_id = p.id)"""
        ).fetchone()[0]
        assert stale == 0
        duplicates = conn.execute("SELECT COUNT(*) - COUNT(DISTINCT source_id) FROM interactions").fetchone()[0]
        assert duplicates == 0
        return conn.execute("SELECT COUNT(*) FROM interactions").fetchone()[0]
    finally:
        conn.close()


def derived(home: Path) -> dict[str, list[tuple]]:
    """What an import derives, by people's names (their ids are random): figures and strength, quick
    facts, relationships."""
    conn = db.connect(home / "crm.db")
    try:
        return {
            "people": [
                tuple(row)
                for row in conn.execute(
                    """SELECT canonical_name, relationship_strength, interaction_count, first_seen, last_seen
                       FROM people ORDER BY canonical_name"""
                )
            ],
            "facts": [
                tuple(row)
                for row in conn.execute(
                    """SELECT p.canonical_name, f.kind, f.value, f.source_type, f.source_ref, f.observed_at
                       FROM facts f JOIN people p ON p.id = f.person_id ORDER BY 1, 2, 3"""
                )
            ],
            "relationships": sorted(
                (min(a, b), max(a, b), *rest)
                for a, b, *rest in conn.execute(
                    """SELECT pa.canonical_name, pb.canonical_name, r.relationship_type, r.shared_contexts,
                              r.shared_events_count, r.shared_threads_count, r.first_seen_together,
                              r.last_seen_together, r.overlap_score, r.weight
                       FROM relationships r JOIN people pa ON pa.id = r.person_a_id
                       JOIN people pb ON pb.id = r.person_b_id"""
                )
            ),
        }
    finally:
        conn.close()


def run_to_end(home: Path, *flags: str, returncode: int = 0) -> None:
    worker = start_worker(home, *flags)
    _, err = worker.communicate(timeout=240)
    assert worker.returncode == returncode, err


def test_sigkill_at_random_points_then_resume(tmp_path):
    clean = tmp_path / "clean"
    run_to_end(clean)
    expected = derived(clean)
    assert len(expected["people"]) == 400 and expected["facts"] and expected["relationships"]
    home = tmp_path / "home"
    rng = random.Random(20261124)
    kills = 0
    for _ in range(5):
        worker = start_worker(home)
        assert worker.stdout is not None
        # Let a random number of batches commit, then kill somewhere inside the next one.
        for _ in range(rng.randint(1, 4)):
            if worker.stdout.readline() in ("", "done\n"):
                break
        time.sleep(rng.uniform(0, 0.05))
        if worker.poll() is None:
            worker.send_signal(signal.SIGKILL)
            kills += 1
        worker.wait()
        assert_consistent(home)
    # Every batch stored, then killed before strengths and facts are derived; the resumed run has nothing
    # left to import and still derives them for everyone the dead runs touched.
    run_to_end(home, "--die-before-derived", returncode=-signal.SIGKILL)
    run_to_end(home)
    assert kills == 5
    assert assert_consistent(home) == MESSAGES
    assert derived(home) == expected
