"""LinkedIn's data export ("Get a copy of your data"): `Connections.csv` and `messages.csv`, given as
files, as the export folder, or as the export zip.

Connections.csv opens with a `Notes:` preamble (a quoted paragraph and a blank line, sometimes a BOM)
before its header `First Name,Last Name,URL,Email Address,Company,Position,Connected On`; dates read
`12 Mar 2024`, emails are mostly empty. Each connection is a contact card with company, position,
profile URL and the day of connecting. messages.csv (`CONVERSATION ID, CONVERSATION TITLE, FROM,
SENDER PROFILE URL, TO, RECIPIENT PROFILE URLS, DATE, SUBJECT, CONTENT, FOLDER`, later exports add
draft flags) gives one message per row; drafts and spam are left out.

The older "Complete" export (2018) has no URL column: `First Name,Last Name,Address,Email Address,Company,
Position,Connected On,Websites,Instant Messengers` (some years without Address/Websites), dates written
`12/17/18, 5:11 PM`; its messages.csv is `From,To,Date,Subject,Content,Direction,Folder`, one row per message
between the owner and one other person, `Direction` INCOMING or OUTGOING saying which side the owner is on.

People are keyed by their profile URL where there is one, else by their name, so a connection and their
messages meet. The owner is not named in the newer messages.csv: it is the profile that takes part in
the most conversations and is not a connection (Profile.csv's name settles a tie). Credentials and
pronouns written into names ("Chanh Tran, MBA", "Alex Kim (they/them)") are kept as facts of the person,
not in the name.
"""

from __future__ import annotations

import csv
import hashlib
import itertools
import re
import zipfile
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import partial
from pathlib import Path
from typing import IO, Any, ClassVar

from kithkin.identity.normalize import split_name_affixes
from kithkin.importers import limits
from kithkin.importers.base import ZIP_ERRORS, tally
from kithkin.importers.markdown_notes import fold_name
from kithkin.models import Identity, ImportFormatError, Observation, now_utc

CONNECTIONS = "connections.csv"
MESSAGES = "messages.csv"
PROFILE = "profile.csv"
# Every generation's header, newest first: a file is read with the first one found in it.
CONNECTIONS_HEADERS = (("FIRST NAME", "LAST NAME", "URL"), ("FIRST NAME", "LAST NAME", "CONNECTED ON"))
MESSAGES_HEADERS = (("CONVERSATION ID", "FROM", "DATE"), ("FROM", "TO", "DATE", "DIRECTION"))
PROFILE_HEADERS = (("FIRST NAME", "LAST NAME"),)
# 2018's "12/17/18, 5:11 PM" after the later "12 Mar 2024".
_DATE_FORMATS = (
    "%d %b %Y", "%d %B %Y", "%b %d, %Y", "%m/%d/%y, %I:%M %p", "%m/%d/%Y, %I:%M %p", "%m/%d/%y", "%m/%d/%Y", "%Y-%m-%d",
)  # fmt: skip
_TAG = re.compile(r"<[^>]+>")
_TRUE = {"yes", "true", "y", "1"}
_SNIPPET_CHARS = 280
_NOT_LINKEDIN = "is not a LinkedIn export: expected Connections.csv or messages.csv, their folder, or the export zip"


def profile_key(url: str | None) -> str | None:
    """A profile URL as a stable key: "linkedin.com/in/slug" (scheme, www, query and slash dropped)."""
    if not url or "linkedin.com/" not in url.lower():
        return None
    text = url.strip().split("?", 1)[0].split("#", 1)[0].rstrip("/").lower()
    return "linkedin.com/" + text.split("linkedin.com/", 1)[1]


def _rows(lines: Iterable[str], headers: tuple[tuple[str, ...], ...], name: str) -> Iterator[dict[str, str]]:
    """The rows of a LinkedIn CSV whose header (any of `headers`) starts somewhere after a preamble, one at
    a time; keys upper-cased. ValueError when there is no header, csv.Error for a broken row."""
    lines = iter(lines)
    for line in lines:
        cells = [c.strip().strip('"').upper() for c in line.split(",")]
        if any(all(h in cells for h in header) for header in headers):
            break
    else:
        raise ValueError(f"no header with {', '.join(headers[0])} in {name}")
    reader = csv.reader(itertools.chain([line], lines))
    columns = [c.strip().upper() for c in next(reader)]
    for row in reader:
        if any(row):
            yield dict(zip(columns, (cell.strip() for cell in row), strict=False))


