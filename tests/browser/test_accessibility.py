"""Page states a crawl cannot reach pass axe-core's WCAG 2.1 A/AA rules at 360 px: a search
with no result, an unknown centre, forms sent with errors.

Every page the links reach, as each role and in every language, is checked by
test_every_page.py; the cases here are what it cannot get to by following links.
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


CASES = [
    Case("/?q=nic-takiego", label="search-empty"),
    Case("/c/no-such-centre/", label="404"),
    *(Case("/account/login", then=_failed_login, language=language, label="login-failed")
      for language in ("pl", "uk")),
    *(Case("/account/register", then=_empty_registration, language=language,
           label="register-errors")
      for language in ("pl", "en")),
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
