"""The home holds everything a person ever said to anyone: its folders are the owner's alone (0700),
its files too (0600). Files are created that way: a process that opens a home creates every file
private from then on (umask), the home's own files are also created private explicitly (SQLite gives
its WAL and SHM files the mode of the database file), and a home found readable by others is
repaired when opened, with a notice."""

from __future__ import annotations

import logging
import os
import stat
from pathlib import Path

FOLDER_MODE = 0o700
FILE_MODE = 0o600
_log = logging.getLogger("kithkin")


def keep_new_files_private() -> None:
    """From now on this process (and the processes it starts) creates files and folders for their owner
    alone, whatever else writes into the home: a live sync's status, an import job's upload, an export."""
    os.umask(os.umask(0o077) | 0o077)


def private_folder(path: Path) -> Path:
    """Create `path` and its missing parents readable by the owner alone; existing folders keep their mode."""
    for folder in reversed([path, *path.parents]):
        if not folder.exists():
            folder.mkdir(mode=FOLDER_MODE, exist_ok=True)
    return path


def create_private(path: Path, *, exclusive: bool = False) -> None:
    """Create `path` empty with mode 0600 when it does not exist (FileExistsError if `exclusive`)."""
    flags = os.O_WRONLY | os.O_CREAT | (os.O_EXCL if exclusive else 0)
    os.close(os.open(path, flags, FILE_MODE))


def write_private(path: Path, data: bytes | str) -> None:
    """Write a whole file, created 0600 (an existing file is made 0600 too)."""
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, FILE_MODE)
    os.fchmod(descriptor, FILE_MODE)
    with os.fdopen(descriptor, "wb") as handle:
        handle.write(data.encode("utf-8") if isinstance(data, str) else data)


def make_private(path: Path) -> None:
    """Give an existing file mode 0600."""
    os.chmod(path, FILE_MODE)


def repair_home(home: Path) -> int:
    """Take group and other access off the home and everything in it; return how many entries were
    open to others (a one-line notice on stderr says so). Symbolic links are left alone."""
    repaired = 0
    for folder, folders, files in os.walk(home):
        for entry in [folder, *(os.path.join(folder, name) for name in files)]:
            info = os.lstat(entry)
            if stat.S_ISLNK(info.st_mode) or not info.st_mode & 0o077:
                continue
            os.chmod(entry, stat.S_IMODE(info.st_mode) & ~0o077)
            repaired += 1
        folders[:] = [name for name in folders if not os.path.islink(os.path.join(folder, name))]
    if repaired:
        _log.warning("Kithkin made %s private: %d of its files and folders were open to other users.", home, repaired)
    return repaired
