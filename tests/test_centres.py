"""The public list of centres, a centre's home, joining and leaving."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from participation.models import Membership, Role


@pytest.fixture
def centres(make_centre):
    return [
        make_centre("paca-40", name="Centrum Społeczne Paca 40", city="Warszawa",
                    district="Praga-Południe, Grochów", address="ul. Paca 40"),
        make_centre("mops-glogow", name="CAL MOPS Głogów", city="Głogów"),
        make_centre("gops-olawa", name="CAL GOPS Oława", city="Oława"),
        make_centre("procent", name="Klub 100% Sąsiadów", city="Radom"),
        make_centre("lodz", name="Łódzki Dom Sąsiedzki", city="Łódź"),
    ]


def names_in(response) -> list[str]:
    html = response.get_data(as_text=True)
    return [name for name in ("Paca 40", "Głogów", "Oława", "100% Sąsiadów", "Łódzki")
            if name in html]


@pytest.mark.usefixtures("centres")
@pytest.mark.parametrize(
    ("search", "expected"),
    [
        ("", ["Paca 40", "Głogów", "Oława", "100% Sąsiadów", "Łódzki"]),
        ("łódź", ["Łódzki"]),
        ("ŁÓDZKI", ["Łódzki"]),
        ("paca", ["Paca 40"]),
        ("WARSZAWA", ["Paca 40"]),
        ("grochów", ["Paca 40"]),
        ("głogów", ["Głogów"]),
        # Typed without Polish letters, as on many phones and at many desks.
        ("lodz", ["Łódzki"]),
        ("GLOGOW", ["Głogów"]),
        ("olawa grochow", []),
        ("grochow", ["Paca 40"]),
        ("cal oława", ["Oława"]),
        ("%", ["100% Sąsiadów"]),
        ("_", []),
        ("nothing-like-this", []),
    ],
)
def test_centre_list_searches_name_city_and_district(client, search, expected):
    response = client.get("/", query_string={"q": search})
    assert response.status_code == 200
    assert names_in(response) == expected


@pytest.mark.usefixtures("centres")
def test_centre_list_counts_results_with_plural_forms(client):
    client.post("/language", data={"locale": "en", "next": "/"})
    assert "5 centres" in client.get("/").get_data(as_text=True)
    assert "1 centre matches" in client.get("/?q=paca").get_data(as_text=True)


@pytest.mark.usefixtures("centres")
def test_centre_search_answers_htmx_with_the_results_fragment(client):
    response = client.get("/?q=paca", headers={"HX-Request": "true",
                                                "HX-Target": "centre-results"})
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "<html" not in html and 'id="centre-results"' in html and "Paca 40" in html
    # The count is announced through a live region outside the swapped part.
    status = '<p id="results-status" class="visually-hidden" role="status" hx-swap-oob="true">'
    assert status in html
    assert "HX-Request" in response.headers["Vary"]


def test_centre_search_refuses_an_overlong_query(client):
    response = client.get("/", query_string={"q": "x" * 101})
    assert response.status_code == 422
    assert "at most 100 characters" in response.get_data(as_text=True)


def test_centre_list_paginates(client, make_centre):
    for number in range(23):
        make_centre(f"centre-{number:02}", name=f"Centrum {number:02}")
    first = client.get("/").get_data(as_text=True)
    second = client.get("/?page=2").get_data(as_text=True)
    assert "Centrum 00" in first and "Centrum 19" in first and "Centrum 20" not in first
    assert "Centrum 20" in second and "Centrum 22" in second and 'rel="prev"' in second
    assert client.get("/?page=abc").status_code == 200
    assert client.get("/?page=99").status_code == 200


def test_centre_home_shows_who_runs_it_and_animators(client, make_centre, make_user, make_member):
    centre = make_centre("paca-40", name="Centrum Społeczne Paca 40", operator="Stowarzyszenie CAL",
                         address="ul. Paca 40, Warszawa", description="Bank usług sąsiedzkich.")
    make_member(make_user(name="Marta Kowalczyk"), centre, Role.ANIMATOR)
    html = client.get("/c/paca-40/").get_data(as_text=True)
    for text in ("Centrum Społeczne Paca 40", "Stowarzyszenie CAL", "ul. Paca 40, Warszawa",
                 "Bank usług sąsiedzkich.", "Marta Kowalczyk"):
        assert text in html
    assert "/account/login?next=/c/paca-40/" in html


def test_unknown_centre_is_a_translated_404(client):
    client.post("/language", data={"locale": "en", "next": "/"})
    response = client.get("/c/no-such-centre/")
    assert response.status_code == 404
    assert "There is no centre at this address." in response.get_data(as_text=True)


def test_join_and_leave_with_plain_posts(client, db, make_centre, make_user):
    centre = make_centre("paca-40")
    user = make_user("jan@example.org")
    client.login(user.email)
    response = client.post("/c/paca-40/join")
    assert response.status_code == 303 and response.headers["Location"] == "/c/paca-40/"
    assert db.count(Membership, Membership.user_id == user.id) == 1
    assert "/c/paca-40/leave" in client.get("/c/paca-40/").get_data(as_text=True)

    assert client.post("/c/paca-40/join").status_code == 303  # joining again changes nothing
    assert db.count(Membership, Membership.centre_id == centre.id) == 1

    assert client.post("/c/paca-40/leave").status_code == 303
    assert db.count(Membership) == 0


def test_join_with_htmx_returns_the_membership_fragment(client, make_centre, make_user):
    make_centre("paca-40")
    client.login(make_user("jan@example.org").email)
    response = client.post("/c/paca-40/join", headers={"HX-Request": "true"})
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "<html" not in html and 'id="membership"' in html and "/c/paca-40/leave" in html
    assert 'hx-swap-oob="innerHTML"' in html  # the confirmation reaches the live region
    assert "autofocus" in html  # keyboard focus stays on the membership control


def test_anonymous_join_is_sent_to_sign_in(client, db, make_centre):
    make_centre("paca-40")
    response = client.post("/c/paca-40/join")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/account/login?next=")
    assert db.count(Membership) == 0


def test_leaving_a_centre_one_is_not_in_is_a_conflict(client, make_centre, make_user):
    make_centre("paca-40")
    client.login(make_user("jan@example.org").email)
    response = client.post("/c/paca-40/leave")
    assert response.status_code == 409
    assert "not a member" in response.get_data(as_text=True)


def test_an_animator_cannot_leave_and_keeps_the_role(client, db, make_centre, make_user,
                                                     make_member):
    centre = make_centre("paca-40")
    animator = make_user("marta@example.org")
    make_member(animator, centre, Role.ANIMATOR)
    client.login(animator.email)
    response = client.post("/c/paca-40/leave", headers={"HX-Request": "true"})
    assert response.status_code == 409
    assert response.headers["HX-Retarget"] == "#messages"
    assert db.scalar(select(Membership.role)) is Role.ANIMATOR


def test_join_unknown_centre_is_404_and_writes_nothing(client, db, make_user):
    client.login(make_user("jan@example.org").email)
    assert client.post("/c/nowhere/join").status_code == 404
    assert db.count(Membership) == 0


def test_profile_lists_the_persons_centres(client, make_centre, make_user, make_member):
    user = make_user("jan@example.org")
    make_member(user, make_centre("paca-40", name="Centrum Społeczne Paca 40"))
    make_member(user, make_centre("glogow", name="CAL Głogów"), Role.ANIMATOR)
    client.login(user.email)
    html = client.get("/account/profile").get_data(as_text=True)
    assert "Centrum Społeczne Paca 40" in html and "CAL Głogów" in html
