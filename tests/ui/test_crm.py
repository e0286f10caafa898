"""The web UI in a real browser against a real server: search, filters, the person panel, notes,
the timeline, link review, the import wizard, the graph, the phone layout and escaping."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Page, expect

from kithkin.api.server import serve
from kithkin.config import LiveSource, load_settings, save_settings
from kithkin.workspace import Workspace
from tests.fixtures.radicale import RadicaleServer, radicale_server  # noqa: F401  (the fixture, found by name)
from tests.ui.conftest import TIMELINE_EMAILS, XSS_NAME, Crm, shot

pytestmark = pytest.mark.browser


def api(crm: Crm, path: str, **params: object) -> dict:
    response = httpx.get(f"{crm.url}/api/crm{path}", params=params, timeout=10)
    response.raise_for_status()
    return response.json()


def person_id(crm: Crm, name: str) -> str:
    items = [p for p in api(crm, "/people", q=name, limit=50)["items"] if p["canonical_name"] == name]
    assert items, name
    return items[0]["id"]


def card_names(page: Page) -> list[str]:
    return page.locator("#people-list .card .card-name").all_text_contents()


def open_crm(page: Page, crm: Crm, hash_: str = "") -> None:
    """Open the app and wait until it has talked to the server (the pending count is in)."""
    page.goto(f"{crm.url}/crm/{hash_}")
    expect(page.locator("#pending-count")).not_to_have_text("…")
    if not hash_ or hash_.startswith("#/people"):
        expect(page.locator("#people-list .card[data-id]").first).to_be_visible()


def test_search_as_you_type_and_filters(page: Page, crm: Crm) -> None:
    open_crm(page, crm)
    expect(page.locator("#result-count")).to_have_text("13 people")
    shot(page, "people-list")

    page.fill("#search", "acme")  # companies and addresses: Roberta writes from Bob's address
    expect(page.locator("#result-count")).to_have_text("3 people")
    assert sorted(card_names(page)) == ["Alice Martin", "Bob Stone", "Roberta Quill"]

    page.fill("#search", "carol")
    expect(page.locator("#result-count")).to_have_text("1 person")
    assert card_names(page) == ["Carol Díaz"]

    page.fill("#search", "")
    expect(page.locator("#result-count")).to_have_text("13 people")
    page.select_option("#filter-source", "imessage")
    expect(page.locator("#result-count")).to_have_text("2 people")
    assert sorted(card_names(page)) == ["Erin Walsh", "Frank Ocean"]

    page.select_option("#filter-source", "")
    page.check("#filter-pending")
    expect(page.locator("#result-count")).to_have_text("3 people")
    assert sorted(card_names(page)) == ["Bob Stone", "Erin Walsh", "Frank Ocean"]

    page.uncheck("#filter-pending")
    page.select_option("#filter-sort", "name")
    expect(page.locator("#people-list .card .card-name").first).to_have_text(XSS_NAME)
    page.fill("#search", "nobody-by-this-name")
    expect(page.locator("#people-list .empty")).to_have_text("No one matches “nobody-by-this-name”.")


def test_open_a_person_and_edit_notes_and_tags_that_persist(page: Page, crm: Crm) -> None:
    open_crm(page, crm)
    page.click("#people-list .card:has-text('Alice Martin')")
    panel = page.locator("#detail")
    expect(panel.locator("h2")).to_have_text("Alice Martin")
    expect(panel.locator(".sub")).to_have_text("Engineer at Acme")
    expect(panel.locator("a[href='mailto:alice@acme.test']")).to_be_visible()
    alice = person_id(crm, "Alice Martin")
    assert page.url.endswith(f"#/people/{alice}")

    page.fill("#notes", "Met at the Lisbon offsite.\nLikes <b>tea</b>.")
    page.click("#save-notes")
    expect(panel.locator(".save-state")).to_contain_text("Saved")
    page.fill("#tag-input", "climbing")
    page.press("#tag-input", "Enter")
    expect(panel.locator(".tag")).to_have_text(["climbing×"])
    expect(panel.locator("#tag-input")).to_be_focused()
    shot(page, "person-overview")

    stored = api(crm, f"/people/{alice}")
    assert stored["notes"] == "Met at the Lisbon offsite.\nLikes <b>tea</b>."
    assert stored["tags"] == ["climbing"]

    page.reload()
    expect(page.locator("#notes")).to_have_value("Met at the Lisbon offsite.\nLikes <b>tea</b>.")
    panel.get_by_role("button", name="climbing", exact=True).click()
    expect(page.locator("#tag-filter")).to_have_text("Tag: climbing×")
    expect(page.locator("#result-count")).to_have_text("1 person")
    page.get_by_role("button", name="Stop filtering by tag climbing").click()
    expect(page.locator("#result-count")).to_have_text("13 people")
    page.click("#entities summary")
    expect(page.locator("#entities .entity")).to_have_count(2)
    page.keyboard.press("Escape")
    expect(panel).to_be_hidden()


def test_timeline_scrolls_to_the_oldest_interaction(page: Page, crm: Crm) -> None:
    alice = person_id(crm, "Alice Martin")
    open_crm(page, crm, f"#/people/{alice}")
    page.click("#tab-timeline")
    events = page.locator("#tab-panel .event")
    expect(events.first.locator(".title")).to_have_text("Project update 75")
    expected = TIMELINE_EMAILS + 6  # her own mails and the team threads she was copied on
    for _ in range(10):
        if events.count() >= expected:
            break
        page.locator(".detail-body").evaluate("el => el.scrollTo(0, el.scrollHeight)")
        page.wait_for_timeout(150)
    expect(events).to_have_count(expected)
    expect(page.locator("#tab-panel")).to_contain_text(f"{expected} interactions shown; that is all.")
    expect(events.last.locator(".title")).to_have_text("Project update 1")
    shot(page, "person-timeline")

    page.select_option("#timeline-source", "contacts")
    expect(page.locator("#tab-panel")).to_contain_text("No interactions recorded with this person yet.")


def test_review_confirm_reject_and_reject_as_new_with_the_keyboard(page: Page, crm: Crm) -> None:
    open_crm(page, crm)
    expect(page.locator("#pending-count")).to_have_text("3")
    page.click("#pending-button")
    dialog = page.locator("#review-dialog")
    expect(dialog.locator("#review-item")).to_be_visible()
    expect(dialog).to_contain_text("1 of 3")
    shot(page, "review")

    first = dialog.locator("#review-item").get_attribute("data-link")
    page.keyboard.press("c")
    expect(dialog).to_contain_text("1 of 2")
    expect(page.locator("#pending-count")).to_have_text("2")
    second = dialog.locator("#review-item").get_attribute("data-link")
    page.keyboard.press("r")
    expect(dialog).to_contain_text("1 of 1")
    third = dialog.locator("#review-item").get_attribute("data-link")
    dialog.get_by_role("button", name=re.compile("Reject as new person")).click()
    expect(dialog).to_contain_text("Nothing to review")
    expect(page.locator("#pending-count")).to_have_text("0")

    confirmed = {link["id"] for link in api(crm, "/pending-links", status="confirmed")["items"]}
    rejected = {link["id"] for link in api(crm, "/pending-links", status="rejected")["items"]}
    assert confirmed == {first}
    assert rejected == {second, third}
    page.keyboard.press("Escape")
    expect(dialog).to_be_hidden()


def test_import_an_mbox_through_the_wizard(page: Page, crm: Crm, tmp_path: Path) -> None:
    mbox = tmp_path / "inbox.mbox"
    mbox.write_bytes(
        b"From zoe@quinn.example Thu Jan 02 10:00:00 +0000 2025\n"
        b"From: Zoe Quinn <zoe@quinn.example>\nTo: Owner Person <me@example.org>\n"
        b"Subject: Coffee next week?\nDate: Thu, 02 Jan 2025 10:00:00 +0000\nMessage-ID: <z1@quinn.example>\n\n"
        b"Are you free on Tuesday?\n\n"
        b"From zoe@quinn.example Fri Jan 03 10:00:00 +0000 2025\n"
        b"From: Zoe Quinn <zoe@quinn.example>\nTo: Owner Person <me@example.org>\n"
        b"Subject: Re: Coffee next week?\nDate: Fri, 03 Jan 2025 10:00:00 +0000\nMessage-ID: <z2@quinn.example>\n\n"
        b"Great, see you then.\n"
    )
    open_crm(page, crm)
    page.click("#import-button")
    dialog = page.locator("#import-dialog")
    dialog.locator("label.choice:has(input[value='mail'])").click()
    dialog.get_by_role("button", name="Next").click()
    page.set_input_files("#import-files", str(mbox))
    expect(dialog.locator(".files li")).to_have_count(1)
    expect(dialog.locator(".files")).to_contain_text("inbox.mbox")
    dialog.get_by_role("button", name="Import", exact=True).click()
    summary = dialog.locator("#import-summary")
    expect(summary).to_be_visible(timeout=15000)
    expect(summary.locator(".tile:has-text('interactions') b")).to_have_text("2")
    expect(summary.locator(".tile:has-text('new people') b")).to_have_text("1")
    # What the importer read and imported, whatever the source: the coverage under the figures.
    expect(summary.locator(".coverage dt")).to_have_text(["read", "imported"])
    expect(summary.locator(".coverage dd")).to_have_text(["messages 2", "emails 2"])
    shot(page, "import-summary")
    dialog.get_by_role("button", name="Done").click()

    page.fill("#search", "zoe")
    expect(page.locator("#result-count")).to_have_text("1 person")
    assert card_names(page) == ["Zoe Quinn"]


def test_the_wizard_says_why_a_file_is_refused(page: Page, crm: Crm, tmp_path: Path) -> None:
    wrong = tmp_path / "notes.txt"
    wrong.write_text("just some text\n")
    open_crm(page, crm)
    page.click("#import-button")
    dialog = page.locator("#import-dialog")
    dialog.locator("label.choice:has(input[value='mail'])").click()
    dialog.get_by_role("button", name="Next").click()
    page.set_input_files("#import-files", str(wrong))
    dialog.get_by_role("button", name="Import", exact=True).click()
    expect(dialog.locator(".error")).to_contain_text("notes.txt is not a mail export")


def test_graph_click_on_a_node_opens_the_person(page: Page, crm: Crm) -> None:
    alice = person_id(crm, "Alice Martin")
    open_crm(page, crm, "#/graph")
    expect(page.locator("#graph-canvas")).to_be_visible()
    settled = (
        "() => { const s = document.querySelector('#graph-canvas').graph?.simulation;"
        " return s && s.alpha() < s.alphaMin(); }"
    )
    page.wait_for_function(settled, timeout=15000)
    expect(page.locator("#view-graph [role=status]")).to_have_text("13 people, 3 relationships, 1 community")
    shot(page, "graph")
    where = page.evaluate("id => document.querySelector('#graph-canvas').graph.screenPosition(id)", alice)
    page.mouse.click(where["x"], where["y"])
    expect(page.locator("#detail h2")).to_have_text("Alice Martin")
    assert page.url.endswith(f"#/graph/{alice}")


def test_phone_layout_fits_375_pixels(browser, crm: Crm) -> None:
    context = browser.new_context(viewport={"width": 375, "height": 800}, is_mobile=True, has_touch=True)
    page = context.new_page()
    try:
        open_crm(page, crm)
        assert page.evaluate("document.documentElement.scrollWidth") <= 375
        expect(page.locator("#search")).to_be_visible()
        shot(page, "phone-list")
        page.locator("#people-list .card:has-text('Alice Martin')").tap()
        panel = page.locator("#detail")
        expect(panel.locator("h2")).to_have_text("Alice Martin")
        # Full screen once the slide-in transition is over.
        page.wait_for_function(
            "() => { const r = document.querySelector('#detail').getBoundingClientRect();"
            " return r.x === 0 && r.y === 0 && r.width === 375 && r.height === 800; }"
        )
        shot(page, "phone-person")
        panel.get_by_role("button", name="Close person").first.tap()
        expect(panel).to_be_hidden()
        page.click("#pending-button")
        expect(page.locator("#review-item")).to_be_visible()
        assert page.locator("#review-dialog").bounding_box()["width"] <= 375
        shot(page, "phone-review")
    finally:
        context.close()


def test_a_name_made_of_html_is_shown_as_text_and_runs_nothing(page: Page, crm: Crm) -> None:
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    open_crm(page, crm)
    card = page.locator("#people-list .card").filter(has_text=XSS_NAME)
    expect(card.locator(".card-name")).to_have_text(XSS_NAME)
    expect(card.locator(".card-sub > span").first).to_have_text("<b>Bold Inc</b>")
    assert page.locator("#people-list img").count() == 0
    card.click()
    expect(page.locator("#detail h2")).to_have_text(XSS_NAME)
    page.click("#tab-timeline")
    expect(page.locator("#tab-panel .event .title")).to_have_text([XSS_NAME])
    expect(page.locator("#tab-panel .event .snippet")).to_have_text(["<script>alert(2)</script>"])
    assert page.locator("#detail img, #detail script, #detail b").count() == 0
    page.goto(f"{crm.url}/crm/#/graph")
    page.wait_for_function("() => document.querySelector('#graph-canvas')?.graph")
    page.wait_for_timeout(300)
    assert dialogs == []
    assert page.evaluate("document.querySelectorAll('img[src=\"x\"]').length") == 0


def test_keyboard_alone_finds_and_opens_a_person(page: Page, crm: Crm) -> None:
    open_crm(page, crm)
    page.keyboard.press("/")
    expect(page.locator("#search")).to_be_focused()
    page.keyboard.type("stone")
    expect(page.locator("#result-count")).to_have_text("1 person")
    page.keyboard.press("ArrowDown")
    expect(page.locator("#people-list .card").first).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.locator("#detail h2")).to_have_text("Bob Stone")
    expect(page.locator("#detail h2")).to_be_focused()
    page.keyboard.press("Escape")
    expect(page.locator("#detail")).to_be_hidden()
    expect(page.locator("#people-list .card").first).to_be_focused()


def test_dashboard_figures_and_meeting_prep_briefs(page: Page, crm: Crm) -> None:
    open_crm(page, crm, "#/stats")
    dashboard = page.locator("#dashboard")
    expect(dashboard.locator(".tile").first).to_have_text(re.compile(r"^13\s*people$"))
    expect(dashboard.locator("#sources")).to_contain_text("Mail")
    expect(dashboard.locator("#discover")).to_be_visible()
    shot(page, "dashboard")
    page.click("nav.views >> text=Meetings")
    meetings = page.locator("#view-meetings")
    expect(meetings.locator("h1")).to_have_text("Meeting prep")
    expect(meetings.locator(".meeting-list button strong")).to_have_text(["Design review", "Quarterly planning"])
    brief = meetings.locator("#brief")
    expect(brief.locator("h2")).to_have_text("Design review")
    expect(brief.locator(".attendee-head a")).to_have_text(["Bob Stone", "Carol Díaz"])
    expect(brief.locator(".attendee").first).to_contain_text("Team thread 5")
    shot(page, "meetings")
    meetings.get_by_role("button", name=re.compile("Quarterly planning")).click()
    expect(brief.locator("h2")).to_have_text("Quarterly planning")
    expect(brief.locator(".attendee-head a")).to_have_text(["Carol Díaz"])
    brief.get_by_role("link", name="Carol Díaz").click()
    expect(page.locator("#detail h2")).to_have_text("Carol Díaz")


def test_a_dead_server_is_reported_in_words(page: Page, crm: Crm) -> None:
    page.route("**/api/crm/people?*", lambda route: route.abort())
    page.goto(f"{crm.url}/crm/")
    expect(page.locator("#people-list .error")).to_contain_text("Kithkin's server cannot be reached")


def test_unlink_an_identity_and_merge_a_duplicate(page: Page, crm: Crm) -> None:
    page.on("dialog", lambda d: d.accept())
    bob = person_id(crm, "Bob Stone")
    open_crm(page, crm, f"#/people/{bob}")
    page.click("#entities summary")
    expect(page.locator("#entities summary")).to_have_text("Linked source entities (3)")
    mail = page.locator("#entities .entity").filter(has=page.locator(".badge[data-source='mail']"))
    mail.get_by_role("button", name="Unlink").click()
    expect(page.locator("#entities summary")).to_have_text("Linked source entities (2)")
    assert sorted(e["source_type"] for e in api(crm, f"/people/{bob}")["source_entities"]) == ["calendar", "contacts"]

    frank = person_id(crm, "Frank Ocean")
    open_crm(page, crm, f"#/people/{frank}")
    page.locator("#detail").get_by_role("button", name="Edit").click()
    page.get_by_label("Find a person to merge into this one").fill("frank")
    duplicate = page.locator("#edit-form .suggest li")
    expect(duplicate).to_have_count(1)
    duplicate.get_by_role("button", name="Merge into this person").click()
    expect(page.locator("#detail h2")).to_have_text("Frank Ocean")
    page.click("#entities summary")
    expect(page.locator("#entities .entity")).to_have_count(2)
    assert sorted(api(crm, f"/people/{frank}")["sources"]) == ["contacts", "imessage"]


MKCOL = (
    '<?xml version="1.0" encoding="utf-8"?><d:mkcol xmlns:d="DAV:" xmlns:card="urn:ietf:params:xml:ns:carddav">'
    "<d:set><d:prop><d:resourcetype><d:collection/><card:addressbook/></d:resourcetype>"
    "<d:displayname>Contacts</d:displayname></d:prop></d:set></d:mkcol>"
)


def test_sync_button_runs_a_live_carddav_source(
    browser,
    seeded_home: Path,
    tmp_path: Path,
    radicale_server: RadicaleServer,  # noqa: F811
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    book = f"{radicale_server.user_url}contacts/"
    with httpx.Client(auth=radicale_server.auth) as dav:
        assert dav.request("MKCOL", book, content=MKCOL).status_code == 201
        card = "BEGIN:VCARD\r\nVERSION:3.0\r\nUID:uma\r\nFN:Uma Thorne\r\nEMAIL:uma@thorne.example\r\nEND:VCARD\r\n"
        assert dav.put(f"{book}uma.vcf", content=card, headers={"Content-Type": "text/vcard"}).status_code == 201
    monkeypatch.setenv("KITHKIN_UI_CARDDAV_PASSWORD", radicale_server.password)
    home = tmp_path / "home"
    shutil.copytree(seeded_home, home)
    settings = load_settings(home)
    settings.sources = [
        LiveSource(
            type="carddav",
            account="radicale",
            url=radicale_server.url,
            username=radicale_server.username,
            password_env="KITHKIN_UI_CARDDAV_PASSWORD",
        )
    ]
    save_settings(home, settings)
    with Workspace.open(home) as workspace, serve(workspace) as url:
        sync_from_the_dashboard(browser, url)


def sync_from_the_dashboard(browser, url: str) -> None:
    context = browser.new_context(viewport={"width": 1280, "height": 860})
    page = context.new_page()
    try:
        page.goto(f"{url}/crm/#/stats")
        row = page.locator("#sources tr").filter(has=page.locator(".badge[data-source='carddav']"))
        expect(row).to_contain_text("radicale")
        row.get_by_role("button", name="Sync carddav now").click()
        expect(row).to_contain_text("synced just now · 1 new identity, 0 new interactions", timeout=15000)
        page.goto(f"{url}/crm/")
        page.fill("#search", "uma")
        expect(page.locator("#people-list .card-name")).to_have_text(["Uma Thorne"])
    finally:
        context.close()


def test_graph_relationship_type_filter_hides_those_edges(page: Page, crm: Crm) -> None:
    """The graph as a /graph endpoint would give it (served to the page here): three people, two kinds of tie."""
    graph = {
        "nodes": [
            {"id": "a", "canonical_name": "Ann", "relationship_strength": 0.9},
            {"id": "b", "canonical_name": "Ben", "relationship_strength": 0.5},
            {"id": "c", "canonical_name": "Cy", "relationship_strength": 0.1},
        ],
        "edges": [
            {"source": "a", "target": "b", "relationship_type": "coworker", "overlap_score": 0.8},
            {"source": "b", "target": "c", "relationship_type": "family", "overlap_score": 0.4},
            {"source": "a", "target": "c", "relationship_type": "coworker", "overlap_score": 0.2},
        ],
    }
    page.route("**/api/crm/graph?*", lambda route: route.fulfill(json=graph))
    open_crm(page, crm, "#/graph")
    expect(page.locator("#view-graph [role=status]")).to_have_text("3 people, 3 relationships, 0 communities")
    links = "() => document.querySelector('#graph-canvas').graph.links.map(l => l.type).sort().join()"
    assert page.evaluate(links) == "coworker,coworker,family"
    page.get_by_role("checkbox", name="coworker").uncheck()
    assert page.evaluate(links) == "family"
    page.get_by_role("checkbox", name="family").uncheck()
    page.get_by_role("checkbox", name="coworker").check()
    assert page.evaluate(links) == "coworker,coworker"
    page.locator("#graph-canvas").focus()
    page.keyboard.press("ArrowRight")
    expect(page.locator("#view-graph [role=status]")).to_have_text("Ann: 2 connections. Enter opens.")


def test_connections_tab_lists_related_people_and_draws_them(page: Page, crm: Crm) -> None:
    alice = person_id(crm, "Alice Martin")
    open_crm(page, crm, f"#/people/{alice}")
    page.click("#tab-connections")
    panel = page.locator("#tab-panel")
    expect(panel.locator(".connections a")).to_have_text(["Bob Stone", "Carol Díaz"])
    expect(panel.locator(".connections li").first).to_contain_text("coworker · Acme")
    expect(panel.locator("canvas.ego-graph")).to_be_visible()
    shot(page, "person-connections")
    panel.get_by_role("link", name="Carol Díaz").click()
    expect(page.locator("#detail h2")).to_have_text("Carol Díaz")


def test_decision_history_shows_the_joins_kithkin_made_and_undoes_one(page: Page, crm: Crm) -> None:
    from kithkin.models import Identity, Observation
    from tests.helpers import at, feed

    number = Identity("+14155550199", phones=("+14155550199",), role="from")
    named = Identity("w-alice", "Alice Martin", phones=("+1 415 555 0199",), role="from")
    with Workspace.open(crm.home) as workspace:
        feed(workspace, "imessage", [Observation("i1", "message", at(3), [number])])
        feed(workspace, "whatsapp", [Observation("w1", "message", at(4), [named])])
    alice = person_id(crm, "Alice Martin")

    def sources_of_alice() -> list[str]:
        return sorted(e["source_type"] for e in api(crm, f"/people/{alice}")["source_entities"])

    assert sources_of_alice() == ["contacts", "imessage", "mail", "whatsapp"]

    open_crm(page, crm)
    page.click("#pending-button")
    dialog = page.locator("#review-dialog")
    dialog.get_by_role("button", name="History").click()
    expect(dialog.locator("#review-title")).to_have_text("Decision history")
    join = dialog.locator("li.decision").filter(has_text="Joined +14155550199 into Alice Martin")
    expect(join).to_contain_text("Kithkin")
    page.keyboard.press("c")  # the review keys do nothing while the history shows
    expect(page.locator("#pending-count")).to_have_text("3")
    shot(page, "decision-history")

    join.get_by_role("button", name="Undo").click()
    expect(join).to_contain_text("undone")
    expect(join.get_by_role("button", name="Undo")).to_have_count(0)
    assert sources_of_alice() == ["contacts", "mail", "whatsapp"]  # the number's iMessage identity is apart again
    dialog.get_by_role("button", name="Back to review").click()
    expect(dialog.locator("#review-item")).to_be_visible()
