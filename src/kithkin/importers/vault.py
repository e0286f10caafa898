"""Markdown vaults (Obsidian style): a folder of notes, or a zip of one, imported or synced in place.

Every note is read. A note that mentions people becomes one "note" interaction with each of them as a
participant, so people mentioned together are related. People are found in:

- frontmatter `people:` and `attendees:` (names, `[[links]]`, "Name <email>" or bare emails);
- `[[wikilinks]]` (`[[X|shown]]`, `[[X#heading]]`, `[[X^block]]`): a link is a person when it leads to
  a person page or a known name, or leads to no note at all and reads as a full name; an embed `![[X]]`
  only when it leads to a person page;
- the plain-text full names, written with capitals, of people already known (`known_names`, filled by
  ingest from the store) and of the vault's own person pages and their multi-word aliases.

`People/Full Name.md` is that person's own page (`aliases:`/`alias`, `email`, `company`, `position`).
A note's folder is its context (`Work/ML`), mapped to a category and vault contexts by
`crm_mappings.yaml` (`mappings`, filled by ingest). Its date comes from the frontmatter (`date:`,
`created:`), else a YYYY-MM-DD in its file name, else its modification time. Folders whose names start
with a dot (`.obsidian`, `.trash`, `.git`) hold no notes of the vault and are not read.

The cursor is the newest modification time fully read: a re-sync reads only notes changed since.
`report` says how many notes were found, read, unchanged and skipped (and why), and how many mention
people.
"""

from __future__ import annotations

import os
import zipfile
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from kithkin.importers.base import ZIP_ERRORS
from kithkin.importers.markdown_notes import (
    EMAIL,
    NOTE_SUFFIXES,
    WIKILINK,
    Directory,
    as_list,
    date_in_name,
    fold_name,
    link_target,
    parse_when,
    person_entry,
    split_frontmatter,
)
from kithkin.models import Identity, ImportFormatError, KithkinError, Observation

if TYPE_CHECKING:
    from kithkin.config import LiveSource, Mappings
    from kithkin.workspace import Workspace

MAX_NOTE_BYTES = 5 * 1024 * 1024
PEOPLE_FOLDER = "people"
PEOPLE_KEYS = ("people", "attendees")
_SNIPPET_CHARS = 280
_ROLE_RANK = {"card": 0, "attendee": 1, "mention": 2}


@dataclass(slots=True)
class NoteFile:
    """One markdown file of a vault: where it is (relative, POSIX) and how to read it."""

    rel: str
    mtime: float
    size: int
    load: Callable[[], bytes]
    folder: str = field(init=False)  # "" at the vault's top
    stem: str = field(init=False)
    # For a person's page (anywhere under a People/ folder): the folder holding that People/ folder.
    page_of: str | None = field(init=False)

    def __post_init__(self) -> None:
        self.folder, _, name = self.rel.rpartition("/")
        self.stem = name.rpartition(".")[0] or name
        parts = self.folder.split("/")
        folded = [p.casefold() for p in parts]
        self.page_of = "/".join(parts[: folded.index(PEOPLE_FOLDER)]) if PEOPLE_FOLDER in folded else None

    @property
    def is_person_page(self) -> bool:
        return self.page_of is not None


def _hidden(parts: tuple[str, ...]) -> bool:
    return any(part.startswith(".") or part == "__MACOSX" for part in parts)


def _folder_notes(root: Path) -> list[NoteFile]:
    found = []
    stack = [root]
    while stack:
        folder = stack.pop()
        try:
            entries = list(os.scandir(folder))
        except OSError:
            continue
        for entry in entries:
            if entry.name.startswith("."):
                continue
            if entry.is_dir(follow_symlinks=False):
                stack.append(Path(entry.path))
            elif entry.name.lower().endswith(NOTE_SUFFIXES) and entry.is_file():
                stat = entry.stat()
                path = Path(entry.path)
                found.append(NoteFile(path.relative_to(root).as_posix(), stat.st_mtime, stat.st_size, path.read_bytes))
    return found


def _zip_root(names: list[str]) -> str:
    """The folder inside a zip that is the vault: where `.obsidian/` is, else the one top folder."""
    for name in names:
        parts = name.split("/")
        if ".obsidian" in parts:
            return "/".join(parts[: parts.index(".obsidian")])
    tops = {name.split("/", 1)[0] for name in names if "/" in name}
    loose = [name for name in names if "/" not in name]
    return tops.pop() if len(tops) == 1 and not loose else ""


def _zip_notes(path: Path, archive: zipfile.ZipFile) -> list[NoteFile]:
    infos = [info for info in archive.infolist() if not info.is_dir()]
    root = _zip_root([info.filename for info in infos])
    found = []
    for info in infos:
        name = info.filename
        if root and not name.startswith(root + "/"):
            continue
        rel = name[len(root) + 1 :] if root else name
        if not rel.lower().endswith(NOTE_SUFFIXES) or _hidden(tuple(rel.split("/"))):
            continue
        try:
            moment = datetime(*info.date_time, tzinfo=UTC).timestamp()
        except ValueError:
            moment = 0.0
        found.append(NoteFile(rel, moment, info.file_size, lambda name=name: archive.read(name)))
    return found


