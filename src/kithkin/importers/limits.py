"""Sizes no real export reaches, in one place, and the readers that hold every importer to them.

A hostile or broken file (a 2 GB vCard, a zip whose 9 MB hold a 3 GB CSV, JSON nested 200,000 deep, a
50 MB mail header) must be refused in one sentence, in bounded time and memory, before anything is
stored. Text exports (vCard, iCalendar, WhatsApp text, LinkedIn CSV, mbox) are streamed record by
record, from a file or straight out of a zip member, so a large real one costs its largest record in
memory, not its size. What is capped is the record (a card, an event, a message, a CSV row, a mail
header), at a size no real one reaches; a file with a record over its cap is refused before anything
is stored (a first pass checks every record) and the refusal says which record, where. The cap on a
whole streamed file (STREAMED_FILE) only stops a flood of valid records. Granola's cache, one JSON
document, and Signal's files are still read whole and capped by size (JSON_FILE, TEXT_FILE).
"""

from __future__ import annotations

import json
import zipfile
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any

import httpx

from kithkin.models import ImportFormatError

MB = 1024 * 1024
# What reading a damaged zip raises: a broken directory or header, bad compressed data, an unknown
# compression method or an encrypted member (NotImplementedError, RuntimeError), a bad offset (ValueError).
ZIP_ERRORS = (OSError, EOFError, ValueError, zipfile.BadZipFile, zlib.error, NotImplementedError, RuntimeError)
GB = 1024 * MB
# A whole text export. Streamed, its size costs time, not memory: the largest real ones (a decade of one
# WhatsApp chat, an address book with every photo, a busy calendar of ten years) stay under a few hundred
# MB. Beyond 1 GB a file of valid records is a generated flood: reading it would take many minutes
# (bench/import_large.py reads 1-4 MB/s on a loaded 2-core machine, ~0.5 MB/s of iCalendar), so it is
# refused before it is read, in no time, rather than held to the 10 s of a hostile file. Under 1 GB, a
# file that is one endless record is refused once its record's cap below is read (~2 s for 900 MB).
STREAMED_FILE = 1 * GB
# A text file still read whole (Signal's data.json, a meeting note): parsing costs several times the file.
TEXT_FILE = 256 * MB
# A calendar subscription (an ICS URL) is downloaded whole before it is read: a ten-year one is ~20 MB.
CALENDAR_DOWNLOAD = 128 * MB
# One vCard: a photo embedded in base64 is the bulk of a large card (phones keep them under ~1 MB).
CARD = 16 * MB
# One VEVENT, VTODO, VTIMEZONE…: a long description with an attachment inline stays under a few MB. A
# calendar's own properties and its time zones are held to it too.
CALENDAR_COMPONENT = 16 * MB
# A recurring series, its master and the instances it overrides: an override for each of its 5,000
# occurrences (recurrence.MAX_OCCURRENCES) at ~4 kB each.
CALENDAR_SERIES = 32 * MB
# Components in one file, each remembered by its UID between two passes: ten busy years hold ~20,000.
CALENDAR_COMPONENTS = 500_000
# One WhatsApp message, its continuation lines included: the app refuses to send more than 65,536 characters.
CHAT_MESSAGE = 1 * MB
# One line of a CSV file (a LinkedIn message's line): LinkedIn caps a message at 8,000 characters. The csv
# module caps a field (quoted ones run over lines) at 131,072 characters.
CSV_LINE = 1 * MB
# LinkedIn lets a member have 30,000 connections: each is kept while the messages are read.
CONNECTIONS = 100_000
# Granola's cache keeps every transcript: a heavy user's runs to a few hundred MB.
JSON_FILE = 512 * MB
# Text compresses 5-20 times; a member packed tighter than this is built to explode.
ZIP_RATIO = 100
# A mail's header block: long Received/DKIM chains reach ~100 KB; a megabyte is never a real header.
MAIL_HEADER = 1 * MB
# What is kept of a mail's body (its snippet comes from the first text part); attachments beyond are skipped.
MAIL_BODY = 8 * MB
# One line read while looking for a header or a record separator.
LINE = 1 * MB


class TooDeep(ValueError):
    """JSON nested deeper than the parser can follow: no real export nests beyond a few dozen levels."""


def _megabytes(size: int) -> str:
    return f"{size / MB:,.0f} MB"


def check_size(path: object, size: int, limit: int, what: str) -> None:
    """Refuse a file of `size` bytes larger than `limit`, naming it and the kind of file it claims to be."""
    if size > limit:
        raise ImportFormatError(
            path,
            f"is {_megabytes(size)}, larger than any real {what} ({_megabytes(limit)} at most); "
            "check that it is the right file",
        )


