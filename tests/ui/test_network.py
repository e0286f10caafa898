"""The network views in a real browser: what lies ahead kept apart from contact, the graph's named
communities, its person search and period, and a person's ego network. Screenshots at desktop and phone
size go to test-artifacts/screenshots/."""

from __future__ import annotations

import re
from collections.abc import Iterator

import httpx
import pytest
from playwright.sync_api import Page, expect

from tests.ui.conftest import Crm, shot

pytestmark = pytest.mark.browser

SETTLED = "sel => { const s = document.querySelector(sel)?.graph?.simulation; return s && s.alpha() < s.alphaMin(); }"


def person_id(crm: Crm, name: str) -> str:
    found = httpx.get(f"{crm.url}/api/crm/people", params={"q": name}, timeout=10).json()["items"]
    return next(p["id"] for p in found if p["canonical_name"] == name)


@pytest.fixture
def phone(browser, crm: Crm) -> Iterator[Page]:
    context = browser.new_context(viewport={"width": 375, "height": 812}, is_mobile=True, has_touch=True)
    page = context.new_page()
    page.set_default_timeout(8000)
    yield page
    context.close()


def test_a_meeting_ahead_shows_as_next_never_as_contact(page: Page, phone: Page, crm: Crm) -> None:
    bob = person_id(crm, "Bob Stone")
    for where, name in ((page, "person-next-meeting"), (phone, "phone-person-next-meeting")):
        where.goto(f"{crm.url}/crm/#/people/{bob}")
        expect(where.locator("#next-meeting")).to_contain_text("Design review")
        expect(where.locator("#next-meeting")).to_contain_text("in 2 days")
        shot(where, name)
    overview = page.locator("#tab-panel")
    expect(overview.locator("dd", has_text="(in ")).to_have_count(1)  # only the next meeting lies ahead
    page.click("#tab-timeline")
    timeline = page.locator("#tab-panel")
    expect(timeline.locator(".event").first).to_be_visible()
    assert "Design review" not in timeline.inner_text()


def test_the_graph_names_its_communities_and_finds_a_person(page: Page, phone: Page, crm: Crm) -> None:
    carol = person_id(crm, "Carol Díaz")
    for where, name in ((page, "graph-communities"), (phone, "phone-graph-communities")):
        where.goto(f"{crm.url}/crm/#/graph")
        where.wait_for_function(SETTLED, arg="#graph-canvas", timeout=15000)
        expect(where.locator("#graph-legend li")).to_have_text(["Acme 3", "tied to no one here"])
        shot(where, name)
    page.fill("#graph-search", "carol")
    page.press("#graph-search", "Enter")
    status = page.locator("#view-graph [role=status]")
    expect(status).to_have_text("Carol Díaz: 2 connections · Acme. Escape lets go.")
    assert page.evaluate("document.querySelector('#graph-canvas').graph.pinned.id") == carol
    # Centred on screen, and labelled.
    where = page.evaluate("id => document.querySelector('#graph-canvas').graph.screenPosition(id)", carol)
    box = page.locator("#graph-canvas").bounding_box()
    assert abs(where["x"] - (box["x"] + box["width"] / 2)) < 2
    assert abs(where["y"] - (box["y"] + box["height"] / 2)) < 2
    shot(page, "graph-search")
    page.keyboard.press("Escape")
    assert page.evaluate("document.querySelector('#graph-canvas').graph.pinned") is None
    page.fill("#graph-search", "nobody")
    page.press("#graph-search", "Enter")
    expect(status).to_have_text("Nobody called “nobody” among these people.")
    page.get_by_role("button", name="Acme").click()
    expect(status).to_have_text("Acme: all 3 share Acme.")  # Carol is at Globex; the three share Acme threads


def test_the_last_12_months_leave_the_old_network_out(page: Page, crm: Crm) -> None:
    """Every interaction of the seed is from early 2025: more than a year ago."""
    page.goto(f"{crm.url}/crm/#/graph")
    page.wait_for_function(SETTLED, arg="#graph-canvas", timeout=15000)
    page.select_option("#graph-period", "year")
    expect(page.locator("#view-graph .empty")).to_have_text(
        "Nobody you were in touch with in the last 12 months: choose All time."
    )
    page.select_option("#graph-period", "all")
    expect(page.locator("#view-graph [role=status]")).to_have_text("13 people, 3 relationships, 1 community")


