"""What mbox files and IMAP share: one RFC 5322 message → one Observation.

Address parsing (quoted "Smith, Robert", RFC 2047 encoded words, bare addresses), thread ids,
automated-sender detection and the short plain-text snippet live here once, for both readers.
"""

from __future__ import annotations

import contextlib
import hashlib
import re
from datetime import UTC, datetime
from email.errors import MessageError
from email.header import Header, decode_header, make_header
from email.message import Message
from email.parser import BytesParser
from email.policy import compat32
from email.utils import getaddresses, parsedate_to_datetime
from typing import Any

import html2text

from kithkin.importers.base import tally
from kithkin.models import Identity, Observation

SNIPPET_LENGTH = 200
SEARCHED_LENGTH = 2_000  # of a body read, the opening kept for search: what a mail is about, bounded
# compat32 is the fast, lenient parser: it never raises on malformed headers, which real mail has.
_PARSER = BytesParser(policy=compat32)

# Local parts that no person reads. Role accounts such as info@ or sales@ are left alone: a person
# often answers them.
_AUTOMATED_LOCAL = re.compile(
    r"(^|[-_.+])(no[-_.]?reply|do[-_.]?not[-_.]?reply|mailer[-_.]?daemon|postmaster|bounces?|notifications?|"
    r"newsletters?|automated|auto[-_.]?confirm)($|[-_.+0-9])",
    re.IGNORECASE,
)
# One entry of a plain address list: "Quoted Name" <addr>, Bare Name <addr>, or addr.
_PLAIN_ENTRY = re.compile(
    r'\s*(?:"(?P<quoted>[^"\\]*)"\s*<(?P<qaddr>[^<>\s]+)>'
    r"|(?P<name>[^<>\",;:()\\]*?)\s*<(?P<angle>[^<>\s]+)>"
    r"|(?P<bare>[^<>\s\",;:()\\]+))\s*(?:,|\Z)"
)
_MESSAGE_ID = re.compile(r"<([^<>\s]+)>")
# Where a reply's quote of earlier mail begins; Gmail wraps its "On ... wrote:" line when it is long.
_QUOTE_HEADER = re.compile(r"^((?s:On .{0,250}?) wrote:|-----Original Message-----|From: .*)$", re.MULTILINE)
_SPACE = re.compile(r"\s+")


def parse_message(data: bytes) -> Message:
    """A message (or just its header block) from raw bytes; never raises on malformed mail."""
    return _PARSER.parsebytes(data)


def header_text(value: object) -> str:
    """A header as readable text: RFC 2047 words decoded, raw 8-bit bytes read as UTF-8 (else Latin-1)."""
    if value is None:
        return ""
    text = _raw_text(value)
    if "=?" in text:
        # An unknown or garbled charset (CharsetError) or a broken encoded word: the raw text is the best there is.
        with contextlib.suppress(LookupError, ValueError, UnicodeError, MessageError):
            text = str(make_header(decode_header(text)))
    return _SPACE.sub(" ", text).strip()


def addresses(message: Message, header: str) -> list[tuple[str | None, str]]:
    """(display name or None, lower-case address) for every address in every `header` field.

    Group syntax without members ("undisclosed-recipients:;") is dropped, and so is an address without an
    @ unless a name comes with it: "Ann Lee" <annlee.example.com> is still Ann Lee, known by name only
    (the address, kept as written, is no email to match on).
    """
    values = message.get_all(header)
    if not values:
        return []
    found = []
    for name, address in _split_addresses([_raw_text(v) for v in values]):
        address = address.strip().strip("'\"").lower()
        name = header_text(name).strip().strip("'\"").strip()
        if not address or ("@" not in address and not name):
            continue
        found.append((name if name and name.lower() != address else None, address))
    return found


def _split_addresses(values: list[str]) -> list[tuple[str, str]]:
    """(raw name, address) pairs. Plain lists ('"Ana" <a@x>, Ben <b@y>, c@z') are read with one
    regular expression; anything else (comments, groups, escapes) goes through the full RFC 5322
    parser, which took a third of an mbox import's time for lists that need none of it."""
    found: list[tuple[str, str]] = []
    for value in values:
        plain = _plain_addresses(value)
        found.extend(plain if plain is not None else getaddresses([value]))
    return found


