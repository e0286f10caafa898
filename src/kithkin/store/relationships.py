"""Relationships between two people (inferred from shared contexts, or stated by the user)."""

from __future__ import annotations

import json
import sqlite3
import string
from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from kithkin.store.db import plain_cursor

# A row the user spoke of (confirmed, annotated, typed or removed): inference never deletes it.
USER_SPOKE = "(user_confirmed OR user_notes IS NOT NULL OR user_type IS NOT NULL OR user_deleted)"

# SQLite's NOCASE folds ASCII letters only: the same folding on this side keeps the two in agreement.
_NOCASE = str.maketrans(string.ascii_uppercase, string.ascii_lowercase)


def of_person(conn: sqlite3.Connection, person_id: str, limit: int = 50) -> list[dict[str, Any]]:
    """A person's relationships, strongest overlap first, seen from their side."""
    rows = conn.execute(
        """SELECT r.*, p.id AS other_id, p.canonical_name AS other_name
           FROM relationships r JOIN people p
             ON p.id = CASE WHEN r.person_a_id = ? THEN r.person_b_id ELSE r.person_a_id END
           WHERE (r.person_a_id = ? OR r.person_b_id = ?) AND p.merged_into IS NULL AND NOT r.user_deleted
           ORDER BY r.overlap_score DESC, r.id LIMIT ?""",
        (person_id, person_id, person_id, limit),
    ).fetchall()
    return [
        {
            **dict(r),
            "person_id": r["other_id"],
            "person_name": r["other_name"],
            "shared_contexts": json.loads(r["shared_contexts"] or "[]"),
            "user_confirmed": bool(r["user_confirmed"]),
        }
        for r in rows
    ]


def strongest(conn: sqlite3.Connection, limit: int, seen_since: str | None = None) -> list[dict[str, Any]]:
    """The `limit` strongest live people (last seen at or after `seen_since`, when given) as graph nodes: id,
    canonical_name, relationship_strength, category, company, vault_contexts (JSON text), in the order of the
    people list sorted by strength."""
    since = "AND last_seen >= ?" if seen_since else ""
    rows = conn.execute(
        f"""SELECT id, canonical_name, relationship_strength, category, company, vault_contexts FROM people
            WHERE merged_into IS NULL {since}
            ORDER BY relationship_strength DESC, canonical_name COLLATE NOCASE LIMIT ?""",
        (seen_since, limit) if seen_since else (limit,),
    ).fetchall()
    return [dict(row) for row in rows]


def nodes_of(conn: sqlite3.Connection, person_ids: list[str]) -> list[dict[str, Any]]:
    """These live people as graph nodes (the columns of `strongest`), in the order given."""
    rows = conn.execute(
        """SELECT id, canonical_name, relationship_strength, category, company, vault_contexts FROM people
           WHERE id IN (SELECT value FROM json_each(?)) AND merged_into IS NULL""",
        (json.dumps(person_ids),),
    ).fetchall()
    found = {row["id"]: dict(row) for row in rows}
    return [found[pid] for pid in person_ids if pid in found]


def count_of_person(conn: sqlite3.Connection, person_id: str) -> int:
    """How many relationships of_person would list without a limit."""
    return conn.execute(
        """SELECT COUNT(*) FROM relationships r JOIN people p
             ON p.id = CASE WHEN r.person_a_id = ? THEN r.person_b_id ELSE r.person_a_id END
           WHERE (r.person_a_id = ? OR r.person_b_id = ?) AND p.merged_into IS NULL AND NOT r.user_deleted""",
        (person_id, person_id, person_id),
    ).fetchone()[0]


