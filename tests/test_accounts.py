"""Registering, signing in and out, password and profile."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from participation.models import AgeBracket, User

from .support import PASSWORD, translate


def register(client, **overrides):
    data = {
        "display_name": "Ewa",
        "email": "ewa@example.org",
        "password": PASSWORD,
        "confirm": PASSWORD,
        "age_confirmed": "y",
        **overrides,
    }
    return client.post("/account/register", data=data)


def test_register_creates_account_and_signs_in(client, db):
    response = register(client, email="  Ewa@Example.ORG ")
    assert response.status_code == 303
    user = db.scalar(select(User).where(User.email == "ewa@example.org"))
    assert user is not None and user.display_name == "Ewa"
    assert user.password_hash != PASSWORD and user.check_password(PASSWORD)
    assert client.get("/account/profile").status_code == 200


def test_register_takes_the_language_in_use(client, db):
    client.post("/language", data={"locale": "uk", "next": "/"})
    register(client)
    assert db.scalar(select(User.locale).where(User.email == "ewa@example.org")) == "uk"


def test_duplicate_email_is_refused_with_a_message(client, db, make_user):
    make_user("ewa@example.org")
    response = register(client, email="EWA@example.org", display_name="Another Ewa")
    assert response.status_code == 422
    assert "already exists" in response.get_data(as_text=True)
    assert db.count(User) == 1


@pytest.mark.parametrize(
    ("password", "reason"),
    [
        ("short1", "at least 8 characters"),
        ("password1", "most common"),
        ("zaq12wsx", "most common"),
        ("QWERTY123", "most common"),
        ("ewa@example.org", "name or e-mail"),
        ("x" * 129, "too long"),
    ],
)
def test_weak_password_is_refused(client, db, password, reason):
    response = register(client, password=password, confirm=password)
    assert response.status_code == 422
    assert reason in response.get_data(as_text=True)
    assert db.count(User) == 0


def test_registration_needs_age_confirmation(client, db):
    response = register(client, age_confirmed="")
    assert response.status_code == 422
    assert "16 or older" in response.get_data(as_text=True)
    assert db.count(User) == 0


def test_mismatched_passwords_are_refused(client, db):
    response = register(client, confirm=PASSWORD + "!")
    assert response.status_code == 422
    assert "not the same" in response.get_data(as_text=True)
    assert db.count(User) == 0


def test_login_with_wrong_password_or_unknown_email_says_the_same(client, make_user):
    make_user("jan@example.org")
    wrong_password = client.login("jan@example.org", "not-the-password")
    unknown_email = client.login("nobody@example.org", PASSWORD)
    assert wrong_password.status_code == unknown_email.status_code == 422
    message = "The e-mail address or password is not correct."
    assert message in wrong_password.get_data(as_text=True)
    assert message in unknown_email.get_data(as_text=True)
    assert client.get("/account/profile").status_code == 302


def test_login_records_time_and_accepts_any_case_of_email(client, db, make_user):
    user = make_user("jan@example.org")
    assert client.login("JAN@example.org").status_code == 303
    assert db.get(User, user.id).last_login_at is not None


def test_session_is_renewed_on_login(client, make_user):
    make_user("jan@example.org")
    with client.session_transaction() as session:
        session["planted"] = "by an attacker"
    before = client.get_cookie("session").value
    client.login("jan@example.org")
    with client.session_transaction() as session:
        assert "planted" not in session
        assert session.get("_user_id")
    assert client.get_cookie("session").value != before


def test_remember_me_sets_a_long_lived_cookie(client, make_user):
    make_user("jan@example.org")
    client.login("jan@example.org", remember="y")
    assert client.get_cookie("remember_token") is not None


def test_signing_out_also_forgets_the_remember_cookie(client, make_user):
    # Shared computers at a centre: "keep me signed in" must not survive "Sign out".
    make_user("jan@example.org")
    client.login("jan@example.org", remember="y")
    assert client.post("/account/logout").status_code == 303
    assert client.get_cookie("remember_token") is None
    assert client.get("/account/profile").status_code == 302


def test_logout_is_post_only(client, make_user):
    make_user("jan@example.org")
    client.login("jan@example.org")
    assert client.get("/account/logout").status_code == 405
    assert client.get("/account/profile").status_code == 200
    assert client.post("/account/logout").status_code == 303
    assert client.get("/account/profile").status_code == 302


@pytest.mark.parametrize(
    "target",
    ["https://evil.example/", "//evil.example/", "/\\evil.example", "http:/evil", "javascript:x"],
)
def test_login_refuses_to_redirect_off_site(client, make_user, target):
    make_user("jan@example.org")
    response = client.post(
        "/account/login",
        query_string={"next": target},
        data={"email": "jan@example.org", "password": PASSWORD},
    )
    assert response.status_code == 303
    assert response.headers["Location"] == "/"


def test_login_follows_a_local_next(client, make_user):
    make_user("jan@example.org")
    response = client.post(
        "/account/login",
        query_string={"next": "/c/paca-40/?tab=1"},
        data={"email": "jan@example.org", "password": PASSWORD},
    )
    assert response.headers["Location"] == "/c/paca-40/?tab=1"


@pytest.mark.app_config(RATELIMIT_ENABLED=True, RATELIMIT_LOGIN_ACCOUNT="3 per minute",
                        RATELIMIT_LOGIN_IP="1000 per minute")
def test_login_is_rate_limited_per_account(new_client, make_user):
    make_user("jan@example.org")
    # Each attempt from a different address: the per-account limit still holds.
    for number in range(3):
        client = new_client()
        client.environ_base["REMOTE_ADDR"] = f"10.0.0.{number}"
        assert client.login("jan@example.org", "wrong-guess").status_code == 422
    client = new_client()
    client.environ_base["REMOTE_ADDR"] = "10.0.0.99"
    response = client.login("jan@example.org", PASSWORD)
    assert response.status_code == 429
    assert "Too many attempts" in response.get_data(as_text=True)
    # Another account is not affected.
    make_user("ola@example.org")
    assert client.login("ola@example.org").status_code == 303


@pytest.mark.app_config(RATELIMIT_ENABLED=True, RATELIMIT_LOGIN_IP="2 per minute",
                        RATELIMIT_LOGIN_ACCOUNT="1000 per minute")
def test_login_is_rate_limited_per_address(client, make_user):
    make_user("jan@example.org")
    client.login("a@example.org", "wrong-guess")
    client.login("b@example.org", "wrong-guess")
    response = client.login("jan@example.org")
    assert response.status_code == 429


@pytest.mark.app_config(RATELIMIT_ENABLED=True, RATELIMIT_REGISTER_IP="2 per hour")
def test_registration_is_rate_limited_with_a_translated_message(client, db):
    register(client, email="one@example.org")
    client.post("/account/logout")
    register(client, email="two@example.org")
    client.post("/account/logout")
    client.post("/language", data={"locale": "pl", "next": "/"})
    response = register(client, email="three@example.org")
    assert response.status_code == 429
    assert translate("Too many attempts", "pl") in response.get_data(as_text=True)
    assert db.count(User) == 2


def test_change_password_signs_out_other_devices(new_client, make_user):
    user = make_user("jan@example.org")
    here, elsewhere = new_client(), new_client()
    here.login(user.email)
    elsewhere.login(user.email, remember="y")
    response = here.post("/account/password", data={
        "current_password": PASSWORD, "new_password": "nowe-haslo-na-grochowie",
        "confirm": "nowe-haslo-na-grochowie",
    })
    assert response.status_code == 303
    assert here.get("/account/profile").status_code == 200
    assert elsewhere.get("/account/profile").status_code == 302
    elsewhere.delete_cookie("session")  # the remember cookie alone must not bring it back
    assert elsewhere.get("/account/profile").status_code == 302
    assert new_client().login(user.email, "nowe-haslo-na-grochowie").status_code == 303


def test_change_password_needs_the_current_one(client, db, make_user):
    user = make_user("jan@example.org")
    client.login(user.email)
    response = client.post("/account/password", data={
        "current_password": "wrong", "new_password": "nowe-haslo-na-grochowie",
        "confirm": "nowe-haslo-na-grochowie",
    })
    assert response.status_code == 422
    assert "current password is not correct" in response.get_data(as_text=True)
    assert db.get(User, user.id).check_password(PASSWORD)


def test_profile_saves_name_language_and_age(client, db, make_user):
    user = make_user("jan@example.org")
    client.login(user.email)
    response = client.post("/account/profile", data={
        "display_name": "Jan z Grochowa", "locale": "uk", "age_bracket": "65_74",
    })
    assert response.status_code == 303
    saved = db.get(User, user.id)
    assert (saved.display_name, saved.locale, saved.age_bracket) == (
        "Jan z Grochowa", "uk", AgeBracket.FROM_65_TO_74)
    assert '<html lang="uk">' in client.get("/").get_data(as_text=True)


@pytest.mark.parametrize(
    "data",
    [
        {"display_name": "", "locale": "pl", "age_bracket": ""},
        {"display_name": "J" * 81, "locale": "pl", "age_bracket": ""},
        {"display_name": "Jan", "locale": "xx", "age_bracket": ""},
        {"display_name": "Jan", "locale": "pl", "age_bracket": "under_16"},
        {"display_name": "Jan", "locale": "pl", "age_bracket": "1000"},
    ],
)
def test_profile_refuses_bad_input(client, db, make_user, data):
    user = make_user("jan@example.org", name="Jan")
    client.login(user.email)
    response = client.post("/account/profile", data=data)
    assert response.status_code == 422
    assert 'class="error-summary"' in response.get_data(as_text=True)
    saved = db.get(User, user.id)
    assert (saved.display_name, saved.locale, saved.age_bracket) == ("Jan", None, None)
