"""Finding a vault's notes, in a folder or a zip of one, and reading one note's text.

What cannot be read is named with its reason rather than stopping the import: a symlink loop
(`self.md -> self.md`), a link to nothing, a zip member that is a symbolic link, a file or folder that
cannot be opened (permission denied, an I/O error), a note too large, binary or empty.
"""

from __future__ import annotations

import errno
import os
import stat
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import partial
from pathlib import Path
from typing import Any

from kithkin.importers.base import ZIP_ERRORS
from kithkin.importers.markdown_notes import NOTE_SUFFIXES
from kithkin.importers.obsidian import MAX_SETTINGS_BYTES, VaultSettings, read_settings
from kithkin.importers.vault_people import people_folder_index

MAX_NOTE_BYTES = 5 * 1024 * 1024
Problem = tuple[str, str]  # (path in the vault, why it was not read)


@dataclass(slots=True)
class NoteFile:
    """One markdown file of a vault: where it is (relative, POSIX) and how to read it; after the first
    pass, whether it is a template or a person's page, and its frontmatter if it is to be read."""

    rel: str
    mtime: float
    size: int
    load: Callable[[], bytes]
    folder: str = field(init=False)  # "" at the vault's top
    stem: str = field(init=False)
    template: bool = False
    mark: str | None = None  # why this is a person's page, if it is one
    meta: dict[str, Any] | None = None

    def __post_init__(self) -> None:
        self.folder, _, name = self.rel.rpartition("/")
        self.stem = name.rpartition(".")[0] or name

    @property
    def context(self) -> str:
        """The folder a note belongs to; for a page under a People/ folder, the folder holding that one:
        a person's page says who they are, not where they belong."""
        parts = self.folder.split("/")
        index = people_folder_index(parts) if self.mark else None
        return "/".join(parts[:index]) if index is not None else self.folder


def _hidden(parts: tuple[str, ...]) -> bool:
    return any(part.startswith(".") or part == "__MACOSX" for part in parts)


def _os_problem(exc: OSError) -> str:
    return "symlink loop" if exc.errno == errno.ELOOP else "unreadable"


def folder_notes(root: Path) -> tuple[list[NoteFile], list[Problem]]:
    """The notes of a vault folder, and the files and folders that could not be listed: (path, why)."""
    found = []
    problems = []
    stack = [""]  # folders relative to the root, each ending in "/" but the root
    while stack:
        folder = stack.pop()
        try:
            entries = list(os.scandir(root / folder))
        except OSError as exc:
            problems.append((folder, _os_problem(exc)))
            continue
        for entry in entries:
            if entry.name.startswith("."):
                continue
            rel = folder + entry.name  # POSIX: the relative path the importer keys notes by
            try:
                if entry.is_dir(follow_symlinks=False):
                    stack.append(rel + "/")
                    continue
                if not entry.name.lower().endswith(NOTE_SUFFIXES):
                    continue
                if not entry.is_file():
                    if entry.is_symlink():
                        problems.append((rel, "not a file" if os.path.exists(entry.path) else "broken link"))
                    continue
                info = entry.stat()
            except OSError as exc:  # `self.md -> self.md`: is_file() raises rather than say no
                problems.append((rel, _os_problem(exc)))
                continue
            found.append(NoteFile(rel, info.st_mtime, info.st_size, partial(_read_file, entry.path)))
    return found, problems


def _read_file(path: str) -> bytes:
    with open(path, "rb") as file:
        return file.read()


def folder_settings(root: Path) -> VaultSettings:
    def load(rel: str) -> bytes | None:
        try:
            path = root / rel
            return path.read_bytes() if path.stat().st_size <= MAX_SETTINGS_BYTES else None
        except OSError:
            return None

    return read_settings(load)


def _zip_root(names: list[str]) -> str:
    """The folder inside a zip that is the vault: where `.obsidian/` is, else the one top folder."""
    for name in names:
        parts = name.split("/")
        if ".obsidian" in parts:
            return "/".join(parts[: parts.index(".obsidian")])
    tops = {name.split("/", 1)[0] for name in names if "/" in name}
    loose = [name for name in names if "/" not in name]
    return tops.pop() if len(tops) == 1 and not loose else ""


def zip_notes(archive: zipfile.ZipFile) -> tuple[list[NoteFile], list[Problem], VaultSettings]:
    """The notes of a zipped vault, the members that are not notes but links to them, and its settings."""
    infos = [info for info in archive.infolist() if not info.is_dir()]
    root = _zip_root([info.filename for info in infos])
    found = []
    problems = []
    for info in infos:
        name = info.filename
        if root and not name.startswith(root + "/"):
            continue
        rel = name[len(root) + 1 :] if root else name
        if not rel.lower().endswith(NOTE_SUFFIXES) or _hidden(tuple(rel.split("/"))):
            continue
        if stat.S_ISLNK(info.external_attr >> 16):  # `zip --symlinks` stores the link's target as its text
            problems.append((rel, "symbolic link"))
            continue
        try:
            moment = datetime(*info.date_time, tzinfo=UTC).timestamp()
        except ValueError:
            moment = 0.0
        found.append(NoteFile(rel, moment, info.file_size, partial(archive.read, name)))

    def load(rel: str) -> bytes | None:
        try:
            info = archive.getinfo(f"{root}/{rel}" if root else rel)
            return archive.read(info) if info.file_size <= MAX_SETTINGS_BYTES else None
        except (KeyError, *ZIP_ERRORS):
            return None

    return found, problems, read_settings(load)


def note_text(note: NoteFile) -> tuple[str, str | None]:
    """(text, None), or ("", why the note is skipped: unreadable, too large, binary, empty)."""
    if note.size > MAX_NOTE_BYTES:
        return "", "too large"
    try:
        data = note.load()
    except ZIP_ERRORS:  # OSError among them: permission denied, an I/O error, a file gone since listed
        return "", "unreadable"
    if b"\x00" in data[:8192]:
        return "", "binary"
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = data.decode("latin-1")
    if not text.strip():
        return "", "empty"
    return text.replace("\r\n", "\n"), None