def among(
    conn: sqlite3.Connection, person_ids: list[str], types: list[str] | None = None, seen_since: str | None = None
) -> list[dict[str, Any]]:
    """The relationships whose two people are both in `person_ids` (ids passed as one JSON array), of one
    of `types` and last seen together at or after `seen_since` when given, as graph edges: source, target,
    relationship_type, overlap_score, shared_contexts (JSON text), last_seen_together.

    The pairs are found on the (person_a_id, person_b_id) index alone, and only their rows are read: the
    strongest people can have tens of thousands of relationships, nearly all with people outside the set
    (reading each of those rows took ~20 ms for 3,400 edges out of 32,000; now ~12 ms)."""
    ids = json.dumps(person_ids)
    params: list[Any] = [ids, ids]
    kinds = ""
    if types:
        kinds += "AND relationship_type IN (SELECT value FROM json_each(?))"
        params.append(json.dumps(types))
    if seen_since:
        kinds += " AND last_seen_together >= ?"
        params.append(seen_since)
    rows = conn.execute(
        f"""SELECT person_a_id AS source, person_b_id AS target, relationship_type, overlap_score, shared_contexts,
                   last_seen_together FROM relationships
            WHERE rowid IN (SELECT rowid FROM relationships WHERE person_a_id IN (SELECT value FROM json_each(?))
                                                            AND person_b_id IN (SELECT value FROM json_each(?)))
              AND NOT user_deleted {kinds}
            ORDER BY overlap_score DESC, id""",
        params,
    ).fetchall()
    return [dict(row) for row in rows]


def type_inputs(conn: sqlite3.Connection, person_ids: list[str]) -> dict[str, tuple[str, str, str | None, str, bool]]:
    """What a relationship's type is read from: person id → (name, category, company, emails as stored JSON,
    tagged "family"). The emails stay undecoded: most people need neither them nor their tags."""
    rows = plain_cursor(conn).execute(
        """SELECT id, canonical_name, category, company, emails,
                  tags LIKE '%family%' AND EXISTS (SELECT 1 FROM json_each(tags) WHERE value = 'family')
           FROM people WHERE id IN (SELECT value FROM json_each(?))""",
        (json.dumps(person_ids),),
    )
    return {row[0]: (row[1], row[2], row[3], row[4], bool(row[5])) for row in rows}


def ties_of_strong_people(conn: sqlite3.Connection, strong_min: float, weak_max: float) -> list[dict[str, Any]]:
    """Each relationship between a strong tie (strength ≥ strong_min) and someone the user barely knows
    (strength < weak_max): candidate_id, via_id, via_name, overlap_score. Walks the relationships of the
    smaller of the two groups (strength index, then the relationship indexes) instead of scanning them all:
    most people are neither, and after a big import the strong can outnumber the weak tenfold."""
    strong = "{alias}.relationship_strength >= ? AND {alias}.merged_into IS NULL"
    weak = "{alias}.relationship_strength < ? AND {alias}.merged_into IS NULL"
    counted = [
        conn.execute(f"SELECT COUNT(*) FROM people p WHERE {group.format(alias='p')}", (bound,)).fetchone()[0]
        for group, bound in ((strong, strong_min), (weak, weak_max))
    ]
    from_weak = counted[1] < counted[0]
    start, start_bound, end, end_bound = (
        (weak, weak_max, strong, strong_min) if from_weak else (strong, strong_min, weak, weak_max)
    )
    side = f"""SELECT {{candidate}}.id, {{via}}.id, {{via}}.canonical_name, r.overlap_score
              FROM people s JOIN relationships r ON r.{{mine}} = s.id JOIN people o ON o.id = r.{{theirs}}
              WHERE {start.format(alias="s")} AND {end.format(alias="o")} AND NOT r.user_deleted"""
    candidate, via = ("s", "o") if from_weak else ("o", "s")
    rows = conn.execute(
        side.format(candidate=candidate, via=via, mine="person_a_id", theirs="person_b_id")
        + " UNION ALL "
        + side.format(candidate=candidate, via=via, mine="person_b_id", theirs="person_a_id"),
        (start_bound, end_bound, start_bound, end_bound),
    )
    keys = ("candidate_id", "via_id", "via_name", "overlap_score")
    return [dict(zip(keys, row, strict=True)) for row in rows]


