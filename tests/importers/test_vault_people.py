"""Only people become people: a vault whose notes link places, projects, books and plans as well as
people, person pages marked each way Obsidian users mark them, templates, dated notes and files that
cannot be read, built here in the shapes Obsidian and its plugins write."""

from __future__ import annotations

import json
import os
import stat
import zipfile
from pathlib import Path

import pytest

from kithkin.config import LiveSource, Owner, Settings, save_settings
from kithkin.importers.vault_people import looks_like_a_person, page_mark
from kithkin.ingest import import_paths
from kithkin.models import Identity, Observation
from kithkin.sync import sync_source
from kithkin.workspace import Workspace
from tests.helpers import at, feed

MARCH = 1_709_251_200  # 2024-03-01T00:00:00Z: every file's modification time, unless a note says otherwise


def note(root: Path, rel: str, text: str, mtime: int = MARCH) -> None:
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    os.utime(path, (mtime, mtime))


def settings(root: Path, rel: str, data: dict) -> None:
    path = root / ".obsidian" / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data, indent=2), encoding="utf-8")


def build_life_vault(root: Path) -> Path:
    """Person pages marked six ways; places, projects, books and plans; templates of both plugins; notes
    dated every way a note can be."""
    settings(root, "app.json", {})
    settings(root, "templates.json", {"folder": "Meta/Templates"})
    settings(
        root,
        "plugins/templater-obsidian/data.json",
        {
            "command_timeout": 5,
            "templates_folder": "Meta/Templater",
            "templates_pairs": [["", ""]],
            "trigger_on_file_creation": True,
            "enable_folder_templates": True,
            "folder_templates": [{"folder": "Journal", "template": "Extras/Journal entry.md"}],
            "enable_file_templates": False,
            "file_templates": [{"regex": ".*", "template": ""}],
        },
    )
    settings(
        root,
        "daily-notes.json",
        {"folder": "Journal", "format": "dddd, MMMM Do YYYY", "template": "Extras/Journal entry"},
    )

    # Person pages, each marked its own way.
    note(root, "People/Ana Okafor.md", "---\naliases: [Annie]\n---\nMet at the book club.\n")
    note(root, "Notes/Ben Carter.md", "---\ntype: person\ncompany: Northwind\n---\nClimbing partner.\n")
    note(root, "References/Steph Ango.md", '---\ncategories:\n  - "[[People]]"\ncreated: 2023-09-12\n---\n')
    note(root, "Crew/Chidi Obi.md", "---\ntags:\n  - person/friend\n---\nMakes bread.\n")
    note(root, "Misc/Dana Whitfield.md", "---\nemail: dana@whitfield.example\nbirthday: 1990-04-02\n---\n")
    note(root, "Misc/Kofi Mensah.md", "Kofi's page carries no mark: the vault lists him under people: below.\n")

    # Pages that are not people, some with names that read like one.
    note(root, "Places/Victoria Park.md", '---\ncategories:\n  - "[[Places]]"\n---\nThe lido.\n')
    note(root, "Places/San Francisco.md", "---\ntype: city\n---\n")
    note(root, "Projects/Education Plan.md", "---\ntype: project\nstatus: active\n---\n")
    note(root, "Books/Out of Control.md", '---\ncategories:\n  - "[[Books]]"\nauthor: "[[Kevin Kelly]]"\n---\n')
    note(root, "Notes/Family Recipes.md", "- [[Spicy-Sweet Buffalo Popcorn]]\n- [[Yearly Budget]]\n")

    # Templates: in the core plugin's folder, Templater's folder, a folder template's file, and a loose
    # note full of placeholders. Each names a person page and would otherwise be a note of its own.
    note(root, "Meta/Templates/People Template.md", '---\ncategories:\n  - "[[People]]"\ncreated: {{date}}\n---\n')
    note(root, "Meta/Templater/Meeting.md", "---\ndate: <% tp.date.now() %>\npeople: [[Ana Okafor]]\n---\n")
    note(root, "Extras/Journal entry.md", "# Journal\nWith [[Ana Okafor]]\n")
    note(root, "Inbox/Call skeleton.md", "# {{title}}\nCalled [[Ben Carter]] on {{date:YYYY-MM-DD}}.\n")

    # Notes of the user's life, each dated its own way.
    note(
        root,
        "Meetings/Kickoff.md",
        '---\ncreation-date: 2023-03-19\npeople:\n  - "[[Kofi Mensah]]"\n  - Lena Fischer\n---\n'
        "With [[Ana Okafor|Ana]] at [[Victoria Park]], then [[Charlotte Street]] for lunch.\n"
        "Read [[Out of Control]] for the [[Education Plan]]; [[Sam Carter]] may join.\n",
    )
    note(
        root,
        "Meetings/Offsite.md",
        "---\ncreated: 2022-11-05T14:30:00\n---\n[[Ben Carter]], [[Chidi Obi]] and [[Grace Hughes]] in "
        "[[San Francisco]].\nBen Carter and chidi obi booked ![[map.png]].\n",
    )
    note(root, "Journal/Sunday, March 19th 2023.md", "Long call with [[Steph Ango]] about [[Family Recipes]].\n")
    note(root, "Diary-20230320.md", "Lunch with [[Dana Whitfield]]; [[Lena Fischer]] came too.\n")
    note(root, "Notes/Reading.md", '---\ndate: "[[2021-06-01]]"\n---\nLent [[Out of Control]] to [[Annie]].\n')
    note(root, "Notes/Undated.md", "Bumped into [[Kofi Mensah]].\n", mtime=MARCH + 86_400)
    note(root, "Notes/Jinja.md", "Templating tip for [[Ben Carter]]:\n\n```\n{{ name }} and {{ title }}\n```\n")

    # Files that cannot be read: a symlink loop, a link to nowhere, and a file whose reads fail (EIO).
    (root / "Loop.md").symlink_to("Loop.md")
    (root / "Notes" / "Gone.md").symlink_to("Nowhere.md")
    (root / "Notes" / "Damaged.md").symlink_to("/proc/self/mem")
    (root / "Again").symlink_to(".")  # a folder link back to the vault is not followed
    return root


