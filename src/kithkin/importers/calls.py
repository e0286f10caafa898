"""Phone calls (FORMATS.md § Call history): macOS/iOS `CallHistory.storedata` and Android
"SMS Backup & Restore" `calls.xml`. One observation per call, with its direction, outcome and duration.

Names in a call log are mostly the carrier's caller ID, not the user's (importers/caller_id.py): a label
is a name only where the user could have given it (an Android contact name, a VoIP app's contact); a
person-like carrier label is kept as the number's `caller_id` hint. Calls from withheld numbers and to
service codes (`*86`) are no one's: they are counted in the report, with why, and not stored.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, ClassVar, NamedTuple
from xml.etree.ElementTree import Element, ParseError

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import parse as parse_xml

from kithkin.config import LiveSource
from kithkin.importers.base import apple_time, open_sqlite_readonly, table_columns
from kithkin.importers.caller_id import is_carrier_label, is_generic_label, withheld_or_service
from kithkin.models import Identity, ImportFormatError, KithkinError, Observation

DEFAULT_CALL_HISTORY = Path("~/Library/Application Support/CallHistoryDB/CallHistory.storedata")

SQLITE_MAGIC = b"SQLite format 3\x00"
# ZCALLTYPE in CallHistory.storedata.
CALL_TYPES = {0: "app", 1: "phone", 8: "facetime_video", 16: "facetime_audio"}
# Android call log `type`: (direction, outcome).
ANDROID_TYPES = {
    1: ("in", "answered"),
    2: ("out", "answered"),
    3: ("in", "missed"),
    4: ("in", "voicemail"),
    5: ("in", "rejected"),
    6: ("in", "blocked"),
    7: ("in", "answered_elsewhere"),
}
# ZCALLRECORD columns read when present (they vary by OS version), with what stands in otherwise.
CALL_COLUMNS = {
    "ZDURATION": "0",
    "ZORIGINATED": "0",
    "ZANSWERED": "0",
    "ZCALLTYPE": "1",
    "ZADDRESS": "NULL",
    "ZNAME": "NULL",
    "ZUNIQUE_ID": "NULL",
    "ZSERVICE_PROVIDER": "NULL",
    "ZISO_COUNTRY_CODE": "NULL",
}


class _Label(NamedTuple):
    """What a call log's name for a number is worth: a name, a caller-ID hint, or nothing."""

    name: str | None = None
    hint: str | None = None
    generic: bool = False


def _label(raw: str | None, *, user_given: bool) -> _Label:
    """`user_given`: the log's name may come from the user (Android's contact name, a VoIP app's contact);
    otherwise it is the carrier's caller ID, never a name."""
    text = (raw or "").strip()
    if not text:
        return _Label()
    if is_generic_label(text):
        return _Label(generic=True)
    if user_given and not is_carrier_label(text):
        return _Label(name=text)
    return _Label(hint=text)


def _call(
    source_id: str, moment: datetime, address: str, label: _Label, direction: str, metadata: dict[str, Any]
) -> Observation:
    # The owner is implied (it is their phone); `direction` records who called whom.
    role = "to" if direction == "out" else "from"
    signals = {"emails": (address,)} if "@" in address else {"phones": (address,)}
    # A caller-ID hint lives in metadata: shown as "caller ID", never the entity's name, so it links nothing.
    hint = {"caller_id": label.hint} if label.hint else {}
    counterpart = Identity(source_id=address, name=label.name, role=role, metadata=hint, **signals)  # type: ignore[arg-type]
    return Observation(
        source_id=source_id,
        kind="call",
        occurred_at=moment,
        participants=[counterpart],
        direction=direction,
        metadata=metadata,
    )


