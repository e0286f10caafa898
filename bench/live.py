"""Kithkin keeps itself current (issue 19): how soon new data reaches the API under `kithkin serve`, and
what the server costs while nothing changes.

Goals: a message written into a watched chat.db (rows added as Messages adds them, WAL mode, the writer
never closing) is in its person's timeline over the API <= 5 s later; a new note in a watched vault
<= 5 s; a mail delivered to a real IMAP server (Dovecot on loopback, IDLE) <= 5 s; idle with 6 watched
sources and nothing changing, the server (its whole process tree) uses < 1 % of one core over 60 s.

The real `kithkin serve` runs in a process of its own on a fresh home with six live sources: a chat.db
(2,000 messages in 40 chats), the macOS call history (500 calls), a wacli store, a vault (300 notes),
a Granola cache and an IMAP account (200 mails). Each latency is from the writer's commit (or the IMAP
APPEND's answer) to the first API answer that shows the new item, asked every 50 ms.

    PYTHONPATH=src:. python bench/live.py [--rounds 5] [--idle-seconds 60]

Needs Dovecot (Debian: apt-get install dovecot-imapd), as the IMAP tests do.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path

import httpx
from tests.fixtures.dovecot import running_dovecot
from tests.importers.test_calls import call_history, record
from tests.importers.test_whatsapp import wacli_store

from kithkin.api.server import free_port
from kithkin.config import LiveSource, Owner, Settings, save_settings
from kithkin.demo.cast import make_cast
from kithkin.demo.granola import write as write_granola
from kithkin.demo.imessage import ChatDb

GOAL_SECONDS = 5.0
IDLE_GOAL_PERCENT = 1.0
PASSWORD_ENV = "KITHKIN_BENCH_IMAP_PASSWORD"
ALICE = "+14155550111"
POLL = 0.05


def build_chat_db(folder: Path, rng: random.Random) -> ChatDb:
    folder.mkdir()
    chat = ChatDb(folder / "chat.db")
    chat.conn.commit()
    chat.conn.execute("PRAGMA journal_mode = WAL")
    chats = [chat.chat([ALICE])] + [chat.chat([f"+1415556{n:04d}"]) for n in range(39)]
    start = datetime(2025, 1, 1, tzinfo=UTC)
    for n in range(2000):
        chat_id = rng.choice(chats)
        sender = None if rng.random() < 0.4 else (ALICE if chat_id == chats[0] else f"+1415556{chat_id - 2:04d}")
        chat.message(chat_id, sender, start + timedelta(minutes=37 * n), f"Message {n}", body_only=rng.random() < 0.5)
    chat.conn.commit()
    return chat


def note(path: Path, title: str, attendee: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(f"---\nattendees:\n  - {attendee}\n---\n# {title}\nNotes of the meeting.\n", encoding="utf-8")


def build_vault(folder: Path) -> None:
    for n in range(300):
        note(folder / "Work" / f"2025-{1 + n % 12:02d}-{1 + n % 28:02d} Meeting {n}.md", f"Meeting {n}",
             f"Person {n % 60} <person{n % 60}@example.com>")  # fmt: skip


def mail(number: int, subject: str, sent: datetime) -> bytes:
    return (
        f"From: Ana Okafor <ana@northwind.example>\r\nTo: Owner <me@example.org>\r\nSubject: {subject}\r\n"
        f"Date: {format_datetime(sent)}\r\nMessage-ID: <bench{number}@northwind.example>\r\n\r\nHello.\r\n"
    ).encode()


def process_tree_seconds(root: int) -> float:
    """CPU seconds (user + system) used so far by `root` and every process below it."""
    parents: dict[int, int] = {}
    ticks: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rpartition(")")[2].split()
        except OSError:
            continue
        parents[int(entry.name)] = int(fields[1])
        ticks[int(entry.name)] = int(fields[11]) + int(fields[12])
    tree, grew = {root}, True
    while grew:
        below = {pid for pid, parent in parents.items() if parent in tree} - tree
        tree |= below
        grew = bool(below)
    return sum(ticks.get(pid, 0) for pid in tree) / os.sysconf("SC_CLK_TCK")


class Api:
    def __init__(self, base: str) -> None:
        self.client = httpx.Client(base_url=f"{base}/api/crm", timeout=30)

    def live_status(self) -> list[dict]:
        items = self.client.get("/sources", params={"limit": 500}).json()["items"]
        return [entry for item in items for entry in item["live_status"]]

    def person(self, query: str) -> str:
        found = self.client.get("/people", params={"q": query}).json()["items"]
        assert len(found) == 1, f"{query} finds {len(found)} people"
        return found[0]["id"]

    def shows(self, person_id: str, words: str) -> bool:
        items = self.client.get(f"/people/{person_id}/timeline", params={"limit": 5}).json()["items"]
        return any(words in (item["title"] or "") + (item["snippet"] or "") for item in items)


def latency(write: Callable[[], None], seen: Callable[[], bool]) -> float:
    write()
    written = time.perf_counter()
    while not seen():
        if time.perf_counter() - written > 60:
            raise RuntimeError("the new item did not arrive within 60 s")
        time.sleep(POLL)
    return time.perf_counter() - written


def wait_until_current(api: Api, count: int) -> float:
    started = time.perf_counter()
    while True:
        status = api.live_status()
        ready = [s for s in status if s["last_sync_at"] and s["state"] in ("watching", "listening")]
        if len(ready) == count:
            return time.perf_counter() - started
        failed = [f"{s['key']}: {s['last_error']}" for s in status if s["last_error"]]
        if failed or time.perf_counter() - started > 300:
            raise RuntimeError(f"the first syncs did not finish: {failed or status}")
        time.sleep(0.2)


def figures(name: str, values: list[float]) -> str:
    worst = max(values)
    verdict = "meets" if worst <= GOAL_SECONDS else "MISSES"
    return (
        f"{name:<28} median {statistics.median(values):5.2f} s  worst {worst:5.2f} s"
        f"  ({len(values)} rounds; {verdict} the {GOAL_SECONDS:.0f} s goal)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--idle-seconds", type=float, default=60.0)
    args = parser.parse_args()
    rng = random.Random(19)
    with tempfile.TemporaryDirectory(prefix="kithkin-live-bench-") as tmp, running_dovecot() as dovecot:
        folder = Path(tmp)
        chat = build_chat_db(folder / "Messages", rng)
        (folder / "CallHistoryDB").mkdir()
        start = datetime(2025, 1, 1, tzinfo=UTC)
        call_history(
            folder / "CallHistoryDB" / "CallHistory.storedata",
            [record(start + timedelta(hours=7 * n), f"+1415557{n % 80:04d}") for n in range(500)],
        )
        wacli = wacli_store(
            folder / "wacli",
            [("14155550111@s.whatsapp.net", f"m{n}", "14155550111@s.whatsapp.net", "Ana", 1_735_000_000 + n * 600,
              n % 2, f"WhatsApp {n}", None) for n in range(200)],
        )  # fmt: skip
        build_vault(folder / "vault")
        write_granola(make_cast(80, seed=19), folder / "Granola")
        dovecot.append("INBOX", *(mail(n, f"History {n}", start + timedelta(days=n)) for n in range(200)))

        home = folder / "home"
        os.environ[PASSWORD_ENV] = dovecot.password
        sources = [
            LiveSource(type="imessage", account="mac", path=str(folder / "Messages" / "chat.db")),
            LiveSource(type="calls", account="mac", path=str(folder / "CallHistoryDB" / "CallHistory.storedata")),
            LiveSource(type="wacli", account="phone", path=str(folder / "wacli")),
            LiveSource(type="vault", account="notes", path=str(folder / "vault")),
            LiveSource(type="granola", account="meetings", path=str(folder / "Granola")),
            LiveSource(type="imap", account="work", host=dovecot.host, port=dovecot.port, ssl=False,
                       username=dovecot.username, password_env=PASSWORD_ENV),
        ]  # fmt: skip
        save_settings(home, Settings(owner=Owner(name="Owner Person", emails=["me@example.org"]), sources=sources))
        port = free_port()
        server = subprocess.Popen(
            [sys.executable, "-m", "kithkin", "serve", "--home", str(home), "--port", str(port)],
            stdout=subprocess.DEVNULL,
        )
        try:
            base = f"http://127.0.0.1:{port}"
            while True:
                try:
                    httpx.get(f"{base}/api/crm/changes", timeout=1)
                    break
                except httpx.HTTPError:
                    time.sleep(0.1)
            api = Api(base)
            first = wait_until_current(api, len(sources))
            print(f"first sync of the 6 sources: {first:.1f} s")
            alice = api.person(ALICE)
            ana = api.person("ana@northwind.example")

            chat_times, note_times, mail_times = [], [], []
            for n in range(args.rounds):
                text = f"Live message {n}"

                def new_message(text: str = text, body_only: bool = n % 2 == 1) -> None:
                    chat.message(1, ALICE, datetime.now(UTC), text, body_only=body_only)
                    chat.conn.commit()

                chat_times.append(latency(new_message, lambda text=text: api.shows(alice, text)))
                title = f"Live note {n}"
                path = folder / "vault" / "Work" / f"2026-12-{1 + n:02d} {title}.md"
                note_times.append(
                    latency(
                        lambda path=path, title=title: note(path, title, "Ana Okafor <ana@northwind.example>"),
                        lambda title=title: api.shows(ana, title),
                    )
                )
                subject = f"Live mail {n}"
                mail_times.append(
                    latency(
                        lambda n=n, subject=subject: dovecot.append(
                            "INBOX", mail(1000 + n, subject, datetime.now(UTC))
                        ),
                        lambda subject=subject: api.shows(ana, subject),
                    )
                )
            print(figures("chat.db message -> timeline", chat_times))
            print(figures("vault note -> timeline", note_times))
            print(figures("IMAP mail (IDLE) -> timeline", mail_times))

            time.sleep(5)  # the last syncs' job processes end
            before, started = process_tree_seconds(server.pid), time.perf_counter()
            time.sleep(args.idle_seconds)
            used, elapsed = process_tree_seconds(server.pid) - before, time.perf_counter() - started
            percent = 100 * used / elapsed
            verdict = "meets" if percent < IDLE_GOAL_PERCENT else "MISSES"
            print(
                f"idle, 6 watched sources: {percent:.2f} % of one core over {elapsed:.0f} s"
                f" ({used:.2f} CPU s; {verdict} the {IDLE_GOAL_PERCENT:g} % goal)"
            )
        finally:
            server.terminate()
            server.wait(30)
            chat.conn.close()
            wacli.close()


if __name__ == "__main__":
    main()
