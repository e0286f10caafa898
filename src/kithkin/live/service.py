"""`kithkin service install|uninstall|status`: `kithkin sync --watch` started at login by the user's own
service manager, a launchd agent on macOS and a systemd user unit elsewhere. Nothing runs as root.

The service runs the Python that installed it (`sys.executable`), so it finds this Kithkin; it does not
see the shell's environment variables, so its live sources' passwords belong in the keyring.
"""

from __future__ import annotations

import os
import plistlib
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

from kithkin.models import KithkinError

LABEL = "org.kithkin.sync"
UNIT = "kithkin-sync.service"
LOG_FOLDER = "logs"
# A service that keeps failing (a broken config.yaml) is started again, but not in a tight loop.
RESTART_SECONDS = 30
SYSTEMD_STATES = {"active", "inactive", "failed", "activating", "deactivating", "reloading"}


def kind_here() -> str:
    return "launchd" if sys.platform == "darwin" else "systemd"


def service_path(kind: str) -> Path:
    """Where the user's service manager looks for the file (under Path.home(), so HOME decides)."""
    if kind == "launchd":
        return Path.home() / "Library" / "LaunchAgents" / f"{LABEL}.plist"
    config = os.environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(config) / "systemd" / "user" / UNIT


def command(home: Path) -> list[str]:
    return [sys.executable, "-m", "kithkin", "sync", "--watch", "--home", str(home)]


def launchd_plist(home: Path) -> bytes:
    log = str(home / LOG_FOLDER / "sync.log")
    agent = {
        "Label": LABEL,
        "ProgramArguments": command(home),
        "RunAtLoad": True,
        "KeepAlive": {"SuccessfulExit": False},  # started again after a crash, not after `service uninstall`
        "ThrottleInterval": RESTART_SECONDS,
        "ProcessType": "Background",
        "StandardOutPath": log,
        "StandardErrorPath": log,
    }
    return plistlib.dumps(agent)


def systemd_unit(home: Path) -> str:
    quoted = " ".join(_systemd_quoted(part) for part in command(home))
    return (
        "[Unit]\n"
        "Description=Kithkin keeps the personal CRM current (kithkin sync --watch)\n"
        "After=network-online.target\n\n"
        "[Service]\n"
        "Type=simple\n"
        f"ExecStart={quoted}\n"
        "Restart=on-failure\n"
        f"RestartSec={RESTART_SECONDS}\n\n"
        "[Install]\n"
        "WantedBy=default.target\n"
    )


def _systemd_quoted(word: str) -> str:
    """A word of ExecStart: quoted when it holds spaces, with systemd's own escapes (% is a specifier)."""
    escaped = word.replace("\\", "\\\\").replace('"', '\\"').replace("%", "%%").replace("$", "$$")
    return f'"{escaped}"' if any(c.isspace() for c in word) or not word else escaped


def full_disk_access() -> str:
    """What a Mac asks before a background program may read Messages and the call history."""
    python = Path(sys.executable).resolve()
    return (
        f"To read Messages and the call history, give {python} Full Disk Access (System Settings > Privacy & "
        f"Security > Full Disk Access, press +, then Cmd-Shift-G and paste that path), then restart the agent "
        f"with: launchctl kickstart -k gui/{os.getuid()}/{LABEL}"
    )


def install(home: Path, *, kind: str | None = None, start: bool = True) -> dict[str, Any]:
    """Write the service file for this home and (with `start`) ask the service manager to run it now and at
    every login. Returns what was done: kind, path, started, and the sentences to show."""
    kind = kind or kind_here()
    path = service_path(kind)
    path.parent.mkdir(parents=True, exist_ok=True)
    if kind == "launchd":
        (home / LOG_FOLDER).mkdir(parents=True, exist_ok=True)
        path.write_bytes(launchd_plist(home))
    else:
        path.write_text(systemd_unit(home), encoding="utf-8")
    notes = ["The service does not see your shell's environment variables: keep source passwords in the keyring."]
    started = False
    if start:
        steps = _start_commands(kind, path)
        started = _run_all(steps)
        if not started:
            notes.append("Could not start it now; start it with: " + " && ".join(" ".join(s) for s in steps))
    if kind == "launchd":
        notes.append(full_disk_access())
    return {"kind": kind, "path": str(path), "started": started, "notes": notes}


def uninstall(*, kind: str | None = None, stop: bool = True) -> dict[str, Any]:
    kind = kind or kind_here()
    path = service_path(kind)
    if stop and path.exists():
        _run_all(_stop_commands(kind))
    removed = path.exists()
    path.unlink(missing_ok=True)
    if kind == "systemd" and removed and stop:
        _run_all([["systemctl", "--user", "daemon-reload"]])
    return {"kind": kind, "path": str(path), "removed": removed}


def status(*, kind: str | None = None) -> dict[str, Any]:
    """Whether the service file is installed, and what the service manager says of it (None: no answer)."""
    kind = kind or kind_here()
    path = service_path(kind)
    if kind == "launchd":
        check = ["launchctl", "print", f"gui/{os.getuid()}/{LABEL}"]
    else:
        check = ["systemctl", "--user", "is-active", UNIT]
    answer = _answer(check)
    if answer is None:
        running = None
    elif kind == "launchd":
        running = answer[0] == 0 and "state = running" in answer[1]
    else:  # `is-active` prints the unit's state; anything else (no user session bus) is no answer
        said = answer[1].strip()
        running = said == "active" if said in SYSTEMD_STATES else None
    return {"kind": kind, "path": str(path), "installed": path.exists(), "running": running}


def _start_commands(kind: str, path: Path) -> list[list[str]]:
    if kind == "launchd":
        return [["launchctl", "bootstrap", f"gui/{os.getuid()}", str(path)]]
    return [["systemctl", "--user", "daemon-reload"], ["systemctl", "--user", "enable", "--now", UNIT]]


def _stop_commands(kind: str) -> list[list[str]]:
    if kind == "launchd":
        return [["launchctl", "bootout", f"gui/{os.getuid()}/{LABEL}"]]
    return [["systemctl", "--user", "disable", "--now", UNIT]]


def _answer(argv: list[str]) -> tuple[int, str] | None:
    """(exit code, output) of a service manager's command; None when it is not here or does not answer."""
    if shutil.which(argv[0]) is None:
        return None
    try:
        done = subprocess.run(argv, capture_output=True, text=True, timeout=30, check=False)
    except (OSError, subprocess.TimeoutExpired):
        return None
    return done.returncode, done.stdout + done.stderr


def _run_all(steps: list[list[str]]) -> bool:
    for step in steps:
        answer = _answer(step)
        if answer is None or answer[0] != 0:
            return False
    return True


def check_kind(kind: str | None) -> str | None:
    if kind not in (None, "launchd", "systemd"):
        raise KithkinError(f"Unknown service kind '{kind}'; use launchd (macOS) or systemd (Linux).")
    return kind


def describe(report: dict[str, Any]) -> list[str]:
    """The lines a terminal shows for what install, uninstall or status returned."""
    path = report["path"]
    if "started" in report:
        done = "and started it" if report["started"] else "(not started)"
        return [f"Wrote the {report['kind']} service {path} {done}.", *report["notes"]]
    if "removed" in report:
        return [f"Removed {path}." if report["removed"] else f"No service was installed at {path}."]
    if not report["installed"]:
        return [f"Not installed ({path} does not exist); run: kithkin service install"]
    running = {True: "running", False: "not running", None: "state unknown to the service manager"}[report["running"]]
    return [f"Installed at {path}; {running}."]
