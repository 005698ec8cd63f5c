"""Access cards in a real browser, on a 360 px phone screen (issue 6).

Marta, animator of Paca 40, registers a resident who has no e-mail and gets the printable card
(print media: only the card, on one A6 page). The test reads the sign-in link printed on the
card; a fresh browser context (the resident's phone) opens it, presses "Sign in", chooses a
PIN, then supports a proposal published for the test (Marta proposes it and publishes it from
the moderation queue): the count goes up. Signed out, the resident comes back with the card's
code and the PIN.

Every new page goes through ``check_page`` (axe-core WCAG 2.1 A/AA, no horizontal scrolling):
the new-card form, the card, the link page, the PIN page and the card sign-in page.
"""

from __future__ import annotations

import re
import uuid
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Locator, Page, expect

pytestmark = pytest.mark.browser

SLUG = "paca-40"
NEW_CARD = f"/c/{SLUG}/manage/cards/new"
PROPOSAL_PATH = re.compile(rf"/c/{SLUG}/proposals/(\d+)$")
SUPPORT_COUNT = "#support .support-count"
SUPPORT_BUTTON = '#support form[action$="/support"] button'
PIN = "4826"
A6_POINTS = (297.6, 419.5)  # 105 mm × 148 mm


def _leading_number(locator: Locator) -> int:
    expect(locator).to_have_text(re.compile(r"^\s*\d+"))
    return int(re.match(r"\s*(\d+)", locator.inner_text()).group(1))


def _published_proposal(animator: Page) -> str:
    """Marta proposes and publishes a proposal of her own; its path."""
    animator.goto(f"/c/{SLUG}/proposals/new")
    title = f"Karty dostępu dla sąsiadów {uuid.uuid4().hex[:6]}"
    animator.locator("input[name=title]").fill(title)
    animator.locator("textarea[name=body]").fill(
        "Sąsiedzi bez poczty e-mail też głosują: wystarczy karta z kodem z centrum.")
    category = animator.locator("select[name=category_id]")
    category.select_option(index=category.locator("option").count() - 1)
    animator.locator("button[name=action][value=send]").click()
    expect(animator).to_have_url(PROPOSAL_PATH)
    path = urlsplit(animator.url).path
    animator.goto(f"/c/{SLUG}/manage/")
    card = animator.locator("li.card").filter(has=animator.locator(f'a[href="{path}"]'))
    card.locator(
        'form[action*="/manage/proposals/"][action$="/status"]'
        ":has(input[name=target][value=published]) button"
    ).click()
    expect(animator.locator("#messages .message--success")).to_be_visible()
    return path


def _page_sizes(pdf: bytes) -> list[tuple[float, float]]:
    return [(float(width), float(height)) for width, height in re.findall(
        rb"/MediaBox\s*\[\s*0\s+0\s+([\d.]+)\s+([\d.]+)\s*\]", pdf)]


def test_animator_prints_a_card_and_the_resident_signs_in_and_supports_with_it(
    shared_page, open_page, check_page
) -> None:
    animator = shared_page("animator")
    proposal = _published_proposal(animator)

    # The new-card form, then the card.
    animator.goto(NEW_CARD)
    expect(animator.locator("#display_name")).to_be_visible()
    check_page(animator)
    name = f"Stefania Karta {uuid.uuid4().hex[:4]}"
    animator.locator("#display_name").fill(name)
    animator.locator("#age_bracket").select_option("75_plus")
    animator.locator("#consent_noted").check()
    animator.locator("main form.form button[type=submit]").click()
    card = animator.locator("article.access-card")
    expect(card).to_be_visible()
    expect(card.locator(".access-card-name")).to_have_text(name)
    expect(card.locator(".access-card-qr img")).to_be_visible()
    check_page(animator)
    link = card.locator(".access-card-link").inner_text().strip()
    code = card.locator(".access-card-code strong").inner_text().strip()
    assert re.fullmatch(r"[0-9A-Z]{5}-[0-9A-Z]{5}", code)
    assert link.endswith("/account/card/" + code.replace("-", ""))

    # Printed: only the card, on one A6 page.
    animator.emulate_media(media="print")
    expect(animator.locator(".site-header")).to_be_hidden()
    expect(animator.locator(".notice")).to_be_hidden()
    expect(card).to_be_visible()
    sizes = _page_sizes(animator.pdf(prefer_css_page_size=True))
    animator.emulate_media(media="screen")
    assert len(sizes) == 1, sizes
    assert all(abs(a - b) < 1.5 for a, b in zip(sizes[0], A6_POINTS, strict=True)), sizes

    # The resident's phone: a fresh context opens the printed link.
    phone = open_page()
    phone.goto(link)
    sign_in_button = phone.locator("main form button[type=submit]")
    expect(sign_in_button).to_be_visible()
    expect(phone.locator("main")).not_to_contain_text(name)  # no name before signing in
    check_page(phone)
    sign_in_button.click()
    expect(phone).to_have_url(re.compile(r"/account/card/pin$"))
    expect(phone.locator('form[action$="/account/logout"]')).to_be_visible()
    check_page(phone)
    phone.locator("#secret").fill(PIN)
    phone.locator("#confirm").fill(PIN)
    phone.locator("main form.form button[type=submit]").click()
    expect(phone).to_have_url(re.compile(rf"/c/{SLUG}/$"))

    # The resident supports the proposal: the count goes up by one.
    phone.goto(proposal)
    count = phone.locator(SUPPORT_COUNT)
    before = _leading_number(count)
    phone.locator(SUPPORT_BUTTON).click()
    expect(count).to_have_text(re.compile(rf"^\s*{before + 1}\b"))

    # The link works once; next time the code and the PIN.
    phone.locator('form[action$="/account/logout"] button').click()
    phone.goto(link)
    expect(phone.locator("main .error-summary")).to_be_visible()
    phone.goto("/account/card/")
    expect(phone.locator("#code")).to_be_visible()
    check_page(phone)
    phone.locator("#code").fill(code.lower())
    phone.locator("#secret").fill(PIN)
    phone.locator("main form.form button[type=submit]").click()
    expect(phone).to_have_url(re.compile(rf"/c/{SLUG}/$"))
    expect(phone.locator('form[action$="/account/logout"]')).to_be_visible()
