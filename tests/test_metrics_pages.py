"""The figures' pages: the animators' dashboard, the annual report, the admin's side by side.

Histories are replayed through the real services at chosen times (``frozen_at``), so the
figures on the pages are the ones a centre's own acts produce.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from participation.activities import service as activities
from participation.extensions import db as _db
from participation.metrics import charts
from participation.models import (
    Activity,
    Category,
    Centre,
    Proposal,
    ProposalStatus,
    Signup,
    User,
)
from participation.proposals import service as proposals

from .clock import frozen_at
from .test_proposal_pages import counting_queries

WARSAW = ZoneInfo("Europe/Warsaw")
MARCH = "/c/centre-a/manage/figures/?period=month&year=2026&month=3"
BODY = "Prosimy o trzy ławki przy placu zabaw na Grochowie."


def at(month: int, day: int, hour: int = 12, minute: int = 0, year: int = 2026) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=WARSAW)


def propose(app, centre_id: int, user_id: int, moment: datetime, title: str = "Ławki na skwerze"
            ) -> None:
    """The person proposes at the centre at ``moment``: one act of taking part."""
    with app.app_context(), frozen_at(moment):
        centre = _db.session.get(Centre, centre_id)
        proposals.ensure_default_categories(centre)
        category = _db.session.scalar(select(Category.id).where(Category.centre_id == centre_id)
                                      .order_by(Category.position))
        proposals.propose(_db.session.get(User, user_id), centre, title, BODY, category)
        _db.session.commit()


def hold_activity(app, centre_id: int, animator_id: int, starts: datetime, title: str,
                  capacity: int | None, comers: list[int], guests: int = 0) -> int:
    """An activity published a week ahead, the ``comers`` signed up, then checked in at it."""
    with app.app_context():
        animator = _db.session.get(User, animator_id)
        centre = _db.session.get(Centre, centre_id)
        with frozen_at(starts - timedelta(days=7)):
            activity = activities.create_activities(animator, centre, activities.ActivityDetails(
                title=title, starts_at=starts, ends_at=starts + timedelta(hours=2),
                capacity=capacity), publish=True)[0]
            signups = [activities.sign_up(_db.session.get(User, user_id), activity)
                       for user_id in comers]
            _db.session.commit()
        with frozen_at(starts + timedelta(minutes=10)):
            for signup in signups:
                activities.check_in(animator, _db.session.get(Signup, signup.id))
            if guests:
                activities.change_guests(animator, activity, guests)
            _db.session.commit()
        return activity.id


@pytest.fixture
def history(app, world, make_user, make_member):
    """Centre A: one person proposes in February 2026; in March she and two newcomers do.

    March: 3 active residents (2 new, 1 returning), 3 proposals. February: 1 active, 1 new.
    """
    people = [world["resident_a"].id]
    for _ in range(2):
        person = make_user()
        make_member(person, world["a"])
        people.append(person.id)
    propose(app, world["a"].id, people[0], at(2, 10))
    for number, person in enumerate(people):
        propose(app, world["a"].id, person, at(3, 5 + number), f"Propozycja numer {number}")
    return {**world, "people": people}


def cell(html: str, key: str, column: str = "figure-value") -> str:
    """The text of one figure's cell in a figures table."""
    row = re.search(rf'<tr id="figure-{key}">(.*?)</tr>', html, re.S)
    assert row, f"no row for {key}"
    found = re.search(rf'<td class="num {column}">(.*?)</td>', row.group(1), re.S)
    assert found, f"no {column} cell for {key}"
    return re.sub(r"<[^>]+>", "", found.group(1)).strip()


# --- The dashboard --------------------------------------------------------------------------


