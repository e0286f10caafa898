"""Written names that name no one person: labels ("Mom", "Work", a caller-ID line) and households ("Ann &
Tom Lee", "The Lees"). Below normalize.py, which reads no such name as a person's."""

from __future__ import annotations

import re
from functools import lru_cache

# Words that say what a number or a card is to the owner, not who it is: a card called "Mom", a number
# saved as "Dad work", "Home". Only a name made of these words alone is a label ("Tom Home" is a person).
_LABEL_WORDS = frozenset(
    [
        "mom",
        "mum",
        "mommy",
        "mummy",
        "mother",
        "mama",
        "dad",
        "daddy",
        "father",
        "papa",
        "parents",
        "grandma",
        "grandpa",
        "granny",
        "nana",
        "grandmother",
        "grandfather",
        "gran",
        "wife",
        "husband",
        "hubby",
        "sis",
        "sister",
        "bro",
        "brother",
        "son",
        "daughter",
        "aunt",
        "auntie",
        "uncle",
        "babe",
        "baby",
        "honey",
        "love",
        "me",
        "my",
        "myself",
        "home",
        "house",
        "work",
        "office",
        "mobile",
        "cell",
        "iphone",
        "main",
        "landline",
        "fax",
        "pager",
        "other",
        "unknown",
        "private",
        "blocked",
        "restricted",
        "unavailable",
        "anonymous",
        "voicemail",
        "emergency",
        "ice",
        "family",
        "caller",
        "wireless",
        "no",
        "id",
        "number",
    ]
)
# Caller ID (CNAM) lines: "WIRELESS CALLER", "TOLL FREE CALL", and a place with its state ("SAN FRANCISCO CA").
_CALLER_ID = re.compile(
    r"^(?:WIRELESS CALLER|TOLL FREE(?: CALL)?|CELL PHONE(?:\s+[A-Z]{2})?|[A-Z][A-Z .]{2,}\s{1,3}(?:AL|AK|AZ|AR|"
    r"CA|CO|CT|DE|DC|FL|GA|HI|ID|IL|IN|IA|KS|KY|LA|ME|MA|MI|MN|MS|MO|MT|NE|NV|NH|NJ|NM|NY|NC|ND|OH|OK|OR|PA|RI|SC|"
    r"SD|TN|TX|UT|VT|VA|WA|WV|WI|WY))$"
)
_WORD = re.compile(r"[^\W\d_]+(?:'[^\W\d_]+)?")


@lru_cache(maxsize=100_000)
def is_label(raw: str | None) -> bool:
    """True for a name that labels a number or card instead of naming someone: "Mom", "Dad (work)",
    "Home", "Mom & Dad", "WIRELESS CALLER", "OAKLAND CA"."""
    if not raw:
        return False
    text = raw.strip()
    if _CALLER_ID.match(text):
        return True
    words = [w.casefold().removesuffix("'s") for w in _WORD.findall(text)]
    return bool(words) and all(w in _LABEL_WORDS for w in words)


_JOINER = re.compile(r"\s*(?:&|\+|\band\b|\bund\b|\bet\b|\by\b)\s*", re.IGNORECASE)
_FAMILY = re.compile(r"^(?:the\s+(?P<plural>[^\W\d_][\w'-]*?)s|(?:the\s+)?(?P<named>[^\W\d_][\w'-]*)\s+family)$", re.I)
_COUPLE_TITLES = re.compile(r"^(?:mr|mrs|ms|dr)\.?$", re.IGNORECASE)


@lru_cache(maxsize=100_000)
def household_members(raw: str | None) -> tuple[str, ...] | None:
    """The people a household name names, or None when it is not a household: "Ann & Tom Lee" → ("Ann Lee",
    "Tom Lee"), "Ann and Tom" → ("Ann", "Tom"), "Ann Lee & Tom Baker" → both; "The Lees", "Lee Family" and
    "Mr & Mrs Lee" name a household but no one in it → ()."""
    if not raw or "@" in raw:
        return None
    text = " ".join(raw.split())
    if _FAMILY.match(text):
        return ()
    parts = _JOINER.split(text)
    if len(parts) != 2 or not all(p.strip() for p in parts):
        return None
    left, right = parts[0].split(), parts[1].split()
    if _COUPLE_TITLES.match(left[-1]) and right and _COUPLE_TITLES.match(right[0]):
        return ()
    if len(left) == 1 and len(right) >= 2:  # "Ann & Tom Lee": the surname is said once, for both
        return (f"{left[0]} {right[-1]}", " ".join(right))
    return (" ".join(left), " ".join(right))
