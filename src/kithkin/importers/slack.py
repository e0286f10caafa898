"""Slack: a workspace export (the .zip an admin downloads, or that zip unpacked into a folder).

The export holds users.json (org_users.json on Enterprise Grid), channels.json (public), groups.json
(private channels), dms.json and mpims.json (group DMs), each conversation listing its `members`, and one
folder per conversation (the channel's name; a DM's id) of `YYYY-MM-DD.json` arrays of messages: type,
subtype, user, text, ts (kept as the string it is: with the conversation it is the message's id),
thread_ts, user_profile. Mentions are written `<@U123>` or `<@U123|name>`.

Bots (is_bot, Slackbot, bot_message and other subtypes without a person) never become people; deleted
users stay identities flagged `deleted`. A channel's members are listed on its messages only when the
channel is small (settings.relationships.slack_channel_max_members): in a large channel sharing it says
nothing about knowing someone. Its size is kept in each message's metadata either way. `Directory` holds
that mapping for both the export and the live Web API sync (slack_api.py).
"""

from __future__ import annotations

import re
import zipfile
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path, PurePosixPath
from typing import Any, ClassVar

from kithkin.importers import limits
from kithkin.importers.base import ZIP_ERRORS, tally
from kithkin.models import Identity, ImportFormatError, Observation

SNIPPET = 280
MAX_MEMBER = 256 * 1024 * 1024  # one day of one channel is never near this
MAX_TOTAL = 8 * 1024 * 1024 * 1024
MAX_RATIO = 200  # JSON compresses well, but not a thousandfold
DEFAULT_CHANNEL_MAX = 30
_DAY = re.compile(r"^(?P<folder>.+)/(?P<day>\d{4}-\d{2}-\d{2})\.json$")
_MENTION = re.compile(r"<@(?P<id>[UW][A-Z0-9]+)(?:\|(?P<label>[^>]*))?>")
# Subtypes that are still a person saying something; every other subtype is a join, a topic change, a bot…
SPOKEN = {None, "thread_broadcast", "file_share", "me_message", "file_comment"}
_UNREADABLE = ("left_out", "unreadable messages")
LISTS = {"channels.json": "channel", "groups.json": "group", "dms.json": "dm", "mpims.json": "mpim"}


