"""The full-text index over conversations (conversation_fts, migrations 0012 and 0017): what was said and
written, who took part and where it came from.

Rows are keyed by interaction id. Beside the text (title, and the kept text or else the snippet, read from
the interactions, not copied) each row indexes its participants' source entities (`who`) and its source
type (`source`), neither of which ever changes for an interaction, except that a re-import may add a
participant (forget_gaining_participants). No person is indexed: merges, splits and undo move entities
between people without touching the index, and a person filter asks for the person's entities.
"""

from __future__ import annotations

import json
import re
import sqlite3
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from kithkin.store.db import plain_cursor
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
# Written before each word of `who` and `source` (and in migration 0017's view, char(57344)): a private-use
# character the tokenizer keeps in a word and no searched word holds (match_parts keeps \w only), so words
# and prefixes typed never find an entity id or a source name, with no column filter on the query.
TOKEN_MARK = "\ue000"

_PART = re.compile(r'"([^"]*)(?:"|$)(\*?)|([^\s"]+)')
_WORD = re.compile(r"\w+", re.UNICODE)
_MARKED = re.compile(f"({OPEN}[^{CLOSE}]*{CLOSE})")


def kept_text(text: str | None, limit: int = NOTE_TEXT_LIMIT) -> str | None:
    """The text kept for search, bounded; None when there is none."""
    if not text:
        return None
    return text[:limit]


def index_added(conn: sqlite3.Connection, records: list[InteractionRecord], *, all_new: bool) -> None:
    """Index interactions the store has just written, with their participants. `all_new`: every record was
    inserted now (a fresh batch), so nothing is read back; otherwise only those not in the index yet are
    added (the docsize shadow table holds one row per indexed interaction), as the store now holds them."""
    unique = {r.id: r for r in records}
    if not all_new:
        indexed: set[int] = set()
        for part in chunks(list(unique)):
            marks = ",".join("?" * len(part))
            indexed.update(
                row[0] for row in conn.execute(f"SELECT id FROM conversation_fts_docsize WHERE id IN ({marks})", part)
            )
        unique = {key: r for key, r in unique.items() if key not in indexed}
    if not unique:
        return
    longer = [(r.id, r.text) for r in unique.values() if r.text and r.text != r.snippet]
    conn.executemany("INSERT OR REPLACE INTO interaction_texts (interaction_id, body) VALUES (?, ?)", longer)
    if not all_new:  # a known interaction may have had participants before this batch: read what is stored
        for part in chunks(list(unique)):
            marks = ",".join("?" * len(part))
            conn.execute(
                f"""INSERT INTO conversation_fts (rowid, title, body, who, source)
                    SELECT id, title, body, who, source FROM interaction_search_text WHERE id IN ({marks})""",
                part,
            )
        return
    kept = dict(longer)
    who = _who(records)
    conn.executemany(
        "INSERT INTO conversation_fts (rowid, title, body, who, source) VALUES (?, ?, ?, ?, ?)",
        [(r.id, r.title, kept.get(r.id, r.snippet), who[r.id], TOKEN_MARK + r.source_type) for r in unique.values()],
    )


def _who(records: list[InteractionRecord]) -> dict[int, str]:
    """Each interaction's `who` text, as the view interaction_search_text reads it from the participants
    stored: every record of the same interaction adds its own."""
    taking_part: dict[int, tuple[tuple[str, str], ...]] = {}
    for r in records:
        known = taking_part.get(r.id)
        taking_part[r.id] = tuple(r.participants) if known is None else known + tuple(r.participants)
    # A chat's messages share their participants: each set's text is made once (~0.1 s of
    # bench/import_imessage.py made per message).
    texts: dict[tuple[tuple[str, str], ...], str] = {}
    who = {}
    for key, participants in taking_part.items():
        text = texts.get(participants)
        if text is None:
            text = texts[participants] = _who_text({entity for entity, _ in participants})
        who[key] = text
    return who


