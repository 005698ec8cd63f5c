"""Bad input on every form: a 4xx with a translated message, never a 5xx, never a stray row."""

from __future__ import annotations

import ipaddress
import re
import socket

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from participation.extensions import db as _db
from participation.metrics import webhook
from participation.models import (
    Activity,
    ApiToken,
    Category,
    Centre,
    Comment,
    Membership,
    PaperTally,
    ParticipationEvent,
    Proposal,
    Report,
    Signup,
    StatusChange,
    Support,
    User,
    VolunteerOffer,
    WebhookAttempt,
    WebhookDelivery,
    WebhookEndpoint,
)

from .proposals_fixtures import make_proposal
from .support import translate
from .test_activity_permissions import make_activity_scene
from .test_metrics_permissions import make_metrics_scene

# Every form of this issue, with the fields a browser would send.
FORMS = {
    "/account/register": ["display_name", "email", "password", "confirm", "age_confirmed"],
    "/account/login": ["email", "password", "remember"],
    "/account/profile": ["display_name", "locale", "age_bracket"],
    "/account/password": ["current_password", "new_password", "confirm"],
    "/language": ["locale", "next"],
    "/admin/centres/new": ["name", "slug", "operator", "city", "district", "address",
                           "description", "contact_email", "contact_phone", "timezone"],
    "/admin/centres/centre-a/edit": ["name", "slug", "city", "timezone", "contact_email"],
    "/admin/centres/centre-a/animators": ["email"],
}
NASTY = st.one_of(
    st.just(""),
    st.just(" "),
    st.text(max_size=30),
    # Over every length limit; built from a drawn size, as drawing 5,000 characters is slow.
    st.tuples(st.integers(5001, 20000), st.sampled_from("ąż<&\"'x")).map(lambda p: p[1] * p[0]),
    st.just("\x00"),
    st.just("<script>alert(1)</script>"),
    st.integers().map(str),
    st.just("../../etc/passwd"),
)


# Proposal forms, each posted by someone allowed to use it ({p}: a published proposal).
PROPOSAL_FORMS = {
    "/c/centre-a/proposals/new": ("resident_a", ["title", "body", "category_id", "place",
                                                 "action"]),
    "/c/centre-a/proposals/{p}/support": ("resident_a", ["intent"]),
    "/c/centre-a/proposals/{p}/comments": ("resident_a", ["body"]),
    "/c/centre-a/proposals/{p}/report": ("resident_b", ["reason", "details"]),
    "/c/centre-a/proposals/{p}/withdraw": ("resident_a", ["reason"]),
    "/c/centre-a/manage/proposals/{p}/status": ("animator_a", ["target", "reason", "next"]),
    "/c/centre-a/manage/proposals/{p}/answer": ("animator_a", ["answer", "next"]),
    "/c/centre-a/manage/proposals/{p}/assisted": ("animator_a", ["member_id", "next"]),
    "/c/centre-a/manage/proposals/{p}/paper": ("animator_a", ["votes", "note", "next"]),
    "/c/centre-a/manage/reports/resolve": ("animator_a", ["target_type", "target_id",
                                                          "upheld", "reason"]),
    "/c/centre-a/manage/settings": ("animator_a", ["proposals_need_approval",
                                                   "support_threshold", "only_verified_support",
                                                   "report_threshold", "voting_opens_at",
                                                   "voting_closes_at"]),
    "/c/centre-a/manage/categories": ("animator_a", ["name"]),
}
# Activity forms, each posted by someone allowed to use it. The paths are filled from
# test_activity_permissions.make_activity_scene: {up} a published upcoming activity with places
# and a call for volunteers, {signup} and {offer} an attendee's sign-up for it and offer of help,
# {draft} a draft, {past} a past activity and {past_offer} an accepted offer of help with it.
ACTIVITY_FIELDS = ["title", "description", "place", "day", "start_time", "end_time", "end_day",
                   "capacity", "deadline_day", "deadline_time", "category_id", "proposal_id",
                   "volunteers_needed"]
