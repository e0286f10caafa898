"""The full-text index over conversations (conversation_fts, migration 0012): what was said and written.

Rows are keyed by interaction id and hold no person, so the index stays right through merges, splits and
undo without being touched; who took part is joined in at query time. The text itself is not copied: the
index reads it from the interactions (title, and the kept text or else the snippet).
"""

from __future__ import annotations

import json
import math
import re
import sqlite3
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from kithkin.store.ids import chunks

if TYPE_CHECKING:
    from kithkin.store.interactions import InteractionRecord

# A note is kept whole up to this many characters (a pasted log or book beyond it is cut, not refused).
NOTE_TEXT_LIMIT = 100_000
# Marks around matched words in highlight()/snippet() output: control characters the tokenizer treats as
# separators, turned into structured spans before anything reaches a client.
OPEN, CLOSE = "\x02", "\x03"
MAX_TERMS = 16
# Terms in more than this share of all conversations are matched but not scored (recent_matches).
COMMON_SHARE, COMMON_FLOOR = 0.02, 1_000
# Looking one interaction up in the index costs about what reading LOOKUP_COST of a word's matches does
# (bench/search.py, an index in one segment: ~15-20 us against ~0.1 us; each more segment adds to a lookup).
LOOKUP_COST = 200
SAMPLE = 2_000  # the newest interactions a query's share of all is counted among
LOOKUP_SLICE = 64  # the fewest ids looked up at once
SLICE_MARGIN = 1.2  # a slice holds this many times the ids expected to fill the window, so one slice mostly does

_PART = re.compile(r'"([^"]*)(?:"|$)(\*?)|([^\s"]+)')
_WORD = re.compile(r"\w+", re.UNICODE)
_MARKED = re.compile(f"({OPEN}[^{CLOSE}]*{CLOSE})")


def kept_text(text: str | None, limit: int = NOTE_TEXT_LIMIT) -> str | None:
    """The text kept for search, bounded; None when there is none."""
    if not text:
        return None
    return text[:limit]


def index_added(conn: sqlite3.Connection, records: list[InteractionRecord], *, all_new: bool) -> None:
    """Index interactions the store has just written. `all_new`: every record was inserted now (a fresh
    batch), so nothing is read back; otherwise only those not in the index yet are added (the docsize
    shadow table holds one row per indexed interaction)."""
    unique = list({r.id: r for r in records}.values())
    if not all_new:
        indexed: set[int] = set()
        for part in chunks([r.id for r in unique]):
            marks = ",".join("?" * len(part))
            indexed.update(
                row[0] for row in conn.execute(f"SELECT id FROM conversation_fts_docsize WHERE id IN ({marks})", part)
            )
        unique = [r for r in unique if r.id not in indexed]
    if not unique:
        return
    longer = [(r.id, r.text) for r in unique if r.text and r.text != r.snippet]
    conn.executemany("INSERT OR REPLACE INTO interaction_texts (interaction_id, body) VALUES (?, ?)", longer)
    kept = dict(longer)
    conn.executemany(
        "INSERT INTO conversation_fts (rowid, title, body) VALUES (?, ?, ?)",
        [(r.id, r.title, kept.get(r.id, r.snippet)) for r in unique],
    )


def forget(conn: sqlite3.Connection, interaction_ids: list[int]) -> None:
    """Take interactions out of the index before their text changes (an external-content index must be told
    the words it held) and drop their kept text."""
    for part in chunks(interaction_ids):
        marks = ",".join("?" * len(part))
        conn.execute(
            f"""INSERT INTO conversation_fts (conversation_fts, rowid, title, body)
                SELECT 'delete', s.id, s.title, s.body FROM interaction_search_text s
                WHERE s.id IN ({marks}) AND s.id IN (SELECT id FROM conversation_fts_docsize)""",
            part,
        )
        conn.execute(f"DELETE FROM interaction_texts WHERE interaction_id IN ({marks})", part)


