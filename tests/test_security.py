"""CSRF on every state-changing endpoint, security headers, cookie flags, request limits."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from participation import create_app
from participation.models import Centre, Membership, User

# Sample values for URL parts, so every rule of the URL map can be called.
URL_VALUES = {"slug": "centre-a", "user_id": 1, "filename": "css/site.css", "proposal_id": 1,
              "comment_id": 1, "category_id": 1, "activity_id": 1, "signup_id": 1, "offer_id": 1,
              "token": "x", "token_id": 1, "year": 2026, "code": "K7M2Q9XDRB", "kiosk_id": 1}


def state_changing_urls(app) -> list[tuple[str, str]]:
    """Every endpoint that accepts POST (or PUT, PATCH, DELETE), read from the URL map."""
    found = []
    for rule in app.url_map.iter_rules():
        methods = rule.methods & {"POST", "PUT", "PATCH", "DELETE"}
        if methods:
            url = rule.build({name: URL_VALUES[name] for name in rule.arguments})[1]
            found.extend((method, url) for method in sorted(methods))
    return found


def test_the_url_map_has_state_changing_endpoints(app):
    # Guards the test below against passing vacuously.
    assert len(state_changing_urls(app)) >= 10


def test_every_post_without_csrf_token_is_refused(app, world, db):
    client = app.test_client()
    client.login(world["admin"].email)
    snapshot = (
        db.scalars(select(Centre.name).order_by(Centre.id)),
        db.scalars(select(Membership.role).order_by(Membership.id)),
        db.scalars(select(User.password_hash).order_by(User.id)),
    )
    for method, url in state_changing_urls(app):
        response = client.open(url, method=method, data={"name": "x", "email": "a@b.cd"})
        assert response.status_code == 400, (method, url, response.status_code)
        assert "form has expired" in response.get_data(as_text=True), url
    assert snapshot == (
        db.scalars(select(Centre.name).order_by(Centre.id)),
        db.scalars(select(Membership.role).order_by(Membership.id)),
        db.scalars(select(User.password_hash).order_by(User.id)),
    )
    assert client.get("/account/profile").status_code == 200  # still signed in: no logout


def test_a_token_from_another_session_is_refused(app, world, new_client):
    victim, attacker = new_client(), new_client()
    victim.login(world["outsider"].email)
    token = attacker.csrf_token()
    response = victim.post("/c/centre-a/join", data={"csrf_token": token}, csrf=False)
    assert response.status_code == 400


def test_htmx_requests_send_the_token_in_a_header(client, world):
    client.login(world["outsider"].email)
    token = client.csrf_token()
    response = client.post("/c/centre-a/join", csrf=False,
                           headers={"HX-Request": "true", "X-CSRFToken": token})
    assert response.status_code == 200


def test_pages_carry_security_headers(client):
    response = client.get("/")
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "'unsafe-inline'" not in csp
    assert "frame-ancestors 'none'" in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"
    assert "HX-Request" in response.headers["Vary"]


def test_error_pages_carry_security_headers_too(client):
    response = client.get("/c/nope/")
    assert response.status_code == 404
    assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]


def test_pages_have_no_inline_scripts_or_styles(client, world):
    client.login(world["admin"].email)
    for url in ("/", "/c/centre-a/", "/account/profile", "/admin/"):
        html = client.get(url).get_data(as_text=True)
        assert not re.search(r"<script(?![^>]*\bsrc=)", html), url
        assert " style=" not in html and "<style" not in html, url
        assert not re.search(r"<[a-z][^>]*\son[a-z]+\s*=", html), url  # no onclick= etc.


@pytest.mark.parametrize("debug", [False, True])
def test_cookies_are_httponly_lax_and_secure_outside_debug(tmp_path, monkeypatch, debug):
    monkeypatch.setenv("FLASK_DEBUG", "1" if debug else "0")
    monkeypatch.delenv("SESSION_COOKIE_SECURE", raising=False)
    app = create_app({"TESTING": True,
                      "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'c.sqlite3'}"})
    assert app.config["SESSION_COOKIE_SECURE"] is (not debug)
    assert app.config["REMEMBER_COOKIE_SECURE"] is (not debug)
    header = app.test_client().get("/help").headers["Set-Cookie"]
    assert "HttpOnly" in header and "SameSite=Lax" in header
    assert ("Secure" in header) is (not debug)


@pytest.mark.app_config(MAX_CONTENT_LENGTH=1024)
def test_request_bodies_over_the_limit_get_413(client, db):
    response = client.post("/account/register", data={"display_name": "x" * 5000})
    assert response.status_code == 413
    assert "too large" in response.get_data(as_text=True)
    assert db.count(User) == 0


@pytest.mark.parametrize(
    ("url", "data"),
    [("/c/%00/", None), ("/?q=a%00b", None), ("/account/login", {"email": "a\x00@b.pl"})],
)
def test_nul_bytes_are_refused_before_any_view(client, url, data):
    """PostgreSQL cannot store NUL: it must be a 400 on every backend, not a 500 on one."""
    response = client.post(url, data=data) if data else client.get(url)
    assert response.status_code == 400
