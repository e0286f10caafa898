"""Keeps every configured live source current: a store read in place syncs when its files change, a
remote source on its interval (IMAP as soon as IDLE says mail arrived).

Each sync is a job of the server's JobRunner (a child process, one transaction), so a source is never
synced twice at once: a change that arrives during its sync starts the next one right after it. A sync
that fails is tried again later and later (its error kept for the Sources view); the other sources go on.
"""

from __future__ import annotations

import json
import os
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any

from kithkin.config import Live, LiveSource
from kithkin.jobs import Job, JobConflict, JobRunner, sync_work
from kithkin.live.idle import MailListener
from kithkin.live.plan import Plan, Watch, plan_for
from kithkin.live.watch import Watcher
from kithkin.models import now_utc, utc_iso
from kithkin.workspace import Workspace

STATUS_FILE = "live-status.json"


@dataclass
class _Source:
    plan: Plan
    due: float | None = 0.0  # monotonic time of the next sync; None: when something changes
    job: Job | None = None
    changed_meanwhile: bool = False
    blocked: bool = False  # another job for this source type runs: start when a job finishes
    watching: bool = False
    listening: bool = False  # IMAP IDLE is connected
    failures: int = 0
    last_sync_at: str | None = None
    added: dict[str, int] = field(default_factory=dict)
    last_error: str | None = None


