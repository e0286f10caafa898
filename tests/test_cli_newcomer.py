"""The command line as a newcomer meets it: --version, flags shown as flags, init that never writes an empty
owner, read commands that refuse a home that is not there, export that says where it wrote, pending links
that fit 80 columns and are confirmed by the start of their id, counts that say "of"."""

from __future__ import annotations

import json
import stat
from pathlib import Path

import pytest
from typer.testing import CliRunner

from kithkin import __version__
from kithkin.cli import app
from kithkin.config import load_settings
from kithkin.models import Identity
from kithkin.workspace import Workspace
from tests.helpers import at, feed, message, person

runner = CliRunner()


def run(*args: str, **kwargs):
    return runner.invoke(app, list(args), catch_exceptions=False, **kwargs)


def test_version():
    result = run("--version")
    assert (result.exit_code, result.stdout) == (0, f"kithkin {__version__}\n")


@pytest.mark.parametrize("command", [["stats"], ["link", "reject"], ["import"], ["export"]])
def test_flags_print_as_flags_in_help(command):
    text = run(*command, "--help").stdout
    assert "--json" in text and "--help" in text
    assert "<bool>" not in text


def test_init_off_a_terminal_without_a_name_refuses_and_writes_nothing(tmp_path):
    home = tmp_path / "home"
    result = run("init", "--home", str(home), "--email", "me@x.org")
    assert result.exit_code == 2
    assert result.stderr == 'kithkin init needs your name and has no terminal to ask on: give --name "Your Name".\n'
    assert not (home / "config.yaml").exists()


def test_init_on_a_terminal_asks_until_it_has_a_name(tmp_path, monkeypatch):
    home = tmp_path / "home"
    monkeypatch.setattr("kithkin.cli._on_terminal", lambda: True)
    result = run("init", "--home", str(home), input="\n  \nMia Owner\nmia@x.org, m@y.org\n+1 415 555 0100\n")
    assert result.exit_code == 0, result.stderr
    assert result.stderr.count("Your name is needed") == 2
    owner = load_settings(home).owner
    assert (owner.name, owner.emails, owner.phones) == ("Mia Owner", ["mia@x.org", "m@y.org"], ["+1 415 555 0100"])


def test_init_again_keeps_the_owner_it_knows(tmp_path):
    home = tmp_path / "home"
    assert run("init", "--home", str(home), "--name", "Mia Owner").exit_code == 0
    assert run("init", "--home", str(home), "--email", "mia@x.org").exit_code == 0
    owner = load_settings(home).owner
    assert (owner.name, owner.emails) == ("Mia Owner", ["mia@x.org"])


@pytest.mark.parametrize(
    "command",
    [
        ["people"],
        ["stats"],
        ["pending"],
        ["export"],
        ["facts"],
        ["serve"],
        ["sync"],
        ["backup"],
        ["link", "confirm", "pl_1"],
        ["link", "reject", "pl_1"],
    ],
)
def test_reading_commands_refuse_a_home_that_is_not_there(tmp_path, command):
    typo = tmp_path / "kithkn"
    result = run(*command, "--home", str(typo))
    assert result.exit_code == 1
    assert result.stderr == f"no Kithkin home at {typo}: run kithkin init or kithkin import\n"
    assert not typo.exists()


def test_the_environment_home_is_checked_too(tmp_path, monkeypatch):
    monkeypatch.setenv("KITHKIN_HOME", str(tmp_path / "nowhere"))
    result = run("people", "--json")
    assert (result.exit_code, result.stdout) == (1, "")
    assert not (tmp_path / "nowhere").exists()


def fill(home: Path) -> None:
    with Workspace.open(home) as workspace:
        feed(
            workspace,
            "mail",
            [message(f"m{n}", at(n), person(f"p{n}@x.org", f"Person {n:02}", f"p{n}@x.org")) for n in range(1, 16)]
            + [message("m99", at(20), person("ben@y.org", "Ben Okafor", "ben@y.org", "+49 151 74833085"))],
        )