def _who_text(entities: set[str]) -> str:
    """Entities as the index holds them in `who` (the view interaction_search_text makes the same): each id
    without its 'se_' after TOKEN_MARK, one word to the tokenizer, in the order of their ids as the view reads
    them from the participants' index."""
    return " ".join([TOKEN_MARK + entity[3:] for entity in sorted(entities)])


def forget_gaining_participants(conn: sqlite3.Connection, records: list[InteractionRecord]) -> list[int]:
    """Take out of the index the interactions in it that these records add a participant to (a message read
    again from a second mailbox), before the participants are stored: an external-content index must be told
    the words it holds. index_added puts them back. Returns their ids. Call before storing the participants."""
    gaining: list[int] = []
    pairs = [(entity, r.id) for r in records for entity, _ in r.participants]
    for part in chunks(pairs, 4_000):
        gaining += [
            row[0]
            for row in conn.execute(
                """SELECT DISTINCT j.value ->> 1 FROM json_each(?) j
                   WHERE j.value ->> 1 IN (SELECT id FROM conversation_fts_docsize)
                     AND NOT EXISTS (
                         SELECT 1 FROM interaction_participants ip
                         WHERE ip.source_entity_id = j.value ->> 0 AND ip.interaction_id = j.value ->> 1)""",
                (json.dumps(part),),
            )
        ]
    _unindex(conn, gaining)
    return gaining


def forget(conn: sqlite3.Connection, interaction_ids: list[int]) -> None:
    """Take interactions out of the index before their text changes and drop their kept text."""
    _unindex(conn, interaction_ids)
    for part in chunks(interaction_ids):
        marks = ",".join("?" * len(part))
        conn.execute(f"DELETE FROM interaction_texts WHERE interaction_id IN ({marks})", part)


