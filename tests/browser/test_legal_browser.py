"""The legal pages and "How it works" in a real browser at 360 px, in Polish, Ukrainian, English.

Every page goes through ``check_page`` (axe-core WCAG 2.1 A/AA, no horizontal scrolling) and
must carry the right ``lang``. Marta, animator of Paca 40, edits the centre's parts of the
statements: an invalid e-mail shows the error summary (checked by axe too), a valid text shows
up in the centre's statement. Her account's language and the centre's texts are put back as
they were found.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser, Page, expect

from .conftest import ROLE_EMAILS, LiveServer, SharedPages, sign_in

pytestmark = pytest.mark.browser

SLUG = "paca-40"
EDIT = f"/c/{SLUG}/manage/statements/"
PUBLIC_PAGES = ("/accessibility", f"/c/{SLUG}/accessibility", "/privacy", f"/c/{SLUG}/privacy",
                "/help")
LANGUAGES = ("pl", "uk", "en")


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("path", PUBLIC_PAGES)
def test_public_page_is_accessible(shared_page: SharedPages, check_page, path: str,
                                   language: str) -> None:
    page = shared_page("anonymous", language)
    page.goto(path)
    expect(page.locator("html")).to_have_attribute("lang", language)
    expect(page.locator("main h1")).to_have_count(1)
    check_page(page)


def test_the_help_pictures_load(shared_page: SharedPages) -> None:
    page = shared_page("anonymous", "pl")
    page.goto("/help")
    pictures = page.locator("main img")
    expect(pictures).to_have_count(6)
    for index in range(6):
        picture = pictures.nth(index)
        assert picture.get_attribute("alt")
        # A broken file would give the image no natural size.
        assert picture.evaluate("img => img.complete && img.naturalWidth > 0")


def test_the_footer_leads_to_the_centre_statement_by_keyboard(shared_page: SharedPages) -> None:
    page = shared_page("anonymous", "pl")
    page.goto(f"/c/{SLUG}/")
    link = page.locator(f'footer a[href="/c/{SLUG}/accessibility"]')
    link.focus()
    page.keyboard.press("Enter")
    expect(page).to_have_url(f"{page.url.split('/c/')[0]}/c/{SLUG}/accessibility")
    expect(page.locator("#procedure")).to_be_visible()


def _set_language(page: Page, language: str) -> None:
    page.locator(f"button[name=locale][value={language}]").click()
    expect(page.locator("html")).to_have_attribute("lang", language)


def test_the_animator_edits_the_statements(browser: Browser, browser_context_args: dict,
                                           live_server: LiveServer, check_page) -> None:
    context = browser.new_context(**browser_context_args)
    page = context.new_page()
    sign_in(page, ROLE_EMAILS["animator"], live_server.password_for("animator"))
    page.goto(EDIT)
    building = page.locator("#building_accessibility")
    email = page.locator("#accessibility_contact_email")
    original_building, original_email = building.input_value(), email.input_value()
    try:
        for language in LANGUAGES:
            if language != "pl":
                _set_language(page, language)
            expect(page.locator("html")).to_have_attribute("lang", language)
            expect(page.locator("main form.form")).to_be_visible()
            check_page(page)
        _set_language(page, "pl")

        # A mistake: the error summary links to the field, which says what is wrong.
        email.fill("anna(at)example.org")
        page.locator("main form.form button[type=submit]").click()
        expect(page.locator(".error-summary")).to_be_visible()
        expect(page.locator("#accessibility_contact_email")).to_have_attribute(
            "aria-invalid", "true")
        check_page(page)

        page.locator("#accessibility_contact_email").fill("dostepnosc@paca40.example.org")
        page.locator("#building_accessibility").fill("Wejście bez progów od ulicy Paca.")
        page.locator("main form.form button[type=submit]").click()
        expect(page.locator(".error-summary")).to_have_count(0)
        expect(page).to_have_url(f"{live_server.url}{EDIT}")

        page.goto(f"/c/{SLUG}/accessibility")
        expect(page.locator("#building")).to_contain_text("Wejście bez progów od ulicy Paca.")
        expect(page.locator("#feedback")).to_contain_text("dostepnosc@paca40.example.org")
        check_page(page)
    finally:
        page.goto(EDIT)
        _set_language(page, "pl")
        page.locator("#building_accessibility").fill(original_building)
        page.locator("#accessibility_contact_email").fill(original_email)
        page.locator("main form.form button[type=submit]").click()
        expect(page.locator(".error-summary")).to_have_count(0)
        context.close()
