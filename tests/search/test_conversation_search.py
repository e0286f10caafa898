"""Searching what was said: ranking, highlighting, filters, query forms, and an index that stays right
through merges, splits, undo, re-imports and moved notes."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from kithkin.identity import review
from kithkin.insight.search import person_named, search
from kithkin.models import Identity, KithkinError, Observation
from kithkin.store import db, fulltext, links, sources
from kithkin.store.fulltext import match_parts
from kithkin.workspace import Workspace
from tests.helpers import feed, person

NOW = datetime(2025, 6, 1, tzinfo=UTC)
ANA = ("ana@x.test", "Ana Lopes")
BO = ("bo@x.test", "Bo Berg")
CY = ("cy@x.test", "Cy Dahl")


def me(role: str = "to") -> Identity:
    return Identity("me@example.org", "Owner Person", emails=("me@example.org",), role=role)


def sender(who: tuple[str, str], role: str = "from") -> Identity:
    found = person(who[0], who[1], who[0])
    found.role = role
    return found


def mail(source_id: str, days_ago: float, who: tuple[str, str], title: str | None, body: str, **fields) -> Observation:
    return Observation(
        source_id=source_id,
        kind="email",
        occurred_at=NOW - timedelta(days=days_ago),
        participants=[sender(who), me()],
        title=title,
        snippet=body,
        **fields,
    )


def chat(source_id: str, days_ago: float, who: tuple[str, str], text: str) -> Observation:
    return Observation(
        source_id=source_id,
        kind="message",
        occurred_at=NOW - timedelta(days=days_ago),
        participants=[sender(who), me()],
        snippet=text,
    )


def filler(count: int) -> list[Observation]:
    """Conversations about nothing in particular, so that the words searched for are rare, as in life."""
    return [chat(f"f{n}", 400 + n, CY, f"ordinary day number {n} with weather and traffic") for n in range(count)]


def _text(spans: list[dict]) -> str:
    return "".join(span["text"] for span in spans)


def ids_of(results: dict) -> list[str]:
    """Each conversation found, by its title or else its text."""
    return [item["title"] or _text(item["snippet_spans"]) for item in results["conversations"]["items"]]


def find(ws: Workspace, query: str, **options) -> dict:
    return search(ws.conn, query, now=NOW, **options)


def person_of(ws: Workspace, email: str) -> str:
    row = ws.conn.execute(
        "SELECT canonical_person_id FROM source_entities WHERE observed_email = ? AND source_type = 'mail'", (email,)
    ).fetchone()
    return row[0]


def workspace_db(home):
    with Workspace.open(home) as workspace:
        return workspace.database_path


def index_is_sound(ws: Workspace) -> None:
    """FTS5's own check that every indexed word agrees with the text it was read from."""
    ws.conn.execute("INSERT INTO conversation_fts (conversation_fts, rank) VALUES ('integrity-check', 1)")
    indexed = ws.conn.execute("SELECT COUNT(*) FROM conversation_fts_docsize").fetchone()[0]
    assert indexed == ws.conn.execute("SELECT COUNT(*) FROM interactions").fetchone()[0]


# Ranking -----------------------------------------------------------------------------------------------


def test_a_title_and_repeated_match_ranks_above_a_passing_mention_of_the_same_age(workspace):
    feed(
        workspace,
        "mail",
        [
            *filler(40),
            mail("passing", 10, BO, "Weekend", "we talked about many things, a lawyer once, and the weather"),
            mail("focused", 10, ANA, "Lawyer", "the lawyer I mentioned: a good lawyer"),
        ],
    )
    results = find(workspace, "lawyer")
    assert ids_of(results) == ["Lawyer", "Weekend"]
    first, second = results["conversations"]["items"]
    assert first["score"] > second["score"]


def test_of_two_equal_conversations_the_recent_one_comes_first(workspace):
    feed(
        workspace,
        "mail",
        [*filler(40), mail("old", 700, BO, "Old", "moving to Lisbon"), mail("new", 3, ANA, "New", "moving to Lisbon")],
    )
    assert ids_of(find(workspace, "lisbon")) == ["New", "Old"]


