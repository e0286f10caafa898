"""Signal: the folders carderne/signal-export writes, the JSON lines of `signal-cli -o json receive`, and the
text files of bepaald/signalbackup-tools `--exporttxt`.

signal-export writes one folder per chat, named after the chat, holding `chat.md` and `data.json`:
JSON Lines of {date (naive local time, ISO), sender (a display name; "Me" for the user), body,
quote, sticker, reactions, attachments, deleted, call, missed}. A group chat's folder adds
`meta.json` ({name, exported_by, members: [{name, display_name, number}]}) and `members.csv`.
Import the export's root folder, one chat folder or one data.json. Run with `--no-json` (and in versions
before data.json existed) it writes only the Markdown, `chat.md` (earlier `index.md`): per message
`[2024-03-01 09:00:00] Sender: text` (older: `[2024-03-01, 09:00]`), the text going on over the following
lines, a quote as `> ` lines before it, attachments as `[name](./media/…)` links, reactions as a closing
`(- Name: 👍 -)` line, calls as `Incoming voice call (accepted, 2m 5s)`, a deleted message as `(This message
was deleted)`. A chat folder is read from data.json when it has one, else from its Markdown.

signal-cli `-o json receive` writes one {"envelope": {...}, "account": "+1…"} per line; its daemon writes the
same object as the params of a JSON-RPC notification, {"jsonrpc": "2.0", "method": "receive", "params":
{...}}, and answers a `receive` request with a list of them in "result"; signal-cli-rest-api's /v1/receive
returns them as one JSON array. Any of these is read, whatever the file is named. An envelope has source,
sourceNumber, sourceUuid, sourceName, timestamp (ms) and a dataMessage {message, attachments, sticker,
groupInfo{groupId, groupName}} for a received message, or a syncMessage {sentMessage {destination…, message,
groupInfo}} for one the user sent from another device. Receipts, typing notices, reactions, edits, deletions,
group updates, stories and call signalling are not interactions; the summary counts each.

signalbackup-tools (`signalbackup/exporttxt.cc`, `setrecipientinfo.cc`, `decodestatusmessage.cc`,
`common_be.h`) writes one file per thread of an Android `.backup` into the `--exporttxt` folder, named
`<display name> (_id<thread id>).txt` after the contact or the group title ('/' and newlines become '_').
Each message is `[Jul 10, 2023 01:23:45] <Display Name> body`: strftime "%b %d, %Y %H:%M:%S" in the C
locale, of date_received in the exporting machine's local time. The body is written raw, so a multi-line
message goes on over the following lines, which carry no date. The user's own messages carry the user's own
Signal display name, never "Me" (in 1:1 chats only where the database has from_recipient_id; older ones
name the contact on both sides). Reactions end the message's last line as ` (Name: 👍; Other: ❤️)`. Each
attachment is a line of its own before the body, `[date] *** <Name> sent file "photo.jpg"` (or `of type
image/jpeg`); a poll is `<Name> Poll: question` with indented option lines. Status lines are
`[date] *** text`: group changes, safety numbers, timers, and calls ("Incoming voice call", "Outgoing video
call", "Missed voice call", "Group call"). Quotes are not written; deleted and view-once messages are left out.
A 1:1 call becomes a call; other status lines are not interactions.
"""

from __future__ import annotations

import hashlib
import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, ClassVar, NamedTuple

from kithkin.importers import limits
from kithkin.importers.base import read_text_lenient, tally
from kithkin.models import Identity, ImportFormatError, Observation

SNIPPET = 280
OWNER_SENDER = "Me"  # what signal-export writes for the user's own messages
NO_SENDER = "No-Sender"


def _first_object(text: str) -> dict[str, Any] | None:
    for line in text.splitlines():
        if line.strip():
            try:
                value = limits.loads_json(line)
            except ValueError:
                return None
            return value if isinstance(value, dict) else None
    return None


def _is_cli_record(value: dict[str, Any]) -> bool:
    """A signal-cli envelope line, or a JSON-RPC message of its daemon."""
    return "envelope" in value or value.get("jsonrpc") == "2.0"


