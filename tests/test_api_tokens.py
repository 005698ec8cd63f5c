"""API tokens: made by the centre's animators, shown once and stored only as a hash, revoked
for good; the screen's permission matrix and CSRF; the service's own checks.
"""

from __future__ import annotations

import hashlib
import re

import pytest
from sqlalchemy import select

from participation.errors import Conflict, Invalid, NotAllowed, NotFound
from participation.extensions import db as db_
from participation.metrics import tokens
from participation.models import ApiToken

from .proposals_fixtures import centre, unit_of_work, user

INDEX = "/c/{slug}/manage/api-tokens/"
REVOKE = "/c/{slug}/manage/api-tokens/{token_id}/revoke"
API = "/api/v1/centres/{slug}/metrics"
TOKEN_IN_PAGE = re.compile(r'id="new-token" value="(pt_[A-Za-z0-9_-]+)"')


def make_token(client, name: str = "Arkusz dla urzędu"):
    return client.post(INDEX.format(slug="centre-a"), data={"name": name})


def all_tokens(db) -> list[ApiToken]:
    return db.scalars(select(ApiToken).order_by(ApiToken.id))


def issue(app, animator_id: int, centre_id: int, name: str = "Tool") -> tuple[int, str]:
    with unit_of_work(app):
        row, secret = tokens.create_token(user(animator_id), centre(centre_id), name)
        return row.id, secret


# --- Made, shown once, stored hashed ---------------------------------------------------------


def test_a_new_token_is_shown_once_and_only_its_hash_is_stored(client, db, world):
    client.login("animator-a@example.org")
    response = make_token(client)
    assert response.status_code == 201
    assert "no-store" in response.headers["Cache-Control"]
    page = response.get_data(as_text=True)
    secret = TOKEN_IN_PAGE.search(page).group(1)
    assert page.count(secret) == 1
    assert len(secret) >= 40
    assert "Set-Cookie" not in response.headers or secret not in response.headers["Set-Cookie"]

    [row] = all_tokens(db)
    assert row.token_hash == hashlib.sha256(secret.encode()).hexdigest()
    assert row.prefix == secret[:10]
    assert row.name == "Arkusz dla urzędu"
    assert row.created_by_id == world["animator_a"].id
    assert row.centre_id == world["a"].id
    stored = [str(getattr(row, column.key)) for column in ApiToken.__table__.columns]
    assert not any(secret in value for value in stored)

    # Afterwards the list shows its name and first characters, never the token.
    listing = client.get(INDEX.format(slug="centre-a"))
    text = listing.get_data(as_text=True)
    assert secret not in text
    assert "Arkusz dla urzędu" in text and row.prefix in text
    # …and the token reads the figures.
    assert client.get(API.format(slug="centre-a"),
                      headers={"Authorization": f"Bearer {secret}"}).status_code == 200


def test_two_tokens_differ(app, world):
    first = issue(app, world["animator_a"].id, world["a"].id)[1]
    second = issue(app, world["animator_a"].id, world["a"].id)[1]
    assert first != second and first.startswith("pt_") and second.startswith("pt_")


@pytest.mark.parametrize("name", ["", "   ", "x" * 81])
def test_a_token_needs_a_short_name(client, db, world, name):
    client.login("animator-a@example.org")
    response = make_token(client, name)
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "error-summary" in page
    assert not TOKEN_IN_PAGE.search(page)
    assert all_tokens(db) == []


def test_the_name_is_trimmed_and_80_characters_are_enough(client, db, world):
    client.login("animator-a@example.org")
    assert make_token(client, "  " + "ż" * 80 + "  ").status_code == 201
    assert all_tokens(db)[0].name == "ż" * 80


def test_a_name_is_shown_as_text(client, world):
    client.login("animator-a@example.org")
    page = make_token(client, "<script>alert(1)</script>").get_data(as_text=True)
    assert "<script>alert(1)" not in page
    assert "&lt;script&gt;" in page


def test_making_a_token_needs_csrf(client, db, world):
    client.login("animator-a@example.org")
    response = client.post(INDEX.format(slug="centre-a"), data={"name": "Tool"}, csrf=False)
    assert response.status_code == 400
    assert all_tokens(db) == []


