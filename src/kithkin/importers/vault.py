"""Markdown vaults (Obsidian style): a folder of notes, or a zip of one, imported or synced in place.

Every note is read, twice over: a first pass over all of them finds who the vault's people are
(`vault_people`: person pages marked by folder or frontmatter, names listed under `people:`) and which
notes are templates (`obsidian`); the second makes each note that mentions people one "note"
interaction with each of them as a participant, so people mentioned together are related. People are
found in:

- frontmatter `people:` and `attendees:` (names, `[[links]]`, "Name <email>" or bare emails), and
  the same as Dataview inline fields (`people:: [[Ana Okafor]]`);
- `[[wikilinks]]` in the body and in any other frontmatter field (`author: "[[Steph Ango]]"`;
  `[[X|shown]]`, `[[X#heading]]`, `[[X^block]]`) that lead to a person page or name a person known
  from another source; an embed `![[X]]` only when it shows a person page;
- the plain-text full names, written with capitals, of people already known (`known_names`, filled by
  ingest from the store) and of the vault's own person pages and their multi-word aliases.
A link with no such evidence is not a person; one that reads as a person's name is a suggestion, kept in
the note's metadata (`suggested_people`) and listed in the summary (`person_suggestions`) for the user to
confirm by marking the page (a person page, or the name under a note's `people:`).

A person's page (`aliases:`/`alias`, `email`, `company`, `position`) is a "card" of that person. A
note's folder is its context (`Work/ML`; a page under `People/` takes the folder above it), mapped to a
category and vault contexts by `crm_mappings.yaml` (`mappings`, filled by ingest). Its date comes from the
note (`obsidian.note_date`), else its modification time. Folders whose names start with a dot
(`.obsidian`, `.trash`, `.git`) hold no notes of the vault and are not read.

The cursor is the newest modification time fully read and a digest of the vault's people: a re-sync reads
only notes changed since, or every note again once a person page was added, marked or renamed (links to
it made before then count too). Symlink loops, broken links and unreadable files or folders are skipped
and named (`vault_files`). `report` says how many notes were found, read, unchanged and skipped (and why), how many
mention people, and which link targets were left out as not people, by reason.
"""

from __future__ import annotations

import zipfile
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from kithkin.importers.base import ZIP_ERRORS
from kithkin.importers.markdown_notes import (
    EMAIL,
    WIKILINK,
    as_list,
    fold_name,
    frontmatter_block,
    inline_fields,
    link_target,
    list_items,
    parse_frontmatter,
    person_entry,
)
from kithkin.importers.obsidian import VaultSettings, is_template_text, note_date
from kithkin.importers.vault_files import NoteFile, Problem, folder_notes, folder_settings, note_text, zip_notes
from kithkin.importers.vault_people import (
    MARK_KEYS,
    PEOPLE_KEYS,
    SUGGESTED,
    Directory,
    page_mark,
)
from kithkin.models import Identity, ImportFormatError, KithkinError, Observation

if TYPE_CHECKING:
    from kithkin.config import LiveSource, Mappings
    from kithkin.workspace import Workspace