def _plain_addresses(value: str) -> list[tuple[str, str]] | None:
    found = []
    position, end = 0, len(value.rstrip())
    while position < end:
        match = _PLAIN_ENTRY.match(value, position)
        if match is None:
            return None
        found.append((match["quoted"] or match["name"] or "", match["qaddr"] or match["angle"] or match["bare"]))
        position = match.end()
    return found


def _raw_text(value: object) -> str:
    """A header value as a str, encoded words left as they are (addresses are split first, so an
    encoded comma never splits an address, then each name is decoded)."""
    if isinstance(value, Header):
        # compat32 hands back undeclared 8-bit header bytes as an "unknown-8bit" Header: most such mail is UTF-8.
        return "".join(_eight_bit(chunk) if isinstance(chunk, bytes) else chunk for chunk, _ in decode_header(value))
    return str(value)


def _eight_bit(raw: bytes) -> str:
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return raw.decode("latin-1")


def automated_reason(message: Message, sender: str | None) -> str | None:
    """Why this message comes from a list or a machine rather than a person, or None."""
    if message.get("List-Id"):
        return "mailing list"
    # Bulk senders must send List-Unsubscribe (Gmail and Yahoo rules since 2024) even without List-Id.
    if message.get("List-Unsubscribe"):
        return "bulk mail"
    precedence = str(message.get("Precedence", "")).strip().lower()
    if precedence in ("bulk", "list", "junk"):
        return f"precedence {precedence}"
    auto = str(message.get("Auto-Submitted", "")).strip().lower()
    if auto and auto != "no":
        return "auto-submitted"
    if sender and _AUTOMATED_LOCAL.search(sender.partition("@")[0]):
        return "no-reply sender"
    return None


def count_message(
    report: dict[str, Any], message: Message, result: Observation | Exception | None, spam: bool = False
) -> None:
    """Count one message in a mail importer's coverage `report` (base.tally's sections): read, then
    imported, or left out with its reason (spam, list or machine mail, unreadable)."""
    tally(report, "read", "messages")
    if isinstance(result, Observation):
        tally(report, "imported", "emails")
    elif isinstance(result, Exception):
        tally(report, "left_out", "unreadable messages")
    elif spam:
        tally(report, "left_out", "spam")
    else:
        senders = addresses(message, "From")
        tally(report, "left_out", automated_reason(message, senders[0][1] if senders else None) or "automated mail")


def message_ids(value: object) -> list[str]:
    """The ids in a Message-ID, In-Reply-To or References field, without angle brackets."""
    if value is None:
        return []
    text = str(value)
    found = _MESSAGE_ID.findall(text)
    if not found and text.strip():
        found = [text.strip().split()[0].strip("<>")]
    return found


def thread_id(message: Message, gmail_thread: str | None = None) -> str | None:
    """Gmail's thread id when known, else the root of the References chain, else the reply parent,
    else the message itself: every message of a conversation shares its first message's id."""
    gmail_thread = gmail_thread or str(message.get("X-GM-THRID", "")).strip()
    if gmail_thread:
        return gmail_thread
    for header in ("References", "In-Reply-To", "Message-ID"):
        ids = message_ids(message.get(header))
        if ids:
            return ids[0]
    return None


def snippet(opening: str | None) -> str | None:
    """The short opening of a body the timeline shows."""
    if opening and len(opening) > SNIPPET_LENGTH:
        return opening[: SNIPPET_LENGTH - 1].rstrip() + "…"
    return opening


def body_opening(message: Message) -> str | None:
    """The body's opening as plain text, as much as search keeps: text/plain when present, else HTML
    converted to text; quoted replies and signatures cut off."""
    plain = html = None
    for part in message.walk():
        if part.is_multipart() or part.get_content_disposition() == "attachment":
            continue
        content_type = part.get_content_type()
        if content_type == "text/plain" and plain is None:
            plain = _decoded(part)
        elif content_type == "text/html" and html is None:
            html = _decoded(part)
        if plain is not None:
            break
    text = plain if plain is not None else (_html_to_text(html) if html else None)
    if not text:
        return None
    text = text.replace("\r\n", "\n")
    text = _QUOTE_HEADER.split(text, maxsplit=1)[0]
    text = text.split("\n-- \n", 1)[0]
    lines = [line for line in text.splitlines() if not line.lstrip().startswith(">")]
    return _SPACE.sub(" ", " ".join(lines)).strip()[:SEARCHED_LENGTH] or None


