"""Mail from an mbox file (Google Takeout, Thunderbird, Apple Mail exports, any mboxo/mboxrd).

The file is streamed message by message, never loaded whole: Takeout mboxes run to gigabytes.
The cursor is the byte offset after the last message yielded, so an mbox that has grown since the
last import is read from where it stopped.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from datetime import UTC, datetime
from email.message import Message
from pathlib import Path
from typing import BinaryIO, ClassVar

from kithkin.importers.mail_headers import header_text, message_observation, parse_message
from kithkin.models import ImportFormatError, Observation

HEAD_BYTES = 64 * 1024
COUNT_CHUNK = 1 << 20
_SEPARATOR = b"From "
_FINGERPRINT_BYTES = 4096
_NOT_MBOX = "is not an mbox file (each message must start with a 'From ' line); export the mailbox as mbox"


class MboxImporter:
    """`kithkin import mail FILE.mbox`: one email observation per message; list and machine mail left out."""

    source_type: ClassVar[str] = "mail"

    def __init__(self, include_automated: bool = False) -> None:
        self.include_automated = include_automated
        self.total: int | None = None
        self.left_out = 0
        self._offset = 0
        self._head = b""

    def sniff(self, path: Path) -> bool:
        if not path.is_file():
            return False
        with path.open("rb") as handle:
            head = handle.read(HEAD_BYTES)
        return _problem(head) is None

    def read(self, path: Path, cursor: str | None) -> Iterator[Observation | Exception]:
        """Check the file now (raising ImportFormatError before anything is yielded), then stream it."""
        with path.open("rb") as handle:
            head = handle.read(HEAD_BYTES)
        problem = _problem(head)
        if problem:
            raise ImportFormatError(path, problem)
        self._head = head
        self._offset = self._resume_offset(path, cursor)
        self.total = _count_messages(path, self._offset)
        self.left_out = 0
        return self._messages(path)

    def cursor(self) -> str | None:
        return json.dumps({"offset": self._offset, "fingerprint": self._fingerprint(self._offset)})

    def _fingerprint(self, offset: int) -> str:
        """A digest of the file's opening bytes, no further than `offset`: the same file grown by
        appended mail keeps it, a different file does not."""
        return hashlib.sha1(self._head[: min(_FINGERPRINT_BYTES, offset)]).hexdigest()

    def _resume_offset(self, path: Path, cursor: str | None) -> int:
        """The stored offset when it still points at a message of the same file, else 0."""
        if not cursor:
            return 0
        try:
            state = json.loads(cursor)
            offset = int(state["offset"])
            same_file = state["fingerprint"] == self._fingerprint(offset)
        except (ValueError, KeyError, TypeError):
            return 0
        if not same_file or offset <= 0:
            return 0
        with path.open("rb") as handle:
            handle.seek(offset)
            at_message = handle.read(len(_SEPARATOR)) in (_SEPARATOR, b"")
        return offset if at_message else 0

    def _messages(self, path: Path) -> Iterator[Observation | Exception]:
        with path.open("rb") as handle:
            handle.seek(self._offset)
            for from_line, data, end in _split(handle, self._offset):
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
                self._offset = end
                if observation is None:
                    self.left_out += 1
                    continue
                yield observation


def _problem(head: bytes) -> str | None:
    """Why these first bytes are not an mbox, or None."""
    text = head.lstrip(b"\r\n")
    if not text.startswith(_SEPARATOR):
        return _NOT_MBOX
    if b"\x00" in head:
        return "looks corrupt (it holds binary data where mail text should be); export it again"
    rest = text.partition(b"\n")[2]
    header_block = rest.split(b"\n\n", 1)[0].split(b"\r\n\r\n", 1)[0]
    names = {line.split(b":", 1)[0].strip().lower() for line in header_block.splitlines() if b":" in line}
    if not names & {b"from", b"date", b"message-id", b"to", b"subject"}:
        return "looks corrupt (its first message has no mail headers); export the mailbox again"
    return None


def _split(handle: BinaryIO, start: int) -> Iterator[tuple[bytes, bytes, int]]:
    """(envelope 'From ' line, message bytes, offset after the message) for each message."""
    from_line: bytes | None = None
    lines: list[bytes] = []
    offset = start
    for line in handle:
        if line.startswith(_SEPARATOR):
            if from_line is not None:
                yield from_line, b"".join(lines), offset
            from_line, lines = line, []
        elif from_line is not None:
            # mboxrd escapes body lines that start with "From " as ">From ": undo one level.
            lines.append(line[1:] if line.startswith(b">From ") else line)
        offset += len(line)
    if from_line is not None:
        yield from_line, b"".join(lines), offset


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
