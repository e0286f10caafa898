"""Live calendars over CalDAV (`kithkin sync caldav`): iCloud, Fastmail, Nextcloud, Radicale, ...

Each calendar is read with a WebDAV sync token (RFC 6578): the first sync fetches every event, later
ones only what changed. Servers without sync tokens get the `caldav` library's fallback, which
compares ETags and refetches a calendar only when one changed. A calendar's token is stored only
once all its events were yielded, so an interrupted sync reads that calendar again (the events
keep their ids: nothing is stored twice).

Config (config.yaml, under `sources`)::

    - type: caldav
      account: personal
      url: https://caldav.fastmail.com/dav/calendars/user/me@fastmail.com/
      username: me@fastmail.com
      password_env: FASTMAIL_APP_PASSWORD   # or keyring: kithkin / caldav:personal:password
      calendars: [Personal, Family]          # optional; default every calendar
      past_days: 730                         # optional live-sync window: what falls outside
      future_days: 365                       #   it is left out, and counted in the summary
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any, ClassVar
from urllib.parse import urlsplit

import caldav
from caldav.lib.error import AuthorizationError, DAVError

from kithkin.config import LiveSource
from kithkin.credentials import secret_for
from kithkin.importers.base import tally
from kithkin.importers.calendar import FUTURE_DAYS, PAST_DAYS, Window, meetings, parse_calendar, window_options
from kithkin.models import ImportFormatError, KithkinError, Observation
from kithkin.workspace import Workspace

TIMEOUT = 60
_LOOPBACK = ("127.0.0.1", "::1", "localhost")


class CaldavImporter:
    """Reads every calendar (or the named ones) of one CalDAV account."""

    source_type: ClassVar[str] = "calendar"

    def __init__(
        self,
        url: str,
        username: str,
        password: str,
        *,
        calendars: list[str] | None = None,
        past_days: int = PAST_DAYS,
        future_days: int = FUTURE_DAYS,
    ) -> None:
        self.url = url
        self.username = username
        self._password = password
        self.calendars = calendars
        self.past_days = past_days
        self.future_days = future_days
        self.total: int | None = None
        self.report: dict[str, Any] = {}
        # calendar URL → sync token; only tokens of calendars whose changes were all yielded.
        self._tokens: dict[str, str] = {}

    def sniff(self, path: Path) -> bool:
        return False  # a live source: there is no file to recognise

    def cursor(self) -> str | None:
        return json.dumps({"tokens": self._tokens}, sort_keys=True)

    def read(self, target: object, cursor: str | None) -> Iterator[Observation | Exception]:
        """Sign in and find the calendars now (a wrong address or password fails before any data)."""
        self._tokens = _tokens(cursor)
        host = urlsplit(self.url).hostname or self.url
        client = caldav.DAVClient(
            url=self.url,
            username=self.username,
            password=self._password,
            timeout=TIMEOUT,
            enable_rfc6764=False,  # the configured URL is the place: no DNS discovery
            # Passwords go over plain http only to a server on this machine.
            require_tls=host not in _LOOPBACK,
        )
        try:
            calendars = client.principal().calendars()
        except AuthorizationError as exc:
            raise KithkinError(
                f"The CalDAV server at {host} refused {self.username}; check the user name and the app password."
            ) from exc
        except (DAVError, OSError, ValueError) as exc:
            raise KithkinError(f"Could not read the calendars at {self.url} ({exc}); check the address.") from exc
        if self.calendars:
            wanted = set(self.calendars)
            calendars = [c for c in calendars if (c.get_display_name() or "") in wanted]
        return self._occurrences(calendars)

    def _occurrences(self, calendars: list[Any]) -> Iterator[Observation | Exception]:
        window = Window.around(None, self.past_days, self.future_days)
        self.report = {"read": {"events": 0}}
        for calendar in calendars:
            key = str(calendar.url)
            name = calendar.get_display_name() or None
            try:
                changed = calendar.get_objects_by_sync_token(sync_token=self._tokens.get(key), load_objects=True)
            except (DAVError, OSError) as exc:
                raise KithkinError(
                    f"The CalDAV calendar '{name or key}' could not be read ({exc}); run the sync again to resume."
                ) from exc
            for item in changed:
                data = item.data  # None for an event deleted since the last sync
                if not data:
                    continue
                raw = data.encode() if isinstance(data, str) else data
                try:
                    parsed = parse_calendar(raw, item.url)
                except ImportFormatError as exc:
                    tally(self.report, "left_out", "unreadable events")
                    yield exc
                    continue
                yield from meetings(parsed, window, self.report, context=name)
            self._tokens[key] = str(changed.sync_token)


def _tokens(cursor: str | None) -> dict[str, str]:
    if not cursor:
        return {}
    try:
        return {str(url): str(token) for url, token in json.loads(cursor)["tokens"].items()}
    except (ValueError, KeyError, TypeError, AttributeError):
        return {}  # unreadable: a full sync, which stores nothing twice


def live_importer(source: LiveSource, workspace: Workspace) -> tuple[CaldavImporter, str]:
    """The CalDAV source configured in config.yaml, its password from the environment or the keyring."""
    extra = source.model_extra or {}
    missing = [key for key in ("url", "username") if not extra.get(key)]
    if missing:
        label = source.account or "default"
        raise KithkinError(f"The caldav source '{label}' needs {' and '.join(missing)} in config.yaml.")
    names = extra.get("calendars")
    importer = CaldavImporter(
        str(extra["url"]),
        str(extra["username"]),
        secret_for(source, "password"),
        calendars=[str(n) for n in names] if names else None,
        **window_options(extra),
    )
    return importer, f"caldav:{importer.username}@{urlsplit(importer.url).hostname}"