ACTIVITY_FORMS = {
    "/c/centre-a/activities/{up}/signup": ("resident_a", ["intent"]),
    "/c/centre-a/activities/{up}/volunteer": ("resident_a", ["intent"]),
    "/c/centre-a/manage/activities/new": ("animator_a",
                                          [*ACTIVITY_FIELDS, "repeat_until", "action"]),
    "/c/centre-a/manage/activities/{up}/edit": ("animator_a", ACTIVITY_FIELDS),
    "/c/centre-a/manage/activities/{draft}/publish": ("animator_a", ["next"]),
    "/c/centre-a/manage/activities/{up}/cancel": ("animator_a", ["reason"]),
    "/c/centre-a/manage/activities/{up}/attendees/{signup}": ("animator_a", ["intent", "q"]),
    "/c/centre-a/manage/activities/{up}/walk-in": ("animator_a", ["member_id"]),
    "/c/centre-a/manage/activities/{up}/sign-up": ("animator_a", ["member_id"]),
    "/c/centre-a/manage/activities/{up}/guests": ("animator_a", ["change"]),
    "/c/centre-a/manage/activities/{up}/volunteers/{offer}": ("animator_a", ["decision"]),
    "/c/centre-a/manage/activities/{past}/volunteers/{past_offer}/hours": ("animator_a",
                                                                           ["hours"]),
}
# The list's filters, as its GET form sends them, and the page number of its "more" link.
ACTIVITY_FILTERS = ["when", "category", "date_from", "date_to", "page"]
# Page numbers: also far past what a 64-bit OFFSET holds.
PAGES = st.one_of(NASTY, st.integers(-(2**70), 2**70).map(str))


TABLES = (User, Centre, Membership, Proposal, StatusChange, Support, PaperTally, Comment, Report,
          Category, Activity, Signup, VolunteerOffer, ParticipationEvent, ApiToken,
          WebhookEndpoint, WebhookDelivery, WebhookAttempt)
# Reading the API notes when its token was last used: the one write a GET may make.
API_TOKEN_COLUMNS = [column for column in ApiToken.__table__.columns
                     if column.key != "last_used_at"]


def _rows(db, *columns) -> list[tuple]:
    """Whole rows (every column given), by id: a change in any of them shows."""
    with db.app.app_context():
        return [tuple(row) for row in _db.session.execute(
            select(*columns).order_by(columns[0].table.c.id))]


def snapshot(db):
    return (
        db.scalars(select(User.display_name).order_by(User.id)),
        db.scalars(select(User.password_hash).order_by(User.id)),
        db.scalars(select(Centre.name).order_by(Centre.id)),
        db.scalars(select(Membership.role).order_by(Membership.id)),
        db.scalars(select(Proposal.status).order_by(Proposal.id)),
        _rows(db, *Activity.__table__.columns),
        _rows(db, *Signup.__table__.columns),
        _rows(db, *VolunteerOffer.__table__.columns),
        _rows(db, *WebhookEndpoint.__table__.columns),
        _rows(db, *API_TOKEN_COLUMNS),
        tuple(db.count(model) for model in TABLES),
    )


@pytest.fixture
def polish_admin(app, world):
    """Signed in once per form: function-scoped fixtures live across Hypothesis examples."""
    client = app.test_client()
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "pl"
    client.login(world["admin"].email)
    return client


