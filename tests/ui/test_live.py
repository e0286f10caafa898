"""The UI follows new data from the live sources: a note added to a watched vault under a running server
appears in the open person's timeline and a new person in the list, without a reload; the dashboard says
how each live source is kept current."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest
from playwright.sync_api import expect

from kithkin.api.server import serve
from kithkin.config import Live, LiveSource, load_settings, save_settings
from kithkin.workspace import Workspace
from tests.ui.conftest import shot

pytestmark = pytest.mark.browser


def note(vault: Path, name: str, title: str, *attendees: str) -> None:
    listed = "".join(f"  - {a}\n" for a in attendees)
    (vault / name).write_text(f"---\nattendees:\n{listed}---\n# {title}\nWe spoke.\n", encoding="utf-8")


def test_new_notes_appear_in_the_open_page_and_the_list_without_a_reload(
    browser, home: Path, tmp_path: Path
) -> None:
    vault = tmp_path / "vault"
    vault.mkdir()
    note(vault, "2026-11-02 Kickoff.md", "Kickoff", "Chloe Dubois <chloe@bluefin.example>")
    settings = load_settings(home)
    settings.sources = [LiveSource(type="vault", account="notes", path=str(vault))]
    settings.live = Live(retry_seconds=0.2)
    save_settings(home, settings)
    context = browser.new_context(viewport={"width": 1280, "height": 860})
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    try:
        with Workspace.open(home) as workspace, serve(workspace, keep_current=True) as url:
            page.goto(f"{url}/crm/#/stats")
            row = page.locator("#sources tr").filter(has=page.locator(".badge[data-source='vault']"))
            expect(row.locator(".live-status li")).to_contain_text(f"notes watching {vault}", timeout=30000)
            expect(row.locator(".live-status li")).to_contain_text("1 new interaction", timeout=30000)
            shot(page, "live-sources")

            chloe = httpx.get(f"{url}/api/crm/people", params={"q": "chloe"}).json()["items"][0]["id"]
            page.goto(f"{url}/crm/#/people/{chloe}")
            page.get_by_role("tab", name="Timeline").click()
            expect(page.locator("#detail")).to_contain_text("Kickoff")
            expect(page.locator("#people-list .card-name")).to_have_text(["Chloe Dubois"])

            note(vault, "2026-11-09 Review.md", "Review", "Chloe Dubois <chloe@bluefin.example>", "Dev Patel")
            expect(page.locator("#detail")).to_contain_text("2026-11-09 Review", timeout=30000)
            expect(page.locator("#people-list .card-name")).to_have_text(["Chloe Dubois", "Dev Patel"], timeout=30000)
            shot(page, "live-refresh")
    finally:
        context.close()
    assert errors == []
