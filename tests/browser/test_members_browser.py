"""Acting for a resident in a real browser, at 360 px.

A fresh resident registers and joins Paca 40. Marta, its animator, finds her on the members
page (live search as she types, and the plain search form), opens her page and supports the
demo proposal under review for her: the page confirms it and her history at the centre names
Marta. The resident then sees the act, entered by Marta, on her own history page.

Every page goes through ``check_page`` (axe-core WCAG 2.1 A/AA, no horizontal scrolling): the
members list, the member's page (also after the act) and the history page. Only the proposal
under review is supported, so no demo proposal changes status.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable

import pytest
from playwright.sync_api import Page, expect

from .conftest import ROLE_EMAILS, LiveServer, register_member

pytestmark = pytest.mark.browser

SLUG = "paca-40"
MEMBERS = f"/c/{SLUG}/manage/members/"
ANIMATOR_NAME = "Marta Kowalczyk"


def test_an_animator_finds_a_member_and_supports_a_proposal_for_her(
        open_page: Callable[..., Page], live_server: LiveServer, check_page) -> None:
    token = uuid.uuid4().hex[:8]
    name = f"Zofia Testowa {token}"
    resident = open_page()
    register_member(resident, name, prefix="assisted")

    animator = open_page(ROLE_EMAILS["animator"])
    animator.goto(MEMBERS)
    check_page(animator)
    # Live search: typing swaps the results in place.
    animator.locator("#q").fill(token)
    member_link = animator.locator("#member-results a", has_text=name)
    expect(member_link).to_have_count(1)
    expect(animator.locator("#member-results .results-count")).to_contain_text("1")
    member_link.click()
    expect(animator.locator("h1")).to_have_text(name)
    check_page(animator)

    under_review = live_server.demo_proposals["under_review"]
    choice = animator.locator("#support-proposal_id")
    choice.select_option(str(under_review))
    title = choice.locator("option:checked").inner_text().strip()
    animator.locator("#support form button[type=submit]").click()
    expect(animator).to_have_url(re.compile(rf"{MEMBERS}\d+#history$"))
    expect(animator.locator(".message--success")).to_contain_text(title)
    history = animator.locator("#history")
    expect(history).to_contain_text(title)
    expect(history).to_contain_text(ANIMATOR_NAME)
    # Supported now: the proposal is no longer offered.
    expect(animator.locator(f"#support-proposal_id option[value='{under_review}']")
           ).to_have_count(0)
    check_page(animator)

    resident.goto("/account/history/")
    expect(resident.locator("main")).to_contain_text(title)
    expect(resident.locator("main")).to_contain_text(ANIMATOR_NAME)
    check_page(resident)


def test_the_plain_search_form_works_without_javascript(
        open_page: Callable[..., Page]) -> None:
    # No check_page here: axe-core is a script, and scripts are off in this context.
    animator = open_page(ROLE_EMAILS["animator"], java_script_enabled=False)
    animator.goto(MEMBERS)
    animator.locator("#q").fill("Halina")
    animator.locator("form[role=search] button[type=submit]").click()
    expect(animator).to_have_url(re.compile(r"\?q=Halina"))
    link = animator.locator("#member-results a", has_text="Halina Wiśniewska")
    expect(link).to_have_count(1)
    link.click()
    expect(animator.locator("h1")).to_have_text("Halina Wiśniewska")
