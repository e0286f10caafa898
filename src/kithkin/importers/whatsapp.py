"""WhatsApp: the app's own "Export chat" files (.txt, or the .zip the phone shares) and the local
store of wacli (github.com/steipete/wacli), read in place and incrementally.

Export chat text comes in the phone's locale: Android `15.04.2016, 15:04 - Name: text`, iOS
`[15/04/2016, 15:04:07] Name: text`, 12-hour clocks (`3:04 PM`, `3:04 p.m.`), ISO and US date
orders. The order of day and month is found per file from the dates themselves. A line without a
header continues the message before it; a header without `Name: ` is a system line (group created,
encryption notice). Senders are saved names or formatted numbers (`+1 (415) 555-0123`). Times carry no
zone: they are the phone's local time, read here in this machine's zone.

wacli keeps a SQLite store (`wacli.db`, schema in its internal/store/store.go): chats (kind dm, group,
broadcast or unknown), contacts, contact_aliases (names the user gave), groups, group_participants and messages
(rowid, chat_jid, msg_id, sender_jid, sender_name, ts Unix seconds, from_me, text, media_type, media_caption).
It is opened read-only, its WAL included; the cursor is the last rowid.
"""

from __future__ import annotations

import hashlib
import itertools
import re
import sqlite3
import zipfile
from collections import Counter, deque
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from pathlib import Path, PurePosixPath
from typing import IO, Any, ClassVar

from kithkin.config import LiveSource
from kithkin.importers import limits
from kithkin.importers.base import ZIP_ERRORS, open_sqlite_readonly, table_columns
from kithkin.importers.whatsapp_phrases import Reading, is_notice_posing_as_sender, read_body
from kithkin.models import Identity, ImportFormatError, Observation

DEFAULT_WACLI_STORE = Path("~/.wacli")

_AMPM = r"(?P<ampm>[AaPp]\.?\s?[Mm]\.?)"
_TIME = r"(?P<time>\d{1,2}[:.]\d{2}(?:[:.]\d{2})?)(?:[\s\u202f\u00a0]?" + _AMPM + r")?"
_DATE = r"(?P<date>\d{1,4}[./-]\d{1,2}[./-]\d{1,4})"
_ANDROID = re.compile(r"^\u200e?" + _DATE + r",?\s" + _TIME + r"\s[-–]\s(?P<rest>.*)$")
_IOS = re.compile(r"^\u200e?\[" + _DATE + r",?\s" + _TIME + r"\]\s(?P<rest>.*)$")
# Older iOS exports write no brackets and end the time with a colon: `15-04-16 15:04:07: Ana: hi`.
_IOS_OLD = re.compile(
    r"^\u200e?" + _DATE + r",?\s(?P<time>\d{1,2}:\d{2}:\d{2})(?:[\s\u202f\u00a0]?" + _AMPM + r")?:\s(?P<rest>.*)$"
)
_SENDER = re.compile(r"^(?P<name>[^:\n]{1,80}?): (?P<text>.*)$", re.DOTALL)
_PHONE_NAME = re.compile(r"^\u200e?\+?[\d\s().\-\u202f\u00a0]{7,}$")
# iOS writes `~ ` (a tilde and U+202F) before the name a sender gave themselves, one not saved in contacts.
_UNSAVED = re.compile(r"^~[\s\u202f\u00a0]*")
_CREATED_GROUP = re.compile(r"created (?:the )?group [“\"](?P<name>[^”\"]+)[”\"]")
_CHAT_WITH = re.compile(r"^WhatsApp Chat (?:with|-) (?P<name>.+?)(?: \(\d+\))?$")
SNIPPET = 280
REPEATS_KEPT = timedelta(days=2)
# An export's report counts each kind of line it read (ingest.add_report puts them in the summary):
# messages of text, media (attachments, media left out of the export, polls, locations, contact cards),
# deleted messages, calls, and system lines, which are no messages.
_REPORTED = {"text": "messages", "media": "media", "deleted": "deleted", "call": "calls"}


class _Header:
    __slots__ = ("ampm", "date", "rest", "time")

    def __init__(self, match: re.Match[str]) -> None:
        self.date, self.time, self.ampm, self.rest = match["date"], match["time"], match["ampm"], match["rest"]


def _header(line: str) -> _Header | None:
    match = _ANDROID.match(line) or _IOS.match(line) or _IOS_OLD.match(line)
    return _Header(match) if match else None