def _decoded(part: Message) -> str:
    payload = part.get_payload(decode=True)
    if not isinstance(payload, bytes):
        return ""
    charset = part.get_content_charset() or "utf-8"
    try:
        return payload.decode(charset, errors="replace")
    except LookupError:
        return payload.decode("utf-8", errors="replace")


def _html_to_text(html: str) -> str:
    converter = html2text.HTML2Text()
    converter.ignore_links = True
    converter.ignore_images = True
    converter.ignore_emphasis = True
    converter.body_width = 0
    return converter.handle(html)


def message_date(message: Message) -> datetime | None:
    """The Date header as an aware datetime (no zone or "-0000": UTC), or None when missing or broken."""
    value = message.get("Date")
    if not value:
        return None
    try:
        moment = parsedate_to_datetime(header_text(value))
    except (TypeError, ValueError, IndexError):
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment


def received_date(message: Message) -> datetime | None:
    """When the last server took the message in (the date after the `;` of the topmost Received
    header): the best date left for a message sent without a Date header."""
    for value in message.get_all("Received") or ():
        text = header_text(value)
        if ";" in text:
            try:
                moment = parsedate_to_datetime(text.rpartition(";")[2].strip())
            except (TypeError, ValueError, IndexError):
                continue
            return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    return None


def message_source_id(message: Message) -> str:
    """The Message-ID, else a digest of the fields that identify a message wherever it is stored
    (so the same message read from an mbox and over IMAP is one interaction)."""
    ids = message_ids(message.get("Message-ID"))
    if ids:
        return ids[0]
    fields = "\x00".join(header_text(message.get(h)) for h in ("Date", "From", "To", "Subject"))
    return "sha1:" + hashlib.sha1(fields.encode()).hexdigest()


def message_observation(
    message: Message,
    *,
    include_automated: bool = False,
    fallback_date: datetime | None = None,
    gmail_thread: str | None = None,
    labels: tuple[str, ...] = (),
    context: str | None = None,
    with_snippet: bool = True,
) -> Observation | None:
    """One email as an Observation, or None for list and machine mail when `include_automated` is off.

    Raises ValueError for a message that names no one or has no usable date.
    """
    senders = addresses(message, "From")
    sender = senders[0][1] if senders else None
    reason = automated_reason(message, sender)
    if reason and not include_automated:
        return None
    occurred = message_date(message) or fallback_date or received_date(message)
    if occurred is None:
        raise ValueError(f"message {message_source_id(message)} has no usable Date header")
    participants: dict[str, Identity] = {}
    # The first role an address appears in wins: the author stays "from" even when also in Reply-To.
    for header, role in (("From", "from"), ("To", "to"), ("Cc", "cc"), ("Bcc", "bcc"), ("Reply-To", "participant")):
        for name, address in addresses(message, header):
            if address not in participants:
                participants[address] = Identity(source_id=address, name=name, emails=(address,), role=role)
            elif name and not participants[address].name:
                participants[address].name = name
    if not participants:
        raise ValueError(f"message {message_source_id(message)} has no sender or recipient address")
    metadata: dict[str, object] = {}
    ids = message_ids(message.get("Message-ID"))
    if ids:
        metadata["message_id"] = ids[0]
    if labels:
        metadata["labels"] = list(labels)
    if reason:
        metadata["automated"] = reason
    opening = body_opening(message) if with_snippet else None
    return Observation(
        source_id=message_source_id(message),
        kind="email",
        occurred_at=occurred,
        participants=list(participants.values()),
        thread_id=thread_id(message, gmail_thread),
        context=context,
        title=header_text(message.get("Subject")) or None,
        snippet=snippet(opening),
        metadata=metadata,
        text=opening,
    )
