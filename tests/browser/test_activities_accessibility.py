"""Activity pages in the states a crawl cannot reach pass axe-core's WCAG 2.1 A/AA rules and
do not scroll at 360 px: lists with query strings and htmx swaps, forms sent with errors, the
check-in link, a Ukrainian resident's ticket, and signing up with the keyboard alone.

Every page the links reach (each kind of demo activity as each role, the animators' screens), in
every language, is checked by test_every_page.py. Each case is visited as someone who sees it:
anonymous, Jan (a member of Paca 40, with a place at the picnic) or Marta (its animator); the
signed-in tabs are shared between modules (``shared_page``).

Demo activities are named by what the demo makes of them ("{full}" in a path is the id of the
full one with a waitlist, see ``DEMO_ACTIVITIES``). Nothing here signs up for a demo activity
except the keyboard test, which uses the picnic (no limit on places); nothing changes an
activity. Forms that would change something are only sent empty, to see their error messages.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

import pytest
from playwright.sync_api import Page, expect

from .conftest import DEMO_ACTIVITIES, register_member

pytestmark = pytest.mark.browser

LIST = "/c/paca-40/activities/"
MANAGE = "/c/paca-40/manage/activities/"


def _activity(key: str) -> str:
    return f"/c/paca-40/activities/{{{key}}}"


def _manage(key: str, what: str) -> str:
    return f"{MANAGE}{{{key}}}/{what}"


# --- What to do on a page before checking it ------------------------------------------------


def _open_details(page: Page) -> None:
    page.locator("main details").evaluate_all("all => all.forEach(d => { d.open = true; })")


def _filter_by_category(page: Page) -> None:
    """Pick a category: htmx swaps the results and pushes the URL."""
    page.evaluate("window.__marker = 1")
    category = page.locator("select[name=category]")
    value = category.locator("option").nth(1).get_attribute("value")
    category.select_option(value)
    expect(page).to_have_url(re.compile(rf"[?&]category={value}(&|$)"))
    expect(page.locator("#activity-results .activity-card").first).to_be_visible()
    assert page.evaluate("window.__marker") == 1, "filtering reloaded the page"


def _send_empty_activity(page: Page) -> None:
    page.locator("button[name=action][value=publish]").click()
    expect(page.locator(".error-summary")).to_be_visible()
    expect(page.locator("input[name=title]")).to_have_attribute("aria-invalid", "true")


def _send_edit_without_title(page: Page) -> None:
    page.locator("input[name=title]").fill("")
    page.locator('main form[action$="/edit"] button[type=submit]').click()
    expect(page.locator(".error-summary")).to_be_visible()
    expect(page.locator("input[name=title]")).to_have_attribute("aria-invalid", "true")


def _send_empty_cancel(page: Page) -> None:
    page.locator('main form[action$="/cancel"] button[type=submit]').click()
    expect(page.locator(".error-summary")).to_be_visible()
    expect(page.locator("textarea[name=reason]")).to_have_attribute("aria-invalid", "true")


def _search_attendees(page: Page) -> None:
    """Type a name: htmx swaps the list (a neighbour of the demo is on every full list)."""
    page.evaluate("window.__marker = 1")
    page.locator("#attendee-search").fill("sasiad1@")
    expect(page).to_have_url(re.compile(r"[?&]q=sasiad1"))
    expect(page.locator("#attendee-list .results-count")).to_be_visible()
    assert page.evaluate("window.__marker") == 1, "searching reloaded the page"
    _open_details(page)


def _send_empty_walk_in(page: Page) -> None:
    page.locator('main form[action$="/walk-in"] button[type=submit]').click()
    expect(page.locator(".error-summary")).to_be_visible()
    _open_details(page)


@dataclass(frozen=True)
class Case:
    path: str  # may name demo activities ("{full}") and proposals ("{proposal_accepted}")
    role: str = "anonymous"  # or "resident" (Jan), "animator" (Marta)
    expect_selector: str = "main h1"  # shows the page is the expected one
    then: Callable[[Page], None] | None = None
    language: str = "pl"
    status: int = 200
    label: str = ""

    @property
    def id(self) -> str:
        return f"{self.language}-{self.role}-{self.label or self.path}"


CARDS = "#activity-results .activity-card"
CASES = [
    # Anyone: the list by its query strings, by htmx, and with dates it cannot use.
    Case(LIST + "?when=past", expect_selector=CARDS, label="list-past"),
    Case(LIST + "?when=past", expect_selector=CARDS, language="en", label="list-past"),
    Case(LIST, then=_filter_by_category, label="list-htmx-category"),
    Case(LIST + "?date_from=2026-13-45", expect_selector=".error-summary", status=422,
         label="list-bad-date"),
    Case(LIST + "?date_from=2026-06-30&date_to=2026-06-01", expect_selector=".error-summary",
         status=422, language="uk", label="list-dates-reversed"),
    # Marta: the past activities, and forms sent with errors or searched by htmx.
    Case(MANAGE + "?when=past", role="animator", expect_selector="main .card-list .card",
         label="manage-index-past"),
    Case(MANAGE + "new", role="animator", then=_send_empty_activity, label="new-errors"),
    Case(_manage("full", "edit"), role="animator", then=_send_edit_without_title,
         label="edit-errors"),
    Case(_manage("full", "cancel"), role="animator", then=_send_empty_cancel,
         label="cancel-errors"),
    Case(_manage("full", "attendees"), role="animator", then=_search_attendees,
         label="attendees-search"),
    Case(_manage("full", "attendees"), role="animator", then=_send_empty_walk_in,
         label="attendees-errors"),
]


@pytest.fixture(scope="module")
def paths(live_server) -> dict[str, int]:
    ids = {key: live_server.demo_activities[title]
           for key, title in DEMO_ACTIVITIES.items()}
    ids.update({f"proposal_{status}": proposal_id
                for status, proposal_id in live_server.demo_proposals.items()})
    return ids


@pytest.mark.parametrize("case", CASES, ids=lambda case: case.id)
def test_page_is_accessible(case: Case, shared_page, paths, check_page) -> None:
    page = shared_page(case.role, case.language)
    response = page.goto(case.path.format(**paths))
    assert response is not None and response.status == case.status, response and response.status
    expect(page.locator("html")).to_have_attribute("lang", case.language)
    expect(page.locator(case.expect_selector).first).to_be_visible()
    if case.then is not None:
        case.then(page)
    check_page(page)


def test_check_in_link_page_is_accessible(shared_page, paths, check_page) -> None:
    """Marta opens the check-in link from Jan's ticket (only looks: no check-in is sent)."""
    jan = shared_page("resident")
    ticket = _activity("unlimited").format(**paths) + "/ticket"
    jan.goto(ticket)
    link = jan.locator('.ticket-link a[href*="/manage/activities/check-in/"]')
    expect(link).to_have_count(1)
    check_in_url = link.get_attribute("href")

    marta = shared_page("animator")
    response = marta.goto(check_in_url)
    assert response is not None and response.status == 200
    expect(marta.locator("main h1")).to_contain_text("Jan Nowak")
    expect(marta.locator('main form[action*="/check-in/"] button')).to_be_visible()
    check_page(marta)

    # An altered link: the app's error page (404), checked too.
    response = marta.goto(check_in_url[:-3] + "xyz")
    assert response is not None and response.status == 404
    check_page(marta)