@dataclass
class _DateOrder:
    """ "ymd", "dmy" or "mdy", decided by every date of a file (a part over 12 can only be a day)."""

    year_first: bool = True
    month_over_12: bool = False

    def see(self, date: str) -> None:
        parts = re.split(r"[./-]", date)
        self.year_first = self.year_first and len(parts[0]) == 4
        self.month_over_12 = self.month_over_12 or int(parts[1]) > 12

    def order(self) -> str:
        if self.year_first:
            return "ymd"
        if self.month_over_12:
            return "mdy"
        return "dmy"  # either the evidence says so, or nothing does and most of the world writes it so


Opener = Callable[[], AbstractContextManager[IO[bytes]]]


class _Repeats:
    """How many times each message key (its minute, author and text) was met so far: the same words sent in
    the same minute twice are two messages. A chat runs in time order, so keys older than the newest by
    more than REPEATS_KEPT (a clock set back for summer time repeats an hour) can no longer recur and are
    forgotten: memory holds a few days of a chat, not a decade."""

    def __init__(self) -> None:
        self.counts: dict[str, int] = {}
        self.order: deque[tuple[datetime, str]] = deque()
        self.newest: datetime | None = None

    def count(self, key: str, when: datetime) -> int:
        count = self.counts[key] = self.counts.get(key, 0) + 1
        self.order.append((when, key))
        self.newest = max(when, self.newest or when)
        while self.order and self.order[0][0] < self.newest - REPEATS_KEPT:
            self.counts.pop(self.order.popleft()[1], None)
        return count


@dataclass
class _Survey:
    """What a first pass over an export learns before any message can be read: the order of its dates,
    who sends (a group's every member takes part in each message), the group's name."""

    dates: _DateOrder = field(default_factory=_DateOrder)
    senders: dict[str, None] = field(default_factory=dict)
    notices_by: dict[str, None] = field(default_factory=dict)
    group_name: str | None = None
    messages: int = 0


def _moment(header: _Header, order: str) -> datetime:
    a, b, c = (int(x) for x in re.split(r"[./-]", header.date))
    year, month, day = (a, b, c) if order == "ymd" else (c, b, a) if order == "dmy" else (c, a, b)
    if year < 100:
        year += 2000
    pieces = [int(x) for x in re.split(r"[:.]", header.time)]
    hour, minute, second = pieces[0], pieces[1], pieces[2] if len(pieces) > 2 else 0
    if header.ampm:
        afternoon = header.ampm.lower().startswith("p")
        hour = hour % 12 + (12 if afternoon else 0)
    return datetime(year, month, day, hour, minute, second).astimezone(UTC)


@lru_cache(maxsize=4096)  # a chat has few senders and many lines
def _sender_name(name: str) -> str:
    return _UNSAVED.sub("", name.strip().strip("\u200e\u202a\u202c")).strip()


def _sender_identity(name: str, role: str, owner_name: str | None) -> Identity:
    clean = _sender_name(name)
    if _PHONE_NAME.match(clean):
        digits = re.sub(r"[^\d+]", "", clean)
        return Identity(source_id=f"tel:{digits}", phones=(clean,), role=role)
    is_owner = bool(owner_name) and clean.casefold() == (owner_name or "").casefold()
    return Identity(source_id=f"name:{clean.casefold()}", name=clean, role=role, is_owner=is_owner)


