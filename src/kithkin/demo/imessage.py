"""Demo iMessage: a real `chat.db` with Apple's schema, 1:1 chats and group chats.

`ChatDb` writes that file (also used by the tests and the bench); `attributed_body` archives a
string the way NSArchiver does for `message.attributedBody` on recent macOS, where `text` is NULL.
"""

from __future__ import annotations

import sqlite3
import struct
from datetime import UTC, datetime
from pathlib import Path

from kithkin.demo.cast import Cast, DemoPerson

SOURCE = "imessage"
ORDER = 30
APPLE_EPOCH = datetime(2001, 1, 1, tzinfo=UTC)

# The tables and columns the importer relies on, as macOS 14 creates them (a subset of the ~90
# message columns; the others are never read).
SCHEMA = """
CREATE TABLE _SqliteDatabaseProperties (key TEXT, value TEXT, UNIQUE(key));
CREATE TABLE handle (ROWID INTEGER PRIMARY KEY AUTOINCREMENT UNIQUE, id TEXT NOT NULL, country TEXT,
    service TEXT NOT NULL, uncanonicalized_id TEXT, person_centric_id TEXT, UNIQUE (id, service));
CREATE TABLE chat (ROWID INTEGER PRIMARY KEY AUTOINCREMENT, guid TEXT UNIQUE NOT NULL, style INTEGER,
    state INTEGER, account_id TEXT, properties BLOB, chat_identifier TEXT, service_name TEXT, room_name TEXT,
    account_login TEXT, is_archived INTEGER DEFAULT 0, last_addressed_handle TEXT, display_name TEXT,
    group_id TEXT, is_filtered INTEGER DEFAULT 0, successful_query INTEGER, engram_id TEXT,
    server_change_token TEXT, ck_sync_state INTEGER DEFAULT 0, original_group_id TEXT,
    last_read_message_timestamp INTEGER DEFAULT 0, cloudkit_record_id TEXT, last_addressed_sim_id TEXT,
    is_blackholed INTEGER DEFAULT 0, syndication_date INTEGER DEFAULT 0, syndication_type INTEGER DEFAULT 0);
CREATE TABLE message (ROWID INTEGER PRIMARY KEY AUTOINCREMENT, guid TEXT UNIQUE NOT NULL, text TEXT,
    replace INTEGER DEFAULT 0, service_center TEXT, handle_id INTEGER DEFAULT 0, subject TEXT, country TEXT,
    attributedBody BLOB, version INTEGER DEFAULT 0, type INTEGER DEFAULT 0, service TEXT, account TEXT,
    account_guid TEXT, error INTEGER DEFAULT 0, date INTEGER, date_read INTEGER, date_delivered INTEGER,
    is_delivered INTEGER DEFAULT 0, is_finished INTEGER DEFAULT 0, is_emote INTEGER DEFAULT 0,
    is_from_me INTEGER DEFAULT 0, is_empty INTEGER DEFAULT 0, is_delayed INTEGER DEFAULT 0,
    is_auto_reply INTEGER DEFAULT 0, is_prepared INTEGER DEFAULT 0, is_read INTEGER DEFAULT 0,
    is_system_message INTEGER DEFAULT 0, is_sent INTEGER DEFAULT 0, has_dd_results INTEGER DEFAULT 0,
    is_service_message INTEGER DEFAULT 0, is_forward INTEGER DEFAULT 0, was_downgraded INTEGER DEFAULT 0,
    is_archive INTEGER DEFAULT 0, cache_has_attachments INTEGER DEFAULT 0, cache_roomnames TEXT,
    was_data_detected INTEGER DEFAULT 0, was_deduplicated INTEGER DEFAULT 0, is_audio_message INTEGER DEFAULT 0,
    is_played INTEGER DEFAULT 0, date_played INTEGER, item_type INTEGER DEFAULT 0, other_handle INTEGER DEFAULT 0,
    group_title TEXT, group_action_type INTEGER DEFAULT 0, share_status INTEGER DEFAULT 0,
    share_direction INTEGER DEFAULT 0, is_expirable INTEGER DEFAULT 0, expire_state INTEGER DEFAULT 0,
    message_action_type INTEGER DEFAULT 0, message_source INTEGER DEFAULT 0, associated_message_guid TEXT,
    associated_message_type INTEGER DEFAULT 0, balloon_bundle_id TEXT, payload_data BLOB,
    expressive_send_style_id TEXT, associated_message_range_location INTEGER DEFAULT 0,
    associated_message_range_length INTEGER DEFAULT 0, time_expressive_send_played INTEGER,
    message_summary_info BLOB, ck_sync_state INTEGER DEFAULT 0, ck_record_id TEXT, ck_record_change_tag TEXT,
    destination_caller_id TEXT, is_corrupt INTEGER DEFAULT 0, reply_to_guid TEXT, sort_id INTEGER,
    is_spam INTEGER DEFAULT 0, has_unseen_mention INTEGER DEFAULT 0, thread_originator_guid TEXT,
    thread_originator_part TEXT, syndication_ranges TEXT, synced_syndication_ranges TEXT,
    was_delivered_quietly INTEGER DEFAULT 0, did_notify_recipient INTEGER DEFAULT 0, date_retracted INTEGER,
    date_edited INTEGER, was_detonated INTEGER DEFAULT 0, part_count INTEGER, is_stewie INTEGER DEFAULT 0);
CREATE TABLE attachment (ROWID INTEGER PRIMARY KEY AUTOINCREMENT, guid TEXT UNIQUE NOT NULL,
    created_date INTEGER DEFAULT 0, start_date INTEGER DEFAULT 0, filename TEXT, uti TEXT, mime_type TEXT,
    transfer_state INTEGER DEFAULT 0, is_outgoing INTEGER DEFAULT 0, user_info BLOB, transfer_name TEXT,
    total_bytes INTEGER DEFAULT 0, is_sticker INTEGER DEFAULT 0, sticker_user_info BLOB,
    attribution_info BLOB, hide_attachment INTEGER DEFAULT 0, ck_sync_state INTEGER DEFAULT 0,
    ck_server_change_token_blob BLOB, ck_record_id TEXT, original_guid TEXT UNIQUE NOT NULL,
    is_commsafety_sensitive INTEGER DEFAULT 0);
CREATE TABLE chat_handle_join (chat_id INTEGER REFERENCES chat (ROWID) ON DELETE CASCADE,
    handle_id INTEGER REFERENCES handle (ROWID) ON DELETE CASCADE, UNIQUE(chat_id, handle_id));
CREATE TABLE chat_message_join (chat_id INTEGER REFERENCES chat (ROWID) ON DELETE CASCADE,
    message_id INTEGER REFERENCES message (ROWID) ON DELETE CASCADE, message_date INTEGER DEFAULT 0,
    PRIMARY KEY (chat_id, message_id));
CREATE TABLE message_attachment_join (message_id INTEGER REFERENCES message (ROWID) ON DELETE CASCADE,
    attachment_id INTEGER REFERENCES attachment (ROWID) ON DELETE CASCADE, UNIQUE(message_id, attachment_id));
CREATE INDEX chat_message_join_idx_message_id_only ON chat_message_join(message_id);
CREATE INDEX chat_message_join_idx_message_date_id_chat_id ON chat_message_join(chat_id, message_date, message_id);
CREATE INDEX message_idx_handle ON message(handle_id, date);
CREATE INDEX message_attachment_join_idx_message_id ON message_attachment_join(message_id);
"""