class LiveSync:
    """The scheduler of one home: `start`, `stop`, and `status` for the Sources view.

    `on_sync(key, job)` is told of every finished sync (the foreground `kithkin sync --watch` prints it).
    With `publish`, the status is also written to the home's STATUS_FILE as it changes: a server running
    beside `kithkin sync --watch` (the login service) shows it, and neither starts a second scheduler.
    """

    def __init__(
        self,
        workspace: Workspace,
        jobs: JobRunner,
        *,
        on_sync: Callable[[str, Job], None] | None = None,
        publish: bool = False,
    ) -> None:
        self._workspace = workspace
        self._status_file = workspace.home / STATUS_FILE if publish else None
        self._jobs = jobs
        self._settings: Live = workspace.settings.live
        self._on_sync = on_sync
        self._sources = {plan.key: _Source(plan) for plan in map(plan_for, workspace.settings.sources)}
        self._wake = threading.Condition()
        self._stopped = False
        self._watcher = Watcher(self._files_changed, self._watches_missed)
        self._rewatching = threading.Lock()
        self._listeners: list[MailListener] = []
        self._thread = threading.Thread(target=self._run, name="kithkin-live", daemon=True)
        jobs.on_finish(self._job_finished)

    # --- life ----------------------------------------------------------------------------------------

    def start(self) -> LiveSync:
        self._rewatch()
        for entry in self._sources.values():
            if entry.plan.push:
                listener = MailListener(
                    entry.plan.source,
                    self._workspace,
                    on_mail=lambda key=entry.plan.key: self.changed(key),
                    on_listening=lambda on, key=entry.plan.key: self._listening(key, on),
                )
                listener.start()
                self._listeners.append(listener)
        self._thread.start()
        return self

    def stop(self) -> None:
        with self._wake:
            self._stopped = True
            self._wake.notify_all()
        with self._rewatching:
            self._watcher.stop()
        for listener in self._listeners:
            listener.stop()
        self._thread.join(timeout=5)
        if self._status_file is not None:
            self._status_file.unlink(missing_ok=True)

    def changed(self, key: str) -> None:
        """Something new is in this source: sync it now, or right after the sync under way."""
        with self._wake:
            entry = self._sources.get(key)
            if entry is None:
                return
            if entry.job is not None:
                entry.changed_meanwhile = True
            elif entry.failures == 0:
                entry.due = time.monotonic()  # a failing source keeps its pause: its store may still be locked
            self._wake.notify_all()

    # --- what the user sees --------------------------------------------------------------------------

    def status(self) -> list[dict[str, Any]]:
        """One entry per configured source, in config order."""
        with self._wake:
            now = time.monotonic()
            return [self._status_of(entry, now) for entry in self._sources.values()]

    def _status_of(self, entry: _Source, now: float) -> dict[str, Any]:
        plan = entry.plan
        if entry.job is not None:
            state = "syncing"
        elif entry.failures:
            state = "retrying"
        elif entry.watching:
            state = "watching"
        elif entry.listening:
            state = "listening"  # IMAP IDLE: the server tells of new mail
        elif self._interval(entry) is not None:
            state = "scheduled"
        else:
            state = "idle"
        next_at = None
        if entry.job is None and entry.due is not None:
            next_at = utc_iso(now_utc() + timedelta(seconds=max(0.0, entry.due - now)))
        return {
            "key": plan.key,
            "type": plan.source.type,
            "account": plan.source.account,
            "state": state,
            "watching": str(plan.watch.folder) if entry.watching and plan.watch else None,
            "interval_minutes": round(interval / 60, 2) if (interval := self._interval(entry)) else None,
            "next_sync_at": next_at,
            "last_sync_at": entry.last_sync_at,
            "interactions_added": entry.added.get("interactions", 0),
            "source_entities_added": entry.added.get("source_entities", 0),
            "last_error": entry.last_error,
            "failures": entry.failures,
        }

    def _publish(self) -> None:
        """Write the status for other processes (called with the lock held); replaced whole, never half-written."""
        if self._status_file is None or self._stopped:
            return  # stopped: the file is gone, and a sync still finishing must not write it again
        now = time.monotonic()
        data = {"pid": os.getpid(), "sources": [self._status_of(entry, now) for entry in self._sources.values()]}
        partial = self._status_file.with_suffix(".tmp")
        partial.write_text(json.dumps(data), encoding="utf-8")
        partial.replace(self._status_file)

    # --- the schedule --------------------------------------------------------------------------------

    def _run(self) -> None:
        with self._wake:
            while not self._stopped:
                now = time.monotonic()
                for entry in self._sources.values():
                    if entry.job is None and not entry.blocked and entry.due is not None and entry.due <= now:
                        self._start(entry, now)
                waits = [
                    e.due - now for e in self._sources.values() if e.job is None and not e.blocked and e.due is not None
                ]
                self._wake.wait(max(0.0, min(waits)) if waits else None)

    def _start(self, entry: _Source, now: float) -> None:
        source: LiveSource = entry.plan.source
        try:
            entry.job = self._jobs.start("sync", source.type, sync_work(source.type, [source]))
        except JobConflict:
            entry.blocked = True  # a sync of this type started by hand, or another account of it
            return
        entry.due = None
        entry.changed_meanwhile = False
        self._publish()

    def _job_finished(self, job: Job) -> None:
        with self._wake:
            for entry in self._sources.values():
                entry.blocked = False
                if entry.job is job:
                    self._finished(entry, job)
            self._wake.notify_all()

    def _finished(self, entry: _Source, job: Job) -> None:
        now = time.monotonic()
        entry.job = None
        entry.last_sync_at = job.finished_at
        if job.state == "succeeded":
            summary = job.summary or {}
            entry.added = {k: int(summary.get(k) or 0) for k in ("interactions", "source_entities")}
            entry.failures, entry.last_error = 0, None
            interval = self._interval(entry)
            entry.due = now if entry.changed_meanwhile else (now + interval if interval else None)
            if entry.plan.watch is not None and not entry.watching and entry.plan.watch.folder.is_dir():
                threading.Thread(target=self._rewatch, name="kithkin-rewatch", daemon=True).start()
        else:
            entry.failures += 1
            entry.last_error = job.error
            pause = self._settings.retry_seconds * 2 ** (entry.failures - 1)
            entry.due = now + min(pause, self._settings.retry_max_minutes * 60)
        self._publish()
        if self._on_sync is not None:
            self._on_sync(entry.plan.key, job)

    def _interval(self, entry: _Source) -> float | None:
        """While IDLE listens, mail needs no interval (unless config.yaml sets one)."""
        if entry.listening and not entry.plan.source.interval_minutes:
            return None
        return entry.plan.interval

    def _listening(self, key: str, on: bool) -> None:
        with self._wake:
            entry = self._sources[key]
            entry.listening = on
            if entry.job is None and entry.failures == 0 and entry.due is None and not on:
                interval = self._interval(entry)
                entry.due = time.monotonic() + interval if interval else None
            self._publish()
            self._wake.notify_all()

    # --- watching ------------------------------------------------------------------------------------

    def _rewatch(self) -> None:
        """Watch every store folder that exists now (a missing one is watched once a sync found it)."""
        with self._rewatching:
            with self._wake:
                if self._stopped:
                    return
                watches = {e.plan.watch for e in self._sources.values() if e.plan.watch is not None}
            watched = self._watcher.watch(watches)
            with self._wake:
                for entry in self._sources.values():
                    entry.watching = entry.plan.watch in watched
                self._publish()

    def _watches_missed(self, watches: list[Watch]) -> None:
        for key, entry in self._sources.items():
            if entry.plan.watch in watches:
                self.changed(key)

    def _files_changed(self, paths: set[Path]) -> None:
        for key, entry in self._sources.items():
            watch = entry.plan.watch
            if watch is not None and any(watch.concerns(path) for path in paths):
                self.changed(key)


def published_status(home: Path) -> list[dict[str, Any]] | None:
    """The status a `kithkin sync --watch` of this home publishes, while it runs; None when none does."""
    try:
        data = json.loads((home / STATUS_FILE).read_text(encoding="utf-8"))
        os.kill(int(data["pid"]), 0)  # signal 0: only asks whether that process still exists
    except (OSError, ValueError, KeyError, TypeError):
        return None
    return list(data["sources"])