class WhatsAppImporter:
    source_type: ClassVar[str] = "whatsapp"

    def __init__(self) -> None:
        self.owner_name: str | None = None  # set by ingest from config: exports name the owner like anyone
        self.report: dict[str, int] = {}
        self._cursor: str | None = None

    # -- which file is this -----------------------------------------------------------------------

    def sniff(self, path: Path) -> bool:
        database = _wacli_db(path)
        if database is not None:
            return _has_wacli_messages(database)
        try:
            opener, _ = _export(path)
            with opener() as handle:
                lines = limits.lines(handle, limits.CHAT_MESSAGE, path, "message", keepends=False)
                return any(_header(line) for line in itertools.islice(lines, 20))
        except (ImportFormatError, OSError, *ZIP_ERRORS):
            return False

    def cursor(self) -> str | None:
        return self._cursor

    def read(self, path: Path, cursor: str | None) -> Iterator[Observation | Exception]:
        self.report = {}
        database = _wacli_db(path)
        if database is not None:
            yield from self._read_wacli(database, cursor)
            return
        opener, stem = _export(path)
        yield from self._read_export(path, opener, stem)
        self._cursor = None  # an export is read whole; its messages' ids make re-imports no-ops

    # -- Export chat ------------------------------------------------------------------------------

    def _read_export(self, path: Path, opener: Opener, stem: str) -> Iterator[Observation | Exception]:
        """Two passes over the export, message by message: the first learns what every message needs
        (`_Survey`) and refuses a file no phone wrote before anything is stored, the second reads them."""
        survey = _survey(path, opener)
        order, senders, notices_by, group_name = (
            survey.dates.order(), survey.senders, survey.notices_by, survey.group_name
        )
        # iOS writes a group's notices under the group's own name, which sends nothing itself. (In a chat
        # of two where only the owner wrote, the other's name stands alone on the encryption notice.)
        if group_name is None and len(senders) >= 2:
            group_name = next((name for name in notices_by if name not in senders), None)
        named = _CHAT_WITH.match(stem)
        chat_name = group_name or (named["name"] if named else None)
        is_group = group_name is not None or len(senders) > 2
        thread = f"export:{chat_name or stem}"
        counts: Counter[str] = Counter()
        self.report = counts
        # An export may start later than the previous one (phones cap its length): ids come from
        # what a message is, not from its position in the file.
        seen = _Repeats()
        members = {name: _sender_identity(name, "member", self.owner_name) for name in senders}
        authors: dict[str, Identity] = {}
        others: dict[str, list[Identity]] = {}
        for index, (header, body) in enumerate(_messages(path, opener)):
            name, content, reading = _line(body)
            if name is None or reading.kind == "system":
                counts["system_lines"] += 1  # joined, left, subject or icon changed, security code, encryption
                continue
            try:
                when = _moment(header, order)
            except ValueError as exc:
                yield ValueError(f"{path.name}: message {index + 1} has an impossible date ({header.date}): {exc}")
                continue
            if name not in authors:  # identities are shared between messages: ingest only reads them
                authors[name] = _sender_identity(name, "from", self.owner_name)
                others[name] = [members[other] for other in senders if other != name] if is_group else []
            author = authors[name]
            fingerprint = hashlib.blake2b(content.encode(), digest_size=6).hexdigest()
            key = f"{thread}:{when.isoformat()}:{author.source_id}:{fingerprint}"
            counts[_REPORTED[reading.kind]] += 1
            yield Observation(
                source_id=f"{key}:{seen.count(key, when)}",
                kind="call" if reading.kind == "call" else "message",
                occurred_at=when,
                participants=[author, *others[name]],
                thread_id=thread,
                context=chat_name if is_group else None,
                snippet=reading.caption[:SNIPPET] if reading.caption else None,
                metadata=_metadata(reading),
            )

    # -- wacli ------------------------------------------------------------------------------------

    def _read_wacli(self, database: Path, cursor: str | None) -> Iterator[Observation | Exception]:
        conn = _open_wacli(database)
        try:
            if not _is_wacli_store(conn):
                raise ImportFormatError(database, "is not a wacli store: it has no messages table of wacli's shape")
            names = _wacli_contacts(conn)
            kinds = {r[0]: (r[1], r[2]) for r in conn.execute("SELECT jid, kind, name FROM chats")}
            members: dict[str, list[str]] = {}
            if table_columns(conn, "group_participants"):
                for group, user in conn.execute("SELECT group_jid, user_jid FROM group_participants"):
                    members.setdefault(group, []).append(user)
            after = int(cursor or 0)
            self._cursor = str(after)
            media = "media_type" in table_columns(conn, "messages")
            query = (
                "SELECT rowid, chat_jid, msg_id, sender_jid, sender_name, ts, from_me, text"
                + (", media_type, media_caption" if media else ", NULL, NULL")
                + " FROM messages WHERE rowid > ? ORDER BY rowid"
            )
            counts: Counter[str] = Counter()
            self.report = counts
            for row in conn.execute(query, (after,)):
                observation = _wacli_observation(row, names, kinds, members)
                if observation is not None:
                    counts["messages"] += 1
                    yield observation
                else:
                    counts["status_and_broadcast_posts_left_out"] += 1
                self._cursor = str(row[0])
        finally:
            conn.close()


def _is_wacli_store(conn: sqlite3.Connection) -> bool:
    return {"chat_jid", "sender_jid", "ts", "from_me"} <= table_columns(conn, "messages")


def _has_wacli_messages(database: Path) -> bool:
    """Any SQLite .db may sit in a folder of exports (another app's, Kithkin's own): only wacli's is ours."""
    try:
        conn = _open_wacli(database)
    except ImportFormatError:
        return False
    try:
        return _is_wacli_store(conn)
    finally:
        conn.close()


