"""The search box in a real browser: Enter searches every conversation, the matching words are marked,
the arrow keys move through the results, and a result opens the person's timeline at that moment."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.ui.conftest import XSS_NAME, Crm, shot
from tests.ui.test_crm import open_crm

pytestmark = pytest.mark.browser


def test_enter_searches_conversations_and_a_result_opens_the_timeline_there(page: Page, crm: Crm) -> None:
    open_crm(page, crm)
    page.keyboard.press("/")
    page.keyboard.type("12")
    page.keyboard.press("Enter")
    expect(page).to_have_url(f"{crm.url}/crm/#/search")
    conversations = page.locator("#search-conversation-list > li")
    expect(conversations).to_have_count(1)
    expect(conversations.locator(".title")).to_have_text("Project update 12")
    expect(conversations.locator("mark")).to_have_text(["12", "12"])  # in the subject and in the body
    people = page.locator("#search-people-list > li")
    expect(people.locator(".name")).to_have_text(["Alice Martin"])
    expect(people.locator(".result").first).to_contain_text("1 conversation about it")
    shot(page, "search-results")

    page.keyboard.press("ArrowDown")  # from the box into the results: Alice, her snippet, the conversation
    expect(people.locator("a.result").first).to_be_focused()
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowDown")
    expect(conversations.locator("a.result")).to_be_focused()
    page.keyboard.press("ArrowUp")
    page.keyboard.press("ArrowUp")
    page.keyboard.press("ArrowUp")
    expect(page.locator("#search")).to_be_focused()
    page.keyboard.press("ArrowDown")
    page.keyboard.press("End")
    page.keyboard.press("Enter")

    expect(page.locator("#detail h2")).to_have_text("Alice Martin")
    expect(page.locator("#tab-timeline")).to_have_attribute("aria-selected", "true")
    first = page.locator("#tab-panel .event").first
    expect(first).to_have_class("event found")
    expect(first.locator(".title")).to_have_text("Project update 12")
    page.get_by_role("button", name="Show the newest").click()
    expect(page.locator("#tab-panel .event.found")).to_have_count(0)
    expect(page.locator("#tab-panel .event .title").first).not_to_have_text("Project update 12")
    page.keyboard.press("Escape")
    expect(page.locator("#detail")).to_be_hidden()
    expect(conversations).to_have_count(1)  # the results are still there


def test_marked_words_in_html_looking_text_stay_text(page: Page, crm: Crm) -> None:
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    open_crm(page, crm)
    page.fill("#search", "alert")
    page.press("#search", "Enter")
    item = page.locator("#search-conversation-list > li")
    expect(item).to_have_count(1)
    expect(item.locator(".title")).to_have_text(XSS_NAME)
    expect(item.locator(".snippet")).to_have_text("<script>alert(2)</script>")
    expect(item.locator("mark")).to_have_text(["alert", "alert"])
    assert page.locator("#view-search img, #view-search script, #view-search b").count() == 0
    assert dialogs == []


def test_nothing_found_says_so_and_typing_again_keeps_the_page(page: Page, crm: Crm) -> None:
    open_crm(page, crm, "#/search")
    expect(page.locator("#view-search")).to_contain_text("press Enter to search every conversation")
    page.fill("#search", '"never said" (NEAR')
    page.press("#search", "Enter")
    expect(page.locator("#view-search")).to_contain_text("No conversation mentions it.")
    expect(page.locator("#view-search")).to_contain_text("Nobody by that name, and nobody talked about it.")
    page.fill("#search", "thread")
    page.press("#search", "Enter")
    expect(page.locator("#search-conversation-list > li")).to_have_count(6)
    names = page.locator("#search-people-list .name")
    expect(names).to_have_count(3)  # all three took part in each thread: equals, in no particular order
    assert sorted(names.all_text_contents()) == ["Alice Martin", "Bob Stone", "Carol Díaz"]
