"""Demo Signal: a signal-export folder — one-to-one chats with family and a family group with its
meta.json and members.csv — each chat's `data.json` in JSON Lines with naive local times and "Me"."""

from __future__ import annotations

import csv
import json
from datetime import datetime
from pathlib import Path
from typing import Any

from kithkin.demo.cast import Cast, DemoPerson

SOURCE = "signal"
ORDER = 52
LINES = [
    "Call me when you land",
    "Sunday lunch at ours?",
    "Love you!",
    "Did you see the photos?",
    "Happy birthday 🎂",
    "On my way",
    "Mum says hi",
    "Can you pick up bread?",
]


def _record(moment: datetime, sender: str, body: str, index: int) -> dict[str, Any]:
    return {
        "date": moment.astimezone().replace(tzinfo=None).isoformat(),  # signal-export writes naive local time
        "sender": sender,
        "body": body + "  ",
        "quote": "",
        "sticker": None,
        "reactions": [{"name": "Me", "emoji": "❤️"}] if index % 6 == 2 else [],
        "attachments": [],
        "deleted": False,
        "call": False,
        "missed": False,
    }


def _chat(folder: Path, cast: Cast, people: list[DemoPerson], name: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    moments = sorted((m, p) for p in people for m in cast.moments(p, 2 + int(p.closeness * 8)))
    records = [
        _record(moment, "Me" if index % 3 == 1 else (person.name if len(people) > 1 else name), LINES[index % 8], index)
        for index, (moment, person) in enumerate(moments)
    ]
    lines = [json.dumps(record, ensure_ascii=False) for record in records]
    (folder / "data.json").write_text("\n".join(lines) + "\n", encoding="utf-8")
    chat = "".join(f"[{r['date'][:19].replace('T', ' ')}] {r['sender']}: {r['body']}\n" for r in records)
    (folder / "chat.md").write_text(chat, encoding="utf-8")
    return folder / "data.json"


def write(cast: Cast, folder: Path) -> list[Path]:
    family = sorted(cast.circle("family"), key=lambda p: -p.closeness)
    if not family:
        return []
    root = folder / "signal-chats"
    paths = [_chat(root / person.name, cast, [person], person.name) for person in family[:3]]
    group = family[:6]
    members = [{"name": p.name, "display_name": p.first, "number": p.phone or "", "other_groups": []} for p in group]
    group_folder = root / "Family"
    group_folder.mkdir(parents=True, exist_ok=True)
    meta = {
        "name": "Family",
        "exported_by": cast.owner["name"],
        "exported_on": cast.now.isoformat(),
        "members": members,
    }
    (group_folder / "meta.json").write_text(json.dumps(meta, ensure_ascii=False, indent=2), encoding="utf-8")
    with (group_folder / "members.csv").open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(
            handle,
            fieldnames=[
                "group_name",
                "exported_by",
                "exported_on",
                "num_shared_groups",
                "name",
                "display_name",
                "number",
                "other_groups",
            ],
        )
        writer.writeheader()
        for member in members:
            writer.writerow(
                {
                    "group_name": "Family",
                    "exported_by": meta["exported_by"],
                    "exported_on": meta["exported_on"],
                    "num_shared_groups": 0,
                    **member,
                }
            )
    paths.append(_chat(group_folder, cast, group, "Family"))
    return paths
