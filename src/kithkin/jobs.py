"""Background jobs: imports of uploaded files and syncs of live sources, each in a process of its own.

Each job works on its own Workspace (its own connection) and stores what it reads batch by batch, like
`kithkin import`: each batch is one short background transaction (ingest.py, store/db.py), so the user's
own writes go between two batches instead of waiting for the whole job (one transaction a job made a
note edit wait 2.6 s at p95, an undo 10.9 s). A job that fails keeps the batches stored before the
failure; importing the same files again adds only the rest (ids are deterministic). Readers on other
connections never wait on it (WAL); jobs run one at a time, and only one job per source.

A job runs in a child process (forkserver where there is one, else spawn) watched by a thread of the
server that relays its progress: on a thread of the server it shared the interpreter's lock with the
requests, and people search waited on the import (p95 28 ms, against ~8 ms without one).
"""

from __future__ import annotations

import functools
import itertools
import multiprocessing
import os
import shutil
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from pathlib import Path
from types import SimpleNamespace
from typing import Any

from kithkin import importers
from kithkin.config import LiveSource
from kithkin.ingest import Progress, add_report, import_paths
from kithkin.models import ImportSummary, KithkinError, now_utc, utc_iso
from kithkin.sync import sync_source
from kithkin.workspace import Workspace

# Finished jobs kept for GET /jobs/{id}; the oldest finished ones are forgotten beyond this.
KEEP_FINISHED = 200
UPLOADS_FOLDER = "uploads"
# Upload folders left behind by a server that stopped mid-job are removed when a server starts; a
# younger one may belong to another server running on the same home.
STALE_UPLOAD_SECONDS = 24 * 3600

# A job's work runs in another process: a module-level function or a functools.partial of one (picklable).
Work = Callable[[Workspace, Progress], ImportSummary]


_numbers = itertools.count()


class JobConflict(KithkinError):
    """A job for this source is already queued or running."""


@dataclass
class Job:
    id: str
    kind: str  # import | sync
    source: str
    state: str = "queued"  # queued | running | succeeded | failed
    done: int = 0
    total: int | None = None
    summary: dict[str, Any] | None = None
    error: str | None = None
    created_at: str = field(default_factory=lambda: utc_iso(now_utc()))
    number: int = field(default_factory=lambda: next(_numbers))  # creation order (timestamps tie within a second)
    started_at: str | None = None
    finished_at: str | None = None

    @property
    def active(self) -> bool:
        return self.state in ("queued", "running")

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "kind": self.kind,
            "source": self.source,
            "state": self.state,
            "done": self.done,
            "total": self.total,
            "summary": self.summary,
            "error": self.error,
            "created_at": self.created_at,
            "started_at": self.started_at,
            "finished_at": self.finished_at,
        }


class JobRunner:
    """Starts jobs on threads and keeps their state for polling."""

    def __init__(self, home: Path) -> None:
        self.home = home
        self._jobs: dict[str, Job] = {}
        self._lock = threading.Lock()
        # One job at a time: two would only share the write lock, each slower.
        self._write_lock = threading.Lock()
        self._threads: list[threading.Thread] = []
        self._listeners: list[Callable[[Job], None]] = []
        self._remove_stale_uploads()

    def on_finish(self, listener: Callable[[Job], None]) -> None:
        """Call `listener(job)` on the job's thread each time a job has finished (succeeded or failed)."""
        self._listeners.append(listener)

    def upload_folder(self) -> Path:
        """A new folder in the home for one upload (not created yet); the job that imports it removes it."""
        return self.home / UPLOADS_FOLDER / uuid.uuid4().hex

    def _remove_stale_uploads(self) -> None:
        uploads = self.home / UPLOADS_FOLDER
        if not uploads.is_dir():
            return
        for folder in uploads.iterdir():
            if time.time() - folder.stat().st_mtime > STALE_UPLOAD_SECONDS:
                shutil.rmtree(folder, ignore_errors=True)

    def start(self, kind: str, source: str, work: Work, *, cleanup: Path | None = None) -> Job:
        """Queue `work` for `source`; raises JobConflict while another job for that source is active."""
        with self._lock:
            self.ensure_free(source)
            job = Job(id=f"job_{uuid.uuid4().hex[:16]}", kind=kind, source=source)
            self._jobs[job.id] = job
            self._forget_old()
        thread = threading.Thread(target=self._run, args=(job, work, cleanup), name=job.id, daemon=True)
        self._threads = [t for t in self._threads if t.is_alive()]
        self._threads.append(thread)
        thread.start()
        return job

    def ensure_free(self, source: str) -> None:
        """Raise JobConflict while a job for `source` is queued or running."""
        running = next((j for j in list(self._jobs.values()) if j.source == source and j.active), None)
        if running is not None:
            raise JobConflict(
                f"A {source} {running.kind} is already running (job {running.id}); wait for it to finish."
            )

    def get(self, job_id: str) -> Job | None:
        with self._lock:
            return self._jobs.get(job_id)

    def jobs(self) -> list[Job]:
        """Every known job, newest first."""
        with self._lock:
            return sorted(self._jobs.values(), key=lambda j: j.number, reverse=True)

    def wait(self, timeout: float | None = None) -> None:
        """Block until every started job has finished (tests, shutdown)."""
        for thread in list(self._threads):
            thread.join(timeout)

    def _run(self, job: Job, work: Work, cleanup: Path | None) -> None:
        try:
            with self._write_lock:
                job.state, job.started_at = "running", utc_iso(now_utc())
                outcome = self._in_child(job, work)
            if isinstance(outcome, str):
                job.error = _shown(outcome, cleanup)
                job.state = "failed"
            else:
                outcome.errors = [_shown(error, cleanup) for error in outcome.errors]
                job.summary = outcome.as_dict()
                job.state = "succeeded"
        except Exception as exc:  # a job reports every failure instead of dying silently on its thread
            job.error = _shown(_failure(job.kind, job.source, exc), cleanup)
            job.state = "failed"
        finally:
            job.finished_at = utc_iso(now_utc())
            if cleanup is not None:
                shutil.rmtree(cleanup, ignore_errors=True)
            for listener in list(self._listeners):
                listener(job)

    def _in_child(self, job: Job, work: Work) -> ImportSummary | str:
        """Run `work` in a child process, relaying its progress to `job`; its summary, or the error in words."""
        receiving, sending = _context().Pipe(duplex=False)
        registries = (dict(importers.REGISTRY), dict(importers.LIVE_REGISTRY))
        child = _context().Process(
            target=_child_main,
            args=(self.home, work, job.kind, job.source, registries, dict(os.environ), sending),
            name=job.id,
            daemon=True,
        )
        try:
            try:
                child.start()
            finally:
                sending.close()  # the child holds the only sending end now: its exit ends the pipe
            while True:
                try:
                    message = receiving.recv()
                except EOFError:
                    child.join()
                    return (
                        f"The {job.kind} of {job.source} stopped unexpectedly (exit code {child.exitcode});"
                        f" {KEPT}"
                    )
                if message[0] == "progress":
                    job.done, job.total = message[1], message[2]
                else:
                    child.join()
                    return message[1]
        finally:
            receiving.close()

    def _forget_old(self) -> None:
        finished = sorted((j for j in self._jobs.values() if not j.active), key=lambda j: j.number)
        for job in finished[: max(0, len(finished) - KEEP_FINISHED)]:
            del self._jobs[job.id]