def test_dashboard_shows_the_period_and_the_one_before(client, history):
    client.login(history["animator_a"].email)
    response = client.get(MARCH)
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "Figures for March 2026" in html
    assert cell(html, "active_residents") == "3"
    assert cell(html, "new_residents") == "2"
    assert cell(html, "returning_residents") == "1"
    assert cell(html, "proposals_submitted") == "3"
    assert cell(html, "active_residents", "figure-previous") == "1"
    assert cell(html, "active_residents", "figure-change") == "+2"
    assert cell(html, "returning_residents", "figure-change") == "+1"
    assert ">February 2026<" in html  # the previous period heads its column
    # No activity was held: rates have nothing to divide by, said in words too.
    assert "no data" in cell(html, "attendance_rate")
    assert "Figures" in html and 'aria-current="page"' in html  # the animators' nav


def test_previous_period_of_a_quarter_and_a_year(client, history):
    client.login(history["animator_a"].email)
    html = client.get("/c/centre-a/manage/figures/?period=quarter&year=2026&quarter=1"
                      ).get_data(as_text=True)
    assert "Figures for Q1 2026" in html and ">Q4 2025<" in html
    assert cell(html, "active_residents") == "3" and cell(html, "new_residents") == "3"
    html = client.get("/c/centre-a/manage/figures/?period=year&year=2026").get_data(as_text=True)
    assert cell(html, "proposals_submitted") == "4"
    assert cell(html, "proposals_submitted", "figure-change") == "+4"


def test_dashboard_counts_a_decrease_with_a_minus_sign(client, history):
    client.login(history["animator_a"].email)
    html = client.get("/c/centre-a/manage/figures/?period=month&year=2026&month=4"
                      ).get_data(as_text=True)
    assert cell(html, "active_residents") == "0"
    assert cell(html, "active_residents", "figure-change") == "\u22123"


def test_custom_period(client, history):
    client.login(history["animator_a"].email)
    html = client.get("/c/centre-a/manage/figures/?period=custom&start=2026-02-01"
                      "&end=2026-03-31").get_data(as_text=True)
    assert cell(html, "active_residents") == "3"
    assert cell(html, "proposals_submitted") == "4"


@pytest.mark.parametrize("query, message", [
    ("period=custom&start=2026-05-10&end=2026-01-01",
     "The period must end on or after the day it starts."),
    ("period=custom&start=2026-05-10", "Enter both dates of your own period."),
    ("period=month&year=abc", "Not a valid integer value."),
    ("period=month&year=1999", "Enter a year from 2000 to 2100."),
    ("period=nonsense", "Not a valid choice."),
    ("period=month&month=13", "Not a valid choice."),
    ("period=custom&start=2001-01-01&end=2026-01-01", "Choose a period of at most 5 years."),
    ("period=custom&start=31.12.2025&end=2026-01-01", "Enter a date in the form 2026-05-31."),
])
def test_bad_period_shows_the_current_month_and_says_why(client, world, query, message):
    client.login(world["animator_a"].email)
    for headers in ({}, {"HX-Request": "true", "HX-Target": "figures"}):
        response = client.get(f"/c/centre-a/manage/figures/?{query}", headers=headers)
        assert response.status_code == 422
        html = response.get_data(as_text=True)
        assert message in html
        assert "Showing the figures for" in html and "instead." in html


def test_htmx_gets_the_figures_region_only(client, history):
    client.login(history["animator_a"].email)
    response = client.get(MARCH, headers={"HX-Request": "true", "HX-Target": "figures"})
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert html.lstrip().startswith('<div id="figures"')
    assert "<html" not in html and "site-header" not in html
    assert cell(html, "active_residents") == "3"
    assert "HX-Request" in response.headers["Vary"]
    page = client.get(MARCH)
    assert "HX-Request" in page.headers["Vary"] and "<html" in page.get_data(as_text=True)


