"""A new resident's first visit, end to end in a real browser on a 360 px phone screen.

Register → switch to Ukrainian → find Paca 40 → join (htmx swap) → sign out; and the same join
with JavaScript switched off, through the plain form POST and redirect.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from .conftest import fill_registration, unique_email

pytestmark = pytest.mark.browser

CENTRE_NAME = "Centrum Społeczne Paca 40"
CYRILLIC = re.compile(r"[А-Яа-яІіЇїЄєҐґ]")

LOGOUT_FORM = 'form[action$="/account/logout"]'
SIGN_IN_LINK = 'nav.account-nav a[href^="/account/login"]'
JOIN_BUTTON = 'form[action$="/join"] button'
LEAVE_BUTTON = 'form[action$="/leave"] button'


def test_new_resident_registers_switches_language_joins_and_signs_out(
    page: Page, live_server, check_page
) -> None:
    # The centre list, in Polish by default (the browser asks for pl-PL).
    page.goto("/")
    expect(page.locator("html")).to_have_attribute("lang", "pl")
    check_page(page)

    # Register from the header link.
    page.locator('nav.account-nav a[href^="/account/register"]').click()
    expect(page).to_have_url(re.compile(r"/account/register"))
    expect(page.locator("#display_name")).to_be_visible()
    check_page(page)
    fill_registration(page, "Ola Testowa", unique_email("ola"))

    # Signed in, back on the centre list, with the welcome message announced.
    logout = page.locator(LOGOUT_FORM)
    expect(logout).to_be_visible()
    expect(page.locator("#messages .message--success")).to_be_visible()
    expect(page.locator(SIGN_IN_LINK)).to_have_count(0)
    check_page(page)

    # Switch the interface to Ukrainian with the header button.
    page.locator("button[name=locale][value=uk]").click()
    expect(page.locator("html")).to_have_attribute("lang", "uk")
    expect(page.locator("button[name=locale][value=uk]")).to_have_attribute(
        "aria-pressed", "true"
    )
    heading_and_nav = page.locator("main h1, nav.account-nav").all_inner_texts()
    assert CYRILLIC.search(" ".join(heading_and_nav)), (
        "After switching to Ukrainian the heading and navigation show no Cyrillic text "
        f"(is the uk catalogue compiled?): {heading_and_nav!r}"
    )
    check_page(page)

    # Search the centre list for Paca (htmx swaps the results in place).
    page.goto("/")
    page.locator("#q").fill("Paca")
    page.locator("form[role=search] button[type=submit]").click()
    results = page.locator("#centre-results .card")
    expect(results).to_have_count(1)
    expect(results.first).to_contain_text(CENTRE_NAME)
    check_page(page)

    # Open the centre and join it.
    page.locator("#centre-results a", has_text=CENTRE_NAME).click()
    expect(page).to_have_url(re.compile(r"/c/paca-40/$"))
    expect(page.locator("main h1")).to_have_text(CENTRE_NAME)
    expect(page.locator(JOIN_BUTTON)).to_be_visible()
    check_page(page)

    # A marker on window survives an htmx swap but not a page load.
    page.evaluate("window.__stillSamePage = true")
    page.locator(JOIN_BUTTON).click()
    expect(page.locator(LEAVE_BUTTON)).to_be_visible()
    expect(page.locator(JOIN_BUTTON)).to_have_count(0)
    expect(page.locator("#messages .message--success")).to_contain_text(CENTRE_NAME)
    assert page.evaluate("window.__stillSamePage === true"), "joining reloaded the whole page"
    expect(page.locator("#membership")).to_have_count(1)
    check_page(page)

    # Sign out with the header button: the sign-in link is back.
    page.locator(f"{LOGOUT_FORM} button").click()
    expect(page.locator(SIGN_IN_LINK)).to_be_visible()
    expect(page.locator(LOGOUT_FORM)).to_have_count(0)
    # The language chosen in this browser outlives the session.
    expect(page.locator("html")).to_have_attribute("lang", "uk")
    check_page(page)


def test_joining_works_without_javascript(new_context, live_server) -> None:
    context = new_context(java_script_enabled=False)
    page = context.new_page()

    page.goto("/account/register?next=/c/paca-40/")
    fill_registration(page, "Bez Skryptów", unique_email("nojs"))

    # The plain POST redirects to where the resident was going, signed in.
    expect(page).to_have_url(re.compile(r"/c/paca-40/$"))
    expect(page.locator(LOGOUT_FORM)).to_be_visible()

    page.locator(JOIN_BUTTON).click()
    expect(page).to_have_url(re.compile(r"/c/paca-40/$"))
    expect(page.locator(LEAVE_BUTTON)).to_be_visible()
    expect(page.locator(JOIN_BUTTON)).to_have_count(0)
    expect(page.locator("#messages .message--success")).to_contain_text(CENTRE_NAME)
