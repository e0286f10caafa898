"""Who a vault's links and names mean: a person only with evidence.

Notes name places, projects, books and plans as often as people, so a `[[link]]` or a name is a person
only when:
- its target is a person page: under a `People/` folder (`Persons/`, `Contacts/`, `02 People/`), or
  marked in its frontmatter (`type: person`, `categories: [[People]]`, `tags: [person]`, `people/friends`),
  or carrying person-like facts (`email`, `phone`, `company`, `birthday`), or named under another
  note's `people:`/`attendees:`;
- or it names a person listed under a note's `people:`/`attendees:`, or already known from another
  source (a full name of `known_names`).
A link to any other page is not a person. A link that leads nowhere is not one either; when it reads as
a person's name (a known given name first, no place word last) it is a *suggestion* the user may confirm,
kept with its note but never made a person. Each target left out is counted by its reason.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from nicknames import name_triplets

from kithkin.importers.markdown_notes import (
    NOTE_SUFFIXES,
    WIKILINK,
    as_list,
    fold_name,
    fold_word,
    fold_words,
    link_target,
    looks_like_full_name,
)


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


PEOPLE_FOLDERS = frozenset({"people", "persons", "person", "contacts"})
# A People folder's own page (`People/People.md`, `peoples.md`, `Index.md`) is no person.
COLLECTION_WORDS = PEOPLE_FOLDERS | _words("peoples index moc overview list dashboard directory all readme")
PEOPLE_KEYS = ("people", "attendees")
# Frontmatter keys that say what a page is (their links are classes, not mentions) and the values that say "a person".
TAG_KEYS = frozenset({"tags", "tag"})
MARK_KEYS = frozenset({"type", "types", "category", "categories", "kind", "class", "is", "isa"}) | TAG_KEYS
PERSON_MARKS = frozenset({"person", "people", "persons", "contact", "contacts"})
# A tag is a topic as often as a class: `#people` marks a clipping about people; `#person` and
# `#people/friends` mark a person.
PERSON_TAGS = frozenset({"person", "contact"})
# Facts only a person's page carries (keys in letters only); a page that lists people or attendees is a
# meeting, whatever else it says.
PERSON_FACTS = _words(
    "email emails phone phones mobile telephone tel company employer birthday birthdate dateofbirth dob born"
)
# Last words of names that read like a person's but are places, buildings or organisations ("Victoria Park").
PLACE_WORDS = _words(
    """park street st road rd avenue ave lane square place way drive court gardens garden hill station airport
    bridge hall house church cathedral school college university academy hospital clinic hotel cafe restaurant
    bar pub museum gallery library theatre theater centre center market beach bay lake river island mountain
    valley city town village county state inc ltd llc gmbh company group foundation institute club team project
    plan fund trust bank studio studios press books recipes"""
)

NOT_A_PAGE = "attachment"
NON_PERSON_PAGE = "non-person page"
NO_EVIDENCE = "no evidence of a person"
SUGGESTED = "name to confirm"

_SPLIT_MARK = re.compile(r"[/#,\s]+")


@lru_cache(maxsize=1)
def given_names() -> frozenset[str]:
    """First names and their nicknames from the `nicknames` package's list (English-speaking names)."""
    return frozenset(name for triplet in name_triplets() for name in (triplet.name1, triplet.name2))


def _key(text: str) -> str:
    return re.sub(r"[^a-z]", "", text.casefold())


def _mark_values(value: Any) -> Iterable[list[str]]:
    """The words of each mark a value holds: `[[People]]`, `#person`, `people/friends`, `Person`."""
    for text in as_list(value):
        targets = [link_target(match[2])[0] for match in WIKILINK.finditer(text)] if "[[" in text else [text]
        for target in targets:
            yield [part.casefold() for part in _SPLIT_MARK.split(target) if part]


def _marks_a_person(key: str, words: list[str]) -> bool:
    if key in TAG_KEYS:
        return bool(PERSON_TAGS.intersection(words)) or (len(words) > 1 and words[0] in PERSON_MARKS)
    return bool(PERSON_MARKS.intersection(words))


def page_mark(folders: Iterable[str], meta: dict[str, Any], name: str = "") -> str | None:
    """Why the page `name` is a person's (folder, frontmatter, person facts), or None."""
    if any(_is_people_folder(folder) for folder in folders) and not _is_collection(name):
        return "folder"
    keys = {_key(str(k)): v for k, v in meta.items()}
    for key in MARK_KEYS & keys.keys():
        if any(_marks_a_person(key, words) for words in _mark_values(keys[key])):
            return "frontmatter"
    if not any(key in keys for key in PEOPLE_KEYS) and any(as_list(keys[k]) for k in PERSON_FACTS & keys.keys()):
        return "person facts"
    return None


