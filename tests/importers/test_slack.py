"""Slack: a workspace export zip (users, channels, private groups, DMs, group DMs, per-day files)."""

from __future__ import annotations

import json
import zipfile

import pytest
from typer.testing import CliRunner

from kithkin.cli import app
from kithkin.demo.cast import make_cast
from kithkin.demo.slack import write as write_demo
from kithkin.importers import sniff_source
from kithkin.ingest import import_paths
from kithkin.models import KithkinError


def user(uid, name, display, email=None, **extra):
    profile = {"real_name": name, "display_name": display, "title": extra.pop("title", "")}
    if email:
        profile["email"] = email
    return {
        "id": uid,
        "team_id": "T01",
        "name": display.lower(),
        "real_name": name,
        "deleted": False,
        "is_bot": False,
        "profile": profile,
        **extra,
    }


USERS = [
    user("U01", "Owner Person", "owner", "me@example.org"),
    user("U02", "Ana Silva", "ana", "ana@example.com", title="Engineer"),
    user("U03", "Ben Okafor", "benny"),  # no profile.email: the token could not see it
    {"id": "U04", "name": "chloe", "deleted": True, "profile": {"real_name": "Chloe Moreau", "display_name": ""}},
    {"id": "B01", "name": "deploybot", "is_bot": True, "deleted": False, "profile": {"real_name": "Deploy Bot"}},
    {"id": "USLACKBOT", "name": "slackbot", "is_bot": False, "deleted": False, "profile": {"real_name": "Slackbot"}},
    user("U05", "Dev One", "dev1"),
]
CHANNELS = [
    {
        "id": "C01",
        "name": "general",
        "created": 1700000000,
        "creator": "U01",
        "is_archived": False,
        "members": ["U01", "U02", "U03", "U04", "U05", "B01"],
        "topic": {"value": ""},
        "purpose": {"value": ""},
    },
    {"id": "C02", "name": "climbing", "created": 1700000000, "creator": "U03", "members": ["U01", "U02", "U03"]},
]
GROUPS = [{"id": "G01", "name": "secret-project", "created": 1700000000, "members": ["U01", "U02"]}]
DMS = [{"id": "D01", "created": 1700000000, "members": ["U01", "U02"]}]
MPIMS = [{"id": "G02", "name": "mpdm-owner--ana--benny-1", "created": 1700000000, "members": ["U01", "U02", "U03"]}]


def msg(user_id, ts, text, **extra):
    return {"type": "message", "user": user_id, "text": text, "ts": ts, **extra}


DAYS = {
    "general/2024-01-15.json": [
        msg("U03", "1705312700.000050", "<@U03> has joined the channel", subtype="channel_join"),
        msg("U02", "1705312800.000100", "Hi <@U03|benny>, welcome", thread_ts="1705312800.000100", reply_count=1),
        {"type": "message", "subtype": "bot_message", "bot_id": "B01", "text": "deploy done", "ts": "1705312900.0"},
        msg("USLACKBOT", "1705313000.000000", "reminder"),
        msg("U04", "1705313100.000200", "an old message"),
    ],
    "general/2024-01-16.json": [
        msg("U01", "1705399200.000200", "thanks all", thread_ts="1705312800.000100", parent_user_id="U02"),
    ],
    "climbing/2024-01-15.json": [
        msg("U03", "1705320000.000300", "rope?"),
        # a guest from another workspace (a shared channel): not in users.json, described by the message
        msg("U09", "1705320001.000000", "I have one", user_profile={"real_name": "Eve Guest", "display_name": "eve"}),
    ],
    "climbing/2024-01-16.json": "not json",
    "secret-project/2024-01-17.json": [msg("U02", "1705490000.000400", "shh")],
    "D01/2024-01-17.json": [msg("U02", "1705500000.000500", "lunch?"), msg("U01", "1705500060.000600", "yes")],
    "mpdm-owner--ana--benny-1/2024-01-18.json": [msg("U03", "1705590000.000700", "hey all")],
}


