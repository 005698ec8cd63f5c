"""My data and deleting an account in a real browser at 360 px.

- Jan (demo resident of Paca 40, with a history): the my-data page and the delete page pass
  axe-core and do not scroll sideways; the JSON file downloads.
- A new resident deletes their own account with their password: they are signed out and
  cannot sign in again.
- A new resident asks at the desk: Marta (animator) opens the confirmation page (axe),
  ticks the box and confirms; the resident's session ends.

Demo people are left as found: only residents registered here are deleted.
"""

from __future__ import annotations

import json
import re

import pytest
from playwright.sync_api import Page, expect

from .conftest import NEW_RESIDENT_PASSWORD, ROLE_EMAILS, register_member, sign_in

pytestmark = pytest.mark.browser

LOGOUT_FORM = 'form[action$="/account/logout"]'


def test_my_data_and_delete_pages_are_accessible(shared_page, check_page) -> None:
    page: Page = shared_page("resident")
    page.goto("/account/data/")
    expect(page.locator("main h1")).to_be_visible()
    expect(page.locator("main section.my-data-section").first).to_be_visible()
    check_page(page)
    response = page.request.get("/account/data/my-data.json")
    assert response.ok
    assert response.headers["content-disposition"] == "attachment; filename=my-data.json"
    data = json.loads(response.text())
    assert data["sections"]["account"][0]["email"] == ROLE_EMAILS["resident"]
    page.locator('main a[href$="/account/data/delete"]').first.click()
    expect(page).to_have_url(re.compile(r"/account/data/delete$"))
    expect(page.locator("#password")).to_be_visible()
    check_page(page)


def test_a_resident_deletes_their_account_and_is_signed_out(page: Page, check_page) -> None:
    email = register_member(page, "Daria Dousunięcia", prefix="erase-self")
    page.goto("/account/profile")
    page.locator('main a[href$="/account/data/delete"]').click()
    expect(page).to_have_url(re.compile(r"/account/data/delete$"))

    # Sent without the box ticked: the form says what to do, nothing is deleted.
    page.locator("#password").fill(NEW_RESIDENT_PASSWORD)
    page.locator("main form.form button[type=submit]").click()
    expect(page.locator(".error-summary")).to_be_visible()
    expect(page.locator("#understood")).to_have_attribute("aria-invalid", "true")
    check_page(page)

    page.locator("#password").fill(NEW_RESIDENT_PASSWORD)
    page.locator("#understood").check()
    page.locator("main form.form button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"/$"))
    expect(page.locator("#messages .message--success")).to_be_visible()
    expect(page.locator(LOGOUT_FORM)).to_have_count(0)
    check_page(page)

    # The account is gone: signing in again fails.
    page.goto("/account/login")
    page.locator("input[name=email]").fill(email)
    page.locator("input[name=password]").fill(NEW_RESIDENT_PASSWORD)
    page.locator("main form.form button[type=submit]").click()
    expect(page.locator(".error-summary")).to_be_visible()
    expect(page.locator(LOGOUT_FORM)).to_have_count(0)


def test_an_animator_confirms_an_erasure_at_the_desk(page: Page, new_context, live_server,
                                                     check_page) -> None:
    register_member(page, "Bogdan Przyokienku", prefix="erase-desk")
    member_id = json.loads(page.request.get("/account/data/my-data.json").text())[
        "sections"]["account"][0]["id"]

    animator = new_context().new_page()
    sign_in(animator, ROLE_EMAILS["animator"], live_server.password_for("animator"))
    animator.goto(f"/c/paca-40/manage/members/{member_id}/erase")
    expect(animator.locator("main h1")).to_be_visible()
    expect(animator.locator("main")).to_contain_text("Bogdan Przyokienku")
    check_page(animator)
    animator.locator("#asked_in_person").check()
    animator.locator("main form.form button[type=submit]").click()
    expect(animator.locator("#messages .message--success")).to_be_visible()
    check_page(animator)

    # The resident's own session has ended.
    page.goto("/account/profile")
    expect(page).to_have_url(re.compile(r"/account/login"))
    expect(page.locator(LOGOUT_FORM)).to_have_count(0)