Opener = Callable[[], AbstractContextManager[IO[bytes]]]


def _lines(opener: Opener, shown: str) -> Iterator[str]:
    """A CSV file's lines, each UTF-8 or else Windows' cp1252, as the exports were written over the years."""
    with opener() as handle:
        yield from limits.lines(handle, limits.CSV_LINE, shown, "CSV row", "cp1252", universal=False)


def _head(opener: Opener, shown: str, size: int) -> str:
    """The first `size` characters of a CSV file."""
    kept: list[str] = []
    length = 0
    for line in _lines(opener, shown):
        kept.append(line)
        length += len(line)
        if length >= size:
            break
    return "".join(kept)[:size]


def _connected_on(text: str) -> datetime | None:
    for pattern in _DATE_FORMATS:
        try:
            return datetime.strptime(text.strip(), pattern).replace(tzinfo=UTC)
        except ValueError:
            continue
    return None


def _message_time(text: str) -> datetime | None:
    text = text.strip().removesuffix("UTC").strip()
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        return _connected_on(text) if "," in text else None  # 2018: "3/14/18, 10:30 AM"
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _name_facts(raw: str | None) -> tuple[str | None, dict[str, Any]]:
    """A name as shown and matched, and the credentials and pronouns written into it, as metadata."""
    if not raw or not raw.strip():
        return None, {}
    parts = split_name_affixes(raw)
    facts: dict[str, Any] = {}
    if parts.credentials:
        facts["credentials"] = list(parts.credentials)
    if parts.pronouns:
        facts["pronouns"] = parts.pronouns
    return parts.name, facts


def _split(value: str) -> list[str]:
    """A multi-valued cell: split on semicolons when there are any, else on commas."""
    parts = value.split(";") if ";" in value else value.split(",")
    return [p.strip() for p in parts if p.strip()]


@dataclass
class _Export:
    """The CSV files of one export, by lower-cased file name, read as streams (a second pass opens them again)."""

    files: dict[str, tuple[str, Opener]] = field(default_factory=dict)  # name → (shown path, how to open it)

    def rows(self, name: str, headers: tuple[tuple[str, ...], ...]) -> Iterator[dict[str, str]]:
        shown, opener = self.files[name]
        return _rows(_lines(opener, shown), headers, name)


# The files read, by lower-cased name; the oldest exports (about 2015) called the messages Inbox.csv.
_WANTED = {CONNECTIONS: CONNECTIONS, MESSAGES: MESSAGES, "inbox.csv": MESSAGES, PROFILE: PROFILE}


def _file(path: Path) -> Opener:
    return partial(limits.open_file, path, limits.STREAMED_FILE, "LinkedIn CSV")


def _load(path: Path) -> _Export:
    """The export's files, found (and a zip's members checked against bombs) but not yet read."""
    export = _Export()
    if path.is_dir():
        for file in sorted(path.rglob("*.csv"), key=lambda p: len(p.parts)):
            kind = _WANTED.get(file.name.lower())
            if kind and kind not in export.files:
                export.files[kind] = (str(file), _file(file))
    elif zipfile.is_zipfile(path):
        with zipfile.ZipFile(path) as archive:
            for info in sorted(archive.infolist(), key=lambda i: i.filename.count("/")):
                kind = _WANTED.get(info.filename.rsplit("/", 1)[-1].lower())
                if kind and kind not in export.files:
                    limits.check_zip_member(path, info, limits.STREAMED_FILE)
                    opener = partial(limits.open_zip_member, path, info.filename, limits.STREAMED_FILE)
                    export.files[kind] = (f"{path}:{info.filename}", opener)
    elif path.name.lower() in _WANTED or path.suffix.lower() == ".csv":
        kind = MESSAGES if _has_header(_head(_file(path), str(path), 4096), MESSAGES_HEADERS) else CONNECTIONS
        export.files[kind] = (str(path), _file(path))
        # The other files of the same export sit beside it: they tell connections and the owner apart.
        for sibling in (CONNECTIONS, PROFILE):
            other = next((p for p in path.parent.glob("*.csv") if p.name.lower() == sibling and p != path), None)
            if other is not None and sibling not in export.files:
                export.files["sibling:" + sibling] = (str(other), _file(other))
    return export