def test_ukrainian_ticket_and_my_activities_are_accessible(open_page, paths, check_page) -> None:
    """Olena's account is in Ukrainian: her place at the language café, and her list."""
    olena = open_page("olena@example.org")
    olena.goto(_activity("open").format(**paths))
    expect(olena.locator("html")).to_have_attribute("lang", "uk")
    expect(olena.locator('#signup a[href$="/ticket"]')).to_be_visible()
    check_page(olena)
    olena.locator('#signup a[href$="/ticket"]').click()
    expect(olena.locator(".ticket-code img")).to_be_visible()
    check_page(olena)
    olena.goto("/account/activities/")
    expect(olena.locator("#upcoming-heading ~ ul .card").first).to_be_visible()
    check_page(olena)


def test_keyboard_reaches_and_activates_sign_up(open_page, paths, check_page) -> None:
    """Tab from the top of the page reaches the sign-up button; Enter signs up (htmx)."""
    page = open_page()
    register_member(page, "Klawiatura Testowa", "keyboard")
    path = _activity("unlimited").format(**paths)
    page.goto(path)
    button = page.locator("#signup form:has(input[name=intent][value=join]) button")
    expect(button).to_be_visible()
    check_page(page)

    for _ in range(60):
        page.keyboard.press("Tab")
        if button.evaluate("el => el === document.activeElement"):
            break
    else:
        pytest.fail("60 presses of Tab did not reach the sign-up button")
    # The focus is visible where it is (an outline, or a change of the box shadow).
    style = button.evaluate(
        "el => { const s = getComputedStyle(el); return [s.outlineStyle, s.outlineWidth,"
        " s.boxShadow]; }")
    assert style[0] != "none" and style[1] != "0px" or style[2] != "none", style

    page.evaluate("window.__marker = 1")
    page.keyboard.press("Enter")
    expect(page.locator('#signup a[href$="/ticket"]')).to_be_visible()
    cancel = page.locator("#signup form:has(input[name=intent][value=cancel]) button")
    expect(cancel).to_be_focused()  # the focus stays in the panel, on the new button
    assert page.evaluate("window.__marker") == 1, "signing up reloaded the page"
    expect(page).to_have_url(re.compile(re.escape(path) + "$"))
    check_page(page)
