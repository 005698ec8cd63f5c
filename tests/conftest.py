"""Shared fixtures: an app on a fresh database, clients that carry CSRF tokens, factories.

The database is a SQLite file per test, or the PostgreSQL database named by
``TEST_DATABASE_URL`` (CI sets it; its tables are emptied after each test). ``DATABASE_URL`` is
deliberately not used here, so a developer's real database is never touched by the tests.
"""

from __future__ import annotations

import functools
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from flask import Flask
from werkzeug.security import generate_password_hash

from participation import create_app
from participation.extensions import db as _db
from participation.models import Centre, Membership, Role, User

from .support import PASSWORD, TEST_DATABASE_URL, Client, Database, uses_postgresql

# The proposal tests' `scene` fixture and helpers live in their own module.
pytest_plugins = ["tests.proposals_fixtures"]


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "app_config(**settings): extra settings for the app")


def _empty_all_tables() -> None:
    """Empty every table and restart its ids at 1, in one round trip.

    DELETE rather than TRUNCATE: on a test's handful of rows it takes about 3 ms where
    TRUNCATE (which replaces every table's files) takes 30 ms, once per test."""
    tables = list(reversed(_db.metadata.sorted_tables))  # children before parents
    statements = [f'DELETE FROM "{table.name}"' for table in tables] + [  # noqa: S608 (our own table names)
        f"""SELECT setval(pg_get_serial_sequence('"{table.name}"', 'id'), 1, false)"""
        for table in tables if "id" in table.c]
    with _db.engine.begin() as connection:
        connection.exec_driver_sql("; ".join(statements))


@pytest.fixture(scope="session")
def _sqlite_schema(tmp_path_factory) -> Path:
    """An empty SQLite database with every table, made once: each test starts from a copy."""
    path = tmp_path_factory.mktemp("schema") / "schema.sqlite3"
    application = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": f"sqlite:///{path}",
                              "SECRET_KEY": "tests-only-secret"})
    with application.app_context():
        _db.create_all()
        _db.engine.dispose()  # the last connection folds the WAL back into the file
    return path


@pytest.fixture
def app(tmp_path, request, _sqlite_schema) -> Iterator[Flask]:
    marker = request.node.get_closest_marker("app_config")
    database = tmp_path / "test.sqlite3"
    if not TEST_DATABASE_URL:
        shutil.copyfile(_sqlite_schema, database)
    settings = {
        "TESTING": True,
        "SQLALCHEMY_DATABASE_URI": TEST_DATABASE_URL or f"sqlite:///{database}",
        "SECRET_KEY": "tests-only-secret",
        "PREFERRED_URL_SCHEME": "http",
        "SESSION_COOKIE_SECURE": False,
        "REMEMBER_COOKIE_SECURE": False,
        "RATELIMIT_ENABLED": False,
        **(marker.kwargs if marker else {}),
    }
    application = create_app(settings)
    application.instance_path = str(tmp_path / "instance")
    application.test_client_class = Client
    with application.app_context():
        _db.create_all()  # a no-op on the copied schema, needed for any other database
    yield application
    with application.app_context():
        _db.session.remove()  # an open transaction would block TRUNCATE on PostgreSQL
        if uses_postgresql():
            _empty_all_tables()
        _db.engine.dispose()


@pytest.fixture
def client(app: Flask) -> Client:
    return app.test_client()


@pytest.fixture
def new_client(app: Flask) -> Callable[[], Client]:
    """More browsers at once: each client has its own cookies."""
    return app.test_client


@pytest.fixture
def db(app: Flask) -> Database:
    return Database(app)


@functools.cache
def _usual_password_hash() -> str:
    """A cheap hash for the shared test password: signing in is done thousands of times.

    Checking reads the method from the hash, so the app's own (scrypt) path for new passwords
    is still what registration and password changes exercise.
    """
    return generate_password_hash(PASSWORD, method="pbkdf2:sha256:1000")


@pytest.fixture
def make_user(db: Database) -> Callable[..., User]:
    counter = iter(range(1, 10_000))

    def make(email: str | None = None, password: str = PASSWORD, *, name: str | None = None,
             is_admin: bool = False, locale: str | None = None) -> User:
        number = next(counter)
        user = User(display_name=name or f"Resident {number}",
                    email=email or f"resident{number}@example.org",
                    locale=locale, is_admin=is_admin)
        if password == PASSWORD:  # scrypt is slow on purpose; hash the usual password only once
            user.password_hash = _usual_password_hash()
        else:
            user.set_password(password)
        return db.add(user)

    return make


@pytest.fixture
def make_centre(db: Database) -> Callable[..., Centre]:
    counter = iter(range(1, 10_000))

    def make(slug: str | None = None, *, name: str | None = None, city: str = "Warszawa",
             **fields) -> Centre:
        number = next(counter)
        return db.add(Centre(slug=slug or f"centre-{number}", name=name or f"Centre {number}",
                             city=city, **fields))

    return make


@pytest.fixture
def make_member(db: Database) -> Callable[..., Membership]:
    def make(user: User, centre: Centre, role: Role = Role.RESIDENT) -> Membership:
        return db.add(Membership(user_id=user.id, centre_id=centre.id, role=role))

    return make


@pytest.fixture
def world(make_user, make_centre, make_member):
    """Two centres, A and B, each with a resident and an animator, and a platform admin."""
    centre_a = make_centre("centre-a", name="Centre A")
    centre_b = make_centre("centre-b", name="Centre B", city="Głogów")
    people = {
        "resident_a": make_user("resident-a@example.org"),
        "resident_b": make_user("resident-b@example.org"),
        "animator_a": make_user("animator-a@example.org"),
        "animator_b": make_user("animator-b@example.org"),
        "admin": make_user("admin@example.org", is_admin=True),
        "outsider": make_user("outsider@example.org"),
    }
    make_member(people["resident_a"], centre_a)
    make_member(people["resident_b"], centre_b)
    make_member(people["animator_a"], centre_a, Role.ANIMATOR)
    make_member(people["animator_b"], centre_b, Role.ANIMATOR)
    return {"a": centre_a, "b": centre_b, **people}