def test_the_connections_tab_draws_the_ego_network(page: Page, phone: Page, crm: Crm) -> None:
    alice = person_id(crm, "Alice Martin")
    for where, name in ((page, "person-ego-network"), (phone, "phone-person-ego-network")):
        where.goto(f"{crm.url}/crm/#/people/{alice}")
        where.click("#tab-connections")
        where.wait_for_function(SETTLED, arg="#ego-canvas", timeout=15000)
        shot(where, name)
    ego = page.locator("#tab-panel .ego")
    expect(ego).to_contain_text("2 connections, 1 tie among them")
    expect(ego.locator(".community-legend li")).to_have_text(["Acme 2"])
    graph = "document.querySelector('#ego-canvas').graph"
    assert page.evaluate(f"{graph}.nodes.map(n => n.name).sort().join()") == "Alice Martin,Bob Stone,Carol Díaz"
    assert page.evaluate(f"{graph}.links.length") == 3
    bob = person_id(crm, "Bob Stone")
    where = page.evaluate(f"id => {graph}.screenPosition(id)", bob)
    page.mouse.click(where["x"], where["y"])
    expect(page.locator("#detail h2")).to_have_text("Bob Stone")


def test_companies_show_who_you_know_where(page: Page, phone: Page, crm: Crm) -> None:
    for where, name in ((page, "companies"), (phone, "phone-companies")):
        where.goto(f"{crm.url}/crm/#/companies")
        expect(where.locator("#company-page h2")).to_have_text("Acme")
        shot(where, name)
    companies = page.locator(".company-list button strong")
    expect(companies.first).to_have_text("Acme")
    expect(page.locator("#view-companies [role=status]")).to_have_text("5 companies")
    people = page.locator("#company-page .company-people li")
    expect(people.locator("a")).to_have_text(["Alice Martin", "Bob Stone"])
    expect(people.first).to_contain_text("Engineer")
    expect(people.first).to_contain_text("Known from contact card")
    # A name made of markup stays text.
    page.fill("#company-filter", "bold")
    expect(companies).to_have_text(["<b>Bold Inc</b>"])
    expect(page.locator("#company-page h2")).to_have_text("<b>Bold Inc</b>")
    page.fill("#company-filter", "glob")
    expect(companies).to_have_text(["Globex"])
    page.locator("#company-page a", has_text="Carol Díaz").click()
    expect(page.locator("#detail h2")).to_have_text("Carol Díaz")
    expect(page.locator("#company-page h2")).to_have_text("Globex")


def test_the_person_page_says_how_you_know_them(page: Page, phone: Page, crm: Crm) -> None:
    """Carol: directly (a few emails), and through Alice and Bob, with whom she shares Acme threads."""
    carol = person_id(crm, "Carol Díaz")
    for where, name in ((page, "person-paths"), (phone, "phone-person-paths")):
        where.goto(f"{crm.url}/crm/#/people/{carol}")
        expect(where.locator("#paths li").first).to_be_visible()
        where.locator("#paths").scroll_into_view_if_needed()
        shot(where, name)
    chains = page.locator("#paths .path-people")
    expect(chains).to_have_count(3)
    expect(chains.first).to_contain_text("You → Carol Díaz")
    hops = page.locator("#paths .path-hops").nth(1).locator("li")
    expect(hops.first).to_contain_text(re.compile(r"^You and (Alice Martin|Bob Stone): \d+ interactions"))
    expect(hops.nth(1)).to_contain_text(re.compile(r"(Alice Martin|Bob Stone) and Carol Díaz: .* in Acme"))
    chains.nth(1).locator("a").first.click()
    expect(page.locator("#detail h2")).to_have_text(re.compile(r"Alice Martin|Bob Stone"))


def test_rows_show_last_contact_and_matches_are_marked(page: Page, phone: Page, crm: Crm) -> None:
    page.goto(f"{crm.url}/crm/")
    page.fill("#search", "acme")
    cards = page.locator("#people-list .card[data-id]")
    # Roberta Quill wrote from bob@acme.test (a link awaits review).
    expect(cards.locator(".card-name")).to_have_text(["Alice Martin", "Bob Stone", "Roberta Quill"])
    expect(cards.nth(2).locator(".card-sub mark")).to_have_text(["acme"])
    alice = cards.first
    expect(alice.locator(".card-sub mark")).to_have_text(["Acme"])
    expect(alice.locator(".card-contact")).to_have_text(re.compile(r"^\d+ interactions, last \d+ months ago$"))
    expect(alice.locator(".card-strength")).to_have_text(re.compile(r"^\d+%$"))
    assert alice.bounding_box()["height"] <= 60
    shot(page, "people-search-marked")
    page.fill("#search", "car")
    expect(cards.locator(".card-name mark")).to_have_text(["Car"])
    # On a phone the first person is in the top 40 % of the screen.
    phone.goto(f"{crm.url}/crm/")
    first = phone.locator("#people-list .card[data-id]").first
    expect(first).to_be_visible()
    assert first.bounding_box()["y"] <= 0.4 * 812
    assert phone.evaluate("document.documentElement.scrollWidth") <= 375
    shot(phone, "phone-people-list")


