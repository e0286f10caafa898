"""The folders of the stores read in place, watched with the operating system's notifications
(inotify, FSEvents) through `watchfiles`: nothing is read or polled while nothing changes."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable
from pathlib import Path

import watchfiles

from kithkin.live.plan import Watch

# watchfiles hands over a burst of changes once none came for STEP_MS (at most DEBOUNCE_MS after the first).
# Its thread wakes every STEP_MS even when nothing happens: 50 ms (its default) cost 0.15 % of a core per
# watching thread, 200 ms 0.03 %.
STEP_MS = 200
DEBOUNCE_MS = 1600
# A watching thread that failed (a folder removed under it) starts again after this many seconds.
RESTART_SECONDS = 30.0


class Watcher:
    """Watches folders on threads of its own; `on_change` gets the set of changed files of each burst, and
    `on_missed` the watches whose changes may have gone unseen while a failed thread waited to start again."""

    def __init__(self, on_change: Callable[[set[Path]], None], on_missed: Callable[[list[Watch]], None]) -> None:
        self._on_change = on_change
        self._on_missed = on_missed
        # What each changed file was last seen as: a sync's own read of a store (its access time, SQLite
        # opening the write-ahead log) is an event too, but changes neither the size nor the modification time.
        self._seen: dict[Path, tuple[int, int] | None] = {}
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []

    def watch(self, watches: Iterable[Watch]) -> set[Watch]:
        """Watch these (replacing what was watched before); returns those whose folder exists to be watched."""
        self.stop()
        self._stop = threading.Event()
        watched = {w for w in watches if w.folder.is_dir()}
        for watch in watched:
            if not watch.recursive:  # a store's few files: what they are now is no change
                for path in watch.folder.iterdir():
                    if watch.concerns(path):
                        self._differs(path)
        # A store's own folder is watched alone (~/Library/Messages holds years of attachments below it).
        for recursive in (False, True):
            group = [w for w in watched if w.recursive == recursive]
            if group:
                thread = threading.Thread(
                    target=self._run, args=(group, recursive, self._stop), name="kithkin-watch", daemon=True
                )
                thread.start()
                self._threads.append(thread)
        return watched

    def stop(self) -> None:
        self._stop.set()
        for thread in self._threads:
            thread.join(timeout=5)
        self._threads = []

    def _run(self, group: list[Watch], recursive: bool, stop: threading.Event) -> None:
        folders = sorted({str(w.folder) for w in group})

        def wanted(_change: watchfiles.Change, path: str) -> bool:
            return any(w.concerns(Path(path)) for w in group)

        failed = False
        while not stop.is_set():
            if failed:
                self._on_missed(group)
                failed = False
            try:
                for changes in watchfiles.watch(
                    *folders,
                    watch_filter=wanted,
                    recursive=recursive,
                    stop_event=stop,
                    step=STEP_MS,
                    debounce=DEBOUNCE_MS,
                    raise_interrupt=False,
                    ignore_permission_denied=True,
                ):
                    changed = {path for path in map(Path, {path for _, path in changes}) if self._differs(path)}
                    if changed:
                        self._on_change(changed)
            except (OSError, RuntimeError):  # a folder removed or unreadable: watch again later
                failed = True
                stop.wait(RESTART_SECONDS)

    def _differs(self, path: Path) -> bool:
        try:
            stat = path.stat()
            now: tuple[int, int] | None = (stat.st_size, stat.st_mtime_ns)
        except OSError:
            now = None
        before = self._seen.get(path, ())
        self._seen[path] = now
        return now != before
