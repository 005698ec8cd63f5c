"""Every page the demo data reaches is valid HTML and passes axe-core, in all three languages.

The pages are not listed by hand: a crawl starts from ``/`` and follows the links it finds, as
someone anonymous, as Jan (a resident of Paca 40) and as Marta (its animator), so a new page is
checked as soon as something links to it. Paths are deduplicated with their numbers (and, below a
centre, the centre's slug) normalised, so the crawl visits one page of each kind rather than a
thousand proposals; seeds add the kinds the links alone would collapse: a proposal in each status
the demo leaves one in (as the animator, who sees the most controls) and each kind of activity
(as Jan). Error pages the links reach (403, 404, 409) are pages too and are checked.

Each page is then fetched in Polish, Ukrainian and English and checked by:

- the Nu Html Checker (``vnu-jar``, run once over every file; htmx's ``hx-*`` attributes are
  filtered out, they are not in the HTML standard);
- axe-core's WCAG 2.1 A/AA rules (plus the 360 px no-horizontal-scroll check) in Chromium, on
  every page in Polish and on the pages a resident meets first in Ukrainian and English (axe on
  every page in three languages would take several minutes; the two other languages change the
  words, not the markup, and the HTML checker sees all of them).

Nothing here changes data: the crawl only GETs. Switching a signed-in person's language saves it
on the account, so it is put back to Polish afterwards.
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

from participation.demo import FULL_ACTIVITY

from .conftest import ROLE_EMAILS, LiveServer, check_page_accessibility, sign_in

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[2]
VNU_JAR = ROOT / "tests" / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"
VNU_INSTALL = ("npm install --prefix tests vnu-jar  (and a Java runtime: "
               "apt-get install default-jre-headless)")
HTMX_FILTER = ".*Attribute “hx-[a-z-]+” not allowed.*"

ROLES = ("anonymous", "resident", "animator")
LANGUAGES = ("pl", "uk", "en")
# Pages checked with axe in every language (the rest: in Polish only; vnu checks all of them).
AXE_IN_EVERY_LANGUAGE = {
    "/",
    "/c/paca-40/",
    "/c/paca-40/proposals/",
    "/c/paca-40/proposals/N",
    "/c/paca-40/activities/",
    "/c/paca-40/activities/N",
    "/account/register",
    "/account/login",
    "/c/paca-40/manage/",
}

# Not pages: downloads, calendars, the API, static files, the kiosk (a tablet's own session).
SKIP = re.compile(r"^/(static|api|kiosk)/|/exports?\b|\.(ics|csv|json|txt|xml)$|/logout$")
# Pages whose content depends on who looks: checked once per role, not once in all.
PER_ROLE = re.compile(r"^/(c/paca-40/((proposals|activities)/N)?)?$")
HTML_STATUSES = {200, 403, 404, 409}
# Kinds of demo activity worth a page each (see tests/browser/test_activities_accessibility.py).
ACTIVITY_KINDS = (
    "Kawiarenka językowa polsko-ukraińska",  # weekly series, places left
    FULL_ACTIVITY,  # full, waitlist
    "Piknik sąsiedzki na skwerze",  # no limit; Jan has a place
    "Wieczór filmowy",  # cancelled
    "Pomoc w lekcjach – wtorek",  # past, attendance recorded
)


def _kind(path: str) -> str:
    """The path with its numbers and tokens normalised, and below a centre's home any centre
    but Paca 40 (the demo's busy one) as ``*``: the others show the empty states."""
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
        key = path if path in seeded else ((role, kind) if PER_ROLE.match(kind) else kind)
        if key in seen or key in tried:
            continue
        tried.add(key)
        fetched = _fetch(context, path)
        if fetched is None:
            continue
        seen.add(key)
        status, html = fetched
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
    proposals = [f"/c/paca-40/proposals/{proposal_id}"
                 for _, proposal_id in sorted(live_server.demo_proposals.items())]
    activities = [f"/c/paca-40/activities/{live_server.demo_activities[title]}"
                  for title in ACTIVITY_KINDS]
    seeds = {"anonymous": [], "resident": activities, "animator": proposals}
    for role in ROLES:
        _crawl(role_pages[role].context, live_server.url, role, seen, seeds[role], found)

    # The crawl must have reached the parts of the site every role sees, or it proves nothing.
    paths = {(visited.role, _kind(visited.path)) for visited in found}
    for expected in [("anonymous", "/c/paca-40/proposals/N"), ("anonymous", "/account/register"),
                     ("resident", "/c/paca-40/activities/N"), ("resident", "/account/profile"),
                     ("animator", "/c/paca-40/manage/"), ("animator", "/c/paca-40/manage/log")]:
        assert expected in paths, f"the crawl did not reach {expected}: {sorted(paths)}"
    assert 40 <= len(found) <= 90, f"{len(found)} pages: check the crawl's deduplication"

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
                if language != "pl" and _kind(visited.path) not in AXE_IN_EVERY_LANGUAGE:
                    continue
                page.goto(visited.path)
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
