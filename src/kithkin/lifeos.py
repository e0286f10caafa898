"""`kithkin migrate-lifeos`: bring an existing LifeOS people store into Kithkin, reversibly.

LifeOS keeps canonical people in `people_entities.json` (PersonEntity dicts) and one row per person
per touchpoint in `interactions.db` (interactions: id, person_id, timestamp, source_type, title,
snippet, source_link, source_id, …). Each LifeOS person becomes a canonical person (keeping its id,
notes, tags and category), each (person, source) a confirmed source entity, each row an interaction.
"""

from __future__ import annotations

import json
import shutil
import sqlite3
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from kithkin.identity.names import person_name
from kithkin.identity.normalize import name_key, normalize_email, normalize_phone
from kithkin.insight.relationships import update_for_interactions
from kithkin.insight.strength import update_strengths
from kithkin.models import KithkinError, now_utc, utc_iso
from kithkin.store import backup, db, interactions, links, people, sources
from kithkin.store.ids import entity_id, interaction_id
from kithkin.store.interactions import InteractionRecord
from kithkin.store.sources import EntityRecord
from kithkin.workspace import Workspace

# LifeOS source names → Kithkin's (CONTRACT.md).
SOURCE_NAMES = {"gmail": "mail", "phone": "calls", "phone_calls": "calls"}
KINDS = {"mail": "email", "calendar": "meeting", "vault": "note", "granola": "meeting", "calls": "call"}
STATE_FILE = "lifeos-migration.json"


def _read_people(path: Path) -> list[dict[str, Any]]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise KithkinError(f"{path} cannot be read as JSON ({exc.__class__.__name__}); check the file.") from exc
    if isinstance(data, dict):
        data = data.get("people", list(data.values()))
    if not isinstance(data, list) or not all(isinstance(p, dict) and p.get("id") for p in data):
        raise KithkinError(f"{path} is not a LifeOS people_entities.json: expected a list of people with ids.")
    return data


def _read_interactions(path: Path) -> list[dict[str, Any]]:
    if not path.is_file():
        raise KithkinError(f"{path} does not exist; give the LifeOS interactions.db.")
    try:
        conn = sqlite3.connect(f"file:{path.resolve().as_posix()}?mode=ro", uri=True)
        conn.row_factory = sqlite3.Row
        try:
            rows = [dict(r) for r in conn.execute("SELECT * FROM interactions ORDER BY timestamp")]
        finally:
            conn.close()
    except sqlite3.DatabaseError as exc:
        raise KithkinError(f"{path} is not a LifeOS interactions.db ({exc}); check the file.") from exc
    return rows


def _moment(text: str | None) -> datetime:
    if not text:
        return datetime(1970, 1, 1, tzinfo=UTC)
    moment = datetime.fromisoformat(str(text).replace("Z", "+00:00"))
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _entity(person: dict[str, Any], source: str, observed_at: str, region: str) -> EntityRecord:
    emails = [e for e in (normalize_email(x) for x in person.get("emails") or []) if e]
    phones = [p for p in (normalize_phone(x, region) for x in person.get("phone_numbers") or []) if p]
    metadata = {k: person[k] for k in ("company", "position", "linkedin_url", "birthday") if person.get(k)}
    metadata["lifeos_id"] = person["id"]
    return EntityRecord(
        id=entity_id(source, f"lifeos:{person['id']}"),
        source_type=source,
        source_id=f"lifeos:{person['id']}",
        observed_at=observed_at,
        observed_name=person.get("canonical_name") or None,
        observed_email=emails[0] if emails else None,
        observed_phone=phones[0] if phones else None,
        name_key=name_key(person.get("canonical_name")),
        metadata=metadata,
        identifiers=[("email", e) for e in emails] + [("phone", p) for p in phones],
    )


