"""Live mail over IMAP (`kithkin sync imap`): the whole history once, then only new mail.

Each folder's position is its UIDVALIDITY and the highest UID yielded. When the server changes a
folder's UIDVALIDITY (a rebuilt or restored mailbox) that folder is read again from the start;
messages keep their Message-ID as source id, so nothing is stored twice. Gmail (X-GM-EXT-1) is
read through its All Mail folder with its own thread ids and labels. Headers only unless
`bodies: true`: a header block is a few hundred bytes, a body can be megabytes.

Config (config.yaml, under `sources`)::

    - type: imap
      account: work
      host: imap.example.com
      username: me@example.com
      password_env: WORK_IMAP_PASSWORD   # or keyring: kithkin / imap:work:password
      port: 993                          # optional
      ssl: true                          # optional; false only for a server on this machine
      folders: [INBOX, Sent]             # optional; default: All Mail, else every folder but Trash/Junk/Drafts
      bodies: false                      # optional; true adds a snippet of each body
      include_automated: false           # optional; true keeps mailing lists and no-reply senders
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime
from email.message import Message
from pathlib import Path
from typing import Any, ClassVar

from imapclient import IMAPClient
from imapclient.exceptions import IMAPClientError

from kithkin.config import LiveSource
from kithkin.credentials import secret_for
from kithkin.importers.base import tally
from kithkin.importers.mail_headers import count_message, message_observation, parse_message
from kithkin.models import KithkinError, Observation
from kithkin.workspace import Workspace

CHUNK_SIZE = 500
BODY_BYTES = 65536
TIMEOUT = 60.0
# Folders that hold no correspondence worth knowing people by.
_SKIPPED_USES = (b"\\Junk", b"\\Trash", b"\\Drafts", b"\\Noselect", b"\\NonExistent")


class ImapImporter:
    """Reads one IMAP account; `read` connects, plans what is new, and streams it chunk by chunk."""

    source_type: ClassVar[str] = "mail"

    def __init__(
        self,
        host: str,
        username: str,
        password: str,
        *,
        port: int | None = None,
        ssl: bool = True,
        folders: list[str] | None = None,
        bodies: bool = False,
        include_automated: bool = False,
        chunk_size: int = CHUNK_SIZE,
    ) -> None:
        self.host = host
        self.port = port or (993 if ssl else 143)
        self.username = username
        self._password = password
        self.ssl = ssl
        self.folders = folders
        self.bodies = bodies
        self.include_automated = include_automated
        self.chunk_size = chunk_size
        self.total: int | None = None
        self.left_out = 0
        self.report: dict[str, Any] = {}
        # folder → {"uidvalidity": int, "uid": highest UID done}; only ever covers what was yielded.
        self._state: dict[str, dict[str, int]] = {}

    def sniff(self, path: Path) -> bool:
        return False  # a live source: there is no file to recognise

    def cursor(self) -> str | None:
        return json.dumps({"folders": self._state}, sort_keys=True)

    def read(self, target: object, cursor: str | None) -> Iterator[Observation | Exception]:
        """Sign in and work out what is new now (so `total` is known before the first message), then
        return the stream. `target` only names the account: the connection settings are this object's."""
        self._state = _folder_state(cursor)
        self.left_out = 0
        self.report = {"read": {"messages": 0}}
        client = self._connect()
        try:
            gmail = b"X-GM-EXT-1" in client.capabilities()
            plan = [(folder, self._new_uids(client, folder)) for folder in self._chosen_folders(client)]
        except BaseException:
            client.logout()
            raise
        self.total = sum(len(uids) for _, uids in plan)
        return self._messages(client, plan, gmail)

    def idle_client(self) -> IMAPClient | None:
        """Signed in with the folder where new mail lands selected (All Mail where there is one, the only
        folder chosen, else INBOX), ready for IDLE; None when the server does not offer IDLE."""
        client = self._connect()
        try:
            if b"IDLE" not in client.capabilities():
                client.logout()
                return None
            chosen = self._chosen_folders(client)
            client.select_folder(chosen[0] if len(chosen) == 1 else "INBOX", readonly=True)
        except BaseException:
            client.shutdown()
            raise
        return client

    def _connect(self) -> IMAPClient:
        where = f"{self.username} at {self.host}:{self.port}"
        try:
            client = IMAPClient(self.host, port=self.port, ssl=self.ssl, timeout=TIMEOUT)
        except (OSError, IMAPClientError) as exc:
            raise KithkinError(
                f"Could not reach the IMAP server for {where} ({exc}); check host, port and ssl."
            ) from exc
        client.normalise_times = False  # keep INTERNALDATE's zone: naive local times would shift mail
        try:
            client.login(self.username, self._password)
        except (OSError, IMAPClientError) as exc:
            client.shutdown()
            raise KithkinError(
                f"The IMAP server refused to sign in {where}; check the user name and the app password."
            ) from exc
        return client

    def _chosen_folders(self, client: IMAPClient) -> list[str]:
        if self.folders:
            return list(self.folders)
        listed = client.list_folders()
        # Gmail and Dovecot's virtual All Mail hold every message once: reading other folders too
        # would only fetch the same mail again.
        for flags, _, name in listed:
            if b"\\All" in flags:
                return [name]
        return [name for flags, _, name in listed if not any(use in flags for use in _SKIPPED_USES)]

    def _new_uids(self, client: IMAPClient, folder: str) -> list[int]:
        """UIDs past the stored position; every UID when the folder's UIDVALIDITY changed."""
        try:
            info = client.select_folder(folder, readonly=True)
        except IMAPClientError as exc:
            raise KithkinError(f"The IMAP folder '{folder}' cannot be opened ({exc}); check 'folders'.") from exc
        validity = int(info[b"UIDVALIDITY"])
        known = self._state.get(folder)
        if known and known["uidvalidity"] == validity:
            last = known["uid"]
            # "n:*" always matches the highest UID, even one below n: keep only what is really new.
            uids = [uid for uid in client.search(["UID", f"{last + 1}:*"]) if uid > last]
        else:
            self._state[folder] = {"uidvalidity": validity, "uid": 0}
            uids = client.search("ALL")
        return sorted(uids)

    def _messages(
        self, client: IMAPClient, plan: list[tuple[str, list[int]]], gmail: bool
    ) -> Iterator[Observation | Exception]:
        # A snippet needs only a message's opening: the first 64 KiB, never its attachments.
        part = f"BODY.PEEK[]<0.{BODY_BYTES}>" if self.bodies else "BODY.PEEK[HEADER]"
        items = [part, "INTERNALDATE"] + (["X-GM-THRID", "X-GM-LABELS"] if gmail else [])
        try:
            for folder, uids in plan:
                if not uids:
                    continue
                client.select_folder(folder, readonly=True)
                for start in range(0, len(uids), self.chunk_size):
                    chunk = uids[start : start + self.chunk_size]
                    fetched = client.fetch(chunk, items)
                    for uid in chunk:
                        data = fetched.get(uid)
                        # The position moves before the yield: when ingest asks for the cursor, this
                        # message is in the batch it commits.
                        self._state[folder]["uid"] = uid
                        if not data:  # expunged between the search and the fetch
                            self.left_out += 1
                            tally(self.report, "left_out", "deleted on the server during the sync")
                            continue
                        message, observation = self._observation(folder, data, gmail)
                        count_message(self.report, message, observation)
                        if observation is None:
                            self.left_out += 1
                            continue
                        yield observation
        except (OSError, IMAPClientError) as exc:
            raise KithkinError(
                f"The IMAP connection to {self.host} failed during sync ({exc}); run the sync again to resume."
            ) from exc
        finally:
            try:
                client.logout()
            except (OSError, IMAPClientError):
                client.shutdown()

    def _observation(
        self, folder: str, data: dict[bytes, Any], gmail: bool
    ) -> tuple[Message, Observation | Exception | None]:
        message = parse_message(data.get(b"BODY[]<0>") or data.get(b"BODY[HEADER]") or b"")
        received = data.get(b"INTERNALDATE")
        if isinstance(received, datetime) and received.tzinfo is None:
            received = received.replace(tzinfo=UTC)
        labels = tuple(_text(label) for label in data.get(b"X-GM-LABELS", ())) if gmail else ()
        thread = str(data[b"X-GM-THRID"]) if gmail and data.get(b"X-GM-THRID") else None
        try:
            return message, message_observation(
                message,
                include_automated=self.include_automated,
                fallback_date=received if isinstance(received, datetime) else None,
                gmail_thread=thread,
                labels=labels,
                context=folder,
                with_snippet=self.bodies,
            )
        except ValueError as exc:
            return message, exc


