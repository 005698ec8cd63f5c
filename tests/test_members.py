"""The animators' members pages and a person's own history.

Finding a member by name (case-insensitive, also for Polish capitals on SQLite) or by the
code of their access card, typed any way or scanned as the card's address; erased accounts are
never listed. The member's page shows the card and the history at this centre. Bad input gets
a 4xx and a message that says what to do, and writes nothing. A person's history shows their
own acts only.
"""

from __future__ import annotations

import html
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from participation.activities import service as activities
from participation.cards.codes import display_code, hash_code, new_code
from participation.extensions import db as db_
from participation.models import (
    AccessCard,
    Activity,
    Proposal,
    Signup,
    SignupStatus,
    Support,
    User,
)
from participation.proposals import service as proposals

from .proposals_fixtures import make_proposal, set_centre, unit_of_work, user
from .test_assisted_acts import (
    ANIMATOR_NAME,
    BASE,
    MembersScene,
    make_members_scene,
    rows,
    sign_in_as,
)


@pytest.fixture
def ms(app, scene, world, make_user, make_member, db) -> MembersScene:
    return make_members_scene(app, scene, world, make_user, make_member, db)


def give_card(app, user_id: int, centre_id: int, *, revoked: bool = False) -> str:
    """A card in the table, as the cards part would issue it; the printed code."""
    code = new_code()
    with app.app_context():
        db_.session.add(AccessCard(user_id=user_id, centre_id=centre_id,
                                   code_hash=hash_code(code),
                                   revoked_at=datetime.now(UTC) if revoked else None))
        db_.session.commit()
    return code


def text(response) -> str:
    return response.get_data(as_text=True)


# --- The list and the search ----------------------------------------------------------------


def test_the_list_shows_members_marks_animators_and_links_registration(client, ms):
    client.login("animator-a@example.org")
    page = text(client.get(f"{BASE}/"))
    assert "Łucja Kowalska" in page and ANIMATOR_NAME in page
    assert "animator" in page and "no e-mail (access card)" in page
    assert "Centre B" not in page and "resident-b@example.org" not in page


@pytest.mark.parametrize("typed", ["łucja", "Łucja", "KOWAL", "kowalska łucja", "ucja", "lucja",
                                   "LUCJA kowalska"])
def test_search_by_name_ignores_case_and_accents(client, ms, typed):
    client.login("animator-a@example.org")
    response = client.get(f"{BASE}/", query_string={"q": typed})
    assert response.status_code == 200
    assert f"{BASE}/{ms.resident}\"" in text(response)
    assert "1 member matches" in text(response)


def test_search_finds_nobody_and_says_what_to_try(client, ms):
    client.login("animator-a@example.org")
    page = text(client.get(f"{BASE}/", query_string={"q": "Nowakowska"}))
    assert "0 members match" in page
    assert "Try part of the name" in page
    assert f"{BASE}/{ms.resident}\"" not in page


def test_search_treats_like_wildcards_literally(client, ms):
    client.login("animator-a@example.org")
    page = text(client.get(f"{BASE}/", query_string={"q": "%"}))
    assert "0 members match" in page


def test_erased_people_are_never_listed(app, client, ms):
    with app.app_context():
        db_.session.get(User, ms.resident).erased_at = datetime.now(UTC)
        db_.session.commit()
    client.login("animator-a@example.org")
    for query in ({}, {"q": "Kowalska"}, {"q": "Former"}):
        page = text(client.get(f"{BASE}/", query_string=query))
        assert f"{BASE}/{ms.resident}\"" not in page
        assert "Łucja" not in page


@pytest.mark.parametrize("how", ["plain", "printed", "lower-with-spaces", "scanned"])
def test_a_card_code_goes_straight_to_its_holder(app, client, ms, scene, how):
    code = give_card(app, ms.resident, scene.a)
    typed = {"plain": code, "printed": display_code(code),
             "lower-with-spaces": " ".join(display_code(code).lower().split("-")),
             "scanned": f"http://localhost/account/card/{code}"}[how]
    client.login("animator-a@example.org")
    response = client.get(f"{BASE}/", query_string={"q": typed})
    assert response.status_code == 303
    assert response.headers["Location"].endswith(f"{BASE}/{ms.resident}")


def test_a_revoked_or_foreign_card_finds_nobody(app, client, ms, scene):
    revoked = give_card(app, ms.resident, scene.a, revoked=True)
    foreign = give_card(app, scene.resident_b, scene.b)
    client.login("animator-a@example.org")
    for code in (revoked, foreign, "K7M2Q-9XDRB"):
        response = client.get(f"{BASE}/", query_string={"q": code})
        assert response.status_code == 200
        assert "No member of this centre holds a card with this code." in text(response)
        assert "Kowalska" not in text(response).split("</form>", 2)[-1]


def test_live_search_answers_with_the_results_only(app, client, ms, scene):
    client.login("animator-a@example.org")
    headers = {"HX-Request": "true", "HX-Target": "member-results"}
    response = client.get(f"{BASE}/", query_string={"q": "kowal"}, headers=headers)
    assert response.status_code == 200
    assert text(response).lstrip().startswith('<section id="member-results"')
    assert "HX-Request" in response.headers.get("Vary", "")
    code = give_card(app, ms.resident, scene.a)  # a complete code lists its holder in place
    response = client.get(f"{BASE}/", query_string={"q": code}, headers=headers)
    assert f"{BASE}/{ms.resident}\"" in text(response)


