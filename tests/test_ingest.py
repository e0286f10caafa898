"""Ingest stores observations batch by batch: order, failures and progress."""

from __future__ import annotations

import gc
from pathlib import Path

import pytest

from kithkin import ingest as ingest_module
from kithkin.ingest import ingest
from kithkin.models import ImportSummary
from kithkin.store import sources
from tests.helpers import ListImporter, at, message, person


def observations(count: int) -> list:
    return [message(f"m{n}", at(1 + n % 20, n % 24), person(f"p{n % 7}", f"Person {n % 7}")) for n in range(count)]


def run(workspace, importer, **options) -> ImportSummary:
    summary = ImportSummary(source="mail")
    ingest(workspace, importer, importer.read(Path("."), None), summary, cursor_key=("mail", "test"), **options)
    return summary


def test_every_batch_is_stored_in_order_and_progress_counts_what_was_read(workspace):
    reports: list[int] = []
    summary = run(
        workspace, ListImporter("mail", observations(25)), batch_size=4, progress=lambda d, _t: reports.append(d)
    )
    assert summary.interactions == 25
    assert workspace.conn.execute("SELECT COUNT(*) FROM interactions").fetchone()[0] == 25
    assert sources.get_cursor(workspace.conn, "mail", "test") == "25"
    assert reports == sorted(reports) and reports[-1] == 25


def test_a_batch_that_fails_to_store_stops_the_import_and_keeps_the_batches_before_it(workspace, monkeypatch):
    stored = ingest_module._commit_batch
    calls = []

    def failing(workspace, batch, summary, **options):
        calls.append(batch.observations)
        if len(calls) == 2:
            raise RuntimeError("disk full")
        return stored(workspace, batch, summary, **options)

    monkeypatch.setattr(ingest_module, "_commit_batch", failing)
    with pytest.raises(RuntimeError, match="disk full"):
        run(workspace, ListImporter("mail", observations(40)), batch_size=5)
    assert workspace.conn.execute("SELECT COUNT(*) FROM interactions").fetchone()[0] == 5
    assert sources.get_cursor(workspace.conn, "mail", "test") == "5"
    assert len(calls) == 2  # nothing is read past the batch that failed


def test_a_read_that_fails_keeps_the_batches_stored_before_it(workspace):
    def broken():
        yield from observations(12)
        raise OSError("the file went away")

    importer = ListImporter("mail", [])
    importer.read = lambda path, cursor: broken()  # type: ignore[method-assign]
    importer.cursor = lambda: "12"  # type: ignore[method-assign]
    with pytest.raises(OSError, match="went away"):
        run(workspace, importer, batch_size=6)
    assert workspace.conn.execute("SELECT COUNT(*) FROM interactions").fetchone()[0] == 12


def test_garbage_collection_is_held_off_while_a_batch_is_stored_and_back_on_after_it_fails(workspace, monkeypatch):
    refresh = ingest_module.people.refresh_people
    seen = []

    def failing(*args, **options):
        seen.append(gc.isenabled())
        if len(seen) == 2:
            raise RuntimeError("disk full")
        return refresh(*args, **options)

    monkeypatch.setattr(ingest_module.people, "refresh_people", failing)
    with pytest.raises(RuntimeError, match="disk full"):
        run(workspace, ListImporter("mail", observations(10)), batch_size=5)
    assert seen == [False, False]
    assert gc.isenabled()


def test_an_import_leaves_garbage_collection_off_when_it_was_off(workspace):
    gc.disable()
    try:
        run(workspace, ListImporter("mail", observations(10)), batch_size=5)
        assert not gc.isenabled()
    finally:
        gc.enable()
