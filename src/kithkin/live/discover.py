"""The local stores `kithkin init` offers to keep current: those that exist at their standard paths on
this machine (under Path.home(), so HOME decides), each readable or with the one sentence that says why not."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from kithkin.config import LiveSource, Settings
from kithkin.importers import contacts_macos
from kithkin.importers.calls import DEFAULT_CALL_HISTORY
from kithkin.importers.contacts_macos import ADDRESS_BOOK_FOLDER
from kithkin.importers.granola import DEFAULT_GRANOLA_FOLDER
from kithkin.importers.imessage import DEFAULT_CHAT_DB
from kithkin.importers.whatsapp import DEFAULT_WACLI_STORE

# (live source type, what the user calls it, where it lives, the file that must be there to read it)
STANDARD_STORES = (
    ("imessage", "Messages", DEFAULT_CHAT_DB, None),
    ("calls", "the call history", DEFAULT_CALL_HISTORY, None),
    ("contacts", "Contacts", ADDRESS_BOOK_FOLDER, None),
    ("wacli", "WhatsApp (the wacli store)", DEFAULT_WACLI_STORE, "wacli.db"),
    ("granola", "Granola", DEFAULT_GRANOLA_FOLDER, "cache-v3.json"),
)


@dataclass(frozen=True)
class FoundStore:
    type: str
    label: str
    path: Path
    problem: str | None  # why it cannot be kept current; None when it can
    configured: bool  # config.yaml has a live source of this type already

    def as_dict(self) -> dict[str, Any]:
        return {
            "type": self.type,
            "label": self.label,
            "path": str(self.path),
            "readable": self.problem is None,
            "problem": self.problem,
            "configured": self.configured,
        }

    def live_source(self) -> LiveSource:
        if self.type == "contacts":
            return LiveSource(type="contacts", account="macos")  # read through the Contacts framework, not a path
        return LiveSource(type=self.type, account="local", path=str(self.path))


def local_stores(settings: Settings) -> list[FoundStore]:
    """The standard local stores that exist here, in a fixed order."""
    configured = {source.type for source in settings.sources}
    found = []
    for kind, label, where, inside in STANDARD_STORES:
        path = where.expanduser()
        if not path.exists():
            continue
        found.append(FoundStore(kind, label, path, _problem(kind, label, path, inside), kind in configured))
    return found


def add_sources(settings: Settings, stores: list[FoundStore]) -> list[FoundStore]:
    """Add a live source to `settings` for each readable store not configured yet; returns those added."""
    added = [store for store in stores if store.problem is None and not store.configured]
    settings.sources = [*settings.sources, *(store.live_source() for store in added)]
    return added


def _problem(kind: str, label: str, path: Path, inside: str | None) -> str | None:
    if kind == "contacts" and not contacts_macos.available():
        return (
            f"{label} at {path} is read through macOS's Contacts framework: install it with "
            "`pip install 'kithkin[macos]'` on the Mac."
        )
    target = path / inside if inside else path
    try:
        if target.is_dir():
            next(iter(target.iterdir()), None)
        else:
            with target.open("rb") as handle:
                handle.read(16)
    except FileNotFoundError:
        return f"{label} at {path} has no {inside} yet; run the app once, then kithkin init again."
    except PermissionError:
        return (
            f"{label} at {path} cannot be read: give your terminal Full Disk Access (System Settings > Privacy & "
            "Security > Full Disk Access), then run kithkin init again."
        )
    except OSError as exc:
        return f"{label} at {path} cannot be read ({exc.strerror})."
    return None