def context_peers_of_strong_people(
    conn: sqlite3.Connection, strong_min: float, weak_max: float
) -> dict[str, list[tuple[str, str, list[str]]]]:
    """People the user barely knows (strength < weak_max) who share a company (case aside) or a notes
    context (vault_contexts) with strong ties (strength ≥ strong_min): candidate id → [(kind ("company" or
    "context"), the company or context, the strong ties' names)]. The strong are few next to the pairs they
    make: their companies and contexts are gathered first (each name list shared by every candidate it
    concerns), then one pass over the others keeps those sharing one."""
    companies: dict[str, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))  # folded → spelling → names
    contexts: dict[str, list[str]] = defaultdict(list)
    for name, company, marks in conn.execute(
        "SELECT canonical_name, company, vault_contexts FROM people WHERE relationship_strength >= ?"
        " AND merged_into IS NULL",
        (strong_min,),
    ):
        if company:
            companies[company.translate(_NOCASE)][company].append(name)
        if marks and marks != "[]":
            for context in json.loads(marks):
                contexts[context].append(name)
    if not companies and not contexts:
        return {}
    found: dict[str, list[tuple[str, str, list[str]]]] = {}
    spellings = [c for by_spelling in companies.values() for c in by_spelling]
    for candidate, company, marks in conn.execute(
        """SELECT id, company, vault_contexts FROM people
           WHERE relationship_strength < ? AND merged_into IS NULL
             AND (company COLLATE NOCASE IN (SELECT value FROM json_each(?))
                  OR (vault_contexts != '[]' AND EXISTS (SELECT 1 FROM json_each(vault_contexts) mine
                                                         WHERE mine.value IN (SELECT value FROM json_each(?)))))""",
        (weak_max, json.dumps(spellings), json.dumps(list(contexts))),
    ):
        shared = [
            ("company", spelling, names)
            for spelling, names in companies.get((company or "").translate(_NOCASE), {}).items()
        ]
        if marks and marks != "[]":
            shared += [("context", context, contexts[context]) for context in json.loads(marks) if context in contexts]
        if shared:
            found[candidate] = shared
    return found


def shared_participation(conn: sqlite3.Connection, interaction_ids: list[int]) -> list[tuple]:
    """For each of these interactions with two people or more: (interaction id, kind, source_type,
    thread key, context, occurred_at, [person ids]), by interaction id. The owner (no person) is left out."""
    rows = plain_cursor(conn).execute(
        """SELECT ip.interaction_id, se.canonical_person_id FROM interaction_participants ip
           JOIN source_entities se ON se.id = ip.source_entity_id
           WHERE ip.interaction_id IN (SELECT value FROM json_each(?)) AND se.canonical_person_id IS NOT NULL""",
        (json.dumps(interaction_ids),),
    )
    return _with_details(conn, rows)


def shared_participation_of_people(conn: sqlite3.Connection, person_ids: list[str]) -> list[tuple]:
    """shared_participation of every interaction any of these people took part in, read in one pass (only
    interactions in shared_interactions can have two people)."""
    rows = plain_cursor(conn).execute(
        """SELECT ip.interaction_id, se.canonical_person_id FROM interaction_participants ip
           JOIN source_entities se ON se.id = ip.source_entity_id
           WHERE ip.interaction_id IN (SELECT mine.interaction_id FROM source_entities me
                                       JOIN interaction_participants mine ON mine.source_entity_id = me.id
                                       JOIN shared_interactions shared ON shared.interaction_id = mine.interaction_id
                                       WHERE me.canonical_person_id IN (SELECT value FROM json_each(?)))
             AND se.canonical_person_id IS NOT NULL""",
        (json.dumps(person_ids),),
    )
    return _with_details(conn, rows)


def shared_participation_between(conn: sqlite3.Connection, entity_ids: list[str], person_id: str) -> list[tuple]:
    """shared_participation of the interactions in which one of these entities took part beside another entity of
    person_id: once the entities joined person_id, what the person they came from had in common with it."""
    rows = plain_cursor(conn).execute(
        """SELECT ip.interaction_id, se.canonical_person_id FROM interaction_participants ip
           JOIN source_entities se ON se.id = ip.source_entity_id
           WHERE ip.interaction_id IN (
                   SELECT moved.interaction_id FROM interaction_participants moved
                   JOIN shared_interactions shared ON shared.interaction_id = moved.interaction_id
                   WHERE moved.source_entity_id IN (SELECT value FROM json_each(?1))
                   INTERSECT
                   SELECT mine.interaction_id FROM source_entities me
                   JOIN interaction_participants mine ON mine.source_entity_id = me.id
                   WHERE me.canonical_person_id = ?2 AND me.id NOT IN (SELECT value FROM json_each(?1)))
             AND se.canonical_person_id IS NOT NULL""",
        (json.dumps(entity_ids), person_id),
    )
    return _with_details(conn, rows)


