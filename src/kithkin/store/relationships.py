"""Relationships between two people (inferred from shared contexts, or stated by the user)."""

from __future__ import annotations

import json
import sqlite3
import string
from collections import defaultdict
from typing import Any

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


def among(conn: sqlite3.Connection, person_ids: list[str], types: list[str] | None = None) -> list[dict[str, Any]]:
    """The relationships whose two people are both in `person_ids` (ids passed as one JSON array), of one
    of `types` when given, as graph edges: source, target, relationship_type, overlap_score."""
    ids = json.dumps(person_ids)
    kinds = "AND relationship_type IN (SELECT value FROM json_each(?))" if types else ""
    rows = conn.execute(
        f"""SELECT person_a_id AS source, person_b_id AS target, relationship_type, overlap_score FROM relationships
           WHERE person_a_id IN (SELECT value FROM json_each(?)) AND person_b_id IN (SELECT value FROM json_each(?))
             AND NOT user_deleted {kinds}
           ORDER BY overlap_score DESC, id""",
        (ids, ids, json.dumps(types)) if types else (ids, ids),
    ).fetchall()
    return [dict(row) for row in rows]


def ties_of_strong_people(conn: sqlite3.Connection, strong_min: float, weak_max: float) -> list[dict[str, Any]]:
    """Each relationship between a strong tie (strength ≥ strong_min) and someone the user barely knows
    (strength < weak_max): candidate_id, via_id, via_name, overlap_score. Starts from the few strong
    people (strength index) and walks their relationships by index, instead of scanning them all."""
    side = """SELECT other.id AS candidate_id, strong.id AS via_id, strong.canonical_name AS via_name, r.overlap_score
              FROM strong JOIN relationships r ON r.{mine} = strong.id
              JOIN people other ON other.id = r.{theirs}
              WHERE other.relationship_strength < ? AND other.merged_into IS NULL AND NOT r.user_deleted"""
    rows = conn.execute(
        "WITH strong AS (SELECT id, canonical_name FROM people WHERE relationship_strength >= ?"
        " AND merged_into IS NULL) "
        + side.format(mine="person_a_id", theirs="person_b_id")
        + " UNION ALL "
        + side.format(mine="person_b_id", theirs="person_a_id"),
        (strong_min, weak_max, weak_max),
    ).fetchall()
    return [dict(row) for row in rows]


def context_peers_of_strong_people(
    conn: sqlite3.Connection, strong_min: float, weak_max: float
) -> list[dict[str, Any]]:
    """People the user barely knows (strength < weak_max) who share a company (case aside) or a notes
    context (vault_contexts) with a strong tie (strength ≥ strong_min): candidate_id, via_name, kind
    ("company" or "context"), context. The strong are few: their companies and contexts are gathered
    first, then one pass over the others keeps those sharing one (a join of the two sets took seconds)."""
    companies: dict[str, list[tuple[str, str]]] = defaultdict(list)  # folded company → (strong name, company)
    contexts: dict[str, list[str]] = defaultdict(list)
    for name, company, marks in conn.execute(
        "SELECT canonical_name, company, vault_contexts FROM people WHERE relationship_strength >= ?"
        " AND merged_into IS NULL",
        (strong_min,),
    ):
        if company:
            companies[company.translate(_NOCASE)].append((name, company))
        for context in json.loads(marks or "[]"):
            contexts[context].append(name)
    if not companies and not contexts:
        return []
    found = []
    for candidate, company, marks in conn.execute(
        """SELECT id, company, vault_contexts FROM people
           WHERE relationship_strength < ? AND merged_into IS NULL
             AND (company COLLATE NOCASE IN (SELECT value FROM json_each(?))
                  OR (vault_contexts != '[]' AND EXISTS (SELECT 1 FROM json_each(vault_contexts) mine
                                                         WHERE mine.value IN (SELECT value FROM json_each(?)))))""",
        (weak_max, json.dumps([c for pairs in companies.values() for _, c in pairs]), json.dumps(list(contexts))),
    ):
        for name, theirs in companies.get((company or "").translate(_NOCASE), ()):
            found.append({"candidate_id": candidate, "via_name": name, "kind": "company", "context": theirs})
        for context in json.loads(marks or "[]"):
            found += [
                {"candidate_id": candidate, "via_name": name, "kind": "context", "context": context}
                for name in contexts.get(context, ())
            ]
    return found


