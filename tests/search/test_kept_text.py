"""What each source keeps to search, read from real files: a mail body's opening, a note whole, a meeting's
description whole; and the command line and HTTP faces of search."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

from fastapi.testclient import TestClient
from typer.testing import CliRunner

from kithkin.api.app import create_app
from kithkin.api.search_schemas import SearchResults
from kithkin.cli import app
from kithkin.ingest import import_paths
from kithkin.insight.search import search
from kithkin.workspace import Workspace

FILLER = "We went over the plan again and agreed on the next steps. "  # 58 characters


def spans_text(item: dict) -> str:
    return "".join(span["text"] for span in item["snippet_spans"])


def write_mbox(path: Path) -> Path:
    body = FILLER * 10 + "Ask Maria about the lawyer. " + FILLER * 40 + "The notary is in Porto."
    path.write_bytes(
        (
            "From ana@x.test Mon Mar  4 10:00:00 2024\n"
            "From: Ana Lopes <ana@x.test>\nTo: Owner Person <me@example.org>\n"
            "Subject: Plans for the move\nDate: Mon, 04 Mar 2024 10:00:00 +0000\nMessage-ID: <m1@x.test>\n"
            "Content-Type: text/plain; charset=utf-8\n\n"
            f"{body}\n\n"
        ).encode()
    )
    return path


def test_a_mail_is_searched_by_its_subject_and_its_bodys_first_2000_characters(tmp_path, workspace):
    import_paths(workspace, "mail", [write_mbox(tmp_path / "inbox.mbox")])
    [found] = search(workspace.conn, "lawyer")["conversations"]["items"]
    assert found["title"] == "Plans for the move"
    assert [s["text"] for s in found["snippet_spans"] if s["match"]] == ["lawyer"]
    assert search(workspace.conn, "move")["conversations"]["total"] == 1  # the subject
    assert search(workspace.conn, "porto")["conversations"]["total"] == 0  # beyond the kept opening
    stored = workspace.conn.execute("SELECT snippet FROM interactions").fetchone()[0]
    assert len(stored) == 200 and "lawyer" not in stored  # the timeline's snippet stays short


def test_a_note_is_searched_whole(tmp_path, workspace):
    vault = tmp_path / "vault"
    (vault / "People").mkdir(parents=True)
    (vault / "People" / "Ana Lopes.md").write_text(
        "---\ncreated: 2024-03-05\n---\n# Ana Lopes\n\n" + FILLER * 60 + "\nShe recommended a lawyer in Lisbon.\n"
    )
    import_paths(workspace, "vault", [vault])
    [found] = search(workspace.conn, '"lawyer in lisbon"')["conversations"]["items"]
    assert spans_text(found).endswith("She recommended a lawyer in Lisbon.")
    assert [s["text"] for s in found["snippet_spans"] if s["match"]] == ["lawyer in Lisbon"]


def test_a_meeting_is_searched_by_its_title_and_whole_description(tmp_path, workspace):
    description = (FILLER * 8).strip() + " Bring the résumé."
    day = (datetime.now(UTC) - timedelta(days=30)).strftime("%Y%m%d")  # inside the calendar's window
    ics = tmp_path / "cal.ics"
    ics.write_text(
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//EN\r\nBEGIN:VEVENT\r\nUID:e1@t\r\n"
        f"DTSTAMP:{day}T100000Z\r\nDTSTART:{day}T100000Z\r\nDTEND:{day}T110000Z\r\n"
        f"SUMMARY:Hiring panel\r\nDESCRIPTION:{description}\r\n"
        "ORGANIZER;CN=Owner Person:mailto:me@example.org\r\nATTENDEE;CN=Ana Lopes:mailto:ana@x.test\r\n"
        "END:VEVENT\r\nEND:VCALENDAR\r\n"
    )
    import_paths(workspace, "calendar", [ics])
    [found] = search(workspace.conn, "resume")["conversations"]["items"]
    assert found["title_spans"] == [{"text": "Hiring panel", "match": False}]
    assert [s["text"] for s in found["snippet_spans"] if s["match"]] == ["résumé"]
    assert [p["name"] for p in found["people"]] == ["Ana Lopes"]
    assert search(workspace.conn, "hiring")["conversations"]["total"] == 1


def test_the_command_line_prints_json_and_text(tmp_path, home):
    with Workspace.open(home) as workspace:
        import_paths(workspace, "mail", [write_mbox(tmp_path / "inbox.mbox")])
    runner = CliRunner()
    result = runner.invoke(app, ["search", "lawyer", "--home", str(home), "--json"], catch_exceptions=False)
    assert result.exit_code == 0
    data = json.loads(result.stdout)
    assert [p["canonical_name"] for p in data["people"]["items"]] == ["Ana Lopes"]
    assert data["conversations"]["total"] == 1
    result = runner.invoke(app, ["search", "lawyer", "--home", str(home), "--person", "Ana Lopes"])
    assert result.exit_code == 0
    assert "Plans for the move" in result.stdout and "Conversations (1)" in result.stdout
    result = runner.invoke(app, ["search", "lawyer", "--home", str(home), "--person", "Zed"])
    assert result.exit_code == 1
    assert "Nobody is called 'Zed'" in result.stderr


def test_the_http_endpoint_answers_and_refuses_in_words(tmp_path, workspace):
    import_paths(workspace, "mail", [write_mbox(tmp_path / "inbox.mbox")])
    with TestClient(create_app(workspace=workspace)) as client:
        body = client.get("/api/crm/search", params={"q": "lawyer", "source": "mail"}).json()
        assert body["conversations"]["total"] == 1
        # the route sends its answer unchecked: it must be what the response model says
        assert SearchResults.model_validate(body).model_dump(mode="json") == body
        person = body["people"]["items"][0]["id"]
        assert (
            client.get("/api/crm/search", params={"q": "lawyer", "person": person}).json()["conversations"]["total"]
            == 1
        )
        missing = client.get("/api/crm/search", params={"q": "lawyer", "person": "p_nobody"})
        assert missing.status_code == 404 and missing.json() == {"detail": "There is no person p_nobody."}
        bad = client.get("/api/crm/search", params={"q": "lawyer", "after": "soon"})
        assert bad.status_code == 400
        assert bad.json() == {"detail": "after: 'soon' is not a date; use YYYY-MM-DD or an ISO time."}
        assert client.get("/api/crm/search", params={"q": '"(NEAR'}).status_code == 200
