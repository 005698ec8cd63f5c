"""Three languages: complete catalogues, real plural forms, choosing the language, time zones."""

from __future__ import annotations

import re
import subprocess
import sys
from datetime import UTC, datetime

import pytest
from babel.messages.pofile import read_po
from flask import g
from flask_babel import format_date, format_datetime, ngettext
from sqlalchemy import select

from participation import PROJECT_ROOT
from participation.models import Membership, User

from .support import translate

LOCALES = ("pl", "uk", "en")


def catalogue(locale: str):
    with open(PROJECT_ROOT / "translations" / locale / "LC_MESSAGES" / "messages.po", "rb") as f:
        return read_po(f, locale=locale)


@pytest.mark.parametrize("locale", LOCALES)
def test_catalogue_has_no_untranslated_or_fuzzy_message(locale):
    problems = []
    for message in catalogue(locale):
        if not message.id:
            continue
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        if not all(strings):
            problems.append(f"untranslated: {message.id!r}")
        if message.fuzzy:
            problems.append(f"fuzzy: {message.id!r}")
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("locale", ("pl", "uk"))
def test_slavic_catalogues_have_three_plural_forms(locale):
    assert catalogue(locale).num_plurals == 3


def test_every_extracted_message_is_in_every_catalogue(tmp_path):
    template = tmp_path / "messages.pot"
    subprocess.run(  # noqa: S603 (a fixed command line)
        [sys.executable, "-m", "babel.messages.frontend", "extract", "-F", "babel.cfg",
         "-k", "_l", "-k", "lazy_ngettext:1,2", "--no-location", "-o", str(template), "."],
        cwd=PROJECT_ROOT, check=True, capture_output=True,
    )
    with open(template, "rb") as handle:
        extracted = {message.id for message in read_po(handle) if message.id}
    assert len(extracted) > 100
    for locale in LOCALES:
        known = {message.id for message in catalogue(locale) if message.id}
        missing = extracted - known
        assert not missing, f"{locale} lacks {sorted(map(str, missing))[:10]}: make i18n-update"


@pytest.mark.parametrize(
    ("locale", "same_as_one", "same_as_two", "same_as_five"),
    [
        ("pl", [1], [2, 3, 4, 22, 24, 102], [0, 5, 11, 12, 14, 21, 25, 112]),
        ("uk", [1, 21, 101], [2, 3, 4, 22, 24, 102], [0, 5, 11, 12, 14, 25, 112]),
    ],
)
def test_counts_take_the_right_plural_form(app, locale, same_as_one, same_as_two, same_as_five):
    def members(count: int) -> str:
        with app.test_request_context(headers={"Accept-Language": locale}):
            text = ngettext("%(num)d member", "%(num)d members", count)
        assert text.startswith(str(count))
        return text.removeprefix(str(count))

    one, two, five = members(1), members(2), members(5)
    assert len({one, two, five}) == 3
    assert all(members(n) == one for n in same_as_one)
    assert all(members(n) == two for n in same_as_two)
    assert all(members(n) == five for n in same_as_five)


# Nouns that change form with the number before them in Polish and Ukrainian.
COUNTED_NOUNS = ("activities", "characters", "days", "hours", "members", "minutes", "parts",
                 "people", "places", "proposals", "supports", "times", "tokens", "votes",
                 "years", "percentage points")


def test_a_number_before_a_counted_noun_is_always_a_plural_message():
    """"at most %(max)d characters" through gettext reads "najwyżej 2 znaków" in Polish: a
    number followed by a noun must go through ngettext (or {% pluralize %})."""
    number_then_noun = re.compile(r"%\(\w+\)[sd] (" + "|".join(COUNTED_NOUNS) + r")\b")
    singular_only = [message.id for message in catalogue("en")
                     if isinstance(message.id, str) and number_then_noun.search(message.id)]
    assert not singular_only, "use ngettext for:\n" + "\n".join(singular_only)


