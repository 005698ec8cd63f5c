"""Helpers the tests import: the CSRF-aware client, the row helper, translations."""

from __future__ import annotations

import os
import re

from babel.support import Translations
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from participation import PROJECT_ROOT
from participation.extensions import db as _db

TEST_DATABASE_URL = os.environ.get("TEST_DATABASE_URL", "")
IN_CI = os.environ.get("CI", "").lower() == "true"
PASSWORD = "spokojny-grochow-2026"
CSRF_IN_PAGE = re.compile(r'"X-CSRFToken": "([^"]+)"')


def translate(message: str, locale: str) -> str:
    """The catalogue's translation of ``message``; tests compare pages against it."""
    translations = Translations.load(str(PROJECT_ROOT / "translations"), [locale])
    translated = translations.gettext(message)
    assert translated != message or locale == "en", f"{message!r} is not translated to {locale}"
    return translated


def uses_postgresql() -> bool:
    return TEST_DATABASE_URL.startswith("postgresql")


class Client(FlaskClient):
    """A test client whose ``post`` sends a valid CSRF token unless told ``csrf=False``.

    The token is read from a page, as a browser would get it, so the session's CSRF secret
    and the token always belong together (also after sign-in renews the session).
    It asks for English pages, so assertions read as the source strings; the i18n tests
    check the other languages.
    """

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.environ_base.setdefault("HTTP_ACCEPT_LANGUAGE", "en")

    def csrf_token(self) -> str:
        page = self.get("/help").get_data(as_text=True)
        match = CSRF_IN_PAGE.search(page)
        assert match, "no CSRF token in the page"
        return match.group(1)

    def post(self, *args, csrf: bool = True, **kwargs):
        if csrf:
            data = dict(kwargs.pop("data", None) or {})
            data.setdefault("csrf_token", self.csrf_token())
            kwargs["data"] = data
        return super().post(*args, **kwargs)

    def login(self, email: str, password: str = PASSWORD, **extra):
        return self.post("/account/login", data={"email": email, "password": password, **extra})


class Database:
    """Arrange and check rows, each call in its own short app context.

    No app context stays open during a test: Flask would reuse it for the test client's
    requests, sharing ``g`` (and the signed-in user cached there) between requests and clients.
    Objects come back detached with their columns loaded; use ids, not relationships.
    """

    def __init__(self, app: Flask) -> None:
        self.app = app

    def add(self, *objects):
        with self.app.app_context():
            session = _db.session()
            session.expire_on_commit = False
            session.add_all(objects)
            session.commit()
        return objects[0] if len(objects) == 1 else objects

    def scalar(self, statement):
        with self.app.app_context():
            return _db.session.scalar(statement)

    def scalars(self, statement) -> list:
        with self.app.app_context():
            return list(_db.session.scalars(statement))

    def count(self, model, *conditions) -> int:
        with self.app.app_context():
            return _db.session.scalar(select(func.count()).select_from(model).where(*conditions))

    def get(self, model, ident):
        with self.app.app_context():
            return _db.session.get(model, ident)


def rows_of(app: Flask, models, *, leaving_out: tuple[str, ...] = ()) -> tuple:
    """Every row of the models' tables, all columns but those named in ``leaving_out``, in id
    order: two calls around a request show whether it wrote anything."""
    with app.app_context():
        return tuple(
            tuple(map(tuple, _db.session.execute(
                select(*[column for column in model.__table__.columns
                         if column.key not in leaving_out])
                .order_by(model.__table__.c.id)).all()))
            for model in models)


def routes_of(blueprints) -> set[tuple[str, str]]:
    """(endpoint, method) of every rule of these blueprints, read from a fresh app's URL map.

    Permission matrices compare their rows with it, so a new endpoint without a row fails."""
    from participation import create_app

    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": "sqlite://"})
    return {(rule.endpoint, method) for rule in app.url_map.iter_rules()
            if rule.endpoint.split(".")[0] in blueprints
            for method in rule.methods - {"HEAD", "OPTIONS"}}
