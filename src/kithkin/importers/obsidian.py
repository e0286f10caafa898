"""What an Obsidian vault's own settings say of its notes: which are templates, and when a note was written.

- Templates are not notes of the user's life: the folder of the core Templates plugin
  (`.obsidian/templates.json`: `{"folder": "Templates"}`), Templater's
  (`.obsidian/plugins/templater-obsidian/data.json`: `templates_folder`, the `template` files of its
  `folder_templates` and `file_templates`), a folder named Templates, and any note holding the
  placeholders of either plugin (`{{date}}`, `{{title}}`, `<% tp.file.title %>`) outside code.
- A note's date: its frontmatter (`date`, `created`, `creation-date`, `created_at`, `Date created`…),
  else its name read with the daily notes' format (`.obsidian/daily-notes.json`, or the Periodic Notes
  plugin's `daily`; moment.js tokens, `YYYY-MM-DD` by default), else a date written in its file name
  (`2023-03-19 Standup`, `Diary-20230319`). The caller falls back on the file's modification time.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any

from kithkin.importers.markdown_notes import date_in_name, fold_words, parse_when

MAX_SETTINGS_BYTES = 1024 * 1024
SETTINGS_FILES = {
    "templates": ".obsidian/templates.json",
    "templater": ".obsidian/plugins/templater-obsidian/data.json",
    "daily": ".obsidian/daily-notes.json",
    "periodic": ".obsidian/plugins/periodic-notes/data.json",
}
TEMPLATE_FOLDER_NAMES = frozenset({"templates", "template"})
# Frontmatter keys of a note's date (lower-cased, letters only), the day it is about first.
DATE_KEYS = ("date", "day", "created", "creationdate", "createdat", "createdon", "datecreated", "createddate")

_CODE = re.compile(r"```.*?```|~~~.*?~~~|`[^`\n]*`", re.S)
# Templates are short: their placeholders are looked for in a note's first characters only, which also
# bounds the time a hostile note (a thousand unclosed fences) can take.
TEMPLATE_SCAN_CHARS = 64 * 1024
_CORE_VARIABLE = re.compile(r"\{\{\s*(?:date|time|title)(?::[^{}\n]*)?\s*\}\}", re.I)
_PLACEHOLDER = re.compile(r"\{\{[^{}\n]{1,60}\}\}")
_MONTHS = {
    name: index
    for index, names in enumerate(
        [
            ("january", "jan"),
            ("february", "feb"),
            ("march", "mar"),
            ("april", "apr"),
            ("may",),
            ("june", "jun"),
            ("july", "jul"),
            ("august", "aug"),
            ("september", "sep", "sept"),
            ("october", "oct"),
            ("november", "nov"),
            ("december", "dec"),
        ],
        start=1,
    )
    for name in names
}
# moment.js tokens, longest first: (token, regex, field it gives or None).
_TOKENS = (
    ("YYYY", r"(\d{4})", "year"),
    ("YY", r"(\d{2})", "year2"),
    ("MMMM", r"([^\W\d_]+)", "month_name"),
    ("MMM", r"([^\W\d_]+)\.?", "month_name"),
    ("MM", r"(\d{2})", "month"),
    ("M", r"(\d{1,2})", "month"),
    ("DDDD", r"\d{3}", None),
    ("DDD", r"\d{1,3}", None),
    ("Do", r"(\d{1,2})(?:st|nd|rd|th)?", "day"),
    ("DD", r"(\d{2})", "day"),
    ("D", r"(\d{1,2})", "day"),
    ("dddd", r"[^\W\d_]+", None),
    ("ddd", r"[^\W\d_]+", None),
    ("dd", r"[^\W\d_]+", None),
    ("d", r"\d", None),
    ("gggg", r"\d{4}", None),
    ("GGGG", r"\d{4}", None),
    ("ww", r"\d{2}", None),
    ("WW", r"\d{2}", None),
    ("w", r"\d{1,2}", None),
    ("W", r"\d{1,2}", None),
    ("Q", r"\d", None),
)


@dataclass(frozen=True, slots=True)
class VaultSettings:
    template_folders: tuple[str, ...] = ()  # vault-relative, no trailing slash
    template_files: frozenset[str] = frozenset()  # vault-relative paths without ".md"
    daily_folder: str = ""
    daily_format: str = "YYYY-MM-DD"

    def is_template_path(self, rel: str) -> bool:
        if rel.rpartition(".")[0] in self.template_files:
            return True
        if any(rel.startswith(prefix + "/") for prefix in self.template_folders):
            return True
        return any(_is_template_folder(part) for part in rel.split("/")[:-1])

    def daily_date(self, rel: str) -> datetime | None:
        """The date a daily note's path gives with the vault's daily-note format, or None."""
        stem = rel.rpartition(".")[0]
        if self.daily_folder:
            if not stem.startswith(self.daily_folder + "/"):
                return None
            stem = stem[len(self.daily_folder) + 1 :]
        pattern, fields = _format_pattern(self.daily_format)
        # The format may or may not hold the folders the notes sit in (`YYYY/MM/YYYY-MM-DD`): try both.
        match = pattern.fullmatch(stem) or pattern.fullmatch(stem.rpartition("/")[2])
        return _date_of(match, fields) if match else None


def read_settings(load: Callable[[str], bytes | None]) -> VaultSettings:
    """The vault's settings; `load(relative path)` gives a file's bytes, or None when it is absent."""
    found: dict[str, dict[str, Any]] = {}
    for name, rel in SETTINGS_FILES.items():
        data = load(rel)
        if data is None or len(data) > MAX_SETTINGS_BYTES:
            continue
        try:
            value = json.loads(data)
        except ValueError:  # a settings file being written, or hand-edited wrong: the defaults hold
            continue
        if isinstance(value, dict):
            found[name] = value
    templater = found.get("templater", {})
    folders = [found.get("templates", {}).get("folder"), templater.get("templates_folder")]
    files = [
        entry.get("template")
        for key in ("folder_templates", "file_templates")
        for entry in (templater.get(key) if isinstance(templater.get(key), list) else [])
        if isinstance(entry, dict)
    ]
    daily = found.get("daily", {})
    periodic = found.get("periodic", {}).get("daily")
    if isinstance(periodic, dict) and periodic.get("enabled") and not daily:
        daily = periodic
    return VaultSettings(
        template_folders=tuple(p for p in map(_vault_path, folders) if p),
        template_files=frozenset(p.removesuffix(".md") for p in map(_vault_path, files) if p),
        daily_folder=_vault_path(daily.get("folder")) or "",
        daily_format=str(daily.get("format") or "").strip() or "YYYY-MM-DD",
    )


def is_template_text(text: str) -> bool:
    """A note written to be copied: a Templater tag or a core `{{date}}`/`{{title}}` variable, or two
    placeholders of any name, outside code (a note about templating keeps its examples in code)."""
    text = text[:TEMPLATE_SCAN_CHARS]
    prose = _CODE.sub(" ", text) if "`" in text or "~~~" in text else text
    opening = prose.find("<%")
    if opening >= 0 and prose.find("%>", opening + 2) >= 0:  # a Templater tag, `<% … %>`
        return True
    if "{{" not in prose:
        return False
    return bool(_CORE_VARIABLE.search(prose)) or len(_PLACEHOLDER.findall(prose)) >= 2


def note_date(meta: dict[str, Any], rel: str, settings: VaultSettings) -> datetime | None:
    """When a note was written, read from the note (frontmatter, daily-note name, file name), or None."""
    if meta:
        keys = {re.sub(r"[^a-z]", "", k): v for k, v in meta.items()}
        for key in DATE_KEYS:
            value = keys.get(key)
            moment = parse_when(value) or (date_in_name(value) if isinstance(value, str) else None)
            if moment is not None:
                return moment
    return settings.daily_date(rel) or date_in_name(rel.rpartition("/")[2])


def _vault_path(value: Any) -> str | None:
    if not isinstance(value, str) or not value.strip():
        return None
    return value.strip().strip("/").removeprefix("./") or None


@lru_cache(maxsize=4096)
def _is_template_folder(name: str) -> bool:
    words = [w for w in fold_words(name.replace("_", " ")) if not w.isdigit()]  # "99_Templates", "_templates"
    return len(words) == 1 and words[0] in TEMPLATE_FOLDER_NAMES


@lru_cache(maxsize=16)
def _format_pattern(moment_format: str) -> tuple[re.Pattern[str], tuple[str, ...]]:
    parts: list[str] = []
    fields: list[str] = []
    index = 0
    while index < len(moment_format):
        if moment_format[index] == "[":  # [literal text]
            end = moment_format.find("]", index)
            end = len(moment_format) if end < 0 else end
            parts.append(re.escape(moment_format[index + 1 : end]))
            index = end + 1
            continue
        for token, regex, name in _TOKENS:
            if moment_format.startswith(token, index):
                parts.append(regex)
                if name:
                    fields.append(name)
                index += len(token)
                break
        else:
            parts.append(re.escape(moment_format[index]))
            index += 1
    return re.compile("".join(parts), re.I), tuple(fields)


def _date_of(match: re.Match[str], fields: tuple[str, ...]) -> datetime | None:
    values = dict(zip(fields, match.groups(), strict=True))
    year = int(values["year"]) if "year" in values else 2000 + int(values["year2"]) if "year2" in values else None
    month = int(values["month"]) if "month" in values else _MONTHS.get(values.get("month_name", "").casefold())
    day = int(values["day"]) if "day" in values else None
    if year is None or month is None or day is None:
        return None
    try:
        return datetime(year, month, day, tzinfo=UTC)
    except ValueError:
        return None
