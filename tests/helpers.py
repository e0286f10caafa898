"""Test helpers: an in-test importer that yields given observations through the real ingest path."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import UTC, datetime
from pathlib import Path

from kithkin.ingest import ingest
from kithkin.models import Identity, ImportSummary, Observation
from kithkin.workspace import Workspace


class ListImporter:
    """Yields a fixed list of observations as a given source; the cursor is the count yielded."""

    def __init__(self, source_type: str, observations: Iterable[Observation | Exception]) -> None:
        self.source_type = source_type
        self.observations = list(observations)
        self.yielded = 0

    def sniff(self, path: Path) -> bool:
        return True

    def read(self, path: Path, cursor: str | None) -> Iterator[Observation | Exception]:
        for item in self.observations[int(cursor or 0) :]:
            self.yielded += 1
            yield item

    def cursor(self) -> str | None:
        return str(self.yielded)


def feed(workspace: Workspace, source_type: str, observations: Iterable[Observation | Exception]) -> ImportSummary:
    """Ingest observations as `source_type` and return the summary."""
    importer = ListImporter(source_type, observations)
    summary = ImportSummary(source=source_type)
    ingest(workspace, importer, importer.read(Path("."), None), summary)
    return summary


def message(
    source_id: str, when: datetime, sender: Identity, *others: Identity, kind: str = "message", **fields: object
) -> Observation:
    sender.role = "from"
    return Observation(source_id=source_id, kind=kind, occurred_at=when, participants=[sender, *others], **fields)


def person(source_id: str, name: str | None = None, email: str | None = None, phone: str | None = None) -> Identity:
    return Identity(source_id=source_id, name=name, emails=(email,) if email else (), phones=(phone,) if phone else ())


def at(day: int, hour: int = 12) -> datetime:
    return datetime(2024, 3, day, hour, tzinfo=UTC)