def _has_header(text: str, headers: tuple[tuple[str, ...], ...]) -> bool:
    try:
        sum(1 for _ in _rows(text.splitlines(keepends=True), headers, ""))
    except (ValueError, csv.Error):
        return False
    return True


# The files read, in the order of the first pass.
_FILES = (
    (CONNECTIONS, CONNECTIONS_HEADERS),
    ("sibling:" + CONNECTIONS, CONNECTIONS_HEADERS),
    (MESSAGES, MESSAGES_HEADERS),
    (PROFILE, PROFILE_HEADERS),
    ("sibling:" + PROFILE, PROFILE_HEADERS),
)


@dataclass
class _Conversations:
    """Who takes part in which conversation of messages.csv (the owner is in the most), gathered in the first pass."""

    seen: dict[str, set[str]] = field(default_factory=dict)  # profile key → conversation ids
    names: dict[str, str] = field(default_factory=dict)  # profile key → the name it sent under

    def seen_in(self, rows: Iterable[dict[str, str]]) -> Iterator[dict[str, str]]:
        for row in rows:
            conversation = row.get("CONVERSATION ID", "")
            sender = profile_key(row.get("SENDER PROFILE URL"))
            if sender:
                self.names.setdefault(sender, row.get("FROM", ""))
            for key in [sender, *(profile_key(u) for u in _split(row.get("RECIPIENT PROFILE URLS", "")))]:
                if key:
                    self.seen.setdefault(key, set()).add(conversation)
            yield row


