"""A vault's own settings as Obsidian and its plugins write them: templates and daily-note formats, and
when a note was written."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from kithkin.importers.obsidian import VaultSettings, is_template_text, note_date, read_settings


def loader(root: Path):
    def load(rel: str) -> bytes | None:
        path = root / rel
        return path.read_bytes() if path.is_file() else None

    return load


def test_settings_are_read_from_the_core_plugins_and_templater(tmp_path):
    plugins = tmp_path / ".obsidian" / "plugins"
    (plugins / "templater-obsidian").mkdir(parents=True)
    (tmp_path / ".obsidian" / "templates.json").write_text(json.dumps({"folder": "/Extras/Templates/"}))
    (tmp_path / ".obsidian" / "daily-notes.json").write_text(
        json.dumps({"folder": "Calendar/Daily", "format": "DD.MM.YYYY", "template": "Extras/Templates/Daily"})
    )
    (plugins / "templater-obsidian" / "data.json").write_text(
        json.dumps(
            {
                "templates_folder": "99_System/Templates",
                "folder_templates": [{"folder": "10_Daily", "template": "Extras/Daily note.md"}, {"folder": ""}],
                "file_templates": [{"regex": ".*", "template": "Extras/Any.md"}],
                "user_scripts_folder": "99_System/Scripts",
            }
        )
    )
    settings = read_settings(loader(tmp_path))
    assert settings == VaultSettings(
        template_folders=("Extras/Templates", "99_System/Templates"),
        template_files=frozenset({"Extras/Daily note", "Extras/Any"}),
        daily_folder="Calendar/Daily",
        daily_format="DD.MM.YYYY",
    )
    assert [
        settings.is_template_path(rel)
        for rel in (
            "Extras/Templates/Meeting.md",
            "99_System/Templates/Person.md",
            "Extras/Daily note.md",
            "Notes/_templates/Old.md",
            "Extras/Templates.md",
            "Notes/Meeting.md",
        )
    ] == [True, True, True, True, False, False]
    assert settings.daily_date("Calendar/Daily/19.03.2023.md") == datetime(2023, 3, 19, tzinfo=UTC)


def test_missing_or_broken_settings_leave_the_defaults(tmp_path):
    (tmp_path / ".obsidian").mkdir()
    (tmp_path / ".obsidian" / "daily-notes.json").write_text('{"folder": "Daily", ')  # being written
    (tmp_path / ".obsidian" / "templates.json").write_text("[]")
    assert read_settings(loader(tmp_path)) == VaultSettings()


def test_the_periodic_notes_plugin_gives_the_daily_format_when_the_core_plugin_has_none(tmp_path):
    folder = tmp_path / ".obsidian" / "plugins" / "periodic-notes"
    folder.mkdir(parents=True)
    (folder / "data.json").write_text(
        json.dumps({"daily": {"enabled": True, "folder": "Journal", "format": "YYYY/MM/YYYY-MM-DD", "template": ""}})
    )
    settings = read_settings(loader(tmp_path))
    assert (settings.daily_folder, settings.daily_format) == ("Journal", "YYYY/MM/YYYY-MM-DD")
    assert settings.daily_date("Journal/2023/03/2023-03-19.md") == datetime(2023, 3, 19, tzinfo=UTC)


@pytest.mark.parametrize(
    ("moment_format", "name", "day"),
    [
        ("YYYY-MM-DD", "2023-03-19", (2023, 3, 19)),
        ("dddd, MMMM Do YYYY", "Sunday, March 19th 2023", (2023, 3, 19)),
        ("[Diary-]YYYYMMDD", "Diary-20230319", (2023, 3, 19)),
        ("MMM D, YYYY", "Mar 9, 2023", (2023, 3, 9)),
        ("DD-MM-YY ddd", "09-11-22 Wed", (2022, 11, 9)),
        ("YYYY-MM-DD", "Meeting notes", None),
        ("YYYY-MM-DD", "2023-02-30", None),
        ("gggg-[W]ww", "2023-W11", None),  # a weekly format names no day
    ],
)
def test_daily_note_names_are_read_with_the_vaults_format(moment_format, name, day):
    settings = VaultSettings(daily_folder="Daily", daily_format=moment_format)
    expected = datetime(*day, tzinfo=UTC) if day else None
    assert settings.daily_date(f"Daily/{name}.md") == expected
    assert settings.daily_date(f"Elsewhere/{name}.md") is None


@pytest.mark.parametrize(
    ("text", "template"),
    [
        ("---\ncreated: <% tp.file.creation_date() %>\n---\n# <% tp.file.title %>\n", True),
        ("<%* tR += 'x' %>\nA note\n", True),
        ("---\ndate: {{date}}\n---\n", True),
        ("# {{title}}\nWritten on {{date:YYYY-MM-DD}}\n", True),
        ("Name: {{name}}\nCompany: {{company}}\n", True),  # two placeholders of any name
        ("Use {{ this }} sparingly.\n", False),  # one is a sentence about braces
        ("Jinja example:\n```\n{{ name }} {{ title }} <% x %>\n```\nand `{{date}}` inline.\n", False),
        ("Met [[Ana Okafor]] on 2023-03-19.\n", False),
    ],
)
def test_a_template_is_told_by_its_placeholders_outside_code(text, template):
    assert is_template_text(text) is template


@pytest.mark.parametrize(
    ("meta", "rel", "expected"),
    [
        ({"date": datetime(2023, 3, 19, 9, 30)}, "2020-01-01 Note.md", datetime(2023, 3, 19, 9, 30, tzinfo=UTC)),
        ({"creation-date": "2023-03-19"}, "Note.md", datetime(2023, 3, 19, tzinfo=UTC)),
        ({"date created": "2023-03-19T10:00:00+02:00"}, "Note.md", datetime(2023, 3, 19, 8, 0, tzinfo=UTC)),
        ({"created_at": "[[2023-03-19]]"}, "Note.md", datetime(2023, 3, 19, tzinfo=UTC)),
        ({"date": "someday", "created": "2021-05-04"}, "Note.md", datetime(2021, 5, 4, tzinfo=UTC)),
        ({"birthday": "1990-04-02"}, "Daily/2023-03-19.md", datetime(2023, 3, 19, tzinfo=UTC)),
        ({}, "Diary-20230319.md", datetime(2023, 3, 19, tzinfo=UTC)),
        ({}, "2023_03_19 standup.md", datetime(2023, 3, 19, tzinfo=UTC)),
        ({}, "Invoice 12345678.md", None),  # eight digits that are no date
        ({}, "2023/Notes.md", None),  # a folder's year alone dates nothing
    ],
)
def test_a_notes_date_comes_from_the_note(meta, rel, expected):
    settings = VaultSettings(daily_folder="Daily")
    assert note_date(meta, rel, settings) == expected
