"""People you may know: those your strong ties are close to, or who share a company or a notes context
with them, whom you have barely been in touch with."""

from __future__ import annotations

import sqlite3
from collections import defaultdict
from typing import Any

from kithkin.insight.wording import plain_context
from kithkin.store import people, relationships
from kithkin.store import suggestions as dismissals

STRONG = 0.5  # a strong tie: a person the user is close to
WEAK = 0.2  # little direct contact
CONTEXT_SCORE = 0.1  # what sharing a company or a notes context with one strong tie counts for
# Why someone is suggested, as the UI groups them: their main reason first.
GROUPS = {
    "close": "Close to people you know well",
    "company": "At the company of people you know well",
    "context": "In the same circles of your notes",
}


def suggestions(conn: sqlite3.Connection, limit: int = 20) -> list[dict[str, Any]]:
    """The people most connected to the user's strong ties, best first, each with the reason in words."""
    close: dict[str, dict[str, float]] = defaultdict(dict)  # candidate → strong tie's name → overlap
    for tie in relationships.ties_of_strong_people(conn, STRONG, WEAK):
        near = close[tie["candidate_id"]]
        # Strong ties sharing a name are named once in the reason: the closer one counts.
        if tie["overlap_score"] > near.get(tie["via_name"], -1.0):
            near[tie["via_name"]] = tie["overlap_score"]
    peers = relationships.context_peers_of_strong_people(conn, STRONG, WEAK)
    alike: dict[str, set[str]] = {
        candidate: set().union(*(names for _, _, names in shared)) for candidate, shared in peers.items()
    }
    scores = {
        candidate: sum(close[candidate].values())
        + CONTEXT_SCORE * len(alike.get(candidate, set()) - close[candidate].keys())
        for candidate in {*close, *peers}
    }
    left_out = dismissals.dismissed(conn)
    ranked = sorted((c for c in scores if c not in left_out), key=lambda c: (-scores[c], c))[:limit]
    persons = people.get_people(conn, ranked)
    found = []
    for candidate in ranked:
        near = sorted(close[candidate], key=lambda name: (-close[candidate][name], name))
        shared: dict[tuple[str, str], set[str]] = defaultdict(set)  # (kind, company or context) → strong ties
        for kind, context, names in peers.get(candidate, ()):
            shared[(kind, context)].update(names)
        parts = [f"close to {_listed(near)}, whom you know well"] if near else []
        for (kind, context), names in sorted(shared.items()):
            where = f"at {context}" if kind == "company" else f"in {plain_context(context)} in your notes"
            known = ", whom you know well" if not parts else ""
            parts.append(f"{'also ' if parts else ''}{where}, like {_listed(sorted(names))}{known}")
        reason = "; ".join(parts) + "; you have had little contact yourself."
        found.append(
            {
                "person": persons[candidate],
                "score": round(scores[candidate], 4),
                "via": list(dict.fromkeys([*near, *sorted(alike.get(candidate, ()))])),
                "reason": reason[0].upper() + reason[1:],
                "group": "close" if near else min(kind for kind, _ in shared),
            }
        )
    return found


def _listed(names: list[str]) -> str:
    shown = names[:3]
    more = len(names) - len(shown)
    text = shown[0] if len(shown) == 1 else f"{', '.join(shown[:-1])} and {shown[-1]}"
    return f"{text} (and {more} more)" if more else text