def _kind_of_file(path: Path) -> str | None:
    """ "export" (a signal-export data.json), "cli" (signal-cli JSON), "txt" (signalbackup-tools) or None."""
    if not path.is_file():
        return None
    with path.open("rb") as handle:
        head = handle.read(64 * 1024).decode("utf-8", "replace").lstrip("\ufeff")
    suffix = path.suffix.lower()
    opening = next((line for line in head.splitlines() if line.strip()), None)
    if suffix in (".md", ".txt") and opening and _MD_LINE.match(opening):
        return "markdown"  # also chat.md copied out as a .txt (chat-miner's sample)
    # signalbackup-tools leaves a thread's file empty when all its messages were deleted or view-once
    if suffix == ".txt" and (opening is None or _TXT_LINE.match(opening)):
        return "txt"
    if head.lstrip().startswith("[") and '"envelope"' in head:
        return "cli"  # signal-cli-rest-api's array of envelopes
    first = _first_object(head)
    if first is None:
        return None
    if _is_cli_record(first):
        return "cli"
    is_json = suffix in (".json", ".jsonl", ".ndjson")
    return "export" if is_json and {"date", "sender"} <= first.keys() else None


def _chat_file(folder: Path) -> Path | None:
    """A signal-export chat folder's messages: data.json, else the Markdown (chat.md, earlier index.md)."""
    return next((folder / name for name in _CHAT_FILES if (folder / name).is_file()), None)


def _chat_files(path: Path) -> list[Path]:
    if path.is_file():
        return [path]
    if not path.is_dir():
        return []
    own = _chat_file(path)
    if own is not None:
        return [own]
    chats = [found for folder in sorted(path.iterdir()) if folder.is_dir() and (found := _chat_file(folder))]
    if chats:
        return chats
    saved = sorted(p for p in path.glob("*") if p.is_file() and p.suffix.lower() in (".json", ".jsonl", ".ndjson"))
    return [p for p in saved if _kind_of_file(p) == "cli"] or sorted(p for p in path.glob("*.txt") if p.is_file())


class SignalImporter:
    source_type: ClassVar[str] = "signal"

    def __init__(self) -> None:
        self.owner_name: str | None = None  # set by ingest from config: signalbackup-tools names the owner like anyone
        self.report: dict[str, Any] = {}

    def sniff(self, path: Path) -> bool:
        files = _chat_files(path)
        return bool(files) and _kind_of_file(files[0]) is not None

    def cursor(self) -> str | None:
        return None  # both forms are read whole; stable message ids make re-imports add nothing

    def read(self, path: Path, cursor: str | None) -> Iterator[Observation | Exception]:
        files = _chat_files(path)
        if not files:
            raise ImportFormatError(
                path, "is not a Signal export: expected a signal-export folder, a data.json or a --exporttxt folder"
            )
        kinds = {file: _kind_of_file(file) for file in files}
        for file, kind in kinds.items():
            if kind is None:
                raise ImportFormatError(
                    file,
                    "is not a Signal export: expected signal-export's data.json or chat.md, signal-cli JSON lines or "
                    "signalbackup-tools --exporttxt lines like '[Jul 10, 2023 01:23:45] <Name> text'",
                )
        texts = [file for file, kind in kinds.items() if kind == "txt"]
        self.report = {}
        for file, kind in kinds.items():
            if kind == "cli":
                yield from _read_cli(file, self.report)
            elif kind in ("export", "markdown"):
                yield from _read_export(file, self.report, markdown=kind == "markdown")
        if texts:
            yield from _read_txt(texts, self.owner_name)


def _local_time(moment: datetime) -> datetime:
    """Both exports write naive times: the exporting computer's local time, read here in this zone."""
    return moment.astimezone(UTC)


def _named(name: str, role: str) -> Identity:
    """Someone both exports know by display name only."""
    return Identity(f"name:{name.casefold()}", name, role=role)