def _with_details(conn: sqlite3.Connection, rows: Iterable[tuple[int, str]]) -> list[tuple]:
    """(interaction id, person id) rows grouped by interaction; only interactions shared by two people or more
    read their details. Most interactions are one person and the owner: grouping in SQL (a temporary B-tree
    per interaction) and reading every interaction's row cost twice as much."""
    persons: dict[int, set[str]] = {}
    for interaction, person in rows:
        found = persons.get(interaction)
        if found is None:
            persons[interaction] = {person}
        else:
            found.add(person)
    shared = {interaction: found for interaction, found in persons.items() if len(found) >= 2}
    if not shared:
        return []
    details = (
        plain_cursor(conn)
        .execute(
            """SELECT id, kind, source_type, COALESCE(thread_id, context), context, occurred_at FROM interactions
           WHERE id IN (SELECT value FROM json_each(?))
             AND occurred_at <= (SELECT at FROM clock_marks WHERE name = 'relationships_counted_until')""",
            (json.dumps(list(shared)),),
        )
        .fetchall()
    )
    return sorted((*row, sorted(shared[row[0]])) for row in details)


def counted_until(conn: sqlite3.Connection) -> str:
    """Up to when shared interactions are counted into relationships (UTC ISO): later ones are still ahead."""
    return conn.execute("SELECT at FROM clock_marks WHERE name = 'relationships_counted_until'").fetchone()[0]


def set_counted_until(conn: sqlite3.Connection, at: str) -> None:
    conn.execute("UPDATE clock_marks SET at = ? WHERE name = 'relationships_counted_until'", (at,))


def shared_interaction_ids_between(conn: sqlite3.Connection, after: str, until: str) -> list[int]:
    """Interactions of two people or more that happened after `after` and no later than `until`."""
    return [
        row[0]
        for row in conn.execute(
            """SELECT s.interaction_id FROM shared_interactions s JOIN interactions i ON i.id = s.interaction_id
               WHERE i.occurred_at > ? AND i.occurred_at <= ?""",
            (after, until),
        )
    ]


def all_shared_interaction_ids(conn: sqlite3.Connection) -> list[int]:
    """Every interaction with two participants or more besides the owner."""
    return [r[0] for r in conn.execute("SELECT interaction_id FROM shared_interactions")]


# What counting more shared interactions into a stored pair reads of it (existing_pairs).
PAIR_TOTALS = ("id", "weight", "shared_events_count", "first_seen_together", "last_seen_together", "shared_contexts")


def existing_pairs(conn: sqlite3.Connection, pairs: list[tuple[str, str]]) -> dict[tuple[str, str], dict[str, Any]]:
    """The stored PAIR_TOTALS of these pairs (person_a_id < person_b_id), read in one pass per first person.
    Only those columns, as plain tuples: every batch of an import reads nearly all of its pairs again, and
    whole sqlite3.Row objects turned into dicts cost ~5 us a pair."""
    wanted = set(pairs)
    firsts = json.dumps(sorted({a for a, _ in pairs}))
    found = {}
    for a, b, *totals in plain_cursor(conn).execute(
        f"SELECT person_a_id, person_b_id, {', '.join(PAIR_TOTALS)} FROM relationships"
        " WHERE person_a_id IN (SELECT value FROM json_each(?))",
        (firsts,),
    ):
        if (a, b) in wanted:
            found[(a, b)] = dict(zip(PAIR_TOTALS, totals, strict=True))
    return found


def add_threads(conn: sqlite3.Connection, rows: list[tuple[str, str, str]]) -> None:
    """Record the threads pairs share (a thread already known is ignored)."""
    conn.executemany("INSERT OR IGNORE INTO relationship_threads VALUES (?, ?, ?)", rows)


def thread_counts(conn: sqlite3.Connection, pairs: list[tuple[str, str]]) -> dict[tuple[str, str], int]:
    """How many distinct threads each pair shares."""
    wanted = set(pairs)
    firsts = json.dumps(sorted({a for a, _ in pairs}))
    counts = dict.fromkeys(pairs, 0)
    for a, b, count in plain_cursor(conn).execute(
        """SELECT person_a_id, person_b_id, COUNT(*) FROM relationship_threads
           WHERE person_a_id IN (SELECT value FROM json_each(?)) GROUP BY person_a_id, person_b_id""",
        (firsts,),
    ):
        if (a, b) in wanted:
            counts[(a, b)] = count
    return counts