def test_a_person_known_by_number_is_shown_readably_and_invited_to_a_name(page: Page, crm: Crm) -> None:
    from kithkin.models import Identity, Observation
    from kithkin.workspace import Workspace
    from tests.helpers import at, feed

    number = Identity("+14155550177", phones=("+14155550177",), role="from")
    with Workspace.open(crm.home) as workspace:
        feed(workspace, "whatsapp", [Observation("w9", "message", at(3), [number])])
    page.goto(f"{crm.url}/crm/")
    page.select_option("#filter-sort", "name")
    names = page.locator("#people-list .card[data-id] .card-name")
    expect(names.last).to_have_text("+1 415-555-0177")  # unnamed numbers sort last
    page.locator("#people-list .card", has_text="+1 415-555-0177").click()
    expect(page.locator("#detail h2")).to_have_text("+1 415-555-0177")
    expect(page.locator("#name-them")).to_contain_text("Known only by this number.")
    shot(page, "person-unnamed")
    page.get_by_role("button", name="Give them a name").click()
    page.fill("#edit-form input[name=canonical_name]", "Gus Ito")
    page.locator("#edit-form").get_by_role("button", name="Save").click()
    expect(page.locator("#detail h2")).to_have_text("Gus Ito")
    expect(page.locator("#name-them")).to_have_count(0)


def test_a_series_is_listed_once_and_the_brief_says_who_they_are(page: Page, phone: Page, crm: Crm) -> None:
    from datetime import UTC, datetime, timedelta

    from kithkin.models import Identity, Observation
    from kithkin.workspace import Workspace
    from tests.helpers import at, feed

    me = Identity("me@example.org", "Owner Person", emails=("me@example.org",), role="organizer")
    carol = Identity("carol@globex.test", "Carol Díaz", emails=("carol@globex.test",), role="attendee")
    start = datetime.now(UTC).replace(minute=0, second=0, microsecond=0) + timedelta(days=1)
    weekly = [
        Observation(
            f"sync/{i}",
            "meeting",
            start + timedelta(weeks=i),
            [me, carol],
            title="Weekly sync",
            metadata={"uid": "sync", "recurring": True},
        )
        for i in range(3)
    ]
    note = Observation(
        "Notes/Carol.md",
        "note",
        at(20),
        [Identity("carol@globex.test", "Carol Díaz", emails=("carol@globex.test",), role="mentioned")],
        title="Carol",
        snippet="Carol loves sailing.",
    )
    with Workspace.open(crm.home) as workspace:
        feed(workspace, "calendar", weekly)
        feed(workspace, "vault", [note])
    for where, name in ((page, "meetings-series"), (phone, "phone-meetings-series")):
        where.goto(f"{crm.url}/crm/#/meetings")
        expect(where.locator(".meeting-list button").first).to_contain_text("Weekly sync · repeats, 3 ahead")
        shot(where, name)
    titles = page.locator(".meeting-list button strong")
    expect(titles).to_have_text(["Weekly sync", "Design review", "Quarterly planning"])
    brief = page.locator("#brief")
    carol_brief = brief.locator(".attendee", has_text="Carol Díaz")
    expect(carol_brief.locator(".how")).to_contain_text("First in touch on 2024-03-20 by vault (Carol)")
    expect(carol_brief.locator(".mentions li")).to_have_text(re.compile(r"Carol \(.*\): Carol loves sailing\."))
    page.locator(".meeting-list button", has_text="Design review").click()
    # Bob and Carol, each tied to Alice, who is not at the meeting.
    expect(page.locator("#brief .attendee-head a")).to_have_text(["Bob Stone", "Carol Díaz"])
    expect(page.locator("#brief .shared")).to_have_text(["You both know Alice Martin.", "You both know Alice Martin."])
    shot(page, "meeting-brief")


def test_the_dashboard_chart_has_axes_values_and_no_future_month(page: Page, phone: Page, crm: Crm) -> None:
    """The seed's interactions run from January to March 2025; two meetings lie ahead."""
    from datetime import UTC, datetime

    this_month = datetime.now(UTC).strftime("%Y-%m")
    for where, name in ((page, "dashboard-chart"), (phone, "phone-dashboard-chart")):
        where.goto(f"{crm.url}/crm/#/stats")
        expect(where.locator("#months svg")).to_be_visible()
        shot(where, name)
    chart = page.locator("#months svg")
    months = chart.locator("rect title").all_text_contents()
    assert months[0].startswith("2025-01: ")
    assert max(m[:7] for m in months) <= this_month
    assert [m[:7] for m in months] == sorted({m[:7] for m in months})  # every month once, in order
    assert "2025-06: 0 interactions" in months  # a quiet month stays on the axis
    assert chart.locator("text.axis").first.text_content() == "0"
    assert "2026" in chart.locator("text.axis").all_text_contents()
    colours = page.evaluate(
        "[...document.querySelectorAll('#dashboard .bars .bar')].map(b => b.dataset.source + ' ' + b.style.background)"
    )
    sources = dict(entry.split(" ", 1) for entry in colours)
    assert len(set(sources.values())) == len(sources)  # one colour per source