@pytest.mark.parametrize("url", FORMS)
@settings(max_examples=20, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_forms_never_fail_with_a_server_error(polish_admin, db, url, data):
    client = polish_admin
    values = {field: data.draw(NASTY, label=field) for field in FORMS[url]}
    before = snapshot(db)
    response = client.post(url, data=values)
    assert response.status_code < 500
    if response.status_code >= 400:
        assert snapshot(db) == before
        html = response.get_data(as_text=True)
        assert '<html lang="pl">' in html
        if response.status_code == 422:
            assert translate("Please correct the following", "pl") in html


@pytest.fixture
def published_id(app, scene):
    """A published proposal at centre A, written by its resident."""
    return make_proposal(app, scene)


@pytest.mark.parametrize("url", PROPOSAL_FORMS)
@settings(max_examples=15, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_proposal_forms_never_fail_with_a_server_error(app, db, world, published_id, url, data):
    role, fields = PROPOSAL_FORMS[url]
    client = app.test_client()
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "pl"
    client.login(world[role].email)
    values = {field: data.draw(NASTY, label=field) for field in fields}
    before = snapshot(db)
    response = client.post(url.format(p=published_id), data=values)
    assert response.status_code < 500
    if response.status_code >= 400:
        assert snapshot(db) == before
        assert '<html lang="pl">' in response.get_data(as_text=True)


@pytest.fixture
def activity_ids(app, scene, world, make_user, make_member):
    return make_activity_scene(app, scene, world, make_user, make_member)


@pytest.fixture
def polish_clients(app, world):
    """One signed-in client per role, kept across Hypothesis examples (signing in is slow)."""
    clients = {}

    def client_of(role: str):
        if role not in clients:
            clients[role] = app.test_client()
            clients[role].environ_base["HTTP_ACCEPT_LANGUAGE"] = "pl"
            clients[role].login(world[role].email)
        return clients[role]

    return client_of


@pytest.mark.parametrize("url", ACTIVITY_FORMS)
@settings(max_examples=12, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_activity_forms_never_fail_with_a_server_error(db, activity_ids, polish_clients, url,
                                                        data):
    role, fields = ACTIVITY_FORMS[url]
    values = {field: data.draw(NASTY, label=field) for field in fields}
    before = snapshot(db)
    response = polish_clients(role).post(url.format(**activity_ids), data=values)
    assert response.status_code < 500
    if response.status_code >= 400:
        assert snapshot(db) == before
        assert '<html lang="pl">' in response.get_data(as_text=True)


# An activity form that is valid but for one or two fields: reaches the rules past the form.
EDGES = st.one_of(
    NASTY,
    st.sampled_from(["2000-01-01", "2100-12-31", "1999-12-31", "2101-01-01", "9999-12-31",
                     "0001-01-01", "2026-02-30", "0", "-1", "1", "10000", "10001", "100", "101",
                     "00:00", "23:59", "24:00", "02:30", "18:30:59", "18.30", "2,5"]),
    st.dates().map(str),
    st.times().map(lambda moment: moment.strftime("%H:%M")),
)


def _valid_activity_form(ids: dict) -> dict:
    return {"title": "Spacer z kijkami", "description": "", "place": "", "day": ids["new_day"],
            "start_time": "10:00", "end_time": "12:00", "end_day": "", "capacity": "15",
            "deadline_day": "", "deadline_time": "", "category_id": str(ids["category"]),
            "proposal_id": "", "volunteers_needed": "1", "repeat_until": "", "action": "draft"}


@pytest.mark.parametrize("url", ["/c/centre-a/manage/activities/new",
                                 "/c/centre-a/manage/activities/{up}/edit"])
@settings(max_examples=15, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_activity_form_with_one_bad_field(db, activity_ids, polish_clients, url, data):
    values = _valid_activity_form(activity_ids)
    for field in data.draw(st.lists(st.sampled_from(sorted(values)), min_size=1, max_size=2,
                                    unique=True), label="fields"):
        values[field] = data.draw(EDGES, label=field)
    before = snapshot(db)
    response = polish_clients("animator_a").post(url.format(**activity_ids), data=values)
    assert response.status_code < 500
    if response.status_code >= 400:
        assert snapshot(db) == before
        assert '<html lang="pl">' in response.get_data(as_text=True)


@pytest.mark.parametrize("role", ["anonymous", "animator_a"])
@settings(max_examples=15, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_the_activity_list_takes_any_query(app, db, activity_ids, polish_clients, role, data):
    client = app.test_client() if role == "anonymous" else polish_clients(role)
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "pl"
    query = {name: data.draw(PAGES if name == "page" else NASTY, label=name)
             for name in ACTIVITY_FILTERS if data.draw(st.booleans(), label=f"send {name}")}
    before = snapshot(db)
    response = client.get("/c/centre-a/activities/", query_string=query)
    assert response.status_code < 500
    assert snapshot(db) == before  # GET never changes state
    if response.status_code >= 400:
        assert '<html lang="pl">' in response.get_data(as_text=True)


@pytest.mark.parametrize(
    "url",
    ["/c/%00/", "/c/" + "x" * 500 + "/", "/?page=-1", "/?page=1e9", "/?q=%00", "/?q=%ff",
     "/admin/centres/centre-a/animators/abc/remove"],
)
def test_odd_urls_get_a_4xx_or_a_page_never_a_5xx(client, world, url):
    client.login(world["admin"].email)
    response = client.open(url, method="POST" if url.endswith("/remove") else "GET")
    assert response.status_code < 500


# --- Inputs the sweeps once turned into server errors ----------------------------------------

HUGE_PAGE = "99999999999999999999"  # (page - 1) × page size would not fit a 64-bit OFFSET


@pytest.mark.parametrize("url", [
    f"/c/centre-a/activities/?page={HUGE_PAGE}",
    f"/c/centre-a/manage/activities/?page={HUGE_PAGE}",
    f"/c/centre-a/proposals/?page={HUGE_PAGE}",
    f"/?page={HUGE_PAGE}",
    "/c/centre-a/activities/?category=%20",
    "/c/centre-a/proposals/?category=%20",
    "/c/centre-a/activities/?page=-3",
    "/c/centre-a/activities/?category=999999999999999999999",
])
def test_the_lists_answer_odd_queries_without_a_server_error(app, polish_clients, url):
    response = polish_clients("animator_a").get(url)
    assert response.status_code in (200, 404, 422)
    assert '<html lang="pl">' in response.get_data(as_text=True)


@pytest.mark.parametrize("hours", [" ", "\t"])
def test_hours_of_only_spaces_are_refused_with_a_message(db, activity_ids, polish_clients,
                                                         hours):
    before = snapshot(db)
    response = polish_clients("animator_a").post(
        "/c/centre-a/manage/activities/{past}/volunteers/{past_offer}/hours".format(
            **activity_ids), data={"hours": hours})
    assert response.status_code == 422
    assert snapshot(db) == before
    assert '<html lang="pl">' in response.get_data(as_text=True)


@pytest.mark.parametrize("field", ["voting_opens_at", "voting_closes_at"])
@pytest.mark.parametrize("day", ["0001-01-01", "9999-12-31"])
def test_voting_dates_far_outside_our_years_are_refused_with_a_message(
        db, world, polish_clients, field, day):
    """Year 1 in Warsaw's zone falls before datetime.min in UTC: it was a 500."""
    before = snapshot(db)
    response = polish_clients("animator_a").post("/c/centre-a/manage/settings", data={
        "support_threshold": "15", "report_threshold": "3", field: day})
    assert response.status_code == 422
    assert snapshot(db) == before
    html = response.get_data(as_text=True)
    assert translate("Enter a date between the years %(first)d and %(last)d.", "pl") % {
        "first": 2000, "last": 2100} in html


# --- The figures (issue 5): the period pickers, the downloads, the API, the screens' forms ---

PERIOD_FIELDS = ["period", "year", "month", "quarter", "start", "end"]
# Each page, read by someone allowed to, with the GET arguments it takes.
FIGURE_PAGES = {
    "/c/centre-a/manage/figures/": ("animator_a", PERIOD_FIELDS),
    "/admin/figures/": ("admin", PERIOD_FIELDS),
    "/c/centre-a/manage/figures/export/figures.csv": ("animator_a",
                                                      [*PERIOD_FIELDS, "sep", "header"]),
    "/c/centre-a/manage/figures/export/events.csv": ("animator_a", [*PERIOD_FIELDS, "sep"]),
    "/c/centre-a/manage/figures/export/events.jsonl": ("animator_a", PERIOD_FIELDS),
}
PICKERS = ("/c/centre-a/manage/figures/", "/admin/figures/")  # bad input: the page, and why
HUGE_NUMBER = "99999999999999999999"
PERIOD_EDGES = st.one_of(
    NASTY,
    st.sampled_from(["month", "quarter", "year", "custom", "day", "../../", "MONTH", " year ",
                     HUGE_NUMBER, "-" + HUGE_NUMBER, "-2026", "2026", "1999", "2000", "2100",
                     "2101", "0", "-1", "1", "4", "5", "12", "13", "1e3", "2026.0", "٢٠٢٦",
                     "2026-02-30", "2026-13-01", "2026-1-1", "31.12.2025", "2000-01-01",
                     "2100-12-31", "1999-12-31", "2101-01-01", "0001-01-01", "9999-12-31",
                     "comma", "semicolon", ";", ",", "\t", "keys", "labels"]),
    st.integers(-(2**70), 2**70).map(str),
    st.dates().map(str),
)
# A valid picker of each kind: one or two of its fields are then spoilt.
VALID_PICKS = [
    {"period": "month", "year": "2026", "month": "3"},
    {"period": "quarter", "year": "2026", "quarter": "1"},
    {"period": "year", "year": "2025"},
    {"period": "custom", "start": "2025-12-01", "end": "2026-03-31"},
]
# Titles of the error page, by status: the page says what went wrong, in the reader's language.
ERROR_TITLES = {400: "Something went wrong", 403: "You cannot do this", 404: "Page not found",
                405: "This action is not available here",
                409: "This cannot be done right now", 413: "The data sent is too large",
                422: "Please check what you entered"}


def assert_refused_with_a_message(response) -> None:
    """A 4xx that tells why: the picker's or the form's error summary, or the error page with
    its title; in Polish, as the client asked; a JSON ``error`` for the API."""
    assert 400 <= response.status_code < 500
    if response.is_json:
        assert response.json["error"].strip()
        return
    html = response.get_data(as_text=True)
    if response.headers.get("HX-Retarget"):  # htmx: the message alone, for the live region
        assert re.search(r'class="message message--error">\s*\S', html), html
        return
    if 'class="error-summary"' in html:  # the page again (or its htmx region), saying why
        assert translate("Please correct the following", "pl") in html
    else:
        assert translate(ERROR_TITLES[response.status_code], "pl") in html, _title(response)
        assert '<html lang="pl">' in html


def _title(response) -> str:
    """What a failed assertion shows of a page: its title and error summary, not 3 KB."""
    html = response.get_data(as_text=True)
    found = re.search(r"<title>(.*?)</title>", html, re.S)
    summary = re.search(r'class="error-summary".*?</ul>', html, re.S)
    return " | ".join(part.group(0 if part is summary else 1) for part in (found, summary)
                      if part) or html[:500]


@pytest.fixture
def metrics_ids(app, scene, db):
    return make_metrics_scene(app, scene, db)


def _read_figures(client, url: str, query: dict, headers: dict | None = None):
    response = client.get(url, query_string=query, headers=headers or {})
    response.get_data()  # a download is streamed: run it to its last line
    return response


@pytest.mark.parametrize("url", FIGURE_PAGES)
@settings(max_examples=25, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_the_figures_take_any_query(db, metrics_ids, polish_clients, url, data):
    role, fields = FIGURE_PAGES[url]
    query = {name: data.draw(PERIOD_EDGES, label=name)
             for name in fields if data.draw(st.booleans(), label=f"send {name}")}
    htmx = url in PICKERS and data.draw(st.booleans(), label="htmx")
    headers = {"HX-Request": "true", "HX-Target": "figures"} if htmx else {}
    before = snapshot(db)
    response = _read_figures(polish_clients(role), url, query, headers)
    assert response.status_code in (200, 400, 422), _title(response)  # 400: a NUL byte
    assert snapshot(db) == before  # GET never changes state
    if response.status_code != 200:
        assert_refused_with_a_message(response)


@pytest.mark.parametrize("url", FIGURE_PAGES)
@settings(max_examples=25, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_a_period_with_one_bad_field(db, metrics_ids, polish_clients, url, data):
    role, fields = FIGURE_PAGES[url]
    query = dict(data.draw(st.sampled_from(VALID_PICKS), label="picker"))
    for field in data.draw(st.lists(st.sampled_from(fields), min_size=1, max_size=2,
                                    unique=True), label="fields"):
        query[field] = data.draw(PERIOD_EDGES, label=field)
    before = snapshot(db)
    response = _read_figures(polish_clients(role), url, query)
    assert response.status_code in (200, 400, 422), _title(response)  # 400: a NUL byte
    assert snapshot(db) == before
    if response.status_code != 200:
        assert_refused_with_a_message(response)


# The inputs the issue names, each on every page that takes it: the page must say why.
BAD_PERIODS = [
    {"year": HUGE_NUMBER},
    {"period": "year", "year": HUGE_NUMBER},
    {"period": "year", "year": "-2026"},
    {"period": "month", "year": "2026", "month": "13"},
    {"period": "quarter", "quarter": "5"},
    {"period": "../../"},
    {"period": "custom"},
    {"period": "custom", "start": "2026-01-01"},
    {"period": "custom", "start": "2026-02-30", "end": "2026-03-31"},
    {"period": "custom", "start": "2026-03-31", "end": "2026-01-01"},
    {"period": "custom", "start": "2020-01-01", "end": "2025-12-31"},
    {"period": "custom", "start": "1999-12-31", "end": "2000-01-31"},
    {"period": "custom", "start": "ąż" * 3000, "end": "2026-01-01"},
]


@pytest.mark.parametrize("query", BAD_PERIODS, ids=str)
@pytest.mark.parametrize("url", FIGURE_PAGES)
def test_a_bad_period_is_refused_with_a_message(db, metrics_ids, polish_clients, url, query):
    role, _fields = FIGURE_PAGES[url]
    before = snapshot(db)
    response = _read_figures(polish_clients(role), url, query)
    assert response.status_code == 422
    assert snapshot(db) == before
    assert_refused_with_a_message(response)


@pytest.mark.parametrize(("url", "query"), [
    ("/c/centre-a/manage/figures/export/figures.csv", {"sep": ";"}),
    ("/c/centre-a/manage/figures/export/figures.csv", {"sep": "../../"}),
    ("/c/centre-a/manage/figures/export/figures.csv", {"header": "labels;"}),
    ("/c/centre-a/manage/figures/export/events.csv", {"sep": ";"}),
    ("/c/centre-a/manage/figures/export/events.csv", {"sep": "x" * 10000}),
])
def test_a_bad_download_option_is_refused_with_a_message(db, metrics_ids, polish_clients, url,
                                                         query):
    before = snapshot(db)
    response = _read_figures(polish_clients("animator_a"), url, query)
    assert response.status_code == 422
    assert "attachment" not in response.headers.get("Content-Disposition", "")
    assert snapshot(db) == before
    assert_refused_with_a_message(response)


@pytest.mark.parametrize("year", ["0", "1999", "2101", HUGE_NUMBER, "-2026", "2026.5", "x",
                                  "%00"])
def test_a_report_year_outside_ours_is_not_found(db, metrics_ids, polish_clients, year):
    response = polish_clients("animator_a").get(f"/c/centre-a/manage/figures/report/{year}")
    assert response.status_code in (400, 404)
    assert_refused_with_a_message(response)


# The API, read with a valid token of centre A: bad parameters are a JSON 400.
API_URL = "/api/v1/centres/centre-a/metrics"
API_PARAMS = ["from", "to", "granularity"]
API_EDGES = st.one_of(PERIOD_EDGES, st.sampled_from(["day", "week", "Month", "2026-W05",
                                                     "2026-01-01T00:00", "20260101"]))


@pytest.fixture
def api_client(app, metrics_ids):
    client = app.test_client()
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "pl"
    client.environ_base["HTTP_AUTHORIZATION"] = f"Bearer {metrics_ids['token_a']}"
    return client


@settings(max_examples=80, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_the_api_takes_any_query(db, api_client, data):
    query = {name: data.draw(API_EDGES, label=name)
             for name in API_PARAMS if data.draw(st.booleans(), label=f"send {name}")}
    before = snapshot(db)
    response = api_client.get(API_URL, query_string=query)
    assert response.status_code in (200, 400), response.get_data(as_text=True)[:500]
    assert response.is_json
    assert snapshot(db) == before
    if response.status_code == 400:
        assert_refused_with_a_message(response)


@pytest.mark.parametrize("query", [
    {"from": "2026-02-30"},
    {"from": "2026-01-01", "to": "2026-02-30"},
    {"from": HUGE_NUMBER},
    {"from": "99999999999999999999-01-01"},
    {"from": "-2026-01-01"},
    {"from": "0001-01-01", "to": "2026-01-01"},
    {"from": "2026-01-01", "to": "9999-12-31"},
    {"from": "2026-03-01", "to": "2026-01-01"},
    {"from": "2020-01-01", "to": "2025-12-31"},
    {"from": "2026-01-01", "to": "2026-07-19", "granularity": "day"},  # 200 parts
    {"granularity": "../../"},
    {"granularity": "week"},
    {"granularity": "ąż" * 3000},
    {"from": "2026-01-01\x00"},
    {"from": "ąż" * 3000},
    {"to": "٢٠٢٦-٠١-٠١"},
], ids=lambda query: str(query)[:60])
def test_a_bad_api_query_is_a_json_400_with_a_message(db, api_client, query):
    before = snapshot(db)
    response = api_client.get(API_URL, query_string=query)
    assert response.status_code == 400
    assert response.is_json and response.json["error"].strip()
    assert snapshot(db) == before


@settings(max_examples=60, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(header=st.one_of(
    st.text(st.characters(min_codepoint=32, max_codepoint=255), max_size=200),
    st.text(st.characters(min_codepoint=32, max_codepoint=255), max_size=200).map(
        lambda text: "Bearer " + text),
    st.integers(101, 5000).map(lambda size: "Bearer pt_" + "x" * size),
))
def test_any_authorization_header_is_a_json_401_never_a_500(app, db, metrics_ids, header):
    client = app.test_client()
    before = snapshot(db)
    response = client.get(API_URL, headers={"Authorization": header})
    assert response.status_code == 401
    assert response.is_json and response.json["error"].strip()
    assert snapshot(db) == before


# The screens' forms (API tokens, webhook), each posted by an animator of centre A.
WEBHOOK_URLS = st.one_of(
    NASTY,
    st.sampled_from([
        "https://", "https://[::1", "http://[abc/figures", "https://]x/", "https://[::1]/",
        "https://127.0.0.1/", "http://localhost:8080/", "https://93.184.216.34:0/",
        "https://93.184.216.34:99999/", "https://93.184.216.34:-1/", "https://a:b@example.org/",
        "https://ąż.example.org/ośrodki?x=ź#frag", "https://exa mple.org/", "javascript:alert(1)",
        "https://93.184.216.34/" + "ą" * 300, "https://%zz/", "file:///etc/passwd",
        "https://[fe80::1%25eth0]/", "HTTPS://93.184.216.34/upper",
    ]),
    st.text(max_size=60).map(lambda text: "https://" + text),
    st.text(max_size=60).map(lambda text: "https://93.184.216.34/" + text),
)
METRICS_FORMS = {
    "/c/centre-a/manage/api-tokens/": {"name": NASTY},
    "/c/centre-a/manage/api-tokens/{token_a_id}/revoke": {"next": NASTY},
    "/c/centre-a/manage/webhook/": {"url": WEBHOOK_URLS},
    "/c/centre-a/manage/webhook/secret": {"url": NASTY},
    "/c/centre-a/manage/webhook/remove": {"url": NASTY},
}


@pytest.fixture
def no_dns(monkeypatch):
    """Server names resolve without the network: literal addresses to themselves,
    ``localhost`` to the loopback, every other name to nothing."""
    def resolve(host: str, port: int) -> list[tuple]:
        if host == "localhost":
            host = "127.0.0.1"
        try:
            ipaddress.ip_address(host.split("%", 1)[0])
        except ValueError:
            raise socket.gaierror(socket.EAI_NONAME, "not found") from None
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (host, port))]

    monkeypatch.setattr(webhook, "_addresses", resolve)


@pytest.mark.parametrize("url", METRICS_FORMS)
@settings(max_examples=30, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_the_figures_forms_never_fail_with_a_server_error(db, metrics_ids, polish_clients, no_dns,
                                                          url, data):
    values = {field: data.draw(strategy, label=field)
              for field, strategy in METRICS_FORMS[url].items()}
    before = snapshot(db)
    response = polish_clients("animator_a").post(url.format(**metrics_ids), data=values)
    assert response.status_code < 500, _title(response)
    if response.status_code >= 400:
        assert snapshot(db) == before
        assert_refused_with_a_message(response)


@pytest.mark.parametrize("url", [
    "https://[::1", "http://[abc/figures", "https://]x/", "https://93.184.216.34:0/",
    "https://127.0.0.1/", "http://localhost/", "https://no-such-host.invalid/",
])
def test_a_webhook_address_that_cannot_be_used_is_refused_with_a_message(
        db, metrics_ids, polish_clients, no_dns, url):
    before = snapshot(db)
    response = polish_clients("animator_a").post("/c/centre-a/manage/webhook/",
                                                 data={"url": url})
    assert response.status_code == 422
    assert snapshot(db) == before
    assert_refused_with_a_message(response)


@pytest.mark.parametrize("token_id", ["0", "-1", "2147483648", HUGE_NUMBER, "abc", "1.5"])
def test_revoking_a_token_that_cannot_exist_is_not_found(db, metrics_ids, polish_clients,
                                                         token_id):
    before = snapshot(db)
    response = polish_clients("animator_a").post(
        f"/c/centre-a/manage/api-tokens/{token_id}/revoke")
    assert response.status_code in (404, 405)
    assert snapshot(db) == before
    assert_refused_with_a_message(response)


@pytest.mark.parametrize(("end", "status"), [("2026-04-30", 200), ("2026-05-01", 400)])
def test_the_api_cuts_a_range_into_at_most_120_parts(db, api_client, end, status):
    response = api_client.get(API_URL, query_string={"from": "2026-01-01", "to": end,
                                                     "granularity": "day"})
    assert response.status_code == status
    if status == 200:
        assert len(response.json["periods"]) == 120
    else:
        assert response.json["error"].strip()