def people_of(ws: Workspace) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    rows = ws.conn.execute(
        """SELECT i.source_id, p.canonical_name FROM interactions i
           JOIN interaction_participants ip ON ip.interaction_id = i.id
           JOIN source_entities se ON se.id = ip.source_entity_id
           JOIN people p ON p.id = se.canonical_person_id"""
    )
    for source_id, name in rows:
        found.setdefault(source_id, []).append(name)
    return {key: sorted(names) for key, names in found.items()}


def test_only_people_become_people_and_every_mention_is_kept(tmp_path, home):
    vault = build_life_vault(tmp_path / "vault")
    with Workspace.open(home) as ws:
        feed(ws, "contacts", [Observation("c1", "contact", at(1), [Identity("l", "Lena Fischer", role="card")])])
        summary = import_paths(ws, "vault", [vault])
        people = sorted(r[0] for r in ws.conn.execute("SELECT canonical_name FROM people WHERE merged_into IS NULL"))
        found = people_of(ws)
        kickoff = json.loads(
            ws.conn.execute("SELECT metadata FROM interactions WHERE source_id = 'Meetings/Kickoff.md'").fetchone()[0]
        )

    assert people == [
        "Ana Okafor",
        "Ben Carter",
        "Chidi Obi",
        "Dana Whitfield",
        "Kofi Mensah",
        "Lena Fischer",
        "Steph Ango",
    ]
    assert found == {
        "People/Ana Okafor.md": ["Ana Okafor"],
        "Notes/Ben Carter.md": ["Ben Carter"],
        "References/Steph Ango.md": ["Steph Ango"],
        "Crew/Chidi Obi.md": ["Chidi Obi"],
        "Misc/Dana Whitfield.md": ["Dana Whitfield"],
        "Misc/Kofi Mensah.md": ["Kofi Mensah"],
        "Meetings/Kickoff.md": ["Ana Okafor", "Kofi Mensah", "Lena Fischer"],
        "Meetings/Offsite.md": ["Ben Carter", "Chidi Obi"],
        "Journal/Sunday, March 19th 2023.md": ["Steph Ango"],
        "Diary-20230320.md": ["Dana Whitfield", "Lena Fischer"],
        "Notes/Reading.md": ["Ana Okafor"],
        "Notes/Undated.md": ["Kofi Mensah"],
        "Notes/Jinja.md": ["Ben Carter"],
    }
    assert kickoff["suggested_people"] == ["Sam Carter"]
    details = summary.details
    assert details["skipped_reasons"] == {"template": 4, "symlink loop": 1, "broken link": 1, "unreadable": 1}
    assert details["person_pages"] == 6
    assert details["links_not_people"] == {
        "attachment": 1,  # ![[map.png]]
        "name to confirm": 2,  # Sam Carter, Kevin Kelly (a book's author with no page)
        # Charlotte Street, Grace Hughes (no page, known nowhere, a first name the list lacks), Spicy-Sweet
        # Buffalo Popcorn, Yearly Budget, and the daily note 2021-06-01 that Reading.md's date links to.
        "no evidence of a person": 5,
        "non-person page": 5,  # Victoria Park, Out of Control, Education Plan, San Francisco, Family Recipes
    }
    assert details["person_suggestions"] == {"Sam Carter": 1, "Kevin Kelly": 1}
    assert sorted(summary.errors) == [
        "vault note Loop.md could not be read (symlink loop); skipped",
        "vault note Notes/Damaged.md could not be read (unreadable); skipped",
        "vault note Notes/Gone.md could not be read (broken link); skipped",
    ]