def match_parts(query: str) -> list[str]:
    """The user's text as safe FTS5 terms, all of them required; none when it holds no word.

    "quoted words" are a phrase, `word*` (or `"a phrase"*`) a prefix, every other word must appear as a
    word (a bare AND says again that all are required and is skipped). Every term is quoted, so no user
    text is FTS5 syntax: OR, NEAR, a stray quote or parenthesis are plain words or ignored.
    """
    parts: list[str] = []
    terms = 0
    for match in _PART.finditer(query):
        phrase, star, bare = match.groups()
        if bare == "AND":
            continue
        if bare is not None:
            star = "*" if bare.endswith("*") else ""
        # "e-mail" or "o'clock" is split by the tokenizer too, so it is matched as a phrase
        words = _WORD.findall(bare if bare is not None else phrase)
        if not words:
            continue
        terms += len(words)
        if terms > MAX_TERMS:
            break
        parts.append(f'"{" ".join(words)}"{star}')
    return list(dict.fromkeys(parts))


@dataclass(frozen=True, slots=True)
class Filters:
    person_id: str | None = None
    source: str | None = None
    after: str | None = None  # UTC ISO time, inclusive
    before: str | None = None  # UTC ISO time, exclusive


def recent_matches(
    conn: sqlite3.Connection, parts: list[str], filters: Filters, window: int
) -> list[tuple[int, float, str]]:
    """(interaction id, BM25 relevance — higher is better, occurred_at) of the `window` most recent
    interactions matching every part. Ids grow with time, so the index is read newest first and stops at
    the window.

    BM25 weighs each term by how rare it is, and FTS5 learns that by reading the term's every occurrence
    (~20 ms for a word in most of 200,000 conversations). A term with a word in more than COMMON_SHARE of
    them is therefore matched but not scored: its weight is small beside a rarer term's (log 49 ≈ 3.9 at
    the threshold against ~12 for a word used once), and a query made only of such terms ranks by recency.
    """
    full = " AND ".join(parts)
    total = _interaction_total(conn)
    cap = max(COMMON_FLOOR, total // round(1 / COMMON_SHARE))
    scored = [part for part in parts if _rare(conn, part, cap)]
    query = _Query(" AND ".join(scored) or full, bool(scored), filters)
    if scored and len(scored) < len(parts):
        query.where += " AND +f.rowid IN (SELECT rowid FROM conversation_fts WHERE conversation_fts MATCH ?)"
        query.params.append(full)
    if filters.person_id is None:
        rows = query.run(conn, "", [], window)
    else:
        lookups = _lookups(conn, full, filters.person_id, window, total)
        rows = (
            query.run(conn, f"AND +f.rowid IN ({_PERSON_INTERACTIONS})", [filters.person_id], window)
            if lookups is None
            else _looked_up(conn, query, *lookups, window)
        )
    if query.joined:
        return [(row[0], -row[1], row[2]) for row in rows]
    moments = dict(
        conn.execute(
            "SELECT id, occurred_at FROM interactions WHERE id IN (SELECT value FROM json_each(?))",
            (json.dumps([row[0] for row in rows]),),
        ).fetchall()
    )
    return [(row[0], -row[1], moments[row[0]]) for row in rows if row[0] in moments]


_PERSON_INTERACTIONS = """SELECT ip.interaction_id FROM source_entities se
    JOIN interaction_participants ip ON ip.source_entity_id = se.id WHERE se.canonical_person_id = ?"""


class _Query:
    """The matches of one FTS5 expression under the filters, newest first. Under a person filter alone the
    interactions are not joined in: their time is read afterwards for the few kept, not for each of the many
    matches the filter passes over."""

    def __init__(self, expression: str, scored: bool, filters: Filters) -> None:
        self.expression = expression
        self.relevance = "bm25(conversation_fts, 2.0, 1.0)" if scored else "-1.0"
        clauses: list[str] = []
        self.params: list[Any] = []
        for clause, value in (
            ("i.source_type = ?", filters.source),
            ("i.occurred_at >= ?", filters.after),
            ("i.occurred_at < ?", filters.before),
        ):
            if value:
                clauses.append(clause)
                self.params.append(value)
        self.joined = bool(clauses) or filters.person_id is None
        self.where = "".join(f" AND {c}" for c in clauses)

    def run(self, conn: sqlite3.Connection, among: str, among_params: list[Any], limit: int) -> list[tuple]:
        moment, join = (", i.occurred_at", "JOIN interactions i ON i.id = f.rowid") if self.joined else ("", "")
        return conn.execute(
            f"""SELECT f.rowid, {self.relevance}{moment} FROM conversation_fts f {join}
                WHERE conversation_fts MATCH ? {self.where} {among}
                ORDER BY f.rowid DESC LIMIT ?""",
            [self.expression, *self.params, *among_params, limit],
        ).fetchall()


def _lookups(
    conn: sqlite3.Connection, full: str, person_id: str, window: int, total: int
) -> tuple[list[int], float] | None:
    """The person's interaction ids (newest first) and the query's share of interactions, when looking the
    ids up in the index one by one costs less than reading the query's matches newest first until `window`
    of them are theirs; else None.

    Reading stops after about window / (their share of all interactions) matches, or at the last match;
    looking up stops after about window / (the query's share of interactions) of their ids, or at their
    last. The query's share is counted among the newest SAMPLE interactions."""
    most = total // LOOKUP_COST + 1  # a person with more is always cheaper to find by reading matches
    counted = f"SELECT COUNT(*) FROM ({_PERSON_INTERACTIONS} LIMIT ?)"
    theirs = conn.execute(counted, (person_id, most + 1)).fetchone()[0]
    if theirs > most:
        return None
    if not theirs:
        return [], 0.0
    share = _share(conn, full)
    reading = min(share * total, window * total / theirs)
    if min(theirs, window / share * SLICE_MARGIN if share else theirs) * LOOKUP_COST >= reading:
        return None
    return sorted({row[0] for row in conn.execute(_PERSON_INTERACTIONS, (person_id,))}, reverse=True), share


def _share(conn: sqlite3.Connection, expression: str) -> float:
    """The share of the newest SAMPLE interactions (or of all, when there are fewer) that match."""
    row = conn.execute("SELECT id FROM interactions ORDER BY id DESC LIMIT 1 OFFSET ?", (SAMPLE - 1,)).fetchone()
    if row is not None:
        oldest, sampled = row[0], SAMPLE
    else:
        oldest, sampled = -(2**63), conn.execute("SELECT COUNT(*) FROM interactions").fetchone()[0]
    matched = conn.execute(
        "SELECT COUNT(*) FROM conversation_fts WHERE conversation_fts MATCH ? AND rowid >= ?", (expression, oldest)
    ).fetchone()[0]
    return matched / sampled if sampled else 0.0


def _looked_up(conn: sqlite3.Connection, query: _Query, ids: list[int], share: float, window: int) -> list[tuple]:
    """The query's matches among these ids (newest first), each looked up in the index, in slices sized by
    the share of them expected to match to find what the window still lacks: a common word stops early."""
    found: list[tuple] = []
    start = 0
    while start < len(ids) and len(found) < window:
        if start:
            share = len(found) / start
        size = max(LOOKUP_SLICE, math.ceil((window - len(found)) / max(share, 1 / len(ids)) * SLICE_MARGIN))
        part = ids[start : start + size]
        start += size
        found += query.run(
            conn, "AND f.rowid IN (SELECT value FROM json_each(?))", [json.dumps(part)], window - len(found)
        )
    return found


def _rare(conn: sqlite3.Connection, part: str, cap: int) -> bool:
    """Whether a part is found in fewer than `cap` conversations. A phrase is weighed by reading every place
    its words meet, so it counts as rare only when each of its words is."""
    words = _WORD.findall(part)
    if len(words) == 1:
        return _count(conn, part, cap) < cap  # a word, or a prefix with every word it begins
    return all(_count(conn, f'"{word}"', cap) < cap for word in words)


def _count(conn: sqlite3.Connection, part: str, cap: int) -> int:
    return conn.execute(
        "SELECT COUNT(*) FROM (SELECT 1 FROM conversation_fts WHERE conversation_fts MATCH ? LIMIT ?)", (part, cap)
    ).fetchone()[0]


def _interaction_total(conn: sqlite3.Connection) -> int:
    return conn.execute("SELECT COALESCE(SUM(count), 0) FROM interaction_counts").fetchone()[0]


def marked_text(
    conn: sqlite3.Connection,
    expression: str,
    interaction_ids: list[int],
    *,
    scattered: bool = False,
    snippet_words: int = 24,
) -> dict[int, tuple[str, str]]:
    """For each interaction, (its title with the matched words between OPEN and CLOSE, the best passage
    of its text so marked).

    Ids `scattered` among many other matches (a filtered search's) are each looked up in the index, which
    starts the query once per id (~LOOKUP_COST matches' worth). Otherwise, or when a prefix is searched (it
    would be expanded again for each id), the matches between the lowest and highest id are read in one
    pass and the wanted kept."""
    if not interaction_ids:
        return {}
    marks = (OPEN, CLOSE, OPEN, CLOSE, snippet_words, expression)
    wanted = json.dumps(interaction_ids)
    if scattered and "*" not in expression:
        among, params = "rowid IN (SELECT value FROM json_each(?))", (*marks, wanted)
    else:
        among = "rowid BETWEEN ? AND ? AND +rowid IN (SELECT value FROM json_each(?))"
        params = (*marks, min(interaction_ids), max(interaction_ids), wanted)
    rows = conn.execute(
        f"""SELECT rowid, highlight(conversation_fts, 0, ?, ?), snippet(conversation_fts, 1, ?, ?, '…', ?)
            FROM conversation_fts WHERE conversation_fts MATCH ? AND {among}""",
        params,
    )
    return {row[0]: (row[1] or "", row[2] or "") for row in rows}


def people_taking_part(conn: sqlite3.Connection, interaction_ids: list[int]) -> list[tuple[int, str]]:
    """(interaction id, person id) for everyone but the owner who took part in these interactions."""
    return [
        (row[0], row[1])
        for row in conn.execute(
            """SELECT DISTINCT ip.interaction_id, se.canonical_person_id
               FROM interaction_participants ip JOIN source_entities se ON se.id = ip.source_entity_id
               WHERE ip.interaction_id IN (SELECT value FROM json_each(?))
                 AND se.canonical_person_id IS NOT NULL AND COALESCE(se.link_status, '') != 'owner'""",
            (json.dumps(interaction_ids),),
        )
    ]


def spans(marked: str) -> list[dict[str, str | bool]]:
    """Marked text as [{"text", "match"}] pieces, for clients to render as text (never as HTML)."""
    pieces: list[dict[str, str | bool]] = []
    for chunk in _MARKED.split(marked):
        if not chunk:
            continue
        matched = chunk.startswith(OPEN) and chunk.endswith(CLOSE)
        text = chunk[1:-1] if matched else chunk
        text = text.replace(OPEN, "").replace(CLOSE, "")
        if text:
            pieces.append({"text": text, "match": matched})
    return pieces


def interaction_rows(conn: sqlite3.Connection, interaction_ids: list[int]) -> dict[int, dict[str, str | None]]:
    """What a search result shows of each interaction besides its marked text."""
    found = {}
    for row in conn.execute(
        """SELECT id, source_type, kind, occurred_at, direction, context, title, thread_id FROM interactions
           WHERE id IN (SELECT value FROM json_each(?))""",
        (json.dumps(interaction_ids),),
    ):
        found[row[0]] = {
            "source_type": row[1],
            "kind": row[2],
            "occurred_at": row[3],
            "direction": row[4],
            "context": row[5],
            "title": row[6],
            "thread_id": row[7],
        }
    return found