def test_a_long_search_is_refused_with_a_message(client, ms):
    client.login("animator-a@example.org")
    response = client.get(f"{BASE}/", query_string={"q": "x" * 201})
    assert response.status_code == 422
    assert "Enter at most 200 characters" in text(response)


def test_the_list_is_paged(app, client, ms, scene):
    from .proposals_fixtures import add_members

    add_members(app, scene.a, 35)
    client.login("animator-a@example.org")
    first = text(client.get(f"{BASE}/"))
    assert "Page 1 of 2" in first and "page=2" in first
    assert "Page 2 of 2" in text(client.get(f"{BASE}/", query_string={"page": 2}))


# --- The member's page ----------------------------------------------------------------------


def test_the_member_page_shows_card_forms_and_history(app, client, ms, scene):
    give_card(app, ms.resident, scene.a)
    with unit_of_work(app):
        proposals.record_assisted_support(user(scene.animator),
                                          db_.session.get(Proposal, ms.proposal), ms.resident)
    client.login("animator-a@example.org")
    response = client.get(f"{BASE}/{ms.resident}")
    assert response.status_code == 200
    page = text(response)
    assert "<h1>Łucja Kowalska</h1>" in page
    assert "an access card (no e-mail)" in page
    assert "not used yet" in page  # the one-time link
    assert f'action="/c/centre-a/manage/cards/{ms.resident}/reissue"' in page
    assert f'href="/c/centre-a/manage/members/{ms.resident}/erase"' in page
    assert "Gra w szachy" in page  # her place, in the cancel form and in the history
    assert "Wycieczka do lasu" in page  # open (full: she would join the waitlist)
    assert f"Entered by {ANIMATOR_NAME} at Centre A" in page
    # Supported already: the support form offers nothing more.
    assert "There is no proposal open for support that this member has not supported yet." in page
    assert "Mural w Głogowie" not in page and "Piknik w Głogowie" not in page  # B's


def test_an_animator_sees_their_own_page_without_acts(client, scene, ms):
    client.login("animator-a@example.org")
    page = text(client.get(f"{BASE}/{scene.animator}"))
    assert "This is your own account" in page
    assert f'action="/c/centre-a/manage/members/{scene.animator}/support' not in page


# --- Bad input ------------------------------------------------------------------------------


PROPOSAL = {"propose-title": "Kącik czytelniczy",
            "propose-body": "Półka z książkami i dwa fotele w holu centrum.",
            "propose-category_id": "{category}", "propose-place": ""}
BAD_INPUT = [
    ("propose", {**PROPOSAL, "propose-title": ""}, 422, "Enter a title."),
    ("propose", {**PROPOSAL, "propose-title": "Kąt"}, 422,
     "The title must have from 5 to 120 characters."),
    ("propose", {**PROPOSAL, "propose-body": "Za krótko."}, 422,
     "The description must have from 20 to 5,000 characters."),
    ("propose", {**PROPOSAL, "propose-category_id": "999999"}, 422,
     "Choose one of the centre's categories."),
    ("propose", {**PROPOSAL, "propose-category_id": "abc"}, 422,
     "Choose one of the centre's categories."),
    ("propose", {**PROPOSAL, "propose-place": "x" * 201}, 422,
     "The place can have at most 200 characters."),
    ("support", {"support-proposal_id": "999999"}, 422,
     "Choose one of the proposals in the list."),
    ("support", {"support-proposal_id": "{proposal_b}"}, 422,
     "Choose one of the proposals in the list."),
    ("support", {"support-proposal_id": "abc"}, 422, "Choose one of the proposals in the list."),
    ("support", {}, 422, "Choose one of the proposals in the list."),
    ("sign-up", {"signup-activity_id": "{activity_b}"}, 422,
     "Choose one of the activities in the list."),
    ("sign-up", {"signup-activity_id": "{booked}"}, 422,  # she holds a place already
     "Choose one of the activities in the list."),
    ("sign-up", {"signup-activity_id": "99999999999999999999"}, 422,
     "Choose one of the activities in the list."),
    ("cancel", {"cancel-activity_id": "{activity}"}, 422,  # no place there
     "Choose one of the member's places in the list."),
    ("cancel", {}, 422, "Choose one of the member's places in the list."),
]


@pytest.mark.parametrize(("act", "data", "status", "message"), BAD_INPUT,
                         ids=[f"{act}-{i}" for i, (act, *_) in enumerate(BAD_INPUT)])
def test_bad_input_is_refused_with_a_message_and_writes_nothing(app, client, ms, act, data,
                                                                status, message):
    client.login("animator-a@example.org")
    values = {"category": ms.category, "proposal_b": ms.proposal_b,
              "activity_b": ms.activity_b, "booked": ms.booked, "activity": ms.activity}
    before = rows(app)
    response = client.post(f"{BASE}/{ms.resident}/{act}",
                           data={key: value.format(**values) for key, value in data.items()})
    assert response.status_code == status
    assert message in html.unescape(text(response))
    assert 'class="error-summary"' in text(response)
    assert rows(app) == before


