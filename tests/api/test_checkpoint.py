"""The server's writes reach the database file through its checkpointer, not inside the requests."""

from __future__ import annotations

import sqlite3
import time

API = "/api/crm"


def in_database_file(path, person_id: str) -> str | None:
    """The person's notes as the main database file holds them (immutable: the WAL is not read)."""
    conn = sqlite3.connect(f"file:{path}?immutable=1", uri=True)
    try:
        row = conn.execute("SELECT notes FROM people WHERE id = ?", (person_id,)).fetchone()
        return row[0] if row else None
    except sqlite3.OperationalError:  # not even the schema is in the file yet
        return None
    finally:
        conn.close()


def test_a_write_is_checkpointed_after_the_request(client, filled):
    person = client.get(f"{API}/people").json()["items"][0]["id"]
    assert client.patch(f"{API}/people/{person}", json={"notes": "checkpointed"}).status_code == 200
    deadline = time.monotonic() + 10
    while in_database_file(filled.database_path, person) != "checkpointed":
        assert time.monotonic() < deadline, "the write never reached the database file"
        time.sleep(0.02)