def test_who_talked_about_it_is_ranked_by_how_often_and_how_lately(workspace):
    feed(
        workspace,
        "mail",
        [
            *filler(40),
            mail("a1", 5, ANA, None, "the move to Lisbon"),
            mail("a2", 20, ANA, None, "flat hunting in Lisbon"),
            mail("a3", 40, ANA, None, "a school in Lisbon"),
            mail("b1", 2, BO, None, "Lisbon was lovely"),
            mail("c1", 900, CY, None, "Lisbon long ago"),
            mail("c2", 950, CY, None, "Lisbon even longer ago"),
        ],
    )
    found = find(workspace, "lisbon")["people"]["items"]
    assert [(p["canonical_name"], p["match_count"], p["matched_by"]) for p in found] == [
        ("Ana Lopes", 3, ["conversations"]),
        ("Bo Berg", 1, ["conversations"]),
        ("Cy Dahl", 2, ["conversations"]),
    ]
    assert found[0]["last_match"] == "2025-05-27T00:00:00Z"
    # each with their best two conversations, best first
    assert [_text(s["snippet_spans"]) for s in found[0]["snippets"]] == ["the move to Lisbon", "flat hunting in Lisbon"]


def test_someone_whose_name_matches_comes_first_and_says_so(workspace):
    feed(
        workspace,
        "mail",
        [mail("m1", 5, ("lisbon@x.test", "Lisbon Travel"), None, "hello"), mail("m2", 3, ANA, None, "Lisbon")],
    )
    found = find(workspace, "lisbon")["people"]["items"]
    assert [(p["canonical_name"], p["matched_by"]) for p in found] == [
        ("Lisbon Travel", ["name"]),
        ("Ana Lopes", ["conversations"]),
    ]


# Highlighting ------------------------------------------------------------------------------------------


def test_matched_words_come_back_as_spans_and_markup_in_the_text_stays_text(workspace):
    feed(workspace, "mail", [mail("m1", 1, ANA, "Re: <b>Lisbon</b>", "<script>alert(1)</script> see you in Lisbon!")])
    [item] = find(workspace, "lisbon")["conversations"]["items"]
    assert item["title_spans"] == [
        {"text": "Re: <b>", "match": False},
        {"text": "Lisbon", "match": True},
        {"text": "</b>", "match": False},
    ]
    assert item["snippet_spans"] == [
        {"text": "<script>alert(1)</script> see you in ", "match": False},
        {"text": "Lisbon", "match": True},
        {"text": "!", "match": False},
    ]
    assert item["people"] == [{"id": person_of(workspace, ANA[0]), "name": "Ana Lopes"}]
    assert item["open"] == {
        "person_id": person_of(workspace, ANA[0]),
        "before": f"2025-05-31T00:00:00Z|{int(item['id']) + 1}",
    }


def test_a_long_text_is_cut_to_the_passage_around_the_match(workspace):
    words = " ".join(f"word{n}" for n in range(200))
    body = f"{words} lawyer {words}"
    feed(workspace, "mail", [mail("m1", 1, ANA, None, body[:200], text=body)])
    [item] = find(workspace, "lawyer")["conversations"]["items"]
    text = "".join(s["text"] for s in item["snippet_spans"])
    assert [s["text"] for s in item["snippet_spans"] if s["match"]] == ["lawyer"]
    assert text.startswith("…") and text.endswith("…") and len(text.split()) == 24


# Query forms -------------------------------------------------------------------------------------------


def test_prefix_phrase_and_accents(workspace):
    feed(
        workspace,
        "mail",
        [
            *filler(20),
            mail("m1", 1, ANA, None, "We move to Lisbon in May"),
            mail("m2", 2, BO, None, "Lisbon: we will move there"),
            mail("m3", 3, CY, None, "Coffee at the CAFÉ in São Paulo"),
        ],
    )
    assert ids_of(find(workspace, "lisb")) == []
    assert sorted(ids_of(find(workspace, "lisb*"))) == ["Lisbon: we will move there", "We move to Lisbon in May"]
    assert ids_of(find(workspace, '"move to lisbon"')) == ["We move to Lisbon in May"]
    assert sorted(ids_of(find(workspace, "move lisbon"))) == ["Lisbon: we will move there", "We move to Lisbon in May"]
    assert ids_of(find(workspace, "cafe sao")) == ["Coffee at the CAFÉ in São Paulo"]
    assert ids_of(find(workspace, "Café SÃO")) == ["Coffee at the CAFÉ in São Paulo"]


