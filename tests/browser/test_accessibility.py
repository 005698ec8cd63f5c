"""Every page, as the people who see it, passes axe-core's WCAG 2.1 A/AA rules at 360 px.

Each page is checked in Polish (the default); the pages a newcomer meets first are also checked
in Ukrainian and English, whose longer words are the ones that break narrow layouts.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pytest
from playwright.sync_api import Page, expect

pytestmark = pytest.mark.browser


def _failed_login(page: Page) -> None:
    page.locator("input[name=email]").fill("jan@example.org")
    page.locator("input[name=password]").fill("not-the-right-password")
    page.locator("main form.form button[type=submit]").click()
    expect(page.locator(".error-summary")).to_be_visible()


def _empty_registration(page: Page) -> None:
    page.locator("main form.form button[type=submit]").click()
    expect(page.locator(".error-summary")).to_be_visible()
    expect(page.locator("#display_name")).to_have_attribute("aria-invalid", "true")


@dataclass(frozen=True)
class Case:
    path: str
    role: str = "anonymous"  # or "resident", "animator", "admin" (see conftest.ROLE_EMAILS)
    language: str = "pl"
    then: Callable[[Page], None] | None = None  # what to do on the page before checking it
    expect_selector: str = "main h1"  # something that shows the page is the expected one
    label: str = ""

    @property
    def id(self) -> str:
        return f"{self.language}-{self.role}-{self.label or self.path}"


FIRST_PAGES = ["/", "/c/paca-40/", "/account/register"]

CASES = [
    # Anyone.
    Case("/"),
    Case("/?q=nic-takiego", label="search-empty"),
    Case("/c/paca-40/", expect_selector='#membership a[href^="/account/login"]'),
    Case("/account/register"),
    Case("/account/login"),
    Case("/accessibility"),
    Case("/privacy"),
    Case("/help"),
    Case("/c/no-such-centre/", label="404"),
    Case("/account/login", then=_failed_login, label="login-failed"),
    Case("/account/register", then=_empty_registration, label="register-errors"),
    # A signed-in resident (Jan, a member of Paca 40).
    Case("/account/profile", role="resident"),
    Case("/account/password", role="resident"),
    Case("/c/paca-40/", role="resident", expect_selector='form[action$="/leave"] button',
         label="member"),
    # An animator of Paca 40.
    Case("/c/paca-40/", role="animator", label="animator"),
    # The platform administrator.
    Case("/admin/", role="admin"),
    Case("/admin/centres/new", role="admin"),
    Case("/admin/centres/paca-40/edit", role="admin"),
    Case("/admin/centres/paca-40/animators", role="admin"),
    # First pages in the other two languages.
    *(Case(path, language=language) for language in ("uk", "en") for path in FIRST_PAGES),
]


@pytest.mark.parametrize("case", CASES, ids=lambda case: case.id)
def test_page_is_accessible(case: Case, shared_page, check_page) -> None:
    page = shared_page(case.role, case.language)
    page.goto(case.path)
    expect(page.locator("html")).to_have_attribute("lang", case.language)
    if case.then is not None:
        case.then(page)
    expect(page.locator(case.expect_selector).first).to_be_visible()
    check_page(page)
