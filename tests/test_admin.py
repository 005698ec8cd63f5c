"""The platform admin area: who may enter, creating and editing centres, naming animators."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from participation.models import Centre, Membership, Role

ADMIN_PAGES = [
    ("get", "/admin/"),
    ("get", "/admin/centres/new"),
    ("post", "/admin/centres/new"),
    ("get", "/admin/centres/centre-a/edit"),
    ("post", "/admin/centres/centre-a/edit"),
    ("get", "/admin/centres/centre-a/animators"),
    ("post", "/admin/centres/centre-a/animators"),
    ("post", "/admin/centres/centre-a/animators/1/remove"),
]

# Who may enter: anonymous people are sent to sign in; everyone else but the admin gets 403.
EXPECTED = {
    None: 302,
    "resident_a": 403,
    "animator_a": 403,
    "animator_b": 403,
    "outsider": 403,
}


@pytest.mark.parametrize(("method", "url"), ADMIN_PAGES)
@pytest.mark.parametrize("who", list(EXPECTED))
def test_admin_area_refuses_everyone_but_admins(client, db, world, method, url, who):
    if who:
        client.login(world[who].email)
    centres_before = db.scalars(select(Centre.name).order_by(Centre.id))
    roles_before = db.scalars(select(Membership.role).order_by(Membership.id))
    response = getattr(client, method)(url, data={"name": "Hijacked", "slug": "centre-a",
                                                  "city": "X", "timezone": "Europe/Warsaw",
                                                  "email": "outsider@example.org"})
    assert response.status_code == EXPECTED[who]
    if who is None:
        assert response.headers["Location"].startswith("/account/login?next=")
    assert db.scalars(select(Centre.name).order_by(Centre.id)) == centres_before
    assert db.scalars(select(Membership.role).order_by(Membership.id)) == roles_before


@pytest.fixture
def admin_client(client, world):
    client.login(world["admin"].email)
    return client


def centre_form(**overrides):
    return {"name": "Klub Sąsiedzki Radlin", "slug": "radlin", "city": "Radlin",
            "operator": "MOPS Radlin", "timezone": "Europe/Warsaw", **overrides}


def test_admin_sees_every_centre_with_counts(admin_client):
    html = admin_client.get("/admin/").get_data(as_text=True)
    assert "Centre A" in html and "Centre B" in html
    assert "2 centres" in html


def test_admin_creates_a_centre(admin_client, db):
    response = admin_client.post("/admin/centres/new", data=centre_form())
    assert response.status_code == 303
    centre = db.scalar(select(Centre).where(Centre.slug == "radlin"))
    assert (centre.name, centre.city, centre.operator) == (
        "Klub Sąsiedzki Radlin", "Radlin", "MOPS Radlin")
    assert admin_client.get("/c/radlin/").status_code == 200


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"slug": "Paca 40"}, "small letters"),
        ({"slug": "centre-a"}, "already uses this address name"),
        ({"slug": "a--b"}, "small letters"),
        ({"name": ""}, "This field is required."),
        ({"name": "N" * 161}, "at most 160"),
        ({"timezone": "Mars/Olympus"}, "Unknown time zone"),
        ({"contact_email": "not-an-address"}, "name@example.com"),
        ({"description": "d" * 5001}, "at most 5000"),
    ],
)
def test_bad_centre_input_is_refused_and_nothing_is_saved(admin_client, db, overrides, message):
    response = admin_client.post("/admin/centres/new", data=centre_form(**overrides))
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert db.count(Centre) == 2


def test_admin_edits_a_centre_but_not_into_anothers_slug(admin_client, db, world):
    response = admin_client.post("/admin/centres/centre-a/edit",
                                 data=centre_form(slug="centre-a", name="Centre A, renamed"))
    assert response.status_code == 303
    assert db.get(Centre, world["a"].id).name == "Centre A, renamed"
    response = admin_client.post("/admin/centres/centre-a/edit", data=centre_form(slug="centre-b"))
    assert response.status_code == 422
    assert db.get(Centre, world["a"].id).slug == "centre-a"


def test_admin_names_and_removes_an_animator(admin_client, db, world):
    response = admin_client.post("/admin/centres/centre-a/animators",
                                 data={"email": " Outsider@Example.org "})
    assert response.status_code == 303
    outsider = world["outsider"]
    membership = db.scalar(select(Membership).where(Membership.user_id == outsider.id))
    assert membership.role is Role.ANIMATOR and membership.centre_id == world["a"].id
    page = admin_client.get("/admin/centres/centre-a/animators").get_data(as_text=True)
    assert outsider.display_name in page

    response = admin_client.post(f"/admin/centres/centre-a/animators/{outsider.id}/remove")
    assert response.status_code == 303
    assert db.get(Membership, membership.id).role is Role.RESIDENT


def test_naming_an_unknown_person_says_to_register_first(admin_client, db):
    response = admin_client.post("/admin/centres/centre-a/animators",
                                 data={"email": "nobody@example.org"})
    assert response.status_code == 422
    assert "register first" in response.get_data(as_text=True)
    assert db.count(Membership, Membership.role == Role.ANIMATOR) == 2


def test_removing_someone_who_is_not_an_animator_here_is_404(admin_client, db, world):
    # The animator of B is not an animator of A.
    url = f"/admin/centres/centre-a/animators/{world['animator_b'].id}/remove"
    assert admin_client.post(url).status_code == 404
    assert db.count(Membership, Membership.role == Role.ANIMATOR) == 2


def test_unknown_centre_in_admin_is_404(admin_client):
    assert admin_client.get("/admin/centres/nowhere/edit").status_code == 404
