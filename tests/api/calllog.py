"""A tiny real-format importer for API tests: a CSV call log `when,name,phone,direction`.

It follows the importer contract (validates the header before yielding, yields an Exception for a
bad row), so uploads and syncs go through the real ingest path without depending on another
engineer's importer.
"""

from __future__ import annotations

import csv
import os
import time
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import ClassVar

from kithkin.config import LiveSource
from kithkin.models import Identity, ImportFormatError, Observation

HEADER = ["when", "name", "phone", "direction"]
# The folder of the flags below; the calllog_source fixture names one per test.
FLAGS_FOLDER = "KITHKIN_TEST_CALLLOG_FLAGS"


class Flag:
    """threading.Event's set / clear / is_set / wait across processes (jobs run in a child process): a
    file in the folder named by $KITHKIN_TEST_CALLLOG_FLAGS."""

    def __init__(self, name: str) -> None:
        self.name = name

    @property
    def path(self) -> Path:
        return Path(os.environ[FLAGS_FOLDER]) / self.name

    def set(self, value: str = "") -> None:
        # Written beside and renamed: a reader never sees the flag before its value.
        staging = self.path.with_suffix(".staging")
        staging.write_text(value, encoding="utf-8")
        staging.replace(self.path)

    def read(self) -> str:
        return self.path.read_text(encoding="utf-8")

    def number(self) -> int:
        """The number the flag was set to (1 when set without one)."""
        return int(self.read() or 1)

    def clear(self) -> None:
        self.path.unlink(missing_ok=True)

    def is_set(self) -> bool:
        return FLAGS_FOLDER in os.environ and self.path.exists()

    def wait(self, timeout: float) -> bool:
        deadline = time.monotonic() + timeout
        while not self.is_set():
            if time.monotonic() > deadline:
                return False
            time.sleep(0.01)
        return True


# A test sets `pause` to hold a running import after its first observation, or the row number it is set to
# (a busy job to observe); the importer sets `paused` to its process id when it waits and goes on once the
# test sets `resume`.
pause = Flag("pause")
paused = Flag("paused")
resume = Flag("resume")


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
                if row == ["CRASH"]:  # the job's process dies on the spot (killed, out of memory…)
                    os._exit(7)
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
                if pause.is_set() and self.rows >= pause.number():
                    paused.set(str(os.getpid()))
                    resume.wait(10)
                    pause.clear()

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
