"""The participation figures in a real browser (issue 5), at 360 px and at 1280 px.

Marta, animator of Paca 40, whose demo has a year of history ending today:

- the dashboard for this year shows figures (active residents above zero), both SVG charts as
  images named by their ``<title>`` (and ``<desc>``), and the same data as tables; in Polish
  (the default) and in English;
- the period picker used with the keyboard only (htmx swaps ``#figures`` in place, the focus
  stays on the control that was used, the address follows), and without JavaScript (a plain
  GET that shows the chosen period);
- the annual report: axe, print media hides the site's navigation, and Chromium prints it to
  a PDF of a few A4 pages;
- the API tokens page (a new token is shown once) and the webhook page (set, then removed).

The platform admin: every centre side by side at ``/admin/figures/``, the wide table scrolling
inside its own region, never the page.

Every page goes through ``check_page`` (axe-core WCAG 2.1 A/AA, no horizontal scrolling).
Demo state is left as found: the token made here is revoked, the webhook removed, and Marta's
account, switched to English for one test, is switched back to Polish.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable, Iterator
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import Browser, Locator, Page, expect

from participation.config import DEFAULT_TIMEZONE

from .conftest import PHONE_VIEWPORT, ROLE_EMAILS, LiveServer, SharedPages, sign_in

pytestmark = pytest.mark.browser

SLUG = "paca-40"
DASHBOARD = f"/c/{SLUG}/manage/figures/"
TOKENS = f"/c/{SLUG}/manage/api-tokens/"
WEBHOOK = f"/c/{SLUG}/manage/webhook/"
ADMIN_FIGURES = "/admin/figures/"
DESKTOP_VIEWPORT = {"width": 1280, "height": 900}
WIDTHS = (360, 1280)
CHARTS = ("trend-chart", "attendance-chart")  # the ids the charts' <title>/<desc> start with
# Three groups of figures and the age breakdown; the charts' tables come on top.
FIGURE_TABLES = 4
TREND_MONTHS = 12


def _demo_year() -> int:
    """The year the demo's history fills: this one, or last year in January, when this one
    has hardly begun (the demo's year ends today, in the centre's time zone)."""
    today = datetime.now(ZoneInfo(DEFAULT_TIMEZONE)).date()
    return today.year if today.month > 1 else today.year - 1


YEAR = _demo_year()


def _number(locator: Locator) -> int:
    """A whole number as the page writes it ("1 234" in Polish, "1,234" in English)."""
    text = locator.inner_text()
    digits = re.sub(r"\D", "", text)
    assert digits, f"no number in {text!r}"
    return int(digits)


def _open_details(page: Page) -> None:
    """Unfold every <details> of the content, so the tables inside are scanned too."""
    page.locator("main details").evaluate_all("all => all.forEach(d => { d.open = true; })")


def _mark_window(page: Page) -> None:
    page.evaluate("window.__samePage = true")


def _assert_same_page(page: Page, what: str) -> None:
    assert page.evaluate("window.__samePage === true"), f"{what} loaded the whole page again"


def _tab_to(page: Page, target: Locator, presses: int = 80) -> None:
    """Press Tab from where the focus is until ``target`` has it."""
    for _ in range(presses):
        page.keyboard.press("Tab")
        if target.evaluate("el => el === document.activeElement"):
            return
    pytest.fail(f"{presses} presses of Tab did not reach {target}")


# --- Tabs ---------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def desktop_page(
    browser: Browser, browser_context_args: dict, live_server: LiveServer
) -> Iterator[SharedPages]:
    """Like ``shared_page``, at 1280 px: one signed-in tab per role for this module."""
    pages = SharedPages(browser, {**browser_context_args, "viewport": DESKTOP_VIEWPORT},
                        live_server)
    yield pages
    pages.close()


@pytest.fixture
def tab(shared_page: SharedPages, desktop_page: SharedPages) -> Callable[[str, int], Page]:
    """``tab("animator", 1280)``: a signed-in tab at that width, in Polish."""

    def _tab(role: str, width: int) -> Page:
        return shared_page(role) if width == PHONE_VIEWPORT["width"] else desktop_page(role)

    return _tab


@pytest.fixture
def animator_in_english(new_context: Callable[..., object], live_server: LiveServer
                        ) -> Iterator[Page]:
    """Marta in English, in a context of her own (360 px to begin with).

    The language chosen while signed in is saved on the account, so the other tests would see
    Marta's pages in English: she is switched back to Polish after the test, whatever happens.
    """
    context = new_context()
    page = context.new_page()
    sign_in(page, ROLE_EMAILS["animator"], live_server.password_for("animator"))
    page.locator("button[name=locale][value=en]").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    try:
        yield page
    finally:
        page.goto("/")
        page.locator("button[name=locale][value=pl]").click()
        expect(page.locator("html")).to_have_attribute("lang", "pl")


# --- The dashboard ------------------------------------------------------------------------


def _check_dashboard(page: Page, check_page: Callable[[Page], None], language: str,
                     chart_titles: tuple[str, ...] | None = None) -> None:
    """The dashboard for the demo's year: figures, both charts named, the tables; axe."""
    response = page.goto(f"{DASHBOARD}?period=year&year={YEAR}")
    assert response is not None and response.status == 200, response and response.status
    expect(page.locator("html")).to_have_attribute("lang", language)
    expect(page.locator("#figures-heading")).to_contain_text(str(YEAR))
    # The manage navigation marks the figures as the current page.
    expect(page.locator(f'.manage-nav a[href="{DASHBOARD}"]')).to_have_attribute(
        "aria-current", "page")

    # Figures, with last year beside them.
    assert _number(page.locator("#figure-active_residents .figure-value")) > 0
    assert _number(page.locator("#figure-activities_held .figure-value")) > 0
    expect(page.locator("#figure-active_residents .figure-previous")).to_have_count(1)
    expect(page.locator("#figures table.figures-table")).to_have_count(FIGURE_TABLES)
    for table in page.locator("#figures table.figures-table").all():
        expect(table.locator("caption")).not_to_be_empty()
        expect(table.locator("tbody tr").first).to_be_visible()

    # Both charts: images named by their <title> (then described by <desc>), the title the
    # same as the heading above the chart and the caption of the table that repeats it.
    for index, chart_id in enumerate(CHARTS):
        chart = page.locator(f'#figures svg.chart[aria-labelledby^="{chart_id}-title"]')
        expect(chart).to_have_count(1)
        expect(chart).to_be_visible()
        expect(chart).to_have_attribute("role", "img")
        parts = chart.evaluate(
            """svg => svg.getAttribute('aria-labelledby').trim().split(/\\s+/).map(id => {
                   const el = document.getElementById(id);
                   return el && svg.contains(el) ? [el.localName, el.textContent.trim()] : null;
               })""")
        assert parts and all(parts), f"{chart_id}: aria-labelledby names missing ids: {parts}"
        (title_tag, title), *rest = parts
        assert title_tag == "title" and title, parts
        assert rest and rest[0][0] == "desc" and rest[0][1], parts
        expect(chart).to_have_accessible_name(re.compile("^" + re.escape(title)))
        expect(page.get_by_role("img", name=title, exact=False)).to_have_count(1)
        heading = chart.locator("xpath=ancestor::section[1]//h3")
        expect(heading).to_have_text(title)
        if chart_titles is not None:
            assert title == chart_titles[index], (title, chart_titles[index])
        # The same data as a table, folded under the chart.
        caption = page.locator(f"#{chart_id.removesuffix('-chart')}-caption")
        expect(caption).to_have_text(title)
    expect(page.locator("#trend-caption >> xpath=ancestor::table[1]//tbody/tr")).to_have_count(
        TREND_MONTHS)
    assert page.locator(
        "#attendance-caption >> xpath=ancestor::table[1]//tbody/tr").count() > 0

    _open_details(page)
    check_page(page)