def test_export_to_a_file_says_what_it_wrote_and_keeps_it_private(home, tmp_path):
    fill(home)
    target = tmp_path / "people.vcf"
    result = run("export", "--format", "vcf", "-o", str(target), "--home", str(home), "--json")
    assert result.exit_code == 0
    assert json.loads(result.stdout) == {"file": str(target.resolve()), "format": "vcf", "people": 16}
    assert target.read_text().count("BEGIN:VCARD") == 16
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    told = run("export", "-o", str(tmp_path / "people.json"), "--home", str(home))
    assert told.stdout == f"Exported 16 people as json to {tmp_path / 'people.json'}\n"


def test_export_to_standard_output_says_so_on_stderr(home):
    fill(home)
    result = run("export", "--format", "csv", "--home", str(home))
    assert result.stdout.startswith("id,canonical_name")
    assert result.stderr == "Exported 16 people as csv to standard output.\n"
    refused = run("export", "--json", "--home", str(home))
    assert refused.exit_code == 2
    assert "give -o FILE" in refused.stderr


def test_people_says_how_many_it_shows_of_how_many_and_formats_numbers(home):
    fill(home)
    result = run("people", "--limit", "15", "--sort", "name", "--home", str(home))
    assert result.stdout.rstrip().endswith("15 of 16 people")
    shown = run("people", "okafor", "--home", str(home)).stdout
    assert "+49 1517 4833085" in shown  # as libphonenumber groups a German mobile number
    assert shown.rstrip().endswith("\n1 people")


def card(source_id: str, name: str, email: str):
    identity = Identity(source_id=source_id, name=name, emails=(email,), role="card")
    return message(source_id, at(1), identity, kind="contact")


def test_pending_shows_who_was_seen_whom_it_may_be_and_why_in_80_columns(home):
    with Workspace.open(home) as workspace:
        feed(workspace, "contacts", [card("c1", "Robert Smith", "rs@x.org")])
        feed(workspace, "slack", [message("s1", at(2), person("U1", "Robert Smithe"))])
        (link_id,) = [r[0] for r in workspace.conn.execute("SELECT id FROM pending_links WHERE status = 'pending'")]
    result = run("pending", "--home", str(home))
    lines = result.stdout.splitlines()
    assert max(len(line) for line in lines) <= 80
    row = next(line for line in lines if line.startswith(link_id[:11]))
    assert "Robert Smithe" in row and "Robert Smith " in row
    assert "slack" in result.stdout
    assert lines[-2] == "1 pending links."
    listed = json.loads(run("pending", "--home", str(home), "--json").stdout)["items"][0]
    assert (listed["source_entity"]["observed_name"], listed["proposed_person"]["canonical_name"]) == (
        "Robert Smithe",
        "Robert Smith",
    )
    # The start of the id, as the table shows it, is enough.
    confirmed = run("link", "confirm", link_id[:11], "--home", str(home))
    assert (confirmed.exit_code, confirmed.stdout) == (0, f"Confirmed {link_id}.\n")


def test_the_demo_run_again_keeps_its_home_and_the_decisions_in_it(tmp_path):
    from kithkin.demo import build_demo

    demo_home = tmp_path / "demo-home"
    first = build_demo(demo_home, size=30)
    assert first["kept"] is False
    open_to_others = [p for p in [demo_home, *demo_home.rglob("*")] if p.stat().st_mode & 0o077]
    assert open_to_others == []  # so its first `serve` has nothing to repair and says nothing
    with Workspace.open(demo_home) as workspace:
        workspace.conn.execute("UPDATE people SET notes = 'my own note' WHERE id = (SELECT MIN(id) FROM people)")
    result = run("demo", "--home", str(demo_home), "--no-serve")
    assert result.exit_code == 0
    assert result.stdout.startswith(f"Demo home at {demo_home} kept as you left it (")
    assert result.stdout.rstrip().endswith("--fresh rebuilds it.")
    with Workspace.open(demo_home) as workspace:
        assert workspace.conn.execute("SELECT COUNT(*) FROM people WHERE notes = 'my own note'").fetchone()[0] == 1
    build_demo(demo_home, size=30, fresh=True)
    with Workspace.open(demo_home) as workspace:
        assert workspace.conn.execute("SELECT COUNT(*) FROM people WHERE notes = 'my own note'").fetchone()[0] == 0