class LinkedInImporter:
    """`kithkin import linkedin Connections.csv|messages.csv|EXPORT_FOLDER|EXPORT.zip`."""

    source_type: ClassVar[str] = "linkedin"

    def __init__(self) -> None:
        self.total: int | None = None
        self.report: dict[str, Any] = {}
        # profile key (or name key) → what the connection says: messages repeat it, never wipe it
        self._cards: dict[str, dict[str, Any]] = {}
        self._card_emails: dict[str, tuple[str, ...]] = {}

    def sniff(self, path: Path) -> bool:
        try:
            export = _load(path)
        except ZIP_ERRORS:
            return False
        return any(name in export.files for name in (CONNECTIONS, MESSAGES)) and self._parses(export)

    @staticmethod
    def _parses(export: _Export) -> bool:
        for name, headers in ((CONNECTIONS, CONNECTIONS_HEADERS), (MESSAGES, MESSAGES_HEADERS)):
            if name in export.files:
                shown, opener = export.files[name]
                if not _has_header(_head(opener, shown, 65536), headers):
                    return False
        return True

    def cursor(self) -> str | None:
        # Connections and messages have stable ids in the store: a re-import adds nothing, no cursor needed.
        return None

    def read(self, path: Path, cursor: str | None) -> Iterator[Observation | Exception]:
        try:
            export = _load(path)
        except ZIP_ERRORS as exc:
            raise ImportFormatError(path, f"could not be read ({exc}); download the LinkedIn export again") from exc
        if CONNECTIONS not in export.files and MESSAGES not in export.files:
            raise ImportFormatError(path, _NOT_LINKEDIN)
        # Every file is parsed once before anything is yielded (a wrong or broken file is refused whole),
        # keeping only counts and who takes part in which conversation; the second pass reads the rows.
        counted: dict[str, int] = {}
        conversations = _Conversations()
        for name, headers in _FILES:
            if name not in export.files:
                continue
            rows = export.rows(name, headers)
            if name == MESSAGES:
                rows = conversations.seen_in(rows)
            try:
                counted[name] = sum(1 for _ in rows)
            except (ValueError, csv.Error) as exc:
                if name.startswith("sibling:") or name == PROFILE:
                    del export.files[name]  # a helper file beside the one imported: optional
                    continue
                raise ImportFormatError(export.files[name][0], f"{_NOT_LINKEDIN} ({exc})") from exc
            if name.endswith(CONNECTIONS) and counted[name] > limits.CONNECTIONS:
                raise ImportFormatError(
                    export.files[name][0],
                    f"holds {counted[name]:,} connections, more than LinkedIn allows anyone "
                    f"({limits.CONNECTIONS:,} at most); check that it is the right file",
                )
        self.total = counted.get(CONNECTIONS, 0) + counted.get(MESSAGES, 0)
        report: dict[str, Any] = {"read": {}}
        self.report = report
        if CONNECTIONS in export.files:
            tally(report, "read", "connections", counted[CONNECTIONS])
            for row in export.rows(CONNECTIONS, CONNECTIONS_HEADERS):
                card = self._connection(row)
                if isinstance(card, str):
                    tally(report, "left_out", card)
                    continue
                tally(report, *(("imported", "connections") if isinstance(card, Observation) else _UNREADABLE))
                if isinstance(card, Observation) and card.participants[0].metadata.keys() & {"credentials", "pronouns"}:
                    tally(report, "names", "credentials or pronouns kept apart")
                yield card
        elif "sibling:" + CONNECTIONS in export.files:
            for row in export.rows("sibling:" + CONNECTIONS, CONNECTIONS_HEADERS):
                self._connection(row)  # what the connections say about the people messages name
        if MESSAGES in export.files:
            tally(report, "read", "messages", counted[MESSAGES])
            profile = next(
                (
                    row
                    for name in (PROFILE, "sibling:" + PROFILE)
                    if name in export.files
                    for row in itertools.islice(export.rows(name, PROFILE_HEADERS), 1)
                ),
                None,
            )
            owner = self._owner(conversations, profile)
            for row in export.rows(MESSAGES, MESSAGES_HEADERS):
                item = self._message(row, owner)
                if isinstance(item, str):
                    tally(report, "left_out", item)
                    continue
                tally(report, *(("imported", "messages") if isinstance(item, Observation) else _UNREADABLE))
                yield item

    # --- connections -------------------------------------------------------------------------------

    def _connection(self, row: dict[str, str]) -> Observation | Exception | str:
        """The connection, or why it was left out, or what made it unreadable."""
        written = " ".join(p for p in (row.get("FIRST NAME", ""), row.get("LAST NAME", "")) if p).strip()
        name, facts = _name_facts(written)
        name = name or ""
        url = row.get("URL", "")
        key = profile_key(url)
        if not name and not key:
            if not row.get("EMAIL ADDRESS", "").strip():
                # A member who closed their account or hides it stays in the export as a date alone: 47 of
                # 1,628 rows in one real export.
                return _CLOSED_ACCOUNT
            return ValueError("a LinkedIn connection without a name or profile URL; skipped")
        connected = _connected_on(row.get("CONNECTED ON", ""))
        metadata: dict[str, Any] = dict(facts)
        for column, meta_key in (("COMPANY", "company"), ("POSITION", "position")):
            if row.get(column):
                metadata[meta_key] = row[column]
        if key:
            metadata["linkedin_url"] = url.strip()
        if connected:
            metadata["connected_on"] = connected.date().isoformat()
        email = row.get("EMAIL ADDRESS", "")
        source_id = key or "name:" + fold_name(name)
        self._cards[source_id] = metadata
        self._card_emails[source_id] = (email,) if email else ()
        identity = Identity(
            source_id=source_id,
            name=name or None,
            emails=self._card_emails[source_id],
            role="card",
            metadata=metadata,
        )
        return Observation(
            source_id="connection:" + identity.source_id,
            kind="contact",
            occurred_at=connected or now_utc(),  # an undated connection is known from today on
            participants=[identity],
        )

    # --- messages ----------------------------------------------------------------------------------

    def _owner(self, conversations: _Conversations, profile: dict[str, str] | None) -> str | None:
        """The owner's profile key: in the most conversations and not a connection; the profile name breaks ties."""
        names = conversations.names
        candidates = {k: len(v) for k, v in conversations.seen.items() if k not in self._cards}
        if profile:
            own = fold_name(f"{profile.get('FIRST NAME', '')} {profile.get('LAST NAME', '')}")
            named = [k for k in candidates if own and fold_name(names.get(k, "")) == own]
            if len(named) == 1:
                return named[0]
        ranked = Counter(candidates).most_common(2)
        if not ranked or (len(ranked) == 2 and ranked[0][1] == ranked[1][1]):
            return None
        return ranked[0][0]

    def _person(self, url: str, written: str | None, role: str, owner: str | None) -> Identity | None:
        key = profile_key(url)
        name, facts = _name_facts(written)
        if key is None and name is None:
            return None
        # The connection's card, so a message never wipes the email, company and position it gave.
        if key is None:
            key = "name:" + fold_name(name or "")
            metadata = self._cards.get(key) or facts
        else:
            metadata = self._cards.get(key) or {**facts, "linkedin_url": url.strip()}
        emails = self._card_emails.get(key, ())
        return Identity(source_id=key, name=name, emails=emails, role=role, is_owner=key == owner, metadata=metadata)

    def _message(self, row: dict[str, str], owner: str | None) -> Observation | Exception | str:
        """The message of a row, or an Exception for an unreadable one, or the reason it is left out."""
        if row.get("IS MESSAGE DRAFT", "").lower() in _TRUE:
            return "drafts"
        if row.get("FOLDER", "").upper() == "SPAM":
            return "spam"
        if "CONVERSATION ID" not in row:
            return self._message_2018(row)
        moment = _message_time(row.get("DATE", ""))
        conversation = row.get("CONVERSATION ID", "")
        if moment is None or not conversation:
            return ValueError(f"a LinkedIn message without a date or conversation ({row.get('DATE', '')!r}); skipped")
        sender = self._person(row.get("SENDER PROFILE URL", ""), row.get("FROM"), "from", owner)
        urls = _split(row.get("RECIPIENT PROFILE URLS", ""))
        names = _split(row.get("TO", ""))
        if len(names) != len(urls):
            names = names if not urls else [""] * len(urls)
        group = len(urls or names) > 1
        recipients = [
            self._person(url, name, "member" if group else "to", owner)
            for url, name in zip(urls or [""] * len(names), names or [""] * len(urls), strict=True)
        ]
        participants = [p for p in (sender, *recipients) if p is not None]
        if sender is None or not participants:
            return ValueError(f"a LinkedIn message in {conversation} without a sender; skipped")
        content = _TAG.sub(" ", row.get("CONTENT", ""))
        digest = hashlib.sha1(f"{sender.source_id}\n{row.get('CONTENT', '')}".encode()).hexdigest()[:12]
        title = row.get("SUBJECT") or row.get("CONVERSATION TITLE") or None
        return Observation(
            source_id=f"{conversation}:{moment:%Y%m%d%H%M%S}:{digest}",
            kind="message",
            occurred_at=moment,
            participants=participants,
            thread_id=conversation,
            context=row.get("CONVERSATION TITLE") or None if group else None,
            title=title,
            snippet=" ".join(content.split())[:_SNIPPET_CHARS] or None,
            metadata={"folder": row["FOLDER"]} if row.get("FOLDER") else {},
        )

    def _message_2018(self, row: dict[str, str]) -> Observation | Exception:
        """A row of the 2018 export: the owner and one other person, `DIRECTION` saying who wrote."""
        moment = _message_time(row.get("DATE", ""))
        if moment is None:
            return ValueError(f"a LinkedIn message without a readable date ({row.get('DATE', '')!r}); skipped")
        direction = row.get("DIRECTION", "").upper()
        sender = self._person("", row.get("FROM"), "from", None)
        recipient = self._person("", row.get("TO"), "to", None)
        if sender is None or recipient is None:
            return ValueError(f"a LinkedIn message of {moment:%Y-%m-%d} without a sender or recipient; skipped")
        sender.is_owner, recipient.is_owner = direction == "OUTGOING", direction == "INCOMING"
        other = recipient if sender.is_owner else sender
        content = _TAG.sub(" ", row.get("CONTENT", ""))
        digest = hashlib.sha1(f"{sender.source_id}\n{row.get('CONTENT', '')}".encode()).hexdigest()[:12]
        return Observation(
            source_id=f"{other.source_id}:{moment:%Y%m%d%H%M%S}:{digest}",
            kind="message",
            occurred_at=moment,
            participants=[sender, recipient],
            direction="out" if sender.is_owner else "in" if recipient.is_owner else None,
            thread_id=other.source_id,
            title=row.get("SUBJECT") or None,
            snippet=" ".join(content.split())[:_SNIPPET_CHARS] or None,
            metadata={"folder": row["FOLDER"]} if row.get("FOLDER") else {},
        )


_UNREADABLE = ("left_out", "unreadable rows")
_CLOSED_ACCOUNT = "connections with no name (closed or hidden accounts)"