def _text(value: object) -> str:
    return value.decode("utf-8", "replace") if isinstance(value, bytes) else str(value)


def _folder_state(cursor: str | None) -> dict[str, dict[str, int]]:
    """The stored per-folder positions; an unreadable cursor means a full sync (ids keep it duplicate-free)."""
    if not cursor:
        return {}
    try:
        folders = json.loads(cursor)["folders"]
        return {
            str(name): {"uidvalidity": int(pos["uidvalidity"]), "uid": int(pos["uid"])} for name, pos in folders.items()
        }
    except (ValueError, KeyError, TypeError, AttributeError):
        return {}


def live_importer(source: LiveSource, workspace: Workspace) -> tuple[ImapImporter, str]:
    """The IMAP source configured in config.yaml, its password from the environment or the keyring."""
    extra = source.model_extra or {}
    label = source.account or "default"
    missing = [key for key in ("host", "username") if not extra.get(key)]
    if missing:
        raise KithkinError(f"The imap source '{label}' needs {' and '.join(missing)} in config.yaml.")
    folders = extra.get("folders")
    importer = ImapImporter(
        str(extra["host"]),
        str(extra["username"]),
        secret_for(source, "password"),
        port=int(extra["port"]) if extra.get("port") else None,
        ssl=bool(extra.get("ssl", True)),
        folders=[str(f) for f in folders] if folders else None,
        bodies=bool(extra.get("bodies", False)),
        include_automated=bool(extra.get("include_automated", False)),
    )
    return importer, f"imap://{importer.username}@{importer.host}:{importer.port}"