def _open_wacli(database: Path) -> sqlite3.Connection:
    """wacli keeps its store in WAL mode while it syncs: the newest messages may sit in `wacli.db-wal`, which
    an immutable open would not see. Read-only (never written) is enough then; otherwise stay immutable."""
    return open_sqlite_readonly(database, immutable=not Path(f"{database}-wal").is_file())


def _wacli_contacts(conn: sqlite3.Connection) -> dict[str, tuple[str | None, str | None]]:
    """jid → (name, phone). The user's own alias (`wacli contacts alias`) wins over the names WhatsApp knows."""
    columns = table_columns(conn, "contacts")
    wanted = [c for c in ("full_name", "push_name", "business_name", "first_name") if c in columns]
    found: dict[str, tuple[str | None, str | None]] = {}
    if wanted:
        phone = "phone" if "phone" in columns else "NULL"
        for row in conn.execute(f"SELECT jid, {phone}, {', '.join(wanted)} FROM contacts"):
            found[row[0]] = (next((value for value in row[2:] if value), None), row[1] or None)
    if {"jid", "alias"} <= table_columns(conn, "contact_aliases"):
        for jid, alias in conn.execute("SELECT jid, alias FROM contact_aliases"):
            if alias:
                found[jid] = (alias, found.get(jid, (None, None))[1])
    return found


def _jid_identity(
    jid: str, names: dict[str, tuple[str | None, str | None]], role: str, fallback: str | None = None
) -> Identity:
    """Only a phone-number JID (@s.whatsapp.net) says who it is; @lid and other servers are of unknown kind,
    known only by the contact row wacli kept for them."""
    user, _, server = jid.partition("@")
    name, phone = names.get(jid, (None, None))
    number = user.split(":")[0]
    if server == "s.whatsapp.net" and number.isdigit():
        phone = f"+{number}"
    elif phone and phone.isdigit():
        phone = f"+{phone}"
    return Identity(source_id=jid, name=name or fallback, phones=(phone,) if phone else (), role=role)


def _wacli_observation(
    row: tuple,
    names: dict[str, tuple[str | None, str | None]],
    kinds: dict[str, tuple[str, str]],
    members: dict[str, list[str]],
) -> Observation | Exception | None:
    rowid, chat, msg_id, sender, sender_name, ts, from_me, text, media_type, caption = row
    kind, chat_name = kinds.get(chat, ("unknown", None))
    if kind == "broadcast" or chat.endswith("@broadcast"):
        return None  # status posts and broadcast lists: said to everyone, a conversation with no one
    try:
        when = datetime.fromtimestamp(int(ts), UTC)
    except (TypeError, ValueError, OverflowError, OSError):
        return ValueError(f"wacli message {msg_id} has no usable time ({ts!r})")
    participants: list[Identity] = []
    if not from_me and sender:
        participants.append(_jid_identity(sender, names, "from", sender_name))
    if kind == "group" or chat.endswith("@g.us"):
        group = [_jid_identity(m, names, "member") for m in members.get(chat, []) if m != sender]
        # Hidden members (@lid ids with no name or number) cannot be anyone the user could recognise.
        participants += [member for member in group if member.name or member.phones]
    elif from_me:
        participants.append(_jid_identity(chat, names, "to", chat_name))
    content = text or caption or (f"<{media_type}>" if media_type else None)
    return Observation(
        source_id=f"{chat}:{msg_id or rowid}",
        kind="message",
        occurred_at=when,
        participants=participants,
        direction="out" if from_me else "in",
        thread_id=chat,
        context=chat_name if kind == "group" else None,
        snippet=content[:SNIPPET] if content else None,
        metadata={"media": media_type} if media_type else {},
    )


def _survey(path: Path, opener: Opener) -> _Survey:
    """The first pass (`_Survey`); ImportFormatError when the file holds no message or one larger than any
    a phone sends (limits.CHAT_MESSAGE)."""
    survey = _Survey()
    for header, body in _messages(path, opener):
        survey.messages += 1
        survey.dates.see(header.date)
        name, content, reading = _line(body)
        if name is not None and reading.kind != "system":
            survey.senders[name] = None
        elif name is not None:
            survey.notices_by[name] = None
        elif survey.group_name is None and (created := _CREATED_GROUP.search(content)):
            survey.group_name = created["name"]
    if not survey.messages:
        raise ImportFormatError(path, "holds no WhatsApp messages: no line starts with a date and a time")
    return survey


