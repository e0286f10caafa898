"""Search everything: people by who they are, conversations by what was said in them, and who said it.

Conversations are ranked by BM25 (a title match counts double) times a recency boost; people who talked
about it by their matching conversations, each weighing less as it ages. Both are read from the newest
WINDOW matches: a word found in most conversations is ranked among its recent uses, which keeps every
query to a bounded cost (bench/search.py) and is what a search for a common word wants anyway.
"""

from __future__ import annotations

import heapq
import sqlite3
from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from kithkin.models import KithkinError, utc_iso
from kithkin.store import fulltext, people

WINDOW = 500
HALF_LIFE_DAYS = 365  # a conversation's weight halves with each year of age
NAME_MATCHES = 5
TALKERS = 8
SNIPPETS_PER_PERSON = 2
PERSON_FIELDS = ("id", "canonical_name", "company", "position", "avatar", "relationship_strength", "sources")


@dataclass(slots=True)  # not frozen: a frozen dataclass's __init__ costs ~4x, and a search makes WINDOW of them
class _Hit:
    interaction_id: int
    score: float
    occurred_at: str
    weight: float  # recency: 1 now, 0.5 a half-life ago


def search(
    conn: sqlite3.Connection,
    query: str,
    *,
    person_id: str | None = None,
    source: str | None = None,
    after: str | None = None,
    before: str | None = None,
    limit: int = 20,
    offset: int = 0,
    now: datetime | None = None,
) -> dict[str, Any]:
    """People and conversations matching `query`.

    Returns {"query", "people": {"items", "total"}, "conversations": {"items", "total", "counted_all"}}: people
    whose name, address or company matches, then those who talked about it (each with `match_count`,
    `last_match` and their best `snippets`); conversations best first, a page of `limit` from `offset`,
    each with its people, its title and best passage as highlight spans, and where to open it (`open`:
    a person and the timeline cursor that starts at it). All matches are ranked, or the newest WINDOW when
    there are more: then `counted_all` is false and `total` (WINDOW) means "or more".
    """
    filters = fulltext.Filters(
        person_id=person_id, source=source or None, after=_moment(after, "after"), before=_moment(before, "before")
    )
    parts = fulltext.match_parts(query)
    if not parts:
        return {
            "query": query,
            "people": {"items": [], "total": 0},
            "conversations": {"items": [], "total": 0, "counted_all": True},
        }
    hits = _ranked(fulltext.recent_matches(conn, parts, filters, WINDOW), (now or datetime.now(UTC)).timestamp())
    taking_part = fulltext.people_taking_part(conn, [h.interaction_id for h in hits])
    people_of: dict[int, list[str]] = defaultdict(list)
    for interaction_id, person in taking_part:
        people_of[interaction_id].append(person)

    page = hits[offset : offset + limit]
    talkers = _talkers(hits, people_of)
    named = people.list_people(conn, q=query, limit=NAME_MATCHES)[0] if not person_id else []
    shown_people = list(dict.fromkeys([p["id"] for p in named] + [t[0] for t in talkers]))
    snippets_of = {person: ids for person, _, _, ids in talkers}
    by_id = {h.interaction_id: h for h in hits}
    wanted = [h.interaction_id for h in page] + [i for ids in snippets_of.values() for i in ids]
    conversations = _conversations(
        conn, " AND ".join(parts), [by_id[i] for i in dict.fromkeys(wanted)], people_of, person_id, filters
    )
    persons = people.get_people(conn, shown_people)
    figures = {person: (count, last) for person, count, last, _ in talkers}
    named_ids = {p["id"] for p in named}
    people_items = []
    for pid in shown_people:
        record = persons.get(pid)
        if record is None:
            continue
        count, last = figures.get(pid, (0, None))
        people_items.append(
            {
                **{key: record[key] for key in PERSON_FIELDS},
                "matched_by": (["name"] if pid in named_ids else []) + (["conversations"] if count else []),
                "match_count": count,
                "last_match": last,
                "snippets": [conversations[i] for i in snippets_of.get(pid, []) if i in conversations],
            }
        )
    return {
        "query": query,
        "people": {"items": people_items, "total": len({person for _, person in taking_part} | named_ids)},
        "conversations": {
            "items": [conversations[h.interaction_id] for h in page if h.interaction_id in conversations],
            "total": len(hits),
            "counted_all": len(hits) < WINDOW,
        },
    }


