"""Live Slack over the Web API with a personal user token (`kithkin sync slack`), read-only.

Reads the workspace's users (users.list), the conversations the token's user is a member of
(users.conversations: the user's own channels, private channels, DMs and group DMs, not the thousands of
public channels they never joined), each one's members (conversations.members) and its messages
(conversations.history), with the replies of every thread whose parent is new (conversations.replies).
Messages become observations exactly as in an export (slack.Directory), with the same ids, so an export
imported under the same account and a live sync never store a message twice. The token's user is the owner.

The cursor maps each conversation to the newest top-level message read; the next sync asks only for what
came after it (`oldest`). A conversation's position moves only once all its messages were yielded, so an
interrupted sync reads that conversation again (its messages keep their ids: nothing is stored twice).
Replies posted later to a thread whose parent was already read are not fetched: history reports only new
top-level messages, and re-reading every old thread on each sync would cost a call per thread.

Config (config.yaml, under `sources`)::

    - type: slack
      account: myteam
      token_env: SLACK_MYTEAM_TOKEN        # or keyring: kithkin / slack:myteam:token
      types: [public_channel, private_channel, mpim, im]   # optional; default all four

The token is a user token (xoxp-…) of a Slack app the user created, with the read-only user scopes
users:read and users:read.email, plus for each conversation type its `read` and `history` scope
(channels, groups, mpim, im).
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any, ClassVar

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError, SlackClientError
from slack_sdk.http_retry import ConnectionErrorRetryHandler, RateLimitErrorRetryHandler

from kithkin.config import LiveSource
from kithkin.credentials import secret_for
from kithkin.importers.base import tally
from kithkin.importers.slack import DEFAULT_CHANNEL_MAX, Directory
from kithkin.models import KithkinError, Observation
from kithkin.workspace import Workspace

BASE_URL = WebClient.BASE_URL  # replaced only by tests, to reach a server on this machine
PAGE = 200  # Slack's advice for paginated methods
TIMEOUT = 60
# Each request waits out up to this many 429s (Retry-After honoured) before the sync gives up.
RATE_LIMIT_RETRIES = 5
# Conversation type → the user scopes that list it and read its messages.
TYPE_SCOPES = {
    "public_channel": ("channels:read", "channels:history"),
    "private_channel": ("groups:read", "groups:history"),
    "mpim": ("mpim:read", "mpim:history"),
    "im": ("im:read", "im:history"),
}
USER_SCOPES = ("users:read", "users:read.email")
# Errors that concern the token, not one conversation: no other call would fare better.
TOKEN_ERRORS = {"invalid_auth", "not_authed", "token_revoked", "token_expired", "account_inactive"}
# slack_sdk logs each failed request itself; unconfigured, Python would print that beside the one sentence
# the sync fails with, so its records go to a logger that has a handler (a silent one) unless the app adds one.
_LOG = logging.getLogger(__name__)
_LOG.addHandler(logging.NullHandler())


class SlackApiImporter:
    """Reads one Slack workspace through the token of one of its users."""

    source_type: ClassVar[str] = "slack"

    def __init__(self, token: str, *, label: str, types: list[str], base_url: str = BASE_URL) -> None:
        self._token = token
        self.label = label
        self.types = types
        self.base_url = base_url
        self.channel_max_members: int | None = None  # set by ingest from settings.relationships
        self.report: dict[str, Any] = {}
        # conversation id → ts of the newest top-level message; only conversations read to their end.
        self._latest: dict[str, str] = {}

    def sniff(self, path: Path) -> bool:
        return False  # a live source: there is no file to recognise

    def cursor(self) -> str | None:
        return json.dumps(self._latest, sort_keys=True)

    def read(self, target: object, cursor: str | None) -> Iterator[Observation | Exception]:
        """Check the token and its scopes, list the users and conversations now (so a bad token or a missing
        scope fails before anything is stored), then return the stream of messages."""
        self._latest = _positions(cursor)
        client = WebClient(
            token=self._token,
            base_url=self.base_url,
            timeout=TIMEOUT,
            logger=_LOG,
            retry_handlers=[ConnectionErrorRetryHandler(), RateLimitErrorRetryHandler(RATE_LIMIT_RETRIES)],
        )
        with self._talking():
            me = client.auth_test()
            self._check_scopes(me.headers)
            users = {u["id"]: u for page in client.users_list(limit=PAGE) for u in page["members"]}
            conversations = [
                c
                for page in client.users_conversations(types=",".join(self.types), limit=PAGE)
                for c in page["channels"]
            ]
        directory = Directory(users, self.channel_max_members or DEFAULT_CHANNEL_MAX, owner_id=me["user_id"])
        self.report = directory.report
        return self._messages(client, directory, conversations)

    def _messages(
        self, client: WebClient, directory: Directory, conversations: list[dict[str, Any]]
    ) -> Iterator[Observation | Exception]:
        with self._talking():
            for channel in conversations:
                kind = _kind(channel)
                try:
                    conversation = {**channel, "members": _members(client, channel, kind, directory.owner_id)}
                    newest = self._latest.get(channel["id"])
                    for page in client.conversations_history(channel=channel["id"], oldest=newest or "0", limit=PAGE):
                        for message in page["messages"]:
                            yield from _kept(directory.counted(message, kind, conversation, _where(channel)))
                            if _opens_thread(message):
                                yield from _replies(client, directory, message, kind, conversation)
                            newest = max(newest or "0", str(message.get("ts") or "0"), key=_ts)
                except SlackApiError as exc:
                    if _stops_the_sync(exc):
                        raise
                    tally(self.report, "left_out", "conversations that could not be read (retried next sync)")
                    yield ValueError(
                        f"{_where(channel)} could not be read ({_error(exc)}); it is retried next sync"
                    )
                    continue
                if newest:
                    self._latest[channel["id"]] = newest

    def _check_scopes(self, headers: dict[str, Any]) -> None:
        """Slack lists a token's scopes in the X-OAuth-Scopes header: check them before reading anything."""
        granted = next((v for k, v in headers.items() if k.lower() == "x-oauth-scopes"), None)
        if granted is None:
            return  # no header to go by: a missing scope then shows as the call's own missing_scope
        have = {s.strip() for s in (granted[0] if isinstance(granted, list) else granted).split(",")}
        needed = [*USER_SCOPES, *(s for t in self.types for s in TYPE_SCOPES[t])]
        missing = [s for s in needed if s not in have]
        if missing:
            raise KithkinError(self._missing_scope(", ".join(missing)))

    def _missing_scope(self, scopes: str) -> str:
        return (
            f"The Slack token of the slack source '{self.label}' lacks the scope {scopes}; add it under User Token "
            "Scopes in your Slack app, reinstall the app and store the new token, or leave that conversation "
            "type out of 'types' in config.yaml."
        )

    @contextmanager
    def _talking(self) -> Iterator[None]:
        """Slack's and the network's failures as one sentence saying what to do."""
        try:
            yield
        except SlackApiError as exc:
            raise KithkinError(self._refusal(exc)) from exc
        except (OSError, SlackClientError) as exc:
            raise KithkinError(
                f"Could not reach Slack at {self.base_url} ({exc}); check the network connection and run the sync "
                "again (it resumes where it stopped)."
            ) from exc

    def _refusal(self, exc: SlackApiError) -> str:
        error = _error(exc)
        if exc.response.status_code == 429 or error == "ratelimited":
            return (
                f"Slack kept rate-limiting the sync of the slack source '{self.label}'; wait a few minutes and run "
                "the sync again (it resumes where it stopped)."
            )
        if error in TOKEN_ERRORS:
            return (
                f"Slack refused the token of the slack source '{self.label}' ({error}); create a new user token "
                f"(xoxp-…) in your Slack app and store it with `keyring set kithkin slack:{self.label}:token` or in "
                "the variable named by token_env."
            )
        if error == "missing_scope":
            return self._missing_scope(str(exc.response.get("needed") or "the method needs"))
        method = exc.response.api_url.rsplit("/", 1)[-1]
        return f"Slack answered {method} for the slack source '{self.label}' with '{error}'; run the sync again later."