def _archived_int(value: int) -> bytes:
    """A typedstream integer: one signed byte, or a 0x81 / 0x82 tag and a little-endian int16 / int32."""
    if -0x6E <= value < 0x80:  # bytes 0x80..0x91 are tags, never plain values
        return struct.pack("<b", value) if value < 0 else bytes([value])
    if -0x8000 <= value < 0x8000:
        return b"\x81" + struct.pack("<h", value)
    return b"\x82" + struct.pack("<i", value)


class _TypedStream:
    """The few NSArchiver (typedstream) constructs an attributed string needs.

    Shared strings (type encodings, class names, C strings) and objects (objects, classes) are two
    tables; the first occurrence is written in full after 0x84, later ones as 0x92 + index.
    """

    NEW, NIL, END, FIRST_REFERENCE = b"\x84", b"\x85", b"\x86", 0x92

    def __init__(self) -> None:
        self.out = bytearray(b"\x04\x0bstreamtyped\x81\xe8\x03")  # version 4, system 1000
        self.strings: dict[bytes, int] = {}
        self.classes: dict[bytes, int] = {}
        self.objects = 0

    def _reference(self, index: int) -> None:
        self.out += bytes([self.FIRST_REFERENCE + index])

    def shared(self, text: bytes) -> None:
        if text in self.strings:
            self._reference(self.strings[text])
            return
        self.strings[text] = len(self.strings)
        self.out += self.NEW + _archived_int(len(text)) + text

    def type(self, encoding: bytes) -> None:
        self.shared(encoding)

    def begin_object(self, chain: list[tuple[bytes, int]]) -> None:
        """A new object of the class `chain` (most derived first, with versions)."""
        self.out += self.NEW
        self.objects += 1
        for name, version in chain:
            if name in self.classes:
                self._reference(self.classes[name])
                return
            self.out += self.NEW
            self.classes[name] = self.objects
            self.objects += 1
            self.shared(name)
            self.out += _archived_int(version)
        self.out += self.NIL

    def end_object(self) -> None:
        self.out += self.END

    def utf8(self, text: str) -> None:
        data = text.encode("utf-8")
        self.out += _archived_int(len(data)) + data

    def integer(self, value: int) -> None:
        self.out += _archived_int(value)

    def c_string(self, text: bytes) -> None:
        self.out += self.NEW
        self.objects += 1
        self.shared(text)

    def nsstring(self, text: str) -> None:
        self.begin_object([(b"NSString", 1), (b"NSObject", 0)])
        self.type(b"+")
        self.utf8(text)
        self.end_object()