@dataclass(slots=True)
class _Conversation:
    """A chat of an export that numbers no message: a later export may start later or hold more, so a message
    is known by what it is, and the same message said twice in one second by its rank among its twins."""

    thread_id: str
    context: str | None  # the group's name
    seen: Counter[str] = field(default_factory=Counter)

    def said(
        self,
        when: datetime,
        sender: str,
        body: str,
        participants: list[Identity],
        *,
        outgoing: bool,
        call: bool = False,
        attachments: int = 0,
    ) -> Observation:
        fingerprint = hashlib.blake2b(body.encode(), digest_size=6).hexdigest()
        key = f"{self.thread_id}:{when.isoformat()}:{sender}:{fingerprint}"
        self.seen[key] += 1
        return Observation(
            source_id=f"{key}:{self.seen[key]}",
            kind="call" if call else "message",
            occurred_at=when,
            participants=participants,
            direction="out" if outgoing else "in",
            thread_id=self.thread_id,
            context=self.context,
            snippet=body[:SNIPPET] or None,
            metadata={"attachments": attachments} if attachments else {},
        )


# -- signal-export -------------------------------------------------------------------------------


def _members(folder: Path) -> list[dict[str, Any]]:
    meta = folder / "meta.json"
    if not meta.is_file():
        return []
    try:
        data = limits.loads_json(read_text_lenient(meta))
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


class _Said(NamedTuple):
    """One message of a signal-export chat, read from data.json or from the Markdown."""

    when: datetime
    sender: str
    body: str
    deleted: bool = False
    call: bool = False
    attachments: int = 0


def _read_export(file: Path, report: dict[str, Any], *, markdown: bool) -> Iterator[Observation | Exception]:
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
            found = _member_identity(member, role) if member else _named(name, role)
            people[(name, role)] = found
        return people[(name, role)]

    conversation = _Conversation(f"export:{chat}", chat if is_group else None)
    for said in _markdown_messages(file) if markdown else _json_messages(file):
        if isinstance(said, Exception):
            yield said
            continue
        tally(report, "read", "messages")
        if said.deleted:
            tally(report, "left_out", "deleted messages")  # deleted for everyone: nothing was kept
            continue
        outgoing = said.sender == OWNER_SENDER
        participants: list[Identity] = []
        if not outgoing and said.sender != NO_SENDER:
            participants.append(person(said.sender, "from"))
        if is_group:
            author = by_name.get(said.sender)
            participants += [identity for member, identity in group if member is not author]
        elif outgoing:
            participants.append(person(chat, "to"))
        tally(report, "imported", "calls" if said.call else "messages")
        yield conversation.said(
            said.when,
            said.sender,
            said.body,
            participants,
            outgoing=outgoing,
            call=said.call,
            attachments=said.attachments,
        )


def _json_messages(file: Path) -> Iterator[_Said | Exception]:
    for number, line in enumerate(read_text_lenient(file).splitlines(), 1):
        if not line.strip():
            continue
        try:
            record = limits.loads_json(line)
            when = _local_time(datetime.fromisoformat(str(record["date"])))
            sender = str(record.get("sender") or NO_SENDER)
        except (ValueError, KeyError, TypeError, AttributeError, OverflowError) as exc:
            yield ValueError(f"{file}: line {number} is not a signal-export message ({exc})")
            continue
        attachments = record.get("attachments")
        yield _Said(
            when,
            sender,
            str(record.get("body") or "").strip(),
            deleted=bool(record.get("deleted")),
            call=bool(record.get("call")),
            attachments=len(attachments) if isinstance(attachments, list) else 0,
        )


def _markdown_messages(file: Path) -> Iterator[_Said | Exception]:
    """The messages of a chat.md: each begins on a dated line; the lines after it, up to the next, are its."""
    found: list[tuple[int, re.Match[str], list[str]]] = []
    for number, line in enumerate(read_text_lenient(file).splitlines(), 1):
        header = _MD_LINE.match(line)
        if header:
            found.append((number, header, [header["text"]]))
        elif found:
            found[-1][2].append(line)
    for number, header, lines in found:
        try:
            when = _local_time(datetime.fromisoformat(f"{header['date']} {header['time']}"))
        except ValueError as exc:
            yield ValueError(f"{file}: line {number} has an impossible date ({exc})")
            continue
        while lines and (not lines[0].strip() or lines[0].startswith(">")):
            lines.pop(0)  # the quoted message this one answers: someone else's words
        text = "\n".join(lines).strip()
        if text == _MD_DELETED:
            yield _Said(when, header["sender"], "", deleted=True)
            continue
        text = _MD_REACTIONS.sub("", text)
        attachments = len(_MD_ATTACHMENT.findall(text))
        body = _MD_ATTACHMENT.sub("", text).strip()
        yield _Said(when, header["sender"], body, call=bool(_MD_CALL.match(body)), attachments=attachments)