def test_picker_and_period_links_work_without_and_with_htmx(client, history):
    client.login(history["animator_a"].email)
    html = client.get(MARCH).get_data(as_text=True)
    assert 'action="/c/centre-a/manage/figures/"' in html
    assert 'hx-get="/c/centre-a/manage/figures/"' in html and 'hx-target="#figures"' in html
    assert 'hx-push-url="true"' in html
    # Before: February; after: April (both real links, for people without JavaScript).
    assert 'href="/c/centre-a/manage/figures/?period=month&amp;year=2026&amp;month=2"' in html
    assert 'href="/c/centre-a/manage/figures/?period=month&amp;year=2026&amp;month=4"' in html
    # The month names are the reader's language's.
    assert '<option selected value="3">March</option>' in html


def test_month_names_in_polish(client, history):
    client.login(history["animator_a"].email)
    html = client.get(MARCH, headers={"Accept-Language": "pl"}).get_data(as_text=True)
    assert "marzec" in html


def test_dashboard_links_to_the_report_the_exports_and_the_connections(client, history):
    client.login(history["animator_a"].email)
    html = client.get(MARCH).get_data(as_text=True)
    assert 'href="/c/centre-a/manage/figures/report/2026"' in html
    assert 'href="/c/centre-a/manage/figures/report/2025"' in html
    march = "period=month&amp;year=2026&amp;month=3"
    export = "/c/centre-a/manage/figures/export"
    assert f'href="{export}/figures.csv?{march}"' in html
    assert f'href="{export}/figures.csv?sep=semicolon&amp;{march}"' in html
    assert f'href="{export}/events.csv?{march}"' in html
    assert f'href="{export}/events.jsonl?{march}"' in html
    assert 'href="/c/centre-a/manage/api-tokens/"' in html
    assert 'href="/c/centre-a/manage/webhook/"' in html


def test_the_export_links_give_the_same_period(client, history):
    client.login(history["animator_a"].email)
    response = client.get("/c/centre-a/manage/figures/export/figures.csv?period=month&year=2026"
                          "&month=3")
    assert response.status_code == 200
    assert "2026-03" in response.headers["Content-Disposition"]


# --- Charts ---------------------------------------------------------------------------------


def test_trend_chart_has_a_title_a_description_and_the_same_numbers_in_a_table(client,
                                                                                  history):
    client.login(history["animator_a"].email)
    html = client.get(MARCH).get_data(as_text=True)
    svg = re.search(r'<svg xmlns="http://www.w3.org/2000/svg" class="chart chart--lines".*?</svg>',
                    html, re.S).group(0)
    assert 'role="img"' in svg and 'aria-labelledby="trend-chart-title trend-chart-desc"' in svg
    assert '<title id="trend-chart-title">Active and new residents, month by month</title>' in svg
    assert '<desc id="trend-chart-desc">From April 2025 to March 2026.' in svg
    assert 'viewBox="0 0 360' in svg and 'width="100%"' in svg
    # Twelve months: each line has a marker per month (circles: active; squares: new).
    assert svg.count("<circle") == 12 and svg.count("<rect") == 12
    table = re.search(r'<caption id="trend-caption">.*?</table>', html, re.S).group(0)
    rows = re.findall(r'<tr><th scope="row">([^<]+)</th><td class="num">(\d+)</td>'
                      r'<td class="num">(\d+)</td></tr>', table)
    assert len(rows) == 12
    assert rows[-2] == ("February 2026", "1", "1")
    assert rows[-1] == ("March 2026", "3", "2")
    assert all(row[1:] == ("0", "0") for row in rows[:-2])