def test_a_rule_broken_in_the_service_is_shown_on_the_page(app, client, ms, scene):
    """Voting closed after the page was opened: the service refuses (409), the page says why."""
    set_centre(app, scene.a, voting_closes_at=datetime.now(UTC) - timedelta(hours=1))
    client.login("animator-a@example.org")
    before = rows(app)
    response = client.post(f"{BASE}/{ms.resident}/support",
                           data={"support-proposal_id": str(ms.proposal)})
    assert response.status_code == 409
    assert "Supporting is closed" in text(response)
    assert rows(app) == before


def test_a_full_activity_puts_the_member_on_the_waitlist_and_says_so(app, client, ms):
    client.login("animator-a@example.org")
    response = client.post(f"{BASE}/{ms.resident}/sign-up",
                           data={"signup-activity_id": str(ms.full)})
    assert response.status_code == 303
    page = text(client.get(response.headers["Location"]))
    assert ("“Wycieczka do lasu” is full: Łucja Kowalska is on the waitlist and will get a "
            "notification if a place frees up.") in page
    with app.app_context():
        row = db_.session.scalar(select(Signup).where(Signup.activity_id == ms.full,
                                                      Signup.user_id == ms.resident))
        assert row.status is SignupStatus.WAITLISTED
        assert db_.session.get(Activity, ms.full).confirmed_count == 1


def test_a_checked_in_place_cannot_be_cancelled(app, client, ms, scene):
    """Checked in at the door: no longer offered for cancelling; forced, the service says why."""
    with app.app_context():
        signup = db_.session.scalar(select(Signup).where(Signup.activity_id == ms.booked))
        signup.checked_in_at = datetime.now(UTC)
        db_.session.commit()
    client.login("animator-a@example.org")
    before = rows(app)
    response = client.post(f"{BASE}/{ms.resident}/cancel",
                           data={"cancel-activity_id": str(ms.booked)})
    assert response.status_code == 422
    assert rows(app) == before


def test_acting_for_oneself_is_refused(app, client, ms, scene):
    client.login("animator-a@example.org")
    before = rows(app)
    response = client.post(f"{BASE}/{scene.animator}/support",
                           data={"support-proposal_id": str(ms.proposal)})
    assert response.status_code == 409
    assert "This is your own account" in text(response)
    assert rows(app) == before


# --- A person's own history -----------------------------------------------------------------


def test_my_history_shows_only_my_own_acts_at_all_my_centres(app, new_client, ms, scene,
                                                             make_member, world):
    make_member(world["resident_a"], world["b"])  # resident A also belongs to B
    other_b = make_proposal(app, scene, centre_id=scene.b, title="Rowery miejskie")
    with unit_of_work(app):
        a = user(scene.resident)
        proposals.give_support(a, db_.session.get(Proposal, ms.proposal))
        proposals.give_support(a, db_.session.get(Proposal, other_b))
        # Someone else's acts, which must not show.
        proposals.record_assisted_support(user(scene.animator),
                                          db_.session.get(Proposal, ms.proposal), ms.resident)
        proposals.give_support(user(scene.resident_b), db_.session.get(Proposal, ms.proposal_b))
    client = new_client()
    client.login("resident-a@example.org")
    page = text(client.get("/account/history/"))
    assert "Ławki na skwerze" in page and "Rowery miejskie" in page
    assert "Wycieczka do lasu" in page  # her place from the scene
    assert "Mural w Głogowie" not in page  # resident B's support
    assert "Entered by" not in page  # she did everything herself
    assert "Centre A" in page and "Centre B" in page
    # Newest first: the last support comes before the first.
    assert page.index("Rowery miejskie") < page.index("Ławki na skwerze")
    with app.app_context():
        assert db_.session.scalar(select(Support.id).where(Support.user_id == ms.resident))


def test_my_history_shows_attendance_and_volunteering(app, new_client, ms, scene):
    with unit_of_work(app):
        activity = db_.session.get(Activity, ms.booked)
        activity.volunteers_needed = 2
        activities.offer_help(user(ms.resident), activity)
    with unit_of_work(app):
        signup = db_.session.scalar(select(Signup).where(Signup.activity_id == ms.booked))
        signup.checked_in_at, signup.checked_in_by_id = datetime.now(UTC), scene.animator
    client = new_client()
    sign_in_as(client, app, ms.resident)
    page = text(client.get("/account/history/"))
    assert "Was present at" in page and "Offered to help with" in page
    assert page.count(f"Entered by {ANIMATOR_NAME}") == 1  # the check-in at the door


def test_an_empty_history_says_where_to_start(new_client, world, ms):
    client = new_client()
    client.login("outsider@example.org")
    page = text(client.get("/account/history/"))
    assert "Nothing yet." in page


def test_my_history_needs_signing_in(client):
    response = client.get("/account/history/")
    assert response.status_code == 302
    assert "/account/login" in response.headers["Location"]
