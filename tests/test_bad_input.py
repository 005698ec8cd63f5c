"""Bad input on every form: a 4xx with a translated message, never a 5xx, never a stray row."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from participation.models import (
    Activity,
    Category,
    Centre,
    Comment,
    Membership,
    PaperTally,
    Proposal,
    Report,
    Signup,
    StatusChange,
    Support,
    User,
    VolunteerOffer,
)

from .proposals_fixtures import make_proposal
from .support import translate
from .test_activity_permissions import make_activity_scene

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
          Category, Activity, Signup, VolunteerOffer)


def snapshot(db):
    return (
        db.scalars(select(User.display_name).order_by(User.id)),
        db.scalars(select(User.password_hash).order_by(User.id)),
        db.scalars(select(Centre.name).order_by(Centre.id)),
        db.scalars(select(Membership.role).order_by(Membership.id)),
        db.scalars(select(Proposal.status).order_by(Proposal.id)),
        db.scalars(select(Activity.__table__).order_by(Activity.id)),
        db.scalars(select(Signup.__table__).order_by(Signup.id)),
        db.scalars(select(VolunteerOffer.__table__).order_by(VolunteerOffer.id)),
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