@pytest.mark.parametrize("width", WIDTHS, ids=lambda width: f"{width}px")
def test_dashboard_renders_the_year_in_polish(tab, check_page, width: int) -> None:
    _check_dashboard(tab("animator", width), check_page, "pl")


def test_dashboard_in_english(animator_in_english: Page, check_page) -> None:
    page = animator_in_english
    titles = ("Active and new residents, month by month", "Attendance per activity")
    for viewport in (PHONE_VIEWPORT, DESKTOP_VIEWPORT):
        page.set_viewport_size(viewport)
        _check_dashboard(page, check_page, "en", chart_titles=titles)
        expect(page.locator("main h1")).to_have_text("Figures")
        expect(page.locator("#figures-heading")).to_have_text(f"Figures for {YEAR}")


# --- The period picker --------------------------------------------------------------------


def test_period_picker_with_the_keyboard_only(open_page, check_page) -> None:
    """Tab to the picker, choose "year" with the arrow keys, type the year, press Enter: htmx
    swaps the figures in place, the address follows, the focus stays where it was. Then the
    "Before" link, and the browser's Back button."""
    page = open_page(ROLE_EMAILS["animator"])
    response = page.goto(DASHBOARD)  # the current month, by default
    assert response is not None and response.status == 200
    expect(page.locator("#period")).to_have_value("month")
    check_page(page)
    _mark_window(page)

    period = page.locator("#period")
    _tab_to(page, period)
    page.keyboard.press("ArrowDown")  # quarter
    page.keyboard.press("ArrowDown")  # year
    expect(period).to_have_value("year")
    page.keyboard.press("Tab")
    year = page.locator("#year")
    expect(year).to_be_focused()
    page.keyboard.press("ControlOrMeta+a")
    page.keyboard.type(str(YEAR - 1))
    page.keyboard.press("Enter")

    expect(page.locator("#figures-heading")).to_contain_text(str(YEAR - 1))
    expect(page).to_have_url(re.compile(r"[?&]period=year(&|$)"))
    expect(page).to_have_url(re.compile(rf"[?&]year={YEAR - 1}(&|$)"))
    _assert_same_page(page, "choosing a period")
    # The picker was swapped with the figures: the new one shows the choice and has the focus.
    expect(page.locator("#period")).to_have_value("year")
    expect(page.locator("#year")).to_have_value(str(YEAR - 1))
    expect(page.locator("#year")).to_be_focused()
    check_page(page)

    # The link to the period before, from the keyboard: the focus stays on it.
    before = page.locator("#period-before")
    _tab_to(page, before)
    page.keyboard.press("Enter")
    expect(page.locator("#figures-heading")).to_contain_text(str(YEAR - 2))
    expect(page).to_have_url(re.compile(rf"[?&]year={YEAR - 2}(&|$)"))
    expect(page.locator("#period-before")).to_be_focused()
    _assert_same_page(page, "the link to the period before")
    check_page(page)

    # Back: the address and the figures of the period before that.
    page.go_back()
    expect(page).to_have_url(re.compile(rf"[?&]year={YEAR - 1}(&|$)"))
    expect(page.locator("#figures-heading")).to_contain_text(str(YEAR - 1))