# -- signal-cli ----------------------------------------------------------------------------------


def _person(source_id: str | None, number: str | None, name: str | None, role: str, owner: bool = False) -> Identity:
    return Identity(
        source_id=source_id or f"tel:{number}",
        name=name or None,
        phones=(number,) if number else (),
        role=role,
        is_owner=owner,
    )


def _cli_records(file: Path) -> Iterator[tuple[int, Any]]:
    """(line number, decoded JSON or the ValueError of a broken line) for each record of a signal-cli file: a
    JSON array is one record per element."""
    text = read_text_lenient(file)
    if text.lstrip().startswith("["):
        try:
            values = limits.loads_json(text)
        except ValueError as exc:
            yield 1, exc
            return
        yield from enumerate(values if isinstance(values, list) else [values], 1)
        return
    for number, line in enumerate(text.splitlines(), 1):
        if line.strip():
            try:
                yield number, limits.loads_json(line)
            except ValueError as exc:
                yield number, exc


def _wrapped_envelopes(record: Any) -> list[dict[str, Any]] | None:
    """The {envelope, account} objects a record holds: itself, a JSON-RPC notification's params, or the list
    a JSON-RPC `receive` request answered; None for another JSON-RPC message (a reply to `send`)."""
    if not isinstance(record, dict):
        raise TypeError(f"expected an object, found {type(record).__name__}")
    if "envelope" in record:
        return [record]
    if record.get("method") == "receive" and isinstance(record.get("params"), dict):
        return [record["params"]]
    result = record.get("result")
    if isinstance(result, list) and all(isinstance(item, dict) and "envelope" in item for item in result):
        return result
    if record.get("jsonrpc") == "2.0":
        return None
    raise KeyError("envelope")


def _read_cli(file: Path, report: dict[str, Any]) -> Iterator[Observation | Exception]:
    names: dict[str, str] = {}  # a sent message names only its recipient's number: reuse the name seen before
    for number, record in _cli_records(file):
        try:
            if isinstance(record, Exception):
                raise record
            wrapped = _wrapped_envelopes(record)
        except (ValueError, KeyError, TypeError) as exc:
            tally(report, "left_out", "unreadable lines")
            yield ValueError(f"{file}: line {number} is not a signal-cli envelope ({exc})")
            continue
        if wrapped is None:
            tally(report, "left_out", "other JSON-RPC replies")
            continue
        for item in wrapped:
            tally(report, "read", "envelopes")
            try:
                observation = _cli_observation(item["envelope"], item.get("account"))
            except (ValueError, KeyError, TypeError, AttributeError, OverflowError, OSError) as exc:
                tally(report, "left_out", "unreadable envelopes")
                yield ValueError(f"{file}: line {number} is not a signal-cli envelope ({exc})")
                continue
            if isinstance(observation, str):
                tally(report, "left_out", observation)
                continue
            for person in observation.participants:
                if person.name:
                    names[person.source_id] = person.name
                else:
                    person.name = names.get(person.source_id)
            tally(report, "imported", "messages")
            yield observation


# What an envelope that says nothing carries, and how the summary names it.
_NOT_SAID = (
    ("receiptMessage", "receipts"),
    ("typingMessage", "typing notices"),
    ("callMessage", "call signalling"),
    ("storyMessage", "stories"),
    ("editMessage", "edits"),
)