MAX_SUGGESTIONS_LISTED = 25
_SNIPPET_CHARS = 280
_ROLE_RANK = {"card": 0, "attendee": 1, "mention": 2}


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
        self._left_out: dict[str, set[str]] = {}  # reason → folded link targets judged not people
        self._suggested: Counter[str] = Counter()  # a name to confirm → notes naming it
        self._suggested_names: dict[str, str] = {}

    def sniff(self, path: Path) -> bool:
        from kithkin.importers.granola import looks_like_granola

        if path.is_dir():
            if (path / ".obsidian").is_dir():
                return True
            return bool(folder_notes(path)[0]) and not looks_like_granola(path)
        if zipfile.is_zipfile(path):
            try:
                with zipfile.ZipFile(path) as archive:
                    return bool(zip_notes(archive)[0])
            except ZIP_ERRORS:
                return False
        return False

    def cursor(self) -> str | None:
        return self._cursor

    def read(self, path: Path, cursor: str | None) -> Iterator[Observation | Exception]:
        self._cursor = cursor
        if path.is_dir():
            notes, problems = folder_notes(path)
            yield from self._read_notes(path, notes, problems, folder_settings(path), cursor)
            return
        try:
            archive = zipfile.ZipFile(path)
        except ZIP_ERRORS as exc:
            raise ImportFormatError(path, "is not a vault: give the vault folder or a zip of it") from exc
        with archive:
            notes, problems, settings = zip_notes(archive)
            yield from self._read_notes(path, notes, problems, settings, cursor)

    def _read_notes(
        self,
        path: Path,
        notes: list[NoteFile],
        problems: list[Problem],
        settings: VaultSettings,
        cursor: str | None,
    ) -> Iterator[Observation | Exception]:
        if not notes and not problems:
            raise ImportFormatError(path, "holds no markdown notes (.md); give the vault folder or a zip of it")
        after, people_digest = _parse_cursor(cursor)
        notes.sort(key=lambda n: (n.mtime, n.rel))
        directory = self._survey(notes, settings, after)
        digest = directory.digest()
        if digest != people_digest:  # the vault's people changed: links read before may mean one of them now
            after = None
        todo = [n for n in notes if after is None or n.mtime > after]
        self.total = len(todo)
        reasons: Counter[str] = Counter()
        report = self.report = {
            "notes_found": len(notes) + len(problems),
            "notes_read": 0,
            "notes_unchanged": len(notes) - len(todo),
            "notes_skipped": 0,
            "skipped_reasons": reasons,
            "notes_with_mentions": 0,
            "mentions": 0,
            "people_mentioned": 0,
            "person_pages": len(directory.pages),
        }
        for rel, problem in problems:
            report["notes_skipped"] += 1
            reasons[problem] += 1
            yield ValueError(f"vault note {rel} could not be read ({problem}); skipped")
        if not todo:
            self._cursor = _cursor(after, digest) if after is not None else cursor
        for index, note in enumerate(todo):
            # Notes are read oldest first; the cursor moves past a modification time only once every note
            # with that time has been read, so a sync stopped midway misses nothing.
            if index + 1 == len(todo) or todo[index + 1].mtime > note.mtime:
                self._cursor = _cursor(note.mtime, digest)
            text, problem = ("", "template") if note.template else note_text(note)
            if problem is not None:
                report["notes_skipped"] += 1
                reasons[problem] += 1
                if problem == "unreadable":
                    yield ValueError(f"vault note {note.rel} could not be read ({problem}); skipped")
                continue
            report["notes_read"] += 1
            observation = self._observe(note, note.meta or {}, frontmatter_block(text)[1], directory, settings)
            note.meta = None
            if observation is None:
                continue
            report["notes_with_mentions"] += 1
            report["mentions"] += len(observation.participants)
            report["people_mentioned"] = len(self._people)
            yield observation
        report["skipped_reasons"] = dict(reasons)
        report["links_not_people"] = {reason: len(keys) for reason, keys in sorted(self._left_out.items())}
        report["person_suggestions"] = {
            self._suggested_names[key]: count for key, count in self._suggested.most_common(MAX_SUGGESTIONS_LISTED)
        }

    def _survey(self, notes: list[NoteFile], settings: VaultSettings, after: float | None) -> Directory:
        """First pass over every note: templates, person pages and the names `people:` lists, then the
        directory of who links and names can mean. Only the frontmatter of notes to be read is kept."""
        named: dict[str, str] = {}  # folded → name, of everyone a note lists under `people:` or `attendees:`
        for note in notes:
            note.template = settings.is_template_path(note.rel)
            if note.template:
                continue
            text, problem = note_text(note)
            if problem is not None:
                continue
            if is_template_text(text):
                note.template = True
                continue
            block, body = frontmatter_block(text)
            meta = parse_frontmatter(block)
            if "::" in body:  # Dataview fields mark pages and name people as frontmatter does; frontmatter wins
                meta = {**inline_fields(body), **meta}
            note.mark = page_mark(note.folder.split("/"), meta, note.stem)
            for key in PEOPLE_KEYS:
                for name, _ in map(person_entry, as_list(meta.get(key))):
                    if name:
                        named.setdefault(fold_name(name), name)
            if after is None or note.mtime > after:
                note.meta = meta
            elif note.mark:
                note.meta = meta  # a page's aliases and facts are read below, then let go
        directory = Directory(notes={fold_name(n.stem) for n in notes})
        for name in self.known_names:
            if len(name.split()) >= 2:
                directory.known[fold_name(name)] = name
                directory.add_phrase(name)
        for key, name in named.items():  # the vault's own word that they are people: as good as a page
            directory.listed[key] = name
            directory.add_phrase(name)
        for note in notes:
            key = fold_name(note.stem)
            if note.template or not key:
                continue
            if note.mark is None and key in named:
                note.mark = "named as a person"
            if note.mark is None:
                continue
            directory.pages[key] = note.stem
            directory.add_phrase(note.stem)
            meta = note.meta or {}
            for alias in as_list(meta.get("aliases")) + as_list(meta.get("alias")):
                directory.aliases.setdefault(fold_name(alias), note.stem)
                directory.add_phrase(alias, note.stem)
            emails = tuple(e for e in as_list(meta.get("email")) + as_list(meta.get("emails")) if EMAIL.match(e))
            if emails:
                directory.page_emails[key] = emails
            directory.page_facts[key] = _page_facts(meta)
            if after is not None and note.mtime <= after:
                note.meta = None
        return directory

    def _observe(
        self, note: NoteFile, meta: dict[str, Any], body: str, directory: Directory, settings: VaultSettings
    ) -> Observation | None:
        folder = note.context
        mapping = self.mappings.for_folder(folder) if self.mappings is not None and folder else None
        found: dict[str, tuple[str | None, str | None, str]] = {}  # key → (name, email, role)
        suggested: dict[str, str] = {}

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

        def link(target: str, embed: bool) -> None:
            person, reason = directory.resolve_link(target, embed)
            if person:
                add(person, None, "mention")
            elif reason:
                self._left_out.setdefault(reason, set()).add(fold_name(target))
                if reason == SUGGESTED:
                    suggested.setdefault(fold_name(target), target)

        if note.mark:
            add(note.stem, None, "card")
        for key, value in meta.items():
            if key in PEOPLE_KEYS:  # listed as people by the user: people, whether or not a page says so
                for raw in as_list(value):
                    name, email = person_entry(raw)
                    if name:
                        name = directory.resolve_link(name, embed=False)[0] or name
                    add(name, email, "attendee" if key == "attendees" else "mention")
            elif key not in MARK_KEYS:
                for target in _frontmatter_links(value):
                    link(target, embed=False)
        for match in WIKILINK.finditer(body):
            target = link_target(match[2])[0]
            if target:
                link(target, embed=bool(match[1]))
        for name in directory.names_in(WIKILINK.sub(" ", body)):
            add(name, None, "mention")
        for key, target in suggested.items():
            if key not in found:
                self._suggested[key] += 1
                self._suggested_names.setdefault(key, target)
        if not found:
            return None
        participants = [
            self._identity(key, name, email, role, directory, folder, mapping)
            for key, (name, email, role) in found.items()
        ]
        title = meta.get("title")
        moment = note_date(meta, note.rel, settings) or datetime.fromtimestamp(note.mtime, UTC)
        metadata: dict[str, Any] = {"path": note.rel}
        if mapping is not None and mapping.category:
            metadata["category"] = mapping.category
        to_confirm = sorted(target for key, target in suggested.items() if key not in found)
        if to_confirm:
            metadata["suggested_people"] = to_confirm
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
            text=" ".join(body.split()) or None,  # searched whole
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


