"""Carrier caller-ID labels (CNAM) and numbers that are no one.

A call log's name for a number may come from the phone network, not from the user: iOS CallHistory's
`ZNAME` on telephone calls, and Android's cached name where the dialer filled it from the carrier. Such a
label is written by a database the user never saw, upper case, last name first, cut at 15 characters
("JONES ROBERT", "BEAMAN,JENNIFER", "SCHEUELING AUGU"), or says nothing about anyone ("WIRELESS CALLER",
"Spam Risk", "SEATTLE WA", "V123456789"). In one real iPhone history "WIRELESS CALLER" stood on 13
unrelated numbers: taken as a name, it made them one person. So a label is never a name here; a
person-like one is kept as a hint ("caller ID") and nothing links on it.
"""

from __future__ import annotations

import re

# Words of labels that name no one: the line type, the carrier's verdict, or a withheld identity.
_GENERIC_WORDS = frozenset(
    ["CALLER", "CALLERS", "SPAM", "SCAM", "FRAUD", "TELEMARKETER", "TELEMARKETING", "ROBOCALL", "ROBOCALLER",
     "UNKNOWN", "UNAVAILABLE", "PRIVATE", "RESTRICTED", "BLOCKED", "ANONYMOUS", "WITHHELD", "WIRELESS",
     "CELLULAR", "CELL", "MOBILE", "TOLLFREE", "TOLL-FREE", "VOIP", "PAYPHONE", "INTERNATIONAL", "NUISANCE",
     "SURVEY", "POLITICAL", "LIKELY", "RISK", "SUSPECTED", "POTENTIAL", "UNBEKANNT", "PRIVAT", "ANONYM",
     "UNTERDRÜCKT", "DESCONOCIDO", "PRIVADO", "INCONNU", "MASQUÉ", "SCONOSCIUTO", "PRIVATO", "ONBEKEND",
     "AFGESCHERMD", "BILINMEYEN", "GIZLI", "НЕИЗВЕСТНЫЙ", "СКРЫТЫЙ", "NULL", "VOICEMAIL"]
)  # fmt: skip
# Whole labels as carriers and dialers write them, matched in any case ("Spam Risk", "Wireless Caller").
_GENERIC_LABELS = frozenset(
    ["WIRELESS CALLER", "SPAM RISK", "SCAM LIKELY", "SPAM LIKELY", "POTENTIAL SPAM", "SUSPECTED SPAM",
     "FRAUD RISK", "NUISANCE CALL", "TELEMARKETER", "TELEMARKETING", "ROBOCALL", "UNKNOWN", "UNKNOWN CALLER",
     "UNAVAILABLE", "PRIVATE", "PRIVATE CALLER", "PRIVATE NUMBER", "RESTRICTED", "BLOCKED", "ANONYMOUS",
     "WITHHELD", "NO CALLER ID", "OUT OF AREA", "TOLL FREE", "CELL PHONE", "CELLULAR CALLER", "VOIP CALLER",
     "NAME UNAVAILABLE", "NOT AVAILABLE", "PAYPHONE", "VOICEMAIL", "(UNKNOWN)", "NULL", "UNBEKANNT",
     "DESCONOCIDO", "PRIVADO", "INCONNU", "SCONOSCIUTO", "ONBEKEND", "BILINMEYEN", "НЕИЗВЕСТНЫЙ"]
)  # fmt: skip
_GENERIC_PHRASES = ("TOLL FREE", "OUT OF AREA", "NO CALLER ID", "NAME UNAVAILABLE", "NOT AVAILABLE", "PAY PHONE")
_ACCOUNT_LABEL = re.compile(r"^[A-Z]\d{6,}$")  # V123456789: a carrier's account, not a name
# "SEATTLE WA", "NEW YORK NY", "TORONTO ON": a place, from the number's exchange.
_REGIONS = frozenset(
    ["AL", "AK", "AZ", "AR", "CA", "CO", "CT", "DE", "DC", "FL", "GA", "HI", "ID", "IL", "IN", "IA", "KS", "KY",
     "LA", "ME", "MD", "MA", "MI", "MN", "MS", "MO", "MT", "NE", "NV", "NH", "NJ", "NM", "NY", "NC", "ND", "OH",
     "OK", "OR", "PA", "RI", "SC", "SD", "TN", "TX", "UT", "VT", "VA", "WA", "WV", "WI", "WY", "PR", "GU", "VI",
     "AB", "BC", "MB", "NB", "NL", "NS", "NT", "NU", "ON", "PE", "QC", "SK", "YT"]
)  # fmt: skip
_PLACE = re.compile(r"^[A-Z][A-Z .'-]* (?P<region>[A-Z]{2})$")
CNAM_LENGTH = 15

# What a call log writes where no number was shown: iOS and Android use -1, -2, -3 for private, unknown
# and payphone callers.
_WITHHELD = frozenset(
    {"", "-1", "-2", "-3", "-4", "unknown", "private", "private number", "anonymous", "restricted", "withheld",
     "blocked", "no caller id", "unavailable", "null", "(unknown)"}
)  # fmt: skip


def is_generic_label(label: str) -> bool:
    """A caller-ID label that names no one (the line type, a spam verdict, a place, an account number).
    Written in mixed case, as a user types, only a whole known label counts: "Mom Cell" is the user's own."""
    text = label.strip()
    upper = text.upper()
    if not any(c.isalpha() for c in upper):
        return True  # empty, or a number standing where a name would
    if upper in _GENERIC_LABELS or _ACCOUNT_LABEL.match(upper):
        return True
    if any(c.islower() for c in text):
        return False
    words = re.split(r"[\s,./]+", upper)
    if any(word in _GENERIC_WORDS or word.startswith("TELEMARKET") for word in words):
        return True
    place = _PLACE.match(upper)
    return bool(place and place["region"] in _REGIONS) or any(phrase in upper for phrase in _GENERIC_PHRASES)


def is_carrier_label(label: str) -> bool:
    """Written as the phone network writes names: no lower-case letter, at most 15 characters
    ("JONES ROBERT", "BEAMAN,JENNIFER"). A name the user typed in their contacts is seldom that."""
    text = label.strip()
    return len(text) <= CNAM_LENGTH and not any(c.islower() for c in text)


def withheld_or_service(number: str) -> str | None:
    """Why a call log's number is no one's, or None for a number that may be someone's: withheld
    (private, unknown) or a service code (`*69`, `*86`, `#31#`)."""
    text = number.strip()
    if text.casefold() in _WITHHELD:
        return "withheld or private number"
    if "*" in text or "#" in text:
        return "service code"
    if "@" not in text and not any(c.isdigit() for c in text):
        return "withheld or private number"
    return None
