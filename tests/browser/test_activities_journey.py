"""An activity's sign-up and check-in, end to end in a real browser on a 360 px phone screen.

Four new members sign up for the demo activity kept for these tests (two places, nobody signed
up): the first two get the places (htmx: the sign-up panel changes in place) and a ticket with
a QR code, the next two join the waitlist as numbers 1 and 2. The first member cancels, so the
first one waiting gets the place. The animator finds that member on the door list (htmx live
search), marks them present and takes it back (htmx row swap, the counts change), then checks
them in from the link on their ticket. Then a sign-up with JavaScript off, as a plain POST.

The activity strings may not be translated yet, so nothing here reads their words: elements are
found by structure, form actions and hidden intents, and states are told apart by which form or
link a panel holds and by the numbers in it. The demo database is shared by the whole session:
only this module signs up for ``BROWSER_TEST_ACTIVITY``, and the members are new each run.
"""

from __future__ import annotations

import re
import uuid
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Locator, Page, expect

from participation.demo import BROWSER_TEST_ACTIVITY, FULL_ACTIVITY

from .conftest import register_member

pytestmark = pytest.mark.browser

ACTIVITY_PATH = re.compile(r"/c/paca-40/activities/(\d+)$")
PANEL = "#signup"
JOIN_BUTTON = "#signup form:has(input[name=intent][value=join]) button[type=submit]"
CANCEL_BUTTON = "#signup form:has(input[name=intent][value=cancel]) button[type=submit]"
TICKET_LINK = '#signup a[href$="/ticket"]'
DOOR_ROWS = "#attendee-list .door-list > li"
COUNTS = "#attendee-counts"


def _numbers(locator: Locator) -> list[int]:
    return [int(number) for number in re.findall(r"\d+", locator.inner_text())]


