"""Real-browser tests: Debian's Chromium, driven by Playwright, against a live server.

The app runs in a thread (werkzeug) on a throwaway SQLite file loaded with the demo data.
Every page a test visits goes through ``check_page``: axe-core (WCAG 2.1 A and AA rules) and no
horizontal scrolling at the 360 px phone width every context starts with.

Without Chromium the suite is skipped, except on CI (``CI=true``), where it fails: a browser
suite that silently skips there would hide regressions.

This conftest does not rely on ``tests/conftest.py``.
"""

from __future__ import annotations

import os
import re
import threading
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect

from participation.demo import BROWSER_TEST_ACTIVITY, FULL_ACTIVITY

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
PHONE_VIEWPORT = {"width": 360, "height": 740}
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
HERE = Path(__file__).resolve().parent

# Demo people the tests sign in as (see participation/demo.py).
ROLE_EMAILS = {
    "admin": "admin@example.org",  # platform administrator
    "animator": "marta@example.org",  # animator of paca-40
    "resident": "jan@example.org",  # resident member of paca-40
}
# Every demo member of paca-40 who can sign in (the "sasiad…" neighbours have no password).
DEMO_MEMBER_EMAILS = ("jan@example.org", "olena@example.org", "halina@example.org")
# What the demo (participation/demo.py) makes of each activity of paca-40 -> its title.
DEMO_ACTIVITIES = {
    "open": "Kawiarenka językowa polsko-ukraińska",  # weekly series; 12 places, help wanted
    "full": FULL_ACTIVITY,  # 5 of 5 places, 2 waiting, offers of help
    "herbs": BROWSER_TEST_ACTIVITY,  # only looked at: the journey signs up for it
    "unlimited": "Piknik sąsiedzki na skwerze",  # no limit, deadline; Jan has a place
    "draft": "Spacer badawczy po Grochowie",  # animators only
    "cancelled": "Wieczór filmowy",
    "past": "Pomoc w lekcjach – wtorek",  # attendance, a walk-in, guests, helpers' hours
    "past_full": "Sprzątanie skweru",  # Jan was there
}
# Password of the residents the tests register themselves.
NEW_RESIDENT_PASSWORD = "spokojny-grochow-2026"


