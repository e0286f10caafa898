"""Sizes no real export reaches, in one place, and the readers that hold every importer to them.

A hostile or broken file (a 2 GB vCard, a zip whose 9 MB hold a 3 GB CSV, JSON nested 200,000 deep, a
50 MB mail header) must be refused in one sentence, in bounded time and memory, before anything is
stored. Formats parsed whole (vCard, iCalendar, WhatsApp text, LinkedIn CSV, Granola JSON) are
checked by size before they are read; streamed ones (mbox) bound what they keep of each record.
"""

from __future__ import annotations

import json
import zipfile
from pathlib import Path
from typing import Any

import httpx

from kithkin.models import ImportFormatError

MB = 1024 * 1024
# A whole-file text export: the largest real ones seen (a decade of one WhatsApp chat, an address book
# with every photo) stay well under 100 MB. Parsing costs several times the file in memory.
TEXT_FILE = 256 * MB
# iCalendar is parsed into a tree of objects ~10 times the file: a busy work calendar of ten years is ~20 MB.
CALENDAR_FILE = 128 * MB
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


def read_zip_member(archive: zipfile.ZipFile, member: zipfile.ZipInfo, archive_path: object, limit: int) -> bytes:
    """A zip member's bytes once `check_zip_member` accepts it."""
    check_zip_member(archive_path, member, limit)
    return archive.read(member)


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
