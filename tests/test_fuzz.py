"""Every parser survives hostile input: real files written by the demo writers, then truncated,
corrupted, re-encoded or padded. An import either succeeds or stops with one plain sentence naming
the file (KithkinError); it never crashes and never leaves the database inconsistent.

A short run is part of the test suite; `pytest -m slow tests/test_fuzz.py` runs the long one.
"""

from __future__ import annotations

import functools
import shutil
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kithkin.demo import writers
from kithkin.demo.cast import make_cast
from kithkin.importers import available_sources
from kithkin.ingest import import_paths
from kithkin.models import KithkinError
from kithkin.workspace import Workspace

SOURCES = sorted({w.SOURCE for w in writers()} & set(available_sources()))


@functools.cache
def sample_files(source: str, folder: Path) -> list[Path]:
    """The demo writer's files for this source, written once: the long runs spent their time rewriting them."""
    writer = next(w for w in writers() if source == w.SOURCE)
    folder.mkdir(parents=True, exist_ok=True)
    return [p for p in writer.write(make_cast(40, seed=3), folder) if p.is_file()]


mutations = st.one_of(
    st.tuples(st.just("truncate"), st.floats(0, 1)),
    st.tuples(st.just("flip"), st.lists(st.tuples(st.floats(0, 1), st.integers(0, 255)), min_size=1, max_size=40)),
    st.tuples(st.just("insert"), st.floats(0, 1), st.binary(min_size=1, max_size=200)),
    st.tuples(st.just("utf16"), st.just(0)),
    st.tuples(st.just("pad"), st.integers(1, 300_000)),
)


def mutate(data: bytes, mutation: tuple) -> bytes:
    kind = mutation[0]
    if kind == "truncate":
        return data[: int(len(data) * mutation[1])]
    if kind == "flip":
        buffer = bytearray(data)
        for where, value in mutation[1]:
            if buffer:
                buffer[min(len(buffer) - 1, int(where * len(buffer)))] = value
        return bytes(buffer)
    if kind == "insert":
        at = int(len(data) * mutation[1])
        return data[:at] + mutation[2] + data[at:]
    if kind == "utf16":
        return data.decode("utf-8", "replace").encode("utf-16")
    return data + b"\n" * mutation[1]


def check_survives(source: str, originals: Path, tmp: Path, mutation: tuple) -> None:
    """Import a mutated copy of the first sample file (the writer's other files copied beside it, untouched)."""
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(parents=True)
    target = tmp / "files" / sample_files(source, originals)[0].relative_to(originals)
    shutil.copytree(originals, tmp / "files")
    target.write_bytes(mutate(target.read_bytes(), mutation))
    with Workspace.open(tmp / "home") as workspace:
        try:
            summary = import_paths(workspace, source, [target])
        except KithkinError as error:
            message = str(error)
            assert message and "\n" not in message.strip()
        else:
            assert summary.files == 1
        assert workspace.conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert (
            workspace.conn.execute(
                "SELECT COUNT(*) FROM source_entities WHERE canonical_person_id IS NULL AND link_status != 'owner'"
            ).fetchone()[0]
            == 0
        )


@pytest.mark.parametrize("source", SOURCES)
def test_parsers_survive_hostile_files(source, tmp_path_factory):
    folder = tmp_path_factory.mktemp(f"fuzz-{source}")
    originals = folder / "originals"

    @settings(max_examples=12, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
    @given(mutations)
    def run(mutation: tuple) -> None:
        check_survives(source, originals, folder / "run", mutation)

    run()


@pytest.mark.slow
@pytest.mark.parametrize("source", SOURCES)
def test_parsers_survive_hostile_files_long(source, tmp_path_factory):
    folder = tmp_path_factory.mktemp(f"fuzz-long-{source}")
    originals = folder / "originals"

    @settings(max_examples=400, deadline=None, suppress_health_check=list(HealthCheck))
    @given(mutations)
    def run(mutation: tuple) -> None:
        check_survives(source, originals, folder / "run", mutation)

    run()


def test_there_is_something_to_fuzz():
    assert SOURCES, "no demo writer with an importer: the fuzz tests would test nothing"