def _browser_unavailable(reason: str) -> None:
    message = f"Browser tests cannot run: {reason}"
    if os.environ.get("CI", "").strip().lower() == "true":
        pytest.fail(message + " (CI=true: the browser suite must run on CI)", pytrace=False)
    pytest.skip(message)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Everything under tests/browser carries the ``browser`` marker (``-m "not browser"``)."""
    for item in items:
        if HERE in Path(str(item.path)).resolve().parents:
            item.add_marker(pytest.mark.browser)


# --- The live server ---------------------------------------------------------------------


@dataclass
class LiveServer:
    url: str
    passwords: dict[str, str] = field(default_factory=dict)  # e-mail -> demo password
    # Demo proposals of paca-40 by the status the demo leaves them in -> proposal id.
    # Tests must not change a demo proposal's status (the page crawl checks each status as each
    # role): support only the one under review, which is past the threshold already.
    demo_proposals: dict[str, int] = field(default_factory=dict)
    # Demo activities of paca-40 by title -> id (a weekly series: its first activity).
    demo_activities: dict[str, int] = field(default_factory=dict)
    # The live server's database, for tests that arrange rows the UI cannot make (kiosk cards).
    database_uri: str = ""

    def password_for(self, role: str) -> str:
        return self.passwords[ROLE_EMAILS[role]]

    def password_of(self, email: str) -> str:
        """The demo password of any demo person who has one (see DEMO_MEMBER_EMAILS)."""
        return self.passwords[email]


@pytest.fixture(scope="session")
def live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    from sqlalchemy import select
    from werkzeug.serving import make_server

    from participation import create_app
    from participation.demo import load_demo
    from participation.extensions import db
    from participation.models import Activity, Centre, Proposal

    tmp_dir = tmp_path_factory.mktemp("browser-app")
    app = create_app(
        {
            "TESTING": True,
            # CI runs the suite a second time on PostgreSQL (TEST_DATABASE_URL), like the rest.
            "SQLALCHEMY_DATABASE_URI": (os.environ.get("TEST_DATABASE_URL")
                                        or f"sqlite:///{tmp_dir}/browser.sqlite3"),
            "SESSION_COOKIE_SECURE": False,
            "REMEMBER_COOKIE_SECURE": False,
            "RATELIMIT_ENABLED": False,
            "SECRET_KEY": "browser-tests",
        }
    )
    app.instance_path = str(tmp_dir)  # load_demo writes demo-logins.txt here
    with app.app_context():
        # CI's second run sets EXPECT_DATABASE=postgresql: a silent fallback must fail.
        assert db.engine.dialect.name == (os.environ.get("EXPECT_DATABASE") or "sqlite")
        db.drop_all()  # whatever an interrupted run left in a shared PostgreSQL database
        db.create_all()
        logins = load_demo()
        db.session.commit()
        demo_proposals = {
            status.value: proposal_id
            for proposal_id, status in db.session.execute(
                select(Proposal.id, Proposal.status)
                .join(Centre, Centre.id == Proposal.centre_id)
                .where(Centre.slug == "paca-40")
            )
        }
        demo_activities: dict[str, int] = {}
        for activity_id, title in db.session.execute(
            select(Activity.id, Activity.title)
            .join(Centre, Centre.id == Activity.centre_id)
            .where(Centre.slug == "paca-40")
            .order_by(Activity.starts_at)
        ):
            demo_activities.setdefault(title, activity_id)
        db.session.remove()

    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="browser-live-server", daemon=True)
    thread.start()
    try:
        yield LiveServer(
            url=f"http://127.0.0.1:{server.server_port}",
            passwords={login.email: login.password for login in logins},
            demo_proposals=demo_proposals,
            demo_activities=demo_activities,
            database_uri=app.config["SQLALCHEMY_DATABASE_URI"],
        )
    finally:
        server.shutdown()
        thread.join(timeout=10)
        server.server_close()
        with app.app_context():
            db.session.remove()  # an open transaction would make DROP wait on PostgreSQL
            db.drop_all()  # a shared PostgreSQL database must be empty for the next suite
            db.engine.dispose()


# --- pytest-playwright overrides ---------------------------------------------------------


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict) -> dict:
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "args": CHROMIUM_ARGS}


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args: dict, live_server: LiveServer) -> dict:
    return {
        **browser_context_args,
        "viewport": PHONE_VIEWPORT,
        "locale": "pl-PL",  # Accept-Language: Polish is the default interface language
        "base_url": live_server.url,
    }


@pytest.fixture(scope="session")
def browser(launch_browser: Callable[..., Browser]) -> Iterator[Browser]:
    """pytest-playwright's ``browser``, but a missing Chromium skips (or fails on CI)."""
    if not os.path.exists(CHROMIUM):
        _browser_unavailable(f"{CHROMIUM} does not exist (apt-get install chromium)")
    try:
        launched = launch_browser()
    except Exception as error:  # any launch failure means the same thing
        first_lines = "\n".join(str(error).splitlines()[:4])
        _browser_unavailable(f"{CHROMIUM} failed to launch: {first_lines}")
    yield launched
    launched.close()


# --- Checks ------------------------------------------------------------------------------


def _format_violations(url: str, violations: list[dict[str, Any]]) -> str:
    lines = [f"{len(violations)} axe-core violation(s) on {url}:"]
    for violation in violations:
        lines.append(
            f"- {violation['id']} ({violation.get('impact')}): {violation.get('help')}"
            f" <{violation.get('helpUrl')}>"
        )
        for node in violation.get("nodes", []):
            html = " ".join(node.get("html", "").split())
            if len(html) > 300:
                html = html[:300] + "…"
            lines.append(f"    target: {node.get('target')}")
            lines.append(f"    html:   {html}")
            summary = " ".join((node.get("failureSummary") or "").split())
            if summary:
                lines.append(f"    why:    {summary}")
    return "\n".join(lines)


def check_page_accessibility(page: Page) -> None:
    """Fail on any WCAG 2.1 A/AA axe violation, or on horizontal scrolling at this width."""
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(
        page,
        options={
            "runOnly": {"type": "tag", "values": WCAG_TAGS},
            # Only the violations are reported in full; passes are not needed here.
            "resultTypes": ["violations"],
        },
    )
    if results.violations_count > 0:
        pytest.fail(_format_violations(page.url, results.response["violations"]), pytrace=False)

    widths = page.evaluate(
        "({scroll: document.documentElement.scrollWidth,"
        " client: document.documentElement.clientWidth})"
    )
    if widths["scroll"] > widths["client"]:
        wide = page.evaluate(
            """() => {
                const limit = document.documentElement.clientWidth;
                return [...document.querySelectorAll('body *')]
                    .filter(el => el.getBoundingClientRect().right > limit + 0.5)
                    .slice(0, 10)
                    .map(el => el.outerHTML.replace(/\\s+/g, ' ').slice(0, 160));
            }"""
        )
        pytest.fail(
            f"{page.url} scrolls horizontally at {widths['client']} px "
            f"(scrollWidth {widths['scroll']}). Elements sticking out:\n  "
            + "\n  ".join(wide),
            pytrace=False,
        )


