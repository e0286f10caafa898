"""LinkedIn end to end: Connections.csv and messages.csv as the export writes them, alone, in the
export folder and in the export zip, through the real importer and ingest."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import pytest
from typer.testing import CliRunner

from kithkin.cli import app
from kithkin.demo.cast import make_cast
from kithkin.demo.linkedin import write as write_demo_linkedin
from kithkin.importers import sniff_source
from kithkin.importers.linkedin import LinkedInImporter, profile_key
from kithkin.ingest import import_paths
from kithkin.models import ImportFormatError
from kithkin.workspace import Workspace

CONNECTIONS = (
    "\ufeffNotes:\r\n"
    '"When exporting your connection data, you may notice that some of the email addresses are missing. You will '
    "only see email addresses for connections who have allowed their connections to see or download their email "
    'address using this setting https://www.linkedin.com/psettings/privacy/email. You can learn more here"\r\n'
    "\r\n"
    "First Name,Last Name,URL,Email Address,Company,Position,Connected On\r\n"
    'Ana,Okafor,https://www.linkedin.com/in/ana-okafor-3b2a91,,"Northwind Labs, Inc.","Director, Research",'
    "12 Mar 2024\r\n"
    "Ben,Lindqvist,https://www.linkedin.com/in/benlindqvist,ben@bluefin.example,Bluefin Studio,Designer,"
    "01 Feb 2019\r\n"
    "Chloé,García,https://www.linkedin.com/in/chloe-garcia,,,,15 Jan 2024\r\n"
    ",,,,,,03 Jan 2020\r\n"
)
MESSAGES = (
    "CONVERSATION ID,CONVERSATION TITLE,FROM,SENDER PROFILE URL,TO,RECIPIENT PROFILE URLS,DATE,SUBJECT,CONTENT,"
    "FOLDER,IS MESSAGE DRAFT\r\n"
    "2-AAA=,,Ana Okafor,https://www.linkedin.com/in/ana-okafor-3b2a91,Sam Owner,"
    'https://www.linkedin.com/in/sam-owner,2024-03-14 10:30:00 UTC,,"Hi Sam,\nthanks for connecting!",INBOX,No\r\n'
    "2-AAA=,,Sam Owner,https://www.linkedin.com/in/sam-owner,Ana Okafor,"
    'https://www.linkedin.com/in/ana-okafor-3b2a91/,2024-03-14 11:00:00 UTC,,"<p>Likewise, Ana.</p>",INBOX,No\r\n'
    '2-BBB=,Offsite,Sam Owner,https://www.linkedin.com/in/sam-owner,"Ben Lindqvist, Dana Recruiter",'
    '"https://www.linkedin.com/in/benlindqvist, https://www.linkedin.com/in/dana-r",2024-04-02 09:00:00 UTC,'
    ",Offsite?,INBOX,No\r\n"
    "2-CCC=,,Sam Owner,https://www.linkedin.com/in/sam-owner,Ana Okafor,"
    "https://www.linkedin.com/in/ana-okafor-3b2a91,2024-04-03 09:00:00 UTC,,unsent,INBOX,Yes\r\n"
    "2-DDD=,,Spammy Sales,https://www.linkedin.com/in/spammy,Sam Owner,https://www.linkedin.com/in/sam-owner,"
    "2024-04-04 09:00:00 UTC,,Buy now,SPAM,No\r\n"
    "2-EEE=,,Dana Recruiter,https://www.linkedin.com/in/dana-r,Sam Owner,https://www.linkedin.com/in/sam-owner,"
    "not a date,,Hello,INBOX,No\r\n"
)
PROFILE = "First Name,Last Name,Maiden Name,Headline\r\nSam,Owner,,Engineer\r\n"


def export_folder(root: Path) -> Path:
    root.mkdir(parents=True)
    (root / "Connections.csv").write_text(CONNECTIONS, encoding="utf-8", newline="")
    (root / "messages.csv").write_text(MESSAGES, encoding="utf-8", newline="")
    (root / "Profile.csv").write_text(PROFILE, encoding="utf-8", newline="")
    return root


def export_zip(path: Path) -> Path:
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("Basic_LinkedInDataExport_03-15-2024/Connections.csv", CONNECTIONS)
        archive.writestr("Basic_LinkedInDataExport_03-15-2024/messages.csv", MESSAGES)
        archive.writestr("Basic_LinkedInDataExport_03-15-2024/Invitations.csv", "From,To,Sent At\r\n")
    return path


def people(ws: Workspace) -> dict[str, tuple]:
    rows = ws.conn.execute("SELECT canonical_name, company, position, linkedin_url, emails, sources FROM people")
    return {r[0]: (r[1], r[2], r[3], json.loads(r[4]), json.loads(r[5])) for r in rows}


def messages(ws: Workspace) -> list[tuple]:
    found = []
    for row in ws.conn.execute(
        "SELECT id, thread_id, occurred_at, direction, context, snippet FROM interactions ORDER BY occurred_at"
    ):
        names = ws.conn.execute(
            """SELECT COALESCE(p.canonical_name, se.observed_name), ip.role FROM interaction_participants ip
               JOIN source_entities se ON se.id = ip.source_entity_id
               LEFT JOIN people p ON p.id = se.canonical_person_id WHERE ip.interaction_id = ? ORDER BY 1""",
            (row[0],),
        )
        found.append((*row[1:], [tuple(n) for n in names]))
    return found


def test_connections_with_preamble_enrich_people(tmp_path, workspace):
    path = tmp_path / "Connections.csv"
    path.write_text(CONNECTIONS, encoding="utf-8", newline="")
    summary = import_paths(workspace, "linkedin", [path])

    assert (summary.source_entities, summary.interactions, summary.skipped) == (3, 0, 0)
    assert summary.errors == []
    assert summary.details == {
        "read": {"connections": 4},
        "imported": {"connections": 3},
        "left_out": {"connections with no name (closed or hidden accounts)": 1},
    }
    assert people(workspace) == {
        "Ana Okafor": (
            "Northwind Labs, Inc.",
            "Director, Research",
            "https://www.linkedin.com/in/ana-okafor-3b2a91",
            [],
            ["linkedin"],
        ),
        "Ben Lindqvist": (
            "Bluefin Studio",
            "Designer",
            "https://www.linkedin.com/in/benlindqvist",
            ["ben@bluefin.example"],
            ["linkedin"],
        ),
        "Chloé García": (None, None, "https://www.linkedin.com/in/chloe-garcia", [], ["linkedin"]),
    }
    first_seen = workspace.conn.execute("SELECT first_seen FROM people WHERE canonical_name = 'Ana Okafor'")
    assert first_seen.fetchone()[0] == "2024-03-12T00:00:00Z"


def test_a_connection_and_their_messages_meet_in_one_person(tmp_path, workspace):
    summary = import_paths(workspace, "linkedin", [export_folder(tmp_path / "export")])

    assert summary.details == {
        "read": {"connections": 4, "messages": 6},
        "imported": {"connections": 3, "messages": 3},
        "left_out": {
            "connections with no name (closed or hidden accounts)": 1,
            "unreadable rows": 1,
            "drafts": 1,
            "spam": 1,
        },
    }
    assert summary.errors == ["a LinkedIn message without a date or conversation ('not a date'); skipped"]
    assert messages(workspace) == [
        (
            "2-AAA=",
            "2024-03-14T10:30:00Z",
            "in",
            None,
            "Hi Sam, thanks for connecting!",
            [("Ana Okafor", "from"), ("Sam Owner", "to")],
        ),
        (
            "2-AAA=",
            "2024-03-14T11:00:00Z",
            "out",
            None,
            "Likewise, Ana.",
            [("Ana Okafor", "to"), ("Sam Owner", "from")],
        ),
        (
            "2-BBB=",
            "2024-04-02T09:00:00Z",
            "out",
            "Offsite",
            "Offsite?",
            [("Ben Lindqvist", "member"), ("Dana Recruiter", "member"), ("Sam Owner", "from")],
        ),
    ]
    found = people(workspace)
    assert found["Ana Okafor"][0] == "Northwind Labs, Inc."  # the messages did not wipe the card's company
    assert "Spammy Sales" not in found
    owner = workspace.conn.execute("SELECT link_status FROM source_entities WHERE observed_name = 'Sam Owner'")
    assert owner.fetchone()[0] == "owner"


def test_the_export_zip_imports_once(tmp_path, workspace):
    archive = export_zip(tmp_path / "Basic_LinkedInDataExport_03-15-2024.zip")
    first = import_paths(workspace, "linkedin", [archive])
    again = import_paths(workspace, "linkedin", [archive])
    assert (first.source_entities, first.interactions) == (5, 3)
    assert (again.source_entities, again.interactions, again.people_created) == (0, 0, 0)
    assert sniff_source(archive) == "linkedin"


def test_messages_alone_use_the_connections_beside_them(tmp_path, workspace):
    folder = export_folder(tmp_path / "export")
    import_paths(workspace, "linkedin", [folder / "Connections.csv"])
    summary = import_paths(workspace, "linkedin", [folder / "messages.csv"])
    assert (summary.details["imported"], summary.interactions) == ({"messages": 3}, 3)
    assert people(workspace)["Ben Lindqvist"][:2] == ("Bluefin Studio", "Designer")


def test_profile_keys_ignore_scheme_www_query_and_slash():
    assert profile_key("http://linkedin.com/in/Ana-Okafor/?trk=x") == "linkedin.com/in/ana-okafor"
    assert profile_key("https://www.linkedin.com/in/ana-okafor") == "linkedin.com/in/ana-okafor"
    assert profile_key("https://example.com/ana") is None


@pytest.mark.parametrize(
    ("name", "content", "problem"),
    [
        (
            "Connections.csv",
            "Name,Phone\r\nAna,123\r\n",
            "is not a LinkedIn export: expected Connections.csv or messages.csv, their folder, or the export zip "
            "(no header with FIRST NAME, LAST NAME, URL in connections.csv)",
        ),
        (
            "photo.jpg",
            "\xff\xd8 not a csv",
            "is not a LinkedIn export: expected Connections.csv or messages.csv, their folder, or the export zip",
        ),
    ],
)
def test_a_wrong_file_is_refused_and_nothing_is_written(tmp_path, workspace, name, content, problem):
    path = tmp_path / name
    path.write_text(content, encoding="utf-8")
    with pytest.raises(ImportFormatError) as error:
        import_paths(workspace, "linkedin", [path])
    assert str(error.value) == f"{path}: {problem}"
    assert workspace.conn.execute("SELECT COUNT(*) FROM source_entities").fetchone()[0] == 0
    assert not LinkedInImporter().sniff(path)


def test_cli_import_json(tmp_path, home):
    archive = export_zip(tmp_path / "export.zip")
    result = CliRunner().invoke(app, ["import", "linkedin", str(archive), "--home", str(home), "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert (data["source"], data["source_entities"], data["interactions"], data["skipped"]) == ("linkedin", 5, 3, 1)
    assert data["left_out"]["connections with no name (closed or hidden accounts)"] == 1

    broken = tmp_path / "broken.zip"
    broken.write_bytes(archive.read_bytes()[:200])
    result = CliRunner().invoke(app, ["import", "linkedin", str(broken), "--home", str(home)])
    assert result.exit_code == 1
    assert "broken.zip" in result.stderr and "\n" not in result.stderr.strip()


def test_demo_export_imports(tmp_path, home):
    paths = write_demo_linkedin(make_cast(60, seed=5), tmp_path / "demo")
    with Workspace.open(home) as ws:
        summary = import_paths(ws, "linkedin", paths)
        owner = ws.conn.execute("SELECT COUNT(*) FROM source_entities WHERE link_status = 'owner'").fetchone()[0]
        outgoing = ws.conn.execute("SELECT COUNT(*) FROM interactions WHERE direction = 'out'").fetchone()[0]
    assert summary.errors == []
    assert summary.details["imported"]["connections"] > 10 and summary.details["imported"]["messages"] > 10
    assert owner == 1 and outgoing > 0


# The 2018 "Complete" export: no profile URLs, 12-hour dates, and messages with a direction instead of ids.
CONNECTIONS_2018 = (
    "First Name,Last Name,Address,Email Address,Company,Position,Connected On,Websites,Instant Messengers\r\n"
    'Chanh,"Tran, MBA",,chanh@tran.example,Acme Health,Analyst,"12/17/18, 5:11 PM",,\r\n'
    'Louis,"Ferri, MSIS, MSN, CPHIMS, RN",,,Mercy Hospital,Nurse Informaticist,"3/2/17, 9:05 AM",,\r\n'
    'Alex,Kim (they/them),,,,,"11/30/16, 11:45 PM",,\r\n'
)
MESSAGES_2018 = (
    "From,To,Date,Subject,Content,Direction,Folder\r\n"
    'Chanh Tran,Sam Owner,"12/18/18, 9:02 AM",Thanks,"Thanks for connecting, Sam!",INCOMING,INBOX\r\n'
    'Sam Owner,"Chanh Tran, MBA","12/18/18, 10:15 AM",RE: Thanks,<p>Likewise!</p>,OUTGOING,SENT\r\n'
    'Alex Kim (they/them),Sam Owner,"1/5/19, 4:40 PM",,Coffee next week?,INCOMING,INBOX\r\n'
)


def test_the_2018_complete_export_without_profile_urls_imports(tmp_path, workspace):
    with zipfile.ZipFile(tmp_path / "Complete_LinkedInDataExport_12-20-2018.zip", "w") as archive:
        archive.writestr("Connections.csv", CONNECTIONS_2018)
        archive.writestr("Messages.csv", MESSAGES_2018)
        archive.writestr("Profile.csv", "First Name,Last Name,Maiden Name,Created Date\r\nSam,Owner,,\r\n")

    summary = import_paths(workspace, "linkedin", [tmp_path / "Complete_LinkedInDataExport_12-20-2018.zip"])

    assert (summary.skipped, summary.errors, summary.interactions) == (0, [], 3)
    assert summary.details == {
        "read": {"connections": 3, "messages": 3},
        "imported": {"connections": 3, "messages": 3},
        "names": {"credentials or pronouns kept apart": 3},
    }
    assert people(workspace) == {
        "Chanh Tran": ("Acme Health", "Analyst", None, ["chanh@tran.example"], ["linkedin"]),
        "Louis Ferri": ("Mercy Hospital", "Nurse Informaticist", None, [], ["linkedin"]),
        "Alex Kim": (None, None, None, [], ["linkedin"]),
    }
    facts = {
        row[0]: json.loads(row[1])
        for row in workspace.conn.execute(
            "SELECT observed_name, metadata FROM source_entities WHERE observed_name != 'Sam Owner'"
        )
    }
    assert facts["Chanh Tran"]["credentials"] == ["MBA"]
    assert facts["Chanh Tran"]["connected_on"] == "2018-12-17"
    assert facts["Louis Ferri"]["credentials"] == ["MSIS", "MSN", "CPHIMS", "RN"]
    assert facts["Alex Kim"]["pronouns"] == "they/them"
    assert messages(workspace) == [
        (
            "name:chanh tran",
            "2018-12-18T09:02:00Z",
            "in",
            None,
            "Thanks for connecting, Sam!",
            [("Chanh Tran", "from"), ("Sam Owner", "to")],
        ),
        (
            "name:chanh tran",
            "2018-12-18T10:15:00Z",
            "out",
            None,
            "Likewise!",
            [("Chanh Tran", "to"), ("Sam Owner", "from")],
        ),
        (
            "name:alex kim",
            "2019-01-05T16:40:00Z",
            "in",
            None,
            "Coffee next week?",
            [("Alex Kim", "from"), ("Sam Owner", "to")],
        ),
    ]
    owner = workspace.conn.execute("SELECT observed_name FROM source_entities WHERE link_status = 'owner'")
    assert [tuple(row) for row in owner] == [("Sam Owner",)]


def test_the_2020_export_without_urls_in_connections_or_recipient_urls_in_messages(tmp_path, workspace):
    folder = tmp_path / "Basic_LinkedInDataExport_06-01-2020"
    folder.mkdir()
    (folder / "Connections.csv").write_text(
        "First Name,Last Name,Email Address,Company,Position,Connected On\r\n"
        "Ana,Okafor,,Northwind Labs,Director,12 Mar 2020\r\n",
        encoding="utf-8",
    )
    (folder / "messages.csv").write_text(
        "CONVERSATION ID,CONVERSATION TITLE,FROM,SENDER PROFILE URL,TO,DATE,SUBJECT,CONTENT,FOLDER\r\n"
        "2-XYZ=,,Ana Okafor,https://www.linkedin.com/in/ana-okafor,Sam Owner,2020-03-14 10:30:00 UTC,,Hello!,INBOX\r\n",
        encoding="utf-8",
    )

    summary = import_paths(workspace, "linkedin", [folder])

    assert (summary.skipped, summary.interactions) == (0, 1)
    assert summary.details["imported"] == {"connections": 1, "messages": 1}
    assert people(workspace)["Ana Okafor"][:2] == ("Northwind Labs", "Director")


def test_the_oldest_export_names_its_messages_inbox_csv(tmp_path, workspace):
    folder = tmp_path / "LinkedInDataExport_2015"
    folder.mkdir()
    (folder / "Inbox.csv").write_text(MESSAGES_2018, encoding="utf-8")

    summary = import_paths(workspace, "linkedin", [folder])

    assert (summary.interactions, summary.details["imported"]) == (3, {"messages": 3})
