"""Contacts (FORMATS.md § macOS Contacts): vCard 2.1/3.0/4.0 files and the macOS Contacts database
(`AddressBook-v22.abcddb`, Core Data SQLite, read-only). `sniff` tells them apart.

Each card is one observation of kind "contact" carrying one Identity (role "card") with all of the
card's emails and phones and its company, position, birthday and photo: the strongest identity
evidence there is, which the resolver then uses like any other.

A damaged property never costs the card: Android's vCard 2.1 breaks long QUOTED-PRINTABLE lines, sometimes
in the middle of an escape (`=C3=` then `BC` on the next line, or `=9` then `5=8C`); such lines are joined
back, and a property still unreadable is dropped and named in the summary. Numbers that do not validate
(area code 111) are kept as observed (`unvalidated_phones`) and counted, but never matched on.
"""

from __future__ import annotations

import base64
import hashlib
import io
import re
import sqlite3
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, ClassVar

from vobject.base import ParseError, getLogicalLines, textLineToContentLine

from kithkin.identity.normalize import normalize_phone
from kithkin.importers import limits
from kithkin.importers.base import apple_time, open_sqlite_readonly, table_columns, tally
from kithkin.models import Identity, ImportFormatError, KithkinError, Observation

SQLITE_MAGIC = b"SQLite format 3\x00"
VCARD_SUFFIXES = (".vcf", ".vcard")
ABCDDB_SUFFIX = ".abcddb"
# TYPE values that say nothing about what the number or address is for.
NOISE_TYPES = {"internet", "pref", "x400"}
_ESCAPE = re.compile(r"\\(.)", re.DOTALL)
# A line that can begin a property: "NAME" or "group.NAME", then its parameters or its value.
_PROPERTY_START = re.compile(r"^[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)?[;:]")
_QUOTED_PRINTABLE = re.compile(r"ENCODING=QUOTED-PRINTABLE|;QUOTED-PRINTABLE[;:]", re.IGNORECASE)
# A soft line break written inside an escape: "=C3=" then "BC…" on the next line stands for "=C3=BC…".
_BREAK_IN_ESCAPE = re.compile(r"=\r?\n(?=[0-9A-Fa-f]{2})")
_APPLE_LABEL = re.compile(r"^_\$!<(.*)>!\$_$")
_BEGIN_CARD = re.compile(r"^BEGIN:VCARD\s*$", re.IGNORECASE)
_END_CARD = re.compile(r"^END:VCARD\s*$", re.IGNORECASE)
YEARLESS = 1604  # Contacts stores a birthday without a year in 1604


@dataclass(slots=True)
class Card:
    """One contact card as read from any format, before it becomes an Identity."""

    source_id: str
    name: str | None = None
    phones: list[tuple[str, list[str], int]] = field(default_factory=list)  # value, types, preference
    emails: list[tuple[str, list[str], int]] = field(default_factory=list)
    metadata: dict[str, Any] = field(default_factory=dict)
    changed_at: datetime | None = None
    damaged: list[str] = field(default_factory=list)  # the names of the properties dropped as unreadable
    repaired: int = 0  # properties read after joining back lines broken in an escape

    def identity(self) -> Identity:
        phones = [value for value, _, _ in sorted(self.phones, key=lambda p: p[2])]
        emails = [value for value, _, _ in sorted(self.emails, key=lambda e: e[2])]
        metadata = dict(self.metadata)
        for key, entries in (("phone_types", self.phones), ("email_types", self.emails)):
            labels = {value: types for value, types, _ in entries if types}
            if labels:
                metadata[key] = labels
        return Identity(
            source_id=self.source_id,
            name=self.name,
            emails=tuple(dict.fromkeys(emails)),
            phones=tuple(dict.fromkeys(phones)),
            role="card",
            metadata=metadata,
        )

    def observation(self, fallback_time: datetime) -> Observation:
        return Observation(
            source_id=self.source_id,
            kind="contact",
            occurred_at=self.changed_at or fallback_time,
            participants=[self.identity()],
        )


# --- vCard ---------------------------------------------------------------------------------------


def _unescape(text: str) -> str:
    r"""RFC 6350 §3.4 text: \n is a newline, \, \; \\ stand for themselves."""
    return _ESCAPE.sub(lambda m: "\n" if m.group(1) in "nN" else m.group(1), text)