def _unindex(conn: sqlite3.Connection, interaction_ids: list[int]) -> None:
    """Take interactions out of the index: an external-content index must be told the words it held, so
    this reads them before whatever they come from changes."""
    for part in chunks(interaction_ids):
        marks = ",".join("?" * len(part))
        conn.execute(
            f"""INSERT INTO conversation_fts (conversation_fts, rowid, title, body, who, source)
                SELECT 'delete', s.id, s.title, s.body, s.who, s.source FROM interaction_search_text s
                WHERE s.id IN ({marks}) AND s.id IN (SELECT id FROM conversation_fts_docsize)""",
            part,
        )


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
) -> list[tuple[int, float, str, int]]:
    """(interaction id, BM25 relevance — higher is better, occurred_at, its epoch seconds) of the `window` most recent
    interactions matching every part. Ids grow with time, so the index is read newest first and stops at
    the window. A person or source filter is part of the FTS5 query (who:, source:), which skips through
    the words' matches to the person's or source's rows rather than reading every match.

    BM25 weighs each term by how rare it is, and FTS5 learns that by reading the term's every occurrence
    (~20 ms for a word in most of 200,000 conversations). A term with a word in more than COMMON_SHARE of
    them is therefore matched but not scored: its weight is small beside a rarer term's (log 49 ≈ 3.9 at
    the threshold against ~12 for a word used once), and a query made only of such terms ranks by recency.
    """
    person = ""
    if filters.person_id is not None:
        entities = [row[0] for row in conn.execute(_PERSON_ENTITIES, (filters.person_id,))]
        if not entities:
            return []
        person = " AND who : (" + " OR ".join(_quoted(TOKEN_MARK + entity[3:]) for entity in entities) + ")"
    source = f" AND source : {_quoted(TOKEN_MARK + filters.source)}" if filters.source else ""
    total = _interaction_total(conn)
    cap = max(COMMON_FLOOR, total // round(1 / COMMON_SHARE))
    scored = [part for part in parts if _rare(conn, part, cap)]
    full = " AND ".join(parts) + person + source
    # BM25 reads every occurrence of each phrase of the query to weigh it, a source's too (most rows): a
    # scored query's few matches are kept to the source by joining their interactions instead.
    query = _Query(" AND ".join(scored) + person, True, filters) if scored else _Query(full, False, filters)
    if scored and len(scored) < len(parts):
        query.where += " AND +f.rowid IN (SELECT rowid FROM conversation_fts WHERE conversation_fts MATCH ?)"
        query.params.append(full)
    rows = query.run(conn, window)
    if query.joined:
        return [(row[0], -row[1], row[2], row[3]) for row in rows]
    moments = {
        row[0]: row[1:]
        for row in plain_cursor(conn).execute(
            """SELECT id, occurred_at, unixepoch(occurred_at) FROM interactions
               WHERE id IN (SELECT value FROM json_each(?))""",
            (json.dumps([row[0] for row in rows]),),
        )
    }
    return [(row[0], -row[1], *moments[row[0]]) for row in rows if row[0] in moments]


_PERSON_ENTITIES = "SELECT id FROM source_entities WHERE canonical_person_id = ?"


def _quoted(text: str) -> str:
    """Text as one FTS5 phrase, whatever it holds."""
    return '"' + text.replace('"', '""') + '"'


class _Query:
    """The matches of one FTS5 expression under the time filters, newest first; a scored one's under the
    source filter too (an unscored expression holds it). When no filter needs the interactions they are not
    joined in: their time is read afterwards for the few kept, not for each of the many matches a person
    filter passes over."""

    def __init__(self, expression: str, scored: bool, filters: Filters) -> None:
        self.expression = expression
        self.relevance = "bm25(conversation_fts, 2.0, 1.0, 0.0, 0.0)" if scored else "-1.0"
        clauses: list[str] = []
        self.params: list[Any] = []
        for clause, value in (
            ("i.source_type = ?", filters.source if scored else None),
            ("i.occurred_at >= ?", filters.after),
            ("i.occurred_at < ?", filters.before),
        ):
            if value:
                clauses.append(clause)
                self.params.append(value)
        self.joined = bool(clauses) or filters.person_id is None
        self.where = "".join(f" AND {c}" for c in clauses)

    def run(self, conn: sqlite3.Connection, limit: int) -> list[tuple]:
        moment, join = ("", "")
        if self.joined:
            moment, join = ", i.occurred_at, unixepoch(i.occurred_at)", "JOIN interactions i ON i.id = f.rowid"
        return plain_cursor(conn).execute(
            f"""SELECT f.rowid, {self.relevance}{moment} FROM conversation_fts f {join}
                WHERE conversation_fts MATCH ? {self.where}
                ORDER BY f.rowid DESC LIMIT ?""",
            [self.expression, *self.params, limit],
        ).fetchall()


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
    rows = plain_cursor(conn).execute(
        f"""SELECT rowid, highlight(conversation_fts, 0, ?, ?), snippet(conversation_fts, 1, ?, ?, '…', ?)
            FROM conversation_fts WHERE conversation_fts MATCH ? AND {among}""",
        params,
    )
    return {row[0]: (row[1] or "", row[2] or "") for row in rows}


def people_taking_part(conn: sqlite3.Connection, interaction_ids: list[int]) -> list[tuple[int, str]]:
    """(interaction id, person id) for everyone but the owner who took part in these interactions."""
    return plain_cursor(conn).execute(
        """SELECT DISTINCT ip.interaction_id, se.canonical_person_id
           FROM interaction_participants ip JOIN source_entities se ON se.id = ip.source_entity_id
           WHERE ip.interaction_id IN (SELECT value FROM json_each(?))
             AND se.canonical_person_id IS NOT NULL AND COALESCE(se.link_status, '') != 'owner'""",
        (json.dumps(interaction_ids),),
    ).fetchall()


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
    for row in plain_cursor(conn).execute(
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
