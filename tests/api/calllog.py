"""A tiny real-format importer for API tests: a CSV call log `when,name,phone,direction`.

It follows the importer contract (validates the header before yielding, yields an Exception for a
bad row), so uploads and syncs go through the real ingest path without depending on another
engineer's importer.
"""

from __future__ import annotations

import csv
import threading
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import ClassVar

from kithkin.config import LiveSource
from kithkin.models import Identity, ImportFormatError, Observation

HEADER = ["when", "name", "phone", "direction"]
# A test sets `pause` to hold a running import after its first observation (a busy job to observe);
# the importer sets `paused` when it waits and goes on once the test sets `resume`.
pause = threading.Event()
paused = threading.Event()
resume = threading.Event()


class CallLogImporter:
    source_type: ClassVar[str] = "calllog"

    def __init__(self) -> None:
        self.rows = 0

    def sniff(self, path: Path) -> bool:
        return path.is_file() and path.suffix == ".csv"

    def read(self, path: Path, cursor: str | None) -> Iterator[Observation | Exception]:
        with path.open(encoding="utf-8", newline="") as handle:
            reader = csv.reader(handle)
            if next(reader, None) != HEADER:
                raise ImportFormatError(path.name, f"is not a call log: the first line must be {','.join(HEADER)}")
            skip = int(cursor or 0)
            for number, row in enumerate(reader):
                if number < skip:
                    continue
                self.rows = number + 1
                if row == ["FAIL"]:
                    raise OSError(5, "Input/output error")
                if len(row) != 4:
                    yield ValueError(f"{path.name} line {number + 2}: expected 4 fields")
                    continue
                when, name, phone, direction = row
                yield Observation(
                    source_id=f"{when}|{phone}",
                    kind="call",
                    occurred_at=datetime.fromisoformat(when),
                    participants=[Identity(source_id=phone, name=name or None, phones=(phone,))],
                    direction=direction,
                )
                if pause.is_set():
                    paused.set()
                    resume.wait(10)

    def cursor(self) -> str | None:
        return str(self.rows)


def live_importer(source: LiveSource, workspace: object) -> tuple[CallLogImporter, Path]:
    """A live source whose target is a call log file named in config.yaml (`path:`)."""
    return CallLogImporter(), Path((source.model_extra or {})["path"])


def write_log(path: Path, rows: list[tuple[str, str, str, str]] | list[list[str]]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(HEADER)
        writer.writerows(rows)
    return path