class VaultImporter:
    """`kithkin import vault FOLDER|VAULT.zip`, and `kithkin sync` of a configured vault folder."""

    source_type: ClassVar[str] = "vault"

    def __init__(self, mappings: Mappings | None = None) -> None:
        self.mappings = mappings
        self.known_names: set[str] = set()
        self.total: int | None = None
        self.report: dict[str, Any] = {}
        self._cursor: str | None = None
        self._people: dict[str, dict[str, Any]] = {}
        self._contexts: dict[str, set[str]] = {}
        self._categories: dict[str, Counter[str]] = {}

    def sniff(self, path: Path) -> bool:
        from kithkin.importers.granola import looks_like_granola

        if path.is_dir():
            if (path / ".obsidian").is_dir():
                return True
            return bool(_folder_notes(path)) and not looks_like_granola(path)
        if zipfile.is_zipfile(path):
            try:
                with zipfile.ZipFile(path) as archive:
                    return bool(_zip_notes(path, archive))
            except ZIP_ERRORS:
                return False
        return False

    def cursor(self) -> str | None:
        return self._cursor

    def read(self, path: Path, cursor: str | None) -> Iterator[Observation | Exception]:
        self._cursor = cursor
        if path.is_dir():
            yield from self._read_notes(path, _folder_notes(path), cursor)
            return
        try:
            archive = zipfile.ZipFile(path)
        except ZIP_ERRORS as exc:
            raise ImportFormatError(path, "is not a vault: give the vault folder or a zip of it") from exc
        with archive:
            yield from self._read_notes(path, _zip_notes(path, archive), cursor)

    def _read_notes(self, path: Path, notes: list[NoteFile], cursor: str | None) -> Iterator[Observation | Exception]:
        if not notes:
            raise ImportFormatError(path, "holds no markdown notes (.md); give the vault folder or a zip of it")
        after = float(cursor) if cursor and _is_number(cursor) else None
        notes.sort(key=lambda n: (n.mtime, n.rel))
        directory = self._directory(notes)
        todo = [n for n in notes if after is None or n.mtime > after]
        self.total = len(todo)
        reasons: Counter[str] = Counter()
        report = self.report = {
            "notes_found": len(notes),
            "notes_read": 0,
            "notes_unchanged": len(notes) - len(todo),
            "notes_skipped": 0,
            "skipped_reasons": reasons,
            "notes_with_mentions": 0,
            "mentions": 0,
            "people_mentioned": 0,
        }
        for index, note in enumerate(todo):
            # Notes are read oldest first; the cursor moves past a modification time only once every note
            # with that time has been read, so a sync stopped midway misses nothing.
            if index + 1 == len(todo) or todo[index + 1].mtime > note.mtime:
                self._cursor = repr(note.mtime)
            text, problem = _note_text(note)
            if problem is not None:
                report["notes_skipped"] += 1
                reasons[problem] += 1
                if problem == "unreadable":
                    yield ValueError(f"vault note {note.rel} could not be read; skipped")
                continue
            report["notes_read"] += 1
            observation = self._observe(note, text, directory)
            if observation is None:
                continue
            report["notes_with_mentions"] += 1
            report["mentions"] += len(observation.participants)
            report["people_mentioned"] = len(self._people)
            yield observation
        report["skipped_reasons"] = dict(reasons)

    def _directory(self, notes: list[NoteFile]) -> Directory:
        directory = Directory(notes={fold_name(n.stem) for n in notes})
        for name in self.known_names:
            if len(name.split()) >= 2:
                directory.known[fold_name(name)] = name
                directory.add_phrase(name)
        for note in notes:
            if not note.is_person_page:
                continue
            key = fold_name(note.stem)
            if not key:
                continue
            directory.pages[key] = note.stem
            directory.add_phrase(note.stem)
            text, problem = _note_text(note)
            if problem is not None:
                continue
            meta, _ = split_frontmatter(text)
            for alias in as_list(meta.get("aliases")) + as_list(meta.get("alias")):
                directory.aliases.setdefault(fold_name(alias), note.stem)
                directory.add_phrase(alias, note.stem)
            emails = tuple(e for e in as_list(meta.get("email")) + as_list(meta.get("emails")) if EMAIL.match(e))
            if emails:
                directory.page_emails[key] = emails
            directory.page_facts[key] = _page_facts(meta)
        return directory

    def _observe(self, note: NoteFile, text: str, directory: Directory) -> Observation | None:
        meta, body = split_frontmatter(text)
        folder = note.folder
        mapping = self.mappings.for_folder(folder) if self.mappings is not None and folder else None
        found: dict[str, tuple[str | None, str | None, str]] = {}  # key → (name, email, role)

        def add(name: str | None, email: str | None, role: str) -> None:
            key = fold_name(name) if name else (email or "").lower()
            if not key:
                return
            known = found.get(key)
            if known is None:
                found[key] = (name, email, role)
            else:  # one participant per person: the first name shown, any email, the strongest role
                better = _ROLE_RANK[role] < _ROLE_RANK[known[2]]
                found[key] = (known[0] or name, known[1] or email, role if better else known[2])

        if note.is_person_page:
            add(note.stem, None, "card")
            # A person's page says who they are, not where they belong: its context is the folder above People/.
            folder = note.page_of or ""
            mapping = self.mappings.for_folder(folder) if self.mappings is not None and folder else None
        for key in PEOPLE_KEYS:
            for raw in as_list(meta.get(key)):
                name, email = person_entry(raw)
                if name:
                    name = directory.resolve_link(name, embed=False) or name
                add(name, email, "attendee" if key == "attendees" else "mention")
        for match in WIKILINK.finditer(body):
            target, _ = link_target(match[2])
            person = directory.resolve_link(target, embed=bool(match[1])) if target else None
            if person:
                add(person, None, "mention")
        plain = WIKILINK.sub(" ", body)
        for name in directory.names_in(plain):
            add(name, None, "mention")
        if not found:
            return None
        participants = [
            self._identity(key, name, email, role, directory, folder, mapping)
            for key, (name, email, role) in found.items()
        ]
        title = meta.get("title")
        moment = (
            parse_when(meta.get("date"))
            or parse_when(meta.get("created"))
            or date_in_name(note.stem)
            or datetime.fromtimestamp(note.mtime, UTC)
        )
        metadata: dict[str, Any] = {"path": note.rel}
        if mapping is not None and mapping.category:
            metadata["category"] = mapping.category
        snippet = " ".join(body.split())[:_SNIPPET_CHARS] or None
        return Observation(
            source_id=note.rel,
            kind="note",
            occurred_at=moment,
            participants=participants,
            context=note.folder or None,
            title=str(title) if title else note.stem,
            snippet=snippet,
            metadata=metadata,
        )

    def _identity(
        self,
        key: str,
        name: str | None,
        email: str | None,
        role: str,
        directory: Directory,
        folder: str,
        mapping: Any,
    ) -> Identity:
        # One metadata dict per person for the whole read: ingest stores it with each batch, so the
        # person's entity ends up with every folder they were mentioned in, not just the last one.
        metadata = self._people.get(key)
        if metadata is None:
            metadata = self._people[key] = dict(directory.page_facts.get(key, {}))
        if folder:
            seen = self._contexts.setdefault(key, set())
            # Contexts are folder prefixes with a slash, as crm_mappings.yaml writes them ("Work/ML/").
            fresh = {folder + "/", *(mapping.vault_contexts if mapping is not None else ())}
            if not fresh <= seen:
                seen |= fresh
                metadata["vault_contexts"] = sorted(seen)
        if mapping is not None and mapping.category:
            # The category of the folders a person is mentioned in most.
            counts = self._categories.setdefault(key, Counter())
            category = mapping.category
            counts[category] += 1
            best = metadata.get("category")
            if best is None or (counts[category], category) > (counts[best], best):
                metadata["category"] = category
        emails = directory.page_emails.get(key, ())
        if email and email not in emails:
            emails = (email, *emails)
        return Identity(source_id=key, name=name, emails=emails, role=role, metadata=metadata)


