"""Live contacts over CardDAV (RFC 6352): iCloud, Fastmail, Nextcloud, Radicale, ….

Config (`config.yaml`): `type: carddav`, `account`, `url` (the server, a principal or an address
book), `username`, and the password from `password_env` or the keyring (credentials.py).

A sync asks each address book what changed since the stored sync token (RFC 6578
sync-collection); a server without sync tokens is compared by ETag instead. Only changed cards are
downloaded (addressbook-multiget). A card deleted on the server is marked (an observation with
{"deleted": true}), never removed. The cursor (JSON) keeps, per address book, the token and each
card's ETag and id.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, ClassVar
from urllib.parse import unquote, urljoin, urlsplit
from xml.etree.ElementTree import Element
from xml.sax.saxutils import escape

import httpx
from defusedxml.ElementTree import fromstring

from kithkin.config import LiveSource
from kithkin.credentials import secret_for
from kithkin.importers.base import tally
from kithkin.importers.contacts import Card, check_card, parse_vcards
from kithkin.models import Identity, ImportFormatError, KithkinError, Observation

if TYPE_CHECKING:  # importers know nothing of the store: the workspace is only passed through
    from kithkin.workspace import Workspace

DAV = "{DAV:}"
CARD = "{urn:ietf:params:xml:ns:carddav}"
NAMESPACES = 'xmlns:d="DAV:" xmlns:card="urn:ietf:params:xml:ns:carddav"'
MULTIGET_CHUNK = 100
# Answers that mean "this server does not do sync-collection here" rather than a failure.
UNSUPPORTED = {400, 403, 405, 409, 412, 415, 422, 501}


def _propfind_body(*props: str) -> str:
    wanted = "".join(props)
    return f'<?xml version="1.0" encoding="utf-8"?><d:propfind {NAMESPACES}><d:prop>{wanted}</d:prop></d:propfind>'


@dataclass
class BookState:
    """What the last sync saw of one address book: its token and, per card path, (ETag, card id)."""

    token: str | None = None
    cards: dict[str, tuple[str, str]] = field(default_factory=dict)

    def as_json(self) -> dict[str, Any]:
        return {"token": self.token, "cards": {path: list(seen) for path, seen in sorted(self.cards.items())}}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> BookState:
        return cls(token=data.get("token"), cards={p: (s[0], s[1]) for p, s in (data.get("cards") or {}).items()})


@dataclass
class _Changes:
    changed: dict[str, str]  # card path → ETag, to download
    deleted: list[str]  # card paths gone from the server
    token: str | None


class CardDavImporter:
    source_type: ClassVar[str] = "contacts"

    def __init__(self, username: str, password: str, *, timeout: float = 30.0) -> None:
        self.client = httpx.Client(auth=(username, password), timeout=timeout, follow_redirects=True)
        self.username = username
        self.region: str | None = None  # the default phone region, handed over by ingest
        self.report: dict[str, Any] = {}
        self._books: dict[str, BookState] = {}

    def sniff(self, path: object) -> bool:
        return False  # a live source, never a file

    def cursor(self) -> str | None:
        return json.dumps({"books": {url: state.as_json() for url, state in sorted(self._books.items())}})

    def read(self, target: str, cursor: str | None) -> Iterator[Observation | Exception]:
        """Every card changed on the server since `cursor`, and a marker for each one deleted."""
        saved = json.loads(cursor)["books"] if cursor else {}
        self._books = {url: BookState.from_json(data) for url, data in saved.items()}
        self.report = {"read": {"cards": 0}}
        try:
            for book in self._address_books(target):
                yield from self._sync_book(book, self._books.get(book, BookState()))
        finally:
            self.client.close()

    # --- HTTP ---------------------------------------------------------------------------------------

    def _request(self, method: str, url: str, body: str, depth: str | None = None) -> httpx.Response:
        headers = {"Content-Type": "application/xml; charset=utf-8"}
        if depth is not None:
            headers["Depth"] = depth
        try:
            response = self.client.request(method, url, content=body.encode("utf-8"), headers=headers)
        except httpx.HTTPError as exc:
            raise KithkinError(f"The CardDAV server at {url} could not be reached ({exc}); check the url.") from exc
        if response.status_code == 401:
            raise KithkinError(
                f"The CardDAV server at {url} refused the credentials of '{self.username}'; check the username "
                "and the password (many providers need an app-specific password)."
            )
        return response

    def _multistatus(self, method: str, url: str, body: str, depth: str | None = None) -> list[Element]:
        response = self._request(method, url, body, depth)
        if response.status_code != 207:
            raise KithkinError(f"The CardDAV server answered {response.status_code} to {method} {url}; check the url.")
        return list(fromstring(response.content).iter(f"{DAV}response"))

    # --- discovery ----------------------------------------------------------------------------------

    def _address_books(self, url: str) -> list[str]:
        """The address books at `url`: itself, or those under the user's address book home."""
        props = ("<d:resourcetype/>", "<d:current-user-principal/>", "<card:addressbook-home-set/>")
        body = _propfind_body(*props)
        if urlsplit(url).path in ("", "/") and self._request("PROPFIND", url, body, "0").status_code in (404, 405):
            url = urljoin(url, "/.well-known/carddav")  # RFC 6764: a bare server name redirects from here
        [first, *_] = self._multistatus("PROPFIND", url, body, "0") or [None]
        if first is None:
            raise KithkinError(f"The CardDAV server at {url} described nothing there; check the url.")
        if first.find(f".//{DAV}resourcetype/{CARD}addressbook") is not None:
            return [url]
        home = _href(first, f".//{CARD}addressbook-home-set")
        principal = _href(first, f".//{DAV}current-user-principal")
        if home is None and principal is not None:
            [described, *_] = self._multistatus(
                "PROPFIND", urljoin(url, principal), _propfind_body("<card:addressbook-home-set/>"), "0"
            )
            home = _href(described, f".//{CARD}addressbook-home-set")
        home_url = urljoin(url, home or url)
        body = _propfind_body("<d:resourcetype/>")
        books = [
            urljoin(home_url, href)
            for response in self._multistatus("PROPFIND", home_url, body, "1")
            if (href := _href(response, f"{DAV}href")) is not None
            and response.find(f".//{DAV}resourcetype/{CARD}addressbook") is not None
        ]
        if not books:
            raise KithkinError(f"No address book was found at {url}; give the url of an address book in config.yaml.")
        return sorted(books)

    # --- one address book ---------------------------------------------------------------------------

    def _sync_book(self, book: str, state: BookState) -> Iterator[Observation | Exception]:
        changes = self._sync_collection(book, state)
        if changes is None:
            changes = self._etag_changes(book, state)
        fresh = BookState(token=changes.token, cards=dict(state.cards))
        now = datetime.now(UTC)
        paths = sorted(changes.changed)
        for start in range(0, len(paths), MULTIGET_CHUNK):
            for path, etag, text in self._multiget(book, paths[start : start + MULTIGET_CHUNK]):
                try:
                    items = parse_vcards(text, path)
                except ImportFormatError as exc:  # one resource that is not a vCard is one skipped card
                    items = [exc]
                for item in items:
                    tally(self.report, "read", "cards")
                    if isinstance(item, Card):
                        fresh.cards[path] = (etag or changes.changed.get(path, ""), item.source_id)
                        check_card(self.report, item, book, self.region)
                        tally(self.report, "imported", "cards")
                        yield item.observation(now)
                    else:
                        tally(self.report, "left_out", "unreadable cards")
                        yield item
        for path in sorted(changes.deleted):
            gone = fresh.cards.pop(path, None)
            if gone is not None:
                tally(self.report, "imported", "deletions")
                yield _deleted(gone[1], now)
        # Only now does the cursor move past this book: a sync cut short re-reads it next time.
        self._books[book] = fresh

    def _sync_collection(self, book: str, state: BookState) -> _Changes | None:
        """RFC 6578: what changed since the token (everything, with no token); None when unsupported."""
        token = state.token or ""
        body = (
            f'<?xml version="1.0" encoding="utf-8"?><d:sync-collection {NAMESPACES}>'
            f"<d:sync-token>{escape(token)}</d:sync-token><d:sync-level>1</d:sync-level>"
            "<d:prop><d:getetag/></d:prop></d:sync-collection>"
        )
        response = self._request("REPORT", book, body)
        if response.status_code in UNSUPPORTED:
            if token and b"valid-sync-token" in response.content:
                return self._sync_collection(book, BookState(token=None, cards=state.cards))  # token expired
            return None
        if response.status_code != 207:
            raise KithkinError(f"The CardDAV server answered {response.status_code} to a sync of {book}.")
        root = fromstring(response.content)
        changed: dict[str, str] = {}
        deleted: list[str] = []
        listed: set[str] = set()
        book_path = _path(book, book)
        for item in root.iter(f"{DAV}response"):
            href = _href(item, f"{DAV}href")
            path = _path(book, href) if href else book_path
            if path == book_path:
                continue
            status = item.find(f"{DAV}status")
            if status is not None and " 404" in (status.text or ""):
                deleted.append(path)
                continue
            listed.add(path)
            etag = item.findtext(f".//{DAV}getetag") or ""
            if not etag or state.cards.get(path, ("",))[0] != etag:
                changed[path] = etag
        new_token = root.findtext(f"{DAV}sync-token")
        if not token:
            # A sync from scratch lists every card: anything known but unlisted was deleted meanwhile.
            deleted += [p for p in state.cards if p not in listed]
        return _Changes(changed=changed, deleted=deleted, token=new_token)

    def _etag_changes(self, book: str, state: BookState) -> _Changes:
        """Without sync tokens: list every card's ETag and compare with the last sync."""
        current: dict[str, str] = {}
        book_path = _path(book, book)
        for item in self._multistatus("PROPFIND", book, _propfind_body("<d:getetag/>", "<d:resourcetype/>"), "1"):
            href = _href(item, f"{DAV}href")
            is_collection = item.find(f".//{DAV}resourcetype/{DAV}collection") is not None
            if href is None or _path(book, href) == book_path or is_collection:
                continue
            current[_path(book, href)] = item.findtext(f".//{DAV}getetag") or ""
        changed = {p: e for p, e in current.items() if not e or state.cards.get(p, ("",))[0] != e}
        deleted = [p for p in state.cards if p not in current]
        return _Changes(changed=changed, deleted=deleted, token=None)

    def _multiget(self, book: str, paths: list[str]) -> Iterator[tuple[str, str, str]]:
        hrefs = "".join(f"<d:href>{escape(p)}</d:href>" for p in paths)
        body = (
            f'<?xml version="1.0" encoding="utf-8"?><card:addressbook-multiget {NAMESPACES}>'
            f"<d:prop><d:getetag/><card:address-data/></d:prop>{hrefs}</card:addressbook-multiget>"
        )
        for item in self._multistatus("REPORT", book, body, "1"):
            href = _href(item, f"{DAV}href")
            if href is None:
                continue
            etag = item.findtext(f".//{DAV}getetag") or ""
            yield _path(book, href), etag, item.findtext(f".//{CARD}address-data") or ""


