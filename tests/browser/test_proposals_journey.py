"""A proposal's life, end to end in a real browser on a 360 px phone screen.

A new member proposes (with a preview), an animator publishes it from the moderation queue,
three members support it (htmx: the count changes in place), the animator answers, and the
public page shows the answer and the timeline. Then the same support with JavaScript off.

UI texts may still be half translated, so elements are found by structure and attributes; where
a status must be recognised in text (the timeline), its label is read off the page's own status
badge first. The demo database is shared by the whole session: each test works on a proposal it
creates, or reads a count before changing it.
"""

from __future__ import annotations

import re
import uuid
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Locator, expect

from .conftest import DEMO_MEMBER_EMAILS, ROLE_EMAILS, register_member

pytestmark = pytest.mark.browser

PROPOSAL_PATH = re.compile(r"/c/paca-40/proposals/(\d+)$")
BADGE = "article .status"
SUPPORT_COUNT = "#support .support-count"
SUPPORT_BUTTON = '#support form[action$="/support"] button'
WITHDRAW_INTENT = "#support input[name=intent][value=withdraw]"


def _status_class(status: str) -> re.Pattern[str]:
    return re.compile(rf"(^|\s)status--{status}(\s|$)")


def _shows_count(count: int) -> re.Pattern[str]:
    """The support count text starts with the number (“3 z 15 …”, “3 of 15 …”)."""
    return re.compile(rf"^\s*{count}\b")


def _leading_number(locator: Locator) -> int:
    expect(locator).to_have_text(re.compile(r"^\s*\d+"))
    return int(re.match(r"\s*(\d+)", locator.inner_text()).group(1))


