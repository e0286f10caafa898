"""Vault import speed, end to end through the real importer and ingest into a fresh home.

Goal (issue 6): 5,000 notes with 50,000 mentions in ≤ 5 s, 100 % of the notes read. Each note names
ten distinct people: two frontmatter attendees, five wikilinks (plain, `|shown`, `#heading`, `^block`)
and three full names in plain text (known from contacts imported first, or from person pages); each
of the 200 person pages names its person and nine others.
As a real vault (issue 22): the daily notes are named by their date (`.obsidian/daily-notes.json`), and
besides them sit 60 pages of places, projects and books, 20 templates (`.obsidian/templates.json`), and
a fifth of the notes link a place or project page and a title that leads nowhere ("Victoria Park",
"Yearly Budget"): none of these may become a person.
Prints the figures (wall and CPU seconds: the machine is shared): parse only, the full import (store,
identity resolution, people), and a re-sync after 50 notes were edited.
"""

from __future__ import annotations

import json
import os
import random
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

from kithkin.config import Owner, Settings, save_settings
from kithkin.importers.vault import VaultImporter
from kithkin.ingest import import_paths
from kithkin.workspace import Workspace

NOTES = 5_000
PEOPLE = 800
PAGES = 200  # people with their own page under People/
CONTACTS = 300  # people known from an address book before the vault is imported
FOLDERS = ["Work/ML", "Work/Hiring", "Personal/Murm", "Personal/BlueLabs", "Daily"]
FIRST = ["Ana", "Ben", "Chloe", "David", "Elena", "Farid", "Grace", "Hiro", "Isabel", "Jonas", "Kemi", "Liam"]
SYLLABLES = ["ka", "ro", "vin", "ma", "lo", "tész", "ber", "ni", "sa", "dor", "qu", "el"]
OTHER_PAGES = [
    f"{kind}/{name} {n}"
    for n in range(20)
    for kind, name in (("Places", "Victoria Park"), ("Projects", "Education Plan"), ("Books", "Out of Control"))
]
NOWHERE = ["Yearly Budget", "Charlotte Street", "Family Recipes", "San Francisco", "Spicy-Sweet Buffalo Popcorn"]
TEMPLATES = 20
FILLER = "We went through the plan, the numbers and the open questions; next steps are below. " * 3


def cast(rng: random.Random) -> list[str]:
    names: set[str] = set()
    while len(names) < PEOPLE:
        last = "".join(rng.choice(SYLLABLES) for _ in range(3)).capitalize()
        names.add(f"{rng.choice(FIRST)} {last}")
    return sorted(names)


def write_vault(root: Path, names: list[str], rng: random.Random) -> int:
    (root / ".obsidian").mkdir(parents=True)
    (root / ".obsidian" / "daily-notes.json").write_text(json.dumps({"folder": "Daily", "format": "YYYY-MM-DD"}))
    (root / ".obsidian" / "templates.json").write_text(json.dumps({"folder": "Templates"}))
    for index in range(TEMPLATES):
        page = root / "Templates" / f"Template {index}.md"
        page.parent.mkdir(exist_ok=True)
        page.write_text(f"---\ndate: {{{{date}}}}\nattendees: []\n---\n# {{{{title}}}}\nWith [[{names[index]}]]\n")
    for rel in OTHER_PAGES:
        page = root / f"{rel}.md"
        page.parent.mkdir(exist_ok=True)
        page.write_text(f"---\ntype: {rel.split('/')[0].lower()}\n---\n# {rel}\n", encoding="utf-8")
    for name in names[:PAGES]:
        page = root / "People" / f"{name}.md"
        page.parent.mkdir(exist_ok=True)
        known = ", ".join(f"[[{n}]]" for n in rng.sample([n for n in names if n != name], 9))
        page.write_text(f"---\naliases: [{name.split()[1]}]\n---\n# {name}\n\nKnows {known}.\n", encoding="utf-8")
    textual = names[:PAGES] + names[PAGES : PAGES + CONTACTS]  # names the importer can find in plain text
    mentions = 0
    for index in range(NOTES - PAGES):
        folder = root / FOLDERS[index % len(FOLDERS)]
        folder.mkdir(parents=True, exist_ok=True)
        spoken = rng.sample(textual, 3)
        linked = rng.sample([n for n in names if n not in spoken], 7)
        forms = [
            f"[[{linked[2]}]]",
            f"[[{linked[3]}|{linked[3].split()[0]}]]",
            f"[[{linked[4]}#Notes]]",
            f"[[{linked[5]}^b{index}]]",
            f"[[{linked[6]}]]",
        ]
        if index % 5 == 0:  # a fifth of the notes link a place or project page, and a title that leads nowhere
            forms.append(f"[[{rng.choice(OTHER_PAGES).split('/')[1]}]] and [[{rng.choice(NOWHERE)}]]")
        day = (date(2012, 1, 1) + timedelta(days=index)).isoformat()
        daily = folder.name == "Daily"  # a daily note is named by its date, others carry it in frontmatter
        text = (
            f'---\n{"" if daily else f"date: {day}"}\nattendees:\n  - "[[{linked[0]}]]"\n'
            f"  - {linked[1]}\n---\n# Meeting {index}\n\n{FILLER}\nWith {', '.join(forms)}.\n"
            f"{spoken[0]} raised the budget; {spoken[1]} and {spoken[2]} agreed.\n{FILLER}\n"
        )
        (folder / (f"{day}.md" if daily else f"Note {index}.md")).write_text(text, encoding="utf-8")
        mentions += 10
    return mentions + PAGES * 10  # each page: its own person and nine others