@pytest.fixture(scope="session")
def check_page() -> Callable[[Page], None]:
    """``check_page(page)``: axe-core WCAG 2.1 AA scan plus the 360 px no-scroll check."""
    return check_page_accessibility


# --- Signing in --------------------------------------------------------------------------


def sign_in(page: Page, email: str, password: str) -> None:
    """Fill the real login form; end on the page it redirects to, signed in."""
    page.goto("/account/login")
    page.locator("input[name=email]").fill(email)
    page.locator("input[name=password]").fill(password)
    page.locator("main form.form button[type=submit]").click()
    expect(page.locator('form[action$="/account/logout"]')).to_be_visible()


def unique_email(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:10]}@example.net"


def fill_registration(page: Page, display_name: str, email: str) -> None:
    """Fill and send the registration form the page is on (password NEW_RESIDENT_PASSWORD)."""
    page.locator("#display_name").fill(display_name)
    page.locator("#email").fill(email)
    page.locator("#password").fill(NEW_RESIDENT_PASSWORD)
    page.locator("#confirm").fill(NEW_RESIDENT_PASSWORD)
    page.locator("#age_confirmed").check()
    page.locator("main form.form button[type=submit]").click()


def register_member(page: Page, display_name: str, prefix: str = "resident") -> str:
    """Register a fresh resident and join paca-40 through the UI; return the e-mail.

    Works with JavaScript on (the join is an htmx swap) and off (a plain POST and redirect).
    """
    email = unique_email(prefix)
    page.goto("/account/register?next=/c/paca-40/")
    fill_registration(page, display_name, email)
    expect(page).to_have_url(re.compile(r"/c/paca-40/$"))
    expect(page.locator('form[action$="/account/logout"]')).to_be_visible()
    page.locator('form[action$="/join"] button').click()
    expect(page.locator('form[action$="/leave"] button')).to_be_visible()
    return email


class SharedPages:
    """One tab per (role, language), signed in and/or switched once, then reused by every test.

    Opening a context and signing in for each page checked would double the time of the
    accessibility sweep. Tests navigate the tab they are given; they must not sign out or
    change the language (the journey tests use their own contexts for that).
    """

    def __init__(self, browser: Browser, context_args: dict, server: LiveServer) -> None:
        self._browser = browser
        self._context_args = context_args
        self._server = server
        self._pages: dict[tuple[str, str], Page] = {}

    def __call__(self, role: str = "anonymous", language: str = "pl") -> Page:
        key = (role, language)
        page = self._pages.get(key)
        if page is None or page.is_closed():
            if role != "anonymous" and language != "pl":
                raise ValueError("switching language signed in saves it on the account")
            context = self._browser.new_context(**self._context_args)
            page = context.new_page()
            if role != "anonymous":
                sign_in(page, ROLE_EMAILS[role], self._server.password_for(role))
            else:
                page.goto("/")
            if language != "pl":
                page.locator(f"button[name=locale][value={language}]").click()
                expect(page.locator("html")).to_have_attribute("lang", language)
            self._pages[key] = page
        return page

    def close(self) -> None:
        for page in self._pages.values():
            page.context.close()
        self._pages.clear()


@pytest.fixture(scope="session")
def shared_page(
    browser: Browser, browser_context_args: dict, live_server: LiveServer
) -> Iterator[SharedPages]:
    """``shared_page("resident")`` → a tab signed in as Jan (see ROLE_EMAILS), kept all session."""
    pages = SharedPages(browser, browser_context_args, live_server)
    yield pages
    pages.close()


@pytest.fixture
def open_page(new_context: Callable[..., Any], live_server: LiveServer) -> Callable[..., Page]:
    """``open_page(email=None, java_script_enabled=True)``: a tab in a context of its own.

    With a demo e-mail the tab is signed in as that person. The contexts close after the test.
    """

    def _open(email: str | None = None, *, java_script_enabled: bool = True) -> Page:
        context = new_context(java_script_enabled=java_script_enabled)
        page = context.new_page()
        if email is not None:
            sign_in(page, email, live_server.password_of(email))
        return page

    return _open
