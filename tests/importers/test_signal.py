"""Signal: signal-export chat folders (1:1 and groups with meta.json), signal-cli JSON lines and
signalbackup-tools --exporttxt files."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest
from typer.testing import CliRunner

from kithkin.cli import app
from kithkin.demo.cast import make_cast
from kithkin.demo.signal import write as write_demo
from kithkin.importers import sniff_source
from kithkin.ingest import import_paths
from kithkin.models import KithkinError


def message(date, sender, body, **extra):
    record = {
        "date": date,
        "sender": sender,
        "body": body + "  ",
        "quote": "",
        "sticker": None,
        "reactions": [],
        "attachments": [],
        "deleted": False,
        "call": False,
        "missed": False,
    }
    return json.dumps({**record, **extra}, ensure_ascii=False)


def signal_export(root):
    ana = root / "Ana Silva"
    ana.mkdir(parents=True)
    (ana / "chat.md").write_text("[2024-03-01 09:00:00] Ana Silva: Coffee?\n", encoding="utf-8")
    (ana / "data.json").write_text(
        "\n".join(
            [
                message("2024-03-01T09:00:00", "Ana Silva", "Coffee?", reactions=[{"name": "Me", "emoji": "👍"}]),
                message("2024-03-01T09:05:30", "Me", "Sure, 10am", quote="\n\n> Coffee?\n\n"),
                message("2024-03-01T09:06:00", "Me", "", attachments=[{"name": "a.jpg", "path": "media/a.jpg"}]),
                message("2024-03-02T18:00:00", "Ana Silva", "(deleted)", deleted=True),
            ]
        )
        + "\n",
        encoding="utf-8",
    )
    group = root / "Book Club"
    group.mkdir()
    members = [
        {"name": "Ana Silva", "display_name": "Ana", "number": "+14155550111", "other_groups": []},
        {"name": "Ben Okafor", "display_name": "Benny", "number": "+14155550122", "other_groups": []},
        {"name": None, "display_name": "Chloe", "number": "", "other_groups": []},
    ]
    (group / "meta.json").write_text(json.dumps({"name": "Book Club", "exported_by": "Alex", "members": members}))
    (group / "data.json").write_text(
        message("2024-03-03T20:00:00", "Ben Okafor", "Next book?")
        + "\n"
        + "{not json\n"
        + message("2024-03-03T20:01:00", "Me", "Dune")
        + "\n",
        encoding="utf-8",
    )
    return root


def local(*parts):
    return datetime(*parts).astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def test_signal_export_folder_chats_groups_direction_and_members(workspace, tmp_path):
    root = signal_export(tmp_path / "signal-chats")
    result = CliRunner().invoke(app, ["import", "signal", str(root), "--home", str(workspace.home), "--json"])
    assert result.exit_code == 0, result.stderr
    summary = json.loads(result.stdout)
    assert summary["interactions"] == 5  # the deleted message is not one
    assert len(summary["errors"]) == 1 and "Book Club/data.json: line 2" in summary["errors"][0]
    rows = workspace.conn.execute(
        "SELECT occurred_at, direction, participant_count, context, snippet FROM interactions ORDER BY occurred_at"
    ).fetchall()
    assert [tuple(r) for r in rows] == [
        (local(2024, 3, 1, 9, 0), "in", 1, None, "Coffee?"),
        (local(2024, 3, 1, 9, 5, 30), "out", 1, None, "Sure, 10am"),
        (local(2024, 3, 1, 9, 6), "out", 1, None, None),
        (local(2024, 3, 3, 20, 0), "in", 3, "Book Club", "Next book?"),
        (local(2024, 3, 3, 20, 1), "out", 3, "Book Club", "Dune"),
    ]
    found = workspace.conn.execute("SELECT canonical_name, phone_numbers FROM people")
    people = {r[0]: json.loads(r[1]) for r in found}
    assert people == {"Ana Silva": ["+14155550111"], "Ben Okafor": ["+14155550122"], "Chloe": []}
    again = import_paths(workspace, "signal", [root])
    assert again.interactions == 0
    assert (again.details["read"], again.details["imported"], again.details["left_out"]) == (
        {"messages": 6},
        {"messages": 5},
        {"deleted messages": 1},
    )


def test_signal_export_markdown_without_data_json_imports_whole(workspace, tmp_path):
    # `sigexport --no-json` writes only chat.md; versions before data.json wrote index.md with minute dates.
    root = tmp_path / "signal-chats"
    (root / "Ana Silva").mkdir(parents=True)
    (root / "Ana Silva" / "chat.md").write_text(
        "[2024-03-01 09:00:00] Ana Silva: Coffee?\n"
        "Or tea.\n"
        "(- Me: 👍 -)\n\n"
        "[2024-03-01 09:05:30] Me: \n\n> Coffee?\n> Or tea.\n\nSure, 10am: the usual place\n\n"
        "[2024-03-01 09:06:00] Me: ![IMG_0001.jpg](./media/IMG_0001.jpg)  \n\n"
        "[2024-03-01 09:07:00] Ana Silva: (image not exported)  \n\n"
        "[2024-03-01 21:00:00] Me: Outgoing voice call (accepted, 2m 5s)\n\n"
        "[2024-03-02 18:00:00] Ana Silva: (This message was deleted)\n\n",
        encoding="utf-8",
    )
    (root / "Book Club").mkdir()
    (root / "Book Club" / "meta.json").write_text(
        json.dumps({"name": "Book Club", "members": [{"name": "Ben Okafor", "number": "+14155550122"}]}),
        encoding="utf-8",
    )
    (root / "Book Club" / "index.md").write_text(
        "[2019-12-24, 12:23] Ben Okafor: Next book?\n[2019-12-24, 12:30] Me: Dune\n", encoding="utf-8"
    )

    summary = import_paths(workspace, "signal", [root])

    assert (summary.interactions, summary.skipped, summary.errors) == (7, 0, [])
    assert summary.details["read"] == {"messages": 8}
    assert summary.details["imported"] == {"messages": 6, "calls": 1}
    assert summary.details["left_out"] == {"deleted messages": 1}
    rows = workspace.conn.execute(
        "SELECT occurred_at, kind, direction, participant_count, context, snippet FROM interactions"
        " ORDER BY occurred_at"
    ).fetchall()
    assert [tuple(r) for r in rows] == [
        (local(2019, 12, 24, 12, 23), "message", "in", 1, "Book Club", "Next book?"),
        (local(2019, 12, 24, 12, 30), "message", "out", 1, "Book Club", "Dune"),
        (local(2024, 3, 1, 9, 0), "message", "in", 1, None, "Coffee?\nOr tea."),
        (local(2024, 3, 1, 9, 5, 30), "message", "out", 1, None, "Sure, 10am: the usual place"),
        (local(2024, 3, 1, 9, 6), "message", "out", 1, None, None),
        (local(2024, 3, 1, 9, 7), "message", "in", 1, None, None),
        (local(2024, 3, 1, 21, 0), "call", "out", 1, None, "Outgoing voice call (accepted, 2m 5s)"),
    ]
    found = workspace.conn.execute("SELECT canonical_name, phone_numbers FROM people")
    assert {r[0]: json.loads(r[1]) for r in found} == {"Ana Silva": [], "Ben Okafor": ["+14155550122"]}
    assert import_paths(workspace, "signal", [root]).interactions == 0


def test_chat_miners_signal_sample_imports_whole(workspace, realdata):
    summary = import_paths(workspace, "signal", [realdata / "signal" / "chat-miner-test_export.txt"])

    assert (summary.interactions, summary.skipped, summary.errors) == (2, 0, [])
    rows = workspace.conn.execute("SELECT occurred_at, direction, snippet FROM interactions ORDER BY occurred_at")
    assert [tuple(r) for r in rows] == [
        (local(2019, 12, 24, 12, 23), "in", "Hello John!"),
        (local(2020, 1, 17, 21, 49), "in", "Hello\nJane!"),
    ]
    assert sorted(r[0] for r in workspace.conn.execute("SELECT canonical_name FROM people")) == ["Jane Doe", "John Doe"]


CLI_LINES = [
    {
        "envelope": {
            "source": "+14155550111",
            "sourceNumber": "+14155550111",
            "sourceUuid": "uuid-ana",
            "sourceName": "Ana Silva",
            "sourceDevice": 1,
            "timestamp": 1700000000000,
            "dataMessage": {"timestamp": 1700000000000, "message": "hello", "expiresInSeconds": 0, "viewOnce": False},
        },
        "account": "+14155550100",
    },
    {
        "envelope": {
            "source": "+14155550111",
            "sourceNumber": "+14155550111",
            "sourceUuid": "uuid-ana",
            "sourceName": "Ana Silva",
            "timestamp": 1700000001000,
            "receiptMessage": {"when": 1700000001000, "isDelivery": True, "timestamps": [1]},
        },
        "account": "+14155550100",
    },
    {
        "envelope": {
            "source": "+14155550111",
            "sourceNumber": "+14155550111",
            "sourceUuid": "uuid-ana",
            "sourceName": "Ana Silva",
            "timestamp": 1700000002000,
            "dataMessage": {
                "timestamp": 1700000002000,
                "message": None,
                "reaction": {
                    "emoji": "❤️",
                    "targetAuthor": "+14155550100",
                    "targetSentTimestamp": 1700000000000,
                    "isRemove": False,
                },
            },
        },
        "account": "+14155550100",
    },
    {
        "envelope": {
            "source": "+14155550122",
            "sourceNumber": "+14155550122",
            "sourceUuid": "uuid-ben",
            "sourceName": "Ben Okafor",
            "timestamp": 1700000100000,
            "dataMessage": {
                "timestamp": 1700000100000,
                "message": "climb tonight?",
                "groupInfo": {"groupId": "R3JvdXA=", "groupName": "Climbing", "type": "DELIVER"},
            },
        },
        "account": "+14155550100",
    },
    {
        "envelope": {
            "source": "+14155550100",
            "sourceNumber": "+14155550100",
            "sourceUuid": "uuid-me",
            "sourceName": "Alex",
            "timestamp": 1700000200000,
            "syncMessage": {
                "sentMessage": {
                    "destination": "+14155550111",
                    "destinationNumber": "+14155550111",
                    "destinationUuid": "uuid-ana",
                    "timestamp": 1700000200000,
                    "message": "hi Ana",
                }
            },
        },
        "account": "+14155550100",
    },
]


def test_signal_cli_json_lines_skip_receipts_and_reactions(workspace, tmp_path):
    path = tmp_path / "receive.jsonl"
    path.write_text("".join(json.dumps(line) + "\n" for line in CLI_LINES), encoding="utf-8")
    summary = import_paths(workspace, "signal", [path])
    assert (summary.interactions, summary.errors) == (3, [])
    rows = workspace.conn.execute(
        "SELECT source_id, direction, context, snippet FROM interactions ORDER BY occurred_at"
    ).fetchall()
    assert [tuple(r) for r in rows] == [
        ("uuid-ana:1700000000000", "in", None, "hello"),
        ("uuid-ben:1700000100000", "in", "Climbing", "climb tonight?"),
        ("uuid-me:1700000200000", "out", None, "hi Ana"),
    ]
    assert sorted(r[0] for r in workspace.conn.execute("SELECT canonical_name FROM people")) == [
        "Ana Silva",
        "Ben Okafor",
    ]


def test_wrong_files_are_refused_with_nothing_written(workspace, tmp_path):
    other = tmp_path / "data.json"
    other.write_text('{"hello": "world"}\n')
    with pytest.raises(KithkinError, match=r"data\.json: is not a Signal export"):
        import_paths(workspace, "signal", [other])
    empty = tmp_path / "empty-folder"
    empty.mkdir()
    with pytest.raises(KithkinError, match=r"empty-folder: is not a Signal export"):
        import_paths(workspace, "signal", [empty])
    root = signal_export(tmp_path / "mixed")
    (root / "Stray").mkdir()
    (root / "Stray" / "data.json").write_text("not json at all\n")
    with pytest.raises(KithkinError, match=r"Stray/data\.json: is not a Signal export"):
        import_paths(workspace, "signal", [root])
    assert workspace.conn.execute("SELECT COUNT(*) FROM source_entities").fetchone()[0] == 0


def test_demo_export_imports_without_errors(workspace, tmp_path):
    paths = write_demo(make_cast(120, seed=5), tmp_path)
    summary = import_paths(workspace, "signal", paths)
    assert summary.errors == [] and summary.interactions > 0
    contexts = {r[0] for r in workspace.conn.execute("SELECT DISTINCT context FROM interactions")}
    assert contexts == {None, "Family"}
    directions = {r[0] for r in workspace.conn.execute("SELECT DISTINCT direction FROM interactions")}
    assert directions == {"in", "out"}


# -- signalbackup-tools --exporttxt ---------------------------------------------------------------

ME, ZOE, JONAS = "Owner Person", "Zoë Müller", "Jonas Ødegaard"


def stamp(when):
    return when.strftime("%b %d, %Y %H:%M:%S")  # exporttxt.cc, in the C locale


def said(when, user, body):
    return f"[{stamp(when)}] <{user}> {body}"


def sent_file(when, user, what):
    return f"[{stamp(when)}] *** <{user}> sent file {what}"


def status(when, text):
    return f"[{stamp(when)}] *** {text}"


def poll_option(when, user, votes, option):
    # aligned under the question by byte counts (std::string::length), so "Ø" indents two
    return " " * (len(stamp(when)) + 4 + len(user.encode())) + f"        [{votes}] {option}"


def exporttxt(root, me=ME, later=()):
    """A `--exporttxt` folder as the tool writes it: one `<display name> (_id<thread>).txt` per thread."""
    root.mkdir(parents=True, exist_ok=True)
    day, evening = datetime(2023, 7, 10, 1, 23, 45), datetime(2023, 8, 1, 18, 0)
    chat = [
        said(day, ZOE, f"Are you coming Saturday? ({me}: 👍)"),
        said(day.replace(minute=25), me, "Yes!\nBringing the cake,\n\nand the candles"),
        sent_file(day.replace(minute=26), me, '"IMG_0042.jpg"'),
        sent_file(day.replace(minute=26), me, "of type image/jpeg"),
        said(day.replace(minute=26), me, "the venue"),
        status(datetime(2023, 7, 11, 9, 0), "Missed voice call"),
        status(datetime(2023, 7, 11, 9, 5), "Outgoing video call"),
        status(datetime(2023, 7, 12, 8, 0), f"Your safety number with {ZOE} has changed."),
        sent_file(datetime(2023, 7, 12, 8, 1), ZOE, f'"voice.m4a" ({me}: ❤️)'),
        *later,
    ]
    group = [
        status(evening, f"{JONAS} added you to the group."),
        said(evening.replace(minute=2), JONAS, "Bouldering tonight?"),
        said(evening.replace(minute=3), me, f"In! @{JONAS} bring chalk"),
        said(evening.replace(minute=4), ZOE, f"Me too ({JONAS}: 👍; {me}: 🔥)"),
        said(evening.replace(minute=10), JONAS, "Poll: Which gym?"),
        poll_option(evening.replace(minute=10), JONAS, 2, "Boulderhaus"),
        poll_option(evening.replace(minute=10), JONAS, 0, "Kletterhalle"),
        status(evening.replace(hour=19), "Group call"),
    ]
    (root / f"{ZOE} (_id3).txt").write_text("".join(line + "\n" for line in chat), encoding="utf-8")
    (root / "Climbing Crew (_id7).txt").write_text("".join(line + "\n" for line in group), encoding="utf-8")
    (root / "Nobody (_id9).txt").write_text("")  # every message deleted: the tool still made the file
    (root / f"{me} (_id1).txt").write_text(said(day, me, "Note to self: buy chalk") + "\n", encoding="utf-8")
    return root


def test_exporttxt_folder_chats_groups_calls_and_owner(workspace, tmp_path):
    root = exporttxt(tmp_path / "signal-txt")
    assert sniff_source(root) == "signal" and sniff_source(root / "Climbing Crew (_id7).txt") == "signal"
    summary = import_paths(workspace, "signal", [root])
    assert (summary.interactions, summary.errors) == (10, [])
    rows = workspace.conn.execute(
        "SELECT occurred_at, kind, direction, participant_count, thread_id, context, snippet, metadata"
        " FROM interactions ORDER BY occurred_at, id"
    ).fetchall()
    one, group = f"txt:{ZOE} (_id3)", "txt:Climbing Crew (_id7)"
    poll = datetime(2023, 8, 1, 18, 10)
    options = poll_option(poll, JONAS, 2, "Boulderhaus") + "\n" + poll_option(poll, JONAS, 0, "Kletterhalle")
    assert [tuple(r[:7]) for r in rows] == [
        (local(2023, 7, 10, 1, 23, 45), "message", "in", 1, one, None, "Are you coming Saturday?"),
        (local(2023, 7, 10, 1, 25, 45), "message", "out", 1, one, None, "Yes!\nBringing the cake,\n\nand the candles"),
        (local(2023, 7, 10, 1, 26, 45), "message", "out", 1, one, None, "the venue"),
        (local(2023, 7, 11, 9, 0), "call", "in", 1, one, None, None),
        (local(2023, 7, 11, 9, 5), "call", "out", 1, one, None, None),
        (local(2023, 7, 12, 8, 1), "message", "in", 1, one, None, None),
        (local(2023, 8, 1, 18, 2), "message", "in", 2, group, "Climbing Crew", "Bouldering tonight?"),
        (local(2023, 8, 1, 18, 3), "message", "out", 2, group, "Climbing Crew", f"In! @{JONAS} bring chalk"),
        (local(2023, 8, 1, 18, 4), "message", "in", 2, group, "Climbing Crew", "Me too"),
        (local(2023, 8, 1, 18, 10), "message", "in", 2, group, "Climbing Crew", f"Poll: Which gym?\n{options}"),
    ]
    assert [json.loads(r[7] or "{}").get("attachments") for r in rows[:6]] == [None, None, 2, None, None, 1]
    people = sorted(r[0] for r in workspace.conn.execute("SELECT canonical_name FROM people"))
    assert people == [JONAS, ZOE]
    assert import_paths(workspace, "signal", [root]).interactions == 0


def test_exporttxt_reexport_adds_only_new_messages_and_finds_the_owner_by_name(workspace, tmp_path):
    """The owner's Signal name need not be the configured one: a 1:1 file is named after its contact,
    so its other author is the owner, in the groups as well. A reaction added since changes no message."""
    root = exporttxt(tmp_path / "first", me="Ålex")
    assert import_paths(workspace, "signal", [root]).interactions == 10
    later = [said(datetime(2023, 9, 1, 12, 0), "Ålex", "Happy birthday! (Zoë Müller: ❤️)")]
    again = exporttxt(tmp_path / "second", me="Ålex", later=later)
    (again / f"{ZOE} (_id3).txt").write_text(
        (again / f"{ZOE} (_id3).txt").read_text(encoding="utf-8").replace("(Ålex: 👍)", "(Ålex: 👍; Zoë Müller: 😂)"),
        encoding="utf-8",
    )
    summary = import_paths(workspace, "signal", [again])
    assert (summary.interactions, summary.errors) == (1, [])  # another folder, the same messages but one
    directions = workspace.conn.execute(
        "SELECT direction, COUNT(*) FROM interactions GROUP BY direction ORDER BY direction"
    ).fetchall()
    assert [tuple(r) for r in directions] == [("in", 6), ("out", 5)]
    assert sorted(r[0] for r in workspace.conn.execute("SELECT canonical_name FROM people")) == [JONAS, ZOE]


def test_exporttxt_foreign_or_damaged_files_are_refused_or_left_out(workspace, tmp_path):
    whatsapp = tmp_path / "WhatsApp Chat with Zoë.txt"
    whatsapp.write_text("10/07/2023, 01:23 - Zoë: hi\n", encoding="utf-8")
    with pytest.raises(KithkinError, match=r"WhatsApp Chat with Zoë\.txt: is not a Signal export: .*--exporttxt"):
        import_paths(workspace, "signal", [whatsapp])
    root = exporttxt(tmp_path / "signal-txt")
    broken = root / "Broken (_id11).txt"
    broken.write_bytes(b"\x00\x01garbage\n[Jul 10, 2023 01:23:45] <A> b\n")
    with pytest.raises(KithkinError, match=r"Broken \(_id11\)\.txt: is not a Signal export"):
        import_paths(workspace, "signal", [broken])
    assert workspace.conn.execute("SELECT COUNT(*) FROM source_entities").fetchone()[0] == 0
    # Inside a folder, the damaged file is left out and named; the chats beside it import.
    summary = import_paths(workspace, "signal", [root])
    assert summary.details["files_left_out"] == {str(broken): "not a signal file"}
    assert summary.interactions > 0


def rpc(params: dict) -> dict:
    return {"jsonrpc": "2.0", "method": "receive", "params": params}


def test_the_signal_cli_daemon_json_rpc_notifications_are_read(workspace, tmp_path):
    """`signal-cli daemon` (or `jsonRpc`) output saved as it came: a reply to an earlier request, then one
    `receive` notification per envelope, typing notices and receipts among them."""
    typing = {
        "envelope": {
            "source": "+14155550122",
            "sourceNumber": "+14155550122",
            "sourceUuid": "uuid-ben",
            "sourceName": "Ben Okafor",
            "sourceDevice": 1,
            "timestamp": 1700000090000,
            "serverReceivedTimestamp": 1700000090100,
            "serverDeliveredTimestamp": 1700000090200,
            "typingMessage": {"action": "STARTED", "timestamp": 1700000090000},
        },
        "account": "+14155550100",
    }
    sent_to_group = {
        "envelope": {
            "source": "+14155550100",
            "sourceNumber": "+14155550100",
            "sourceUuid": "uuid-me",
            "sourceName": "Alex",
            "timestamp": 1700000300000,
            "syncMessage": {
                "sentMessage": {
                    "timestamp": 1700000300000,
                    "message": "yes! 7pm",
                    "groupInfo": {"groupId": "R3JvdXA=", "groupName": "Climbing", "revision": 4, "type": "DELIVER"},
                }
            },
        },
        "account": "+14155550100",
    }
    sticker = {
        "envelope": {
            "sourceNumber": "+14155550111",
            "sourceUuid": "uuid-ana",
            "sourceName": "Ana Silva",
            "timestamp": 1700000400000,
            "dataMessage": {
                "timestamp": 1700000400000,
                "message": None,
                "sticker": {"packId": "abc", "stickerId": 3},
            },
        },
        "account": "+14155550100",
    }
    lines = [
        {"jsonrpc": "2.0", "result": {"timestamp": 1699999999000}, "id": 1},
        rpc(CLI_LINES[0]),
        rpc(typing),
        rpc(CLI_LINES[1]),
        rpc(CLI_LINES[3]),
        rpc(sent_to_group),
        rpc(CLI_LINES[2]),
        rpc(sticker),
    ]
    path = tmp_path / "signal-daemon.log"
    path.write_text("".join(json.dumps(line) + "\n" for line in lines), encoding="utf-8")
    assert sniff_source(path) == "signal"

    summary = import_paths(workspace, "signal", [path])

    assert (summary.interactions, summary.skipped) == (4, 0)
    rows = workspace.conn.execute(
        "SELECT source_id, direction, context, thread_id, snippet FROM interactions ORDER BY occurred_at"
    ).fetchall()
    assert [tuple(r) for r in rows] == [
        ("uuid-ana:1700000000000", "in", None, "cli:uuid-ana", "hello"),
        ("uuid-ben:1700000100000", "in", "Climbing", "cli:R3JvdXA=", "climb tonight?"),
        ("uuid-me:1700000300000", "out", "Climbing", "cli:R3JvdXA=", "yes! 7pm"),
        ("uuid-ana:1700000400000", "in", None, "cli:uuid-ana", None),
    ]
    assert summary.details == {
        "left_out": {"other JSON-RPC replies": 1, "typing notices": 1, "receipts": 1, "reactions": 1},
        "read": {"envelopes": 7},
        "imported": {"messages": 4},
    }
    assert sorted(r[0] for r in workspace.conn.execute("SELECT canonical_name FROM people")) == [
        "Ana Silva",
        "Ben Okafor",
    ]


def test_a_json_array_of_envelopes_and_a_folder_of_receive_files_are_read(workspace, tmp_path):
    folder = tmp_path / "signal-cli"
    folder.mkdir()
    # signal-cli-rest-api's GET /v1/receive answers one JSON array of {envelope, account}.
    (folder / "receive-1.json").write_text(json.dumps(CLI_LINES[:2]), encoding="utf-8")
    (folder / "receive-2.json").write_text(json.dumps(CLI_LINES[3]) + "\n", encoding="utf-8")

    summary = import_paths(workspace, "signal", [folder])

    assert (summary.interactions, summary.skipped) == (2, 0)
    assert summary.details["left_out"] == {"receipts": 1}