# --- Revoking --------------------------------------------------------------------------------


def test_a_revoked_token_is_refused_and_stays_listed(client, db, world):
    client.login("animator-a@example.org")
    secret = TOKEN_IN_PAGE.search(make_token(client).get_data(as_text=True)).group(1)
    [row] = all_tokens(db)
    response = client.post(REVOKE.format(slug="centre-a", token_id=row.id))
    assert response.status_code == 303
    assert response.headers["Location"].endswith(INDEX.format(slug="centre-a"))
    [row] = all_tokens(db)
    assert row.revoked_at is not None and row.revoked_by_id == world["animator_a"].id
    api = client.get(API.format(slug="centre-a"), headers={"Authorization": f"Bearer {secret}"})
    assert api.status_code == 401
    page = client.get(INDEX.format(slug="centre-a")).get_data(as_text=True)
    assert "revoked" in page and row.prefix in page
    # Revoking again changes nothing.
    first_revoked_at = row.revoked_at
    again = client.post(REVOKE.format(slug="centre-a", token_id=row.id))
    assert again.status_code == 303
    assert all_tokens(db)[0].revoked_at == first_revoked_at


def test_another_centres_token_cannot_be_revoked(app, client, db, world):
    token_id, _secret = issue(app, world["animator_b"].id, world["b"].id)
    client.login("animator-a@example.org")
    response = client.post(REVOKE.format(slug="centre-a", token_id=token_id))
    assert response.status_code == 404
    assert db.get(ApiToken, token_id).revoked_at is None
    # Nor through centre B's address, which animator A does not manage.
    assert client.post(REVOKE.format(slug="centre-b", token_id=token_id)).status_code == 403
    assert db.get(ApiToken, token_id).revoked_at is None


def test_revoking_an_unknown_token_is_404(client, world):
    client.login("animator-a@example.org")
    assert client.post(REVOKE.format(slug="centre-a", token_id=999)).status_code == 404


def test_revoking_needs_csrf(app, client, db, world):
    token_id, _secret = issue(app, world["animator_a"].id, world["a"].id)
    client.login("animator-a@example.org")
    response = client.post(REVOKE.format(slug="centre-a", token_id=token_id), csrf=False)
    assert response.status_code == 400
    assert db.get(ApiToken, token_id).revoked_at is None


# --- Who may use the screen ------------------------------------------------------------------

WHO = [
    ("resident-a@example.org", 403),
    ("animator-b@example.org", 403),
    ("outsider@example.org", 403),
    ("resident-b@example.org", 403),
    ("animator-a@example.org", 200),
    ("admin@example.org", 200),
]


@pytest.mark.parametrize(("email", "status"), WHO)
def test_the_token_list(client, world, email, status):
    client.login(email)
    assert client.get(INDEX.format(slug="centre-a")).status_code == status


@pytest.mark.parametrize(("email", "status"), WHO)
def test_making_a_token(client, db, world, email, status):
    client.login(email)
    response = make_token(client)
    assert response.status_code == (201 if status == 200 else status)
    assert len(all_tokens(db)) == (1 if status == 200 else 0)


@pytest.mark.parametrize(("email", "status"), WHO)
def test_revoking_a_token(app, client, db, world, email, status):
    token_id, _secret = issue(app, world["animator_a"].id, world["a"].id)
    client.login(email)
    response = client.post(REVOKE.format(slug="centre-a", token_id=token_id))
    assert response.status_code == (303 if status == 200 else status)
    assert (db.get(ApiToken, token_id).revoked_at is not None) == (status == 200)


@pytest.mark.parametrize(("method", "url"), [
    ("get", INDEX), ("post", INDEX), ("post", REVOKE.replace("{token_id}", "1")),
])
def test_anonymous_people_are_sent_to_sign_in(client, world, method, url):
    response = getattr(client, method)(url.format(slug="centre-a"))
    assert response.status_code == 302
    assert "/account/login" in response.headers["Location"]


def test_an_unknown_centre_is_404(client, world):
    client.login("admin@example.org")
    assert client.get(INDEX.format(slug="no-such-centre")).status_code == 404