def save_pairs(conn: sqlite3.Connection, rows: list[tuple]) -> None:
    """Insert or update inferred figures: (id, person_a_id, person_b_id, relationship_type, shared_contexts,
    shared_events_count, shared_threads_count, first_seen_together, last_seen_together, overlap_score,
    weight, created_at, updated_at). The user's fields (confirmed, notes, type, deleted) are kept."""
    conn.executemany(
        """INSERT INTO relationships (id, person_a_id, person_b_id, relationship_type, shared_contexts,
               shared_events_count, shared_threads_count, first_seen_together, last_seen_together, overlap_score,
               weight, created_at, updated_at)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
           ON CONFLICT(person_a_id, person_b_id) DO UPDATE SET
               relationship_type = COALESCE(user_type, excluded.relationship_type),
               shared_contexts = excluded.shared_contexts, shared_events_count = excluded.shared_events_count,
               shared_threads_count = excluded.shared_threads_count,
               first_seen_together = excluded.first_seen_together, last_seen_together = excluded.last_seen_together,
               overlap_score = excluded.overlap_score, weight = excluded.weight, updated_at = excluded.updated_at""",
        rows,
    )


def forget_inferred(conn: sqlite3.Connection, person_ids: list[str]) -> None:
    """Drop what was inferred about these people's pairs (before recomputing them); rows the user
    touched keep their user fields and are zeroed instead of deleted."""
    ids = json.dumps(person_ids)
    where = "(person_a_id IN (SELECT value FROM json_each(?)) OR person_b_id IN (SELECT value FROM json_each(?)))"
    conn.execute(f"DELETE FROM relationship_threads WHERE {where}", (ids, ids))
    conn.execute(
        f"DELETE FROM relationships WHERE {where} AND NOT {USER_SPOKE}",
        (ids, ids),
    )
    conn.execute(
        f"""UPDATE relationships SET weight = 0, overlap_score = 0, shared_events_count = 0, shared_threads_count = 0,
               shared_contexts = '[]', first_seen_together = NULL, last_seen_together = NULL WHERE {where}""",
        (ids, ids),
    )


# The figures inference writes, in this order (rows_of_people and update_figures use it).
FIGURES = (
    "relationship_type",
    "shared_contexts",
    "shared_events_count",
    "shared_threads_count",
    "first_seen_together",
    "last_seen_together",
    "overlap_score",
    "weight",
)


def rows_of_people(conn: sqlite3.Connection, person_ids: list[str]) -> dict[tuple[str, str], dict[str, Any]]:
    """Every relationship row with one of these people in it, by pair: id, user_type, whether the user touched
    it (user_data), and the inferred figures."""
    ids = json.dumps(person_ids)
    columns = f"""id, person_a_id, person_b_id, user_type,
                  {USER_SPOKE} AS user_data,
                  {", ".join(FIGURES)}"""
    rows = conn.execute(
        f"""SELECT {columns} FROM relationships WHERE person_a_id IN (SELECT value FROM json_each(?))
            UNION ALL
            SELECT {columns} FROM relationships WHERE person_b_id IN (SELECT value FROM json_each(?))
              AND person_a_id NOT IN (SELECT value FROM json_each(?))""",
        (ids, ids, ids),
    )
    return {(row["person_a_id"], row["person_b_id"]): dict(row) for row in rows}


def threads_of_pairs(conn: sqlite3.Connection, pairs: list[tuple[str, str]]) -> set[tuple[str, str, str]]:
    """The (person_a_id, person_b_id, thread_key) rows of these pairs, each read by its key."""
    rows = conn.execute(
        """SELECT t.person_a_id, t.person_b_id, t.thread_key FROM json_each(?) pair
           JOIN relationship_threads t
             ON t.person_a_id = json_extract(pair.value, '$[0]')
            AND t.person_b_id = json_extract(pair.value, '$[1]')""",
        (json.dumps(pairs),),
    )
    return {(a, b, thread) for a, b, thread in rows}


