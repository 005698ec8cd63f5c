"""The e-mail choice in a real browser at 360 px: chosen with the keyboard, saved, shown on the
notifications page; axe-core finds nothing on either page."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from playwright.sync_api import Page, expect

from .conftest import register_member


@pytest.fixture
def english_page(browser, browser_context_args) -> Iterator[Page]:
    context = browser.new_context(**{**browser_context_args, "locale": "en-GB"})
    yield context.new_page()
    context.close()


def test_a_resident_chooses_one_email_a_day_with_the_keyboard(english_page, check_page):
    page = english_page
    register_member(page, "Nadia Kowal", prefix="digest")

    page.goto("/account/notifications/")
    expect(page.locator("main")).to_contain_text("We e-mail you about each notification at once.")
    check_page(page)
    page.get_by_role("link", name="Change how often we e-mail you").click()
    expect(page).to_have_url(re.compile(r"/account/profile#email_frequency$"))

    group = page.get_by_role("group", name="E-mail me about notifications")
    expect(group.get_by_role("radio", name=re.compile("^Immediately"))).to_be_checked()
    check_page(page)
    group.get_by_role("radio", name=re.compile("^Immediately")).focus()
    page.keyboard.press("ArrowDown")  # radio buttons move the choice with the arrow keys
    expect(group.get_by_role("radio", name=re.compile("^Once a day"))).to_be_checked()
    page.locator("main form.form button[type=submit]").click()

    expect(page.locator("#messages")).to_contain_text("Your profile is saved.")
    expect(page.get_by_role("group", name="E-mail me about notifications")
           .get_by_role("radio", name=re.compile("^Once a day"))).to_be_checked()
    page.goto("/account/notifications/")
    expect(page.locator("main")).to_contain_text("We e-mail you once a day with everything new.")