def _href(element: Element, path: str) -> str | None:
    found = element.find(path)
    if found is None:
        return None
    if found.tag != f"{DAV}href":
        found = found.find(f"{DAV}href")
    text = (found.text or "").strip() if found is not None else ""
    return text or None


def _path(base: str, href: str) -> str:
    """A card's identity across answers: servers give hrefs as paths or full URLs, quoted or not."""
    return unquote(urlsplit(urljoin(base, href)).path)


def _deleted(card_id: str, moment: datetime) -> Observation:
    """A card deleted on the server: marked on its entity, which keeps everything seen of it."""
    return Observation(
        source_id=card_id,
        kind="contact",
        occurred_at=moment,
        participants=[Identity(source_id=card_id, role="card", metadata={"deleted": True})],
        metadata={"deleted": True},
    )


def live_importer(source: LiveSource, workspace: Workspace) -> tuple[CardDavImporter, str]:
    extra = source.model_extra or {}
    url = str(extra.get("url") or "")
    username = str(extra.get("username") or "")
    if not url.startswith(("http://", "https://")) or not username:
        raise KithkinError(
            f"The carddav source '{source.account or 'default'}' needs 'url' (http or https) and 'username' "
            "in config.yaml."
        )
    return CardDavImporter(username, secret_for(source, "password")), url
