"""The application shell: configuration, database set-up, one commit per request, errors."""

from __future__ import annotations

import os
import stat

import pytest
from sqlalchemy import text

from participation import create_app
from participation.config import normalise_database_url
from participation.errors import Invalid
from participation.extensions import db as _db
from participation.models import Centre

from .support import translate


def test_secret_key_is_generated_once_and_kept_in_the_instance_folder(tmp_path, monkeypatch):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    settings = {"SQLALCHEMY_DATABASE_URI": "sqlite://"}
    # The key is made when the app is created, so point Flask at this instance folder first.
    monkeypatch.setattr("flask.Flask.auto_find_instance_path", lambda self: str(tmp_path))
    one, two = create_app(settings), create_app(settings)
    assert one.config["SECRET_KEY"] == two.config["SECRET_KEY"]
    assert len(one.config["SECRET_KEY"]) == 64
    key_file = tmp_path / "secret_key"
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600


def test_secret_key_from_the_environment_wins(monkeypatch):
    monkeypatch.setenv("SECRET_KEY", "from-the-environment")
    assert create_app({"SQLALCHEMY_DATABASE_URI": "sqlite://"}).config["SECRET_KEY"] == (
        "from-the-environment")


@pytest.mark.parametrize(
    ("given", "used"),
    [
        ("postgres://u:p@db/x", "postgresql+psycopg://u:p@db/x"),
        ("postgresql://u:p@db/x", "postgresql+psycopg://u:p@db/x"),
        ("postgresql+psycopg://u@db/x", "postgresql+psycopg://u@db/x"),
        ("sqlite:////srv/p.sqlite3", "sqlite:////srv/p.sqlite3"),
    ],
)
def test_database_url_forms_are_accepted(given, used):
    assert normalise_database_url(given) == used


def test_database_url_defaults_to_sqlite_in_the_instance_folder(monkeypatch):
    monkeypatch.delenv("DATABASE_URL", raising=False)
    app = create_app({"TESTING": True})
    assert app.config["SQLALCHEMY_DATABASE_URI"] == (
        f"sqlite:///{app.instance_path}/participation.sqlite3")


def test_sqlite_connections_enforce_foreign_keys_wal_and_wait(tmp_path):
    app = create_app({"TESTING": True,
                      "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'p.sqlite3'}"})
    with app.app_context():
        connection = _db.session.connection()
        assert connection.execute(text("PRAGMA foreign_keys")).scalar() == 1
        assert connection.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert connection.execute(text("PRAGMA busy_timeout")).scalar() == 5000
        assert connection.execute(text("SELECT lower('ŁÓDŹ')")).scalar() == "łódź"


def test_a_failed_request_leaves_no_half_written_row(app, client, db):
    """Services flush; the edge commits only a successful response and rolls back the rest."""

    def half_done():
        _db.session.add(Centre(slug="half", name="Half", city="X"))
        _db.session.flush()  # the row exists inside the transaction...
        raise Invalid("…and then a rule fails")

    def done():
        _db.session.add(Centre(slug="whole", name="Whole", city="X"))
        _db.session.flush()
        return "ok"

    app.add_url_rule("/test/half", view_func=half_done)
    app.add_url_rule("/test/done", view_func=done)
    assert client.get("/test/half").status_code == 422
    assert client.get("/test/done").status_code == 200
    assert [centre.slug for centre in db.scalars(_db.select(Centre))] == ["whole"]


@pytest.mark.app_config(PROPAGATE_EXCEPTIONS=False)
def test_an_unexpected_error_is_a_translated_500_and_rolls_back(app, client, db):
    def broken():
        _db.session.add(Centre(slug="broken", name="Broken", city="X"))
        _db.session.flush()
        raise RuntimeError("bug")

    app.add_url_rule("/test/broken", view_func=broken)
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "uk"
    response = client.get("/test/broken")
    assert response.status_code == 500
    assert translate("Something went wrong on our side", "uk") in response.get_data(as_text=True)
    assert db.count(Centre) == 0


@pytest.mark.parametrize("locale", ["pl", "uk", "en"])
@pytest.mark.parametrize(
    ("request_args", "status", "title"),
    [
        ({"path": "/nowhere"}, 404, "Page not found"),
        ({"path": "/account/logout", "method": "GET"}, 405, "This action is not available here"),
        ({"path": "/admin/"}, 403, "You cannot do this"),
    ],
)
def test_error_pages_are_translated(client, world, locale, request_args, status, title):
    client.login(world["resident_a"].email)
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = locale
    response = client.open(**request_args)
    assert response.status_code == status
    html = response.get_data(as_text=True)
    assert f'<html lang="{locale}">' in html
    assert translate(title, locale) in html


def test_method_not_allowed_keeps_the_allow_header(client):
    response = client.get("/account/logout")
    assert response.status_code == 405
    allowed = set(response.headers["Allow"].split(", "))
    assert "POST" in allowed and "GET" not in allowed


def test_health_check_reaches_the_database(client):
    response = client.get("/healthz")
    assert response.status_code == 200 and response.json == {"status": "ok"}


def test_the_tests_run_on_the_database_ci_asked_for(app):
    """CI sets EXPECT_DATABASE=postgresql for its second run: a silent fallback must fail."""
    with app.app_context():
        assert _db.engine.dialect.name == (os.environ.get("EXPECT_DATABASE") or "sqlite")
