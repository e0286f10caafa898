"""Reading people out of markdown notes (Obsidian style; meeting exports are the same shape):
YAML frontmatter, `[[wikilinks]]`, dates in file names, and full names folded for matching.
Shared by the vault and Granola importers."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, date, datetime
from functools import lru_cache
from typing import Any

import yaml

from kithkin.identity.normalize import fold

NOTE_SUFFIXES = (".md", ".markdown")
WIKILINK = re.compile(r"(!?)\[\[([^\[\]\n]+?)\]\]")
EMAIL = re.compile(r"^[^@\s<>]+@[^@\s<>]+\.[^@\s<>]+$")
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
# 2023-03-19, 2023_03_19, 2023.03.19 and 20230319 ("Diary-20230319"), in years a note can be from.
_DATE_IN_NAME = re.compile(r"(?<!\d)((?:19|20)\d{2})([-_.]?)(\d{2})\2(\d{2})(?!\d)")
_WORD = re.compile(r"\w+")
_ADDRESSED = re.compile(r"^(.*?)<([^<>@\s]+@[^<>\s]+)>\s*$")
_SCALARS = (str, int, float)
# Dataview's inline fields, a line each: `type:: person`, `- date:: 2023-03-19`, `**people**:: [[Ana]]`.
_INLINE_FIELD = re.compile(r"^[ \t]*(?:[-*+] )?(?:\*\*)?([^\W\d_][\w \-]{0,40}?)(?:\*\*)?::[ \t]*(\S[^\n]*)", re.M)
# Items read from one frontmatter value at most: YAML anchors can nest a list of a thousand references to a
# list of a thousand, from a few kilobytes.
MAX_LIST_ITEMS = 10_000
_END = object()


def split_frontmatter(text: str) -> tuple[dict[str, Any], str]:
    """(frontmatter mapping, body). A note without a valid YAML block between `---` lines has none."""
    block, body = frontmatter_block(text)
    return parse_frontmatter(block), body


def frontmatter_block(text: str) -> tuple[str | None, str]:
    """(the YAML text between the opening and closing `---` lines, or None; the body after them)."""
    if not text.startswith("---"):
        return None, text
    end = text.find("\n---", 3)
    if end < 0 or text[3:4] not in ("\n", "\r"):
        return None, text
    close = text.find("\n", end + 4)
    return text[4:end], (text[close + 1 :] if close >= 0 else "")


def parse_frontmatter(block: str | None) -> dict[str, Any]:
    """A frontmatter block as a mapping with lower-cased keys; {} when absent or not valid YAML."""
    if not block:
        return {}
    try:
        data = yaml.load(block, Loader=_LOADER)  # a safe loader: the C one when built
    except yaml.YAMLError:
        return {}
    # Keys as Obsidian users type them vary in case ("Date", "Attendees"): compare them lower-cased.
    return {str(k).lower(): v for k, v in data.items()} if isinstance(data, dict) else {}


def inline_fields(body: str) -> dict[str, Any]:
    """Dataview inline fields of a note's body, keys lower-cased; a key given twice holds a list."""
    fields: dict[str, Any] = {}
    if "::" not in body:
        return fields
    for match in _INLINE_FIELD.finditer(body):
        key, value = match[1].strip().lower(), match[2].rstrip()
        known = fields.get(key)
        fields[key] = value if known is None else [*(known if isinstance(known, list) else [known]), value]
    return fields


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
    for item, _ in list_items(value, depth):
        if isinstance(item, _SCALARS) and not isinstance(item, bool):
            yield str(item).strip()


def list_items(value: list[Any], depth: int) -> Iterator[tuple[Any, int]]:
    """The items of a list and of the lists in it down to `depth` lists, each with how many lists hold it,
    in order; at most MAX_LIST_ITEMS visited (YAML anchors make nested lists huge from a few bytes)."""
    stack = [iter(value)]
    for _ in range(MAX_LIST_ITEMS):
        item = next(stack[-1], _END)
        if item is _END:
            stack.pop()
            if not stack:
                return
        elif not isinstance(item, list):
            yield item, len(stack)
        elif len(stack) < depth:
            stack.append(iter(item))


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
    """The first valid calendar date written in a name, at midnight UTC."""
    for match in _DATE_IN_NAME.finditer(name):
        try:
            return datetime(int(match[1]), int(match[3]), int(match[4]), tzinfo=UTC)
        except ValueError:
            continue
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
def fold_word(word: str) -> str:
    return fold(word)


def fold_words(text: str) -> list[str]:
    """The folded words of a text (accents removed word by word: words repeat, so each is folded once)."""
    words = _WORD.findall(text.casefold())
    return words if text.isascii() else [w if w.isascii() else fold_word(w) for w in words]


@lru_cache(maxsize=200_000)
def fold_name(text: str) -> str:
    """The key of a name: folded words joined by one space (punctuation and spacing ignored)."""
    return " ".join(fold_words(text))


def person_entry(raw: str) -> tuple[str | None, str | None]:
    """A frontmatter person ("[[Ana Okafor]]", "Ana <ana@x.org>", "ana@x.org") → (name, email)."""
    text = raw.strip().strip('"').strip()
    match = WIKILINK.search(text)
    if match:
        return link_target(match[2])[0] or None, None
    addressed = _ADDRESSED.match(text)
    if addressed:
        return (addressed[1].strip().strip('"') or None), addressed[2].strip()
    if EMAIL.match(text):
        return None, text
    return (text or None), None