class _Export:
    """The export's files by their path inside it, from a zip (checked before anything is read) or a folder."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.archive: zipfile.ZipFile | None = None
        if path.is_dir():
            self.files = {p.relative_to(path).as_posix(): p for p in path.rglob("*.json") if p.is_file()}
            return
        if not path.is_file() or not zipfile.is_zipfile(path):
            raise ImportFormatError(path, "is not a Slack export: expected the workspace export .zip or its folder")
        try:
            self.archive = zipfile.ZipFile(path)
            members = self.archive.infolist()
        except ZIP_ERRORS as exc:
            raise ImportFormatError(path, f"is a damaged zip ({exc})") from exc
        total = 0
        for member in members:
            name = PurePosixPath(member.filename)
            if name.is_absolute() or ".." in name.parts or "\\" in member.filename:
                raise ImportFormatError(path, f"holds an unsafe path ({member.filename}); it was not read")
            total += member.file_size
            too_dense = member.file_size > MAX_RATIO * max(member.compress_size, 1) + 10**6
            if member.file_size > MAX_MEMBER or too_dense or total > MAX_TOTAL:
                raise ImportFormatError(path, f"{member.filename} unpacks far larger than it is packed (a zip bomb?)")
        self.files = {m.filename: m for m in members if not m.is_dir() and m.filename.endswith(".json")}

    def close(self) -> None:
        if self.archive is not None:
            self.archive.close()

    def has(self, name: str) -> bool:
        return name in self.files

    def load(self, name: str) -> Any:
        entry = self.files[name]
        if isinstance(entry, Path):
            if entry.stat().st_size > MAX_MEMBER:
                raise ValueError(f"{name} is larger than any Slack export file should be")
            data = entry.read_bytes()
        else:
            assert self.archive is not None
            with self.archive.open(entry) as handle:
                data = handle.read(MAX_MEMBER + 1)  # a lying size header cannot make this read unbounded
            if len(data) > MAX_MEMBER:
                raise ValueError(f"{name} is larger than any Slack export file should be")
        return limits.loads_json(data.decode("utf-8-sig"))


class SlackImporter:
    source_type: ClassVar[str] = "slack"

    def __init__(self) -> None:
        self.channel_max_members: int | None = None  # set by ingest from settings.relationships
        self.report: dict[str, Any] = {}

    def sniff(self, path: Path) -> bool:
        if path.is_dir():  # without walking the folder: sniffing must stay cheap on any folder
            has = [(path / name).is_file() for name in ("users.json", "org_users.json", *LISTS)]
            return any(has[:2]) and any(has[2:])
        try:
            export = _Export(path)
        except ImportFormatError:
            return False
        try:
            return (export.has("users.json") or export.has("org_users.json")) and any(map(export.has, LISTS))
        finally:
            export.close()

    def cursor(self) -> str | None:
        return None  # an export is read whole; (conversation, ts) ids make re-imports add nothing

    def read(self, path: Path, cursor: str | None) -> Iterator[Observation | Exception]:
        export = _Export(path)
        try:
            yield from self._read(export)
        finally:
            export.close()

    def _read(self, export: _Export) -> Iterator[Observation | Exception]:
        users_file = "users.json" if export.has("users.json") else "org_users.json"
        if not export.has(users_file) or not any(map(export.has, LISTS)):
            raise ImportFormatError(export.path, "is not a Slack export: it has no users.json and channels.json")
        try:
            users = {u["id"]: u for u in export.load(users_file)}
            conversations = {}
            for list_name, kind in LISTS.items():
                for conversation in export.load(list_name) if export.has(list_name) else []:
                    folder = conversation["id"] if kind == "dm" else conversation.get("name") or conversation["id"]
                    conversations[folder] = (kind, conversation)
        except (*ZIP_ERRORS, KeyError, TypeError, AttributeError) as exc:
            raise ImportFormatError(export.path, f"is a damaged Slack export ({exc})") from exc
        days = sorted((m["folder"], m["day"], name) for name in export.files if (m := _DAY.match(name)))
        directory = Directory(users, self.channel_max_members or DEFAULT_CHANNEL_MAX)
        self.report = report = directory.report
        for folder, _day, name in days:
            if folder not in conversations:
                # A folder no list names (a partial export): no members, no kind to trust.
                tally(report, "left_out", "days of conversations no channel list names")
                continue
            kind, conversation = conversations[folder]
            try:
                messages = export.load(name)
                if not isinstance(messages, list):
                    raise ValueError("expected a list of messages")
            except ZIP_ERRORS as exc:
                tally(report, "left_out", "unreadable day files")
                yield ValueError(f"{export.path}: {name} could not be read ({exc})")
                continue
            for message in messages:
                observation = directory.counted(message, kind, conversation, f"{export.path}: {name}")
                if observation is not None:
                    yield observation


def _guest(message: dict[str, Any]) -> dict[str, Any] | None:
    """Someone from another workspace in a shared channel: absent from users.json, described by the message."""
    profile = message.get("user_profile")
    if not message.get("user") or not isinstance(profile, dict):
        return None
    return {"id": message["user"], "real_name": profile.get("real_name"), "profile": profile}


def _is_bot(user: dict[str, Any] | None) -> bool:
    return user is None or bool(user.get("is_bot")) or user.get("id") == "USLACKBOT"


class Directory:
    """A workspace's users, turning its messages into observations; shared by the export and the live sync.

    `users` maps user ids to users.json / users.list entries; `owner_id` is the token's own user when the
    live sync knows it (an export names nobody as its owner: the owner's email in config.yaml does).
    """

    def __init__(self, users: dict[str, dict[str, Any]], channel_max_members: int, owner_id: str | None = None):
        self.users = users
        self.channel_max_members = channel_max_members
        self.owner_id = owner_id
        # The coverage of every message handed to `counted`: read, imported, left out with the reason.
        self.report: dict[str, Any] = {"read": {"messages": 0}}
        # One Identity per user and role, shared by every message: ingest only reads them.
        self._identities: dict[tuple[str, str], Identity] = {}

    def is_person(self, user_id: str) -> bool:
        """Is this user someone who can become a person (known, and no bot)?"""
        return not _is_bot(self.users.get(user_id))

    def counted(
        self, message: Any, kind: str, conversation: dict[str, Any], where: str
    ) -> Observation | Exception | None:
        """`observation`, counted in `report`; `where` names the file or conversation for an error."""
        tally(self.report, "read", "messages")
        reason = self.left_out_reason(message)
        if reason is not None:
            tally(self.report, "left_out", reason)
            return None
        try:
            found = self.observation(message, kind, conversation)
        except (KeyError, TypeError, AttributeError) as exc:
            found = ValueError(f"{where}: a message is malformed ({exc})")
        tally(self.report, *(("imported", "messages") if isinstance(found, Observation) else _UNREADABLE))
        return found

    def left_out_reason(self, message: Any) -> str | None:
        """Why a message is no one's interaction (for the coverage report), or None when it is one."""
        if not isinstance(message, dict) or message.get("type", "message") != "message":
            return "records that are no messages"
        author = self.users.get(message.get("user") or "") or _guest(message)
        if message.get("bot_id") or message.get("subtype") == "bot_message" or (author and _is_bot(author)):
            return "bot messages"
        if message.get("subtype") not in SPOKEN:
            return "notices (joins, leaves, topics, pins)"
        if author is None:
            return "messages by no known user"
        return None

    def identity(self, user: dict[str, Any], role: str) -> Identity:
        key = (user["id"], role)
        if key not in self._identities:
            self._identities[key] = _new_identity(user, role, user["id"] == self.owner_id)
        return self._identities[key]

    def observation(self, message: Any, kind: str, conversation: dict[str, Any]) -> Observation | Exception | None:
        """One message of a conversation (kind: channel, group, dm or mpim; `members` listed) as an
        observation; None for what no person said (joins, bots, topic changes)."""
        if self.left_out_reason(message):
            return None
        users = self.users
        author = users.get(message["user"]) or _guest(message)
        assert author is not None  # left_out_reason found it
        ts = str(message.get("ts") or "")
        try:
            when = datetime.fromtimestamp(float(ts), UTC)
        except (ValueError, OverflowError, OSError):
            where = conversation.get("name") or conversation["id"]
            return ValueError(f"Slack message in {where} has a bad ts ({ts!r})")
        members = [m for m in conversation.get("members") or [] if self.is_person(m)]
        listed = {author["id"]}
        participants = [self.identity(author, "from")]
        role = "to" if kind == "dm" else "member"
        if kind != "channel" or len(members) <= self.channel_max_members:
            for member in members:
                if member not in listed:
                    listed.add(member)
                    participants.append(self.identity(users[member], role))
        text = str(message.get("text") or "")
        for mention in _MENTION.finditer(text):
            if self.is_person(mention["id"]) and mention["id"] not in listed:
                listed.add(mention["id"])
                participants.append(self.identity(users[mention["id"]], "mention"))
        snippet = _MENTION.sub(lambda m: "@" + _display(users.get(m["id"]), m["label"] or m["id"]), text).strip()
        thread = message.get("thread_ts")
        name = conversation.get("name")
        return Observation(
            source_id=f"{conversation['id']}:{ts}",
            kind="message",
            occurred_at=when,
            participants=participants,
            thread_id=f"{conversation['id']}:{thread}" if thread else conversation["id"],
            context=None if kind == "dm" else name if kind == "mpim" else f"#{name}",
            snippet=snippet[:SNIPPET] or None,
            metadata={"member_count": len(conversation.get("members") or []), "conversation": kind},
        )


def _new_identity(user: dict[str, Any], role: str, is_owner: bool) -> Identity:
    profile = user.get("profile") or {}
    name = profile.get("real_name") or user.get("real_name") or profile.get("display_name") or user.get("name")
    metadata: dict[str, Any] = {}
    if profile.get("title"):
        metadata["position"] = profile["title"]
    if user.get("deleted"):
        metadata["deleted"] = True
    return Identity(
        source_id=user["id"],
        name=name or None,
        emails=(profile["email"],) if profile.get("email") else (),
        phones=(profile["phone"],) if profile.get("phone") else (),
        role=role,
        is_owner=is_owner,
        metadata=metadata,
    )


def _display(user: dict[str, Any] | None, fallback: str) -> str:
    if user is None:
        return fallback
    profile = user.get("profile") or {}
    return profile.get("display_name") or profile.get("real_name") or user.get("real_name") or fallback
