"""Demo WhatsApp: two "Export chat" files as Android writes them — a group chat of one circle and a
one-to-one chat — with multi-line messages, a media placeholder and system lines."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from kithkin.demo.cast import Cast, DemoPerson

SOURCE = "whatsapp"
ORDER = 50
LINES = [
    "Are we still on for Saturday?",
    "Running 10 minutes late",
    "That was fun!",
    "<Media omitted>",
    "Who's bringing the snacks?",
    "Happy birthday!! 🎉",
    "See you there",
    "Can someone send the address?",
]


def _stamp(moment: datetime) -> str:
    local = moment.astimezone()  # exports are in the phone's local time
    return local.strftime("%d.%m.%y, %H:%M")


def _chat(cast: Cast, people: list[DemoPerson], owner: str, count: int, group: str | None) -> str:
    lines = []
    if group:
        first = min(cast.moments(people[0], 1, days=400))
        lines.append(f"{_stamp(first)} - You created group “{group}”")
    moments = sorted(m for p in people for m in cast.moments(p, max(1, count // len(people))))
    for index, moment in enumerate(moments):
        author = owner if index % 4 == 3 else people[index % len(people)].name
        text = LINES[index % len(LINES)]
        if index % 9 == 5:
            text += "\nI'll bring the usual"
        lines.append(f"{_stamp(moment)} - {author}: {text}")
    return "\n".join(lines) + "\n"


def write(cast: Cast, folder: Path) -> list[Path]:
    owner = cast.owner["name"]
    circle = sorted(cast.circle("climbing club"), key=lambda p: -p.closeness)[:8]
    closest = max(cast.people, key=lambda p: p.closeness)
    group = folder / "WhatsApp Chat with Climbing Club.txt"
    group.write_text(_chat(cast, circle, owner, 60, "Climbing Club"), encoding="utf-8")
    direct = folder / f"WhatsApp Chat with {closest.name}.txt"
    direct.write_text(_chat(cast, [closest], owner, 40, None), encoding="utf-8")
    return [group, direct]
