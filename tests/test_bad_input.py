"""Bad input on every form: a 4xx with a translated message, never a 5xx, never a stray row."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from participation.models import (
    Category,
    Centre,
    Comment,
    Membership,
    PaperTally,
    Proposal,
    Report,
    StatusChange,
    Support,
    User,
)

from .proposals_fixtures import make_proposal
from .support import translate

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
TABLES = (User, Centre, Membership, Proposal, StatusChange, Support, PaperTally, Comment, Report,
          Category)


def snapshot(db):
    return (
        db.scalars(select(User.display_name).order_by(User.id)),
        db.scalars(select(User.password_hash).order_by(User.id)),
        db.scalars(select(Centre.name).order_by(Centre.id)),
        db.scalars(select(Membership.role).order_by(Membership.id)),
        db.scalars(select(Proposal.status).order_by(Proposal.id)),
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


@pytest.mark.parametrize(
    "url",
    ["/c/%00/", "/c/" + "x" * 500 + "/", "/?page=-1", "/?page=1e9", "/?q=%00", "/?q=%ff",
     "/admin/centres/centre-a/animators/abc/remove"],
)
def test_odd_urls_get_a_4xx_or_a_page_never_a_5xx(client, world, url):
    client.login(world["admin"].email)
    response = client.open(url, method="POST" if url.endswith("/remove") else "GET")
    assert response.status_code < 500
