"""Live Slack sync through the Web API, against a Slack Web API served on loopback (tests/fixtures/slack_api.py)."""

from __future__ import annotations

import json
import socket
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from typer.testing import CliRunner

from kithkin.cli import app
from kithkin.config import LiveSource, load_settings, save_settings
from kithkin.importers import slack_api
from kithkin.ingest import import_paths
from kithkin.models import KithkinError
from kithkin.store import sources
from kithkin.sync import sync_source
from kithkin.workspace import Workspace
from tests.importers.test_slack import (
    CHANNELS,
    DAYS,
    EXPORTED,
    GROUPS,
    MPIMS,
    PEOPLE,
    USERS,
    msg,
    people_and_emails,
    slack_zip,
    stored,
    user,
)

if TYPE_CHECKING:
    from tests.fixtures.slack_api import SlackWorkspace

pytest_plugins = ("tests.fixtures.slack_api",)

TOKEN_ENV = "KITHKIN_TEST_SLACK_TOKEN"
# The owner without an email: only the token's user id (auth.test) can tell the sync who the owner is.
LIVE_USERS = [user("U01", "Owner Person", "owner"), *USERS[1:]]
CONVERSATIONS = [
    {"id": "C01", "name": "general", "is_channel": True, "is_private": False, "is_general": True, "created": 1},
    {"id": "C02", "name": "climbing", "is_channel": True, "is_private": False, "created": 1},
    # Private channels made before 2021 say is_group rather than is_channel.
    {"id": "G01", "name": "secret-project", "is_channel": False, "is_group": True, "is_private": True},
    {"id": "D01", "is_im": True, "user": "U02", "is_user_deleted": False, "created": 1},
    {"id": "G02", "name": "mpdm-owner--ana--benny-1", "is_mpim": True, "is_group": True, "is_private": True},
]
MEMBERS = {c["id"]: c["members"] for c in [*CHANNELS, *GROUPS, *MPIMS]}
PARENT = "1705312800.000100"
REPLY = "1705399200.000200"


def served(days: dict[str, Any]) -> tuple[dict[str, list[dict[str, Any]]], dict[str, list[dict[str, Any]]]]:
    """The export's messages as the API serves them: each conversation's history (by id), and the thread's
    replies, which come from conversations.replies and not from the history."""
    ids = {c["name"]: c["id"] for c in [*CHANNELS, *GROUPS, *MPIMS]}
    history: dict[str, list[dict[str, Any]]] = {}
    replies: dict[str, list[dict[str, Any]]] = {PARENT: []}
    for day, messages in days.items():
        folder = day.split("/")[0]
        for message in messages if isinstance(messages, list) else []:  # the export's damaged day is left out
            if message["ts"] == REPLY:
                replies[PARENT].append(message)
            else:
                history.setdefault(ids.get(folder, folder), []).append(message)
    return history, replies


HISTORY, REPLIES = served(DAYS)
# The same rows as the export stores, under the source's account.
FIRST_SYNC = [(f"acme:{source_id}", *rest) for source_id, *rest in EXPORTED]


@pytest.fixture
def slack(slack_server: tuple[SlackWorkspace, str], monkeypatch: pytest.MonkeyPatch) -> SlackWorkspace:
    """The fake workspace filled with the conversations above, the sync pointed at it with a good token."""
    fake, base_url = slack_server
    fake.users = [dict(u) for u in LIVE_USERS]
    fake.conversations = [dict(c) for c in CONVERSATIONS]
    fake.members = {channel: list(members) for channel, members in MEMBERS.items()}
    fake.messages = {channel: list(messages) for channel, messages in HISTORY.items()}
    fake.replies = {ts: list(replies) for ts, replies in REPLIES.items()}
    monkeypatch.setattr(slack_api, "BASE_URL", base_url)
    monkeypatch.setenv(TOKEN_ENV, fake.token)
    for proxy in ("HTTPS_PROXY", "https_proxy", "HTTP_PROXY", "http_proxy"):
        monkeypatch.delenv(proxy, raising=False)  # slack_sdk would send even loopback calls through one
    return fake


def config(**extra: Any) -> LiveSource:
    return LiveSource(type="slack", account="acme", token_env=TOKEN_ENV, **extra)


def nothing_stored(ws: Workspace) -> bool:
    counts = ws.conn.execute("SELECT (SELECT COUNT(*) FROM source_entities), (SELECT COUNT(*) FROM interactions)")
    return tuple(counts.fetchone()) == (0, 0)


