"""Signal: the folders carderne/signal-export writes, and the JSON lines of `signal-cli -o json receive`.

signal-export writes one folder per chat, named after the chat, holding `chat.md` and `data.json`:
JSON Lines of {date (naive local time, ISO), sender (a display name; "Me" for the user), body,
quote, sticker, reactions, attachments, deleted, call, missed}. A group chat's folder adds
`meta.json` ({name, exported_by, members: [{name, display_name, number}]}) and `members.csv`.
Import the export's root folder, one chat folder or one data.json.

signal-cli writes one {"envelope": {...}, "account": "+1…"} per line: an envelope has source,
sourceNumber, sourceUuid, sourceName, timestamp (ms) and a dataMessage {message, groupInfo{groupId}}
for a received message, or a syncMessage {sentMessage {destination…, message, groupInfo}} for one the
user sent from another device. Receipts, typing notices and reactions are not interactions.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, ClassVar

from kithkin.importers.base import read_text_lenient
from kithkin.models import Identity, ImportFormatError, Observation

SNIPPET = 280
OWNER_SENDER = "Me"  # what signal-export writes for the user's own messages
NO_SENDER = "No-Sender"


def _first_object(text: str) -> dict[str, Any] | None:
    for line in text.splitlines():
        if line.strip():
            try:
                value = json.loads(line)
            except ValueError:
                return None
            return value if isinstance(value, dict) else None
    return None


def _kind_of_file(path: Path) -> str | None:
    """ "export" (a signal-export data.json), "cli" (signal-cli JSON lines) or None."""
    if not path.is_file() or path.suffix.lower() not in (".json", ".jsonl", ".ndjson", ".txt"):
        return None
    with path.open("rb") as handle:
        head = handle.read(64 * 1024).decode("utf-8", "replace")
    first = _first_object(head)
    if first is None:
        return None
    if "envelope" in first:
        return "cli"
    return "export" if {"date", "sender"} <= first.keys() else None


def _chat_files(path: Path) -> list[Path]:
    if path.is_file():
        return [path]
    if (path / "data.json").is_file():
        return [path / "data.json"]
    return sorted(p for p in path.glob("*/data.json") if p.is_file()) if path.is_dir() else []


class SignalImporter:
    source_type: ClassVar[str] = "signal"

    def sniff(self, path: Path) -> bool:
        files = _chat_files(path)
        return bool(files) and _kind_of_file(files[0]) is not None

    def cursor(self) -> str | None:
        return None  # both forms are read whole; stable message ids make re-imports add nothing

    def read(self, path: Path, cursor: str | None) -> Iterator[Observation | Exception]:
        files = _chat_files(path)
        if not files:
            raise ImportFormatError(path, "is not a Signal export: expected a signal-export folder or a data.json")
        kinds = {file: _kind_of_file(file) for file in files}
        for file, kind in kinds.items():
            if kind is None:
                raise ImportFormatError(
                    file, "is not a Signal export: expected signal-export's data.json or signal-cli JSON lines"
                )
        for file, kind in kinds.items():
            if kind == "cli":
                yield from _read_cli(file)
            else:
                yield from _read_export(file)


# -- signal-export -------------------------------------------------------------------------------


def _members(folder: Path) -> list[dict[str, Any]]:
    meta = folder / "meta.json"
    if not meta.is_file():
        return []
    try:
        data = json.loads(read_text_lenient(meta))
    except ValueError:
        return []
    members = data.get("members") if isinstance(data, dict) else None
    return [m for m in members or [] if isinstance(m, dict)]


def _member_identity(member: dict[str, Any], role: str) -> Identity:
    name = member.get("name") or member.get("display_name")
    number = str(member.get("number") or "").strip()
    digits = re.sub(r"[^\d+]", "", number)
    source_id = f"tel:{digits}" if digits else f"name:{str(name).casefold()}"
    return Identity(source_id=source_id, name=name, phones=(number,) if number else (), role=role)


def _read_export(file: Path) -> Iterator[Observation | Exception]:
    chat = file.parent.name
    members = _members(file.parent)
    is_group = bool(members) or (file.parent / "meta.json").is_file()
    by_name: dict[str, dict[str, Any]] = {}
    for member in members:
        for key in ("name", "display_name"):
            if member.get(key):
                by_name.setdefault(str(member[key]), member)

    # Identities are shared by every message of the chat: ingest only reads them.
    group = [(member, _member_identity(member, "member")) for member in members]
    people: dict[tuple[str, str], Identity] = {}

    def person(name: str, role: str) -> Identity:
        if (name, role) not in people:
            member = by_name.get(name)
            found = _member_identity(member, role) if member else Identity(f"name:{name.casefold()}", name, role=role)
            people[(name, role)] = found
        return people[(name, role)]

    thread = f"export:{chat}"
    seen: Counter[str] = Counter()
    for number, line in enumerate(read_text_lenient(file).splitlines(), 1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
            # naive: the exporting computer's local time, read here in this zone
            when = datetime.fromisoformat(str(record["date"])).astimezone(UTC)
            sender = str(record.get("sender") or NO_SENDER)
        except (ValueError, KeyError, TypeError, AttributeError, OverflowError) as exc:
            yield ValueError(f"{file}: line {number} is not a signal-export message ({exc})")
            continue
        if record.get("deleted"):
            continue
        body = str(record.get("body") or "").strip()
        outgoing = sender == OWNER_SENDER
        participants: list[Identity] = []
        if not outgoing and sender != NO_SENDER:
            participants.append(person(sender, "from"))
        if is_group:
            author = by_name.get(sender)
            participants += [identity for member, identity in group if member is not author]
        elif outgoing:
            participants.append(person(chat, "to"))
        fingerprint = hashlib.blake2b(body.encode(), digest_size=6).hexdigest()
        key = f"{thread}:{when.isoformat()}:{sender}:{fingerprint}"
        seen[key] += 1
        attachments = record.get("attachments")
        yield Observation(
            source_id=f"{key}:{seen[key]}",
            kind="call" if record.get("call") else "message",
            occurred_at=when,
            participants=participants,
            direction="out" if outgoing else "in",
            thread_id=thread,
            context=chat if is_group else None,
            snippet=body[:SNIPPET] or None,
            metadata={"attachments": len(attachments)} if isinstance(attachments, list) and attachments else {},
        )


# -- signal-cli ----------------------------------------------------------------------------------


def _person(source_id: str | None, number: str | None, name: str | None, role: str, owner: bool = False) -> Identity:
    return Identity(
        source_id=source_id or f"tel:{number}",
        name=name or None,
        phones=(number,) if number else (),
        role=role,
        is_owner=owner,
    )


def _read_cli(file: Path) -> Iterator[Observation | Exception]:
    names: dict[str, str] = {}  # a sent message names only its recipient's number: reuse the name seen before
    for number, line in enumerate(read_text_lenient(file).splitlines(), 1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
            envelope = record["envelope"]
            observation = _cli_observation(envelope, record.get("account"))
        except (ValueError, KeyError, TypeError, AttributeError, OverflowError, OSError) as exc:
            yield ValueError(f"{file}: line {number} is not a signal-cli envelope ({exc})")
            continue
        if observation is None:
            continue
        for person in observation.participants:
            if person.name:
                names[person.source_id] = person.name
            else:
                person.name = names.get(person.source_id)
        yield observation


def _cli_observation(envelope: dict[str, Any], account: str | None) -> Observation | None:
    sent = (envelope.get("syncMessage") or {}).get("sentMessage")
    data = sent or envelope.get("dataMessage")
    if not data or data.get("reaction") or (data.get("message") is None and not data.get("attachments")):
        return None  # receipts, typing, reactions, group updates: nothing was said
    sender = _person(
        envelope.get("sourceUuid"),
        envelope.get("sourceNumber") or envelope.get("source"),
        envelope.get("sourceName"),
        "from",
        owner=bool(sent),
    )
    if sent and account and not sender.phones:
        sender.phones = (account,)
    group = data.get("groupInfo") or {}
    participants = [sender]
    if sent and not group:
        participants.append(
            _person(sent.get("destinationUuid"), sent.get("destinationNumber") or sent.get("destination"), None, "to")
        )
    timestamp = int(data.get("timestamp") or envelope["timestamp"])
    conversation = group.get("groupId") or (participants[-1].source_id if sent else sender.source_id)
    text = str(data.get("message") or "").strip()
    return Observation(
        source_id=f"{sender.source_id}:{timestamp}",  # Signal identifies a message by its author and sent time
        kind="message",
        occurred_at=datetime.fromtimestamp(timestamp / 1000, UTC),
        participants=participants,
        direction="out" if sent else "in",
        thread_id=f"cli:{conversation}",
        context=group.get("groupName"),
        snippet=text[:SNIPPET] or None,
        metadata={"attachments": len(data["attachments"])} if data.get("attachments") else {},
    )