def shared_participation(conn: sqlite3.Connection, interaction_ids: list[int]) -> list[tuple]:
    """For each of these interactions with two people or more: (interaction id, kind, source_type,
    thread key, context, occurred_at, [person ids]). The owner (no person) is left out."""
    rows = conn.execute(
        """SELECT i.id, i.kind, i.source_type, COALESCE(i.thread_id, i.context), i.context, i.occurred_at,
                  json_group_array(DISTINCT se.canonical_person_id)
           FROM interactions i
           JOIN interaction_participants ip ON ip.interaction_id = i.id
           JOIN source_entities se ON se.id = ip.source_entity_id
           WHERE i.id IN (SELECT value FROM json_each(?)) AND se.canonical_person_id IS NOT NULL
           GROUP BY i.id HAVING COUNT(DISTINCT se.canonical_person_id) >= 2""",
        (json.dumps(interaction_ids),),
    ).fetchall()
    return [(*row[:6], json.loads(row[6])) for row in rows]


def interactions_of_people(conn: sqlite3.Connection, person_ids: list[str]) -> list[int]:
    """Every interaction any of these people took part in."""
    return [
        r[0]
        for r in conn.execute(
            """SELECT DISTINCT ip.interaction_id FROM source_entities se
           JOIN interaction_participants ip ON ip.source_entity_id = se.id
           WHERE se.canonical_person_id IN (SELECT value FROM json_each(?))""",
            (json.dumps(person_ids),),
        )
    ]


def all_interaction_ids(conn: sqlite3.Connection) -> list[int]:
    return [r[0] for r in conn.execute("SELECT id FROM interactions")]


def existing_pairs(conn: sqlite3.Connection, pairs: list[tuple[str, str]]) -> dict[tuple[str, str], dict[str, Any]]:
    """The stored rows of these pairs (person_a_id < person_b_id), read in one pass per first person."""
    wanted = set(pairs)
    firsts = json.dumps(sorted({a for a, _ in pairs}))
    found = {}
    for row in conn.execute(
        "SELECT * FROM relationships WHERE person_a_id IN (SELECT value FROM json_each(?))", (firsts,)
    ):
        key = (row["person_a_id"], row["person_b_id"])
        if key in wanted:
            found[key] = dict(row)
    return found


def add_threads(conn: sqlite3.Connection, rows: list[tuple[str, str, str]]) -> None:
    """Record the threads pairs share (a thread already known is ignored)."""
    conn.executemany("INSERT OR IGNORE INTO relationship_threads VALUES (?, ?, ?)", rows)


def thread_counts(conn: sqlite3.Connection, pairs: list[tuple[str, str]]) -> dict[tuple[str, str], int]:
    """How many distinct threads each pair shares."""
    wanted = set(pairs)
    firsts = json.dumps(sorted({a for a, _ in pairs}))
    counts = dict.fromkeys(pairs, 0)
    for a, b, count in conn.execute(
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
        f"""DELETE FROM relationships WHERE {where} AND NOT user_confirmed AND user_notes IS NULL
            AND user_type IS NULL AND NOT user_deleted""",
        (ids, ids),
    )
    conn.execute(
        f"""UPDATE relationships SET weight = 0, overlap_score = 0, shared_events_count = 0, shared_threads_count = 0,
               shared_contexts = '[]', first_seen_together = NULL, last_seen_together = NULL WHERE {where}""",
        (ids, ids),
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