def _expect_numbers(locator: Locator, numbers: list[int], timeout_ms: int = 5000) -> None:
    """Wait until the text holds these numbers, in any order (word order differs between
    languages)."""
    wanted = sorted(numbers)
    for _ in range(timeout_ms // 100):
        if sorted(_numbers(locator)) == wanted:
            return
        locator.page.wait_for_timeout(100)
    assert sorted(_numbers(locator)) == wanted, locator.inner_text()


def _mark_window(page: Page) -> None:
    page.evaluate("window.__samePage = true")


def _assert_same_page(page: Page, what: str) -> None:
    assert page.evaluate("window.__samePage === true"), f"{what} loaded the whole page again"


def _sign_up(page: Page, path: str, *, check_page=None) -> None:
    """On the activity page, tap the sign-up button; htmx swaps the panel in place."""
    page.goto(path)
    expect(page.locator(JOIN_BUTTON)).to_be_visible()
    if check_page is not None:
        check_page(page)
    _mark_window(page)
    page.locator(JOIN_BUTTON).click()
    expect(page.locator(CANCEL_BUTTON)).to_be_visible()
    expect(page.locator(JOIN_BUTTON)).to_have_count(0)
    # Keyboard and screen-reader users keep their place: the new button has the focus.
    expect(page.locator(CANCEL_BUTTON)).to_be_focused()
    expect(page.locator("#messages .message--success")).to_be_visible()
    expect(page).to_have_url(re.compile(re.escape(path) + "$"))
    _assert_same_page(page, "signing up")


def _waitlist_number(page: Page) -> list[int]:
    """A waitlisted panel: a cancel form, no ticket, and the place on the waitlist."""
    expect(page.locator(CANCEL_BUTTON)).to_be_visible()
    expect(page.locator(TICKET_LINK)).to_have_count(0)
    return _numbers(page.locator(PANEL))


def test_members_sign_up_wait_get_promoted_and_animator_checks_them_in(
    open_page, shared_page, live_server, check_page
) -> None:
    activity_id = live_server.demo_activities[BROWSER_TEST_ACTIVITY]
    path = f"/c/paca-40/activities/{activity_id}"
    token = uuid.uuid4().hex[:6]

    # The first member joins the centre, opens the activity list and finds the activity.
    first = open_page()
    register_member(first, f"Pierwsza Ogrodniczka {token}", "act-first")
    expect(first.locator("#coming-up-heading ~ ul .activity-card").first).to_be_visible()
    check_page(first)  # the centre's home with "Coming up"
    first.locator('#coming-up-heading ~ p a[href$="/c/paca-40/activities/"]').click()
    expect(first).to_have_url(re.compile(r"/c/paca-40/activities/$"))
    link = first.locator(f'#activity-results a[href="{path}"]')
    expect(link).to_have_text(BROWSER_TEST_ACTIVITY)  # the demo's own title, not a UI string
    check_page(first)
    link.click()
    expect(first).to_have_url(re.compile(re.escape(path) + "$"))
    expect(first.locator("h1#activity-title")).to_have_text(BROWSER_TEST_ACTIVITY)
    expect(first.locator(TICKET_LINK)).to_have_count(0)
    assert _numbers(first.locator(PANEL)) == [2], "two free places before anyone signs up"
    check_page(first)

    # Sign up with htmx: a place, and the link to the ticket.
    _sign_up(first, path)
    expect(first.locator(TICKET_LINK)).to_be_visible()
    check_page(first)

    # The ticket, with its QR code loaded and described.
    first.locator(TICKET_LINK).click()
    expect(first).to_have_url(re.compile(re.escape(path) + "/ticket$"))
    qr = first.locator(".ticket-code img")
    expect(qr).to_be_visible()
    expect(qr).to_have_attribute("alt", re.compile(r"\S"))
    first.wait_for_function(
        "img => img.complete && img.naturalWidth > 0", arg=qr.element_handle())
    assert qr.evaluate("img => img.naturalWidth") > 0, "the QR code did not load"
    check_in_link = first.locator('.ticket-link a[href*="/c/paca-40/manage/activities/check-in/"]')
    expect(check_in_link).to_have_count(1)
    check_page(first)

    # The second member takes the last place.
    second = open_page()
    register_member(second, f"Drugi Ogrodnik {token}", "act-second")
    _sign_up(second, path)
    expect(second.locator(TICKET_LINK)).to_be_visible()
    check_page(second)

    # The third and the fourth find the activity full and join the waitlist: 1, then 2.
    third = open_page()
    register_member(third, f"Cecylia Awansowana {token}", "act-third")
    _sign_up(third, path, check_page=check_page)  # the full activity, before joining
    assert _waitlist_number(third) == [1]
    check_page(third)

    fourth = open_page()
    register_member(fourth, f"Czwarty Czekający {token}", "act-fourth")
    _sign_up(fourth, path)
    assert _waitlist_number(fourth) == [2]
    check_page(fourth)

    # The first member cancels (htmx): the sign-up button is back.
    first.goto(path)
    _mark_window(first)
    first.locator(CANCEL_BUTTON).click()
    expect(first.locator(JOIN_BUTTON)).to_be_visible()
    expect(first.locator(TICKET_LINK)).to_have_count(0)
    expect(first.locator(JOIN_BUTTON)).to_be_focused()
    expect(first.locator("#messages .message--success")).to_be_visible()
    _assert_same_page(first, "cancelling")
    check_page(first)

    # The first one waiting now has the place and a ticket; the other is number 1.
    third.reload()
    expect(third.locator(TICKET_LINK)).to_be_visible()
    expect(third.locator(CANCEL_BUTTON)).to_be_visible()
    check_page(third)
    fourth.reload()
    assert _waitlist_number(fourth) == [1]
    check_page(fourth)

    third.locator(TICKET_LINK).click()
    expect(third).to_have_url(re.compile(re.escape(path) + "/ticket$"))
    third_qr = third.locator(".ticket-code img")
    third.wait_for_function(
        "img => img.complete && img.naturalWidth > 0", arg=third_qr.element_handle())
    ticket_link = third.locator('.ticket-link a[href*="/manage/activities/check-in/"]')
    check_in_url = ticket_link.get_attribute("href")
    assert check_in_url == ticket_link.inner_text().strip(), "the link shows its own address"
    check_page(third)

    # My activities lists the place with a link to the ticket.
    third.goto("/account/activities/")
    expect(third.locator(f'main a[href="{path}/ticket"]')).to_have_count(1)
    check_page(third)

    # The animator opens the door list from the activity page.
    animator = shared_page("animator")
    animator.goto(path)
    animator.locator(f'main a[href$="/manage/activities/{activity_id}/attendees"]').click()
    expect(animator).to_have_url(re.compile(rf"/manage/activities/{activity_id}/attendees$"))
    expect(animator.locator(DOOR_ROWS)).to_have_count(2)
    expect(animator.locator("#attendee-list ol.waitlist > li")).to_have_count(1)
    _expect_numbers(animator.locator(COUNTS), [0, 2, 0])  # present, confirmed, guests
    check_page(animator)

    # Live search (htmx): only the promoted member's row is left.
    _mark_window(animator)
    animator.locator("#attendee-search").fill(f"Awansowana {token}")
    expect(animator).to_have_url(re.compile(r"[?&]q=Awansowana"))
    rows = animator.locator(DOOR_ROWS)
    expect(rows).to_have_count(1)
    expect(rows.first.locator(".door-name")).to_contain_text(f"Cecylia Awansowana {token}")
    _assert_same_page(animator, "searching")
    check_page(animator)

    # Mark present (htmx row swap): the button turns into "undo", the count goes up.
    row_id = rows.first.get_attribute("id")
    row = animator.locator(f"#{row_id}")
    expect(row).not_to_have_class(re.compile(r"door-row--present"))
    row.locator("form:has(input[name=intent][value=present]) button").click()
    expect(row).to_have_class(re.compile(r"(^|\s)door-row--present(\s|$)"))
    expect(row.locator("input[name=intent][value=undo]")).to_have_count(1)
    expect(row.locator("button.door-toggle--present")).to_be_focused()
    expect(row.locator("input[name=q]")).to_have_value(f"Awansowana {token}")
    _expect_numbers(animator.locator(COUNTS), [1, 2, 0])
    expect(animator.locator("#messages .message--success")).to_be_visible()
    _assert_same_page(animator, "marking present")
    check_page(animator)

    # Undo: back to "mark present", the count goes down.
    row.locator("form:has(input[name=intent][value=undo]) button").click()
    expect(row).not_to_have_class(re.compile(r"door-row--present"))
    expect(row.locator("input[name=intent][value=present]")).to_have_count(1)
    _expect_numbers(animator.locator(COUNTS), [0, 2, 0])
    _assert_same_page(animator, "undoing the check-in")
    check_page(animator)

    # The check-in link from the member's ticket: who, and one button.
    animator.goto(check_in_url)
    expect(animator.locator("main h1")).to_contain_text(f"Cecylia Awansowana {token}")
    expect(animator.locator(f'main dd a[href="{path}"]')).to_have_text(BROWSER_TEST_ACTIVITY)
    check_in_form = animator.locator(f'main form[action="{urlsplit(check_in_url).path}"]')
    expect(check_in_form).to_have_count(1)
    check_page(animator)
    check_in_form.locator("button[type=submit]").click()
    # Back on the door list, at the member's row, marked present.
    expect(animator).to_have_url(
        re.compile(rf"/manage/activities/{activity_id}/attendees#{row_id}$"))
    expect(animator.locator(f"#{row_id}")).to_have_class(re.compile(r"door-row--present"))
    _expect_numbers(animator.locator(COUNTS), [1, 2, 0])
    expect(animator.locator("#messages .message--success")).to_be_visible()
    check_page(animator)

    # Opened again, the link says the member is present and offers no second check-in.
    animator.goto(check_in_url)
    expect(animator.locator("main h1")).to_be_visible()
    expect(animator.locator("main form[action*='/check-in/']")).to_have_count(0)
    check_page(animator)

    # The first member's old ticket is gone with the cancelled place (404).
    response = first.goto(f"{path}/ticket")
    assert response is not None and response.status == 404
    check_page(first)

    for member in (first, second, third, fourth):
        member.context.close()


def test_signing_up_works_without_javascript(open_page, live_server) -> None:
    """The full demo activity: a plain POST puts the new member on the waitlist.

    No check_page here: axe-core is a script, and scripts are off in this context (the same
    pages are checked with scripts on in the other test and in test_activities_accessibility).
    """
    page = open_page(java_script_enabled=False)
    register_member(page, "Bez Skryptów Rowerzysta", "nojs-activity")

    path = f"/c/paca-40/activities/{live_server.demo_activities[FULL_ACTIVITY]}"
    page.goto(path)
    expect(page.locator(JOIN_BUTTON)).to_be_visible()
    expect(page.locator(TICKET_LINK)).to_have_count(0)

    page.locator(JOIN_BUTTON).click()  # a plain POST, then a 303 to the activity page
    expect(page).to_have_url(re.compile(re.escape(path) + "$"))
    expect(page.locator("#messages .message--success")).to_be_visible()
    numbers = _waitlist_number(page)
    # Two demo neighbours were waiting already (others may have joined in this session).
    assert len(numbers) == 1 and numbers[0] >= 3, numbers

    # Leaving the waitlist is a plain POST too.
    page.locator(CANCEL_BUTTON).click()
    expect(page).to_have_url(re.compile(re.escape(path) + "$"))
    expect(page.locator(JOIN_BUTTON)).to_be_visible()
    expect(page.locator("#messages .message--success")).to_be_visible()