def test_the_centre_page_counts_members_in_polish(client, make_centre, make_user, make_member):
    centre = make_centre("paca-40")
    for _ in range(2):
        make_member(make_user(), centre)
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "pl"
    html = client.get("/c/paca-40/").get_data(as_text=True)
    with client.application.test_request_context(headers={"Accept-Language": "pl"}):
        expected = ngettext("%(num)d member", "%(num)d members", 2)
    assert expected in html and expected != "2 members"


def test_polish_is_the_default_language(client):
    client.environ_base.pop("HTTP_ACCEPT_LANGUAGE")
    html = client.get("/").get_data(as_text=True)
    assert '<html lang="pl">' in html
    assert translate("Find your local activity centre", "pl") in html


@pytest.mark.parametrize(
    ("accept", "expected"),
    [("uk-UA,uk;q=0.9", "uk"), ("en-GB,en;q=0.8", "en"), ("de-DE", "pl"), ("ru,uk;q=0.5", "uk")],
)
def test_browser_language_is_used_when_nothing_was_chosen(client, accept, expected):
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = accept
    assert f'<html lang="{expected}">' in client.get("/").get_data(as_text=True)


def test_choice_in_session_beats_browser_and_account_beats_session(client, make_user):
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    response = client.post("/language", data={"locale": "uk", "next": "/help"})
    assert response.status_code == 303 and response.headers["Location"] == "/help"
    assert '<html lang="uk">' in client.get("/").get_data(as_text=True)

    user = make_user("jan@example.org", locale="pl")
    client.login(user.email)
    assert '<html lang="pl">' in client.get("/").get_data(as_text=True)


def test_switching_language_when_signed_in_saves_it_to_the_account(client, db, make_user):
    user = make_user("jan@example.org", locale="pl")
    client.login(user.email)
    client.post("/language", data={"locale": "uk", "next": "/"})
    assert db.get(User, user.id).locale == "uk"


def test_language_switch_refuses_unknown_language_and_foreign_next(client):
    response = client.post("/language", data={"locale": "xx", "next": "/"})
    assert response.status_code == 400
    assert "Choose one of the languages offered." in response.get_data(as_text=True)
    response = client.post("/language", data={"locale": "uk", "next": "https://evil.example/"})
    assert response.status_code == 303 and response.headers["Location"] == "/"


def test_the_language_switch_works_without_javascript(client):
    html = client.get("/help").get_data(as_text=True)
    assert 'action="/language"' in html and 'method="post"' in html
    for code in LOCALES:
        assert f'name="locale" value="{code}"' in html


def test_dates_are_shown_in_the_centres_time_zone(app):
    # 23:30 UTC on 31 December is already New Year's Day in Warsaw, and not yet in Lisbon.
    late_evening = datetime(2026, 12, 31, 23, 30, tzinfo=UTC)
    with app.test_request_context():  # no centre: Warsaw
        assert format_date(late_evening, "yyyy-MM-dd") == "2027-01-01"
    with app.test_request_context():  # the zone is chosen once per request, from g.centre
        g.centre = type("CentreStub", (), {"timezone": "Europe/Lisbon"})()
        assert format_datetime(late_evening, "yyyy-MM-dd HH:mm") == "2026-12-31 23:30"


def test_membership_date_uses_the_centre_zone(client, db, make_centre, make_user):
    centre = make_centre("paca-40")
    user = make_user("jan@example.org")
    db.add(Membership(user_id=user.id, centre_id=centre.id,
                      joined_at=datetime(2026, 12, 31, 23, 30, tzinfo=UTC)))
    client.login(user.email)
    html = client.get("/c/paca-40/").get_data(as_text=True)
    assert "Member since January 1, 2027." in html
    assert db.scalar(select(Membership.joined_at)) == datetime(2026, 12, 31, 23, 30, tzinfo=UTC)