def attributed_body(text: str, *, mutable: bool = False) -> bytes:
    """`text` archived as Messages stores `message.attributedBody`: an NSAttributedString in a typedstream.

    Its contents: the NSString, one attribute run (`iI`: run count 1, UTF-16 length) and that run's
    dictionary {__kIMMessagePartAttributeName: 0}.
    """
    stream = _TypedStream()
    stream.type(b"@")
    root = [(b"NSAttributedString", 0), (b"NSObject", 0)]
    stream.begin_object([(b"NSMutableAttributedString", 0), *root] if mutable else root)
    stream.type(b"@")
    stream.nsstring(text)
    stream.type(b"iI")
    stream.integer(1)
    stream.integer(len(text.encode("utf-16-le")) // 2)
    stream.type(b"@")
    stream.begin_object([(b"NSDictionary", 0), (b"NSObject", 0)])
    stream.type(b"i")
    stream.integer(1)
    stream.type(b"@")
    stream.nsstring("__kIMMessagePartAttributeName")
    stream.type(b"@")
    stream.begin_object([(b"NSNumber", 0), (b"NSValue", 0), (b"NSObject", 0)])
    stream.type(b"*")
    stream.c_string(b"i")
    stream.type(b"i")
    stream.integer(0)
    stream.end_object()
    stream.end_object()
    stream.end_object()
    return bytes(stream.out)


def apple_nanoseconds(moment: datetime) -> int:
    return round((moment - APPLE_EPOCH).total_seconds() * 1e9)


class ChatDb:
    """Writes a chat.db with Apple's schema: handles, chats with their members, messages."""

    def __init__(self, path: Path, *, dates_in_seconds: bool = False) -> None:
        self.conn = sqlite3.connect(path)
        self.conn.executescript(SCHEMA)
        self.conn.execute("INSERT INTO _SqliteDatabaseProperties VALUES ('_ClientVersion', '17000')")
        self.dates_in_seconds = dates_in_seconds  # databases from before macOS 10.13 count seconds
        self._handles: dict[tuple[str, str], int] = {}
        self._messages = 0
        self._chats = 0

    def apple_date(self, moment: datetime) -> int:
        return int((moment - APPLE_EPOCH).total_seconds()) if self.dates_in_seconds else apple_nanoseconds(moment)

    def handle(self, address: str, service: str = "iMessage") -> int:
        key = (address, service)
        if key not in self._handles:
            cursor = self.conn.execute(
                "INSERT INTO handle (id, country, service, uncanonicalized_id) VALUES (?, 'us', ?, ?)",
                (address, service, address),
            )
            self._handles[key] = int(cursor.lastrowid or 0)
        return self._handles[key]

    def chat(self, addresses: list[str], *, display_name: str | None = None, service: str = "iMessage") -> int:
        """A 1:1 chat (one address) or a group chat (several), with its members."""
        group = len(addresses) > 1
        self._chats += 1
        identifier = f"chat{self._chats:018d}" if group else addresses[0]
        prefix = "any" if service == "iMessage" else service
        cursor = self.conn.execute(
            "INSERT INTO chat (guid, style, state, chat_identifier, service_name, display_name, group_id)"
            " VALUES (?, ?, 3, ?, ?, ?, ?)",
            (
                f"{prefix};{'+' if group else '-'};{identifier}",
                43 if group else 45,
                identifier,
                service,
                display_name or "",
                f"G{identifier}" if group else None,
            ),
        )
        chat_id = int(cursor.lastrowid or 0)
        self.conn.executemany(
            "INSERT INTO chat_handle_join (chat_id, handle_id) VALUES (?, ?)",
            [(chat_id, self.handle(a, service)) for a in addresses],
        )
        return chat_id

    def message(
        self,
        chat_id: int,
        sender: str | None,
        moment: datetime,
        text: str | None,
        *,
        body_only: bool = False,
        service: str = "iMessage",
        associated_type: int = 0,
        associated_guid: str | None = None,
        item_type: int = 0,
        group_action_type: int = 0,
        attachments: tuple[tuple[str, str, int], ...] = (),
    ) -> int:
        """One message row; `sender` None means sent by the owner. `body_only` stores the text only in
        attributedBody, as recent macOS does. `attachments` are (transfer name, MIME type, bytes)."""
        self._messages += 1
        date = self.apple_date(moment)
        cursor = self.conn.execute(
            "INSERT INTO message (guid, text, handle_id, attributedBody, service, date, date_read, date_delivered,"
            " is_from_me, is_sent, is_delivered, is_finished, is_read, cache_has_attachments,"
            " associated_message_guid, associated_message_type, item_type, group_action_type)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1, 1, 1, ?, ?, ?, ?, ?)",
            (
                f"00000000-0000-4000-8000-{self._messages:012d}",
                None if body_only else text,
                self.handle(sender, service) if sender else 0,
                attributed_body(text) if text is not None else None,
                service,
                date,
                date,
                date,
                0 if sender else 1,
                0 if sender else 1,
                1 if attachments else 0,
                associated_guid,
                associated_type,
                item_type,
                group_action_type,
            ),
        )
        message_id = int(cursor.lastrowid or 0)
        self.conn.execute(
            "INSERT INTO chat_message_join (chat_id, message_id, message_date) VALUES (?, ?, ?)",
            (chat_id, message_id, date),
        )
        for name, mime_type, size in attachments:
            number = self.conn.execute("SELECT COUNT(*) FROM attachment").fetchone()[0] + 1
            guid = f"at_{message_id}_{number}"
            attachment = self.conn.execute(
                "INSERT INTO attachment (guid, original_guid, created_date, filename, mime_type, transfer_name,"
                " total_bytes, is_outgoing) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (guid, guid, date, f"~/Library/Messages/Attachments/{guid}/{name}", mime_type, name, size,
                 0 if sender else 1),
            )  # fmt: skip
            self.conn.execute(
                "INSERT INTO message_attachment_join (message_id, attachment_id) VALUES (?, ?)",
                (message_id, attachment.lastrowid),
            )
        return message_id

    def close(self) -> None:
        self.conn.commit()
        self.conn.close()


