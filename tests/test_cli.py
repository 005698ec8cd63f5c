"""The operators' commands: admin, centre, animator, demo data."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select

from participation.models import Centre, Membership, Role, User

from .support import PASSWORD, translate


@pytest.fixture(autouse=True)
def english_terminal(monkeypatch):
    """Commands speak the operator's system language; these tests read English."""
    monkeypatch.delenv("LC_ALL", raising=False)
    monkeypatch.delenv("LC_MESSAGES", raising=False)
    monkeypatch.setenv("LANG", "en_GB.UTF-8")


def run(app, *args, input=None):
    return app.test_cli_runner().invoke(args=list(args), input=input)


def test_create_admin_makes_a_new_account_an_admin(app, db):
    result = run(app, "create-admin", "--email", "It@Example.org", "--name", "IT",
                 "--password", PASSWORD)
    assert result.exit_code == 0, result.output
    user = db.scalar(select(User).where(User.email == "it@example.org"))
    assert user.is_admin and user.check_password(PASSWORD)


def test_create_admin_refuses_a_common_password(app, db):
    result = run(app, "create-admin", "--email", "it@example.org", "--password", "password1")
    assert result.exit_code != 0 and "most common" in result.output
    assert db.count(User) == 0


def test_create_admin_promotes_an_existing_account(app, db, make_user):
    user = make_user("jan@example.org")
    assert run(app, "create-admin", "--email", "jan@example.org",
               "--password", "ignored-for-existing").exit_code == 0
    assert db.get(User, user.id).is_admin


def test_create_centre_and_add_animator(app, db, make_user):
    result = run(app, "create-centre", "--slug", "radlin", "--name", "CAL Radlin",
                 "--city", "Radlin", "--operator", "MOPS Radlin")
    assert result.exit_code == 0, result.output
    assert "/c/radlin/" in result.output
    user = make_user("marta@example.org")
    result = run(app, "add-animator", "--centre", "radlin", "--email", "marta@example.org")
    assert result.exit_code == 0, result.output
    membership = db.scalar(select(Membership).where(Membership.user_id == user.id))
    assert membership.role is Role.ANIMATOR


def test_cli_errors_are_clear_and_write_nothing(app, db, make_centre):
    make_centre("radlin")
    result = run(app, "create-centre", "--slug", "radlin", "--name", "X", "--city", "Y")
    assert result.exit_code != 0 and "already uses this address name" in result.output
    result = run(app, "create-centre", "--slug", "Bad Slug", "--name", "X", "--city", "Y")
    assert result.exit_code != 0 and "small letters" in result.output
    result = run(app, "add-animator", "--centre", "radlin", "--email", "nobody@example.org")
    assert result.exit_code != 0 and "register first" in result.output
    result = run(app, "add-animator", "--centre", "nowhere", "--email", "nobody@example.org")
    assert result.exit_code != 0 and "no centre" in result.output
    assert db.count(Centre) == 1 and db.count(Membership) == 0


def test_demo_loads_real_centres_and_prints_working_logins(app, db, client):
    result = run(app, "demo")
    assert result.exit_code == 0, result.output
    slugs = set(db.scalars(select(Centre.slug)))
    assert {"paca-40", "mops-glogow", "gops-olawa"} <= slugs
    logins = [line.split() for line in result.output.splitlines() if "@example.org" in line]
    assert len(logins) >= 5
    email, password = logins[0][-2:]
    assert email == "admin@example.org"
    assert client.login(email, password).status_code == 303
    assert client.get("/admin/").status_code == 200
    assert password in Path(app.instance_path, "demo-logins.txt").read_text()


def test_commands_speak_the_system_language(app, monkeypatch):
    monkeypatch.setenv("LANG", "uk_UA.UTF-8")
    result = run(app, "add-animator", "--centre", "nowhere", "--email", "a@example.org")
    assert translate("There is no centre at this address.", "uk") in result.output


def test_demo_if_empty_leaves_existing_data_alone(app, db, make_user):
    make_user()
    result = run(app, "demo", "--if-empty")
    assert result.exit_code == 0 and "not loaded" in result.output
    assert db.count(Centre) == 0
    assert run(app, "demo").exit_code != 0
