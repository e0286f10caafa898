"""Request connections are kept between requests (api/pool.py)."""

from __future__ import annotations

import sqlite3

import pytest

from kithkin.api.pool import ConnectionPool
from kithkin.store import db


def test_a_connection_given_back_is_the_next_one_taken(tmp_path):
    db.connect(tmp_path / "crm.db").close()
    pool = ConnectionPool(tmp_path / "crm.db", kept=1)
    first = pool.take()
    pool.give_back(first)
    assert pool.take() is first
    # Kept ones do not checkpoint on their own: the server's checkpointer does.
    assert first.execute("PRAGMA wal_autocheckpoint").fetchone()[0] == 0


def test_a_connection_left_in_a_transaction_or_past_the_kept_number_is_closed(tmp_path):
    db.connect(tmp_path / "crm.db").close()
    pool = ConnectionPool(tmp_path / "crm.db", kept=1)
    broken, extra, kept = pool.take(), pool.take(), pool.take()
    broken.execute("BEGIN IMMEDIATE")
    pool.give_back(broken)
    pool.give_back(kept)
    pool.give_back(extra)
    taken = pool.take()
    assert taken is kept
    fresh = pool.take()
    assert fresh is not broken and fresh is not extra
    # The pool closed those two; the new one writes (the lock the broken one held was let go).
    for closed in (broken, extra):
        with pytest.raises(sqlite3.ProgrammingError, match="closed"):
            closed.execute("SELECT 1")
    with db.transaction(fresh):
        fresh.execute("CREATE TABLE t (x)")
    pool.close()
