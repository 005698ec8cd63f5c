"""The event kiosk in a real browser, on a phone (360 px) and on a tablet in landscape (1280 px).

A centre of its own (so the demo's Paca 40 is left as it was) has an animator, an activity
starting in half an hour, and two card holders. The animator signs in, opens the kiosk on this
browser (which signs her out), and the tablet shows the start screen. The test types a code and
presses Enter, as a USB barcode reader would: the result names the card's holder and nobody
else, and the start screen comes back by itself. A wrong code gets a clear problem screen whose
"Next person" link is focused, so Enter goes back at once.

axe-core (``check_page``: WCAG 2.1 A/AA, no sideways scrolling) scans the manage page, the
start screen and the result screen. The two kiosk screens are scanned as served minus their
``<meta http-equiv="refresh">``: axe's ``meta-refresh`` rule (SC 2.2.1 Timing Adjustable)
flags any timed refresh, and the kiosk's timed return is on purpose: a shared device must not
keep showing a person's name (the criterion's "essential" exception), and "Next person" ends
the wait at once. Removing it also gives axe time to scan before the screen moves on.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest
from playwright.sync_api import Browser, Route, expect

from .conftest import LiveServer, sign_in

pytestmark = pytest.mark.browser

TABLET_VIEWPORT = {"width": 1280, "height": 800}
VIEWPORTS = {"360px": {"width": 360, "height": 740}, "1280px": TABLET_VIEWPORT}
PASSWORD = "kiosk-swietlica-2026"
ACTIVITY_TITLE = "Potańcówka w świetlicy"
HOLDER = "Wiktoria Kartowa"
OTHER = "Zenon Obcy"


@dataclass(frozen=True)
class KioskWorld:
    slug: str
    animator_email: str
    activity_id: int
    codes: dict[str, str]  # name -> code as printed


@pytest.fixture(scope="module")
def kiosk_world(live_server: LiveServer) -> Iterator[KioskWorld]:
    """Arrange the rows straight in the live server's database: the kiosk needs an activity
    starting now and access cards, which the demo does not have."""
    from participation import create_app
    from participation.cards.codes import display_code, hash_code, new_code
    from participation.extensions import db
    from participation.models import (
        AccessCard,
        Activity,
        ActivityStatus,
        Centre,
        Membership,
        Role,
        User,
    )

    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": live_server.database_uri,
                      "SECRET_KEY": "browser-tests", "RATELIMIT_ENABLED": False})
    suffix = uuid.uuid4().hex[:8]
    with app.app_context():
        centre = Centre(slug=f"kiosk-{suffix}", name="Świetlica przy Kioskowej",
                        city="Warszawa")
        animator = User(display_name="Kamila Animatorka",
                        email=f"kamila-{suffix}@example.net", locale="en")
        animator.set_password(PASSWORD)
        holder = User(display_name=HOLDER)  # card only: no e-mail, no password
        other = User(display_name=OTHER)
        db.session.add_all([centre, animator, holder, other])
        db.session.flush()
        db.session.add_all([
            Membership(user_id=animator.id, centre_id=centre.id, role=Role.ANIMATOR),
            Membership(user_id=holder.id, centre_id=centre.id, role=Role.RESIDENT),
            Membership(user_id=other.id, centre_id=centre.id, role=Role.RESIDENT),
        ])
        codes = {}
        for person in (holder, other):
            code = new_code()
            db.session.add(AccessCard(user_id=person.id, centre_id=centre.id,
                                      code_hash=hash_code(code), issued_by_id=animator.id))
            codes[person.display_name] = display_code(code)
        start = datetime.now(UTC).replace(microsecond=0) + timedelta(minutes=30)
        activity = Activity(centre_id=centre.id, title=ACTIVITY_TITLE, place="Sala duża",
                            starts_at=start, ends_at=start + timedelta(hours=2), capacity=None,
                            status=ActivityStatus.PUBLISHED, created_by_id=animator.id)
        db.session.add(activity)
        db.session.commit()
        world = KioskWorld(centre.slug, animator.email, activity.id, codes)
        db.session.remove()
    yield world
    with app.app_context():
        db.engine.dispose()


REFRESH = re.compile(r'<meta http-equiv="refresh"[^>]*>')


def _without_timed_refresh(route: Route) -> None:
    """Serve the kiosk's screen as it is, minus its timed refresh, so axe has time to scan
    it (the refresh itself is set aside, see the module's docstring)."""
    response = route.fetch()
    body = response.text()
    assert REFRESH.search(body), "every kiosk screen returns by itself"
    route.fulfill(response=response, body=REFRESH.sub("", body))


@pytest.mark.parametrize("viewport", VIEWPORTS.values(), ids=VIEWPORTS.keys())
def test_an_animator_opens_a_kiosk_and_a_resident_checks_in_with_the_card(
        browser: Browser, browser_context_args: dict, kiosk_world: KioskWorld,
        check_page, viewport: dict) -> None:
    context = browser.new_context(**{**browser_context_args, "viewport": viewport,
                                     "locale": "en-GB"})
    try:
        page = context.new_page()
        sign_in(page, kiosk_world.animator_email, PASSWORD)
        page.goto(f"/c/{kiosk_world.slug}/manage/kiosk/")
        expect(page.locator("h1")).to_have_text(re.compile(r"\S"))
        check_page(page)

        # Open it: the device is signed out and shows only the kiosk.
        page.locator("#subject").select_option(f"activity-{kiosk_world.activity_id}")
        page.locator("main form.form button[type=submit]").click()
        expect(page).to_have_url(re.compile(r"/kiosk/$"))
        heading, code_input = page.locator("h1"), page.locator("#code")
        expect(heading).to_have_text(ACTIVITY_TITLE)
        expect(page.locator('form[action$="/account/logout"]')).to_have_count(0)
        expect(page.locator('meta[http-equiv="refresh"]')).to_have_attribute("content", "60")
        expect(code_input).to_be_focused()

        # axe on the start and result screens, served without their timed refresh.
        page.route(re.compile(r"/kiosk/$"), _without_timed_refresh)
        page.reload()
        expect(code_input).to_be_focused()
        check_page(page)
        # A barcode reader types the code and presses Enter.
        page.keyboard.type(kiosk_world.codes[HOLDER])
        page.keyboard.press("Enter")
        expect(heading).to_contain_text(HOLDER)
        expect(page.locator(".kiosk-message")).to_contain_text(ACTIVITY_TITLE)
        content = page.content()
        assert OTHER not in content and kiosk_world.codes[OTHER] not in content
        check_page(page)
        page.unroute(re.compile(r"/kiosk/$"))

        # As served: the start screen comes back by itself after five seconds (waited for).
        page.get_by_role("link", name="Next person").click()
        expect(code_input).to_be_focused()
        page.keyboard.type(kiosk_world.codes[HOLDER].lower().replace("-", " "))
        page.keyboard.press("Enter")
        expect(heading).to_contain_text(HOLDER)
        expect(page.locator(".kiosk-message")).to_contain_text("already checked in")
        expect(code_input).to_be_visible(timeout=15_000)
        expect(heading).to_have_text(ACTIVITY_TITLE)
        expect(code_input).to_be_focused()

        # A wrong code: a clear problem, and Enter on the focused link goes to the next person.
        page.keyboard.type("K7M2Q-9XDRB")
        page.keyboard.press("Enter")
        expect(heading).to_have_text("This card is not recognised")
        next_person = page.get_by_role("link", name="Next person")
        expect(next_person).to_be_focused()
        page.keyboard.press("Enter")
        expect(code_input).to_be_visible()
        expect(heading).to_have_text(ACTIVITY_TITLE)

        # The signed-out animator's pages are closed to this device.
        response = page.goto(f"/c/{kiosk_world.slug}/manage/kiosk/")
        assert response is not None
        expect(page).to_have_url(re.compile(r"/account/login"))
    finally:
        context.close()
