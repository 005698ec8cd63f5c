"""Activity pages pass axe-core's WCAG 2.1 A/AA rules and do not scroll at 360 px.

Each page is visited as someone who sees it: the lists and activity pages anonymously and as
Jan (a member of Paca 40, with a place at the picnic and a past clean-up), the ticket and
"My activities" as Jan, the animators' screens as Marta. The signed-in tabs are shared with the
other accessibility modules (``shared_page``). Residents read the lists and activity pages in
Ukrainian and English too (anonymously; Olena, whose account is in Ukrainian, for her ticket).

Demo activities are named by what the demo makes of them ("{full}" in a path is the id of the
full one with a waitlist, see ``ACTIVITIES``). Nothing here signs up for a demo activity except
the keyboard test, which uses the picnic (no limit on places); nothing changes an activity.
Forms that would change something are only sent empty, to see their error messages.

Folded ``<details>`` are opened before the scan, so the forms inside are checked too.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

import pytest
from playwright.sync_api import Page, expect

from participation.demo import BROWSER_TEST_ACTIVITY, FULL_ACTIVITY

from .conftest import register_member

pytestmark = pytest.mark.browser

# What the demo (participation/demo.py) makes of each activity -> its title.
ACTIVITIES = {
    "open": "Kawiarenka językowa polsko-ukraińska",  # weekly series; 12 places, help wanted
    "full": FULL_ACTIVITY,  # 5 of 5 places, 2 waiting, offers of help
    "herbs": BROWSER_TEST_ACTIVITY,  # only looked at here: the journey signs up for it
    "unlimited": "Piknik sąsiedzki na skwerze",  # no limit, deadline; Jan has a place
    "draft": "Spacer badawczy po Grochowie",  # animators only
    "cancelled": "Wieczór filmowy",
    "past": "Pomoc w lekcjach – wtorek",  # attendance, a walk-in, guests, helpers' hours
    "past_full": "Sprzątanie skweru",  # Jan was there
}
LIST = "/c/paca-40/activities/"
MANAGE = "/c/paca-40/manage/activities/"


def _activity(key: str) -> str:
    return f"/c/paca-40/activities/{{{key}}}"


def _manage(key: str, what: str) -> str:
    return f"{MANAGE}{{{key}}}/{what}"


def _proposal(status: str) -> str:
    return f"/c/paca-40/proposals/{{proposal_{status}}}"




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
JOIN = "#signup form:has(input[name=intent][value=join]) button"
CASES = [
    # Anyone: the list (upcoming, past, by category, a bad date), in three languages.
    Case(LIST, expect_selector=CARDS, label="list"),
    Case(LIST + "?when=past", expect_selector=CARDS, label="list-past"),
    Case(LIST, then=_filter_by_category, label="list-htmx-category"),
    Case(LIST + "?date_from=2026-13-45", expect_selector=".error-summary", status=422,
         label="list-bad-date"),
    Case(LIST + "?date_from=2026-06-30&date_to=2026-06-01", expect_selector=".error-summary",
         status=422, label="list-dates-reversed"),
    *(Case(LIST, expect_selector=CARDS, language=language, label="list")
      for language in ("uk", "en")),
    Case(LIST + "?when=past", expect_selector=CARDS, language="en",
         label="list-past"),
    # Anyone: activity pages in every state.
    Case(_activity("open"), expect_selector="#volunteer", label="activity-open"),
    Case(_activity("full"), expect_selector="#signup", label="activity-full"),
    Case(_activity("herbs"), expect_selector="#volunteer", label="activity-herbs"),
    Case(_activity("unlimited"), expect_selector="#volunteer", label="activity-unlimited"),
    Case(_activity("cancelled"), expect_selector=".notice--cancelled", label="activity-cancelled"),
    Case(_activity("past"), expect_selector="#signup", label="activity-past"),
    Case(_activity("past_full"), expect_selector="#signup", label="activity-past-full"),
    *(Case(_activity(key), expect_selector=selector, language=language, label=f"activity-{key}")
      for language in ("uk", "en")
      for key, selector in [("open", "#volunteer"), ("full", "#signup"),
                            ("cancelled", ".notice--cancelled"), ("past", "#signup")]),
    # Jan: a member, with a place at the picnic, and at the clean-up two weeks ago.
    Case("/c/paca-40/", role="resident", expect_selector="#coming-up-heading ~ ul .activity-card",
         label="centre-coming-up"),
    Case("/c/paca-40/", expect_selector="#coming-up-heading ~ ul .activity-card",
         language="uk", label="centre-coming-up"),
    Case(_activity("open"), role="resident", expect_selector=JOIN, label="member-open"),
    Case(_activity("full"), role="resident", expect_selector=JOIN, label="member-full"),
    Case(_activity("unlimited"), role="resident", expect_selector='#signup a[href$="/ticket"]',
         label="member-confirmed"),
    Case(_activity("cancelled"), role="resident", expect_selector=".notice--cancelled",
         label="member-cancelled"),
    Case(_activity("past_full"), role="resident", expect_selector="#signup",
         label="member-past"),
    Case(_activity("unlimited") + "/ticket", role="resident", expect_selector=".ticket-code img",
         label="ticket"),
    Case("/account/activities/", role="resident", expect_selector="#past-heading",
         label="my-activities"),
    Case(_proposal("under_review"), role="resident", expect_selector="#realised-heading",
         label="proposal-realised-by-series"),
    Case(_proposal("in_progress"), expect_selector="#realised-heading",
         label="proposal-realised-by"),
    # Marta: animator of Paca 40.
    Case(_activity("open"), role="animator", expect_selector="#manage-heading",
         label="animator-open"),
    Case(_activity("draft"), role="animator", expect_selector="#manage-heading ~ form button",
         label="animator-draft"),
    Case(_activity("cancelled"), role="animator", expect_selector="#manage-heading",
         label="animator-cancelled"),
    Case(MANAGE, role="animator", expect_selector="main .card-list .card",
         label="manage-index"),
    Case(MANAGE + "?when=past", role="animator", expect_selector="main .card-list .card",
         label="manage-index-past"),
    Case(MANAGE + "new", role="animator", expect_selector="input[name=title]", label="new"),
    Case(MANAGE + "new", role="animator", then=_send_empty_activity, status=200,
         label="new-errors"),
    Case(_manage("open", "edit"), role="animator", expect_selector="input[name=title]",
         label="edit"),
    Case(_manage("draft", "edit"), role="animator", expect_selector="input[name=title]",
         label="edit-draft"),
    Case(_manage("full", "edit"), role="animator", then=_send_edit_without_title,
         label="edit-errors"),
    Case(_manage("full", "cancel"), role="animator", expect_selector="textarea[name=reason]",
         label="cancel"),
    Case(_manage("full", "cancel"), role="animator", then=_send_empty_cancel,
         label="cancel-errors"),
    Case(_manage("open", "attendees"), role="animator", expect_selector="#attendee-counts",
         then=_open_details, label="attendees-open"),
    Case(_manage("full", "attendees"), role="animator", expect_selector="ol.waitlist li",
         then=_open_details, label="attendees-full"),
    Case(_manage("full", "attendees"), role="animator", then=_search_attendees,
         label="attendees-search"),
    Case(_manage("full", "attendees"), role="animator", then=_send_empty_walk_in,
         label="attendees-errors"),
    Case(_manage("past", "attendees"), role="animator", expect_selector="#volunteers form",
         then=_open_details, label="attendees-past"),
    Case(_manage("cancelled", "attendees"), role="animator", expect_selector="#attendee-counts",
         label="attendees-cancelled"),
]


@pytest.fixture(scope="module")
def paths(live_server) -> dict[str, int]:
    ids = {key: live_server.demo_activities[title] for key, title in ACTIVITIES.items()}
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