def _frontmatter_links(value: Any) -> Iterator[str]:
    """Link targets in a frontmatter value: `"[[X]]"` quoted, or unquoted, which YAML reads as a list in a
    list (`author: [[X]]` → [["X"]]). A few levels deep only."""
    items = list_items(value, 4) if isinstance(value, list) else [(value, 0)]
    for item, lists in items:
        if not isinstance(item, str):
            continue
        if lists >= 2:
            yield item
        else:
            yield from (link_target(match[2])[0] for match in WIKILINK.finditer(item))


def _cursor(mtime: float, digest: str) -> str:
    return f"{mtime!r} {digest}"


def _parse_cursor(cursor: str | None) -> tuple[float | None, str | None]:
    """(newest modification time read, digest of the vault's people then); a cursor from before digests
    were kept has the time alone."""
    if not cursor:
        return None, None
    moment, _, digest = cursor.partition(" ")
    try:
        return float(moment), digest or None
    except ValueError:
        return None, None


def live_importer(source: LiveSource, workspace: Workspace) -> tuple[VaultImporter, Path]:
    """`sync` of a vault folder in place (config: `type: vault`, `path`)."""
    extra = source.model_extra or {}
    if not extra.get("path"):
        raise KithkinError("The vault source in config.yaml needs a 'path' to the vault folder; add it.")
    path = Path(str(extra["path"])).expanduser()
    if not path.is_dir():
        raise KithkinError(f"The vault folder {path} was not found; fix 'path' of the vault source in config.yaml.")
    return VaultImporter(workspace.mappings), path
