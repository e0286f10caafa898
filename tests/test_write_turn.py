"""User writes go before a background writer's next transaction (store/db.py's write turn): an import
or sync committing batch after batch never keeps a note edit or an undo waiting for more than one batch."""

from __future__ import annotations

import fcntl
import os
import sqlite3
import threading

import pytest

from kithkin.store import db


def test_a_waiting_user_write_goes_before_the_next_background_transaction(workspace):
    path = workspace.database_path
    order: list[str] = []
    first_open, user_waiting = threading.Event(), threading.Event()

    def background() -> None:
        conn = db.connect(path, migrate=False)
        try:
            for batch in ("batch 1", "batch 2"):
                with db.transaction(conn, background=True):
                    conn.execute("INSERT INTO derived_dirty (person_id) VALUES (?)", (batch,))
                    order.append(batch)
                    if batch == "batch 1":
                        first_open.set()
                        assert user_waiting.wait(20)
        finally:
            conn.close()

    def user() -> None:
        conn = db.connect(path, migrate=False)
        try:
            with db.transaction(conn):  # waits for batch 1 to commit, then must come before batch 2
                conn.execute("INSERT INTO derived_dirty (person_id) VALUES ('note')")
                order.append("user write")
        finally:
            conn.close()

    writer = threading.Thread(target=background)
    writer.start()
    assert first_open.wait(20)
    editing = threading.Thread(target=user)
    editing.start()
    # The user write holds its turn while it waits for SQLite's write lock: an exclusive try fails then.
    descriptor = os.open(f"{path}-turn", os.O_RDWR | os.O_CREAT, 0o600)
    try:
        while True:
            try:
                fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
                fcntl.flock(descriptor, fcntl.LOCK_UN)
            except BlockingIOError:
                break
            threading.Event().wait(0.005)
    finally:
        os.close(descriptor)
    user_waiting.set()
    writer.join(30)
    editing.join(30)
    assert order == ["batch 1", "user write", "batch 2"]


def test_only_user_writes_mark_the_user_as_at_work(tmp_path):
    conn = db.connect(tmp_path / "crm.db")
    try:
        assert not db.user_wrote_within(conn, 30)  # a new home's migrations are no user's writes
        with db.transaction(conn, background=True):
            conn.execute("INSERT INTO derived_dirty (person_id) VALUES ('import')")
        assert not db.user_wrote_within(conn, 30)
        with db.transaction(conn):
            conn.execute("INSERT INTO derived_dirty (person_id) VALUES ('note')")
        assert db.user_wrote_within(conn, 30)
    finally:
        conn.close()


def held_by_a_writer(path: str) -> bool:
    descriptor = os.open(f"{path}-writing", os.O_RDWR)
    try:
        fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return True
    finally:
        os.close(descriptor)
    return False


def test_each_writer_holds_the_writing_file_while_its_transaction_is_open(workspace):
    conn, path = workspace.conn, str(workspace.database_path)
    for background in (False, True):
        with db.transaction(conn, background=background):
            conn.execute("INSERT INTO derived_dirty (person_id) VALUES (?)", (f"background {background}",))
            assert held_by_a_writer(path)
        assert not held_by_a_writer(path)
    assert [r[0] for r in conn.execute("SELECT person_id FROM derived_dirty ORDER BY person_id")] == [
        "background False",
        "background True",
    ]


def test_a_writer_that_never_lets_go_fails_the_next_one_as_sqlite_would(workspace, monkeypatch):
    conn, path = workspace.conn, str(workspace.database_path)
    with db.transaction(conn):  # a user's first write makes the files
        conn.execute("INSERT INTO derived_dirty (person_id) VALUES ('first')")
    monkeypatch.setattr(db, "BUSY_TIMEOUT_MS", 50)
    hung = os.open(f"{path}-writing", os.O_RDWR)
    try:
        fcntl.flock(hung, fcntl.LOCK_EX)
        with pytest.raises(sqlite3.OperationalError, match="database is locked"), db.transaction(conn):
            conn.execute("INSERT INTO derived_dirty (person_id) VALUES ('lost')")
    finally:
        os.close(hung)
    with db.transaction(conn):
        conn.execute("INSERT INTO derived_dirty (person_id) VALUES ('after')")
    assert [r[0] for r in conn.execute("SELECT person_id FROM derived_dirty ORDER BY person_id")] == ["after", "first"]
