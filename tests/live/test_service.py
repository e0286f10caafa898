"""`kithkin service`: the login service files, written where the service managers look and read back by
the tools that read them (systemd-analyze, plistlib, plutil on macOS)."""

from __future__ import annotations

import json
import plistlib
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from kithkin.cli import app
from kithkin.live import service


@pytest.fixture
def user_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A HOME of the test's own: the service files land under it, never in the real one."""
    folder = tmp_path / "user"
    folder.mkdir()
    monkeypatch.setenv("HOME", str(folder))
    monkeypatch.delenv("XDG_CONFIG_HOME", raising=False)
    return folder


def test_the_systemd_user_unit_is_written_where_systemd_looks_and_verifies(user_home: Path, tmp_path: Path) -> None:
    home = tmp_path / "Kithkin Home 100%"  # a space and a specifier sign, both escaped for systemd
    report = service.install(home, kind="systemd", start=False)

    unit = user_home / ".config" / "systemd" / "user" / "kithkin-sync.service"
    assert report["path"] == str(unit) and report["started"] is False
    text = unit.read_text(encoding="utf-8")
    assert f'ExecStart={sys.executable} -m kithkin sync --watch --home "{tmp_path}/Kithkin Home 100%%"\n' in text
    assert "Restart=on-failure\n" in text and "WantedBy=default.target\n" in text
    analyze = shutil.which("systemd-analyze")
    if analyze is None:
        pytest.skip("systemd-analyze is not installed here; the unit was written but not verified")
    verified = subprocess.run([analyze, "verify", str(unit)], capture_output=True, text=True, check=False)
    assert (verified.returncode, verified.stderr) == (0, "")


def test_the_launchd_agent_is_a_property_list_launchd_reads(user_home: Path, tmp_path: Path) -> None:
    home = tmp_path / "home"
    report = service.install(home, kind="launchd", start=False)

    agent = user_home / "Library" / "LaunchAgents" / "org.kithkin.sync.plist"
    assert report["path"] == str(agent)
    assert plistlib.loads(agent.read_bytes()) == {
        "Label": "org.kithkin.sync",
        "ProgramArguments": [sys.executable, "-m", "kithkin", "sync", "--watch", "--home", str(home)],
        "RunAtLoad": True,
        "KeepAlive": {"SuccessfulExit": False},
        "ThrottleInterval": 30,
        "ProcessType": "Background",
        "StandardOutPath": str(home / "logs" / "sync.log"),
        "StandardErrorPath": str(home / "logs" / "sync.log"),
    }
    assert (home / "logs").is_dir()
    python = Path(sys.executable).resolve()
    assert report["notes"][-1].startswith(f"To read Messages and the call history, give {python} Full Disk Access")


@pytest.mark.skipif(sys.platform != "darwin", reason="plutil ships with macOS only; plistlib reads the file above")
def test_plutil_accepts_the_launchd_agent(user_home: Path, tmp_path: Path) -> None:
    report = service.install(tmp_path / "home", kind="launchd", start=False)
    linted = subprocess.run(["plutil", "-lint", report["path"]], capture_output=True, text=True, check=False)
    assert linted.returncode == 0, linted.stdout


def test_status_and_uninstall_follow_the_file(user_home: Path, tmp_path: Path) -> None:
    assert service.status(kind="systemd")["installed"] is False
    service.install(tmp_path / "home", kind="systemd", start=False)
    assert service.status(kind="systemd")["installed"] is True

    removed = service.uninstall(kind="systemd", stop=False)
    assert removed["removed"] is True
    assert not Path(removed["path"]).exists()
    assert service.uninstall(kind="systemd", stop=False)["removed"] is False


def test_the_cli_installs_and_reports_in_json(user_home: Path, tmp_path: Path) -> None:
    home = tmp_path / "home"
    result = CliRunner().invoke(
        app, ["service", "install", "--kind", "systemd", "--no-start", "--home", str(home), "--json"]
    )
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert (report["kind"], report["path"], report["started"]) == (
        "systemd",
        str(user_home / ".config" / "systemd" / "user" / "kithkin-sync.service"),
        False,
    )
    unknown = CliRunner().invoke(app, ["service", "status", "--kind", "upstart"])
    assert unknown.exit_code == 1
    assert "Unknown service kind 'upstart'; use launchd (macOS) or systemd (Linux)." in unknown.output