def read_bytes(path: Path, limit: int, what: str) -> bytes:
    """A whole file's bytes, refused beyond `limit` before any is read (and if it grows while read)."""
    check_size(path, path.stat().st_size, limit, what)
    with path.open("rb") as handle:
        data = handle.read(limit + 1)
    check_size(path, len(data), limit, what)
    return data


def check_zip_member(archive_path: object, member: zipfile.ZipInfo, limit: int) -> None:
    """Refuse a zip member that unpacks beyond `limit` or far beyond its packed size (a zip bomb).
    zipfile never returns more than the declared size, so checking it bounds the read."""
    too_dense = member.file_size > ZIP_RATIO * max(member.compress_size, 1) + MB
    if member.file_size > limit or too_dense:
        raise ImportFormatError(
            archive_path,
            f"{member.filename} unpacks to {_megabytes(member.file_size)} from {_megabytes(member.compress_size)} "
            "(a zip bomb?); it was not read",
        )


@contextmanager
def open_file(path: Path, limit: int, what: str) -> Iterator[IO[bytes]]:
    """A file's binary stream, refused beyond `limit` (a `what`) before it is opened."""
    check_size(path, path.stat().st_size, limit, what)
    with path.open("rb") as handle:
        yield handle


@contextmanager
def open_zip_member(archive_path: Path, name: str, limit: int) -> Iterator[IO[bytes]]:
    """A zip member's stream, once `check_zip_member` accepts it (zipfile inflates it as it is read). Damage
    found while it is read is ImportFormatError."""
    try:
        with zipfile.ZipFile(archive_path) as archive:
            member = archive.getinfo(name)
            check_zip_member(archive_path, member, limit)
            with archive.open(member) as handle:
                yield handle
    except ZIP_ERRORS as exc:
        raise ImportFormatError(archive_path, f"is a damaged zip ({exc})") from exc


def raw_lines(handle: IO[bytes], longest: int, where: object, what: str) -> Iterator[bytes]:
    """The lines of a binary stream, each with its "\\n"; a line longer than `longest` bytes is never held:
    ImportFormatError naming `where` and the record it would be part of (`what`)."""
    number = 0
    while raw := handle.readline(longest + 1):
        number += 1
        if len(raw) > longest:
            raise ImportFormatError(
                where, f"has a line (line {number:,}) longer than any real {what} ({_megabytes(longest)} at most)"
            )
        yield raw


def lines(
    handle: IO[bytes],
    longest: int,
    where: object,
    what: str,
    fallback: str = "latin-1",
    *,
    keepends: bool = True,
    universal: bool = True,
) -> Iterator[str]:
    """The lines of a text stream (`raw_lines`), each with its line end (unless not `keepends`), as
    str.splitlines would cut the whole text (only at "\\n", for the csv module, when not `universal`).

    Each line is read as UTF-8 (a byte-order mark at the start dropped), or, when it is not, in the legacy
    `fallback` encoding the exporters of such files used."""
    for number, raw in enumerate(raw_lines(handle, longest, where, what)):
        try:
            text = raw.decode("utf-8" if number else "utf-8-sig")
        except UnicodeDecodeError:
            text = raw.decode(fallback, "replace")
        if universal:  # a bare CR, U+2028 and the like end lines too, as str.splitlines has it
            yield from text.splitlines(keepends=keepends)
        else:
            yield text if keepends else text.removesuffix("\n")


def too_large(where: object, what: str, line: int, limit: int) -> ImportFormatError:
    """The refusal of a record (`what`, starting at `line`) larger than `limit`."""
    return ImportFormatError(
        where,
        f"holds {what} (from line {line:,}) larger than any real one ({_megabytes(limit)} at most); "
        "check that it is the right file",
    )


def loads_json(data: bytes | str) -> Any:
    """json.loads that says TooDeep (a ValueError) instead of RecursionError on absurd nesting."""
    try:
        return json.loads(data)
    except RecursionError:
        raise TooDeep("it nests deeper than any real export (hundreds of levels); it was not read") from None


def fetch(url: str, limit: int, what: str, shown: str, timeout: float) -> tuple[int, bytes]:
    """GET `url` (redirects followed): its status and body, reading at most `limit` bytes of it;
    ImportFormatError naming `shown` (never the URL, which may hold a secret) beyond that.
    httpx errors pass through."""
    with httpx.stream("GET", url, follow_redirects=True, timeout=timeout) as response:
        declared = response.headers.get("content-length", "")
        if declared.isdigit():
            check_size(shown, int(declared), limit, what)
        body = bytearray()
        for chunk in response.iter_bytes():
            body += chunk
            check_size(shown, len(body), limit, what)
        return response.status_code, bytes(body)