# What the export above stores with a channel limit of 4, oldest first: (source id, direction, participants,
# context, thread, snippet, member count).
EXPORTED = [
    # #general has 5 people (more than 4): only the author and whom they mention
    ("C01:1705312800.000100", "in", 2, "#general", "C01:1705312800.000100", "Hi @benny, welcome", 6),
    ("C01:1705313100.000200", "in", 1, "#general", "C01", "an old message", 6),
    ("C02:1705320000.000300", "in", 3, "#climbing", "C02", "rope?", 3),
    ("C02:1705320001.000000", "in", 4, "#climbing", "C02", "I have one", 3),
    ("C01:1705399200.000200", "out", 1, "#general", "C01:1705312800.000100", "thanks all", 6),
    ("G01:1705490000.000400", "in", 2, "#secret-project", "G01", "shh", 2),
    ("D01:1705500000.000500", "in", 2, None, "D01", "lunch?", 2),
    ("D01:1705500060.000600", "out", 2, None, "D01", "yes", 2),
    ("G02:1705590000.000700", "in", 3, "mpdm-owner--ana--benny-1", "G02", "hey all", 3),
]


# The people those messages make: never the owner, a bot or Slackbot; the deleted user and the guest too.
PEOPLE = [("Ana Silva", ["ana@example.com"]), ("Ben Okafor", []), ("Chloe Moreau", []), ("Eve Guest", [])]


def stored(workspace):
    """The stored interactions as EXPORTED lists them."""
    rows = workspace.conn.execute(
        "SELECT source_id, direction, participant_count, context, thread_id, snippet, metadata"
        " FROM interactions ORDER BY occurred_at"
    )
    return [(*tuple(r)[:6], json.loads(r[6])["member_count"]) for r in rows]


def people_and_emails(workspace):
    rows = workspace.conn.execute("SELECT canonical_name, emails FROM people ORDER BY canonical_name")
    return [(r[0], json.loads(r[1])) for r in rows]


def slack_zip(path, users_file="users.json", extra=()):
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in [
            (users_file, USERS),
            ("channels.json", CHANNELS),
            ("groups.json", GROUPS),
            ("dms.json", DMS),
            ("mpims.json", MPIMS),
            ("integration_logs.json", []),
        ]:
            archive.writestr(name, json.dumps(data))
        for name, data in DAYS.items():
            archive.writestr(name, data if isinstance(data, str) else json.dumps(data))
        for name, data in extra:
            archive.writestr(name, data)
    return path


def test_workspace_export_people_channels_threads_and_mentions(workspace, tmp_path):
    unlisted = ("old-channel/2024-01-19.json", json.dumps([msg("U02", "1705600000.0", "from a partial export")]))
    path = slack_zip(tmp_path / "Acme Slack export Jan 1 2024 - Jan 31 2024.zip", extra=[unlisted])
    workspace.settings.relationships.slack_channel_max_members = 4
    summary = import_paths(workspace, "slack", [path])
    assert summary.interactions == 9
    assert len(summary.errors) == 1 and "climbing/2024-01-16.json could not be read" in summary.errors[0]
    assert summary.details == {
        "read": {"messages": 12},
        "imported": {"messages": 9},
        "left_out": {
            "notices (joins, leaves, topics, pins)": 1,
            "bot messages": 2,
            "unreadable day files": 1,
            "days of conversations no channel list names": 1,
        },
    }
    assert stored(workspace) == EXPORTED
    assert people_and_emails(workspace) == PEOPLE
    deleted = workspace.conn.execute("SELECT metadata FROM source_entities WHERE source_id = 'U04'").fetchone()
    assert json.loads(deleted[0])["deleted"] is True
    bots = workspace.conn.execute("SELECT COUNT(*) FROM source_entities WHERE source_id IN ('B01', 'USLACKBOT')")
    assert bots.fetchone()[0] == 0
    again = import_paths(workspace, "slack", [path])
    assert again.interactions == 0