def test_the_page_works_without_javascript(client, world):
    client.login("animator-a@example.org")
    page = client.get(INDEX.format(slug="centre-a")).get_data(as_text=True)
    assert f'action="{INDEX.format(slug="centre-a")}"' in page
    assert 'method="post"' in page
    assert 'name="csrf_token"' in page


# --- The service -----------------------------------------------------------------------------


def test_only_managers_make_and_revoke_tokens(app, world):
    with app.app_context():
        with pytest.raises(NotAllowed):
            tokens.create_token(user(world["resident_a"].id), centre(world["a"].id), "Mine")
        with pytest.raises(NotAllowed):
            tokens.create_token(user(world["animator_b"].id), centre(world["a"].id), "Mine")
    token_id, _secret = issue(app, world["animator_a"].id, world["a"].id)
    with app.app_context():
        with pytest.raises(NotAllowed):
            tokens.revoke_token(user(world["resident_a"].id), centre(world["a"].id), token_id)
        with pytest.raises(NotFound):
            tokens.revoke_token(user(world["animator_b"].id), centre(world["b"].id), token_id)


def test_a_centre_has_at_most_so_many_active_tokens(app, world, monkeypatch):
    monkeypatch.setattr(tokens, "MAX_ACTIVE_TOKENS", 2)
    first, _ = issue(app, world["animator_a"].id, world["a"].id)
    issue(app, world["animator_a"].id, world["a"].id)
    with app.app_context(), pytest.raises(Conflict):
        tokens.create_token(user(world["animator_a"].id), centre(world["a"].id), "Third")
    with unit_of_work(app):
        tokens.revoke_token(user(world["animator_a"].id), centre(world["a"].id), first)
    issue(app, world["animator_a"].id, world["a"].id)  # a revoked one leaves room


def test_too_many_tokens_is_told_on_the_page(client, db, world, monkeypatch):
    monkeypatch.setattr(tokens, "MAX_ACTIVE_TOKENS", 1)
    client.login("animator-a@example.org")
    assert make_token(client).status_code == 201
    response = make_token(client, "Second")
    assert response.status_code == 409
    # One token: the singular ("1 active tokens" would be wrong in every language).
    assert "already has 1 active token. Revoke it first" in response.get_data(as_text=True)
    assert len(all_tokens(db)) == 1


@pytest.mark.parametrize("header", ["Bearer {t}", "bearer {t}", "BEARER  {t}", " Bearer {t} "])
def test_authenticate_reads_the_bearer_scheme(app, world, header):
    _id, secret = issue(app, world["animator_a"].id, world["a"].id)
    with app.app_context():
        assert tokens.authenticate(header.format(t=secret)).centre_id == world["a"].id


@pytest.mark.parametrize("header", [None, "", "Bearer", "Token {t}", "{t}", "Bearer {t} x",
                                    "Bearer {t}x"])
def test_authenticate_refuses_anything_else(app, world, header):
    _id, secret = issue(app, world["animator_a"].id, world["a"].id)
    with app.app_context(), pytest.raises(tokens.NotAuthenticated) as refused:
        tokens.authenticate(header.format(t=secret) if header else header)
    assert refused.value.status == 401 and refused.value.message


def test_the_tokens_of_a_centre_list_active_ones_first(app, world):
    first, _ = issue(app, world["animator_a"].id, world["a"].id, "First")
    issue(app, world["animator_a"].id, world["a"].id, "Second")
    issue(app, world["animator_b"].id, world["b"].id, "B's")
    with unit_of_work(app):
        tokens.revoke_token(user(world["animator_a"].id), centre(world["a"].id), first)
    with app.app_context():
        assert [row.name for row in tokens.tokens_of(centre(world["a"].id))] == ["Second",
                                                                                "First"]


def test_a_name_breaking_the_rule_is_refused_by_the_service_too(app, world):
    with app.app_context():
        for name in ("", " ", "y" * 81):
            with pytest.raises(Invalid):
                tokens.create_token(user(world["animator_a"].id), centre(world["a"].id), name)
        db_.session.rollback()
