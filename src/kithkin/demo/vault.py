"""Demo vault: an Obsidian vault with person pages, work meeting notes and personal notes, zipped.

The vault folder is written as Obsidian keeps it (`.obsidian/`, `People/`, `Work/<Company>/`,
`Personal/<Circle>/`); the demo imports the zip of it, one file as users share a vault.
"""

from __future__ import annotations

import os
import zipfile
from pathlib import Path

from kithkin.demo.cast import Cast, DemoPerson

SOURCE = "vault"
ORDER = 60

TOPICS = ["Planning", "Design review", "Retro", "1-1", "Roadmap", "Hiring sync", "Launch prep"]
PERSONAL = ["Dinner", "Weekend trip", "Catch-up", "Birthday", "Climb", "Book night"]


def _page(person: DemoPerson, mention: DemoPerson | None) -> str:
    lines = ["---"]
    if person.nickname:
        lines.append(f"aliases: [{person.nickname}]")
    if person.personal_email:
        lines.append(f"email: {person.personal_email}")
    if person.company:
        lines += [f"company: {person.company}", f"position: {person.position}"]
    lines += ["tags: [person]", "---", f"# {person.name}", "", f"Met through {person.circle}."]
    if mention is not None:
        lines.append(f"Knows [[{mention.name}]] well.")
    return "\n".join(lines) + "\n"


def _mention(person: DemoPerson, has_page: bool, style: int) -> str:
    """A person as notes mention them: a link, a link shown by first name, an alias link, or plain text."""
    if style == 0 or not has_page:
        return f"[[{person.name}]]"
    if style == 1:
        return f"[[{person.name}|{person.first}]]"
    if style == 2 and person.nickname:
        return f"[[{person.nickname}]]"
    return person.name


def _typo(word: str) -> str:
    """Two letters swapped near the end, the commonest slip."""
    return word[:-3] + word[-2] + word[-3] + word[-1]


def write(cast: Cast, folder: Path) -> list[Path]:
    rng = cast.rng
    root = folder / "vault"
    notes: dict[str, tuple[str, float]] = {}
    close = [p for p in cast.people if p.closeness >= 0.25]
    paged = {p.key for p in close}
    for person in close:
        others = [p for p in cast.circle(person.circle) if p is not person]
        mention = rng.choice(others) if others and rng.random() < 0.5 else None
        notes[f"People/{person.name}.md"] = (_page(person, mention), cast.now.timestamp() - rng.randrange(86400 * 300))
    groups = [
        (f"Work/{company}", cast.circle("work")) for company in sorted({p.company for p in cast.people if p.company})
    ]
    groups = [(where, [p for p in people if where.endswith(p.company or "")]) for where, people in groups]
    groups += [
        (f"Personal/{circle.title()}", cast.circle(circle)) for circle in sorted({p.circle for p in cast.people})
    ]
    for where, people in groups:
        if len(people) < 2:
            continue
        for index in range(max(2, len(people) // 2)):
            present = rng.sample(people, min(len(people), rng.randint(2, 4)))
            moment = cast.moments(present[0], 1)[0]
            work = where.startswith("Work/")
            topic = rng.choice(TOPICS if work else PERSONAL)
            name = f"{moment:%Y-%m-%d} {topic} {index}.md"
            mentions = ", ".join(_mention(p, p.key in paged, rng.randrange(4)) for p in present[1:])
            if work:
                attendees = "\n".join(f'  - "[[{p.name}]]"' for p in present[:2])
                text = f"---\nattendees:\n{attendees}\n---\n# {topic}\n\nNotes with {mentions}.\n- Next steps agreed.\n"
            else:
                text = f"# {topic}\n\nWith {_mention(present[0], present[0].key in paged, 0)} and {mentions}.\n"
            notes[f"{where}/{name}"] = (text, moment.timestamp())
    notes["Inbox/Ideas.md"] = ("# Ideas\n\n- Read more.\n- ![[sketch.png]]\n", cast.now.timestamp() - 3600)
    # Links typed in a hurry, one letter off: what the review queue is for.
    hurried = [p for p in close if len(p.last) >= 5][:4]
    lines = "".join(f"- Call [[{p.first} {_typo(p.last)}]] back.\n" for p in hurried)
    notes["Inbox/Quick notes.md"] = (f"# Quick notes\n\n{lines}", cast.now.timestamp() - 7200)
    for rel, (text, mtime) in sorted(notes.items()):
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        os.utime(path, (mtime, mtime))
    (root / ".obsidian").mkdir(parents=True, exist_ok=True)
    (root / ".obsidian" / "app.json").write_text('{"alwaysUpdateLinks": true}\n', encoding="utf-8")
    archive = folder / "vault.zip"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as out:
        for path in sorted(root.rglob("*")):
            if path.is_file():
                out.write(path, path.relative_to(folder).as_posix())
    return [archive]