def test_period_picker_without_javascript(open_page) -> None:
    """With JavaScript off the picker is a plain GET form: the page shows the chosen quarter.

    No check_page here: axe-core is a script, and scripts are off in this context (the same
    page is checked with scripts on above).
    """
    page = open_page(ROLE_EMAILS["animator"], java_script_enabled=False)
    page.goto(DASHBOARD)
    expect(page.locator("#figures-heading")).to_be_visible()
    page.locator("#period").select_option("quarter")
    page.locator("#year").fill(str(YEAR))
    page.locator("#quarter").select_option("2")
    page.locator("#period-show").click()

    expect(page).to_have_url(re.compile(r"[?&]period=quarter(&|$)"))
    expect(page).to_have_url(re.compile(r"[?&]quarter=2(&|$)"))
    expect(page.locator("#period")).to_have_value("quarter")
    expect(page.locator("#quarter")).to_have_value("2")
    expect(page.locator("#year")).to_have_value(str(YEAR))
    heading = page.locator("#figures-heading")
    expect(heading).to_contain_text(str(YEAR))
    # The figures' column is headed by the same period (the quarter, not the month).
    column = page.locator("#figures table.figures-table").first.locator("thead th").nth(1)
    assert column.inner_text().strip() in heading.inner_text()
    expect(page.locator("#period-before")).to_have_attribute("href", re.compile(r"quarter=1"))


