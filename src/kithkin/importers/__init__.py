"""The importer registry: source name → importer class, loaded lazily so one broken optional
dependency never blocks the others."""

from __future__ import annotations

import importlib
from pathlib import Path

from kithkin.importers.base import Importer
from kithkin.models import ImportFormatError, KithkinError

# source name → "module:Class". Each importer module owns one source (CONTRACT.md names them).
REGISTRY: dict[str, str] = {
    "imessage": "kithkin.importers.imessage:IMessageImporter",
    "calls": "kithkin.importers.calls:CallsImporter",
    "contacts": "kithkin.importers.contacts:ContactsImporter",
    "mail": "kithkin.importers.mail:MboxImporter",
    "calendar": "kithkin.importers.calendar:CalendarImporter",
    "linkedin": "kithkin.importers.linkedin:LinkedInImporter",
    "whatsapp": "kithkin.importers.whatsapp:WhatsAppImporter",
    "signal": "kithkin.importers.signal:SignalImporter",
    "slack": "kithkin.importers.slack:SlackImporter",
    "vault": "kithkin.importers.vault:VaultImporter",
    "granola": "kithkin.importers.granola:GranolaImporter",
}

# Live sources for `kithkin sync`: config `type` → "module:factory(source_config, workspace) -> Importer".
LIVE_REGISTRY: dict[str, str] = {
    "imessage": "kithkin.importers.imessage:live_importer",
    "contacts": "kithkin.importers.contacts:live_importer",
    "carddav": "kithkin.importers.carddav:live_importer",
    "imap": "kithkin.importers.imap:live_importer",
    "ics_url": "kithkin.importers.calendar:url_importer",
    "caldav": "kithkin.importers.caldav:live_importer",
    "wacli": "kithkin.importers.whatsapp:live_importer",
    "vault": "kithkin.importers.vault:live_importer",
    "slack": "kithkin.importers.slack_api:live_importer",
    "calls": "kithkin.importers.calls:live_importer",
    "granola": "kithkin.importers.granola:live_importer",
}


def source_names() -> list[str]:
    return list(REGISTRY)


def _load(target: str, what: str) -> object:
    module_name, _, attribute = target.partition(":")
    try:
        module = importlib.import_module(module_name)
    except ModuleNotFoundError as exc:
        if exc.name == module_name:
            raise KithkinError(f"The {what} importer is not available in this version of Kithkin.") from exc
        raise
    return getattr(module, attribute)


def get_importer(source: str) -> Importer:
    """A fresh importer for a source name; a clear error for an unknown one."""
    if source not in REGISTRY:
        raise KithkinError(f"Unknown source '{source}'; choose one of: {', '.join(REGISTRY)}.")
    return _load(REGISTRY[source], source)()  # type: ignore[operator]


def available_sources() -> list[str]:
    """Sources whose importer module is present."""
    found = []
    for name, target in REGISTRY.items():
        try:
            importlib.import_module(target.partition(":")[0])
        except ModuleNotFoundError:
            continue
        found.append(name)
    return found


def live_importer_factory(source_type: str):
    if source_type not in LIVE_REGISTRY:
        raise KithkinError(f"Unknown live source type '{source_type}'; use one of: {', '.join(LIVE_REGISTRY)}.")
    return _load(LIVE_REGISTRY[source_type], source_type)


def sniff_source(path: Path) -> str | None:
    """The first available source whose importer recognises the file."""
    for name in available_sources():
        try:
            if get_importer(name).sniff(path):
                return name
        except (OSError, ImportFormatError):  # unreadable, or refused outright (far too large)
            continue
    return None
