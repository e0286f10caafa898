"""Normalisation of every identity signal. The ONLY place phones, emails and names are folded."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

import phonenumbers
from nameparser import HumanName
from nicknames import NickNamer

# Providers whose mailboxes ignore dots and/or "+tag" suffixes (an offline table: no DNS here).
_DOT_BLIND = {"gmail.com"}
_PLUS_TAGGED = {
    "gmail.com",
    "icloud.com",
    "outlook.com",
    "hotmail.com",
    "live.com",
    "fastmail.com",
    "fastmail.fm",
    "protonmail.com",
    "proton.me",
    "pm.me",
}
_DOMAIN_ALIASES = {"googlemail.com": "gmail.com", "me.com": "icloud.com", "mac.com": "icloud.com"}

_EMAIL_SHAPE = re.compile(r"^[^@\s<>]+@[^@\s<>]+\.[^@\s<>]+$")


@lru_cache(maxsize=200_000)
def normalize_email(raw: str | None) -> str | None:
    """Lower-cased address with provider folding (Gmail dots, +tags); None when not an address."""
    if not raw:
        return None
    text = raw.strip().strip("<>").strip()
    if text.lower().startswith("mailto:"):
        text = text[7:]
    if not _EMAIL_SHAPE.match(text):
        return None
    local, _, domain = text.lower().rpartition("@")
    domain = _DOMAIN_ALIASES.get(domain, domain)
    if domain in _PLUS_TAGGED:
        local = local.split("+", 1)[0]
    if domain in _DOT_BLIND:
        local = local.replace(".", "")
    return f"{local}@{domain}" if local else None


def email_domain(email: str | None) -> str | None:
    return email.rpartition("@")[2] if email and "@" in email else None


@lru_cache(maxsize=200_000)
def normalize_phone(raw: str | None, region: str = "US") -> str | None:
    """E.164 for a valid number (national and international forms agree); None otherwise.

    Short codes and invalid numbers return None so they are kept as observed but never matched.
    """
    if not raw:
        return None
    text = raw.strip()
    if text.lower().startswith("tel:"):
        text = text[4:]
    if "@" in text:
        return None
    try:
        number = phonenumbers.parse(text, region)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number(number):
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def fold(text: str) -> str:
    """Lower-case, accents removed: for matching only, never for display."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


@dataclass(frozen=True, slots=True)
class ParsedName:
    first: str  # folded
    last: str  # folded
    middle: str
    full: str  # folded "first middle last", for similarity

    @property
    def is_full(self) -> bool:
        return bool(self.first and self.last)


_PAREN = re.compile(r"\([^)]*\)|\[[^\]]*\]")
_NON_NAME = re.compile(r"[^\w\s'\-.,]")


@lru_cache(maxsize=200_000)
def parse_name(raw: str | None) -> ParsedName | None:
    """Parse a display name ("Smith, Robert", "Dr. Ana López Jr.", "bob smith (work)")."""
    if not raw:
        return None
    text = _PAREN.sub(" ", raw)
    text = _NON_NAME.sub(" ", text).strip()
    if not text or "@" in raw or not any(c.isalpha() for c in text):
        return None
    name = HumanName(text)
    first, last, middle = fold(name.first), fold(name.last), fold(name.middle)
    if not first and last:
        first, last = last, ""
    first = first.strip(".")
    last = last.strip(".")
    full = " ".join(p for p in (first, middle, last) if p)
    return ParsedName(first=first, last=last, middle=middle, full=full)


def name_from_email(email: str | None) -> str | None:
    """A display name guessed from "robert.smith@…" ("Robert Smith"); None for "rsmith" or "info"."""
    if not email or "@" not in email:
        return None
    local = email.split("@", 1)[0].split("+", 1)[0]
    parts = [p for p in re.split(r"[._\-]", local) if p.isalpha() and len(p) > 1]
    if len(parts) < 2:
        return None
    return " ".join(p.capitalize() for p in parts[:3])


_namer = NickNamer()


@lru_cache(maxsize=50_000)
def first_name_forms(first: str) -> frozenset[str]:
    """A first name with its nicknames and canonical forms: a symmetric "same first name" set."""
    if not first:
        return frozenset()
    forms = {first}
    forms |= {f.casefold() for f in _namer.nicknames_of(first)}
    forms |= {f.casefold() for f in _namer.canonicals_of(first)}
    return frozenset(forms)


def same_first_name(a: str, b: str) -> bool:
    if not a or not b:
        return False
    if a == b:
        return True
    return b in first_name_forms(a) or a in first_name_forms(b)


@lru_cache(maxsize=200_000)
def name_key(raw: str | None) -> str | None:
    """Blocking key: folded surname + first initial ("smith r"); None without a full name."""
    parsed = parse_name(raw)
    if parsed is None or not parsed.is_full:
        return None
    return f"{parsed.last} {parsed.first[0]}"


def name_keys(raw: str | None) -> set[str]:
    """Every blocking key of a name: the initial of each of its first-name forms (Bob → b, r)."""
    parsed = parse_name(raw)
    if parsed is None or not parsed.is_full:
        return set()
    return {f"{parsed.last} {form[0]}" for form in first_name_forms(parsed.first) if form}
