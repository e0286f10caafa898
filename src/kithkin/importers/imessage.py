"""iMessage: Apple's `chat.db` (FORMATS.md § iMessage), read strictly read-only.

One observation per real message; tapbacks and system rows (renames, joins) are skipped. Group
chats list every member so relationships can be inferred. The cursor is the last message ROWID
read, so a re-sync reads only newer rows.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from kithkin.config import LiveSource
from kithkin.importers.base import apple_time, open_sqlite_readonly, table_columns, tally
from kithkin.models import Identity, ImportFormatError, KithkinError, Observation

if TYPE_CHECKING:  # importers know nothing of the store: the workspace is only passed through
    from kithkin.workspace import Workspace

DEFAULT_CHAT_DB = Path("~/Library/Messages/chat.db")
REQUIRED_TABLES = ("message", "handle", "chat", "chat_message_join", "chat_handle_join")
GROUP_STYLE = 43
# Optional `message` columns (they vary by macOS version) and what to read when one is missing.
OPTIONAL_COLUMNS = {
    "attributedBody": "NULL",
    "service": "NULL",
    "associated_message_type": "0",
    "item_type": "0",
    "group_action_type": "0",
    "cache_has_attachments": "0",
}
SQLITE_MAGIC = b"SQLite format 3\x00"
_UNREADABLE = ("left_out", "unreadable messages")


def _typedstream_prefix(class_chain: bytes, nsobject_reference: int) -> bytes:
    """What every archived attributed string starts with, up to the length of its characters.

    Header (typedstream v4, system 1000); type "@"; the root object and its class chain; type "@";
    an NSString (version 1) whose superclass NSObject is a back-reference; type "+" (UTF-8 bytes).
    """
    return (
        b"\x04\x0bstreamtyped\x81\xe8\x03\x84\x01@\x84"
        + class_chain
        + b"\x85\x92\x84\x84\x84\x08NSString\x01"
        + bytes([nsobject_reference])
        + b"\x84\x01+"
    )


_NSOBJECT = b"\x84\x84\x08NSObject\x00"
_NSATTRIBUTEDSTRING = b"\x84\x84\x12NSAttributedString\x00"
_ATTRIBUTED_PREFIXES = (
    _typedstream_prefix(_NSATTRIBUTEDSTRING + _NSOBJECT, 0x94),
    _typedstream_prefix(b"\x84\x84\x19NSMutableAttributedString\x00" + _NSATTRIBUTEDSTRING + _NSOBJECT, 0x95),
)
_END_OF_OBJECT = 0x86


def decode_attributed_body(blob: bytes | None) -> str | None:
    """The plain text of an `attributedBody`: an NSArchiver typedstream holding an NSAttributedString."""
    if not blob:
        return None
    data = bytes(blob)
    text = _decode_standard_layout(data)
    return text if text is not None else _decode_with_typedstream(data)


def _decode_standard_layout(data: bytes) -> str | None:
    """The fast path for the layout Messages writes (see _typedstream_prefix), checked strictly.

    Anything that deviates (another class chain, a tag where the length belongs, a missing end of
    object) returns None and goes to the full typedstream reader.
    """
    for prefix in _ATTRIBUTED_PREFIXES:
        if data.startswith(prefix):
            break
    else:
        return None
    at = len(prefix)
    if at >= len(data):
        return None
    tag = data[at]
    if tag < 0x80:
        length, at = tag, at + 1
    elif tag == 0x81:
        length, at = int.from_bytes(data[at + 1 : at + 3], "little", signed=True), at + 3
    elif tag == 0x82:
        length, at = int.from_bytes(data[at + 1 : at + 5], "little", signed=True), at + 5
    else:
        return None
    end = at + length
    if length < 0 or end >= len(data) or data[end] != _END_OF_OBJECT:
        return None
    try:
        return data[at:end].decode("utf-8")
    except UnicodeDecodeError:
        return None


def _decode_with_typedstream(data: bytes) -> str | None:
    """Any other archived attributed string, read with pytypedstream's event reader up to the first value
    of the root object (its characters): unarchiving the whole object graph costs far more, for
    attributes we never use."""
    from typedstream.stream import BeginTypedValues, SingleClass, TypedStreamReader

    try:
        with TypedStreamReader.from_data(data) as events:
            root_class = None
            expect_text = False
            for event in events:
                if root_class is None and isinstance(event, SingleClass):
                    root_class = event.name
                    if not root_class.endswith(b"AttributedString"):
                        return None
                elif isinstance(event, BeginTypedValues):
                    expect_text = event.encodings == [b"+"]
                elif expect_text and isinstance(event, bytes):
                    return event.decode("utf-8")
    except Exception:  # a malformed blob must not stop the import: the message still happened
        return None
    return None


def _chat_db_in(path: Path) -> Path:
    """The Messages folder (~/Library/Messages) stands for the chat.db inside it."""
    return path / "chat.db" if path.is_dir() and (path / "chat.db").is_file() else path


def _is_chat_db(conn: sqlite3.Connection) -> bool:
    names = {row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    return all(table in names for table in REQUIRED_TABLES)


@dataclass(slots=True)
class _Chat:
    guid: str
    name: str | None
    is_group: bool
    members: tuple[str, ...]  # handle addresses


class IMessageImporter:
    source_type: ClassVar[str] = "imessage"

    def __init__(self, live: bool = False) -> None:
        # A live chat.db is being written by Messages: read its WAL too instead of the immutable snapshot.
        self.live = live
        self.total: int | None = None
        self.report: dict[str, Any] = {}
        self._cursor: str | None = None
        self._last_row: int | None = None  # the ROWID of the last message read, once one is
        self._identities: dict[tuple[str, str], Identity] = {}
        self._siblings: dict[str, tuple[str, ...]] = {}

    def _identity(self, address: str, role: str) -> Identity:
        """One shared Identity per handle and role: ingest only reads them, and a chat.db repeats few."""
        key = (address, role)
        found = self._identities.get(key)
        if found is None:
            # Messages ties a person's phone and email handles by person_centric_id: each carries all of them.
            addresses = [address, *(a for a in self._siblings.get(address, ()) if a != address)]
            found = self._identities[key] = Identity(
                source_id=address,
                role=role,
                emails=tuple(a for a in addresses if "@" in a),
                phones=tuple(a for a in addresses if "@" not in a),
            )
        return found

    def sniff(self, path: Path) -> bool:
        path = _chat_db_in(path)
        if not path.is_file():
            return False
        with path.open("rb") as handle:
            if handle.read(16) != SQLITE_MAGIC:
                return False
        try:
            conn = open_sqlite_readonly(path)
        except ImportFormatError:
            return False
        try:
            return _is_chat_db(conn)
        finally:
            conn.close()

    def cursor(self) -> str | None:
        return self._cursor if self._last_row is None else str(self._last_row)

    def read(self, path: Path, cursor: str | None) -> Iterator[Observation | Exception]:
        self._cursor, self._last_row = cursor, None
        after = int(cursor) if cursor and cursor.isdigit() else 0
        path = _chat_db_in(path)
        conn = self._open(path)
        try:
            if not _is_chat_db(conn):
                expected = "expected the tables message, handle and chat"
                raise ImportFormatError(path, f"is not an iMessage chat.db ({expected})")
            yield from self._messages(conn, after)
        finally:
            conn.close()

    def _open(self, path: Path) -> sqlite3.Connection:
        return open_sqlite_readonly(path, immutable=not self.live)

    def _messages(self, conn: sqlite3.Connection, after: int) -> Iterator[Observation | Exception]:
        handles = {row[0]: row[1] for row in conn.execute("SELECT ROWID, id FROM handle")}
        self._siblings = {}
        if "person_centric_id" in table_columns(conn, "handle"):
            people: dict[str, list[str]] = {}
            query = "SELECT id, person_centric_id FROM handle WHERE person_centric_id IS NOT NULL ORDER BY ROWID"
            for address, person in conn.execute(query):
                people.setdefault(person, []).append(address)
            self._siblings = {a: tuple(dict.fromkeys(group)) for group in people.values() for a in group}
        chats = self._chats(conn, handles)
        attachments = self._attachments(conn, after)
        columns = table_columns(conn, "message")
        optional = ", ".join(
            f"m.{name}" if name in columns else f"{default} AS {name}" for name, default in OPTIONAL_COLUMNS.items()
        )
        # What is left to read: by the rowid range on a sync (a few new rows), and through the narrowest index
        # on a first read (the range walks every message row, text and blobs: 0.18 s for 120,000, not 0.004).
        if after:
            self.total = conn.execute("SELECT COUNT(*) FROM message WHERE ROWID > ?", (after,)).fetchone()[0]
        else:
            self.total = conn.execute("SELECT COUNT(*) FROM message").fetchone()[0]
        # A message sits in one chat; MIN() keeps one row should a broken database join it twice.
        query = f"""
            SELECT m.ROWID, m.guid, m.text, m.handle_id, m.date, m.is_from_me, {optional},
                   (SELECT MIN(chat_id) FROM chat_message_join WHERE message_id = m.ROWID) AS chat_id
            FROM message m WHERE m.ROWID > ? ORDER BY m.ROWID
        """
        # Counted in locals and reported at the end: a tally per row was ~2 % of an import's time.
        read = imported = unreadable = tapbacks = system_rows = 0
        # Who took part depends only on the chat, the sender and the direction: worked out once for each.
        people_of: dict[tuple[Any, Any, int], tuple[Identity, ...] | str] = {}
        rows = conn.cursor()
        rows.row_factory = None  # plain tuples: an sqlite3.Row per message costs more than all we read from it
        try:
            for row in rows.execute(query, (after,)):
                read += 1
                self._last_row = row[0]
                associated, item_type, group_action = row[8:11]  # the 3rd to 5th of OPTIONAL_COLUMNS
                if associated or item_type or group_action:
                    # Tapbacks (associated_message_type 2000–3005) and system rows are not interactions.
                    if associated:
                        tapbacks += 1
                    else:
                        system_rows += 1
                    continue
                key = (row[12], row[3], row[5])  # chat, sender, is_from_me
                people = people_of.get(key)
                if people is None:
                    people = people_of[key] = self._participants(chats.get(row[12]), handles.get(row[3]), row[5])
                item = self._observation(row, chats, people, attachments)
                if isinstance(item, Observation):
                    imported += 1
                else:
                    unreadable += 1
                yield item
        finally:
            self.report = report = {"read": {"messages": read}}
            for section, what, count in (
                ("imported", "messages", imported),
                (*_UNREADABLE, unreadable),
                ("left_out", "tapbacks and reactions", tapbacks),
                ("left_out", "system rows (renames, joins)", system_rows),
            ):
                if count:
                    tally(report, section, what, count)

    def _chats(self, conn: sqlite3.Connection, handles: dict[int, str]) -> dict[int, _Chat]:
        members: dict[int, list[str]] = {}
        for chat_id, handle_id in conn.execute("SELECT chat_id, handle_id FROM chat_handle_join ORDER BY rowid"):
            if handle_id in handles:
                members.setdefault(chat_id, []).append(handles[handle_id])
        chat_columns = table_columns(conn, "chat")
        name_column = "display_name" if "display_name" in chat_columns else "NULL"
        chats = {}
        for rowid, guid, style, name in conn.execute(f"SELECT ROWID, guid, style, {name_column} FROM chat"):
            who = tuple(dict.fromkeys(members.get(rowid, ())))
            is_group = style == GROUP_STYLE or len(who) > 1
            chats[rowid] = _Chat(guid=guid, name=name or None, is_group=is_group, members=who)
        return chats

    def _attachments(self, conn: sqlite3.Connection, after: int) -> dict[int, list[dict[str, Any]]]:
        """Attachments are noted (name, type, size), never copied."""
        if not table_columns(conn, "message_attachment_join") or not table_columns(conn, "attachment"):
            return {}
        found: dict[int, list[dict[str, Any]]] = {}
        query = """
            SELECT j.message_id, a.transfer_name, a.mime_type, a.total_bytes
            FROM message_attachment_join j JOIN attachment a ON a.ROWID = j.attachment_id
            WHERE j.message_id > ? ORDER BY j.message_id, a.ROWID
        """
        for message_id, name, mime_type, size in conn.execute(query, (after,)):
            note = {k: v for k, v in (("name", name), ("mime_type", mime_type), ("bytes", size)) if v}
            found.setdefault(message_id, []).append(note)
        return found

    def _participants(self, chat: _Chat | None, sender: str | None, is_from_me: int) -> tuple[Identity, ...] | str:
        """Who took part in a message of this chat from this sender, or why nobody can be named."""
        from_me = bool(is_from_me)
        members = chat.members if chat else ((sender,) if sender else ())
        if not from_me and sender is None:
            if not members or (chat and chat.is_group):
                return "has no sender"
            sender = members[0]
        # The owner is not listed: chat.db never says who "me" is, and `direction` already records it.
        other_role = "member" if chat and chat.is_group else "to"
        people = [] if from_me else [self._identity(sender, "from")]  # type: ignore[arg-type]
        people += [self._identity(a, other_role) for a in members if from_me or a != sender]
        return tuple(people) if people else "has nobody on the other side"

    def _observation(
        self,
        row: tuple[Any, ...],
        chats: dict[int, _Chat],
        people: tuple[Identity, ...] | str,
        attachments: dict[int, list[dict[str, Any]]],
    ) -> Observation | Exception:
        rowid, guid, text, _, date, is_from_me, body, service, _, _, _, has_attachments, chat_id = row
        occurred_at = apple_time(date)
        if occurred_at is None:
            return ValueError(f"iMessage message {rowid} has no date; skipped")
        if isinstance(people, str):
            return ValueError(f"iMessage message {rowid} {people}; skipped")
        chat = chats.get(chat_id)
        snippet = text if text else decode_attributed_body(body)
        metadata: dict[str, Any] = {"service": service} if service else {}
        if has_attachments or rowid in attachments:
            metadata["attachments"] = attachments.get(rowid, [])
        return Observation(
            source_id=guid or f"rowid:{rowid}",
            kind="message",
            occurred_at=occurred_at,
            participants=list(people),
            direction="out" if is_from_me else "in",
            thread_id=chat.guid if chat else None,
            context=chat.name if chat and chat.is_group else None,
            snippet=snippet.replace("\ufffc", "").strip() or None if snippet else None,
            metadata=metadata,
        )


def live_importer(source: LiveSource, workspace: Workspace) -> tuple[IMessageImporter, Path]:
    """`sync` of a chat.db in place (config: `type: imessage`, optional `path`), read-only."""
    extra = source.model_extra or {}
    path = Path(str(extra.get("path") or DEFAULT_CHAT_DB)).expanduser()
    if not path.is_file():
        raise KithkinError(
            f"The iMessage database {path} was not found; set 'path' for the imessage source in config.yaml "
            "(on macOS, give the terminal Full Disk Access)."
        )
    return IMessageImporter(live=True), path
