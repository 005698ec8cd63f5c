"""Migrations build the schema from an empty database, and agree with the models.

Runs on SQLite, and on PostgreSQL when TEST_DATABASE_URL names one (as in CI).
"""

from __future__ import annotations

import flask_migrate
import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect, text

from participation import create_app
from participation.extensions import db

from .support import TEST_DATABASE_URL


@pytest.fixture
def empty_database_app(tmp_path):
    app = create_app({
        "TESTING": True,
        "SQLALCHEMY_DATABASE_URI": TEST_DATABASE_URL or f"sqlite:///{tmp_path / 'm.sqlite3'}",
    })
    with app.app_context():
        _drop_everything()
        yield app
        _drop_everything()
        db.engine.dispose()


def _drop_everything() -> None:
    db.session.remove()  # an open transaction would make DROP wait forever on PostgreSQL
    db.drop_all()
    with db.engine.begin() as connection:
        connection.execute(text("DROP TABLE IF EXISTS alembic_version"))


def schema_differences() -> list:
    with db.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        return compare_metadata(context, db.metadata)


def test_upgrade_from_empty_matches_the_models_and_downgrade_empties(empty_database_app):
    assert inspect(db.engine).get_table_names() == []
    flask_migrate.upgrade()
    tables = set(inspect(db.engine).get_table_names())
    assert set(db.metadata.tables) <= tables
    assert schema_differences() == []

    flask_migrate.downgrade(revision="base")
    assert set(inspect(db.engine).get_table_names()) <= {"alembic_version"}


def test_the_check_would_notice_a_missing_migration(empty_database_app):
    """The comparison above is not vacuous: a table the migrations lack shows up."""
    flask_migrate.upgrade()
    with db.engine.begin() as connection:
        connection.execute(text("DROP TABLE membership"))
    assert any(difference[0] == "add_table" for difference in schema_differences())