def test_attendance_chart_escapes_titles_and_matches_its_table(app, client, world, make_user,
                                                              make_member):
    comers = []
    for _ in range(3):
        person = make_user()
        make_member(person, world["a"])
        comers.append(person.id)
    hold_activity(app, world["a"].id, world["animator_a"].id, at(3, 20, 18),
                  "Kino <script>alert(1)</script> & herbata", 10, comers, guests=2)
    hold_activity(app, world["a"].id, world["animator_a"].id, at(3, 27, 18),
                  "Spacer po Grochowie", None, comers[:1])
    client.login(world["animator_a"].email)
    html = client.get(MARCH).get_data(as_text=True)
    assert "<script>alert" not in html
    svg = re.search(r'<svg xmlns="http://www.w3.org/2000/svg" class="chart chart--bars".*?</svg>',
                    html, re.S).group(0)
    assert 'aria-labelledby="attendance-chart-title attendance-chart-desc"' in svg
    assert "<title id=\"attendance-chart-title\">Attendance per activity</title>" in svg
    assert "2 activities held in March 2026, attended by 1 to 5 people each." in svg
    assert "Kino &lt;script&gt;alert(1)&lt;/script&gt;" in svg  # shortened to fit a line
    assert ">5 of 10</text>" in svg and ">1</text>" in svg
    table = re.search(r'<caption id="attendance-caption">.*?</table>', html, re.S).group(0)
    assert "Kino &lt;script&gt;alert(1)&lt;/script&gt; &amp; herbata" in table
    cells = re.findall(r'<td class="num">([^<]+)</td>', table)
    assert cells == ["5", "10", "1", "no limit"]
    assert cell(html, "attendance") == "6"
    assert cell(html, "activities_held") == "2"
    assert cell(html, "walk_ins") == "2"


def test_bar_chart_draws_no_bar_for_nobody():
    bars = [charts.Bar(f"Zajęcia {n}", n, str(n)) for n in range(3)]
    svg = charts.bar_chart("c", "Title", "Desc", bars)
    assert svg.count("<rect") == 2  # no bar for nobody, no outline without a limit
    assert "Zajęcia 0" in svg and ">2</text>" in svg


def test_nice_axis():
    assert charts.nice_ceiling(0) == (1.0, 1.0)
    assert charts.nice_ceiling(3) == (3.0, 1.0)
    assert charts.nice_ceiling(7) == (8.0, 2.0)
    assert charts.nice_ceiling(130) == (150.0, 50.0)


def test_more_than_30_activities_are_capped_in_the_chart(app, client, world):
    with app.app_context():
        for day in range(32):
            _db.session.add(Activity(
                centre_id=world["a"].id, title=f"Zajęcia {day}", status="published",
                starts_at=at(1, 1, 10) + timedelta(days=day),
                ends_at=at(1, 1, 11) + timedelta(days=day), created_by_id=world["animator_a"].id,
                guest_count=day))
        _db.session.commit()
    client.login(world["animator_a"].email)
    html = client.get("/c/centre-a/manage/figures/?period=quarter&year=2026&quarter=1"
                      ).get_data(as_text=True)
    assert "The chart shows the 30 best-attended of the 32 activities held" in html
    svg = re.search(r'class="chart chart--bars".*?</svg>', html, re.S).group(0)
    assert "Zajęcia 0<" not in svg and "Zajęcia 1<" not in svg and "Zajęcia 31<" in svg
    assert cell(html, "activities_held") == "32"


# --- The annual report and the admin's view: small cells hidden -----------------------------


def test_report_hides_small_cells_that_the_dashboard_shows(client, history):
    client.login(history["animator_a"].email)
    dashboard = client.get("/c/centre-a/manage/figures/?period=year&year=2026"
                           ).get_data(as_text=True)
    assert cell(dashboard, "active_residents") == "3"
    response = client.get("/c/centre-a/manage/figures/report/2026")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "Participation in 2026" in html and "Centre A" in html
    assert cell(html, "active_residents") == "&lt;5"
    assert cell(html, "new_residents") == "&lt;5"
    assert cell(html, "proposals_submitted") == "4"  # things, not people: never hidden
    assert cell(html, "active_residents") != "3"
    assert "Print" in html