def _kind(channel: dict[str, Any]) -> str:
    """The export's name for a conversation's kind: dm, mpim, group (private channel) or channel."""
    if channel.get("is_im"):
        return "dm"
    if channel.get("is_mpim"):
        return "mpim"
    return "group" if channel.get("is_private") or channel.get("is_group") else "channel"


def _members(client: WebClient, channel: dict[str, Any], kind: str, owner_id: str | None) -> list[str]:
    if kind == "dm":  # a DM names its other user: no call needed for two members
        return list(dict.fromkeys(m for m in (owner_id, channel.get("user")) if m))
    return [m for page in client.conversations_members(channel=channel["id"], limit=PAGE) for m in page["members"]]


def _opens_thread(message: dict[str, Any]) -> bool:
    return bool(message.get("reply_count")) and message.get("thread_ts") == message.get("ts")


def _replies(
    client: WebClient, directory: Directory, parent: dict[str, Any], kind: str, conversation: dict[str, Any]
) -> Iterator[Observation | Exception]:
    thread = client.conversations_replies(channel=conversation["id"], ts=parent["ts"], limit=PAGE)
    for page in thread:
        for message in page["messages"]:
            if message.get("ts") != parent["ts"]:  # the parent comes back with its replies
                yield from _kept(directory.counted(message, kind, conversation, _where(conversation)))