def write_contacts(path: Path, names: list[str]) -> None:
    cards = []
    for name in names[PAGES : PAGES + CONTACTS]:
        first, last = name.split(" ", 1)
        cards.append(f"BEGIN:VCARD\r\nVERSION:3.0\r\nN:{last};{first};;;\r\nFN:{name}\r\nEND:VCARD\r\n")
    path.write_text("".join(cards), encoding="utf-8")


def main() -> None:
    rng = random.Random(6)
    names = cast(rng)
    with tempfile.TemporaryDirectory() as tmp:
        vault = Path(tmp) / "vault"
        expected = write_vault(vault, names, rng)
        notes = sum(1 for _ in vault.rglob("*.md"))
        write_contacts(Path(tmp) / "contacts.vcf", names)

        importer = VaultImporter()
        importer.known_names = set(names[PAGES : PAGES + CONTACTS])
        started, cpu = time.perf_counter(), time.process_time()
        parsed = sum(len(o.participants) for o in importer.read(vault, None) if not isinstance(o, Exception))
        parse_seconds, parse_cpu = time.perf_counter() - started, time.process_time() - cpu

        home = Path(tmp) / "home"
        save_settings(home, Settings(owner=Owner(name="Me", emails=["me@example.org"])))
        with Workspace.open(home) as workspace:
            import_paths(workspace, "contacts", [Path(tmp) / "contacts.vcf"])
            started, cpu = time.perf_counter(), time.process_time()
            summary = import_paths(workspace, "vault", [vault])
            seconds, import_cpu = time.perf_counter() - started, time.process_time() - cpu
            # A re-sync after editing 50 notes reads just those.
            notes_of_life = sorted(
                p for p in vault.rglob("*.md") if p.parent.name in ("ML", "Hiring", "Murm", "BlueLabs", "Daily")
            )
            edited = notes_of_life[:: len(notes_of_life) // 50][:50]
            for path in edited:
                path.write_text(path.read_text(encoding="utf-8") + "\nEdited.\n", encoding="utf-8")
                os.utime(path, (time.time() + 60, time.time() + 60))
            started, cpu = time.perf_counter(), time.process_time()
            resync = import_paths(workspace, "vault", [vault])
            resync_seconds, resync_cpu = time.perf_counter() - started, time.process_time() - cpu
        details = summary.details

    print(f"vault: {notes:,} notes, {expected:,} mentions written (cores: {os.cpu_count()})")
    print(f"  parse only:  {parse_seconds:.2f} s ({parse_cpu:.2f} s CPU), {parsed:,} mentions found")
    read = details["notes_read"] + details["skipped_reasons"].get("template", 0)  # a template is read, then set aside
    print(
        f"  full import: {seconds:.2f} s ({import_cpu:.2f} s CPU; goal ≤ 5 s); notes read {read:,} of "
        f"{details['notes_found']:,} ({100 * read / details['notes_found']:.0f} %), "
        f"{details['mentions']:,} mentions in {details['notes_with_mentions']:,} notes, "
        f"{details['people_mentioned']:,} people; {summary.interactions:,} interactions, "
        f"{summary.people_created:,} people created (of {PEOPLE - CONTACTS} not in contacts); "
        f"skipped {details['skipped_reasons']}; link targets not people {details['links_not_people']}"
    )
    print(
        f"  re-sync after editing {len(edited)} notes: {resync_seconds:.2f} s ({resync_cpu:.2f} s CPU); read "
        f"{resync.details['notes_read']:,}, unchanged {resync.details['notes_unchanged']:,}"
    )


if __name__ == "__main__":
    main()