def test_every_note_is_dated_from_the_note_never_at_import_time(tmp_path, workspace):
    vault = build_life_vault(tmp_path / "vault")
    import_paths(workspace, "vault", [vault])
    dates = dict(workspace.conn.execute("SELECT source_id, occurred_at FROM interactions"))
    assert dates == {
        "Meetings/Kickoff.md": "2023-03-19T00:00:00Z",  # creation-date:
        "Meetings/Offsite.md": "2022-11-05T14:30:00Z",  # created: with a time
        "Journal/Sunday, March 19th 2023.md": "2023-03-19T00:00:00Z",  # the daily notes' format
        "Diary-20230320.md": "2023-03-20T00:00:00Z",  # a date in the file name
        "Notes/Reading.md": "2021-06-01T00:00:00Z",  # date: "[[2021-06-01]]", a link to the daily note
        "References/Steph Ango.md": "2023-09-12T00:00:00Z",  # created:
        "Notes/Undated.md": "2024-03-02T00:00:00Z",  # nothing in the note: its modification time
        "Notes/Jinja.md": "2024-03-01T00:00:00Z",
        "People/Ana Okafor.md": "2024-03-01T00:00:00Z",
        "Notes/Ben Carter.md": "2024-03-01T00:00:00Z",
        "Crew/Chidi Obi.md": "2024-03-01T00:00:00Z",
        "Misc/Dana Whitfield.md": "2024-03-01T00:00:00Z",  # a birthday dates the person, not the page
        "Misc/Kofi Mensah.md": "2024-03-01T00:00:00Z",
    }


def test_a_zipped_vault_reads_its_settings_from_the_zip(tmp_path, workspace):
    vault = build_life_vault(tmp_path / "Life")
    archive = tmp_path / "life.zip"
    with zipfile.ZipFile(archive, "w") as out:
        for path in sorted(vault.rglob("*")):
            if path.is_file() and not path.is_symlink():
                out.write(path, path.relative_to(tmp_path).as_posix())
    summary = import_paths(workspace, "vault", [archive])
    dates = dict(workspace.conn.execute("SELECT source_id, occurred_at FROM interactions"))
    assert summary.details["skipped_reasons"] == {"template": 4}
    assert summary.details["person_pages"] == 6
    assert dates["Journal/Sunday, March 19th 2023.md"] == "2023-03-19T00:00:00Z"
    assert len(dates) == 13 and summary.errors == []