def _shown(message: str, folder: Path | None) -> str:
    """Name uploaded files as the user named them, not by the temporary folder they were saved in."""
    return message.replace(f"{folder}{os.sep}", "") if folder is not None else message


def import_work(source: str, paths: list[Path]) -> Work:
    """Import these files as `source`; progress counts observations across all of them."""
    return functools.partial(_import_files, source, paths)


def _import_files(source: str, paths: list[Path], workspace: Workspace, progress: Progress) -> ImportSummary:
    """One import of every uploaded file: progress counts one file's rows, or the files of many."""
    return import_paths(workspace, source, paths, progress=progress)


def sync_work(source_type: str, configured: list[LiveSource]) -> Work:
    """Sync every configured live source of one type; their summaries are added up."""
    return functools.partial(_sync_sources, source_type, configured)


def _sync_sources(
    source_type: str, configured: list[LiveSource], workspace: Workspace, progress: Progress
) -> ImportSummary:
    combined = ImportSummary(source=source_type)
    for source in configured:
        _add(combined, sync_source(workspace, source, progress))
    return combined


def _context() -> Any:
    """forkserver: a child forks from a server that has imported Kithkin and its importers already (a
    spawned child imported them again, ~1 s a job). A module that fails to import is skipped there."""
    methods = multiprocessing.get_all_start_methods()
    context = multiprocessing.get_context("forkserver" if "forkserver" in methods else "spawn")
    if context.get_start_method() == "forkserver":
        targets = [*importers.REGISTRY.values(), *importers.LIVE_REGISTRY.values()]
        context.set_forkserver_preload(["kithkin.jobs", *dict.fromkeys(t.partition(":")[0] for t in targets)])
    return context


KEPT = "what it stored before stays, and running it again adds only the rest."


def _failure(kind: str, source: str, exc: BaseException) -> str:
    if isinstance(exc, KithkinError):
        return str(exc)
    return f"The {kind} of {source} failed ({exc.__class__.__name__}: {exc}); {KEPT}"


def _child_main(
    home: Path,
    work: Work,
    kind: str,
    source: str,
    registries: tuple[dict[str, str], dict[str, str]],
    environment: dict[str, str],
    channel: Connection,
) -> None:
    """The job's process: the server's importers and environment (a forkserver started earlier has neither
    the importers registered since nor the variables set since), the outcome sent back."""
    os.environ.clear()
    os.environ.update(environment)
    importers.REGISTRY.clear()
    importers.REGISTRY.update(registries[0])
    importers.LIVE_REGISTRY.clear()
    importers.LIVE_REGISTRY.update(registries[1])

    def progress(done: int, total: int | None) -> None:
        channel.send(("progress", done, total))  # ingest reports every 1,000 observations: cheap enough

    outcome: ImportSummary | str
    try:
        with Workspace.open(home) as workspace:
            outcome = work(workspace, progress)
    except Exception as exc:  # every failure goes back to the server as one sentence
        outcome = _failure(kind, source, exc)
    channel.send(("done", outcome))
    channel.close()


def _add(into: ImportSummary, summary: ImportSummary) -> None:
    for name in ("files", "source_entities", "interactions", "people_created", "links_auto", "links_pending"):
        setattr(into, name, getattr(into, name) + getattr(summary, name))
    into.skipped += summary.skipped
    into.errors.extend(summary.errors)
    add_report(into, SimpleNamespace(report=summary.details))  # coverage counts add up over files
