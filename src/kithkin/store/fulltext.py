"""The full-text index over conversations (conversation_fts, migration 0010): what was said and written.

Rows are keyed by interaction id and hold no person, so the index stays right through merges, splits and
undo without being touched; who took part is joined in at query time. The text itself is not copied: the
index reads it from the interactions (title, and the kept text or else the snippet).
"""

from __future__ import annotations

import json
import re
import sqlite3
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from kithkin.store.ids import chunks

if TYPE_CHECKING:
    from kithkin.store.interactions import InteractionRecord

# A note is kept whole up to this many characters (a pasted log or book beyond it is cut, not refused).
NOTE_TEXT_LIMIT = 100_000
# Marks around matched words in highlight()/snippet() output: control characters the tokenizer treats as
# separators, turned into structured spans before anything reaches a client.
OPEN, CLOSE = "\x02", "\x03"
MAX_TERMS = 16

_PART = re.compile(r'"([^"]*)(?:"|$)(\*?)|([^\s"]+)')
_WORD = re.compile(r"\w+", re.UNICODE)


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


def match_expression(query: str) -> str | None:
    """The user's text as a safe FTS5 query, or None when it holds no word.

    "quoted words" are a phrase, `word*` (or `"a phrase"*`) a prefix, every other word must appear as a
    word; all parts are required (a bare AND says so again and is skipped). Every term is quoted, so no
    user text is FTS5 syntax: OR, NEAR, a stray quote or parenthesis are plain words or ignored.
    """
    parts: list[str] = []
    terms = 0
    for match in _PART.finditer(query):
        phrase, star, bare = match.groups()
        if bare == "AND":  # every part is required already; anything else in capitals is a word
            continue
        if bare is not None:
            star = "*" if bare.endswith("*") else ""
            words = _WORD.findall(bare)
            if not words:
                continue
            # "e-mail" or "o'clock": the tokenizer splits them too, so they are matched as a phrase
            text = " ".join(words)
        else:
            words = _WORD.findall(phrase)
            if not words:
                continue
            text = " ".join(words)
        terms += len(words)
        if terms > MAX_TERMS:
            break
        parts.append(f'"{text}"{star}')
    return " AND ".join(parts) or None


@dataclass(frozen=True, slots=True)
class Filters:
    person_id: str | None = None
    source: str | None = None
    after: str | None = None  # UTC ISO time, inclusive
    before: str | None = None  # UTC ISO time, exclusive


def recent_matches(
    conn: sqlite3.Connection, expression: str, filters: Filters, window: int
) -> list[tuple[int, float, str]]:
    """(interaction id, bm25 relevance — higher is better, occurred_at) of the `window` most recent
    matching interactions. Ids grow with time, so the index is read newest first and stops at the window:
    a word in most rows costs the window's worth of scoring, not every row's."""
    where, params = _filter_sql(filters)
    rows = conn.execute(
        f"""SELECT f.rowid, bm25(conversation_fts, 2.0, 1.0), i.occurred_at
            FROM conversation_fts f JOIN interactions i ON i.id = f.rowid
            WHERE conversation_fts MATCH ? {where}
            ORDER BY f.rowid DESC LIMIT ?""",
        [expression, *params, window],
    )
    return [(row[0], -row[1], row[2]) for row in rows]


def count_matches(conn: sqlite3.Connection, expression: str, filters: Filters) -> int:
    where, params = _filter_sql(filters)
    join = "JOIN interactions i ON i.id = f.rowid" if where else ""
    return conn.execute(
        f"SELECT COUNT(*) FROM conversation_fts f {join} WHERE conversation_fts MATCH ? {where}",
        [expression, *params],
    ).fetchone()[0]


def _filter_sql(filters: Filters) -> tuple[str, list[str]]:
    clauses, params = [], []
    if filters.source:
        clauses.append("i.source_type = ?")
        params.append(filters.source)
    if filters.after:
        clauses.append("i.occurred_at >= ?")
        params.append(filters.after)
    if filters.before:
        clauses.append("i.occurred_at < ?")
        params.append(filters.before)
    if filters.person_id:
        clauses.append(
            """f.rowid IN (SELECT ip.interaction_id FROM source_entities se
                   JOIN interaction_participants ip ON ip.source_entity_id = se.id
                   WHERE se.canonical_person_id = ?)"""
        )
        params.append(filters.person_id)
    return "".join(f" AND {c}" for c in clauses), params


def marked_text(
    conn: sqlite3.Connection, expression: str, interaction_ids: Iterable[int], snippet_words: int = 24
) -> dict[int, tuple[str, str]]:
    """For each interaction, (its title with the matched words between OPEN and CLOSE, the best passage
    of its text so marked). One lookup per row: a rowid list would make FTS5 walk every match."""
    found = {}
    for interaction_id in dict.fromkeys(interaction_ids):
        row = conn.execute(
            """SELECT highlight(conversation_fts, 0, ?, ?), snippet(conversation_fts, 1, ?, ?, '…', ?)
               FROM conversation_fts WHERE conversation_fts MATCH ? AND rowid = ?""",
            (OPEN, CLOSE, OPEN, CLOSE, snippet_words, expression, interaction_id),
        ).fetchone()
        if row is not None:
            found[interaction_id] = (row[0] or "", row[1] or "")
    return found


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
    for chunk in re.split(f"({OPEN}[^{CLOSE}]*{CLOSE})", marked):
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
