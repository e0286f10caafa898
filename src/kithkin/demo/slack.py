"""Demo Slack: the owner's company workspace as an admin's export zip — users (one bot, one deleted
colleague, some profiles without email), a large #general, a small team channel, private channel, DMs and a
group DM, one folder of `YYYY-MM-DD.json` files per conversation, with threads and `<@U…>` mentions."""

from __future__ import annotations

import json
import zipfile
from collections import defaultdict
from datetime import datetime
from pathlib import Path
from typing import Any

from kithkin.demo.cast import Cast, DemoPerson

SOURCE = "slack"
ORDER = 55
LINES = [
    "Morning all",
    "PR is up for review",
    "Can we move the sync to 3pm?",
    "Shipped!",
    "Looks good to me",
    "Who owns the on-call this week?",
    "Thanks, that fixed it",
    "Lunch anyone?",
]


def _user(uid: str, person: DemoPerson, show_email: bool, deleted: bool = False) -> dict[str, Any]:
    profile: dict[str, Any] = {
        "real_name": person.name,
        "display_name": person.first.lower(),
        "title": person.position or "",
    }
    if show_email and person.work_email:
        profile["email"] = person.work_email
    return {
        "id": uid,
        "team_id": "TDEMO",
        "name": person.first.lower(),
        "real_name": person.name,
        "deleted": deleted,
        "is_bot": False,
        "profile": profile,
    }


def _ts(moment: datetime, serial: int) -> str:
    return f"{int(moment.timestamp())}.{serial:06d}"


def write(cast: Cast, folder: Path) -> list[Path]:
    company = cast.owner["email"].split("@")[1]
    colleagues = [p for p in cast.people if p.work_email and p.work_email.endswith("@" + company)]
    if not colleagues:
        return []
    ids = {p.key: f"U{index + 2:08d}" for index, p in enumerate(colleagues)}
    users = [
        {
            "id": "U00000001",
            "team_id": "TDEMO",
            "name": "alex",
            "real_name": cast.owner["name"],
            "deleted": False,
            "is_bot": False,
            "profile": {"real_name": cast.owner["name"], "email": cast.owner["email"]},
        },
        {
            "id": "B00000001",
            "team_id": "TDEMO",
            "name": "deploybot",
            "deleted": False,
            "is_bot": True,
            "profile": {"real_name": "Deploy Bot", "bot_id": "B00000001"},
        },
    ]
    users += [
        _user(ids[p.key], p, index % 5 != 4, deleted=index == len(colleagues) - 1) for index, p in enumerate(colleagues)
    ]
    closest = sorted(colleagues, key=lambda p: -p.closeness)
    team = closest[:8]
    conversations: dict[str, list[DemoPerson]] = {}
    everyone = ["U00000001", "B00000001", *ids.values()]
    channels = [
        {
            "id": "C00000001",
            "name": "general",
            "created": 1600000000,
            "creator": "U00000001",
            "is_archived": False,
            "members": everyone,
            "topic": {"value": ""},
            "purpose": {"value": ""},
        },
        {
            "id": "C00000002",
            "name": "team-platform",
            "created": 1600000000,
            "creator": "U00000001",
            "members": ["U00000001", *(ids[p.key] for p in team)],
        },
    ]
    conversations["general"] = colleagues
    conversations["team-platform"] = team
    groups = [
        {
            "id": "G00000001",
            "name": "offsite-planning",
            "created": 1600000000,
            "members": ["U00000001", *(ids[p.key] for p in team[:3])],
        }
    ]
    conversations["offsite-planning"] = team[:3]
    dms = [
        {"id": f"D{index:08d}", "created": 1600000000, "members": ["U00000001", ids[p.key]]}
        for index, p in enumerate(closest[:3], 1)
    ]
    for dm, person in zip(dms, closest[:3], strict=True):
        conversations[dm["id"]] = [person]
    mpims = [
        {
            "id": "G00000002",
            "name": "mpdm-alex--" + "--".join(p.first.lower() for p in team[:2]) + "-1",
            "created": 1600000000,
            "members": ["U00000001", *(ids[p.key] for p in team[:2])],
        }
    ]
    conversations[mpims[0]["name"]] = team[:2]
    days: dict[str, list[dict[str, Any]]] = defaultdict(list)
    serial = 0
    for folder_name, people in conversations.items():
        parent: str | None = None
        for person in people:
            for moment in cast.moments(person, 1 + int(person.closeness * 6), days=200):
                serial += 1
                author = "U00000001" if serial % 4 == 0 else ids[person.key]
                text = LINES[serial % len(LINES)]
                if serial % 7 == 0 and len(people) > 1:
                    text = f"<@{ids[people[(serial // 7) % len(people)].key]}> {text}"
                message: dict[str, Any] = {"type": "message", "user": author, "text": text, "ts": _ts(moment, serial)}
                if parent and serial % 5 == 0:
                    message["thread_ts"] = parent
                parent = parent or message["ts"]
                days[f"{folder_name}/{moment.astimezone().date().isoformat()}.json"].append(message)
        days[f"{folder_name}/{cast.now.date().isoformat()}.json"].append(
            {
                "type": "message",
                "subtype": "bot_message",
                "bot_id": "B00000001",
                "text": "Deploy finished",
                "ts": _ts(cast.now, 999999),
            }
        )
    path = folder / "Northwind Slack export.zip"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in [
            ("users.json", users),
            ("channels.json", channels),
            ("groups.json", groups),
            ("dms.json", dms),
            ("mpims.json", mpims),
        ]:
            archive.writestr(name, json.dumps(data, ensure_ascii=False, indent=1))
        for name in sorted(days):
            messages = sorted(days[name], key=lambda m: float(m["ts"]))
            archive.writestr(name, json.dumps(messages, ensure_ascii=False, indent=1))
    return [path]
