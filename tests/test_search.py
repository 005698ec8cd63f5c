"""Search boxes ignore case and accents the same way in Python and in SQL, on SQLite and on
PostgreSQL: "lucja" finds "Łucja", "swietlica" finds "Świetlica" (participation.search)."""

from __future__ import annotations

import pytest
from sqlalchemy import literal, select

from participation.extensions import db as db_
from participation.search import FOLD_FROM, FOLD_TO, fold, folded, translate

from .proposals_fixtures import make_proposal

# Latin text only: a PostgreSQL database with the C locale lower-cases no Cyrillic letter, which
# is why contains_word also tries the word as typed and capitalised (see the last test).
SAMPLES = ["Łucja Żak", "ŚWIETLICA Środowiskowa", "Gęś ąćęłńóśźż", "ĄĆĘŁŃÓŚŹŻ", "Müller Čapek",
           "100% _pomocy_", "O'Brien", ""]


@pytest.mark.parametrize("text", SAMPLES)
def test_the_database_folds_text_as_python_does(app, text):
    """The SQL side (translate(lower(…))) and the Python side (fold) must agree, or a search
    typed one way would miss a row stored the other way."""
    with app.app_context():
        in_sql = db_.session.scalar(select(folded(literal(text))))
    assert in_sql == fold(text)


def test_polish_letters_fold_to_their_base_letters():
    assert fold("Łucja Żak ŹDŹBŁO ąćęńóś") == "lucja zak zdzblo acenos"
    assert fold("Олена") == "олена"  # Cyrillic letters are letters of their own
    assert len(FOLD_FROM) == len(FOLD_TO)


def test_translate_behaves_like_postgresql():
    assert translate("Łódź", "Łóź", "loz") == "lodz"
    assert translate("abc", "ab", "x") == "xc"  # no counterpart: dropped
    assert translate("aaa", "aa", "xy") == "xxx"  # the first occurrence in the source wins
    assert translate(None, "a", "b") is None


@pytest.mark.parametrize("typed", ["swietlica", "ŚWIETLICA", "świetlica", "Swietl", "zolty"])
def test_the_proposal_list_finds_words_typed_without_accents(app, client, scene, typed):
    found = make_proposal(app, scene, title="Świetlica: żółty kącik")
    other = make_proposal(app, scene, title="Ławki na skwerze")
    page = client.get("/c/centre-a/proposals/", query_string={"q": typed}).get_data(as_text=True)
    assert f"/proposals/{found}\"" in page
    assert f"/proposals/{other}\"" not in page


@pytest.mark.parametrize("typed", ["олена", "Олена", "їжак"])
def test_the_member_search_finds_cyrillic_names_whatever_the_case(app, client, world,
                                                                   make_user, make_member,
                                                                   typed):
    olena = make_user(name="Олена Їжак")
    make_member(olena, world["a"])
    client.login("animator-a@example.org")
    page = client.get("/c/centre-a/manage/members/", query_string={"q": typed})
    assert f"/manage/members/{olena.id}\"" in page.get_data(as_text=True)