def _split(text: str, separator: str) -> list[str]:
    """Split a structured value on unescaped separators, then unescape each part."""
    parts, current, escaped = [], [], False
    for char in text:
        if escaped:
            current.append("\\" + char)
            escaped = False
        elif char == "\\":
            escaped = True
        elif char == separator:
            parts.append(_unescape("".join(current)))
            current = []
        else:
            current.append(char)
    parts.append(_unescape("".join(current)))
    return parts


def _types(line: Any, labels: dict[str, str]) -> tuple[list[str], int]:
    """The TYPE values of a property (3.0/4.0 params, 2.1 bare words, Apple's `itemN.X-ABLabel`) and its
    preference (lower first)."""
    raw = [t for value in line.params.get("TYPE", []) for t in value.split(",")] + list(line.singletonparams)
    if line.group and line.group in labels:
        raw.append(labels[line.group])
    types = [t.strip().lower() for t in raw if t.strip()]
    pref = line.params.get("PREF", [])
    preference = int(pref[0]) if pref and pref[0].isdigit() else (1 if "pref" in types else 100)
    return [t for t in dict.fromkeys(types) if t not in NOISE_TYPES], preference


def _date(text: str) -> str | None:
    """vCard BDAY forms as ISO: 19850415, 1985-04-15, 1985-04-15T00:00:00Z, and yearless --0415."""
    digits = text.strip().split("T")[0].replace("-", "")
    if text.strip().startswith("--") and len(digits) == 4:
        return f"--{digits[:2]}-{digits[2:]}"
    if len(digits) == 8 and digits.isdigit():
        return f"{digits[:4]}-{digits[4:6]}-{digits[6:]}"
    return None


def _timestamp(text: str) -> datetime | None:
    """REV: 20231215T120000Z or 2023-12-15T12:00:00Z."""
    compact = text.strip().replace("-", "").replace(":", "")
    for pattern in ("%Y%m%dT%H%M%SZ", "%Y%m%dT%H%M%S", "%Y%m%d"):
        try:
            return datetime.strptime(compact, pattern).replace(tzinfo=UTC)
        except ValueError:
            continue
    return None


def _photo(line: Any, value: str) -> str | None:
    """A photo as a data: URI (embedded base64 in 2.1/3.0, a data: URI in 4.0); None for a link."""
    if value.startswith("data:"):
        return value
    encoding = {e.lower() for e in line.params.get("ENCODING", [])} | {p.lower() for p in line.singletonparams}
    if not encoding & {"b", "base64"}:
        return None
    kinds = [t.lower() for t in line.params.get("TYPE", []) + list(line.singletonparams) if t.lower() in IMAGE_TYPES]
    mime = IMAGE_TYPES[kinds[0]] if kinds else "image/jpeg"
    data = "".join(value.split())
    try:
        base64.b64decode(data, validate=True)
    except ValueError:
        return None
    return f"data:{mime};base64,{data}"


IMAGE_TYPES = {"jpeg": "image/jpeg", "jpg": "image/jpeg", "png": "image/png", "gif": "image/gif"}


