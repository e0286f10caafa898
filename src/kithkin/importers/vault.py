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
import re
import zipfile
import zlib
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

import yaml

from kithkin.identity.normalize import fold
from kithkin.models import Identity, ImportFormatError, KithkinError, Observation

if TYPE_CHECKING:
    from kithkin.config import LiveSource, Mappings
    from kithkin.workspace import Workspace

NOTE_SUFFIXES = (".md", ".markdown")
MAX_NOTE_BYTES = 5 * 1024 * 1024
PEOPLE_FOLDER = "people"
PEOPLE_KEYS = ("people", "attendees")
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_WIKILINK = re.compile(r"(!?)\[\[([^\[\]\n]+?)\]\]")
_DATE_IN_NAME = re.compile(r"(?<!\d)(\d{4})-(\d{2})-(\d{2})(?!\d)")
_WORD = re.compile(r"\w+")
_ADDRESSED = re.compile(r"^(.*?)<([^<>@\s]+@[^<>\s]+)>\s*$")
_EMAIL = re.compile(r"^[^@\s<>]+@[^@\s<>]+\.[^@\s<>]+$")
_SNIPPET_CHARS = 280
_ROLE_RANK = {"card": 0, "attendee": 1, "mention": 2}
_SCALARS = (str, int, float)
# What a damaged zip raises: a broken directory or header, bad compressed data, an unknown compression
# method or an encrypted member (NotImplementedError, RuntimeError), an impossible offset (ValueError).
ZIP_ERRORS = (OSError, EOFError, ValueError, zipfile.BadZipFile, zlib.error, NotImplementedError, RuntimeError)


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


def split_frontmatter(text: str) -> tuple[dict[str, Any], str]:
    """(frontmatter mapping, body). A note without a valid YAML block between `---` lines has none."""
    if not text.startswith("---"):
        return {}, text
    end = text.find("\n---", 3)
    if end < 0 or text[3:4] not in ("\n", "\r"):
        return {}, text
    close = text.find("\n", end + 4)
    body = text[close + 1 :] if close >= 0 else ""
    try:
        data = yaml.load(text[4:end], Loader=_LOADER)  # a safe loader: the C one when built
    except yaml.YAMLError:
        return {}, body
    # Keys as Obsidian users type them vary in case ("Date", "Attendees"): compare them lower-cased.
    return ({str(k).lower(): v for k, v in data.items()} if isinstance(data, dict) else {}), body


def as_list(value: Any) -> list[str]:
    """A frontmatter value as strings: a list, a comma-separated string, or one value. Nested mappings
    are left out (and never turned into text: YAML aliases can make them huge)."""
    if isinstance(value, list):
        return [text for text in _scalars(value, 3) if text]
    if not isinstance(value, _SCALARS) or isinstance(value, bool):
        return []
    text = str(value)
    # A single `[[Link]]` or "Name <mail>" stays whole; a plain list in one string splits on commas.
    parts = [text] if "[[" in text and text.count("[[") == 1 else text.split(",")
    return [p.strip() for p in parts if p.strip()]


def _scalars(value: list[Any], depth: int) -> Iterator[str]:
    # `[[Name]]` unquoted in YAML reads as lists nested in lists holding the name: look a few levels in.
    for item in value:
        if isinstance(item, list) and depth > 1:
            yield from _scalars(item, depth - 1)
        elif isinstance(item, _SCALARS) and not isinstance(item, bool):
            yield str(item).strip()


def parse_when(value: Any) -> datetime | None:
    """A frontmatter date (YAML date, datetime or ISO text) as an aware datetime; naive means UTC."""
    if isinstance(value, datetime):
        moment = value
    elif isinstance(value, date):
        moment = datetime(value.year, value.month, value.day)
    elif isinstance(value, str) and value.strip():
        try:
            moment = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
        except ValueError:
            return None
    else:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def date_in_name(name: str) -> datetime | None:
    match = _DATE_IN_NAME.search(name)
    if not match:
        return None
    try:
        return datetime(int(match[1]), int(match[2]), int(match[3]), tzinfo=UTC)
    except ValueError:
        return None


def link_target(inner: str) -> tuple[str, str | None]:
    """`Target#heading^block|shown` → (the note's name, the text shown)."""
    target, _, shown = inner.partition("|")
    target = re.split(r"[#^]", target, maxsplit=1)[0].strip()
    target = target.rsplit("/", 1)[-1]
    if target.lower().endswith(NOTE_SUFFIXES):
        target = target.rsplit(".", 1)[0]
    return target, (shown.strip() or None)


