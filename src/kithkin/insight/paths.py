"""How the user knows someone: the strongest chains of people from the user to them, up to three hops.

A hop from the user to a person weighs that person's relationship strength (recency is in it already); a
hop between two people weighs their overlap score, discounted as their last time together grows old (half
after two years and more). A chain weighs the product of its hops, so one weak link weakens it all. Each
hop is told in words from the figures it was weighed by.
"""

from __future__ import annotations

import heapq
import itertools
import math
import sqlite3
from datetime import datetime
from typing import Any

from kithkin.insight.wording import plain_context
from kithkin.models import parse_iso, utc_iso
from kithkin.store import paths as store

# Ties kept per person while walking: a hub's thousandth-strongest tie never carries a strong chain.
BRANCHING = 60
DAYS_TO_HALF = 365


def tie_weight(overlap: float, days_since: float | None) -> float:
    """A tie between two people, 0..1: its overlap, fading towards half its value as it grows old (days
    since they were last together; None when never dated)."""
    if days_since is None:
        return overlap * 0.5
    return overlap * (0.5 + 0.5 * math.exp(-max(0.0, days_since) / DAYS_TO_HALF))


def strongest_paths(conn: sqlite3.Connection, target: str, now: datetime, limit: int = 3) -> list[dict[str, Any]]:
    """Up to `limit` chains from the user to `target`, strongest first: {score, people: [ids from the first
    person met to the target], hops: [{from, to, weight, words}]}. Empty when nothing leads there."""
    # Walk back from the target: its ties, then theirs; chains of people the user knows start at each.
    stamp = utc_iso(now)
    near = _strongest_ties(conn, [target], {target}, stamp)
    second = near[target]
    far = _strongest_ties(conn, [p for p, _ in second], {target}, stamp) if second else {}
    everyone = {target, *(p for p, _ in second), *(q for ties in far.values() for q, _ in ties)}
    own = store.own_ties(conn, sorted(everyone))
    if target not in own:
        return []
    chains: list[tuple[float, list[str]]] = []
    if own[target][1] > 0:
        chains.append((own[target][1], [target]))
    for b, (overlap, last) in second:
        if b not in own:
            continue
        w_bt = tie_weight(overlap, last)
        if own[b][1] > 0:
            chains.append((own[b][1] * w_bt, [b, target]))
        for a, (overlap_ab, last_ab) in far.get(b, []):
            if a in (target, b) or a not in own or own[a][1] <= 0:
                continue
            chains.append((own[a][1] * tie_weight(overlap_ab, last_ab) * w_bt, [a, b, target]))
    best = heapq.nlargest(limit, chains, key=lambda chain: (chain[0], -len(chain[1])))
    return [_described(conn, score, chain, own, now) for score, chain in best]


def _strongest_ties(
    conn: sqlite3.Connection, person_ids: list[str], exclude: set[str], now: str
) -> dict[str, list[tuple[str, tuple[float, float | None]]]]:
    """person → their BRANCHING strongest ties (other, (overlap, days since together)), `exclude` left out."""
    found: dict[str, list[tuple[str, tuple[float, float | None]]]] = {p: [] for p in person_ids}
    for person, other, overlap, last in store.ties_of(conn, person_ids, now):
        if other not in exclude:
            found[person].append((other, (overlap, last)))
    return {p: heapq.nlargest(BRANCHING, ties, key=lambda t: t[1][0]) for p, ties in found.items()}


def _described(
    conn: sqlite3.Connection, score: float, chain: list[str], own: dict[str, tuple], now: datetime
) -> dict[str, Any]:
    first = chain[0]
    name, strength, count, recent, last = own[first]
    hops = [
        {"from": None, "to": first, "weight": round(strength, 6), "words": _you_and(name, count, recent, last, now)}
    ]
    for a, b in itertools.pairwise(chain):
        found = store.tie(conn, a, b) or {}
        last = found.get("last_seen_together")
        days = (now - parse_iso(last)).total_seconds() / 86400 if last else None
        weight = tie_weight(found.get("overlap_score", 0.0), days)
        hops.append(
            {"from": a, "to": b, "weight": round(weight, 6), "words": _together(own[a][0], own[b][0], found, now)}
        )
    return {
        "score": round(score, 6),
        "people": [{"id": pid, "canonical_name": own[pid][0]} for pid in chain],
        "hops": hops,
    }


def _you_and(name: str, count: int, recent: int, last: str | None, now: datetime) -> str:
    if not count:
        return f"You know {name} from your contacts; no interaction yet."
    lately = f", {recent} in the last 90 days" if recent else ""
    when = f", last {_ago(last, now)}" if last else ""
    return f"You and {name}: {count:,} interaction{'s' if count != 1 else ''}{lately}{when}."


def _together(a: str, b: str, tie: dict[str, Any], now: datetime) -> str:
    events, threads = tie.get("shared_events_count") or 0, tie.get("shared_threads_count") or 0
    shared = []
    if events:
        shared.append(f"{events} shared meeting{'s' if events != 1 else ''} or call{'s' if events != 1 else ''}")
    if threads:
        shared.append(f"{threads} shared thread{'s' if threads != 1 else ''}")
    contexts = [plain_context(str(c)) for c in tie.get("shared_contexts", [])[:2]]
    where = f" in {' and '.join(contexts)}" if contexts else ""
    what = " and ".join(shared) or (tie.get("relationship_type") or "known to each other").replace("_", " ")
    last = tie.get("last_seen_together")
    when = ""
    if last:
        # Relationship figures still count shared meetings ahead (an invitation says they will meet).
        when = f", together again {_ago(last, now)}" if parse_iso(last) > now else f", last together {_ago(last, now)}"
    return f"{a} and {b}: {what}{where}{when}."


def _ago(moment: str, now: datetime) -> str:
    seconds = (now - parse_iso(moment)).total_seconds()
    if seconds < 0:
        ahead = math.ceil(-seconds / 86400)
        return f"in {ahead} day{'s' if ahead != 1 else ''}"
    days = int(seconds // 86400)
    if days < 1:
        return "today"
    if days < 60:
        return f"{days} day{'s' if days != 1 else ''} ago"
    if days < 730:
        return f"{days // 30} months ago"
    return f"{days // 365} years ago"