@pytest.mark.parametrize(
    "query",
    [
        '"',
        '"unclosed',
        "(",
        "NEAR(a b)",
        "a OR",
        "AND",
        "NOT",
        "*",
        "a:b",
        "^x",
        "-x",
        "'",
        "{x}",
        "x AND AND",
        "é*",
        "\x00",
        "🙂",
    ],
)
def test_no_query_is_an_fts_syntax_error(workspace, query):
    feed(workspace, "mail", [mail("m1", 1, ANA, None, "x marks a b the spot")])
    results = find(workspace, query)
    assert results["query"] == query
    assert isinstance(results["conversations"]["total"], int)


def test_terms_are_quoted_whatever_the_user_typed():
    assert match_parts('lisbon "move to" lisb* NEAR(x) OR e-mail AND') == [
        '"lisbon"',
        '"move to"',
        '"lisb"*',
        '"NEAR x"',
        '"OR"',
        '"e mail"',
    ]
    assert match_parts("!!! ...") == []


# Filters -----------------------------------------------------------------------------------------------


def test_filters_by_person_source_and_time(workspace):
    feed(workspace, "mail", [mail("m1", 10, ANA, None, "budget review"), mail("m2", 100, BO, None, "budget draft")])
    feed(workspace, "imessage", [chat("i1", 5, ANA, "budget call?")])
    ana = person_of(workspace, ANA[0])
    assert ids_of(find(workspace, "budget", person_id=ana)) == ["budget call?", "budget review"]
    assert ids_of(find(workspace, "budget", source="imessage")) == ["budget call?"]
    assert ids_of(find(workspace, "budget", after="2025-03-01")) == ["budget call?", "budget review"]
    assert ids_of(find(workspace, "budget", before="2025-03-01T00:00:00Z")) == ["budget draft"]
    assert ids_of(find(workspace, "budget", person_id=ana, source="mail", after="2025-05-01")) == ["budget review"]
    with pytest.raises(KithkinError, match="after: 'last week' is not a date"):
        find(workspace, "budget", after="last week")


@pytest.mark.parametrize("common_floor", [1_000, 3], ids=["every word scored", "common words matched only"])
def test_a_person_filter_keeps_their_newest_matches_scored_or_not(workspace, monkeypatch, common_floor):
    """A person filter is part of the index's query (who took part), whether the words are scored by BM25 or
    only matched: both find the person's matches, the newest up to the window."""
    monkeypatch.setattr("kithkin.store.fulltext.COMMON_FLOOR", common_floor)
    monkeypatch.setattr("kithkin.insight.search.WINDOW", 6)  # the window is full before Ana's matches run out
    lisbon = {0, 3, 6}
    feed(
        workspace,
        "mail",
        [mail(f"a{n}", n + 1, ANA, None, f"note {n} about the garden{' in lisbon' * (n in lisbon)}") for n in range(9)]
        + [mail(f"b{n}", n + 1, BO, None, f"garden party {n}") for n in range(6)],
    )
    feed(workspace, "imessage", [chat(f"c{n}", n + 0.5, ANA, f"garden {n}?") for n in range(4)])
    ana = person_of(workspace, ANA[0])
    garden, with_lisbon, messages, lately, prefix, nothing = [
        find(workspace, query, person_id=ana, **options)
        for query, options in [
            ("garden", {}),
            ("garden lisbon", {}),
            ("garden", {"source": "imessage"}),
            ("garden", {"after": "2025-05-28"}),
            ("gard*", {}),
            ("nothing", {}),
        ]
    ]
    newest_six = [
        "garden 0?",
        "note 0 about the garden in lisbon",
        "garden 1?",
        "note 1 about the garden",
        "garden 2?",
        "note 2 about the garden",
    ]
    assert sorted(ids_of(garden)) == sorted(newest_six)  # the window: Ana's six latest, whatever their rank
    if common_floor == 3:  # garden is a common word now, matched but not scored: newest first
        assert ids_of(garden) == newest_six
        assert ids_of(prefix) == newest_six
    assert garden["conversations"]["total"] == 6 and not garden["conversations"]["counted_all"]
    assert sorted(ids_of(with_lisbon)) == [f"note {n} about the garden in lisbon" for n in sorted(lisbon)]
    assert sorted(ids_of(messages)) == [f"garden {n}?" for n in range(4)]
    assert sorted(ids_of(lately)) == [
        "garden 0?",
        "garden 1?",
        "garden 2?",
        "note 0 about the garden in lisbon",
        "note 1 about the garden",
        "note 2 about the garden",
    ]
    assert nothing["conversations"]["items"] == []


