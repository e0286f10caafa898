"""Meeting notes: Granola's local cache (`cache-v*.json`) and markdown meeting exports, Granola's and
the same shape from other note takers. One "meeting" interaction per meeting, its attendees as
participants.

The cache (FORMATS.md § Granola): the top-level "cache" is a JSON string (v3) or an object (later);
`state.documents[id]` has id, title, created_at, notes_markdown/notes_plain, `people` (`creator`,
`attendees[{name, email}]`) and `google_calendar_event` (attendees, organizer, start). Undocumented,
so read leniently: a missing part is left out, never an error.

A markdown export has a `# Title`, a date (frontmatter `date:`, a `Date:` line, or YYYY-MM-DD in the
file name) and its attendees: frontmatter `attendees:`/`participants:`, an `Attendees:` line, an
`## Attendees` list, or the speakers of a transcript (`**Name:** text`). A `Meeting ID:` line (the
exporters write the Granola id) makes the export and the cache the same meeting.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, ClassVar

from kithkin.config import LiveSource
from kithkin.importers import limits
from kithkin.importers.markdown_notes import (
    NOTE_SUFFIXES,
    as_list,
    date_in_name,
    fold_name,
    parse_when,
    person_entry,
    split_frontmatter,
)
from kithkin.models import Identity, ImportFormatError, KithkinError, Observation

DEFAULT_GRANOLA_FOLDER = Path("~/Library/Application Support/Granola")

CACHE_NAME = re.compile(r"^cache-v(\d+)\.json$", re.IGNORECASE)
ATTENDEE_KEYS = ("attendees", "participants")
_HEADER_LINE = re.compile(
    r"^\s*(?:\*\*)?(date|meeting id|attendees|participants)(?:\*\*)?\s*:\s*(?:\*\*)?\s*(.*)$", re.I
)
_SECTION = re.compile(r"^#{2,4}\s*(attendees|participants|transcript)\b", re.I)
_HEADING = re.compile(r"^#{1,6}\s")
_BULLET = re.compile(r"^\s*[-*+]\s+(.*)$")
_BOLD_SPEAKER = re.compile(r"^\*\*([^*\n]{2,60}?):?\*\*:?\s")
_PLAIN_SPEAKER = re.compile(r"^([A-Z][\w.'’-]*(?: [A-Z][\w.'’-]*){0,3}):\s")
_PAREN_EMAIL = re.compile(r"^(.*?)\s*\(([^()\s]+@[^()\s]+)\)\s*$")
# Transcript speakers that are not people: Granola's own labels and numbered speakers.
_NOT_SPEAKERS = {"me", "them", "you", "unknown", "system", "microphone", "speaker", "note", "notes", "summary"}
_SNIPPET_CHARS = 280
_SNIFF_NOTES = 5


def _cache_files(folder: Path) -> list[Path]:
    found = [p for p in folder.iterdir() if p.is_file() and CACHE_NAME.match(p.name)]
    return sorted(found, key=lambda p: int(CACHE_NAME.match(p.name)[1]))  # type: ignore[index]


def _markdown_files(folder: Path) -> list[Path]:
    return sorted(
        p
        for p in folder.rglob("*")
        if p.is_file() and p.suffix.lower() in NOTE_SUFFIXES and not any(x.startswith(".") for x in p.parts)
    )


def meeting_shape(text: str) -> bool:
    """Does a markdown text read like a meeting export (attendees, or an exporter's Meeting ID)?"""
    meta, body = split_frontmatter(text)
    if any(meta.get(k) for k in ATTENDEE_KEYS):
        return True
    for line in body.splitlines()[:60]:
        header = _HEADER_LINE.match(line)
        if header and header[1].lower() != "date" and header[2].strip():
            return True
        section = _SECTION.match(line)
        if section and section[1].lower() != "transcript":
            return True
    return False


def _head(path: Path, size: int = 16384) -> str:
    with path.open("rb") as handle:
        return handle.read(size).decode("utf-8-sig", "replace")


def looks_like_granola(folder: Path) -> bool:
    """A folder of Granola's (a cache file) or of meeting exports only: not a general note vault."""
    if not folder.is_dir() or (folder / ".obsidian").exists():
        return False
    if _cache_files(folder):
        return True
    notes = _markdown_files(folder)[:_SNIFF_NOTES]
    return bool(notes) and all(meeting_shape(_head(p)) for p in notes)


def _person(name: Any, email: Any, role: str) -> Identity | None:
    """A participant from a name and/or an email; values of another type (the cache is undocumented) count as absent."""
    name = name.strip() or None if isinstance(name, str) else None
    email = email.strip() or None if isinstance(email, str) else None
    if email:
        return Identity(source_id=email.lower(), name=name, emails=(email,), role=role)
    if name:
        return Identity(source_id="name:" + fold_name(name), name=name, role=role)
    return None


def _people_from_text(raw: str, role: str) -> Identity | None:
    paren = _PAREN_EMAIL.match(raw.strip())
    if paren:
        return _person(paren[1], paren[2], role)
    name, email = person_entry(raw)
    return _person(name, email, role)


def _dedupe(people: list[Identity | None]) -> list[Identity]:
    """One participant per person; the organizer role wins over attendee. A name seen without an email (a
    transcript speaker) is the same person as that name seen with one."""
    present = [p for p in people if p is not None]
    with_email = {fold_name(p.name): p.source_id for p in present if p.emails and p.name}
    found: dict[str, Identity] = {}
    for person in present:
        if not person.emails and person.name:
            person.source_id = with_email.get(fold_name(person.name), person.source_id)
        known = found.get(person.source_id)
        if known is None:
            found[person.source_id] = person
        elif person.role == "organizer" or (not known.name and person.name):
            person.name = person.name or known.name
            person.emails = person.emails or known.emails
            person.role = "organizer" if "organizer" in (person.role, known.role) else person.role
            found[person.source_id] = person
    return list(found.values())


def _parse_date_text(text: str) -> datetime | None:
    text = text.strip()
    moment = parse_when(text)
    if moment is not None:
        return moment
    for pattern in ("%Y-%m-%d %H:%M", "%B %d, %Y %I:%M %p", "%B %d, %Y", "%d %B %Y", "%b %d, %Y"):
        try:
            return datetime.strptime(text, pattern).replace(tzinfo=UTC)
        except ValueError:
            continue
    return None


class GranolaImporter:
    """`kithkin import granola cache-v3.json|EXPORTS_FOLDER|MEETING.md`."""

    source_type: ClassVar[str] = "granola"

    def __init__(self) -> None:
        self.total: int | None = None
        self.report: dict[str, Any] = {}

    def sniff(self, path: Path) -> bool:
        if path.is_dir():
            return looks_like_granola(path)
        if CACHE_NAME.match(path.name):
            return True
        if path.suffix.lower() == ".json":
            head = _head(path, 4096).lstrip()
            return head.startswith("{") and '"cache"' in head
        return path.suffix.lower() in NOTE_SUFFIXES and meeting_shape(_head(path))

    def cursor(self) -> str | None:
        # Meetings are unique by their id in the store: a re-import rewrites nothing, so no cursor is needed.
        return None

    def read(self, path: Path, cursor: str | None) -> Iterator[Observation | Exception]:
        self.report = {"meetings": 0, "meetings_without_attendees": 0}
        if path.is_dir():
            caches = _cache_files(path)
            notes = _markdown_files(path)
            if not caches and not notes:
                raise ImportFormatError(
                    path, "holds no Granola cache (cache-v*.json) nor meeting notes (.md); choose the right folder"
                )
            # Only the highest cache version is current; older ones are left behind by app updates.
            documents = self._cache_documents(caches[-1]) if caches else []
            yield from self._count(documents)
            for note in notes:
                yield from self._count([self._markdown(note, path, strict=False)])
        elif path.suffix.lower() in NOTE_SUFFIXES:
            yield from self._count([self._markdown(path, path.parent, strict=True)])
        else:
            yield from self._count(self._cache_documents(path))

    def _count(self, items: list[Observation | Exception | None]) -> Iterator[Observation | Exception]:
        for item in items:
            if item is None:
                self.report["meetings_without_attendees"] += 1
                continue
            if isinstance(item, Observation):
                self.report["meetings"] += 1
            yield item

    # --- the cache ---------------------------------------------------------------------------------

    def _cache_documents(self, path: Path) -> list[Observation | Exception | None]:
        """Every document of the cache, parsed up front: a broken cache is refused before anything is stored."""
        data = limits.read_bytes(path, limits.JSON_FILE, "Granola cache")
        try:
            outer = limits.loads_json(data)
            cache = outer["cache"] if isinstance(outer, dict) else None
            if isinstance(cache, str):
                cache = limits.loads_json(cache)
        except limits.TooDeep as exc:
            raise ImportFormatError(path, str(exc)) from None
        except (ValueError, KeyError, UnicodeDecodeError) as exc:
            raise ImportFormatError(path, "is not a Granola cache (expected JSON with a 'cache' entry)") from exc
        state = cache.get("state", cache) if isinstance(cache, dict) else None
        if not isinstance(state, dict) or not isinstance(state.get("documents"), (dict, list)):
            raise ImportFormatError(path, "is a JSON file without Granola meetings (no 'state.documents'); check it")
        documents: dict[str, Any] = {}
        for key in ("sharedDocuments", "documents"):  # own documents win over shared copies
            value = state.get(key) or {}
            for doc in value.values() if isinstance(value, dict) else value:
                if isinstance(doc, dict) and doc.get("id"):
                    documents[str(doc["id"])] = doc
        self.total = len(documents)
        return [_lenient(doc) for doc in documents.values() if not doc.get("deleted_at")]

    @staticmethod
    def _document(doc: dict[str, Any]) -> Observation | Exception | None:
        event = doc.get("google_calendar_event") if isinstance(doc.get("google_calendar_event"), dict) else {}
        start = event.get("start") if isinstance(event.get("start"), dict) else {}
        moment = parse_when(start.get("dateTime") or start.get("date")) or parse_when(doc.get("created_at"))
        if moment is None:
            return ValueError(f"Granola meeting {doc['id']} has no date; skipped")
        people: list[Identity | None] = []
        doc_people = doc.get("people") if isinstance(doc.get("people"), dict) else {}
        creator = doc_people.get("creator")
        if isinstance(creator, dict):
            people.append(_person(creator.get("name"), creator.get("email"), "attendee"))
        for attendee in _list(doc_people.get("attendees")):
            if isinstance(attendee, dict):
                details = attendee.get("details") if isinstance(attendee.get("details"), dict) else {}
                person = details.get("person") if isinstance(details.get("person"), dict) else {}
                full = person.get("name", {}).get("fullName") if isinstance(person.get("name"), dict) else None
                people.append(_person(attendee.get("name") or full, attendee.get("email"), "attendee"))
        organizer = event.get("organizer") if isinstance(event.get("organizer"), dict) else {}
        for attendee in _list(event.get("attendees")):
            if (
                not isinstance(attendee, dict)
                or attendee.get("resource")
                or attendee.get("responseStatus") == "declined"
            ):
                continue
            is_organizer = attendee.get("organizer") or attendee.get("email") == organizer.get("email")
            people.append(
                _person(attendee.get("displayName"), attendee.get("email"), "organizer" if is_organizer else "attendee")
            )
        participants = _dedupe(people)
        if not participants:
            return None
        notes = doc.get("notes_markdown") or doc.get("notes_plain") or ""
        return Observation(
            source_id=str(doc["id"]),
            kind="meeting",
            occurred_at=moment,
            participants=participants,
            title=str(doc.get("title") or event.get("summary") or "").strip() or None,
            snippet=" ".join(str(notes).split())[:_SNIPPET_CHARS] or None,
            text=" ".join(str(notes).split()) or None,  # the meeting notes, searched whole
            metadata={"calendar_event_id": event["id"]} if event.get("id") else {},
        )

    # --- markdown exports --------------------------------------------------------------------------

    def _markdown(self, path: Path, root: Path, *, strict: bool) -> Observation | Exception | None:
        try:
            data = limits.read_bytes(path, limits.TEXT_FILE, "meeting note")
        except OSError as exc:
            return ValueError(f"{path.name} could not be read ({exc.strerror}); skipped")
        except ImportFormatError as exc:
            if strict:
                raise
            return ValueError(f"{path.relative_to(root).as_posix()} {exc.problem}; skipped")
        text = data.decode("utf-8-sig", "replace").replace("\r\n", "\n")
        if b"\x00" in data[:8192] or not meeting_shape(text):
            problem = "is not a meeting note (expected a title, a date and its attendees or a Meeting ID)"
            if strict:
                raise ImportFormatError(path, problem)
            return ValueError(f"{path.relative_to(root).as_posix()} {problem}; skipped")
        meta, body = split_frontmatter(text)
        title = str(meta.get("title") or "").strip() or None
        meeting_id = str(meta.get("id") or meta.get("meeting_id") or meta.get("granola_id") or "").strip() or None
        moment = parse_when(meta.get("date")) or parse_when(meta.get("created_at")) or parse_when(meta.get("created"))
        people: list[Identity | None] = []
        for key in ATTENDEE_KEYS:
            value = meta.get(key)
            mappings = [e for e in value if isinstance(e, dict)] if isinstance(value, list) else []
            for entry in mappings:
                name, email = entry.get("name"), entry.get("email")
                people.append(
                    _person(
                        name if isinstance(name, str) else None, email if isinstance(email, str) else None, "attendee"
                    )
                )
            people.extend(_people_from_text(entry, "attendee") for entry in as_list(value))
        section = None
        lines = []
        for line in body.splitlines():
            if title is None and line.startswith("# "):
                title = line[2:].strip() or None
                continue
            header = _HEADER_LINE.match(line)
            if header and section != "transcript":
                key, value = header[1].lower(), header[2].strip().strip("*").strip()
                if key == "date":
                    moment = moment or _parse_date_text(value)
                elif key == "meeting id":
                    meeting_id = meeting_id or value or None
                elif value:
                    people.extend(_people_from_text(part, "attendee") for part in value.split(",") if part.strip())
                else:
                    section = key  # the list follows on its own lines
                continue
            heading = _SECTION.match(line)
            if heading:
                section = heading[1].lower()
                continue
            if _HEADING.match(line):
                section = None
                continue
            if not line.strip("-*_ "):
                continue  # blank lines and rules
            if section in ("attendees", "participants"):
                bullet = _BULLET.match(line)
                if bullet:
                    people.append(_people_from_text(bullet[1], "attendee"))
                    continue
            speaker = _BOLD_SPEAKER.match(line) or (_PLAIN_SPEAKER.match(line) if section == "transcript" else None)
            if speaker and _is_person_label(speaker[1]):
                people.append(_person(speaker[1], None, "attendee"))
            lines.append(line)
        participants = _dedupe(people)
        if not participants:
            return None
        moment = moment or date_in_name(path.stem) or datetime.fromtimestamp(path.stat().st_mtime, UTC)
        text = " ".join(" ".join(lines).split())
        snippet = text[:_SNIPPET_CHARS] or None
        return Observation(
            source_id=meeting_id or "file:" + path.relative_to(root).as_posix(),
            kind="meeting",
            occurred_at=moment,
            participants=participants,
            title=title or path.stem,
            snippet=snippet,
            metadata={"file": path.name},
            text=text or None,
        )


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def _lenient(doc: dict[str, Any]) -> Observation | Exception | None:
    """One cache document; one of an unexpected shape is a skipped record, not a failed import."""
    try:
        return GranolaImporter._document(doc)
    except (TypeError, AttributeError, ValueError) as exc:
        return ValueError(f"Granola meeting {doc.get('id')} has an unexpected shape ({exc}); skipped")


def _is_person_label(label: str) -> bool:
    words = label.strip().split()
    if not words or len(words) > 4 or words[0].casefold() in _NOT_SPEAKERS:
        return False
    return not any(ch.isdigit() for ch in label)


def live_importer(source: LiveSource, workspace: object) -> tuple[GranolaImporter, Path]:
    """`sync` of Granola's cache folder in place (config: `type: granola`, optional `path`)."""
    extra = source.model_extra or {}
    path = Path(str(extra.get("path") or DEFAULT_GRANOLA_FOLDER)).expanduser()
    if not path.is_dir():
        raise KithkinError(
            f"The Granola folder {path} was not found; set 'path' for the granola source in config.yaml "
            "to the folder that holds cache-v3.json."
        )
    return GranolaImporter(), path