def test_report_lists_realised_initiatives_and_activities_with_hidden_small_attendance(
        app, client, world, make_user, make_member):
    comers = []
    for _ in range(6):
        person = make_user()
        make_member(person, world["a"])
        comers.append(person.id)
    propose(app, world["a"].id, comers[0], at(1, 10), "Warsztaty szycia dla sąsiadów")
    with app.app_context():
        proposal = _db.session.scalar(select(Proposal))
        proposal.status, proposal_id = ProposalStatus.PUBLISHED, proposal.id
        _db.session.commit()
    with app.app_context():
        animator = _db.session.get(User, world["animator_a"].id)
        with frozen_at(at(2, 1)):
            activities.create_activities(animator, _db.session.get(Centre, world["a"].id),
                                         activities.ActivityDetails(
                                             title="Szycie", starts_at=at(2, 10, 17),
                                             ends_at=at(2, 10, 19), proposal_id=proposal_id),
                                         publish=True)
            _db.session.commit()
    hold_activity(app, world["a"].id, world["animator_a"].id, at(3, 1, 17), "Duże spotkanie",
                  20, comers)
    hold_activity(app, world["a"].id, world["animator_a"].id, at(4, 1, 17), "Małe spotkanie",
                  20, comers[:2])
    client.login(world["animator_a"].email)
    html = client.get("/c/centre-a/manage/figures/report/2026").get_data(as_text=True)
    assert "<li>Warsztaty szycia dla sąsiadów</li>" in html
    rows = re.findall(r'<th scope="row">([^<]+)</th>\s*<td class="num">([^<]+)</td>',
                      html.split('id="report-activities-heading"')[1])
    assert rows == [("Szycie", "0"), ("Duże spotkanie", "6"), ("Małe spotkanie", "&lt;5")]
    assert cell(html, "attendance") == "8"
    assert cell(html, "realised_initiatives") == "1"


@pytest.mark.parametrize("year", [1999, 2101, 0])
def test_report_outside_the_years_is_404(client, world, year):
    client.login(world["animator_a"].email)
    assert client.get(f"/c/centre-a/manage/figures/report/{year}").status_code == 404


def test_admin_sees_every_centre_with_small_cells_hidden(client, history, make_user,
                                                         make_member):
    for _ in range(5):
        make_member(make_user(), history["b"])
    client.login(history["admin"].email)
    response = client.get("/admin/figures/?period=month&year=2026&month=3")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    row_a = re.search(r'<tr id="centre-centre-a">(.*?)</tr>', html, re.S).group(1)
    row_b = re.search(r'<tr id="centre-centre-b">(.*?)</tr>', html, re.S).group(1)
    values_a = re.findall(r'<td class="num">(.*?)</td>', row_a)
    values_b = re.findall(r'<td class="num">(.*?)</td>', row_b)
    # Columns: active, new, returning, proposals submitted, activities held, attendance, ...
    assert values_a[:5] == ["&lt;5", "&lt;5", "&lt;5", "3", "0"]
    assert values_b[:5] == ["0", "0", "0", "0", "0"]
    assert 'class="table-scroll" tabindex="0" role="region"' in html
    assert 'href="/c/centre-a/manage/figures/?period=month&amp;year=2026&amp;month=3"' in html


def test_admin_bad_period_is_422(client, world):
    client.login(world["admin"].email)
    response = client.get("/admin/figures/?period=custom&start=2026-05-10&end=2026-01-01")
    assert response.status_code == 422
    assert "The period must end on or after the day it starts." in response.get_data(
        as_text=True)


# --- Who may look ---------------------------------------------------------------------------

PAGES = ("/c/centre-a/manage/figures/", "/c/centre-a/manage/figures/report/2026")


@pytest.mark.parametrize("who, status", [
    ("animator_a", 200), ("admin", 200),
    ("resident_a", 403), ("animator_b", 403), ("outsider", 403), (None, 302),
])
def test_who_may_see_a_centres_figures(client, world, who, status):
    if who:
        client.login(world[who].email)
    for page in PAGES:
        response = client.get(page)
        assert response.status_code == status, (who, page)
        if who is None:
            assert "/account/login" in response.headers["Location"]


