"""Every page the demo data reaches is valid HTML and passes axe-core, in all three languages.

The pages are not listed by hand: a crawl starts from ``/`` and follows the links it finds, as
someone anonymous, as Jan (a resident of Paca 40), as Marta (its animator) and as the platform
administrator, so a new page is checked as soon as something links to it. Paths are deduplicated
with their numbers (and, below a centre, the centre's slug) normalised, so the crawl visits one
page of each kind rather than a thousand proposals; seeds add what the links alone would
collapse: every demo proposal (one in each status) and each kind of demo activity, seen by each
of the first three roles, since each sees different controls. Error pages the links reach (403,
404, 409) are pages too and are checked.

Each page is then fetched in Polish, Ukrainian and English and checked by:

- the Nu Html Checker (``vnu-jar``, run once over every file; htmx's ``hx-*`` attributes are
  filtered out, they are not in the HTML standard);
- axe-core's WCAG 2.1 A/AA rules plus the 360 px no-horizontal-scroll check, in Chromium, with
  every folded ``<details>`` opened first so the forms inside are checked too.

What a crawl cannot reach (a form sent with errors, an htmx swap, a query string) is checked in
the per-area accessibility modules. Nothing here changes data: the crawl only GETs. Switching a
signed-in person's language saves it on the account, so it is put back to Polish afterwards.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect

from .conftest import DEMO_ACTIVITIES, ROLE_EMAILS, LiveServer, check_page_accessibility, sign_in

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[2]
VNU_JAR = ROOT / "tests" / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"
VNU_INSTALL = ("npm install --prefix tests vnu-jar  (and a Java runtime: "
               "apt-get install default-jre-headless)")
HTMX_FILTER = ".*Attribute “hx-[a-z-]+” not allowed.*"

ROLES = ("anonymous", "resident", "animator", "admin")
LANGUAGES = ("pl", "uk", "en")
# The roles that see every demo proposal and activity (the administrator's views are the
# animator's; the crawl still takes the administrator to the pages only they reach).
SEEDED_ROLES = ("anonymous", "resident", "animator")

# Not pages: downloads, calendars, the API, static files, the kiosk (a tablet's own session).
SKIP = re.compile(r"^/(static|api|kiosk)/|/exports?\b|\.(ics|csv|json|txt|xml)$|/logout$")
# Pages whose content depends on who looks: checked once per role, not once in all.
PER_ROLE = re.compile(r"^/(c/paca-40/((proposals|activities)/N)?)?$")
HTML_STATUSES = {200, 403, 404, 409}

def _kind(path: str) -> str:
    """The path with its numbers and tokens normalised, and below a centre's home any centre
    but Paca 40 (the demo's busy one) as ``*``: the others show the empty states. The
    administrator's pages about a centre are one kind whichever the centre."""
    path = re.sub(r"^/admin/centres/[^/]+/(?=.)", "/admin/centres/*/", path)
    centre, rest = re.fullmatch(r"(/c/[^/]+/)?(.*)", path).groups()
    rest = re.sub(r"[^/]{24,}", "T", re.sub(r"\d+", "N", rest))
    if centre is None or not rest:
        return path if centre else rest
    return ("/c/paca-40/" if centre == "/c/paca-40/" else "/c/*/") + rest


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.hrefs: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "a":
            href = dict(attrs).get("href")
            if href:
                self.hrefs.append(href)


@dataclass
class Visited:
    role: str
    path: str
    status: int
    # language -> the HTML served in it
    html: dict[str, str] = field(default_factory=dict)


def _fetch(context: BrowserContext, path: str) -> tuple[int, str] | None:
    """GET ``path`` in this context (its cookies); the HTML and status, or None if not a page."""
    response = context.request.get(path, max_redirects=0)
    content_type = response.headers.get("content-type", "")
    if response.status not in HTML_STATUSES or not content_type.startswith("text/html"):
        return None
    return response.status, response.text()


def _crawl(context: BrowserContext, base_url: str, role: str, seen: set, seeds: list[str],
           found: list[Visited]) -> None:
    """Breadth-first from ``/`` and the seeds over same-site links; new kinds go to ``found``."""
    host = urlsplit(base_url).netloc
    queue = deque(["/", *seeds])
    seeded = set(seeds)
    tried: set = set()  # what this role could not open (a redirect) another role may
    while queue:
        path = queue.popleft()
        kind = _kind(path)
        key = ((role, path) if path in seeded
               else (role, kind) if PER_ROLE.match(kind) else kind)
        if key in seen or key in tried:
            continue
        tried.add(key)
        fetched = _fetch(context, path)
        if fetched is None:
            continue
        status, html = fetched
        if status != 200:
            # An error page stands for its kind and status only: a resident's 403 on a manage
            # page must not stand in for the page the animator sees.
            key = (kind, status)
            if key in seen:
                continue
        seen.add(key)
        found.append(Visited(role, path, status, {"pl": html}))
        parser = _Links()
        parser.feed(html)
        for href in parser.hrefs:
            link = urlsplit(urljoin(base_url + path, href))
            if link.scheme not in ("http", "https") or link.netloc != host:
                continue
            if SKIP.search(link.path):
                continue
            queue.append(link.path)


def _switch_language(page: Page, language: str) -> None:
    page.goto("/help")
    page.locator(f"button[name=locale][value={language}]").click()
    expect(page.locator("html")).to_have_attribute("lang", language)


@pytest.fixture(scope="module")
def role_pages(browser: Browser, browser_context_args: dict,
               live_server: LiveServer) -> Iterator[dict[str, Page]]:
    """One tab per role, signed in; each account's language put back to Polish at the end."""
    pages: dict[str, Page] = {}
    try:
        for role in ROLES:
            page = browser.new_context(**browser_context_args).new_page()
            if role != "anonymous":
                sign_in(page, ROLE_EMAILS[role], live_server.password_for(role))
            pages[role] = page
        yield pages
    finally:
        for role, page in pages.items():
            if role != "anonymous" and not page.is_closed():
                _switch_language(page, "pl")  # the demo accounts are Polish
            page.context.close()


def _vnu_command() -> list[str]:
    java = shutil.which("java")
    missing = [what for what, ok in (("java", java), (str(VNU_JAR), VNU_JAR.exists())) if not ok]
    if missing:
        message = f"The Nu Html Checker cannot run: missing {', '.join(missing)}. {VNU_INSTALL}"
        if os.environ.get("CI", "").strip().lower() == "true":
            pytest.fail(message + " (CI=true: the check must run on CI)", pytrace=False)
        pytest.skip(message)
    return [str(java), "-jar", str(VNU_JAR), "--format", "json", "--stdout", "--errors-only",
            "--filterpattern", HTMX_FILTER]


def test_every_page_is_valid_and_accessible(role_pages: dict[str, Page], live_server: LiveServer,
                                            tmp_path: Path) -> None:
    vnu = _vnu_command()  # before the crawl: a missing checker skips at once

    seen: set = set()
    found: list[Visited] = []
    demo_pages = [f"/c/paca-40/proposals/{proposal_id}"
                  for _, proposal_id in sorted(live_server.demo_proposals.items())]
    demo_pages += [f"/c/paca-40/activities/{live_server.demo_activities[title]}"
                   for title in DEMO_ACTIVITIES.values()]
    seeds = {role: demo_pages if role in SEEDED_ROLES else [] for role in ROLES}
    # Each activity's attendance screen differs by its state (waitlist, helpers' hours, …).
    seeds["animator"] = seeds["animator"] + [
        f"/c/paca-40/manage/activities/{live_server.demo_activities[title]}/attendees"
        for title in DEMO_ACTIVITIES.values()]
    for role in ROLES:
        _crawl(role_pages[role].context, live_server.url, role, seen, seeds[role], found)

    # The crawl must have reached the parts of the site every role sees, or it proves nothing.
    paths = {(visited.role, _kind(visited.path)) for visited in found}
    # (The per-area accessibility modules rely on the crawl for these plain pages.)
    for expected in [
        ("anonymous", "/"), ("anonymous", "/c/paca-40/"), ("anonymous", "/account/register"),
        ("anonymous", "/account/login"), ("anonymous", "/accessibility"), ("anonymous", "/privacy"),
        ("anonymous", "/help"), ("anonymous", "/c/paca-40/proposals/"),
        ("anonymous", "/c/paca-40/proposals/N"), ("anonymous", "/c/paca-40/activities/"),
        ("anonymous", "/c/paca-40/activities/N"),
        ("resident", "/c/paca-40/"), ("resident", "/account/profile"),
        ("resident", "/account/password"), ("resident", "/account/activities/"),
        ("resident", "/c/paca-40/proposals/new"), ("resident", "/c/paca-40/proposals/N/edit"),
        ("resident", "/c/paca-40/proposals/N/report"),
        ("resident", "/c/paca-40/activities/N/ticket"),
        ("animator", "/c/paca-40/"), ("animator", "/c/paca-40/manage/"),
        ("animator", "/c/paca-40/manage/log"), ("animator", "/c/paca-40/manage/reports"),
        ("animator", "/c/paca-40/manage/settings"), ("animator", "/c/paca-40/manage/categories"),
        ("animator", "/c/paca-40/manage/activities/"),
        ("animator", "/c/paca-40/manage/activities/new"),
        ("animator", "/c/paca-40/manage/activities/N/edit"),
        ("animator", "/c/paca-40/manage/activities/N/cancel"),
        ("animator", "/c/paca-40/manage/activities/N/attendees"),
        ("admin", "/admin/"), ("admin", "/admin/centres/new"), ("admin", "/admin/centres/*/edit"),
        ("admin", "/admin/centres/*/animators"),
    ]:
        assert expected in paths, f"the crawl did not reach {expected}: {sorted(paths)}"
    assert 100 <= len(found) <= 180, f"{len(found)} pages: check the crawl's deduplication"

    # The same pages in the other languages.
    for language in LANGUAGES[1:]:
        for role in ROLES:
            page = role_pages[role]
            _switch_language(page, language)
            for visited in (v for v in found if v.role == role):
                fetched = _fetch(page.context, visited.path)
                assert fetched is not None, f"{visited.path} ({role}, {language}) is not a page"
                visited.html[language] = fetched[1]
                assert f'lang="{language}"' in fetched[1][:300], (
                    f"{visited.path} ({role}) is not served in {language}")

    # axe-core, in Chromium at 360 px; every failure is collected, then reported together.
    failures: list[str] = []
    for language in LANGUAGES:
        for role in ROLES:
            page = role_pages[role]
            _switch_language(page, language)
            for visited in (v for v in found if v.role == role):
                page.goto(visited.path)
                page.locator("main details").evaluate_all(
                    "all => all.forEach(d => { d.open = true; })")
                try:
                    check_page_accessibility(page)
                except pytest.fail.Exception as failure:
                    failures.append(f"[{role}, {language}] {failure}")

    # The Nu Html Checker, once over every file.
    files: dict[str, tuple[Visited, str]] = {}
    for number, visited in enumerate(found):
        for language, html in visited.html.items():
            name = f"{number:03d}-{visited.role}-{language}.html"
            (tmp_path / name).write_text(html, encoding="utf-8")
            files[name] = (visited, language)
    file_paths = sorted(str(tmp_path / name) for name in files)
    result = subprocess.run([*vnu, *file_paths],  # noqa: S603  (our own jar, our own files)
                            capture_output=True, text=True, timeout=120)
    try:
        messages = json.loads(result.stdout)["messages"]
    except (ValueError, KeyError):
        pytest.fail(f"vnu gave no JSON (exit {result.returncode}):\n{result.stdout}\n"
                    f"{result.stderr}", pytrace=False)
    for message in messages:
        name = Path(urlsplit(message.get("url", "")).path).name
        visited, language = files.get(name, (None, "?"))
        where = f"{visited.path} [{visited.role}, {language}]" if visited else name
        extract = " ".join((message.get("extract") or "").split())
        failures.append(f"vnu {message.get('type')}: {name} → {where} line "
                        f"{message.get('lastLine')}: {message.get('message')}  «{extract}»")

    summary = (f"{len(found)} pages × {len(LANGUAGES)} languages "
               f"({len(files)} HTML files) crawled")
    assert not failures, summary + "; problems:\n" + "\n".join(failures)