def _card_from_lines(lines: list[Any], fallback_id: str) -> Card:
    card = Card(source_id="")
    names: list[tuple[bool, str]] = []
    structured: list[str] = []
    uid = None
    labels = {
        line.group: apple_label(_unescape(line.value))[0]
        for line in lines
        if line.name.upper() == "X-ABLABEL" and line.group and isinstance(line.value, str) and line.value.strip()
    }
    for line in lines:
        name = line.name.upper()
        value = line.value if isinstance(line.value, str) else line.value.decode("utf-8", "replace")
        if name == "FN":
            names.append(("LANGUAGE" in line.params, _unescape(value).strip()))
        elif name == "N":
            structured = _split(value, ";")
        elif name == "TEL":
            number = _unescape(value).strip()
            if number.lower().startswith("tel:"):  # a 4.0 URI: tel:+1-202-555-0199;ext=12
                number = number[4:].replace(";ext=", " ext. ").split(";")[0]
            if number:
                card.phones.append((number, *_types(line, labels)))
        elif name == "EMAIL":
            address = _unescape(value).strip()
            address = address[7:] if address.lower().startswith("mailto:") else address
            if address:
                card.emails.append((address, *_types(line, labels)))
        elif name == "ORG":
            units = [u.strip() for u in _split(value, ";") if u.strip()]
            if units:
                card.metadata["company"] = units[0]
                if units[1:]:
                    card.metadata["department"] = ", ".join(units[1:])
        elif name == "TITLE" and value.strip():
            card.metadata["position"] = _unescape(value).strip()
        elif name == "BDAY" and _date(value):
            card.metadata["birthday"] = _date(value)
        elif name == "ADR" and "address" not in card.metadata:
            # pobox; extended; street; locality; region; postal code; country: one line, as written
            parts = [p.strip() for p in _split(value, ";")]
            shown = ", ".join(p for p in parts[2:] + parts[:2] if p)
            if shown:
                card.metadata["address"] = shown
        elif name == "PHOTO" and _photo(line, value):
            card.metadata["avatar"] = _photo(line, value)
        elif name == "NICKNAME" and value.strip():
            card.metadata["nickname"] = ", ".join(n.strip() for n in _split(value, ",") if n.strip())
        elif name == "NOTE" and value.strip():
            card.metadata["note"] = _unescape(value).strip()
        elif name in ("URL", "X-SOCIALPROFILE") and "linkedin.com/" in value.lower():
            card.metadata["linkedin_url"] = _unescape(value).strip()
        elif name == "UID" and value.strip():
            uid = value.strip()
        elif name == "REV":
            card.changed_at = _timestamp(value)
    plain = [text for localized, text in names if not localized and text] + [text for _, text in names if text]
    if plain:
        card.name = plain[0]
    elif structured:
        family, given, middle = [*structured, "", "", ""][:3]
        card.name = " ".join(p.strip() for p in (given, middle, family) if p.strip()) or None
    card.name = card.name or card.metadata.get("company")
    card.source_id = uid or fallback_id
    return card


def _fallback_id(lines: list[Any]) -> str:
    """A card without UID: an id from its name and first address, stable while those stay the same."""
    wanted = {"FN", "N", "EMAIL", "TEL", "ORG"}
    basis = "\n".join(f"{line.name.upper()}:{line.value}" for line in lines if line.name.upper() in wanted)
    return "vcard:" + hashlib.blake2b(basis.encode("utf-8", "replace"), digest_size=10).hexdigest()


def parse_vcards(text: str, origin: str) -> list[Card | Exception]:
    """Every card in a vCard text (one or many, any version): a Card, or the Exception of a broken one.

    vobject does the lexical work (unfolding, parameters, quoted-printable, charsets); values are
    unescaped here because vobject's text decoding drops everything after an unescaped comma (4.0
    data: URIs, NICKNAME lists). Raises ImportFormatError when the text holds no vCard at all.
    """
    found: list[Card | Exception] = []
    current: list[Any] | None = None
    damaged: list[str] = []
    repaired = 0
    rank = -1
    text, rejoined = _rejoin_broken_lines(text)
    for raw, number in getLogicalLines(io.StringIO(text)):
        line, was_repaired = _content_line(raw, number)
        if line is None:  # bad syntax, or quoted-printable that cannot be decoded even joined back
            if current is not None:
                damaged.append(raw.split(":", 1)[0].split(";", 1)[0].strip().upper() or "a line without a name")
            continue
        repaired += was_repaired
        name = line.name.upper()
        if name == "BEGIN" and line.value.strip().upper() == "VCARD":
            rank += 1
            current, damaged, repaired = [], [], rejoined[rank]
        elif name == "END" and line.value.strip().upper() == "VCARD" and current is not None:
            card = _card_from_lines(current, _fallback_id(current))
            card.damaged, card.repaired = damaged, repaired
            found.append(card)
            current = None
        elif current is not None:
            current.append(line)
    if rank < 0:
        raise ImportFormatError(origin, "holds no vCard (expected BEGIN:VCARD … END:VCARD)")
    if current is not None:
        found.append(ValueError(f"{origin}: the last card has no END:VCARD (the file is cut short); skipped"))
    return found


def read_vcard_file(path: Path) -> Iterator[Card | Exception]:
    """Every card of a vCard file that `check_vcard_file` accepted, read one card at a time (`parse_vcards`
    on each), so a file costs its largest card in memory. Lines outside cards are not vCard: passed over."""
    for text in _card_texts(_lines_of(path), path, keep=True):
        if text is None:
            yield ValueError(f"{path}: a card has no END:VCARD before the next BEGIN:VCARD; skipped")
        else:
            yield from parse_vcards(text, str(path))


