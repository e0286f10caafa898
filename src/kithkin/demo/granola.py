"""Demo meeting notes: Granola's cache-v3.json (the cache as a JSON string, as v3 writes it) with work
meetings and their attendees, and two markdown exports of the shape other note takers write."""

from __future__ import annotations

import json
import uuid
from datetime import timedelta
from pathlib import Path

from kithkin.demo.cast import Cast, DemoPerson

SOURCE = "granola"
ORDER = 70

TITLES = ["Weekly sync", "Design critique", "Quarterly planning", "Customer call prep", "Interview debrief"]


def _attendee(person: DemoPerson) -> dict[str, str]:
    return {"name": person.name, "email": person.work_email or person.personal_email or ""}


def write(cast: Cast, folder: Path) -> list[Path]:
    rng = cast.rng
    folder.mkdir(parents=True, exist_ok=True)
    colleagues = [p for p in cast.circle("work") if p.work_email]
    owner = {"name": cast.owner["name"], "email": cast.owner["email"]}
    documents = {}
    for index in range(min(24, len(colleagues))):
        present = rng.sample(colleagues, min(len(colleagues), rng.randint(1, 4)))
        start = cast.moments(present[0], 1)[0].replace(second=0, microsecond=0)
        doc_id = str(uuid.UUID(int=rng.getrandbits(128)))
        title = rng.choice(TITLES)
        documents[doc_id] = {
            "id": doc_id,
            "title": title,
            "created_at": start.strftime("%Y-%m-%dT%H:%M:%S.000Z"),
            "updated_at": (start + timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M:%S.000Z"),
            "deleted_at": None,
            "type": "meeting",
            "notes_markdown": f"## {title}\n\n- Agreed on next steps with {present[0].first}.\n",
            "notes_plain": f"{title}\nAgreed on next steps with {present[0].first}.",
            "people": {"creator": owner, "attendees": [_attendee(p) for p in present]},
            "google_calendar_event": {
                "id": f"evt{index:04d}",
                "summary": title,
                "start": {"dateTime": start.isoformat()},
                "end": {"dateTime": (start + timedelta(minutes=45)).isoformat()},
                "organizer": {"email": owner["email"]},
                "attendees": [{"email": owner["email"], "self": True, "organizer": True, "responseStatus": "accepted"}]
                + [
                    {"email": a["email"], "displayName": a["name"], "responseStatus": "accepted"}
                    for a in (_attendee(p) for p in present)
                ],
            },
        }
    state = {"documents": documents, "transcripts": {}, "events": [], "panelTemplates": []}
    cache = folder / "cache-v3.json"
    cache.write_text(json.dumps({"cache": json.dumps({"state": state, "version": 3})}), encoding="utf-8")

    paths = [cache]
    friends = [p for p in cast.people if p.closeness > 0.4][:6]
    for index in range(0, len(friends) - 1, 3):
        group = friends[index : index + 3]
        start = cast.now - timedelta(days=7 * (index + 1))
        note = folder / f"{start:%Y-%m-%d} Planning call.md"
        transcript = "\n\n".join(f"**{p.name}:** Sounds good to me." for p in group)
        note.write_text(
            f"# Planning call\n\nDate: {start:%Y-%m-%d %H:%M}\n"
            f"Attendees: {', '.join(p.name for p in group)}\n\n---\n\n## Summary\n\n- Trip booked.\n\n"
            f"## Transcript\n\n**Me:** Shall we book it?\n\n{transcript}\n",
            encoding="utf-8",
        )
        paths.append(note)
    return paths
