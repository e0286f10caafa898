"""How a person's name is shown: the best full name seen, turned round from "Last, First", without
credentials and pronouns, never a label or a fragment when a full name was seen."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from functools import lru_cache

from kithkin.identity.labels import household_members, is_label
from kithkin.identity.normalize import split_name_affixes
from kithkin.store.people import NAME_AUTHORITY

# "John Q. Public, III": a generation after the comma, not a first name.
_GENERATIONS = frozenset({"jr", "sr", "ii", "iii", "iv", "v"})


@lru_cache(maxsize=100_000)
def display_name(raw: str | None) -> str | None:
    """A name as shown: "Lee, Ann" → "Ann Lee", credentials and pronouns out; None for a label or an address."""
    if not raw or "@" in raw or is_label(raw):
        return None
    text = split_name_affixes(raw).name
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