def _cli_observation(envelope: dict[str, Any], account: str | None) -> Observation | str:
    """The message an envelope carries, or why it carries none."""
    sync = envelope.get("syncMessage") or {}
    sent = sync.get("sentMessage")
    data = sent or envelope.get("dataMessage")
    if not data:
        found = next((label for key, label in _NOT_SAID if envelope.get(key)), None)
        return found or ("sync notices" if sync else "empty envelopes")
    if data.get("reaction"):
        return "reactions"
    if data.get("remoteDelete"):
        return "deletions"
    if data.get("message") is None and not data.get("attachments") and not data.get("sticker"):
        return "group updates" if data.get("groupInfo") or data.get("groupV2Change") else "empty envelopes"
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
    if any(p.source_id == "tel:None" for p in participants):
        raise ValueError("the envelope names no sender or recipient")
    timestamp = int(data.get("timestamp") or envelope["timestamp"])
    conversation = group.get("groupId") or (participants[-1].source_id if sent else sender.source_id)
    text = str(data.get("message") or "").strip()
    metadata: dict[str, Any] = {"attachments": len(data["attachments"])} if data.get("attachments") else {}
    if data.get("sticker"):
        metadata["sticker"] = True
    return Observation(
        source_id=f"{sender.source_id}:{timestamp}",  # Signal identifies a message by its author and sent time
        kind="message",
        occurred_at=datetime.fromtimestamp(timestamp / 1000, UTC),
        participants=participants,
        direction="out" if sent else "in",
        thread_id=f"cli:{conversation}",
        context=group.get("groupName"),
        snippet=text[:SNIPPET] or None,
        metadata=metadata,
    )


# -- signalbackup-tools --exporttxt ----------------------------------------------------------------

# strftime's %b in the C locale: the tool never sets one, so months are English whatever the phone's language
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
_CHAT_FILES = ("data.json", "chat.md", "index.md")
_MD_LINE = re.compile(r"\[(?P<date>\d{4}-\d\d-\d\d),? (?P<time>\d\d:\d\d(?::\d\d)?)\] (?P<sender>.*?): ?(?P<text>.*)")
_MD_DELETED = "(This message was deleted)"
_MD_REACTIONS = re.compile(r"\n?\(- [^\n]*? -\)\s*$")
# `![photo.jpg](./media/photo.jpg)`, a sticker `[label](../stickers/…)`, `(image not exported)`, `(( label ))`
_MD_ATTACHMENT = re.compile(
    r"!?\[[^\]\n]*\]\(\.\.?/[^)\n]*\) *|\([\w/ -]+ not exported\) *|^\(\( .* \)\)$", re.MULTILINE
)
_MD_CALL = re.compile(r"(?:Incoming|Outgoing|Missed) (?:voice |video )?call(?: \([^()\n]*\))?\Z")
_TXT_LINE = re.compile(rf"\[({'|'.join(_MONTHS)}) (\d\d), (\d{{4}}) (\d\d):(\d\d):(\d\d)\] (.*)")
# a display name may hold '>' but a body often does: the first "> " ends the name
_SPOKEN = re.compile(r"<(?P<user>.*?)> (?P<text>.*)")
_SENT_FILE = re.compile(r"\*\*\* <(?P<user>.*?)> sent file\b")
_CALL = re.compile(r"\*\*\* (?P<way>Incoming|Outgoing|Missed) (?:voice|video) call\Z")
_GROUP_STATUS = re.compile(r"\bgroup\b")  # "joined the group.", "added you to the group.", "Group call"…
_REACTIONS = re.compile(r" \([^()\n]*?: [^\w\s;]+(?:; [^()\n]*?: [^\w\s;]+)*\)\Z")
_THREAD_ID = re.compile(r" \(_id\d+\)\Z")


@dataclass(slots=True)
class _Entry:
    """A dated line of a thread with its continuation lines: a message (with its attachments) or a status line."""

    number: int
    stamp: tuple[int, ...]
    user: str | None  # None: a status line
    text: str
    attachments: int = 0