def migrate(workspace: Workspace, people_file: Path, interactions_file: Path) -> dict[str, Any]:
    """Back up the LifeOS files and this database, convert everything in one transaction, compare counts."""
    lifeos_people = _read_people(people_file)
    rows = _read_interactions(interactions_file)
    stamp = now_utc().strftime("%Y%m%d-%H%M%S")
    saved = workspace.home / "backups" / f"lifeos-{stamp}"
    saved.mkdir(parents=True, exist_ok=True)
    shutil.copy2(people_file, saved / people_file.name)
    shutil.copy2(interactions_file, saved / interactions_file.name)
    before_kithkin = backup.backup_to(workspace.conn, saved / "crm-before.db")

    known = {p["id"] for p in lifeos_people}
    by_id = {p["id"]: p for p in lifeos_people}
    region = workspace.settings.default_region
    entities: dict[str, EntityRecord] = {}
    records: list[InteractionRecord] = []
    orphans = 0
    for row in rows:
        if row["person_id"] not in known:
            orphans += 1
            continue
        source = SOURCE_NAMES.get(row["source_type"], row["source_type"])
        moment = _moment(row["timestamp"])
        entity = _entity(by_id[row["person_id"]], source, utc_iso(moment), region)
        if entity.id not in entities or entity.observed_at < entities[entity.id].observed_at:
            entities[entity.id] = entity
        source_id = row["source_id"] or row["id"]
        records.append(
            InteractionRecord(
                id=interaction_id(source, source_id, moment),
                source_type=source,
                source_id=source_id,
                kind=KINDS.get(source, "message"),
                occurred_at=utc_iso(moment),
                account=row.get("source_account"),
                participants=[(entity.id, "participant")],
                title=row.get("title"),
                snippet=row.get("snippet"),
                metadata={k: row[k] for k in ("source_link", "attendee_count") if row.get(k)},
            )
        )
    for person in lifeos_people:  # people with no interaction still keep where they came from
        source = SOURCE_NAMES.get((person.get("sources") or ["lifeos"])[0], (person.get("sources") or ["lifeos"])[0])
        entity = _entity(person, source, utc_iso(_moment(person.get("first_seen"))), region)
        entities.setdefault(entity.id, entity)

    with db.transaction(workspace.conn):
        conn = workspace.conn
        for person in lifeos_people:
            if people.get_person(conn, person["id"]) is None:
                people.create_person(conn, person.get("canonical_name") or "Unknown", id=person["id"])
            people.update_person(
                conn,
                person["id"],
                {
                    k: person[k]
                    for k in ("notes", "tags", "category", "company", "position", "linkedin_url")
                    if person.get(k) not in (None, "", [])
                },
            )
        sources.upsert_entities(conn, list(entities.values()))
        links.link_entities(
            conn, [(e.id, e.metadata["lifeos_id"], 1.0, "confirmed", "lifeos") for e in entities.values()]
        )
        added = interactions.add_interactions(conn, records)
        people.refresh_people(conn, known, workspace.mappings.domains(), person_name)
        update_strengths(conn, known)
        update_for_interactions(conn, workspace.settings, [r.id for r in records])
    state = {"backup": str(before_kithkin), "lifeos_copy": str(saved), "migrated_at": utc_iso(now_utc())}
    (workspace.home / STATE_FILE).write_text(json.dumps(state, indent=2), encoding="utf-8")
    return {
        "before": {
            "people": len(lifeos_people),
            "interactions": len(rows),
            "interactions_by_source": dict(Counter(r["source_type"] for r in rows)),
        },
        "after": {
            "people": people.count_people(workspace.conn),
            "source_entities": len(entities),
            "interactions_added": added,
            "orphan_interactions_skipped": orphans,
        },
        "backup": str(before_kithkin),
    }


def rollback(home: Path) -> dict[str, str]:
    """Put the database back as it was before the last migration."""
    state_path = home / STATE_FILE
    if not state_path.exists():
        raise KithkinError(f"No LifeOS migration is recorded in {home}; there is nothing to roll back.")
    state = json.loads(state_path.read_text(encoding="utf-8"))
    safety = home / "backups" / backup.timestamped_name("before-lifeos-rollback")
    backup.restore_from(Path(state["backup"]), home / "crm.db", safety)
    state_path.unlink()
    return {"restored": state["backup"], "previous": str(safety)}