def looks_like_full_name(text: str) -> bool:
    """Two to four capitalised words of letters ("Ana Okafor", "Jean-Luc O'Brien")."""
    words = text.split()
    if not 2 <= len(words) <= 4:
        return False
    for word in words:
        letters = word.replace("-", "").replace("'", "").replace("’", "").replace(".", "")
        if not letters.isalpha() or not word[0].isupper():
            return False
    return True


@lru_cache(maxsize=200_000)
def _fold_word(word: str) -> str:
    return fold(word)


def fold_words(text: str) -> list[str]:
    """The folded words of a text (accents removed word by word: words repeat, so each is folded once)."""
    words = _WORD.findall(text.casefold())
    return words if text.isascii() else [w if w.isascii() else _fold_word(w) for w in words]


def fold_name(text: str) -> str:
    """The key of a name: folded words joined by one space (punctuation and spacing ignored)."""
    return " ".join(fold_words(text))


def person_entry(raw: str) -> tuple[str | None, str | None]:
    """A frontmatter person ("[[Ana Okafor]]", "Ana <ana@x.org>", "ana@x.org") → (name, email)."""
    text = raw.strip().strip('"').strip()
    match = _WIKILINK.search(text)
    if match:
        return link_target(match[2])[0] or None, None
    addressed = _ADDRESSED.match(text)
    if addressed:
        return (addressed[1].strip().strip('"') or None), addressed[2].strip()
    if _EMAIL.match(text):
        return None, text
    return (text or None), None


@dataclass
class Directory:
    """Who the vault's links and names can mean: person pages with their aliases, every note's name,
    and the full names to find in plain text."""

    pages: dict[str, str] = field(default_factory=dict)  # folded page name → page name
    aliases: dict[str, str] = field(default_factory=dict)  # folded alias → page name
    page_emails: dict[str, tuple[str, ...]] = field(default_factory=dict)  # folded page name → emails
    page_facts: dict[str, dict[str, Any]] = field(default_factory=dict)  # folded page name → aliases, company…
    notes: set[str] = field(default_factory=set)  # folded names of all notes
    known: dict[str, str] = field(default_factory=dict)  # folded known full name → display
    # Plain-text lookup: first folded word → {word count}; the full tuple → display name.
    starts: dict[str, set[int]] = field(default_factory=dict)
    phrases: dict[tuple[str, ...], str] = field(default_factory=dict)

    def add_phrase(self, text: str, person: str | None = None) -> None:
        """Find `text` (two words or more) in plain text as `person` (default: the text itself)."""
        words = tuple(fold_name(text).split())
        if len(words) < 2:
            return
        self.phrases.setdefault(words, person or text)
        self.starts.setdefault(words[0], set()).add(len(words))

    def resolve_link(self, target: str, embed: bool) -> str | None:
        """The person a link means, or None (a link to another note, an image, a non-name)."""
        key = fold_name(target)
        if not key:
            return None
        page = self.pages.get(key) or self.aliases.get(key)
        if page or embed:
            return page
        if key in self.known:
            return self.known[key]
        if key in self.notes:
            return None
        return target if looks_like_full_name(target) else None

    def names_in(self, text: str) -> list[str]:
        """Known full names found in plain text: one pass over its words, a dict lookup per capitalised
        word. A name counts when its first and last words are capitalised ("will smith" is not Will Smith)."""
        words = _WORD.findall(text)
        found = []
        starts, phrases = self.starts, self.phrases
        for index, word in enumerate(words):
            if not word[0].isupper():
                continue
            lengths = starts.get(word.casefold() if word.isascii() else _fold_word(word))
            if lengths is None:
                continue
            for length in lengths:
                candidate = words[index : index + length]
                if len(candidate) == length and candidate[-1][0].isupper():
                    name = phrases.get(tuple(w.casefold() if w.isascii() else _fold_word(w) for w in candidate))
                    if name is not None:
                        found.append(name)
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
            emails = tuple(e for e in as_list(meta.get("email")) + as_list(meta.get("emails")) if _EMAIL.match(e))
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
        for match in _WIKILINK.finditer(body):
            target, _ = link_target(match[2])
            person = directory.resolve_link(target, embed=bool(match[1])) if target else None
            if person:
                add(person, None, "mention")
        plain = _WIKILINK.sub(" ", body)
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