def build_template_vault(root: Path) -> Path:
    """The shape of a public vault template: `categories` says what a page is, people are linked from
    meetings, books, albums and podcast episodes, body and frontmatter alike; templates hold `{{date}}`."""
    settings(root, "app.json", {})
    settings(root, "templates.json", {"folder": "Templates"})
    for name in ("Steph Ango", "Paul Chambers", "Kevin Kelly"):
        note(root, f"References/{name}.md", '---\ncategories:\n  - "[[People]]"\ncreated: 2023-09-12\n---\n')
    note(
        root, "Templates/People Template.md", '---\ncategories:\n  - "[[People]]"\nbirthday:\ncreated: {{date}}\n---\n'
    )
    note(
        root, "Templates/Meeting Template.md", '---\ncategories:\n  - "[[Meetings]]"\ndate: {{date}}\npeople: []\n---\n'
    )
    linking = {
        "Notes/2023-09-12 Meeting with Steph.md": '---\ncategories:\n  - "[[Meetings]]"\ndate: 2023-09-12\n'
        'people:\n  - "[[Steph Ango]]"\ntopics:\n  - "[[Emergence]]"\n---\n- Discussed [[Out of Control]]\n',
        "References/Bass on Top.md": '---\ncategories:\n  - "[[Albums]]"\nartist: "[[Paul Chambers]]"\n'
        "year: 1957\n---\n",
        "References/Well Made 145 Kevin Kelly.md": '---\ncategories:\n  - "[[Podcast episodes]]"\n'
        'show: "[[Well Made]]"\nguests:\n  - "[[Kevin Kelly]]"\n---\n',
        "References/Out of Control.md": '---\ncategories:\n  - "[[Books]]"\nauthor:\n  - "[[Kevin Kelly]]"\n---\n',
        "References/Chambers Blues.md": "---\ncategories: [[Albums]]\nartist: [[Paul Chambers]]\n---\n",
        "References/Obsidian.md": '---\ncategories:\n  - "[[Companies]]"\n---\nMade by [[Steph Ango|Steph]].\n',
        "Daily/2023-09-30.md": "Listened to ![[Paul Chambers]] all day.\n",
        "Notes/Evergreen notes.md": "As [[Steph Ango#Writing]] says, and [[Kevin Kelly^quote]] too.\n",
        "Clippings/68 Bits of Unsolicited Advice.md": '---\ncategories:\n  - "[[Clippings]]"\nauthor:\n'
        '  - "[[Kevin Kelly]]"\n---\n',
        "Notes/Listening.md": "Paul Chambers on bass, Steph Ango on the playlist.\n",
    }
    for rel, text in linking.items():
        note(root, rel, text)
    return root


def test_person_pages_marked_by_categories_are_found_from_every_note_that_links_them(tmp_path, workspace):
    vault = build_template_vault(tmp_path / "template")
    summary = import_paths(workspace, "vault", [vault])
    found = people_of(workspace)
    linking = {
        k: v
        for k, v in found.items()
        if not k.startswith(("References/Steph", "References/Paul", "References/Kevin Kelly"))
    }
    assert linking == {
        "Notes/2023-09-12 Meeting with Steph.md": ["Steph Ango"],
        "References/Bass on Top.md": ["Paul Chambers"],
        "References/Well Made 145 Kevin Kelly.md": ["Kevin Kelly"],
        "References/Out of Control.md": ["Kevin Kelly"],
        "References/Chambers Blues.md": ["Paul Chambers"],
        "References/Obsidian.md": ["Steph Ango"],
        "Daily/2023-09-30.md": ["Paul Chambers"],
        "Notes/Evergreen notes.md": ["Kevin Kelly", "Steph Ango"],
        "Clippings/68 Bits of Unsolicited Advice.md": ["Kevin Kelly"],
        "Notes/Listening.md": ["Paul Chambers", "Steph Ango"],
    }
    people = sorted(r[0] for r in workspace.conn.execute("SELECT canonical_name FROM people WHERE merged_into IS NULL"))
    assert people == ["Kevin Kelly", "Paul Chambers", "Steph Ango"]
    assert summary.details["skipped_reasons"] == {"template": 2}
    assert summary.details["links_not_people"] == {
        "no evidence of a person": 2,  # Emergence, Well Made
        "non-person page": 1,  # Out of Control
    }


