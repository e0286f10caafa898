"""Browser tests: a home filled through the real ingest path, served by a real uvicorn on loopback,
driven by Playwright through Debian's Chromium (never a downloaded browser)."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from kithkin.api.server import serve
from kithkin.config import Owner, Settings, save_settings
from kithkin.models import Identity, Observation
from kithkin.store import db, people
from kithkin.workspace import Workspace
from tests.helpers import feed

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"
XSS_NAME = "<img src=x onerror=alert(1)>"
TIMELINE_EMAILS = 75  # more than two pages of the timeline (30 a page)
START = datetime(2025, 1, 6, 9, tzinfo=UTC)


def owner(role: str = "to") -> Identity:
    return Identity(source_id="me@example.org", name="Owner Person", emails=("me@example.org",), role=role)


def card(source_id: str, name: str, email: str | None = None, phone: str | None = None, **metadata: str) -> Identity:
    return Identity(
        source_id=source_id,
        name=name,
        emails=(email,) if email else (),
        phones=(phone,) if phone else (),
        role="card",
        metadata=metadata,
    )


def contact(identity: Identity) -> Observation:
    return Observation(
        source_id=f"card-{identity.source_id}", kind="contact", occurred_at=START, participants=[identity]
    )


def email(source_id: str, when: datetime, sender: Identity, *others: Identity, title: str, snippet: str) -> Observation:
    sender = Identity(sender.source_id, sender.name, sender.emails, sender.phones, role="from")
    recipients = [Identity(o.source_id, o.name, o.emails, o.phones, role="to") for o in others]
    return Observation(
        source_id=source_id,
        kind="email",
        occurred_at=when,
        participants=[sender, *recipients],
        title=title,
        snippet=snippet,
    )


def chat(source_id: str, when: datetime, sender: Identity, text: str) -> Observation:
    sender = Identity(sender.source_id, sender.name, sender.emails, sender.phones, role="from")
    return Observation(
        source_id=source_id, kind="message", occurred_at=when, participants=[sender, owner()], snippet=text
    )


def seed(workspace: Workspace) -> None:
    """Contacts for a small circle (one of them named like an HTML injection); 75 emails with Alice and
    group threads among Alice, Bob and Carol; two meetings ahead with Bob and Carol; then Erin and Frank
    seen again on iMessage from another private mailbox, and Bob's address used under another name: three
    links to review."""
    alice = card("c-alice", "Alice Martin", "alice@acme.test", "+14155550111", company="Acme", position="Engineer")
    bob = card("c-bob", "Bob Stone", "bob@acme.test", company="Acme", position="Designer")
    carol = card("c-carol", "Carol Díaz", "carol@globex.test", company="Globex")
    xss = card("c-xss", XSS_NAME, "xss@evil.test", company="<b>Bold Inc</b>")
    erin = card("c-erin", "Erin Walsh", "erin.walsh@gmail.com", company="Initech")
    frank = card("c-frank", "Frank Ocean", "frank.ocean@gmail.com", company="Hooli")
    others = [card(f"c-{n}", f"{n.title()} Example", f"{n}@example.net") for n in ("gina", "hugo", "ivy", "jack")]
    feed(workspace, "contacts", [contact(c) for c in [alice, bob, carol, xss, erin, frank, *others]])

    mails = [
        email(
            f"a{i}",
            START + timedelta(days=i),
            alice,
            owner(),
            title=f"Project update {i + 1}",
            snippet=f"Notes {i + 1}",
        )
        for i in range(TIMELINE_EMAILS)
    ]
    mails += [
        email(
            f"g{i}",
            START + timedelta(days=i, hours=3),
            bob,
            owner(),
            alice,
            carol,
            title=f"Team thread {i}",
            snippet="All",
        )
        for i in range(6)
    ]
    mails.append(
        email("x1", START + timedelta(days=2), xss, owner(), title=XSS_NAME, snippet="<script>alert(2)</script>")
    )
    mails += [
        email(f"o{i}", START + timedelta(days=i), o, owner(), title="Hello", snippet="Hi") for i, o in enumerate(others)
    ]
    feed(workspace, "mail", mails)

    feed(
        workspace,
        "imessage",
        [
            chat(
                "i1",
                START + timedelta(days=30),
                Identity("erin.w@icloud.com", "Erin Walsh", emails=("erin.w@icloud.com",)),
                "hey",
            ),
            chat(
                "i2",
                START + timedelta(days=31),
                Identity("frankocean@icloud.com", "Frank Ocean", emails=("frankocean@icloud.com",)),
                "yo",
            ),
        ],
    )
    soon = datetime.now(UTC).replace(minute=0, second=0, microsecond=0) + timedelta(days=2)
    feed(
        workspace,
        "calendar",
        [
            meeting("m1", soon, "Design review", bob, carol),
            meeting("m2", soon + timedelta(days=3), "Quarterly planning", carol),
        ],
    )
    feed(
        workspace,
        "slack",
        [
            chat(
                "s1",
                START + timedelta(days=40),
                Identity("bob@acme.test", "Roberta Quill", emails=("bob@acme.test",)),
                "hi",
            )
        ],
    )
    relate(
        workspace,
        [
            ("Alice Martin", "Bob Stone", "coworker", 0.8),
            ("Alice Martin", "Carol Díaz", "coworker", 0.6),
            ("Bob Stone", "Carol Díaz", "friend", 0.4),
        ],
    )


def relate(workspace: Workspace, pairs: list[tuple[str, str, str, float]]) -> None:
    """Relationships of known types and scores (inference also made rows for these pairs from the shared
    meetings; the user's word on the type, and a fixed score, make the UI's figures exact)."""
    ids = {p["canonical_name"]: p["id"] for p in people.list_people(workspace.conn, limit=100)[0]}
    rows = []
    for i, (a, b, kind, score) in enumerate(pairs):
        first, second = sorted((ids[a], ids[b]))
        rows.append((f"r{i}", first, second, kind, kind, score, '["Acme"]'))
    with db.transaction(workspace.conn):
        workspace.conn.executemany(
            "INSERT INTO relationships (id, person_a_id, person_b_id, relationship_type, user_type, overlap_score,"
            " shared_contexts) VALUES (?, ?, ?, ?, ?, ?, ?)"
            " ON CONFLICT(person_a_id, person_b_id) DO UPDATE SET relationship_type = excluded.relationship_type,"
            " user_type = excluded.user_type, overlap_score = excluded.overlap_score,"
            " shared_contexts = excluded.shared_contexts",
            rows,
        )


def meeting(source_id: str, when: datetime, title: str, *attendees: Identity) -> Observation:
    people = [owner("organizer")] + [Identity(a.source_id, a.name, a.emails, role="attendee") for a in attendees]
    return Observation(source_id=source_id, kind="meeting", occurred_at=when, participants=people, title=title)


@dataclass
class Crm:
    url: str
    home: Path


@pytest.fixture(scope="session")
def seeded_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Built once; each test gets its own copy, so tests that change data never meet."""
    home = tmp_path_factory.mktemp("ui-seed") / "home"
    save_settings(home, Settings(owner=Owner(name="Owner Person", emails=["me@example.org"], phones=["+14155550100"])))
    with Workspace.open(home) as workspace:
        seed(workspace)
    return home


@pytest.fixture
def crm(seeded_home: Path, tmp_path: Path) -> Iterator[Crm]:
    home = tmp_path / "home"
    shutil.copytree(seeded_home, home)
    with Workspace.open(home) as workspace, serve(workspace) as url:
        yield Crm(url=url, home=home)


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: run `make system-deps` (Debian's chromium package).")
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser, crm: Crm) -> Iterator[object]:
    """A fresh browser context on the CRM; any page error or console error fails the test."""
    context = browser.new_context(viewport={"width": 1280, "height": 860})
    page = context.new_page()
    page.set_default_timeout(8000)
    problems: list[str] = []
    page.on("pageerror", lambda error: problems.append(f"page error: {error}"))
    # A refused request (an expected 404, a 409) is logged by Chromium as "Failed to load resource":
    # the UI reports those in words itself, so only script errors count here.
    page.on(
        "console",
        lambda msg: (
            problems.append(f"console: {msg.text}")
            if msg.type == "error" and not msg.text.startswith("Failed to load resource")
            else None
        ),
    )
    page.problems = problems
    yield page
    context.close()
    assert not problems, problems


def shot(page, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"))