def _ranked(matches: list[tuple[int, float, str, int]], now: float) -> list[_Hit]:
    hits = []
    half_life = HALF_LIFE_DAYS * 86_400
    for interaction_id, relevance, occurred_at, seconds in matches:
        weight = 0.5 ** (max(0.0, now - seconds) / half_life)
        hits.append(_Hit(interaction_id, relevance * (1 + weight), occurred_at, weight))
    hits.sort(key=lambda h: (-h.score, -h.interaction_id))
    return hits


def _talkers(hits: list[_Hit], people_of: dict[int, list[str]]) -> list[tuple[str, int, str, list[int]]]:
    """The TALKERS people who talked about it most and most lately: (person, matching conversations, the
    latest one's time, their best conversations), ranked by the sum of their conversations' recency weights.
    `hits` come best first, so a person's first SNIPPETS_PER_PERSON are their best."""
    theirs: dict[str, list[Any]] = {}  # person: [weights' sum, count, latest time, best ids]
    for hit in hits:
        for person in people_of.get(hit.interaction_id, ()):
            mine = theirs.get(person)
            if mine is None:
                theirs[person] = [hit.weight, 1, hit.occurred_at, [hit.interaction_id]]
                continue
            mine[0] += hit.weight
            mine[1] += 1
            if hit.occurred_at > mine[2]:
                mine[2] = hit.occurred_at
            if len(mine[3]) < SNIPPETS_PER_PERSON:
                mine[3].append(hit.interaction_id)
    ranked = heapq.nsmallest(TALKERS, theirs.items(), key=lambda item: (-item[1][0], -item[1][1], item[0]))
    return [(person, count, latest, best) for person, (_, count, latest, best) in ranked]


def _conversations(
    conn: sqlite3.Connection,
    expression: str,
    hits: list[_Hit],
    people_of: dict[int, list[str]],
    person_id: str | None,
    filters: fulltext.Filters,
) -> dict[int, dict[str, Any]]:
    ids = [h.interaction_id for h in hits]
    # a filter leaves the conversations shown far apart among the query's matches
    filtered = filters != fulltext.Filters()
    marked = fulltext.marked_text(conn, expression, ids, scattered=filtered)
    rows = fulltext.interaction_rows(conn, ids)
    names = people.names_of(conn, sorted({p for i in ids for p in people_of.get(i, [])}))
    found = {}
    for hit in hits:
        row = rows.get(hit.interaction_id)
        if row is None:
            continue
        title, passage = marked.get(hit.interaction_id, ("", ""))
        who = [{"id": p, "name": names[p]} for p in people_of.get(hit.interaction_id, []) if p in names]
        opener = person_id or (who[0]["id"] if who else None)
        found[hit.interaction_id] = {
            "id": str(hit.interaction_id),  # 63-bit ids lose digits as JavaScript numbers
            **row,
            "score": round(hit.score, 4),
            "people": who,
            "title_spans": fulltext.spans(title),
            "snippet_spans": fulltext.spans(passage),
            # The person's timeline from this conversation on: a cursor just past it shows it first.
            "open": {"person_id": opener, "before": f"{hit.occurred_at}|{hit.interaction_id + 1}"} if opener else None,
        }
    return found


def _moment(value: str | None, name: str) -> str | None:
    """A date or time the user gave, as the stored UTC form; a date alone is its midnight UTC."""
    if not value:
        return None
    try:
        moment = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
        return utc_iso(moment if moment.tzinfo else moment.replace(tzinfo=UTC))
    except (ValueError, OverflowError):  # not a date, or one that leaves the calendar once made UTC
        raise KithkinError(f"{name}: {value!r} is not a date; use YYYY-MM-DD or an ISO time.") from None


def person_named(conn: sqlite3.Connection, text: str) -> str:
    """The person an id or a name (or address) given on the command line stands for; a name several people
    match is refused with their count, so a search never quietly narrows to the wrong one."""
    live = people.live_person_id(conn, text)
    if live is not None:
        return live
    found, total = people.list_people(conn, q=text, limit=2)
    if total == 1:
        return found[0]["id"]
    if total == 0:
        raise KithkinError(f"Nobody is called {text!r}; give a name from `kithkin people` or a person id.")
    raise KithkinError(f"{total} people match {text!r}; give a fuller name or a person id from `kithkin people`.")