LINES = [
    "Are we still on for Thursday?",
    "Running ten minutes late",
    "Thanks for dinner!",
    "Did you see the game last night?",
    "Call me when you can",
    "Happy birthday!! 🎉",
    "Sounds good 👍",
    "Can you send me the address?",
]


def write(cast: Cast, folder: Path) -> list[Path]:
    """Chats with the people who have a phone or an email, and one group chat per circle."""
    path = folder / "chat.db"
    path.unlink(missing_ok=True)
    rng = cast.rng
    db = ChatDb(path)

    def address(person: DemoPerson) -> str | None:
        return person.phone or person.personal_email

    for person in cast.people:
        handle = address(person)
        if handle is None or person.closeness < 0.05:
            continue
        chat = db.chat([handle])
        for moment in cast.moments(person, 2 + int(person.closeness * 40)):
            mine = rng.random() < 0.5
            db.message(chat, None if mine else handle, moment, rng.choice(LINES), body_only=rng.random() < 0.5)
    for circle in ("family", "climbing club", "book club"):
        members = [p for p in cast.circle(circle) if address(p)][:8]
        if len(members) < 3:
            continue
        chat = db.chat([address(p) for p in members], display_name=circle.title())  # type: ignore[misc]
        for moment in cast.moments(members[0], 30):
            author = rng.choice([None, *members])
            db.message(chat, address(author) if author else None, moment, rng.choice(LINES))
    db.close()
    return [path]