def _page_facts(meta: dict[str, Any]) -> dict[str, Any]:
    """What a person's page frontmatter says of them: other names, company, position."""
    facts: dict[str, Any] = {}
    aliases = as_list(meta.get("aliases")) + as_list(meta.get("alias"))
    if aliases:
        facts["aliases"] = aliases
    for name, keys in (("company", ("company", "organization")), ("position", ("position", "role", "job_title"))):
        value = next((meta[k] for k in keys if isinstance(meta.get(k), str) and meta[k].strip()), None)
        if value:
            facts[name] = value.strip()
    return facts


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def _note_text(note: NoteFile) -> tuple[str, str | None]:
    """(text, None), or ("", why the note is skipped: unreadable, too large, binary, empty)."""
    if note.size > MAX_NOTE_BYTES:
        return "", "too large"
    try:
        data = note.load()
    except ZIP_ERRORS:
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


def live_importer(source: LiveSource, workspace: Workspace) -> tuple[VaultImporter, Path]:
    """`sync` of a vault folder in place (config: `type: vault`, `path`)."""
    extra = source.model_extra or {}
    if not extra.get("path"):
        raise KithkinError("The vault source in config.yaml needs a 'path' to the vault folder; add it.")
    path = Path(str(extra["path"])).expanduser()
    if not path.is_dir():
        raise KithkinError(f"The vault folder {path} was not found; fix 'path' of the vault source in config.yaml.")
    return VaultImporter(workspace.mappings), path
