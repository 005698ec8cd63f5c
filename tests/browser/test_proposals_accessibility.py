"""Proposal and moderation pages in the states a crawl cannot reach pass axe-core's WCAG 2.1
A/AA rules and do not scroll at 360 px: filtered lists, an htmx swap, forms sent with errors, a
comment's report form, reports awaiting review.

Every page the links reach (each demo proposal as each role, the moderation screens), in every
language, is checked by test_every_page.py. Each case is visited as someone who sees it: Jan (a
member and author of demo proposals) or Marta (the animator of Paca 40); the signed-in tabs are
shared between modules (``shared_page``), so each role signs in once per session.

Demo proposals are named by the status the demo leaves them in ("{published}" in a path is the
id of that proposal, see ``LiveServer.demo_proposals``).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

import pytest
from playwright.sync_api import Page, expect

pytestmark = pytest.mark.browser

def _proposal(status: str) -> str:
    return f"/c/paca-40/proposals/{{{status}}}"


# --- What to do on a page before checking it ------------------------------------------------


def _open_details(page: Page) -> None:
    page.locator("main details").evaluate_all("all => all.forEach(d => { d.open = true; })")


def _filter_with_htmx(page: Page) -> None:
    """Pick a status in the filter form: htmx swaps the results and pushes the URL."""
    page.evaluate("window.__marker = 1")
    page.locator("select[name=status]").select_option("accepted")
    expect(page).to_have_url(re.compile(r"[?&]status=accepted(&|$)"))
    expect(page.locator("#proposal-list .status--accepted").first).to_be_visible()
    assert page.evaluate("window.__marker") == 1, "filtering reloaded the page"


def _send_empty_proposal(page: Page) -> None:
    page.locator("button[name=action][value=send]").click()
    expect(page.locator(".error-summary")).to_be_visible()
    expect(page.locator("input[name=title]")).to_have_attribute("aria-invalid", "true")


def _send_empty_report(page: Page) -> None:
    page.locator("select[name=reason]").select_option("other")  # needs details
    page.locator("main form.form button[type=submit]").click()
    expect(page.locator(".error-summary")).to_be_visible()


def _open_comment_report(page: Page) -> None:
    page.locator('#comments a[href*="/comments/"][href$="/report"]').first.click()
    expect(page.locator("select[name=reason]")).to_be_visible()


def _reject_without_reason(page: Page) -> None:
    """The panel's status form, sent without the reason rejecting needs: the 422 action page."""
    status_form = page.locator('form[action*="/manage/proposals/"][action$="/status"]')
    status_form.locator("select[name=target]").select_option("rejected")
    status_form.locator("button[type=submit]").click()
    expect(page.locator(".error-summary")).to_be_visible()
    expect(page.locator("main form select[name=target]")).to_be_visible()


def _bad_settings(page: Page) -> None:
    page.locator("input[name=support_threshold]").fill("dużo")
    page.locator("main form.form button[type=submit]").click()
    expect(page.locator(".error-summary")).to_be_visible()


def _empty_category(page: Page) -> None:
    page.locator('main form[action$="/manage/categories"] button[type=submit]').click()
    expect(page.locator(".error-summary")).to_be_visible()
    _open_details(page)


@dataclass(frozen=True)
class Case:
    path: str  # may name demo proposals: "{published}"
    role: str = "anonymous"  # or "resident" (Jan), "animator" (Marta)
    expect_selector: str = "main h1"  # shows the page is the expected one
    then: Callable[[Page], None] | None = None
    language: str = "pl"
    label: str = ""

    @property
    def id(self) -> str:
        return f"{self.language}-{self.role}-{self.label or self.path}"


CASES = [
    # Anyone: the list filtered (by its links, then by htmx), and a filter it does not know.
    Case("/c/paca-40/proposals/?sort=supported&status=published",
         expect_selector="#proposal-list .status--published", label="list-filtered"),
    Case("/c/paca-40/proposals/", then=_filter_with_htmx, label="list-htmx-filter"),
    Case("/c/paca-40/proposals/", then=_filter_with_htmx, language="uk",
         label="list-htmx-filter"),
    Case("/c/paca-40/proposals/?status=no-such-status", expect_selector="select[name=status]",
         label="list-invalid-filter"),
    # Jan: forms sent with errors, a comment's report form.
    Case("/c/paca-40/proposals/new", role="resident", then=_send_empty_proposal,
         label="new-errors"),
    Case(_proposal("under_review") + "/report", role="resident", then=_send_empty_report,
         label="report-proposal-errors"),
    Case(_proposal("published"), role="resident", then=_open_comment_report,
         label="report-comment"),
    # Marta: forms sent with errors.
    Case("/c/paca-40/manage/settings", role="animator", then=_bad_settings,
         label="settings-errors"),
    Case("/c/paca-40/manage/categories", role="animator", then=_empty_category,
         label="categories-errors"),
    Case(_proposal("submitted"), role="animator", then=_reject_without_reason,
         label="action-errors"),
]


@pytest.mark.parametrize("case", CASES, ids=lambda case: case.id)
def test_page_is_accessible(case: Case, shared_page, live_server, check_page) -> None:
    page = shared_page(case.role, case.language)
    page.goto(case.path.format(**live_server.demo_proposals))
    expect(page.locator("html")).to_have_attribute("lang", case.language)
    expect(page.locator(case.expect_selector).first).to_be_visible()
    if case.then is not None:
        case.then(page)
    check_page(page)


def test_reports_awaiting_review_are_accessible(shared_page, live_server, check_page) -> None:
    """Jan reports a comment; Marta's report list (and the queue's summary) then has an item."""
    jan = shared_page("resident")
    jan.goto(_proposal("published").format(**live_server.demo_proposals))
    jan.locator('#comments a[href*="/comments/"][href$="/report"]').last.click()
    jan.locator("select[name=reason]").select_option("spam")
    jan.locator("main form.form button[type=submit]").click()
    expect(jan.locator("#messages .message--success")).to_be_visible()

    marta = shared_page("animator")
    marta.goto("/c/paca-40/manage/")
    expect(marta.locator('#reports-heading ~ p a[href$="/manage/reports"]')).to_be_visible()
    check_page(marta)
    marta.goto("/c/paca-40/manage/reports")
    expect(marta.locator('li.card[id^="report-comment-"]').first).to_be_visible()
    check_page(marta)