def test_a_synced_vault_skips_a_symlink_loop_and_counts_links_once_a_page_is_marked_a_person(tmp_path):
    home = tmp_path / "home"
    vault = tmp_path / "vault"
    note(vault, "People/Ana Okafor.md", "# Ana\n")
    note(vault, "Notes/Rowan Price.md", "# Rowan\nA page with no mark yet.\n")
    note(vault, "Notes/Walk.md", "Walk with [[Ana Okafor]] and [[Rowan Price]].\n")
    (vault / "self.md").symlink_to("self.md")
    source = LiveSource.model_validate({"type": "vault", "account": "notes", "path": str(vault)})
    save_settings(home, Settings(owner=Owner(emails=["me@example.org"]), sources=[source]))
    with Workspace.open(home) as ws:
        first = sync_source(ws, source)
        walk_before = people_of(ws)["notes:Notes/Walk.md"]
        quiet = sync_source(ws, source)
        note(vault, "Notes/Rowan Price.md", "---\ntags: [person]\n---\n# Rowan\n", MARCH + 60)
        marked = sync_source(ws, source)
        walk_after = people_of(ws)["notes:Notes/Walk.md"]

    assert first.errors == ["vault note self.md could not be read (symlink loop); skipped"]
    assert (first.interactions, first.details["notes_read"], first.details["notes_found"]) == (2, 3, 4)
    assert first.details["links_not_people"] == {"non-person page": 1}
    assert walk_before == ["Ana Okafor"]
    assert (quiet.details["notes_read"], quiet.details["notes_unchanged"]) == (0, 3)
    # Rowan's page is a person's now: every note is read again, so the walk written before counts him.
    assert (marked.details["notes_read"], marked.details["notes_unchanged"]) == (3, 0)
    assert walk_after == ["Ana Okafor", "Rowan Price"]


@pytest.mark.parametrize(
    ("folders", "meta", "mark"),
    [
        (["People"], {}, "folder"),
        (["02 - People", "Friends"], {}, "folder"),
        (["Areas", "persons"], {}, "folder"),
        ([], {"type": "Person"}, "frontmatter"),
        ([], {"tags": ["#people/friends"]}, "frontmatter"),
        ([], {"categories": [["People"]]}, "frontmatter"),  # `categories: [[People]]` unquoted
        ([], {"category": "[[People]], [[Authors]]"}, "frontmatter"),
        ([], {"phone": "+44 20 7946 0000"}, "person facts"),
        ([], {"company": "Northwind", "position": "CTO"}, "person facts"),
        ([], {"company": "Northwind", "attendees": ["Ana Okafor"]}, None),  # a meeting with a company
        ([], {"birthday": None, "email": ""}, None),  # a person template's empty fields
        ([], {"type": "[[Authors]]", "categories": ["[[Books]]"]}, None),
        (["Projects"], {"tags": ["project", "contact-form"]}, None),
        ([], {"tags": ["clippings", "people", "howto"]}, None),  # a clipping about people
        ([], {"tags": "#person"}, "frontmatter"),
    ],
)
def test_a_page_is_a_persons_by_its_folder_or_frontmatter(folders, meta, mark):
    assert page_mark(folders, meta, "Rowan Price") == mark


