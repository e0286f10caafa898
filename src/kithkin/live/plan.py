"""How each live source is kept current: the files to watch for a store read in place, or how often to
ask a server. Read from config.yaml; a source's `interval_minutes` overrides its type's default."""

from __future__ import annotations

import fnmatch
import sys
from dataclasses import dataclass
from pathlib import Path

from kithkin.config import LiveSource
from kithkin.importers.calls import DEFAULT_CALL_HISTORY
from kithkin.importers.contacts_macos import ADDRESS_BOOK_FOLDER
from kithkin.importers.granola import DEFAULT_GRANOLA_FOLDER
from kithkin.importers.imessage import DEFAULT_CHAT_DB
from kithkin.importers.whatsapp import DEFAULT_WACLI_STORE

# Remote sources are asked this often unless config.yaml says otherwise. IMAP waits for mail with IDLE
# where the server offers it and falls back to this interval where it does not (or while it cannot).
DEFAULT_INTERVAL_MINUTES = {"imap": 5.0, "caldav": 15.0, "carddav": 15.0, "ics_url": 60.0, "slack": 15.0}
# The SQLite stores read in place: their file, found in the configured folder when `path` names one.
# The write-ahead log counts (a message lands there first); the shared-memory index does not: readers
# write it too, and a sync would wake itself.
SQLITE_STORES = {"imessage": DEFAULT_CHAT_DB, "calls": DEFAULT_CALL_HISTORY, "wacli": DEFAULT_WACLI_STORE / "wacli.db"}
# Granola rewrites its cache file in place; its other files (settings, tokens) change on their own.
GRANOLA_FILES = ("cache-v*.json", "*.md", "*.markdown")
ADDRESS_BOOK_FILES = ("*.abcddb", "*.abcddb-wal")


@dataclass(frozen=True)
class Watch:
    """A folder whose files matching `patterns` (hidden ones never) make a source sync again."""

    folder: Path
    recursive: bool
    patterns: tuple[str, ...] = ("*",)

    def concerns(self, path: Path) -> bool:
        try:
            relative = path.relative_to(self.folder)
        except ValueError:
            return False
        if not relative.parts or (not self.recursive and len(relative.parts) > 1):
            return False
        if any(part.startswith(".") for part in relative.parts):
            return False  # .obsidian, .git, .DS_Store: the app's own bookkeeping, never the user's notes
        return any(fnmatch.fnmatchcase(relative.name, pattern) for pattern in self.patterns)


@dataclass(frozen=True)
class Plan:
    source: LiveSource
    key: str  # type:account, the name the user sees
    watch: Watch | None  # a store read in place
    interval: float | None  # seconds between syncs; None: only when something changes
    push: bool = False  # IMAP: wait for new mail with IDLE


def source_key(source: LiveSource) -> str:
    return f"{source.type}:{source.account}" if source.account else source.type


def plan_for(source: LiveSource) -> Plan:
    configured = source.interval_minutes * 60 if source.interval_minutes else None
    default = DEFAULT_INTERVAL_MINUTES.get(source.type)
    return Plan(
        source=source,
        key=source_key(source),
        watch=_watch_for(source),
        interval=configured or (default * 60 if default else None),
        push=source.type == "imap",
    )


def _configured_path(source: LiveSource) -> Path | None:
    value = (source.model_extra or {}).get("path")
    return Path(str(value)).expanduser() if value else None


def _watch_for(source: LiveSource) -> Watch | None:
    if source.type in SQLITE_STORES:
        default = SQLITE_STORES[source.type]
        path = _configured_path(source) or default.expanduser()
        if path.is_dir() or not path.suffix:  # the folder that holds the store (~/.wacli, ~/Library/Messages)
            path = path / default.name
        return Watch(path.parent, recursive=False, patterns=(path.name, f"{path.name}-wal"))
    if source.type == "vault":
        path = _configured_path(source)
        return Watch(path, recursive=True) if path else None
    if source.type == "granola":
        path = _configured_path(source) or DEFAULT_GRANOLA_FOLDER.expanduser()
        return Watch(path, recursive=False, patterns=GRANOLA_FILES)
    if source.type == "contacts" and sys.platform == "darwin":
        return Watch(ADDRESS_BOOK_FOLDER.expanduser(), recursive=True, patterns=ADDRESS_BOOK_FILES)
    return None