def test_slack_export_viewers_test_archive_says_what_it_left_out(workspace, realdata):
    summary = import_paths(workspace, "slack", [realdata / "slack" / "slack-export-viewer-testarchive.zip"])

    assert (summary.interactions, summary.skipped, summary.errors) == (52, 0, [])
    assert summary.details == {
        "read": {"messages": 158},
        "imported": {"messages": 52},
        "left_out": {
            "notices (joins, leaves, topics, pins)": 8,
            "bot messages": 97,
            "messages by no known user": 1,
        },
    }
    contexts = workspace.conn.execute("SELECT context, COUNT(*) FROM interactions GROUP BY context ORDER BY context")
    assert [tuple(r) for r in contexts] == [("#enrique", 30), ("#traveling-sailor", 22)]


def test_default_threshold_lists_a_small_channel_and_the_cli_reads_org_users(workspace, tmp_path):
    path = slack_zip(tmp_path / "grid.zip", users_file="org_users.json")
    result = CliRunner().invoke(app, ["import", "slack", str(path), "--home", str(workspace.home), "--json"])
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout)["interactions"] == 9
    counts = workspace.conn.execute(
        "SELECT participant_count FROM interactions WHERE source_id LIKE 'C01:%' ORDER BY occurred_at"
    )
    assert [r[0] for r in counts] == [5, 5, 5]  # 5 people ≤ 30: every member (never the bot) is listed


def test_unsafe_bomb_and_foreign_zips_are_refused_with_nothing_written(workspace, tmp_path):
    evil = slack_zip(tmp_path / "evil.zip", extra=[("../outside/2024-01-01.json", "[]")])
    with pytest.raises(KithkinError, match=r"evil\.zip: holds an unsafe path \(\.\./outside"):
        import_paths(workspace, "slack", [evil])
    bomb = slack_zip(tmp_path / "bomb.zip", extra=[("general/2024-02-01.json", "[" + " " * 5_000_000 + "]")])
    with pytest.raises(KithkinError, match=r"bomb\.zip: general/2024-02-01\.json unpacks far larger"):
        import_paths(workspace, "slack", [bomb])
    other = tmp_path / "photos.zip"
    with zipfile.ZipFile(other, "w") as archive:
        archive.writestr("data.json", "{}")
    with pytest.raises(KithkinError, match=r"photos\.zip: is not a Slack export"):
        import_paths(workspace, "slack", [other])
    text = tmp_path / "notes.txt"
    text.write_text("hello")
    with pytest.raises(KithkinError, match=r"notes\.txt: is not a Slack export"):
        import_paths(workspace, "slack", [text])
    assert workspace.conn.execute("SELECT COUNT(*) FROM source_entities").fetchone()[0] == 0


def test_demo_export_imports_without_errors(workspace, tmp_path):
    cast = make_cast(300)  # the demo's own size
    workspace.settings.owner.emails = [cast.owner["email"]]
    paths = write_demo(cast, tmp_path)
    summary = import_paths(workspace, "slack", paths)
    assert summary.errors == [] and summary.interactions > 0
    biggest = workspace.conn.execute(
        "SELECT context, MAX(participant_count), json_extract(metadata, '$.member_count') FROM interactions"
        " GROUP BY context ORDER BY 3 DESC LIMIT 1"
    ).fetchone()
    assert biggest[0] == "#general" and biggest[2] > 30 and biggest[1] <= 3  # too big to list its members
    directions = {r[0] for r in workspace.conn.execute("SELECT DISTINCT direction FROM interactions")}
    assert directions == {"in", "out"}
    bots = workspace.conn.execute("SELECT COUNT(*) FROM source_entities WHERE observed_name = 'Deploy Bot'")
    assert bots.fetchone()[0] == 0


def test_an_unpacked_export_folder_reads_the_same(workspace, tmp_path):
    path = slack_zip(tmp_path / "export.zip")
    folder = tmp_path / "unpacked"
    with zipfile.ZipFile(path) as archive:
        archive.extractall(folder)
    assert sniff_source(folder) == "slack" and sniff_source(path) == "slack"
    workspace.settings.relationships.slack_channel_max_members = 4
    summary = import_paths(workspace, "slack", [folder])
    assert summary.interactions == 9
    assert workspace.conn.execute("SELECT COUNT(*) FROM people").fetchone()[0] == 4