@pytest.mark.parametrize("name", ["People", "peoples", "People MOC", "_index", "All contacts"])
def test_the_people_folders_own_page_is_no_person(name):
    assert page_mark(["People"], {}, name) is None


@pytest.mark.parametrize(
    ("target", "person_like"),
    [
        ("Sam Carter", True),
        ("Kevin Kelly", True),
        ("Victoria Park", False),
        ("Charlotte Street", False),
        ("San Francisco", False),
        ("Family Recipes", False),
        ("Education Plan", False),
        ("Sam", False),  # one word is no full name
        ("sam carter", False),
    ],
)
def test_a_dead_link_is_a_name_to_confirm_only_when_it_reads_as_a_persons(target, person_like):
    assert looks_like_a_person(target) is person_like


def test_dataview_inline_fields_mark_people_and_date_notes(tmp_path, workspace):
    vault = tmp_path / "vault"
    note(vault, "people/John Doe.md", "customer::[[AwsomeInc]]\ntitle:: CEO\n")
    note(vault, "Crew/Femi Adeyemi.md", "# Femi\n- **type**:: [[Person]]\n- phone:: +44 20 7946 0018\n")
    note(vault, "customers/AwsomeInc.md", "type:: customer\n")
    note(
        vault,
        "daily/2022/10/2022-10-18_1507.md",
        "## Call\ntype:: meeting\ndate:: 2022-10-17\nrefnr:: [[party planing]]\n\n"
        "With [[John Doe]] and [[Femi Adeyemi]].\n",
    )
    summary = import_paths(workspace, "vault", [vault])
    found = people_of(workspace)
    dates = dict(workspace.conn.execute("SELECT source_id, occurred_at FROM interactions"))
    assert found["daily/2022/10/2022-10-18_1507.md"] == ["Femi Adeyemi", "John Doe"]
    assert dates["daily/2022/10/2022-10-18_1507.md"] == "2022-10-17T00:00:00Z"
    assert summary.details["person_pages"] == 2
    assert summary.details["links_not_people"] == {"no evidence of a person": 2, "non-person page": 1}


def test_a_zipped_symlink_is_named_and_the_rest_imports(tmp_path, workspace):
    archive = tmp_path / "vault.zip"
    with zipfile.ZipFile(archive, "w") as out:
        out.writestr("Vault/People/Ana Okafor.md", "# Ana\n")
        out.writestr("Vault/Walk.md", "Walk with [[Ana Okafor]].\n")
        link = zipfile.ZipInfo("Vault/self.md")
        link.external_attr = (stat.S_IFLNK | 0o777) << 16  # as `zip --symlinks` stores `self.md -> self.md`
        out.writestr(link, "self.md")
    summary = import_paths(workspace, "vault", [archive])
    assert summary.errors == ["vault note self.md could not be read (symbolic link); skipped"]
    assert (summary.interactions, summary.details["notes_found"], summary.details["notes_read"]) == (2, 3, 2)


def test_a_hostile_note_is_read_in_bounded_work(tmp_path, workspace):
    vault = tmp_path / "vault"
    note(vault, "People/Ana Okafor.md", "# Ana\n")
    # A thousand references to a thousand references to a thousand strings, from a few kilobytes of YAML.
    anchors = "a: &a [" + ", ".join(["x"] * 1000) + "]\nb: &b [" + ", ".join(["*a"] * 1000) + "]\n"
    bomb = anchors + "people: [" + ", ".join(["*b"] * 1000) + "]\nauthor: [" + ", ".join(["*b"] * 1000) + "]\n"
    body = "type:: x" + " " * 200_000 + "y\n" + "```\n<% {{ " * 20_000 + "\nWith [[Ana Okafor]].\n"
    note(vault, "Bomb.md", f"---\n{bomb}---\n{body}")
    summary = import_paths(workspace, "vault", [vault])
    assert people_of(workspace)["Bomb.md"] == ["Ana Okafor", "x"]
    assert summary.errors == [] and summary.details["notes_read"] == 2
