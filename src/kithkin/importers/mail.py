"""Mail from an mbox file (Google Takeout, Thunderbird, Apple Mail exports, any mboxo/mboxrd), and from
files that hold one message each: `.eml` files (what mail clients write for "Save as" or a dragged
message), the message files of a Maildir (`cur/`, `new/`, no suffix), found by their headers, and Apple
Mail's own store (`~/Library/Mail/V*/…/Messages/*.emlx`: the message's length in bytes on the first line,
the message, then a property list of flags).

The file is streamed message by message, never loaded whole: Takeout mboxes run to gigabytes.
The cursor is the byte offset after the last message yielded, so an mbox that has grown since the
last import is read from where it stopped.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from email.message import Message
from pathlib import Path
from typing import Any, BinaryIO, ClassVar

from kithkin.importers import limits
from kithkin.importers.base import tally
from kithkin.importers.mail_headers import count_message, header_text, message_observation, parse_message
from kithkin.models import ImportFormatError, Observation

HEAD_BYTES = 64 * 1024
COUNT_CHUNK = 1 << 20
_SEPARATOR = b"From "
_FINGERPRINT_BYTES = 4096
# An envelope line carries a time ("From sender Thu Jan  2 10:00:00 2025"): a body line that merely
# begins with "From " in an unescaped (mboxo) file does not split the message. Some tools write a bare
# "From " with nothing after it (Python's mailbox splits there too): such a line never ends a sentence.
_ENVELOPE = re.compile(rb"From (?:\S+\s.*\d{1,2}:\d\d|\s*$)")
_NOT_MBOX = (
    "is not an mbox file (each message must start with a 'From ' line) nor one message (.eml); "
    "export the mailbox as mbox"
)
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # Outlook's .msg is an OLE compound file
_OUTLOOK_MSG = "is an Outlook .msg file, which Kithkin cannot read; save the message as .eml or export mbox"
# A header line: a field name, a colon. Files of one message start with one (Received, Return-Path…).
_HEADER_LINE = re.compile(rb"[!-9;-~]+:")
_MAIL_HEADERS = {b"from", b"date", b"message-id", b"to", b"subject"}


@dataclass
class _Mbox:
    """One mbox file of an import and how far it has been read."""

    path: Path
    key: str  # its name within the imported folder: the cursor's key for it
    head: bytes
    offset: int = 0
    single: bool = False  # one message without a 'From ' line (.eml, a Maildir file)

    def fingerprint(self, offset: int | None = None) -> str:
        """A digest of the file's opening bytes, no further than `offset`: the same file grown by
        appended mail keeps it, a different file does not."""
        end = self.offset if offset is None else offset
        return hashlib.sha1(self.head[: min(_FINGERPRINT_BYTES, end)]).hexdigest()

    def resume(self, stored: object) -> None:
        """Continue from a stored position when it still points at a message of this same file."""
        if not isinstance(stored, dict):
            return
        try:
            offset = int(stored["offset"])
        except (KeyError, TypeError, ValueError):
            return
        same_file = stored.get("fingerprint") == self.fingerprint(offset)
        if not same_file or offset <= 0:
            return
        with self.path.open("rb") as handle:
            handle.seek(offset)
            if handle.read(len(_SEPARATOR)) in (_SEPARATOR, b""):
                self.offset = offset


class MboxImporter:
    """`kithkin import mail FILE.mbox` (or a folder of them: a Takeout "Mail" folder, Apple Mail's
    `Name.mbox` bundles): one email observation per message; list and machine mail left out."""

    source_type: ClassVar[str] = "mail"

    def __init__(self, include_automated: bool = False) -> None:
        self.include_automated = include_automated
        self.total: int | None = None
        self.left_out = 0
        self.report: dict[str, Any] = {}
        self._files: list[_Mbox] = []

    def sniff(self, path: Path) -> bool:
        files = _mbox_files(path)
        return bool(files) and all(_problem(_head(f)) is None for f in files)

    def read(self, path: Path, cursor: str | None) -> Iterator[Observation | Exception]:
        """Check every file now (raising ImportFormatError before anything is yielded), then stream them."""
        files = _mbox_files(path)
        if not files:
            raise ImportFormatError(path, "holds no mbox files (*.mbox); export the mailbox as mbox")
        self._files = []
        for file in files:
            head = _head(file)
            problem = _problem(head)
            if problem:
                raise ImportFormatError(file, problem)
            key = file.relative_to(path).as_posix() if path.is_dir() else file.name
            self._files.append(_Mbox(file, key, head, single=not _starts_mbox(head)))
        stored = _stored_positions(cursor)
        for mbox in self._files:
            mbox.resume(stored.get(mbox.key))
        self.total = sum(int(m.offset == 0) if m.single else _count_messages(m.path, m.offset) for m in self._files)
        self.left_out = 0
        self.report = {"read": {"messages": 0}}
        return self._messages()

    def cursor(self) -> str | None:
        positions = {m.key: {"offset": m.offset, "fingerprint": m.fingerprint()} for m in self._files}
        return json.dumps({"files": positions}, sort_keys=True)

    def _messages(self) -> Iterator[Observation | Exception]:
        for mbox in self._files:
            yield from self._messages_of(mbox)

    def _messages_of(self, mbox: _Mbox) -> Iterator[Observation | Exception]:
        with mbox.path.open("rb") as handle:
            handle.seek(mbox.offset)
            messages: Iterable[tuple[bytes, bytes | None, int]] = _split(handle, mbox.offset)
            if mbox.single:  # read whole once; a stored offset past it means it was
                kept = handle.read(limits.MAIL_HEADER + limits.MAIL_BODY)  # a message's bound, as in _split
                whole = [(b"", _unwrap_emlx(kept), mbox.path.stat().st_size)]
                messages = whole if mbox.offset == 0 else []
            for from_line, data, end in messages:
                if data is None:
                    mbox.offset = end
                    tally(self.report, "read", "messages")
                    tally(self.report, "left_out", "header blocks over 1 MB")
                    yield ValueError(
                        f"{mbox.key}: the message before byte {end:,} has a header block over "
                        f"{limits.MAIL_HEADER // limits.MB} MB, larger than any real mail; skipped"
                    )
                    continue
                message = parse_message(data)
                labels = _gmail_labels(message)
                observation: Observation | Exception | None = None
                # Takeout's "All mail Including Spam and Trash" would otherwise turn spammers into people.
                if "Spam" not in labels:
                    try:
                        observation = message_observation(
                            message,
                            include_automated=self.include_automated,
                            fallback_date=_envelope_date(from_line),
                            labels=labels,
                        )
                    except ValueError as exc:
                        observation = exc
                # The offset moves before the yield: when ingest asks for the cursor the message is in its batch.
                mbox.offset = end
                count_message(self.report, message, observation, spam="Spam" in labels)
                if observation is None:
                    self.left_out += 1
                    continue
                yield observation


def _mbox_files(path: Path) -> list[Path]:
    """The mail files a path names: itself, or those in a folder (`*.mbox` and `*.eml` files, and the `mbox`
    file inside each of Apple Mail's `Name.mbox` bundle folders). A Maildir's message files have no suffix:
    a folder import walks to them and recognises each by its headers."""
    if path.is_file():
        return [path]
    if not path.is_dir():
        return []
    named = (".mbox", ".eml", ".emlx")
    return sorted(p for p in path.rglob("*") if p.is_file() and (p.suffix.lower() in named or p.name == "mbox"))


def _head(path: Path) -> bytes:
    with path.open("rb") as handle:
        return handle.read(HEAD_BYTES)


def _stored_positions(cursor: str | None) -> dict[str, object]:
    """Per-file positions from a cursor; an unreadable one starts over (ids keep that duplicate-free)."""
    if not cursor:
        return {}
    try:
        files = json.loads(cursor)["files"]
    except (ValueError, KeyError, TypeError):
        return {}
    return files if isinstance(files, dict) else {}


def _starts_mbox(head: bytes) -> bool:
    return head.lstrip(b"\r\n").startswith(_SEPARATOR)


def _header_names(block: bytes) -> set[bytes]:
    header_block = block.split(b"\n\n", 1)[0].split(b"\r\n\r\n", 1)[0]
    return {line.split(b":", 1)[0].strip().lower() for line in header_block.splitlines() if b":" in line}


def _problem(head: bytes) -> str | None:
    """Why these first bytes are neither an mbox nor one message, or None."""
    if head.startswith(_OLE_MAGIC):
        return _OUTLOOK_MSG
    text = _unwrap_emlx(head).lstrip(b"\r\n")
    if not text.startswith(_SEPARATOR):
        # One message: it opens on a header line and carries the headers every mail has.
        # (Its body may hold raw binary: only its headers must be text.)
        headers = text.split(b"\n\n", 1)[0]
        is_message = _HEADER_LINE.match(text) and b"\x00" not in headers and _header_names(headers) & _MAIL_HEADERS
        return None if is_message else _NOT_MBOX
    if b"\x00" in head:
        return "looks corrupt (it holds binary data where mail text should be); export it again"
    if not _header_names(text.partition(b"\n")[2]) & _MAIL_HEADERS:
        return "looks corrupt (its first message has no mail headers); export the mailbox again"
    return None


def _unwrap_emlx(data: bytes) -> bytes:
    """The message inside Apple Mail's .emlx (its byte count on the first line, a plist after it); other
    data as it is."""
    first, _, rest = data.partition(b"\n")
    return rest[: int(first)] if first.strip().isdigit() and rest else data


def _split(handle: BinaryIO, start: int) -> Iterator[tuple[bytes, bytes | None, int]]:
    """(envelope 'From ' line, message bytes, offset after the message) for each message. What is kept of
    a message is bounded (limits.py): its header block whole, or None when that is beyond any real
    header; its body up to a size that holds the text part any snippet comes from."""
    from_line: bytes | None = None
    lines: list[bytes] = []
    kept = 0
    in_header = oversized = False
    offset = start
    while line := handle.readline(limits.LINE):
        if line.startswith(_SEPARATOR) and _ENVELOPE.match(line):
            if from_line is not None:
                yield from_line, None if oversized else b"".join(lines), offset
            from_line, lines, kept, in_header, oversized = line, [], 0, True, False
        elif from_line is not None and not oversized:
            if in_header and line in (b"\n", b"\r\n"):
                in_header = False
            if in_header and kept + len(line) > limits.MAIL_HEADER:
                oversized, lines = True, []
            elif in_header or kept < limits.MAIL_HEADER + limits.MAIL_BODY:
                # mboxrd escapes body lines that start with "From " as ">From ": undo one level.
                lines.append(line[1:] if line.startswith(b">From ") else line)
                kept += len(line)
        offset += len(line)
    if from_line is not None:
        yield from_line, None if oversized else b"".join(lines), offset


def _count_messages(path: Path, start: int) -> int:
    """How many messages follow `start` (for the progress bar): one fast pass over the bytes."""
    count = 0
    with path.open("rb") as handle:
        handle.seek(start)
        previous = b"\n"
        while chunk := handle.read(COUNT_CHUNK):
            count += (previous + chunk).count(b"\n" + _SEPARATOR)
            previous = chunk[-len(_SEPARATOR) :]
    return count


def _envelope_date(from_line: bytes) -> datetime | None:
    """The date on an mbox 'From sender Thu Jan  2 10:00:00 +0000 2025' line (asctime, zone optional)."""
    parts = from_line.decode("ascii", "replace").split()[2:]
    zone = next((p for p in parts if p[:1] in "+-" and p[1:].isdigit()), None)
    words = [p for p in parts if p != zone]
    try:
        moment = datetime.strptime(" ".join(words[:5]), "%a %b %d %H:%M:%S %Y")
    except ValueError:
        return None
    if zone:
        return datetime.strptime(f"{moment:%Y-%m-%d %H:%M:%S} {zone}", "%Y-%m-%d %H:%M:%S %z")
    return moment.replace(tzinfo=UTC)


def _gmail_labels(message: Message) -> tuple[str, ...]:
    """Takeout's X-Gmail-Labels: comma separated and localised."""
    value = header_text(message.get("X-Gmail-Labels"))
    return tuple(label.strip() for label in value.split(",") if label.strip())
