"""People you may know: those your strong ties are close to, whom you have barely been in touch with."""

from __future__ import annotations

import sqlite3
from collections import defaultdict
from typing import Any

from kithkin.store import people, relationships

STRONG = 0.5  # a strong tie: a person the user is close to
WEAK = 0.2  # little direct contact


def suggestions(conn: sqlite3.Connection, limit: int = 20) -> list[dict[str, Any]]:
    """The people most connected to the user's strong ties, best first, each with the reason in words."""
    via: dict[str, list[tuple[float, str]]] = defaultdict(list)
    for tie in relationships.ties_of_strong_people(conn, STRONG, WEAK):
        via[tie["candidate_id"]].append((tie["overlap_score"], tie["via_name"]))
    ranked = sorted(via, key=lambda c: (-sum(score for score, _ in via[c]), c))[:limit]
    persons = people.get_people(conn, ranked)
    found = []
    for candidate in ranked:
        names = [name for _, name in sorted(via[candidate], key=lambda t: (-t[0], t[1]))]
        found.append(
            {
                "person": persons[candidate],
                "score": round(sum(score for score, _ in via[candidate]), 4),
                "via": names,
                "reason": f"Close to {_listed(names)}, whom you know well; you have had little contact yourself.",
            }
        )
    return found


def _listed(names: list[str]) -> str:
    shown = names[:3]
    more = len(names) - len(shown)
    text = shown[0] if len(shown) == 1 else f"{', '.join(shown[:-1])} and {shown[-1]}"
    return f"{text} (and {more} more)" if more else text