def _messages(path: Path, opener: Opener) -> Iterator[tuple[_Header, str]]:
    """Each message's header and text, its continuation lines joined with newlines; lines before the
    first header belong to no message. ImportFormatError for a message over limits.CHAT_MESSAGE."""
    header: _Header | None = None
    parts: list[str] = []
    size = start = 0
    with opener() as handle:
        lines = limits.lines(handle, limits.CHAT_MESSAGE, path, "message", keepends=False)
        for number, line in enumerate(lines, 1):
            found = _header(line)
            if found is not None:
                if header is not None:
                    yield header, "\n".join(parts)
                header, parts, size, start = found, [found.rest], len(line), number
            elif header is not None:
                size += len(line) + 1
                if size > limits.CHAT_MESSAGE:
                    raise limits.too_large(path, "a message", start, limits.CHAT_MESSAGE)
                parts.append(line)
    if header is not None:
        yield header, "\n".join(parts)


def _line(body: str) -> tuple[str | None, str, Reading]:
    """(the sender's name, or None for a notice without one; the text as it stands; what the text is)."""
    match = _SENDER.match(body)
    if match is None or is_notice_posing_as_sender(match["name"]):
        return None, body, Reading("system")
    return _sender_name(match["name"]), match["text"].replace("\u200e", "").strip(), read_body(match["text"])


def _metadata(reading: Reading) -> dict[str, Any]:
    if reading.kind == "media":
        return {"media": reading.media}
    if reading.kind == "deleted":
        return {"deleted": True}  # it was said, and then taken back: its text is gone
    if reading.kind == "call":
        answered = reading.duration is not None
        return {
            "call_type": "video" if reading.video else "voice",
            "duration": reading.duration or 0,
            "answered": answered,
            "missed": reading.missed,
        }
    return {}


def _export(path: Path) -> tuple[Opener, str]:
    """How to open the chat's text (a .txt, or the one in an exported zip, streamed out of it) and the file
    name that may say whose chat it is (`WhatsApp Chat with Ana` on Android; for iOS's `_chat.txt`, the
    zip's name or, unzipped, its folder's)."""
    if not path.is_file():
        raise ImportFormatError(path, "is not a WhatsApp export: expected an exported chat .txt or .zip")
    if zipfile.is_zipfile(path):
        member = _chat_in_zip(path)
        stem = PurePosixPath(member).stem
        return lambda: limits.open_zip_member(path, member, limits.STREAMED_FILE), (
            stem if _CHAT_WITH.match(stem) else path.stem
        )
    if path.suffix.lower() != ".txt":
        raise ImportFormatError(path, "is not a WhatsApp export: expected an exported chat .txt or .zip")
    stem = path.parent.name if path.name == "_chat.txt" else path.stem
    return lambda: limits.open_file(path, limits.STREAMED_FILE, "WhatsApp chat"), stem


def _chat_in_zip(path: Path) -> str:
    """The name of the chat's .txt in an exported zip (`_chat.txt` first), checked against zip bombs."""
    try:
        with zipfile.ZipFile(path) as archive:
            members = archive.infolist()
            for member in members:
                name = PurePosixPath(member.filename)
                if name.is_absolute() or ".." in name.parts:
                    raise ImportFormatError(path, f"holds an unsafe path ({member.filename}); it was not read")
            chats = [m for m in members if m.filename.lower().endswith(".txt") and not m.is_dir()]
            if not chats:
                raise ImportFormatError(path, "is a zip without an exported chat .txt in it")
            chat = min(chats, key=lambda m: (PurePosixPath(m.filename).name != "_chat.txt", m.filename))
            limits.check_zip_member(path, chat, limits.STREAMED_FILE)
    except ZIP_ERRORS as exc:
        raise ImportFormatError(path, f"is a damaged zip ({exc})") from exc
    return chat.filename


def _wacli_db(path: Path) -> Path | None:
    candidate = path / "wacli.db" if path.is_dir() else path
    if not candidate.is_file() or candidate.suffix.lower() not in (".db", ".sqlite", ".sqlite3"):
        return None
    with candidate.open("rb") as handle:
        return candidate if handle.read(16) == b"SQLite format 3\x00" else None


def live_importer(source: LiveSource, workspace: Any) -> tuple[WhatsAppImporter, Path]:
    """`{type: wacli, path: ~/.wacli}` in config.yaml: the wacli store, synced from its last rowid."""
    extra = source.model_extra or {}
    folder = Path(str(extra.get("path") or DEFAULT_WACLI_STORE)).expanduser()
    if _wacli_db(folder) is None:
        raise ImportFormatError(folder, "has no wacli.db; run `wacli sync` first or set `path` to the wacli store")
    importer = WhatsAppImporter()
    importer.owner_name = workspace.settings.owner.name or None
    return importer, folder
