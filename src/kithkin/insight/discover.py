"""People you may know: those your strong ties are close to, or who share a company or a notes context
with them, whom you have barely been in touch with."""

from __future__ import annotations

import sqlite3
from collections import defaultdict
from typing import Any

from kithkin.store import people, relationships

STRONG = 0.5  # a strong tie: a person the user is close to
WEAK = 0.2  # little direct contact
CONTEXT_SCORE = 0.1  # what sharing a company or a notes context with one strong tie counts for


def suggestions(conn: sqlite3.Connection, limit: int = 20) -> list[dict[str, Any]]:
    """The people most connected to the user's strong ties, best first, each with the reason in words."""
    close: dict[str, dict[str, float]] = defaultdict(dict)  # candidate → strong tie → overlap
    for tie in relationships.ties_of_strong_people(conn, STRONG, WEAK):
        close[tie["candidate_id"]][tie["via_name"]] = tie["overlap_score"]
    # candidate → (kind, company or context) → strong ties sharing it
    shared: dict[str, dict[tuple[str, str], set[str]]] = defaultdict(lambda: defaultdict(set))
    for peer in relationships.context_peers_of_strong_people(conn, STRONG, WEAK):
        shared[peer["candidate_id"]][(peer["kind"], peer["context"])].add(peer["via_name"])
    alike = {c: sorted({name for names in by_context.values() for name in names}) for c, by_context in shared.items()}
    scores = {
        candidate: sum(close[candidate].values())
        + CONTEXT_SCORE * len(set(alike.get(candidate, ())) - set(close[candidate]))
        for candidate in {*close, *shared}
    }
    ranked = sorted(scores, key=lambda c: (-scores[c], c))[:limit]
    persons = people.get_people(conn, ranked)
    found = []
    for candidate in ranked:
        near = sorted(close[candidate], key=lambda name: (-close[candidate][name], name))
        parts = [f"close to {_listed(near)}, whom you know well"] if near else []
        for (kind, context), names in sorted(shared[candidate].items()):
            where = f"at {context}" if kind == "company" else f"in {context} in your notes"
            known = ", whom you know well" if not parts else ""
            parts.append(f"{'also ' if parts else ''}{where}, like {_listed(sorted(names))}{known}")
        reason = "; ".join(parts) + "; you have had little contact yourself."
        found.append(
            {
                "person": persons[candidate],
                "score": round(scores[candidate], 4),
                "via": list(dict.fromkeys([*near, *alike.get(candidate, ())])),
                "reason": reason[0].upper() + reason[1:],
            }
        )
    return found


def _listed(names: list[str]) -> str:
    shown = names[:3]
    more = len(names) - len(shown)
    text = shown[0] if len(shown) == 1 else f"{', '.join(shown[:-1])} and {shown[-1]}"
    return f"{text} (and {more} more)" if more else text