def test_member_proposes_animator_publishes_members_support_and_animator_answers(
    open_page, shared_page, check_page
) -> None:
    # A new resident registers and joins Paca 40 (htmx), then proposes.
    author = open_page()
    register_member(author, "Autorka Propozycji", "author")
    author.goto("/c/paca-40/proposals/new")
    expect(author.locator("input[name=title]")).to_be_visible()
    check_page(author)

    title = f"Skrzynka na książki przy przystanku {uuid.uuid4().hex[:6]}"
    author.locator("input[name=title]").fill(title)
    author.locator("textarea[name=body]").fill(
        "Mała skrzynka z książkami do wymiany przy przystanku na Pacy, dla czekających."
    )
    category = author.locator("select[name=category_id]")
    category.select_option(index=category.locator("option").count() - 1)

    # Preview: the text as others will see it, and the form kept filled in.
    author.locator("button[name=action][value=preview]").click()
    preview = author.locator("section.preview")
    expect(preview).to_be_visible()
    expect(preview.locator("h3")).to_have_text(title)
    expect(author.locator("input[name=title]")).to_have_value(title)
    check_page(author)

    # Send: the proposal page, awaiting moderation.
    author.locator("button[name=action][value=send]").click()
    expect(author).to_have_url(PROPOSAL_PATH)
    path = urlsplit(author.url).path
    expect(author.locator("h1#proposal-title")).to_have_text(title)
    badge = author.locator(BADGE)
    expect(badge).to_have_class(_status_class("submitted"))
    submitted_label = badge.text_content().strip()
    expect(author.locator("#messages .message--success")).to_be_visible()
    check_page(author)

    # The animator finds it in the moderation queue and publishes it.
    animator = shared_page("animator")  # Marta, signed in once for the whole session
    animator.goto("/c/paca-40/manage/")
    card = animator.locator("li.card").filter(has=animator.locator(f'a[href="{path}"]'))
    expect(card).to_have_count(1)
    check_page(animator)
    card.locator(
        'form[action*="/manage/proposals/"][action$="/status"]'
        ":has(input[name=target][value=published]) button"
    ).click()
    expect(animator).to_have_url(re.compile(r"/c/paca-40/manage/$"))
    expect(animator.locator("#messages .message--success")).to_be_visible()
    expect(card).to_have_count(0)

    author.reload()
    expect(author.locator(BADGE)).to_have_class(_status_class("published"))
    published_label = author.locator(BADGE).text_content().strip()
    assert published_label != submitted_label

    # Three members support it; htmx updates the count without loading the page again.
    for supporters, email in enumerate(DEMO_MEMBER_EMAILS, start=1):
        is_jan = email == ROLE_EMAILS["resident"]
        member = shared_page("resident") if is_jan else open_page(email)
        member.goto(path)
        count = member.locator(SUPPORT_COUNT)
        expect(count).to_have_text(_shows_count(supporters - 1))
        expect(member.locator(WITHDRAW_INTENT)).to_have_count(0)
        if supporters == 1:
            check_page(member)  # a member's view of a published proposal
        member.evaluate("window.__marker = 1")
        member.locator(SUPPORT_BUTTON).click()
        expect(count).to_have_text(_shows_count(supporters))
        expect(member.locator("#support progress")).to_have_attribute("value", str(supporters))
        expect(member.locator(WITHDRAW_INTENT)).to_have_count(1)
        # Keyboard and screen-reader users keep their place: focus is on the new button.
        expect(member.locator(SUPPORT_BUTTON)).to_be_focused()
        expect(member.locator("#messages .message--success")).to_be_visible()
        assert member.evaluate("window.__marker") == 1, f"supporting reloaded the page ({email})"
        if supporters == 2:
            check_page(member)  # after the swap, in Olena's Ukrainian
        if not is_jan:
            member.context.close()

    author.reload()
    expect(author.locator(SUPPORT_COUNT)).to_have_text(_shows_count(3))

    # The animator gives the official answer from the panel on the proposal page.
    answer_text = "Dziękujemy! Skrzynkę zamontujemy w przyszłym miesiącu razem z sąsiadami."
    animator.goto(path)
    answer_form = animator.locator('form[action*="/manage/proposals/"][action$="/answer"]')
    expect(answer_form.locator("textarea[name=answer]")).to_be_visible()
    expect(animator.locator('form[action$="/status"] select[name=target]')).to_be_visible()
    check_page(animator)
    answer_form.locator("textarea[name=answer]").fill(answer_text)
    answer_form.locator("button[type=submit]").click()
    expect(animator).to_have_url(re.compile(re.escape(path) + "$"))
    expect(animator.locator("#answer-heading")).to_be_visible()

    # Anyone now reads the answer and the public timeline (moderation steps stay private).
    visitor = shared_page()  # anonymous
    visitor.goto(path)
    expect(visitor.locator("#answer-heading")).to_be_visible()
    expect(visitor.locator("section.answer")).to_contain_text(answer_text)
    expect(visitor.locator(SUPPORT_COUNT)).to_have_text(_shows_count(3))
    steps = visitor.locator(".timeline li")
    expect(steps.filter(has=visitor.locator("strong", has_text=published_label))).to_have_count(1)
    expect(steps.filter(has=visitor.locator("strong", has_text=submitted_label))).to_have_count(0)
    check_page(visitor)

    # The author sees the whole timeline: sent, then published.
    author.reload()
    expect(author.locator("#answer-heading")).to_be_visible()
    author_steps = author.locator(".timeline li strong")
    expect(author_steps.nth(1)).to_be_attached()  # at least two steps
    labels = [label.strip() for label in author_steps.all_text_contents()]
    assert labels[:2] == [submitted_label, published_label], labels


def test_supporting_works_without_javascript(open_page, live_server) -> None:
    page = open_page(java_script_enabled=False)
    register_member(page, "Bez Skryptów", "nojs-support")

    # The demo proposal under review: past the threshold already, so one more support cannot
    # change its status. Read its count first (other tests may have supported it too).
    path = f"/c/paca-40/proposals/{live_server.demo_proposals['under_review']}"
    page.goto(path)
    count = page.locator(SUPPORT_COUNT)
    before = _leading_number(count)
    expect(page.locator(WITHDRAW_INTENT)).to_have_count(0)

    page.locator(SUPPORT_BUTTON).click()  # a plain POST, then a redirect to the page
    expect(page).to_have_url(re.compile(re.escape(path) + "$"))
    expect(page.locator("#messages .message--success")).to_be_visible()
    expect(count).to_have_text(_shows_count(before + 1))
    expect(page.locator(WITHDRAW_INTENT)).to_have_count(1)
