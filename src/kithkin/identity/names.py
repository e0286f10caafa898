"""What a written name is: a person's name, a label ("Mom", "Work", a caller-ID line) or a household
("Ann & Tom Lee"), and how a person's name is shown. Below normalize.py: nothing here folds identifiers."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from functools import lru_cache

from kithkin.store.people import NAME_AUTHORITY

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


# Letters after a name (degrees, licences) and pronouns: no part of the name shown.
_CREDENTIALS = frozenset(
    [
        "phd",
        "md",
        "mba",
        "cpa",
        "jd",
        "esq",
        "dds",
        "rn",
        "pe",
        "pmp",
        "cfa",
        "mph",
        "msc",
        "ms",
        "ma",
        "ba",
        "bsc",
        "bs",
        "mfa",
        "llm",
        "dvm",
        "od",
        "pharmd",
        "cissp",
        "frcs",
        "mrcp",
    ]
)
_GENERATIONS = frozenset({"jr", "sr", "ii", "iii", "iv", "v"})
_PRONOUNS = re.compile(
    r"\(?\b(?:she|he|they|ze|xe)\s*/\s*(?:her|him|them|hers|his|theirs|hir|xem)(?:\s*/\s*\w+)?\b\)?", re.IGNORECASE
)


def strip_credentials_and_pronouns(raw: str) -> str:
    """ "Ana López, PhD (she/her)" → "Ana López": the letters after a name and its pronouns are not the name."""
    text = _PRONOUNS.sub(" ", raw)
    parts = [p.strip() for p in text.split(",")]
    while len(parts) > 1 and all(w.casefold().strip(".") in _CREDENTIALS for w in parts[-1].split() if w):
        parts.pop()
    words = parts[0].split() if len(parts) == 1 else None
    if words is not None:
        while len(words) > 1 and words[-1].casefold().strip(".").replace(".", "") in _CREDENTIALS:
            words.pop()
        parts = [" ".join(words)]
    return " ".join(", ".join(parts).split())


@lru_cache(maxsize=100_000)
def display_name(raw: str | None) -> str | None:
    """A name as shown: "Lee, Ann" → "Ann Lee", credentials and pronouns out; None for a label or an address."""
    if not raw or "@" in raw or is_label(raw):
        return None
    text = strip_credentials_and_pronouns(raw)
    if household_members(text) is None and text.count(",") == 1:
        last, _, first = text.partition(",")
        # "Public, John" turns round; "John Q. Public, III" keeps its generation where it is.
        if first.strip() and last.strip() and first.strip().casefold().strip(".") not in _GENERATIONS:
            text = f"{first.strip()} {last.strip()}"
    return text or None


def is_full_name(shown: str) -> bool:
    """Two or more words and not a household: "Ann Lee", not "Ann" (a fragment)."""
    return len(shown.split()) >= 2 and household_members(shown) is None


def best_display_name(seen: Iterable[tuple[str, str | None]], authority: tuple[str, ...]) -> str | None:
    """The name to show for a person from the (source_type, observed name) of its entities: the most
    authoritative source first (the user's own card), then the most frequent full name, then the fullest
    spelling; a fragment ("Oliver") only when no full name was ever seen."""
    ranked: Counter[tuple[bool, int, str]] = Counter()
    for source, raw in seen:
        shown = display_name(raw)
        if not shown:
            continue
        rank = authority.index(source) if source in authority else len(authority)
        ranked[(not is_full_name(shown), rank, shown)] += 1
    if not ranked:
        return None
    return min(ranked, key=lambda k: (k[0], k[1], -ranked[k], -len(k[2]), k[2]))[2]


def person_name(entities: list[tuple], emails: list[str], phones: list[str]) -> str | None:
    """The name shown for a person (store.people.refresh_people's `choose_name`): `best_display_name` of its
    entity rows (source_type, observed_name, …); a label ("Mom") only when nothing else names the person;
    None when nothing does (the store then shows an address or the number, which the API gives readable)."""
    seen = [(row[0], row[1]) for row in entities]
    return best_display_name(seen, NAME_AUTHORITY) or next(
        (raw.strip() for _, raw in seen if raw and is_label(raw)), None
    )
