"""Phone calls (FORMATS.md § Call history): macOS/iOS `CallHistory.storedata` and Android
"SMS Backup & Restore" `calls.xml`. One observation per call, with its direction, outcome and duration.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, ClassVar
from xml.etree.ElementTree import Element, ParseError

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import parse as parse_xml

from kithkin.importers.base import apple_time, open_sqlite_readonly, table_columns
from kithkin.models import Identity, ImportFormatError, Observation

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
UNKNOWN_NAMES = {"", "null", "(unknown)", "unknown"}
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


def _counterpart(address: str, name: str | None, role: str) -> Identity:
    signals = {"emails": (address,)} if "@" in address else {"phones": (address,)}
    return Identity(source_id=address, name=name, role=role, **signals)  # type: ignore[arg-type]


def _call(
    source_id: str, moment: datetime, address: str, name: str | None, direction: str, metadata: dict[str, Any]
) -> Observation:
    # The owner is implied (it is their phone); `direction` records who called whom.
    role = "to" if direction == "out" else "from"
    return Observation(
        source_id=source_id,
        kind="call",
        occurred_at=moment,
        participants=[_counterpart(address, name, role)],
        direction=direction,
        metadata=metadata,
    )


class CallsImporter:
    source_type: ClassVar[str] = "calls"

    def __init__(self) -> None:
        self.total: int | None = None
        self._cursor: str | None = None

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
        with path.open("rb") as handle:
            is_sqlite = handle.read(16) == SQLITE_MAGIC
        if is_sqlite:
            yield from self._call_history(path, int(cursor) if cursor and cursor.isdigit() else 0)
        else:
            yield from self._android(path)

    # --- macOS / iOS -------------------------------------------------------------------------------

    def _call_history(self, path: Path, after: int) -> Iterator[Observation | Exception]:
        conn = open_sqlite_readonly(path)
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
                yield item
        finally:
            conn.close()

    @staticmethod
    def _call_record(row: sqlite3.Row) -> Observation | Exception:
        moment = apple_time(row["ZDATE"])
        address = row["ZADDRESS"]
        if isinstance(address, bytes):
            address = address.decode("utf-8", "replace")
        address = (address or "").strip()
        if moment is None or not address:
            return ValueError(f"call record {row['Z_PK']} has no date or no number (a multi-party call?); skipped")
        outgoing = bool(row["ZORIGINATED"])
        answered = bool(row["ZANSWERED"])
        metadata: dict[str, Any] = {
            "duration": round(float(row["ZDURATION"] or 0)),
            "answered": answered,
            "missed": not outgoing and not answered,
            "call_type": CALL_TYPES.get(row["ZCALLTYPE"], "other"),
        }
        if row["ZSERVICE_PROVIDER"]:
            metadata["service"] = row["ZSERVICE_PROVIDER"]
        if row["ZISO_COUNTRY_CODE"]:
            metadata["country"] = row["ZISO_COUNTRY_CODE"]
        name = (row["ZNAME"] or "").strip() or None
        source_id = row["ZUNIQUE_ID"] or f"pk:{row['Z_PK']}"
        return _call(source_id, moment, address, name, "out" if outgoing else "in", metadata)

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
            yield self._android_call(call)

    @staticmethod
    def _android_call(call: Element) -> Observation | Exception:
        number = (call.get("number") or "").strip()
        try:
            moment = datetime.fromtimestamp(int(call.get("date", "")) / 1000, UTC)
            kind = int(call.get("type", ""))
            duration = int(call.get("duration") or 0)
        except ValueError:
            return ValueError(f"call to or from {number or 'an unknown number'} has no valid date or type; skipped")
        if not number or kind not in ANDROID_TYPES:
            return ValueError(f"call at {moment:%Y-%m-%d %H:%M} has no number or an unknown type {kind}; skipped")
        direction, outcome = ANDROID_TYPES[kind]
        name = (call.get("contact_name") or "").strip()
        if direction == "out" and duration == 0:
            outcome = "not_answered"  # an outgoing call nobody picked up is logged as type 2 with no duration
        answered = outcome in ("answered", "answered_elsewhere")
        metadata = {
            "duration": duration,
            "answered": answered,
            "missed": direction == "in" and outcome not in ("answered", "answered_elsewhere"),
            "outcome": outcome,
            "call_type": "phone",
        }
        source_id = f"{call.get('date')}:{number}:{kind}"
        return _call(source_id, moment, number, None if name.lower() in UNKNOWN_NAMES else name, direction, metadata)
