"""The command line: --json output, exit codes (0 ok, 1 explained failure, 2 usage), export round trip."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from kithkin.cli import app
from kithkin.workspace import Workspace
from tests.helpers import at, feed, message, person

runner = CliRunner()


def run(*args: str):
    return runner.invoke(app, list(args), catch_exceptions=False)


def fill(home) -> None:
    with Workspace.open(home) as workspace:
        feed(
            workspace,
            "mail",
            [
                message(
                    "m1", at(1), person("ana@x.org", "Ana Silva", "ana@x.org"), person("me", email="me@example.org")
                ),
                message("m2", at(2), person("ben@y.org", "Ben Okafor", "ben@y.org", "+1 415 555 0142")),
            ],
        )


def test_init_writes_config_and_mappings(tmp_path):
    home = tmp_path / "home"
    result = run(
        "init", "--home", str(home), "--json", "--name", "Mia Owner", "--email", "me@x.org", "--phone", "+14155550100"
    )
    assert result.exit_code == 0
    data = json.loads(result.stdout)
    assert data["home"] == str(home)
    assert "me@x.org" in (home / "config.yaml").read_text()
    assert "Mia Owner" in (home / "config.yaml").read_text()
    assert (home / "crm_mappings.yaml").exists()
    assert (home / "crm.db").exists()


def test_people_json_lists_and_searches(home):
    fill(home)
    listed = json.loads(run("people", "--home", str(home), "--json").stdout)
    assert listed["total"] == 2
    assert {p["canonical_name"] for p in listed["items"]} == {"Ana Silva", "Ben Okafor"}
    found = json.loads(run("people", "okafor", "--home", str(home), "--json").stdout)
    assert [p["phone_numbers"] for p in found["items"]] == [["+14155550142"]]


def test_stats_json(home):
    fill(home)
    data = json.loads(run("stats", "--home", str(home), "--json").stdout)
    assert (data["people"], data["interactions"], data["pending_links"]) == (2, 2, 0)
    assert data["interactions_by_source"] == {"mail": 2}


@pytest.mark.parametrize(
    ("args", "allowed"),
    [
        (["import", "nosuch", "x.txt"], "'imessage', 'calls', 'contacts', 'mail', 'calendar', 'linkedin'"),
        (["sync", "nosuch"], "'imessage', 'contacts', 'carddav', 'imap'"),
        (["people", "--sort", "bogus"], "'strength', 'name', 'last_seen'"),
        (["export", "--format", "xml"], "'json', 'csv', 'vcf'"),
    ],
)
def test_a_bad_option_value_is_a_usage_error_naming_the_allowed_values(home, tmp_path, args, allowed):
    fill(home)
    result = run(*args, "--home", str(home))
    assert result.exit_code == 2
    assert result.stdout == ""
    assert allowed in " ".join(result.stderr.replace("│", " ").split())  # rich draws a box around the message


def test_missing_path_exits_1(home, tmp_path):
    result = run("import", "mail", str(tmp_path / "missing.mbox"), "--home", str(home))
    assert result.exit_code == 1
    assert "missing.mbox does not exist; check the path." in result.stderr


def test_usage_error_exits_2(home):
    assert run("people", "--limit", "zero", "--home", str(home)).exit_code == 2
    assert run("no-such-command").exit_code == 2


def test_deciding_an_unknown_link_exits_1(home):
    result = run("link", "confirm", "pl_nope", "--home", str(home))
    assert result.exit_code == 1
    assert "There is no pending link pl_nope." in result.stderr


def test_export_json_round_trips_through_import_people(home, tmp_path):
    fill(home)
    with Workspace.open(home) as workspace:
        ana = next(
            p
            for p in json.loads(run("people", "--home", str(home), "--json").stdout)["items"]
            if p["canonical_name"] == "Ana Silva"
        )
        workspace.conn.execute(
            "UPDATE people SET notes = 'met at climbing', tags = '[\"climbing\"]' WHERE id = ?", (ana["id"],)
        )
        # Times an import could never give them: a restore that stamps its own time is caught on every run.
        workspace.conn.execute(
            "UPDATE source_entities SET created_at = '2020-01-02T03:04:05Z', updated_at = '2021-02-03T04:05:06Z',"
            " linked_at = '2022-03-04T05:06:07Z'"
        )
    exported = tmp_path / "people.json"
    assert run("export", "--format", "json", "-o", str(exported), "--home", str(home)).exit_code == 0
    fresh = tmp_path / "fresh"
    result = run("import-people", str(exported), "--home", str(fresh), "--json")
    assert result.exit_code == 0
    assert json.loads(result.stdout) == {"people_created": 2, "people_updated": 0, "source_entities_restored": 2}
    again = tmp_path / "again.json"
    run("export", "--format", "json", "-o", str(again), "--home", str(fresh))
    original, restored = json.loads(exported.read_text()), json.loads(again.read_text())
    drop = {"interaction_count", "first_seen", "last_seen", "relationship_strength"}  # interactions are not people
    assert [{k: v for k, v in p.items() if k not in drop} for p in restored] == [
        {k: v for k, v in p.items() if k not in drop} for p in original
    ]


def test_export_csv_and_vcf(home):
    fill(home)
    csv_text = run("export", "--format", "csv", "--home", str(home)).stdout
    assert csv_text.splitlines()[0].startswith("id,canonical_name,emails")
    assert "Ben Okafor" in csv_text
    vcf = run("export", "--format", "vcf", "--home", str(home)).stdout
    assert vcf.count("BEGIN:VCARD") == 2
    assert "TEL:+14155550142" in vcf
    assert run("export", "--format", "xml", "--home", str(home)).exit_code == 2
