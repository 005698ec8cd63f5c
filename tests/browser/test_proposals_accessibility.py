"""Proposal and moderation pages pass axe-core's WCAG 2.1 A/AA rules and do not scroll at 360 px.

Each page is visited as someone who sees it: public proposals anonymously, the proposal form,
the author's edit page and reports as Jan (a member and author of demo proposals), the
moderation screens and the non-public proposals as Marta (the animator of Paca 40). The
signed-in tabs are shared with test_accessibility.py (``shared_page``), so each role signs in
once per session.

Demo proposals are named by the status the demo leaves them in ("{published}" in a path is the
id of that proposal, see ``LiveServer.demo_proposals``); every case checks the status badge, so a
test that changed a demo proposal's status would show up here.

Folded ``<details>`` (reject, withdraw, rename) are opened before the scan, so the forms inside
are checked too.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

import pytest
from playwright.sync_api import Page, expect

pytestmark = pytest.mark.browser

PUBLIC_STATUSES = ["published", "under_review", "accepted", "in_progress", "completed",
                   "declined", "withdrawn"]
PRIVATE_STATUSES = ["submitted", "rejected", "hidden"]


def _proposal(status: str) -> str:
    return f"/c/paca-40/proposals/{{{status}}}"


def _badge(status: str) -> str:
    return f"article .status.status--{status}"


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
    # Anyone: the list, and the public proposals.
    Case("/c/paca-40/proposals/", expect_selector="#proposal-list .card"),
    Case("/c/paca-40/proposals/?sort=supported&status=published",
         expect_selector="#proposal-list .status--published", label="list-filtered"),
    Case("/c/paca-40/proposals/", then=_filter_with_htmx, label="list-htmx-filter"),
    Case("/c/paca-40/proposals/?status=no-such-status", expect_selector="select[name=status]",
         label="list-invalid-filter"),
    *(Case(_proposal(status), expect_selector=_badge(status), label=f"proposal-{status}")
      for status in PUBLIC_STATUSES),
    # Longer words in the other languages.
    *(Case(path, expect_selector=selector, language=language, label=label)
      for language in ("uk", "en")
      for path, selector, label in [
          ("/c/paca-40/proposals/", "#proposal-list .card", "list"),
          (_proposal("published"), _badge("published"), "proposal-published"),
      ]),
    # Jan: member of Paca 40, author of the submitted (and other) demo proposals.
    Case("/c/paca-40/proposals/new", role="resident", expect_selector="input[name=title]"),
    Case("/c/paca-40/proposals/new", role="resident", then=_send_empty_proposal,
         label="new-errors"),
    Case(_proposal("submitted") + "/edit", role="resident",
         expect_selector='form[action$="/edit"] input[name=title]', label="edit-submitted"),
    Case(_proposal("submitted"), role="resident", expect_selector=_badge("submitted"),
         then=_open_details, label="author-submitted"),
    Case(_proposal("published"), role="resident", expect_selector="#comments form textarea",
         then=_open_details, label="author-published"),
    Case(_proposal("under_review"), role="resident", expect_selector="#support form",
         label="member-under_review"),
    Case(_proposal("under_review") + "/report", role="resident",
         expect_selector="select[name=reason]", label="report-proposal"),
    Case(_proposal("under_review") + "/report", role="resident", then=_send_empty_report,
         label="report-proposal-errors"),
    Case(_proposal("published"), role="resident", then=_open_comment_report,
         label="report-comment"),
    Case("/account/notifications/", role="resident"),
    # Marta: animator of Paca 40.
    Case("/c/paca-40/manage/", role="animator", expect_selector=".manage-nav",
         then=_open_details),
    Case("/c/paca-40/manage/reports", role="animator"),
    Case("/c/paca-40/manage/log", role="animator", expect_selector=".table-scroll table"),
    Case("/c/paca-40/manage/settings", role="animator",
         expect_selector="input[name=support_threshold]"),
    Case("/c/paca-40/manage/settings", role="animator", then=_bad_settings,
         label="settings-errors"),
    Case("/c/paca-40/manage/categories", role="animator", expect_selector=".manage-nav",
         then=_open_details),
    Case("/c/paca-40/manage/categories", role="animator", then=_empty_category,
         label="categories-errors"),
    Case("/account/notifications/", role="animator"),
    *(Case(_proposal(status), role="animator", expect_selector=_badge(status),
           label=f"panel-{status}")
      for status in [*PRIVATE_STATUSES, "published", "under_review"]),
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