def test_first_sync_reads_people_conversations_and_threads_across_pages(
    slack: SlackWorkspace, workspace: Workspace
) -> None:
    workspace.settings.relationships.slack_channel_max_members = 4
    seen: list[tuple[int, int | None]] = []

    summary = sync_source(workspace, config(), progress=lambda done, total: seen.append((done, total)))

    assert (summary.interactions, summary.skipped, summary.errors) == (9, 0, [])
    assert summary.details == {  # the same messages as the export's (test_slack): the same coverage
        "read": {"messages": 12},
        "imported": {"messages": 9},
        "left_out": {"bot messages": 2, "notices (joins, leaves, topics, pins)": 1},
    }
    assert stored(workspace) == FIRST_SYNC
    assert seen[-1] == (9, None)  # messages read; Slack cannot say how many there are before reading them
    assert people_and_emails(workspace) == PEOPLE
    entity = "SELECT metadata, link_status FROM source_entities WHERE source_id = ?"
    deleted = workspace.conn.execute(entity, ("acme:U04",)).fetchone()
    assert json.loads(deleted[0])["deleted"] is True
    assert workspace.conn.execute(entity, ("acme:U01",)).fetchone()[1] == "owner"
    bots = workspace.conn.execute(
        "SELECT COUNT(*) FROM source_entities WHERE source_id LIKE '%B01' OR source_id LIKE '%SLACKBOT'"
    )
    assert bots.fetchone()[0] == 0
    # Two a page: 7 users, 5 conversations, and the members of #general (6), #climbing (3), the private
    # channel (2) and the group DM (3; a DM names its other member itself): every page was asked for.
    assert [len(slack.calls_of(m)) for m in ("users.list", "users.conversations", "conversations.members")] == [4, 3, 8]
    assert [c.get("cursor") is None for c in slack.calls_of("users.list")] == [True, False, False, False]
    assert slack.calls_of("conversations.replies") == [{"channel": "C01", "ts": PARENT, "limit": "200"}]
    assert json.loads(sources.get_cursor(workspace.conn, "slack", "acme") or "") == {
        "C01": "1705313100.000200",
        "C02": "1705320001.000000",
        "D01": "1705500060.000600",
        "G01": "1705490000.000400",
        "G02": "1705590000.000700",
    }


def test_the_next_sync_asks_only_for_newer_messages_and_adds_only_them(
    slack: SlackWorkspace, workspace: Workspace
) -> None:
    assert sync_source(workspace, config()).interactions == 9
    slack.messages["C02"].append(msg("U02", "1705600000.000100", "new rope"))
    slack.messages["D01"].append(
        msg("U02", "1705600100.000000", "dinner?", thread_ts="1705600100.000000", reply_count=1)
    )
    slack.replies["1705600100.000000"] = [msg("U01", "1705600200.000000", "sure", thread_ts="1705600100.000000")]
    slack.calls.clear()

    second = sync_source(workspace, config())

    assert (second.interactions, second.errors) == (3, [])
    asked = {c["channel"]: c["oldest"] for c in slack.calls_of("conversations.history")}
    assert asked == {
        "C01": "1705313100.000200",
        "C02": "1705320001.000000",
        "G01": "1705490000.000400",
        "D01": "1705500060.000600",
        "G02": "1705590000.000700",
    }
    new = [row[:3] for row in stored(workspace)[-3:]]
    assert new == [
        ("acme:C02:1705600000.000100", "in", 3),
        ("acme:D01:1705600100.000000", "in", 2),
        ("acme:D01:1705600200.000000", "out", 2),
    ]
    third = sync_source(workspace, config())
    assert (third.interactions, third.source_entities, third.errors) == (0, 0, [])
    assert workspace.conn.execute("SELECT COUNT(*) FROM interactions").fetchone()[0] == 12


def test_a_rate_limited_call_is_retried_after_retry_after(slack: SlackWorkspace, workspace: Workspace) -> None:
    slack.rate_limited = {"users.list": 1, "conversations.history": 2}

    summary = sync_source(workspace, config())

    assert (summary.interactions, summary.errors) == (9, [])
    # The refused calls were made again with the same arguments: first page of users, first history asked.
    assert slack.calls_of("users.list")[:2] == [{"limit": "200"}] * 2
    assert slack.calls_of("conversations.history")[:3] == [{"channel": "C01", "oldest": "0", "limit": "200"}] * 3