class CallsImporter:
    source_type: ClassVar[str] = "calls"

    def __init__(self, live: bool = False) -> None:
        self.total: int | None = None
        self._cursor: str | None = None
        self.report: dict[str, Any] = {}
        # In place, the phone app may be writing: its newest calls can still sit in the write-ahead log.
        self.live = live

    def sniff(self, path: Path) -> bool:
        if not path.is_file():
            return False
        with path.open("rb") as handle:
            head = handle.read(512)
        if head.startswith(SQLITE_MAGIC):
            try:
                conn = open_sqlite_readonly(path)
            except ImportFormatError:
                return False
            try:
                return bool(table_columns(conn, "ZCALLRECORD"))
            finally:
                conn.close()
        text = head.lstrip(b"\xef\xbb\xbf").lstrip()
        return text.startswith(b"<") and b"<calls" in head

    def cursor(self) -> str | None:
        return self._cursor

    def read(self, path: Path, cursor: str | None) -> Iterator[Observation | Exception]:
        self._cursor = cursor
        self.report = {"calls": 0, "calls_left_out": {}, "generic_caller_ids": 0, "caller_id_hints": 0}
        with path.open("rb") as handle:
            is_sqlite = handle.read(16) == SQLITE_MAGIC
        if is_sqlite:
            yield from self._call_history(path, int(cursor) if cursor and cursor.isdigit() else 0)
        else:
            yield from self._android(path)

    # --- macOS / iOS -------------------------------------------------------------------------------

    def _call_history(self, path: Path, after: int) -> Iterator[Observation | Exception]:
        conn = open_sqlite_readonly(path, immutable=not self.live)
        try:
            columns = table_columns(conn, "ZCALLRECORD")
            if not {"Z_PK", "ZDATE"} <= columns:
                raise ImportFormatError(path, "is not a CallHistory.storedata (expected the table ZCALLRECORD)")
            picked = ", ".join(n if n in columns else f"{default} AS {n}" for n, default in CALL_COLUMNS.items())
            self.total = conn.execute("SELECT COUNT(*) FROM ZCALLRECORD WHERE Z_PK > ?", (after,)).fetchone()[0]
            query = f"SELECT Z_PK, ZDATE, {picked} FROM ZCALLRECORD WHERE Z_PK > ? ORDER BY Z_PK"
            for row in conn.execute(query, (after,)):
                item = self._call_record(row)
                self._cursor = str(row["Z_PK"])
                if item is not None:
                    yield item
        finally:
            conn.close()

    def _call_record(self, row: sqlite3.Row) -> Observation | Exception | None:
        moment = apple_time(row["ZDATE"])
        if moment is None:
            return ValueError(f"call record {row['Z_PK']} has no date; skipped")
        address = row["ZADDRESS"]
        if isinstance(address, bytes):
            address = address.decode("utf-8", "replace")
        address = (address or "").strip()
        # An empty address is a withheld caller, or a multi-party call whose members iOS keeps elsewhere.
        if self._left_out(address):
            return None
        outgoing = bool(row["ZORIGINATED"])
        duration = round(float(row["ZDURATION"] or 0))
        # iOS leaves ZANSWERED at 0 on outgoing calls it connected: a duration says someone picked up.
        answered = bool(row["ZANSWERED"]) or (outgoing and duration > 0)
        call_type = CALL_TYPES.get(row["ZCALLTYPE"], "other")
        metadata: dict[str, Any] = {
            "duration": duration,
            "answered": answered,
            "missed": not outgoing and not answered,
            "call_type": call_type,
        }
        service = row["ZSERVICE_PROVIDER"]
        if service:
            metadata["service"] = service
        if row["ZISO_COUNTRY_CODE"]:
            metadata["country"] = row["ZISO_COUNTRY_CODE"]
        # Only a VoIP app (WhatsApp, Signal through CallKit) names its caller from its own contacts; the
        # phone network's and FaceTime's names are caller ID.
        from_app = call_type == "app" and not str(service or "").startswith("com.apple.")
        label = self._labelled(row["ZNAME"], metadata, user_given=from_app)
        source_id = row["ZUNIQUE_ID"] or f"pk:{row['Z_PK']}"
        return _call(source_id, moment, address, label, "out" if outgoing else "in", metadata)

    def _left_out(self, number: str) -> bool:
        """True (and counted, with why) for a withheld number or a service code: no one to store."""
        reason = withheld_or_service(number)
        if reason is not None:
            left_out = self.report["calls_left_out"]
            left_out[reason] = left_out.get(reason, 0) + 1
            return True
        self.report["calls"] += 1
        return False

    def _labelled(self, raw: str | None, metadata: dict[str, Any], *, user_given: bool) -> _Label:
        """The log's name for the number, and the call's own `caller_id` when that is no name."""
        label = _label(raw, user_given=user_given)
        if label.generic:
            self.report["generic_caller_ids"] += 1
            metadata["caller_id"] = (raw or "").strip()  # "Spam Risk" says something about the call itself
        elif label.hint:
            self.report["caller_id_hints"] += 1
            metadata["caller_id"] = label.hint
        return label

    # --- Android -----------------------------------------------------------------------------------

    def _android(self, path: Path) -> Iterator[Observation | Exception]:
        # The whole file is parsed before anything is yielded: a truncated backup is refused outright.
        try:
            root = parse_xml(str(path), forbid_dtd=True).getroot()
        except (ParseError, DefusedXmlException) as exc:
            expected = "expected an SMS Backup & Restore calls.xml"
            raise ImportFormatError(path, f"is not readable XML ({exc}); {expected}") from exc
        if root.tag != "calls":
            raise ImportFormatError(path, f"has <{root.tag}> at its root; expected <calls> (SMS Backup & Restore)")
        calls = root.findall("call")
        self.total = len(calls)
        for call in calls:
            item = self._android_call(call)
            if item is not None:
                yield item

    def _android_call(self, call: Element) -> Observation | Exception | None:
        number = (call.get("number") or "").strip()
        try:
            moment = datetime.fromtimestamp(int(call.get("date", "")) / 1000, UTC)
            kind = int(call.get("type", ""))
            duration = int(call.get("duration") or 0)
        except ValueError:
            return ValueError(f"call to or from {number or 'an unknown number'} has no valid date or type; skipped")
        if kind not in ANDROID_TYPES:
            return ValueError(f"call at {moment:%Y-%m-%d %H:%M} has an unknown type {kind}; skipped")
        # presentation 2 (restricted) and 3 (unknown): the network showed no number, whatever stands there.
        if self._left_out("" if call.get("presentation") in ("2", "3") else number):
            return None
        direction, outcome = ANDROID_TYPES[kind]
        if direction == "out" and duration == 0:
            outcome = "not_answered"  # an outgoing call nobody picked up is logged as type 2 with no duration
        answered = outcome in ("answered", "answered_elsewhere")
        metadata: dict[str, Any] = {
            "duration": duration,
            "answered": answered,
            "missed": direction == "in" and outcome not in ("answered", "answered_elsewhere"),
            "outcome": outcome,
            "call_type": "phone",
        }
        # SMS Backup & Restore writes the contact's name; other call-log dumps the dialer's cached name,
        # which may be the carrier's caller ID.
        raw = call.get("contact_name") or call.get("cached_name") or call.get("name")
        label = self._labelled(raw, metadata, user_given=True)
        source_id = f"{call.get('date')}:{number}:{kind}"
        return _call(source_id, moment, number, label, direction, metadata)


def live_importer(source: LiveSource, workspace: object) -> tuple[CallsImporter, Path]:
    """`sync` of the macOS call history in place (config: `type: calls`, optional `path`), read-only."""
    extra = source.model_extra or {}
    path = Path(str(extra.get("path") or DEFAULT_CALL_HISTORY)).expanduser()
    if not path.is_file():
        raise KithkinError(
            f"The call history {path} was not found; set 'path' for the calls source in config.yaml "
            "(on macOS, give the terminal Full Disk Access)."
        )
    return CallsImporter(live=True), path
