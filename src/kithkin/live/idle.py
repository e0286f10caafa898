"""New mail as it arrives: one IMAP IDLE connection per account, on a thread of its own (RFC 2177)."""

from __future__ import annotations

import contextlib
import socket
import threading
from collections.abc import Callable

from imapclient import IMAPClient
from imapclient.exceptions import IMAPClientError

from kithkin.config import LiveSource
from kithkin.importers import live_importer_factory
from kithkin.models import KithkinError
from kithkin.workspace import Workspace

# Servers may end an IDLE after 30 minutes of silence (RFC 2177 asks clients to renew before 29).
RENEW_SECONDS = 24 * 60
FIRST_RETRY_SECONDS = 30.0
LONGEST_RETRY_SECONDS = 15 * 60.0
NEW_MAIL = (b"EXISTS", b"RECENT")


class MailListener:
    """Calls `on_mail` when the server says mail arrived, and `on_listening(True/False)` as IDLE starts and
    stops (the scheduler asks on its interval while it cannot listen). A server without IDLE ends it."""

    def __init__(
        self,
        source: LiveSource,
        workspace: Workspace,
        on_mail: Callable[[], None],
        on_listening: Callable[[bool], None],
    ) -> None:
        self._source = source
        self._workspace = workspace
        self._on_mail = on_mail
        self._on_listening = on_listening
        self._stop = threading.Event()
        self._client: IMAPClient | None = None
        self._thread = threading.Thread(target=self._run, name="kithkin-imap-idle", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        client = self._client
        if client is not None:
            with contextlib.suppress(OSError):  # wakes the thread out of its wait for the server
                client.socket().shutdown(socket.SHUT_RDWR)
        self._thread.join(timeout=5)

    def _run(self) -> None:
        retry = FIRST_RETRY_SECONDS
        listened = False
        while not self._stop.is_set():
            try:
                importer, _ = live_importer_factory("imap")(self._source, self._workspace)
                client = importer.idle_client()
            except (KithkinError, OSError, IMAPClientError):
                self._on_listening(False)  # the sync itself reports why the server cannot be reached
                self._stop.wait(retry)
                retry = min(retry * 2, LONGEST_RETRY_SECONDS)
                continue
            if client is None:
                self._on_listening(False)
                return
            self._client = client
            self._on_listening(True)
            if listened:
                self._on_mail()  # what arrived while the connection was down
            listened, retry = True, FIRST_RETRY_SECONDS
            try:
                self._listen(client)
            except Exception:  # a dropped connection, or a server answering nonsense: the interval takes over
                if not self._stop.is_set():
                    self._on_listening(False)
                    self._stop.wait(retry)
            finally:
                self._client = None
                with contextlib.suppress(OSError, IMAPClientError):
                    client.shutdown()

    def _listen(self, client: IMAPClient) -> None:
        while not self._stop.is_set():
            client.idle()
            responses = client.idle_check(timeout=RENEW_SECONDS)
            client.idle_done()
            if any(len(r) > 1 and r[1] in NEW_MAIL for r in responses):
                self._on_mail()