def check_vcard_file(path: Path) -> None:
    """Refuse a file that holds no card, or a card larger than any real one (limits.CARD), in one pass
    that keeps nothing."""
    if not sum(1 for _ in _card_texts(_lines_of(path), path, keep=False)):
        raise ImportFormatError(path, "holds no vCard (expected BEGIN:VCARD … END:VCARD)")


def _lines_of(path: Path) -> Iterator[str]:
    with limits.open_file(path, limits.STREAMED_FILE, "vCard file") as handle:
        yield from limits.lines(handle, limits.CARD, path, "card")


def _card_texts(lines: Iterable[str], where: Path, *, keep: bool) -> Iterator[str | None]:
    """Each card's text from BEGIN:VCARD to END:VCARD (the rest of the file for a last card cut short), or
    None for a card the next one's BEGIN:VCARD cut short; "" for each card when not `keep`ing the text.
    ImportFormatError naming the card when one is larger than limits.CARD."""
    card: list[str] | None = None
    size = start = 0
    for number, line in enumerate(lines, 1):
        if _BEGIN_CARD.match(line):
            if card is not None:
                yield None
            card, size, start = [], 0, number
        if card is None:
            continue
        size += len(line)
        if size > limits.CARD:
            raise limits.too_large(where, "a card", start, limits.CARD)
        if keep:
            card.append(line)
        if _END_CARD.match(line):
            yield "".join(card)
            card = None
    if card is not None:
        yield "".join(card)


def _rejoin_broken_lines(text: str) -> tuple[str, Counter[int]]:
    """Join to a QUOTED-PRINTABLE property the lines it was broken into without a soft line break ("=9"
    then "5=8C"): a line that cannot begin a property, after a quoted-printable one, is its rest. (After a
    soft line break, a line ending in "=", the next line is the value's rest already.)

    Returns the text and how many lines were joined back in each card (by its rank in the text)."""
    joined: list[str] = []
    repairs: Counter[int] = Counter()
    card = -1
    in_quoted_printable = False
    for line in text.splitlines(keepends=True):
        starts_property = bool(_PROPERTY_START.match(line))
        soft_break = bool(joined) and joined[-1].rstrip("\r\n").endswith("=")
        if in_quoted_printable and not (starts_property or soft_break) and line.strip() and line[:1] not in " \t":
            joined[-1] = joined[-1].rstrip("\r\n") + line
            repairs[card] += 1
            continue
        if starts_property:
            in_quoted_printable = bool(_QUOTED_PRINTABLE.search(line.split(":", 1)[0] + ":"))
            card += line.upper().startswith("BEGIN:VCARD")
        joined.append(line)
    return "".join(joined), repairs


def _content_line(raw: str, number: int) -> tuple[Any, bool]:
    """(the parsed line, whether it had to be repaired), or (None, False) when it cannot be read."""
    try:
        return textLineToContentLine(raw, number), False
    except ParseError:
        return None, False
    except UnicodeDecodeError:
        pass
    mended = _BREAK_IN_ESCAPE.sub("=", raw)
    if mended != raw:
        try:
            return textLineToContentLine(mended, number), True
        except (ParseError, UnicodeDecodeError):
            pass
    return None, False


# --- macOS Contacts (AddressBook-v22.abcddb) -----------------------------------------------------


def apple_label(raw: str | None) -> list[str]:
    if not raw:
        return []
    match = _APPLE_LABEL.match(raw)
    return [(match.group(1) if match else raw).lower()]


def image_data_uri(blob: bytes | None) -> str | None:
    """Contacts keeps the thumbnail inline behind a one-byte marker (larger images live elsewhere)."""
    if not blob:
        return None
    data = bytes(blob[1:]) if blob[:1] == b"\x01" else bytes(blob)
    for magic, mime in ((b"\xff\xd8\xff", "image/jpeg"), (b"\x89PNG", "image/png")):
        if data.startswith(magic):
            return f"data:{mime};base64,{base64.b64encode(data).decode('ascii')}"
    return None


def _abcd_birthday(value: float | None) -> str | None:
    moment = apple_time(value) if value else None
    if moment is None:
        return None
    day = moment.date()  # stored at noon GMT of the day
    return f"--{day:%m-%d}" if day.year == YEARLESS else day.isoformat()