def test_discover_groups_suggestions_in_plain_words_and_forgets_dismissed_ones(
    page: Page, phone: Page, crm: Crm
) -> None:
    """Alice is made a close tie; Bob and Carol are tied to her; Gina shares her notes folder."""
    from kithkin.store import db, people
    from kithkin.workspace import Workspace

    ids = {name: person_id(crm, name) for name in ("Alice Martin", "Bob Stone", "Carol Díaz", "Gina Example")}
    with Workspace.open(crm.home) as workspace, db.transaction(workspace.conn):
        people.set_strengths(
            workspace.conn,
            [
                (ids["Alice Martin"], 0.9, 10),
                (ids["Bob Stone"], 0.1, 0),
                (ids["Carol Díaz"], 0.1, 0),
                (ids["Gina Example"], 0.1, 0),
            ],
        )
        workspace.conn.execute(
            "UPDATE people SET vault_contexts = '[\"Personal/Climbing Club/\"]' WHERE id IN (?, ?)",
            (ids["Alice Martin"], ids["Gina Example"]),
        )
    page.goto(f"{crm.url}/crm/#/stats")
    discover = page.locator("#discover")
    expect(discover.locator("h3")).to_have_text(["Close to people you know well", "In the same circles of your notes"])
    expect(discover.locator("[data-group=close] a")).to_have_text(["Bob Stone", "Carol Díaz"])
    gina = discover.locator("[data-group=context] li")
    expect(gina).to_contain_text("In Climbing Club in your notes, like Alice Martin")
    assert "Personal/" not in discover.inner_text()
    shot(page, "discover")
    phone.goto(f"{crm.url}/crm/#/stats")
    phone.locator("#discover h3").first.scroll_into_view_if_needed()
    shot(phone, "phone-discover")
    discover.get_by_role("button", name="Do not suggest Bob Stone again").click()
    expect(discover.locator("[data-group=close] a")).to_have_text(["Carol Díaz"])
    page.reload()
    expect(discover.locator("[data-group=close] a")).to_have_text(["Carol Díaz"])  # remembered


def test_review_marks_what_differs_shows_evidence_and_undoes_a_confirmation(page: Page, phone: Page, crm: Crm) -> None:
    """Roberta Quill wrote on Slack from bob@acme.test, Bob Stone's address."""
    page.goto(f"{crm.url}/crm/")
    expect(page.locator("#pending-count")).to_have_text("3")
    page.click("#pending-button")
    dialog = page.locator("#review-dialog")
    for _ in range(3):
        if "Roberta" in dialog.locator("#entity-name").inner_text():
            break
        page.keyboard.press("j")
    expect(dialog.locator("#entity-name mark")).to_have_text(["Roberta", "Quill"])
    expect(dialog.locator("#proposed-name mark")).to_have_text(["Bob", "Stone"])
    expect(dialog.locator("#evidence-sample")).to_contain_text("hi")
    expect(dialog.locator("#evidence-sample")).to_contain_text("Slack")
    shot(page, "review-differences")
    page.keyboard.press("c")
    expect(page.locator("#pending-count")).to_have_text("2")
    undo = dialog.locator("#undo-bar")
    expect(undo).to_have_text(re.compile(r"^Linked Roberta Quill to Bob Stone\. Undo$"))
    shot(page, "review-undo")
    phone.goto(f"{crm.url}/crm/")
    phone.click("#pending-button")
    expect(phone.locator("#review-dialog #entity-name")).to_be_visible()
    assert phone.locator("#review-dialog").bounding_box()["width"] <= 375
    shot(phone, "phone-review-differences")
    undo.get_by_role("button", name="Undo").click()
    expect(page.locator("#pending-count")).to_have_text("3")
    expect(dialog.locator("#undo-bar")).to_have_count(0)
    expect(dialog).to_contain_text("1 of 3")
    pending = httpx.get(f"{crm.url}/api/crm/pending-links", timeout=10).json()["items"]
    assert "Roberta Quill" in {link["source_entity"]["observed_name"] for link in pending}