def remove_threads(conn: sqlite3.Connection, rows: list[tuple[str, str, str]]) -> None:
    conn.executemany(
        "DELETE FROM relationship_threads WHERE person_a_id = ? AND person_b_id = ? AND thread_key = ?", rows
    )


def update_figures(conn: sqlite3.Connection, rows: list[tuple]) -> None:
    """Set the inferred figures of existing rows: (*FIGURES in order, updated_at, id)."""
    sets = ", ".join(f"{column} = ?" for column in (*FIGURES, "updated_at"))
    conn.executemany(f"UPDATE relationships SET {sets} WHERE id = ?", rows)


def drop_inferred(conn: sqlite3.Connection, delete: list[str], zero: list[str]) -> None:
    """Rows nothing supports any more: deleted, or zeroed when the user touched them (their word stays)."""
    conn.executemany("DELETE FROM relationships WHERE id = ?", [(i,) for i in delete])
    conn.executemany(
        """UPDATE relationships SET weight = 0, overlap_score = 0, shared_events_count = 0, shared_threads_count = 0,
               shared_contexts = '[]', first_seen_together = NULL, last_seen_together = NULL WHERE id = ?""",
        [(i,) for i in zero],
    )


# What the user said of a relationship, in this order (user_word_of and set_user_word use it).
USER_WORD = ("user_confirmed", "user_notes", "user_type", "user_deleted")


def user_word_of(conn: sqlite3.Connection, person_id: str) -> dict[str, dict[str, Any]]:
    """The user's word on this person's relationships, by the other person's id (only rows the user touched)."""
    rows = conn.execute(
        f"""SELECT person_a_id, person_b_id, {", ".join(USER_WORD)} FROM relationships
            WHERE (person_a_id = ? OR person_b_id = ?)
              AND {USER_SPOKE}""",
        (person_id, person_id),
    )
    return {
        row["person_b_id"] if row["person_a_id"] == person_id else row["person_a_id"]: {k: row[k] for k in USER_WORD}
        for row in rows
    }


def set_user_word(conn: sqlite3.Connection, rows: list[tuple[str, str, str, dict[str, Any], str]]) -> None:
    """Set the user's word on pairs: (id for a new row, person_a_id, person_b_id, the USER_WORD fields, stamp).
    A pair without a row gets one; inference fills in its figures."""
    conn.executemany(
        """INSERT INTO relationships (id, person_a_id, person_b_id, relationship_type, user_confirmed, user_notes,
               user_type, user_deleted, created_at, updated_at)
           VALUES (?, ?, ?, COALESCE(?, 'inferred'), ?, ?, ?, ?, ?, ?)
           ON CONFLICT(person_a_id, person_b_id) DO UPDATE SET
               relationship_type = COALESCE(excluded.user_type, relationship_type),
               user_confirmed = excluded.user_confirmed, user_notes = excluded.user_notes,
               user_type = excluded.user_type, user_deleted = excluded.user_deleted,
               updated_at = excluded.updated_at""",
        [
            (
                new_id,
                a,
                b,
                word["user_type"],
                int(bool(word["user_confirmed"])),
                word["user_notes"],
                word["user_type"],
                int(bool(word["user_deleted"])),
                stamp,
                stamp,
            )
            for new_id, a, b, word, stamp in rows
        ],
    )


def get_relationship(conn: sqlite3.Connection, relationship_id: str) -> dict[str, Any] | None:
    row = conn.execute("SELECT * FROM relationships WHERE id = ?", (relationship_id,)).fetchone()
    return dict(row) if row else None


def edit_relationship(conn: sqlite3.Connection, relationship_id: str, changes: dict[str, Any]) -> None:
    """The user's word: confirmed, type, notes or deleted (kept as a hidden row so inference won't bring it back)."""
    columns = {
        "user_confirmed": "user_confirmed",
        "relationship_type": "user_type",
        "user_notes": "user_notes",
        "deleted": "user_deleted",
    }
    sets = [f"{columns[k]} = ?" for k in changes]
    params = [int(v) if isinstance(v, bool) else v for v in changes.values()]
    if "relationship_type" in changes:
        sets.append("relationship_type = ?")
        params.append(changes["relationship_type"])
    conn.execute(f"UPDATE relationships SET {', '.join(sets)} WHERE id = ?", [*params, relationship_id])