def _abcd_children(conn: sqlite3.Connection, table: str, wanted: dict[str, str], owner: str = "ZOWNER") -> dict:
    """Rows of a child table by their owner's Z_PK; columns missing from this OS version read as NULL."""
    columns = table_columns(conn, table)
    if owner not in columns:
        return {}
    picked = ", ".join(c if c in columns else f"NULL AS {c}" for c in wanted)
    order = "ZORDERINGINDEX, Z_PK" if "ZORDERINGINDEX" in columns else "Z_PK"
    found: dict[int, list[sqlite3.Row]] = {}
    for row in conn.execute(f"SELECT {owner} AS owner, {picked} FROM {table} ORDER BY {order}"):
        found.setdefault(row["owner"], []).append(row)
    return found


RECORD_COLUMNS = (
    "ZUNIQUEID", "ZFIRSTNAME", "ZMIDDLENAME", "ZLASTNAME", "ZNICKNAME", "ZORGANIZATION", "ZDEPARTMENT",
    "ZJOBTITLE", "ZBIRTHDAY", "ZCREATIONDATE", "ZMODIFICATIONDATE", "ZTHUMBNAILIMAGEDATA",
)  # fmt: skip


def check_abcddb(path: Path) -> None:
    conn = open_sqlite_readonly(path)
    try:
        if not table_columns(conn, "ZABCDRECORD") or not table_columns(conn, "Z_PRIMARYKEY"):
            raise ImportFormatError(path, "is not a macOS Contacts database (expected the tables ZABCDRECORD)")
    finally:
        conn.close()


def read_abcddb(path: Path) -> Iterator[Card]:
    """Every person card of one AddressBook-v22.abcddb; groups and bookkeeping records are skipped."""
    conn = open_sqlite_readonly(path)
    try:
        # Z_ENT numbers differ between databases: find the contact entity (and any sub-entity) by name.
        contact = conn.execute("SELECT Z_ENT FROM Z_PRIMARYKEY WHERE Z_NAME = 'ABCDContact'").fetchone()
        if contact is None:
            raise ImportFormatError(path, "has no ABCDContact entity; expected a macOS Contacts database")
        children = conn.execute("SELECT Z_ENT FROM Z_PRIMARYKEY WHERE Z_SUPER = ?", (contact[0],))
        entities = [contact[0], *(r[0] for r in children)]
        columns = table_columns(conn, "ZABCDRECORD")
        picked = ", ".join(c if c in columns else f"NULL AS {c}" for c in RECORD_COLUMNS)
        phones = _abcd_children(conn, "ZABCDPHONENUMBER", {"ZFULLNUMBER": "", "ZLABEL": "", "ZISPRIMARY": ""})
        emails = _abcd_children(conn, "ZABCDEMAILADDRESS", {"ZADDRESS": "", "ZLABEL": "", "ZISPRIMARY": ""})
        socials = _abcd_children(conn, "ZABCDSOCIALPROFILE", {"ZURLSTRING": "", "ZSERVICENAME": ""})
        notes = _abcd_children(conn, "ZABCDNOTE", {"ZTEXT": ""}, owner="ZCONTACT")
        marks = ",".join("?" * len(entities))
        query = f"SELECT Z_PK, {picked} FROM ZABCDRECORD WHERE Z_ENT IN ({marks}) ORDER BY Z_PK"
        for row in conn.execute(query, entities):
            yield _abcd_card(row, phones, emails, socials, notes)
    finally:
        conn.close()


def _abcd_card(row: sqlite3.Row, phones: dict, emails: dict, socials: dict, notes: dict) -> Card:
    key = row["Z_PK"]
    person = " ".join(p.strip() for p in (row["ZFIRSTNAME"], row["ZMIDDLENAME"], row["ZLASTNAME"]) if p and p.strip())
    card = Card(
        source_id=row["ZUNIQUEID"] or f"abcd:{key}",
        name=person or row["ZORGANIZATION"] or row["ZNICKNAME"] or None,
        changed_at=apple_time(row["ZMODIFICATIONDATE"]) or apple_time(row["ZCREATIONDATE"]),
    )
    for phone in phones.get(key, []):
        if phone["ZFULLNUMBER"]:
            card.phones.append((phone["ZFULLNUMBER"], apple_label(phone["ZLABEL"]), 1 if phone["ZISPRIMARY"] else 100))
    for email in emails.get(key, []):
        if email["ZADDRESS"]:
            card.emails.append((email["ZADDRESS"], apple_label(email["ZLABEL"]), 1 if email["ZISPRIMARY"] else 100))
    extra = {
        "company": row["ZORGANIZATION"] if person else None,
        "department": row["ZDEPARTMENT"],
        "position": row["ZJOBTITLE"],
        "nickname": row["ZNICKNAME"],
        "birthday": _abcd_birthday(row["ZBIRTHDAY"]),
        "avatar": image_data_uri(row["ZTHUMBNAILIMAGEDATA"]),
        "note": next((n["ZTEXT"] for n in notes.get(key, []) if n["ZTEXT"]), None),
        "linkedin_url": next(
            (s["ZURLSTRING"] for s in socials.get(key, []) if "linkedin.com/" in (s["ZURLSTRING"] or "").lower()), None
        ),
    }
    card.metadata = {k: v.strip() if isinstance(v, str) else v for k, v in extra.items() if v}
    return card