def test_who_took_part_is_never_found_as_a_word(workspace):
    feed(workspace, "mail", [mail("m1", 1, ANA, "Lisbon", "the move")])
    entity = workspace.conn.execute("SELECT source_entity_id FROM interaction_participants LIMIT 1").fetchone()[0]
    indexed = entity.removeprefix("se_")
    assert find(workspace, indexed)["conversations"]["items"] == []
    assert find(workspace, indexed[:4] + "*")["conversations"]["items"] == []
    assert find(workspace, "mail")["conversations"]["items"] == []  # nor the source
    assert ids_of(find(workspace, "move", source="mail")) == ["Lisbon"]


def test_highlights_are_the_same_looked_up_by_id_or_read_in_one_pass(workspace):
    feed(
        workspace,
        "mail",
        [mail(f"m{n}", n + 1, ANA, f"Garden plan {n}", f"the garden needs {n} more days") for n in range(6)]
        + [mail(f"b{n}", n + 1.5, BO, None, "garden party") for n in range(6)],
    )
    conn = workspace.conn
    ana = [row[0] for row in conn.execute("SELECT id FROM interactions WHERE title LIKE 'Garden plan%'")]
    wanted = sorted(ana)[1:5]
    for expression in ('"garden"', '"garden" AND "days"', '"gard"*'):
        looked_up = fulltext.marked_text(conn, expression, wanted, scattered=True)
        assert looked_up == fulltext.marked_text(conn, expression, wanted)
        assert sorted(looked_up) == wanted
    title, passage = fulltext.marked_text(conn, '"garden"', wanted[:1], scattered=True)[wanted[0]]
    assert fulltext.spans(title) == [{"text": "Garden", "match": True}, {"text": " plan 4", "match": False}]
    assert [piece for piece in fulltext.spans(passage) if piece["match"]] == [{"text": "garden", "match": True}]


def test_paging_and_counts(workspace):
    feed(workspace, "mail", [mail(f"m{n}", n + 1, ANA, None, f"invoice {n}") for n in range(7)])
    first = find(workspace, "invoice", limit=3)
    second = find(workspace, "invoice", limit=3, offset=3)
    assert ids_of(first) == ["invoice 0", "invoice 1", "invoice 2"]
    assert ids_of(second) == ["invoice 3", "invoice 4", "invoice 5"]
    assert first["conversations"]["total"] == 7 and first["conversations"]["counted_all"]


def test_a_person_is_named_by_id_or_by_a_name_only_they_have(workspace):
    feed(workspace, "mail", [mail("m1", 1, ANA, None, "hi"), mail("m2", 1, ("ana.b@x.test", "Ana Berg"), None, "hi")])
    ana = person_of(workspace, ANA[0])
    assert person_named(workspace.conn, ana) == ana
    assert person_named(workspace.conn, "Ana Lopes") == ana
    with pytest.raises(KithkinError, match="2 people match 'Ana'"):
        person_named(workspace.conn, "Ana")
    with pytest.raises(KithkinError, match="Nobody is called 'Zed'"):
        person_named(workspace.conn, "Zed")


# What is kept to search --------------------------------------------------------------------------------


def test_the_whole_text_is_searched_when_the_snippet_is_only_its_start(workspace):
    long_note = "Meeting notes. " + "filler words here. " * 40 + "The lawyer is Maria Costa."
    feed(
        workspace,
        "vault",
        [
            Observation(
                source_id="n1",
                kind="note",
                occurred_at=NOW - timedelta(days=1),
                participants=[sender(ANA, "mention")],
                title="Ana",
                snippet=long_note[:280],
                text=long_note,
            )
        ],
    )
    [item] = find(workspace, "lawyer")["conversations"]["items"]
    assert [s["text"] for s in item["snippet_spans"] if s["match"]] == ["lawyer"]
    timeline_snippet = workspace.conn.execute("SELECT snippet FROM interactions").fetchone()[0]
    assert "lawyer" not in timeline_snippet


# The index stays right ---------------------------------------------------------------------------------


def test_a_reimport_adds_nothing_to_the_index(workspace):
    batch = [*filler(5), mail("m1", 1, ANA, "Lisbon", "the move")]
    feed(workspace, "mail", batch)
    feed(workspace, "mail", batch)
    index_is_sound(workspace)
    assert find(workspace, "lisbon")["conversations"]["total"] == 1


