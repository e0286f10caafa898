"""Normalisation of every identity signal. The ONLY place phones, emails and names are folded."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

import phonenumbers
from nicknames import NickNamer

from kithkin.identity.labels import household_members, is_label
from kithkin.models import Identity

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


_PUNCTUATION_ONLY = re.compile(r"\+?[\d\s().\-/]+")
_NOT_DIGIT = re.compile(r"\D")


def normalize_phone(raw: str | None, region: str = "US", other_regions: tuple[str, ...] = ()) -> str | None:
    """E.164 for a valid number (national and international forms agree); None otherwise.

    A number written with its country code that libphonenumber calls possible but not valid is kept:
    new ranges reach its metadata late, and the writer said which country it is. A national number that
    is not valid in `region` is read in each of `other_regions` (the owner's other countries, from
    config.yaml). Short codes and invalid numbers return None so they are kept as observed but never matched.
    """
    text = _phone_text(raw)
    if text is None:
        return None
    found = _parsed_phone(text, region)
    for other in other_regions if found is None and not text.startswith("+") else ():
        found = _parsed_phone(text, other)
        if found is not None:
            break
    return found


def national_number(raw: str | None, region: str = "US") -> str | None:
    """The national significant number of a phone written in a foreign national form ("0151 74833085" for
    a German mobile, saved in the US): the digits without the trunk prefix, to meet the E.164 twin of a
    number already known (whose `significant_number` they equal). None for a number `normalize_phone` reads."""
    text = _phone_text(raw)
    if text is None or text.startswith("+") or _parsed_phone(text, region) is not None:
        return None
    digits = _NOT_DIGIT.sub("", text).lstrip("0")
    return digits if 8 <= len(digits) <= 15 else None


def significant_number(e164: str) -> str | None:
    """The national significant number of an E.164 number ("+4915174833085" → "15174833085")."""
    try:
        return phonenumbers.national_significant_number(phonenumbers.parse(e164, None))
    except phonenumbers.NumberParseException:
        return None


def foreign_significant_number(e164: str, region: str) -> str | None:
    """`significant_number` of a number from outside `region`: what a national-form copy of it saved by
    someone in `region` would read as (numbers of `region` itself parse whole)."""
    if e164.startswith(f"+{phonenumbers.country_code_for_region(region)}"):
        return None
    return significant_number(e164)


def _phone_text(raw: str | None) -> str | None:
    if not raw:
        return None
    text = raw.strip()
    if text.lower().startswith("tel:"):
        text = text[4:]
    if "@" in text:
        return None
    if _PUNCTUATION_ONLY.fullmatch(text):
        # "(415) 555-0100", "415.555.0100" and "4155550100" are one number: parsed once (phonenumbers
        # takes a millisecond per number, the largest cost of normalising an import).
        text = ("+" if text.startswith("+") else "") + _NOT_DIGIT.sub("", text)
    return text


@lru_cache(maxsize=200_000)
def _parsed_phone(text: str, region: str) -> str | None:
    try:
        number = phonenumbers.parse(text, region)
    except phonenumbers.NumberParseException:
        return None
    if phonenumbers.is_valid_number(number) or (text.startswith("+") and phonenumbers.is_possible_number(number)):
        return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    return None


def readable_phone(number: str) -> str:
    """An E.164 number as people write it ("+1 415-555-0100", "+49 151 74833085"); anything else as it is."""
    try:
        parsed = phonenumbers.parse(number, None)
    except phonenumbers.NumberParseException:
        return number
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.INTERNATIONAL)


def fold(text: str) -> str:
    """Lower-case, accents removed: for matching only, never for display."""
    if text.isascii():  # most names: nothing to decompose
        return text.lower()
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


_TITLES = frozenset({"mr", "mrs", "ms", "miss", "mx", "dr", "prof", "professor", "sir", "dame", "rev", "fr", "madam"})
_SUFFIXES = frozenset({"jr", "sr", "ii", "iii", "iv", "phd", "md", "esq", "dds", "mba", "cpa", "jd"})
_PARTICLES = frozenset(
    {
        "de",
        "da",
        "di",
        "del",
        "della",
        "der",
        "den",
        "van",
        "von",
        "la",
        "le",
        "du",
        "dos",
        "ten",
        "ter",
        "bin",
        "ibn",
        "al",
        "el",
        "st",
    }
)


@lru_cache(maxsize=200_000)
def parse_name(raw: str | None) -> ParsedName | None:
    """Parse a display name ("Smith, Robert", "Dr. Ana López Jr.", "bob smith (work)", "Ludwig van Beethoven").

    A small rule parser: titles and suffixes dropped, "Last, First" turned round, surname particles
    kept with the surname. nameparser did the same at ~8k names/s (FIELD-NOTES); this is ~40x that.
    """
    if not raw or "@" in raw or is_label(raw) or household_members(raw) is not None:
        return None  # "Mom" names no one, and "Ann & Tom Lee" two people: neither is one person's name
    text = _NON_NAME.sub(" ", _PAREN.sub(" ", split_name_affixes(raw).name)).strip()
    if not any(c.isalpha() for c in text):
        return None
    if "," in text:
        before, _, after = text.partition(",")
        after_words = [w for w in after.replace(".", " ").split() if fold(w) not in _SUFFIXES]
        text = f"{' '.join(after_words)} {before}" if after_words else before
    words = [fold(w).strip(".'-") for w in text.replace(",", " ").split()]
    words = [w for w in words if w]
    while words and words[0].rstrip(".") in _TITLES:
        words.pop(0)
    while words and words[-1].rstrip(".") in _SUFFIXES:
        words.pop()
    if not words:
        return None
    if len(words) == 1:
        return ParsedName(first=words[0], last="", middle="", full=words[0])
    cut = len(words) - 1
    while cut > 1 and words[cut - 1] in _PARTICLES:
        cut -= 1
    first, middle, last = words[0], " ".join(words[1:cut]), " ".join(words[cut:])
    return ParsedName(first=first, last=last, middle=middle, full=" ".join(w for w in (first, middle, last) if w))


def name_from_email(email: str | None) -> str | None:
    """A display name guessed from "robert.smith@…" ("Robert Smith"); None for "rsmith" or "info"."""
    if not email or "@" not in email:
        return None
    local = email.split("@", 1)[0].split("+", 1)[0]
    # "ann.lee84": the digits people add to a taken address are no part of the name.
    parts = [p for p in (w.rstrip("0123456789") for w in re.split(r"[._\-]", local)) if p.isalpha() and len(p) > 1]
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


def match_keys(raw_name: str | None, birthday: str | None = None, address: str | None = None) -> list[tuple[str, str]]:
    """What finds candidates for an entity besides its addresses, numbers and name key (the entity's
    `name_key` column: surname and first initial), as (kind, value) identifiers: its first name with the
    surname's initial ("given": a typo in the surname, Alen / Allen / Alan; the two also meet when first and
    last are swapped), a lone first name ("first"), its birthday (a full date) and its postal address."""
    keys = []
    parsed = parse_name(raw_name)
    if parsed is not None and parsed.is_full:
        keys.append(("given", f"{parsed.first} {parsed.last[0]}"))
    if parsed is not None and not parsed.is_full:
        keys.append(("first", parsed.first))  # a lone first name ("Logan"): it meets the "given" keys it begins
    if birthday and len(birthday) == 10 and birthday[:4].isdigit():
        keys.append(("birthday", birthday))
    place = address_key(address)
    if place:
        keys.append(("address", place))
    return keys


def resolution_keys(identity: Identity, phones: list[str], region: str) -> list[tuple[str, str]]:
    """The identifiers an entity is stored with besides its emails and (E.164) `phones`: `match_keys`, and
    the national significant number of each foreign number, written whole or in national form, so a
    German mobile saved as "0151 74833085" meets its "+49 151 74833085" twin ("national" identifiers)."""
    metadata = identity.metadata
    birthday, address = metadata.get("birthday"), metadata.get("address")
    keys = match_keys(
        identity.name,
        birthday if isinstance(birthday, str) else None,
        address if isinstance(address, str) else None,
    )
    nationals = [foreign_significant_number(p, region) for p in phones]
    if len(phones) < len(identity.phones):
        nationals += [national_number(raw, region) for raw in identity.phones]
    keys += [("national", n) for n in dict.fromkeys(nationals) if n]
    return keys


_ADDRESS_NOISE = re.compile(r"[^\w\s]")


def address_key(raw: str | None) -> str | None:
    """A postal address folded for comparison: lower case, no accents, no punctuation, single spaces."""
    if not raw:
        return None
    text = " ".join(_ADDRESS_NOISE.sub(" ", fold(raw)).split())
    return text if any(c.isalpha() for c in text) else None


# Mailbox providers whose addresses belong to one private person (not a company domain).
PERSONAL_PROVIDERS = frozenset(
    {
        "gmail.com",
        "icloud.com",
        "outlook.com",
        "hotmail.com",
        "live.com",
        "msn.com",
        "yahoo.com",
        "aol.com",
        "fastmail.com",
        "fastmail.fm",
        "protonmail.com",
        "proton.me",
        "pm.me",
        "gmx.com",
        "gmx.de",
        "gmx.net",
        "web.de",
        "mail.ru",
        "yandex.ru",
        "qq.com",
        "163.com",
        "hey.com",
        "zoho.com",
    }
)


def is_personal_email(email: str) -> bool:
    return email.rpartition("@")[2] in PERSONAL_PROVIDERS


# Mailboxes of a role, not a person: many people write from them.
ROLE_MAILBOXES = frozenset(
    {
        "info",
        "contact",
        "hello",
        "hi",
        "team",
        "support",
        "help",
        "admin",
        "office",
        "sales",
        "billing",
        "accounts",
        "hr",
        "jobs",
        "careers",
        "press",
        "media",
        "marketing",
        "events",
        "noreply",
        "no-reply",
        "reception",
        "enquiries",
    }
)


def is_role_address(email: str) -> bool:
    return email.partition("@")[0] in ROLE_MAILBOXES


@dataclass(frozen=True, slots=True)
class NameAffixes:
    """A display name without the credentials and pronouns people add to it, and those kept apart."""

    name: str
    credentials: tuple[str, ...] = ()
    pronouns: str | None = None


_PRONOUN = r"(?:she|her|hers|he|him|his|they|them|theirs|xe|xem|xyr|ze|zir|hir|ey|em|it|its|any|all)"
_PRONOUN_SET = rf"{_PRONOUN}(?:\s*/\s*{_PRONOUN})+|any pronouns"
# "(they/them)", "[she/her]", or after a comma, a bar or a dash at the end: "Alex Kim | he/him".
_PRONOUNS = re.compile(
    rf"\s*(?:[(\[]\s*(?P<inside>{_PRONOUN_SET})\s*[)\]]|(?:[,|·]|\s[-–—])\s*(?P<after>{_PRONOUN_SET})\s*$)",
    re.IGNORECASE,
)
# A post-nominal: an abbreviation of two capitals or more (MBA, RN, CPHIMS, PhD, Ph.D., P.Eng., SHRM-CP, CFP®).
_CREDENTIAL = re.compile(r"(?=(?:[^A-Z]*[A-Z]){2})[A-Z][A-Za-z.]*(?:-[A-Z][A-Za-z.]*)?[®™]?")
_GENERATIONS = frozenset({"II", "III", "IV", "V", "VI", "JR", "SR"})


@lru_cache(maxsize=50_000)
def split_name_affixes(raw: str) -> NameAffixes:
    """Take credentials and pronouns off a display name ("Chanh Tran, MBA", "Louis Ferri, MSIS, MSN, CPHIMS,
    RN", "Alex Kim (they/them)"): the name shown and matched, and the rest as facts of the person.

    Credentials are read only after a comma that follows a full name ("Smith, Robert" stays as it is, and so
    does a generation such as "III"); a name that would be left empty is returned unchanged.
    """
    pronouns = None
    text = raw.strip()
    match = _PRONOUNS.search(text)
    if match:
        pronouns = re.sub(r"\s*/\s*", "/", (match["inside"] or match["after"]).lower())
        text = (text[: match.start()] + " " + text[match.end() :]).strip()
    head, *tail = [part.strip() for part in text.split(",")]
    credentials: list[str] = []
    if len(head.split()) >= 2:
        while tail and _is_credential(tail[-1]):
            credentials.insert(0, tail.pop())
        text = ", ".join([head, *tail])
    if not text:
        return NameAffixes(raw.strip())
    return NameAffixes(" ".join(text.split()), tuple(credentials), pronouns)


def _is_credential(part: str) -> bool:
    words = part.split()
    return bool(words) and all(_CREDENTIAL.fullmatch(w) and w.rstrip(".").upper() not in _GENERATIONS for w in words)