def _is_collection(name: str) -> bool:
    """`People/People.md`, `People/peoples.md`, `Contacts/Index.md`: the folder's own page, not a person."""
    words = fold_words(name.replace("_", " "))
    return bool(words) and all(word in COLLECTION_WORDS for word in words)


@lru_cache(maxsize=4096)
def _is_people_folder(folder: str) -> bool:
    words = [w for w in fold_words(folder.replace("_", " ")) if not w.isdigit()]  # "02 - People", "👥 People"
    return len(words) == 1 and words[0] in PEOPLE_FOLDERS


def people_folder_index(parts: list[str]) -> int | None:
    """Where a People/ folder is in a note's folder path, or None."""
    return next((i for i, part in enumerate(parts) if _is_people_folder(part)), None)


def looks_like_a_person(target: str) -> bool:
    """A full name whose first word is a known given name and whose last word names no place ("Victoria Park")."""
    if not looks_like_full_name(target):
        return False
    words = fold_words(target)
    return words[0] in given_names() and words[-1] not in PLACE_WORDS


@dataclass
class Directory:
    """Who the vault's links and names can mean: person pages with their aliases, every note's name, the
    names known from other sources or listed as people by the vault's notes, and the full names to find in
    plain text."""

    pages: dict[str, str] = field(default_factory=dict)  # folded page name → page name
    aliases: dict[str, str] = field(default_factory=dict)  # folded alias → page name
    page_emails: dict[str, tuple[str, ...]] = field(default_factory=dict)  # folded page name → emails
    page_facts: dict[str, dict[str, Any]] = field(default_factory=dict)  # folded page name → aliases, company…
    notes: set[str] = field(default_factory=set)  # folded names of all notes
    known: dict[str, str] = field(default_factory=dict)  # folded known full name → display
    listed: dict[str, str] = field(default_factory=dict)  # folded name listed under a note's `people:` → display
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

    def digest(self) -> str:
        """A short digest of the vault's person pages and aliases: a new one means links read before may
        now lead to a person. Names only listed under `people:` are left out: meeting notes add new ones
        every day, and each would have the whole vault read again."""
        people = sorted(self.pages.items()) + sorted(self.aliases.items())
        return hashlib.sha1(repr(people).encode(), usedforsecurity=False).hexdigest()[:16]

    def resolve_link(self, target: str, embed: bool) -> tuple[str | None, str | None]:
        """(the person a link means, None) or (None, why it is not a person); (None, None) for no target."""
        key = fold_name(target)
        if not key:
            return None, None
        page = self.pages.get(key) or self.aliases.get(key)
        if page:
            return page, None
        if not embed and (key in self.known or key in self.listed):
            return self.known.get(key) or self.listed[key], None
        if key in self.notes:
            return None, NON_PERSON_PAGE
        if embed or _is_attachment(target):
            return None, NOT_A_PAGE
        return None, SUGGESTED if looks_like_a_person(target) else NO_EVIDENCE

    def names_in(self, text: str) -> list[str]:
        """Known full names found in plain text: one pass over its words, a dict lookup per capitalised
        word. A name counts when its first and last words are capitalised ("will smith" is not Will Smith)."""
        words = _WORD.findall(text)
        found = []
        starts, phrases = self.starts, self.phrases
        for index, word in enumerate(words):
            if not word[0].isupper():
                continue
            lengths = starts.get(word.casefold() if word.isascii() else fold_word(word))
            if lengths is None:
                continue
            for length in lengths:
                candidate = words[index : index + length]
                if len(candidate) == length and candidate[-1][0].isupper():
                    name = phrases.get(tuple(w.casefold() if w.isascii() else fold_word(w) for w in candidate))
                    if name is not None:
                        found.append(name)
        return found


_WORD = re.compile(r"\w+")


def _is_attachment(target: str) -> bool:
    """`photo.png`, `Board.canvas`, `Clippings.base`: a file that is not a note."""
    name = target.rsplit("/", 1)[-1]
    suffix = name.rpartition(".")[2].casefold()
    if "." not in name or not suffix.isalnum() or suffix.isdigit() or len(suffix) > 5:
        return False
    return f".{suffix}" not in NOTE_SUFFIXES
