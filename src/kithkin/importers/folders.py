"""Which files inside a folder a source reads: `kithkin import SOURCE FOLDER` finds them (recursively)
and says of every other file why it was left out."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from kithkin.importers.base import Importer
from kithkin.models import ImportFormatError

# Written beside an SQLite store by SQLite itself (CallHistory.storedata-wal): read with their database.
SQLITE_SIDECARS = ("-wal", "-shm", "-journal")


@dataclass
class FolderInputs:
    """What to read (files, or folders a source reads whole) and what was left out, with the reason."""

    inputs: list[Path] = field(default_factory=list)
    left_out: dict[str, str] = field(default_factory=dict)
    walked: bool = False


def find_inputs(importer: Importer, path: Path) -> FolderInputs:
    """`path` itself when the source reads it as it is (a file, a Slack export folder, a wacli store, a
    vault), else every file or folder under it that the source recognises. A folder holding none of them
    is handed to the importer as it is, to be refused in the source's own words."""
    found = FolderInputs()
    if path.is_dir() and not _is_mine(importer, path, found):
        _walk(importer, path, found)
        found.walked = bool(found.inputs)
    if not found.inputs:
        found.inputs.append(path)
    return found


def _is_mine(importer: Importer, path: Path, found: FolderInputs) -> bool:
    try:
        return importer.sniff(path)
    except (OSError, ImportFormatError) as exc:
        found.left_out[str(path)] = f"unreadable ({getattr(exc, 'strerror', None) or exc})"
        return False


def _walk(importer: Importer, folder: Path, found: FolderInputs) -> None:
    try:
        entries = sorted(os.scandir(folder), key=lambda entry: entry.name)
    except OSError as exc:
        found.left_out[str(folder)] = f"unreadable folder ({exc.strerror or exc})"
        return
    kind = importer.source_type
    for entry in entries:
        path = Path(entry.path)
        if entry.name.startswith("."):
            found.left_out[entry.path] = "hidden file"
        elif entry.is_symlink() and path.is_dir():
            # Links to folders are not followed: a link back up the tree would never end.
            found.left_out[entry.path] = "link to a folder, not followed"
        elif entry.name.endswith(SQLITE_SIDECARS) and path.with_name(_without_sidecar(entry.name)).is_file():
            found.left_out[entry.path] = "SQLite journal, read with its database"
        elif _is_mine(importer, path, found):
            found.inputs.append(path)
        elif entry.is_dir(follow_symlinks=False):
            _walk(importer, path, found)
        elif entry.path not in found.left_out:
            # An empty file (Thunderbird's mailbox of a folder never used) is no other kind of file.
            empty = entry.is_file() and entry.stat().st_size == 0
            found.left_out[entry.path] = "empty file" if empty else f"not a {kind} file"


def _without_sidecar(name: str) -> str:
    for suffix in SQLITE_SIDECARS:
        if name.endswith(suffix):
            return name[: -len(suffix)]
    return name