def _where(conversation: dict[str, Any]) -> str:
    return f"Slack conversation {conversation.get('name') or conversation['id']}"


def _kept(observation: Observation | Exception | None) -> Iterator[Observation | Exception]:
    if observation is not None:
        yield observation


def _ts(value: str) -> Decimal:
    """A message ts as a number: "1705312800.000100" has more digits than a float keeps exactly."""
    try:
        return Decimal(value)
    except InvalidOperation:
        return Decimal(0)


def _error(exc: SlackApiError) -> str:
    data = exc.response.data
    return str(data.get("error") or f"HTTP {exc.response.status_code}") if isinstance(data, dict) else "no answer"


def _stops_the_sync(exc: SlackApiError) -> bool:
    error = _error(exc)
    return exc.response.status_code == 429 or error in TOKEN_ERRORS or error in {"ratelimited", "missing_scope"}


def _positions(cursor: str | None) -> dict[str, str]:
    """The stored per-conversation positions; an unreadable cursor means a full sync (ids keep it duplicate-free)."""
    if not cursor:
        return {}
    try:
        stored = json.loads(cursor)
        return {str(channel): str(ts) for channel, ts in stored.items() if _ts(str(ts))}
    except (ValueError, TypeError, AttributeError):
        return {}


def live_importer(source: LiveSource, workspace: Workspace) -> tuple[SlackApiImporter, str]:
    """The Slack source configured in config.yaml, its user token from the environment or the keyring."""
    extra = source.model_extra or {}
    label = source.account or "default"
    listed = extra.get("types") or list(TYPE_SCOPES)
    types = [str(t) for t in ([listed] if isinstance(listed, str) else listed)]
    unknown = [t for t in types if t not in TYPE_SCOPES]
    if unknown:
        raise KithkinError(
            f"The slack source '{label}' lists an unknown conversation type '{unknown[0]}' under types; "
            f"use any of {', '.join(TYPE_SCOPES)}."
        )
    importer = SlackApiImporter(secret_for(source, "token"), label=label, types=types, base_url=BASE_URL)
    return importer, f"slack:{label}"