def _txt_lines(file: Path) -> list[_Entry]:
    entries: list[_Entry] = []
    for number, line in enumerate(read_text_lenient(file).splitlines(), 1):
        header = _TXT_LINE.match(line)
        if header is None:
            if entries:  # the rest of a multi-line body (or of a poll's options)
                entries[-1].text += "\n" + line
            continue
        month, day, year, hour, minute, second, rest = header.groups()
        stamp = (int(year), _MONTHS.index(month) + 1, int(day), int(hour), int(minute), int(second))
        attachment = _SENT_FILE.match(rest)
        spoken = _SPOKEN.match(rest) if attachment is None and not rest.startswith("*** ") else None
        found = attachment or spoken
        if found is None:
            entries.append(_Entry(number, stamp, None, rest))
            continue
        user, last = found["user"], entries[-1] if entries else None
        # a message's attachments come first, each a line of the message's own date and author
        if last is not None and last.attachments and not last.text and (last.stamp, last.user) == (stamp, user):
            if attachment:
                last.attachments += 1
            else:
                last.text = found["text"]
        elif attachment:
            entries.append(_Entry(number, stamp, user, "", attachments=1))
        else:
            entries.append(_Entry(number, stamp, user, found["text"]))
    return entries


def _title(file: Path) -> str:
    return _THREAD_ID.sub("", file.stem)


def _inferred_owners(chats: list[tuple[Path, list[_Entry]]]) -> set[str]:
    """The owner's Signal name, seen from the 1:1 chats: a file is named after its contact, so the one other
    author there is the owner (exports name the owner like anyone else)."""
    found: Counter[str] = Counter()
    for file, entries in chats:
        authors = {s.user for s in entries if s.user is not None}
        named = {a for a in authors if re.sub(r"[/\n]", "_", a) == _title(file)}
        if len(authors) == 2 and len(named) == 1:
            found[(authors - named).pop()] += 1
    return {found.most_common(1)[0][0].casefold()} if found else set()


def _read_txt(files: list[Path], owner_name: str | None) -> Iterator[Observation | Exception]:
    chats = [(file, _txt_lines(file)) for file in files]
    owners = _inferred_owners(chats) | ({owner_name.casefold()} if owner_name else set())
    for file, entries in chats:
        yield from _txt_chat(file, entries, owners)


def _txt_chat(file: Path, entries: list[_Entry], owners: set[str]) -> Iterator[Observation | Exception]:
    title = _title(file)
    others = dict.fromkeys(s.user for s in entries if s.user is not None and s.user.casefold() not in owners)
    is_group = len(others) > 1 or any(s.user is None and _GROUP_STATUS.search(s.text.lower()) for s in entries)
    # a 1:1 chat where only the owner spoke is named after its contact, unless it is the owner's Note to Self
    contact = next(iter(others), None if title.casefold() in owners else title)
    members = {name: _named(name, "member") for name in others} if is_group else {}
    people: dict[tuple[str, str], Identity] = {}  # shared by every message of the chat: ingest only reads them

    def person(name: str, role: str) -> Identity:
        return people.setdefault((name, role), _named(name, role))

    conversation = _Conversation(f"txt:{file.stem}", title if is_group else None)
    for line in entries:
        call = _CALL.match(line.text) if line.user is None else None
        if line.user is None and (call is None or is_group):
            continue  # group changes, safety numbers, timers: nothing was said
        try:
            when = _local_time(datetime(*line.stamp))
        except ValueError as exc:
            yield ValueError(f"{file}: line {line.number} has an impossible date ({exc})")
            continue
        if call is not None:
            outgoing = call["way"] == "Outgoing"
            participants = [person(contact, "to" if outgoing else "from")] if contact else []
            sender, body = line.text, ""
        else:
            sender, body = str(line.user), _REACTIONS.sub("", line.text).strip()
            outgoing = sender.casefold() in owners
            if not outgoing:
                participants = [person(sender, "from"), *(m for name, m in members.items() if name != sender)]
            elif is_group:
                participants = list(members.values())
            else:
                participants = [person(contact, "to")] if contact else []
        if not participants:
            continue  # a note to self: no one to know
        yield conversation.said(
            when, sender, body, participants, outgoing=outgoing, call=call is not None, attachments=line.attachments
        )
