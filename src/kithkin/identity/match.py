"""Scoring a source entity against candidate people found by blocking."""

from __future__ import annotations

import re

from rapidfuzz import fuzz
from rapidfuzz.distance import OSA, JaroWinkler

from kithkin.identity.normalize import parse_name, same_first_name


def name_agreement(a: str | None, b: str | None) -> str:
    """How two display names relate: "same", "compatible", "conflict" or "unknown"."""
    left, right = parse_name(a), parse_name(b)
    if left is None or right is None:
        return "unknown"
    if left.is_full and right.is_full:
        same_last = left.last == right.last or JaroWinkler.similarity(left.last, right.last) >= 0.94
        same_first = same_first_name(left.first, right.first) or JaroWinkler.similarity(left.first, right.first) >= 0.92
        if same_last and same_first:
            return "same"
        return "conflict"
    # A lone first name ("Bob") agrees with any full name of that first name.
    first_left, first_right = left.first, right.first
    if same_first_name(first_left, first_right):
        return "compatible"
    if not left.is_full and not right.is_full:
        return "conflict"
    return "unknown" if (left.is_full != right.is_full) else "conflict"


def name_likeness(a: str | None, b: str | None) -> str:
    """How closely two written names agree, for finding duplicates: "exact" (same first and last name),
    "nickname" (Bob / Robert, same surname), "typo" (one or two slips in either part, or first and last
    swapped), "partial" (one side gives a single name that the other holds), "part" (one of the two names agrees:
    a sister, a married name, or a record with one name garbled), else "none"."""
    left, right = parse_name(a), parse_name(b)
    if left is None or right is None:
        return "none"
    if not (left.is_full and right.is_full):
        lone, other = (left, right) if not left.is_full else (right, left)
        if lone.is_full == other.is_full:  # two lone first names: many people share one
            return "partial" if lone.first == other.first else "none"
        return "partial" if _near(lone.first, other.first) or _near(lone.first, other.last) else "none"
    if left.first == right.first and left.last == right.last:
        return "exact"
    if left.last == right.last and same_first_name(left.first, right.first):
        return "nickname"
    if left.first == right.last and left.last == right.first:
        return "typo"
    if _near(left.first, right.first) and _near(left.last, right.last):
        return "typo"
    if any(_near(x, y) for x, y in ((left.first, right.first), (left.last, right.last), (left.first, right.last))) or (
        _near(left.last, right.first)
    ):
        return "part"
    return "none"


def _near(a: str, b: str) -> bool:
    """One or two slips (typo, transposition, dropped letter) in a word long enough to carry them."""
    if a == b:
        return True
    # Two slips only in a long word: "Haddadby" and "Haddadez" are two families, "Kowalskitonn" and
    # "Kowalskiton" one.
    limit = 1 if min(len(a), len(b)) < 9 else 2
    return OSA.distance(a, b) <= limit


def birthdays_agree(a: str | None, b: str | None) -> bool | None:
    """True for one date, False for two clearly different ones, None when unknown or one slip apart
    (a typed digit, day and month swapped): neither evidence for nor against."""
    if not a or not b:
        return None
    if a == b:
        return True
    if a[:4] == b[:4] and a[5:7] == b[8:10] and a[8:10] == b[5:7]:
        return None
    return None if OSA.distance(a, b) <= 1 else False


_DIGITS = re.compile(r"\d+")


def addresses_agree(a: str | None, b: str | None) -> bool:
    """Two folded postal addresses (normalize.address_key) of one place: the same house numbers and
    postcode, the words at most a couple of typos apart (12 and 14 Main Street are two places)."""
    if not a or not b:
        return False
    if a == b:
        return True
    return _DIGITS.findall(a) == _DIGITS.findall(b) and fuzz.ratio(a, b) >= 90


def near_address(a: str, b: str) -> bool:
    """Two email addresses one or two edits apart (evihd56@earris-bailey.net / evied56@harris-bailey.net)."""
    return a != b and OSA.distance(a, b) <= 2