# --- The annual report --------------------------------------------------------------------


@pytest.mark.parametrize("width", WIDTHS, ids=lambda width: f"{width}px")
def test_annual_report_and_its_printout(tab, check_page, width: int) -> None:
    page = tab("animator", width)
    page.goto(DASHBOARD + f"?period=year&year={YEAR}")
    page.locator(f'#figures a[href$="/report/{YEAR}"]').click()
    expect(page).to_have_url(re.compile(rf"/manage/figures/report/{YEAR}$"))
    expect(page.locator("main h1")).to_contain_text(str(YEAR))
    expect(page.locator("#report-activities-caption")).to_be_visible()
    assert page.locator("#report-activities-caption >> xpath=ancestor::table[1]//tbody/tr"
                        ).count() > 0
    check_page(page)

    # Printed: the report alone, without the site's header, navigation, footer and hints.
    page.emulate_media(media="print")
    try:
        for chrome in (".site-header", ".account-nav", ".language-switch", ".site-footer",
                       ".skip-link", ".no-print"):
            for element in page.locator(chrome).all():
                expect(element).to_be_hidden()
        expect(page.locator("main h1")).to_be_visible()
        expect(page.locator(".report-centre")).to_be_visible()
        expect(page.locator("#report-activities-caption")).to_be_visible()
        expect(page.locator("main table.figures-table").first).to_be_visible()
    finally:
        page.emulate_media(media="screen")  # the tab is shared
    expect(page.locator(".site-header")).to_be_visible()


def test_annual_report_prints_to_a_few_a4_pages(open_page) -> None:
    """Headless Chromium prints the report to PDF (print media, the @page size A4)."""
    page = open_page(ROLE_EMAILS["animator"])
    page.goto(f"/c/{SLUG}/manage/figures/report/{YEAR}")
    expect(page.locator("#report-activities-caption")).to_be_visible()
    pdf = page.pdf(format="A4", prefer_css_page_size=True)
    assert pdf.startswith(b"%PDF-")
    pages = len(re.findall(rb"/Type\s*/Page(?![a-zA-Z])", pdf))
    assert 1 <= pages <= 12, f"the report printed to {pages} pages"
    # A4 portrait is 595 × 842 points.
    boxes = re.findall(rb"/MediaBox\s*\[\s*0\s+0\s+([\d.]+)\s+([\d.]+)\s*\]", pdf)
    assert boxes and all(abs(float(w) - 595) < 2 and abs(float(h) - 842) < 2
                         for w, h in boxes), boxes


# --- API tokens and the webhook -----------------------------------------------------------