@pytest.mark.parametrize("who, status", [
    ("admin", 200), ("animator_a", 403), ("resident_a", 403), (None, 302),
])
def test_only_platform_admins_see_all_centres(client, world, who, status):
    if who:
        client.login(world[who].email)
    response = client.get("/admin/figures/")
    assert response.status_code == status
    if who is None:
        assert "/account/login" in response.headers["Location"]


def test_unknown_centre_is_404(client, world):
    client.login(world["admin"].email)
    assert client.get("/c/nowhere/manage/figures/").status_code == 404


def test_nav_links_to_the_figures(client, world):
    client.login(world["animator_a"].email)
    html = client.get("/c/centre-a/manage/activities/").get_data(as_text=True)
    assert 'href="/c/centre-a/manage/figures/"' in html


# --- Bounded queries ------------------------------------------------------------------------


def _queries(app, client, url: str) -> int:
    client.get(url)
    with counting_queries(app) as statements:
        response = client.get(url)
    assert response.status_code == 200
    return len(statements)


def test_dashboard_and_report_queries_do_not_grow_with_the_history(app, client, world,
                                                                   make_user, make_member):
    client.login(world["animator_a"].email)
    urls = (MARCH, "/c/centre-a/manage/figures/report/2026")
    before = [_queries(app, client, url) for url in urls]
    people = []
    for _ in range(8):
        person = make_user()
        make_member(person, world["a"])
        people.append(person.id)
    for number, person in enumerate(people):
        propose(app, world["a"].id, person, at(3, 1 + number), f"Propozycja {number} z marca")
    for day in (10, 17, 24):
        hold_activity(app, world["a"].id, world["animator_a"].id, at(3, day, 18),
                      f"Spotkanie {day}", 10, people[:5])
    after = [_queries(app, client, url) for url in urls]
    assert before == after
    assert after[0] <= 40, after


def test_admin_queries_grow_by_a_fixed_number_per_centre(app, client, world, make_centre):
    client.login(world["admin"].email)
    two = _queries(app, client, "/admin/figures/")
    make_centre()
    make_centre()
    four = _queries(app, client, "/admin/figures/")
    per_centre = (four - two) / 2
    assert per_centre == int(per_centre) and per_centre <= 15, (two, four)



@pytest.mark.parametrize("query", ["period=month&year=2000&month=1", "period=year&year=2000",
                                   "period=custom&start=2000-01-01&end=2000-02-15",
                                   "period=year&year=2100"])
def test_the_first_and_last_years_show_without_a_neighbour(client, world, query):
    client.login(world["animator_a"].email)
    response = client.get(f"/c/centre-a/manage/figures/?{query}")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    if "2000" in query:
        assert "Before:" not in html and 'class="num figure-previous"' not in html
        assert "From January 2000 to" in html  # the trend starts where the calendar does


def test_without_a_choice_the_centres_current_month_shows_and_the_picker_says_so(client,
                                                                                history):
    client.login(history["animator_a"].email)
    # 22:30 on 31 March in UTC is already 00:30 on 1 April in Warsaw: the centre's month.
    with frozen_at(datetime(2026, 3, 31, 22, 30, tzinfo=UTC)):
        html = client.get("/c/centre-a/manage/figures/").get_data(as_text=True)
    assert "Figures for April 2026" in html
    assert cell(html, "active_residents", "figure-previous") == "3"
    assert re.search(r'<input[^>]*id="year"[^>]*value="2026"', html)
    assert '<option selected value="4">April</option>' in html
    assert '<option selected value="month">Month</option>' in html
    assert re.search(r'<input[^>]*id="start"[^>]*value="2026-04-01"', html)
    assert re.search(r'<input[^>]*id="end"[^>]*value="2026-04-30"', html)
    assert "After:" not in html  # May has not begun
