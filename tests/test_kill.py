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


def start_worker(home: Path) -> subprocess.Popen[str]:
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    return subprocess.Popen(
        [sys.executable, "-m", "tests.kill_worker", str(home)],
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


def test_sigkill_at_random_points_then_resume(tmp_path):
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
    finished = start_worker(home)
    _, err = finished.communicate(timeout=240)
    assert finished.returncode == 0, err
    assert kills == 5
    assert assert_consistent(home) == MESSAGES