def test_a_bad_token_fails_in_one_sentence_with_nothing_written_then_the_cli_syncs(
    slack: SlackWorkspace, workspace: Workspace, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings = load_settings(workspace.home)
    settings.sources = [config()]
    save_settings(workspace.home, settings)
    monkeypatch.setenv(TOKEN_ENV, "xoxp-revoked")

    failed = CliRunner().invoke(app, ["sync", "slack", "--home", str(workspace.home), "--json"])

    assert failed.exit_code == 1
    assert failed.stderr.strip() == (
        "Slack refused the token of the slack source 'acme' (invalid_auth); create a new user token (xoxp-…) in "
        "your Slack app and store it with `keyring set kithkin slack:acme:token` or in the variable named by "
        "token_env."
    )
    assert nothing_stored(workspace)
    assert [name for name, _ in slack.calls] == ["auth.test"]  # nothing read with a token Slack refused

    monkeypatch.setenv(TOKEN_ENV, slack.token)
    synced = CliRunner().invoke(app, ["sync", "slack", "--home", str(workspace.home), "--json"])
    assert synced.exit_code == 0, synced.stderr
    assert json.loads(synced.stdout)["results"][0]["interactions"] == 9


def test_a_missing_scope_is_named_before_anything_is_read_and_types_can_leave_it_out(
    slack: SlackWorkspace, workspace: Workspace
) -> None:
    slack.scopes.remove("im:history")

    with pytest.raises(KithkinError) as refused:
        sync_source(workspace, config())

    assert str(refused.value) == (
        "The Slack token of the slack source 'acme' lacks the scope im:history; add it under User Token Scopes in "
        "your Slack app, reinstall the app and store the new token, or leave that conversation type out of "
        "'types' in config.yaml."
    )
    assert nothing_stored(workspace)
    narrowed = sync_source(workspace, config(types=["public_channel", "private_channel", "mpim"]))
    assert narrowed.interactions == 7  # every message but the two of the DM
    with pytest.raises(KithkinError, match=r"unknown conversation type 'dms' under types; use any of public_channel"):
        sync_source(workspace, config(types=["dms"]))


def test_a_slack_that_keeps_rate_limiting_fails_with_nothing_written(
    slack: SlackWorkspace, workspace: Workspace, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(slack_api, "RATE_LIMIT_RETRIES", 1)
    slack.rate_limited = {"users.conversations": 2}

    with pytest.raises(KithkinError) as limited:
        sync_source(workspace, config())

    assert str(limited.value) == (
        "Slack kept rate-limiting the sync of the slack source 'acme'; wait a few minutes and run the sync again "
        "(it resumes where it stopped)."
    )
    assert nothing_stored(workspace)
    state = sources.sync_states(workspace.conn)[0]
    assert (state["last_status"], state["cursor"]) == ("error", None)


def test_an_unreachable_slack_fails_in_one_sentence(
    slack: SlackWorkspace, workspace: Workspace, monkeypatch: pytest.MonkeyPatch
) -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]  # free once closed: nothing listens there
    monkeypatch.setattr(slack_api, "BASE_URL", f"http://127.0.0.1:{port}/api/")

    with pytest.raises(KithkinError, match=rf"^Could not reach Slack at http://127\.0\.0\.1:{port}/api/ \(.*refused"):
        sync_source(workspace, config())
    assert nothing_stored(workspace)


def test_a_conversation_slack_refuses_is_reported_and_read_again_next_time(
    slack: SlackWorkspace, workspace: Workspace
) -> None:
    slack.history_errors["G01"] = "channel_not_found"

    first = sync_source(workspace, config())

    assert first.interactions == 8
    assert first.details["left_out"]["conversations that could not be read (retried next sync)"] == 1
    assert first.errors == [
        "Slack conversation secret-project could not be read (channel_not_found); it is retried next sync"
    ]
    assert "G01" not in json.loads(sources.get_cursor(workspace.conn, "slack", "acme") or "")
    del slack.history_errors["G01"]
    assert sync_source(workspace, config()).interactions == 1


def test_messages_imported_from_an_export_are_not_stored_again_by_the_live_sync(
    slack: SlackWorkspace, workspace: Workspace, tmp_path: Path
) -> None:
    exported = import_paths(workspace, "slack", [slack_zip(tmp_path / "export.zip")], account="acme")
    assert exported.interactions == 9

    synced = sync_source(workspace, config())

    assert (synced.interactions, synced.people_created, synced.errors) == (0, 0, [])
    assert workspace.conn.execute("SELECT COUNT(*) FROM interactions").fetchone()[0] == 9