def test_api_tokens_page_shows_a_new_token_once(shared_page, check_page) -> None:
    page = shared_page("animator")
    response = page.goto(TOKENS)
    assert response is not None and response.status == 200
    expect(page.locator("#name")).to_be_visible()
    _open_details(page)
    check_page(page)

    # Sent without a name: the error, checked too.
    make = page.locator(f'main form[action="{TOKENS}"] button[type=submit]')
    make.click()
    expect(page.locator(".error-summary")).to_be_visible()
    expect(page.locator("#name")).to_have_attribute("aria-invalid", "true")
    check_page(page)

    name = f"Arkusz testowy {uuid.uuid4().hex[:6]}"
    page.locator("#name").fill(name)
    make.click()
    shown = page.locator("#new-token")
    expect(shown).to_have_value(re.compile(r"^pt_\S{20,}$"))
    secret = shown.input_value()
    expect(page.locator("#new-token-heading")).to_contain_text(name)
    row = page.locator("#tokens-caption >> xpath=ancestor::table[1]//tbody/tr").filter(
        has=page.locator("th", has_text=name))
    expect(row).to_have_count(1)
    check_page(page)

    # Shown once: the page again lists the token by its first characters only.
    page.goto(TOKENS)
    expect(page.locator("#new-token")).to_have_count(0)
    expect(row).to_have_count(1)
    prefix = row.locator("code").inner_text().strip().rstrip("…")
    assert prefix and secret.startswith(prefix) and len(prefix) < len(secret), (prefix, secret)
    assert secret not in page.content()

    # Revoked (leaves no live token of the tests behind): the list says so.
    row.locator("button[type=submit]").click()
    expect(page.locator("#messages .message--success")).to_be_visible()
    expect(row.locator(".status--cancelled")).to_be_visible()
    expect(row.locator("button")).to_have_count(0)
    check_page(page)


def test_webhook_page(shared_page, check_page) -> None:
    """Empty, an address refused, an address set (the secret shown), then removed."""
    page = shared_page("animator")
    response = page.goto(WEBHOOK)
    assert response is not None and response.status == 200
    expect(page.locator("#url")).to_be_visible()
    check_page(page)

    save = page.locator('main form[action$="/manage/webhook/"] button[type=submit]')
    save.click()
    expect(page.locator(".error-summary")).to_be_visible()
    expect(page.locator("#url")).to_have_attribute("aria-invalid", "true")
    check_page(page)

    # An address on the public internet (an IP, so no name lookup is needed): nothing is sent
    # from here, only `flask push-metrics` sends.
    page.locator("#url").fill("https://1.1.1.1/participation-test")
    save.click()
    expect(page.locator("#messages .message--success")).to_be_visible()
    expect(page.locator("#webhook-secret-heading")).to_be_visible()
    expect(page.locator("#webhook-secret")).to_have_value(re.compile(r"\S{20,}"))
    _open_details(page)
    check_page(page)

    page.locator('main form[action$="/manage/webhook/remove"] button').click()
    expect(page.locator("#messages .message--success")).to_be_visible()
    expect(page.locator("#webhook-secret-heading")).to_have_count(0)
    expect(page.locator("#url")).to_have_value("")
    check_page(page)


# --- The platform admin: every centre side by side ----------------------------------------


@pytest.mark.parametrize("width", WIDTHS, ids=lambda width: f"{width}px")
def test_admin_sees_all_centres_side_by_side(tab, check_page, width: int) -> None:
    page = tab("admin", width)
    response = page.goto(f"{ADMIN_FIGURES}?period=year&year={YEAR}")
    assert response is not None and response.status == 200
    row = page.locator(f"#centre-{SLUG}")
    expect(row).to_be_visible()
    assert _number(row.locator("td").first) > 0  # Paca 40's active residents (at least 5)
    expect(row.locator("th a")).to_have_attribute("href", re.compile(
        rf"/c/{SLUG}/manage/figures/\?.*year={YEAR}"))
    check_page(page)  # includes: the page itself does not scroll sideways

    region = page.locator(".table-scroll[role=region]")
    expect(region).to_have_attribute("tabindex", "0")
    expect(region).to_have_accessible_name(re.compile(r"\S"))
    if width == PHONE_VIEWPORT["width"]:
        # The table is wider than the phone: it scrolls in its own region, by keyboard too.
        sizes = region.evaluate("el => [el.scrollWidth, el.clientWidth]")
        assert sizes[0] > sizes[1], f"the table fits at {width} px: {sizes}"
        region.focus()
        page.keyboard.press("ArrowRight")
        page.wait_for_function("el => el.scrollLeft > 0", arg=region.element_handle())
        # The centre's name stays in view (sticky) while the figures scroll under it.
        expect(row.locator("th")).to_be_in_viewport()