# --- the importer --------------------------------------------------------------------------------


def _is_sqlite(path: Path) -> bool:
    with path.open("rb") as handle:
        return handle.read(16) == SQLITE_MAGIC


def _looks_like_vcard(path: Path) -> bool:
    with path.open("rb") as handle:
        head = handle.read(4096)
    return b"BEGIN:VCARD" in head.lstrip(b"\xef\xbb\xbf").lstrip()[:64].upper()


def _files(path: Path) -> list[Path]:
    if not path.is_dir():
        return [path]
    return sorted(
        p for p in path.rglob("*") if p.is_file() and (p.suffix.lower() in VCARD_SUFFIXES or p.suffix == ABCDDB_SUFFIX)
    )


class ContactsImporter:
    source_type: ClassVar[str] = "contacts"

    def __init__(self) -> None:
        self.total: int | None = None
        self.region: str | None = None  # the default phone region, handed over by ingest
        self.report: dict[str, Any] = {}

    def sniff(self, path: Path) -> bool:
        if path.is_dir():
            return any(True for _ in _files(path))
        if not path.is_file():
            return False
        if _is_sqlite(path):
            try:
                conn = open_sqlite_readonly(path)
            except ImportFormatError:
                return False
            try:
                return bool(table_columns(conn, "ZABCDRECORD"))
            finally:
                conn.close()
        return _looks_like_vcard(path)

    def cursor(self) -> str | None:
        # Cards change in place: every import reads them all, and unchanged ones store nothing new.
        return None

    def read(self, path: Path, cursor: str | None) -> Iterator[Observation | Exception]:
        files = _files(path)
        if not files:
            raise ImportFormatError(path, "holds no vCard (.vcf) file and no AddressBook-v22.abcddb")
        # Check every file before yielding anything, so a bad one in a folder leaves nothing half-imported.
        for file in files:
            if _is_sqlite(file):
                check_abcddb(file)
            else:
                check_vcard_file(file)
        self.report = {"read": {"cards": 0}}
        for file in files:
            fallback = datetime.fromtimestamp(file.stat().st_mtime, UTC)
            items = read_abcddb(file) if _is_sqlite(file) else read_vcard_file(file)
            for item in items:
                tally(self.report, "read", "cards")
                if isinstance(item, Exception):
                    tally(self.report, "left_out", "unreadable cards")
                    yield item
                    continue
                check_card(self.report, item, file.name, self.region)
                tally(self.report, "imported", "cards")
                yield item.observation(fallback)


def check_card(report: dict[str, Any], card: Card, where: str, region: str | None) -> None:
    """Count in `report` what a card lost or kept only as observed (`where` names its file or address
    book), and keep on the card the numbers no one can call."""
    if card.repaired:
        tally(report, "repaired", "properties broken in an escape", card.repaired)
    if card.damaged:
        tally(report, "left_out", "unreadable properties", len(card.damaged))
        entry = f"{where}: {card.name or card.source_id}: {'; '.join(card.damaged)}"
        report.setdefault("dropped_properties", []).append(entry)
    invalid = [value for value, _, _ in card.phones if normalize_phone(value, region or "US") is None]
    if invalid:
        card.metadata["unvalidated_phones"] = invalid
        tally(report, "kept_as_observed", "phone numbers that do not validate", len(invalid))


def live_importer(source: Any, workspace: Any) -> tuple[Any, Any]:
    """`sync` of the macOS Contacts app through the Contacts framework (macOS only)."""
    from kithkin.importers import contacts_macos

    if not contacts_macos.available():
        raise KithkinError(
            "The live contacts source reads the macOS Contacts app and needs macOS with "
            "`pip install 'kithkin[macos]'`; elsewhere use a carddav source or import a .vcf file."
        )
    return contacts_macos.MacContactsImporter(), source.account or "macos"