@pytest.mark.parametrize("also_new", [False, True], ids=["a re-import", "a re-import with new mail"])
def test_a_participant_a_reimport_adds_is_found_by_a_filter_on_them(workspace, also_new):
    """The same mail read again from another mailbox names one more person: the index is told, or it would
    keep the participants it first read."""
    first = mail("m1", 1, ANA, "Lisbon", "the move")
    feed(workspace, "mail", [*filler(3), first])
    again = mail("m1", 1, ANA, "Lisbon", "the move")
    again.participants.append(sender(BO, "cc"))
    new = [mail("m2", 2, CY, None, "a new move")] if also_new else []
    feed(workspace, "mail", [*filler(3), again, *new])
    index_is_sound(workspace)
    bo = person_of(workspace, BO[0])
    assert ids_of(find(workspace, "move", person_id=bo)) == ["Lisbon"]
    assert ids_of(find(workspace, "lisbon", person_id=person_of(workspace, ANA[0]))) == ["Lisbon"]
    assert find(workspace, "move")["conversations"]["total"] == 1 + also_new
    assert workspace.conn.execute("SELECT COUNT(*) FROM interaction_participants").fetchone()[0] == 2 * 4 + 1 + (
        2 * also_new
    )


def test_a_note_seen_again_with_new_text_is_found_by_its_new_words_only(workspace):
    def note(days_ago: int, text: str) -> Observation:
        return Observation(
            source_id="notes/ana.md",
            kind="note",
            occurred_at=NOW - timedelta(days=days_ago),
            participants=[sender(ANA, "mention")],
            title="Ana",
            snippet=text[:280],
            text=text,
        )

    feed(workspace, "vault", [note(10, "Ana recommends a dentist")])
    feed(workspace, "vault", [note(2, "Ana recommends a lawyer")])  # edited: its time moved too
    index_is_sound(workspace)
    assert find(workspace, "dentist")["conversations"]["total"] == 0
    assert ids_of(find(workspace, "lawyer")) == ["Ana"]


def test_merge_split_and_undo_move_the_conversations_with_the_people(workspace):
    feed(
        workspace,
        "mail",
        [mail("m1", 3, ANA, None, "lisbon flat"), mail("m2", 2, ("ana@work.test", "A. Lopes"), None, "lisbon school")],
    )
    ana, work = person_of(workspace, ANA[0]), person_of(workspace, "ana@work.test")
    assert ana != work
    conn = workspace.conn
    review.merge_people(conn, ana, work)
    index_is_sound(workspace)
    assert ids_of(find(workspace, "lisbon", person_id=ana)) == ["lisbon school", "lisbon flat"]
    assert [(p["id"], p["match_count"]) for p in find(workspace, "lisbon")["people"]["items"]] == [(ana, 2)]

    work_entity = sources.entities_of_people(conn, [ana])
    moved = [e["id"] for e in work_entity if e["observed_email"] == "ana@work.test"]
    split = review.split_person(conn, ana, moved)
    assert ids_of(find(workspace, "lisbon", person_id=ana)) == ["lisbon flat"]
    assert ids_of(find(workspace, "lisbon", person_id=split)) == ["lisbon school"]

    [latest, *_] = links.list_decisions(conn)[0]
    review.undo_decision(conn, latest["id"])
    # the person the split made is gone, and their conversation with them
    assert conn.execute("SELECT COUNT(*) FROM people WHERE id = ?", (split,)).fetchone()[0] == 0
    assert ids_of(find(workspace, "lisbon", person_id=split)) == []
    assert [p["id"] for p in find(workspace, "lisbon")["people"]["items"]] == [ana]
    index_is_sound(workspace)


def test_a_database_from_before_search_is_indexed_by_its_migration(home):
    with Workspace.open(home) as workspace:
        feed(workspace, "mail", [mail("m1", 1, ANA, "Lisbon", "the move")])
    conn = db.connect(workspace_db(home), migrate=False)
    with db.transaction(conn):
        conn.execute("DROP TABLE conversation_fts")
        conn.execute("DROP VIEW interaction_search_text")
        conn.execute("DROP TABLE interaction_texts")
        conn.execute("DROP TABLE clock_marks")  # migration 0013, after search's
        conn.execute("DROP TABLE derived_dirty")  # migration 0014
        conn.execute("DELETE FROM schema_migrations WHERE version >= 12")
    conn.close()
    with Workspace.open(home) as workspace:
        assert ids_of(find(workspace, "lisbon")) == ["Lisbon"]
        assert ids_of(find(workspace, "lisbon", person_id=person_of(workspace, ANA[0]), source="mail")) == ["Lisbon"]
        assert ids_of(find(workspace, "lisbon", source="imessage")) == []
        index_is_sound(workspace)
