""""Delete my account": the person can no longer sign in, their name appears nowhere, and every
count and figure is the same before and after.

The rich history of test_my_data.py (``build_world``) is the setting: Anna, whose account is
deleted, proposed, commented, supported (online and through an animator), reported, signed up,
helped, was checked in, holds an access card and a place at a future, full activity with
Celina waiting behind her.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import String, Text, func, select

from participation.activities.service import present_count
from participation.errors import Conflict, NotAllowed
from participation.extensions import db as db_
from participation.metrics import exports
from participation.metrics.periods import year_period
from participation.metrics.service import figures_for
from participation.models import (
    AccessCard,
    Activity,
    Centre,
    Comment,
    Membership,
    Notification,
    OutboxMessage,
    Proposal,
    Report,
    Signup,
    SignupStatus,
    Support,
    User,
    VolunteerOffer,
)
from participation.privacy import service as privacy
from participation.proposals.service import support_totals

from .clock import frozen_at
from .support import PASSWORD, translate
from .test_my_data import ANNA, ANNA_TEXTS, ERASE_AT, build_world

YEAR = year_period(2026)
FIGURES_CSV = "/c/centre-a/manage/figures/export/figures.csv?period=year&year=2026"
EVENTS_JSONL = "/c/centre-a/manage/figures/export/events.jsonl?period=year&year=2026"
# Rows that stay, linked to the anonymous account: deleting the user row would cascade them.
# (The log is compared line by line below: it gains the two entries of the given-up place.)
KEPT = (Proposal, Comment, Support, Report, Signup, VolunteerOffer)


def _figures(app, world) -> dict:
    """Every figure and count a centre sees, computed as the dashboard and the pages do."""
    with app.app_context():
        centre = db_.session.get(Centre, world.centre)
        figures = figures_for(centre, YEAR, now=ERASE_AT)
        proposal_ids = list(db_.session.scalars(select(Proposal.id)))
        past = db_.session.get(Activity, world.past)
        return {
            "figures": figures.values, "ages": figures.ages, "public": figures.public(),
            "supports": support_totals(proposal_ids),
            "present": present_count(past), "confirmed": past.confirmed_count,
            "rows": {model.__tablename__: db_.session.scalar(
                select(func.count()).select_from(model)) for model in KEPT},
        }


def _events(app, world) -> list[str]:
    with app.app_context():
        centre = db_.session.get(Centre, world.centre)
        return "".join(exports.EventExport.of(centre, YEAR).jsonl_lines()).splitlines()


def _text_columns(app) -> list[str]:
    """Every text value stored anywhere in the database."""
    values = []
    with app.app_context():
        for table in db_.metadata.sorted_tables:
            columns = [c for c in table.columns if isinstance(c.type, String | Text)]
            if columns:
                for row in db_.session.execute(select(*columns)):
                    values.extend(str(value) for value in row if value is not None)
    return values


def _assert_no_name(text: str, where: str) -> None:
    for part in ("Anna", "Pierwsza", ANNA["email"]):
        assert part not in text, f"{part!r} found in {where}"


def test_deletion_changes_no_figure_and_leaves_the_name_nowhere(app, make_user, make_centre,
                                                               make_member, new_client):
    world = build_world(app, make_user, make_centre, make_member)
    anna, animator, zbigniew = new_client(), new_client(), new_client()
    with frozen_at(ERASE_AT):
        anna.login(ANNA["email"])
        animator.login(world.animator_email)
        zbigniew.login("zbigniew.drugi@example.org")
        before, events_before = _figures(app, world), _events(app, world)
        assert any(ANNA["email"] in value for value in _text_columns(app))  # the scan sees it
        csv_before = animator.get(FIGURES_CSV).get_data(as_text=True)
        assert "Anna Pierwsza" in animator.get(
            f"/c/centre-a/proposals/{world.anna_proposal}").get_data(as_text=True)

        response = anna.post("/account/data/delete",
                             data={"password": PASSWORD, "understood": "y"})
        assert response.status_code == 303 and response.headers["Location"] == "/"
        assert "Your account is deleted" in anna.get("/").get_data(as_text=True)

        after, events_after = _figures(app, world), _events(app, world)
        assert after == before
        assert animator.get(FIGURES_CSV).get_data(as_text=True) == csv_before
        # The log only grows: Anna's future place was given up and Celina moved up.
        assert events_after[:len(events_before)] == events_before
        added = events_after[len(events_before):]
        assert len(added) == 2 and '"signup_cancelled"' in added[0]
        assert '"waitlist_promoted"' in added[1]

        pages = {
            "her proposal": f"/c/centre-a/proposals/{world.anna_proposal}",
            "a proposal she commented": f"/c/centre-a/proposals/{world.zbigniew_proposal}",
            "the attendee list": f"/c/centre-a/manage/activities/{world.past}/attendees",
            "the future attendee list": f"/c/centre-a/manage/activities/{world.future}/attendees",
            "the moderation log": "/c/centre-a/manage/log",
            "the reports": "/c/centre-a/manage/reports",
            "the centre": "/c/centre-a/",
            "the animator's notifications": "/account/notifications/",
            "the figures CSV": FIGURES_CSV,
            "the events export": EVENTS_JSONL,
            "the members list": "/c/centre-a/manage/members/",
        }
        for where, url in pages.items():
            response = animator.get(url)
            if where == "the members list" and response.status_code == 404:
                continue  # not built yet in this tree
            assert response.status_code == 200, (where, response.status_code)
            _assert_no_name(response.get_data(as_text=True), where)
        assert "Former resident" in animator.get(pages["her proposal"]).get_data(as_text=True)
        assert ANNA_TEXTS[2] in animator.get(pages["a proposal she commented"]).get_data(
            as_text=True)  # the comment stays, signed "Former resident"
        _assert_no_name(zbigniew.get("/account/notifications/").get_data(as_text=True),
                        "another resident's notifications")
        for value in _text_columns(app):
            _assert_no_name(value, "the database")

        # She can no longer sign in: the old cookie is dead, and so are her e-mail and password.
        assert anna.get("/account/profile").status_code == 302
        assert anna.login(ANNA["email"]).status_code == 422
        assert anna.get("/account/profile").status_code == 302

    with app.app_context():
        user = db_.session.get(User, world.anna)
        # Shown in the reader's language (the default here: Polish).
        assert user.is_erased and user.display_name == translate("Former resident", "pl")
        assert (user.email, user.password_hash, user.age_bracket, user.locale) == (
            None, None, None, None)
        assert db_.session.scalar(select(func.count()).select_from(Membership).where(
            Membership.user_id == world.anna)) == 0
        assert db_.session.scalar(select(func.count()).select_from(Notification).where(
            Notification.user_id == world.anna)) == 0
        assert db_.session.scalar(select(func.count()).select_from(OutboxMessage).where(
            OutboxMessage.recipient == ANNA["email"])) == 0
        card = db_.session.scalar(select(AccessCard).where(AccessCard.user_id == world.anna))
        assert card.revoked_at == ERASE_AT
        future = {s.user_id: s.status for s in db_.session.scalars(
            select(Signup).where(Signup.activity_id == world.future))}
        assert future == {world.anna: SignupStatus.CANCELLED,
                          world.celina: SignupStatus.CONFIRMED}
        past = db_.session.scalar(select(Signup).where(
            Signup.activity_id == world.past, Signup.user_id == world.anna))
        assert past.status is SignupStatus.CONFIRMED and past.checked_in_at is not None


def test_a_wrong_password_changes_nothing(app, world, client, db):
    client.login(world["resident_a"].email)
    before = db.get(User, world["resident_a"].id)
    response = client.post("/account/data/delete",
                           data={"password": "not-my-password", "understood": "y"})
    assert response.status_code == 422
    assert "The password is not correct" in response.get_data(as_text=True)
    after = db.get(User, world["resident_a"].id)
    assert (after.erased_at, after.email, after.display_name, after.password_hash,
            after.session_token) == (None, before.email, before.display_name,
                                     before.password_hash, before.session_token)
    assert db.count(Membership, Membership.user_id == before.id) == 1
    assert client.get("/account/profile").status_code == 200  # still signed in


@pytest.mark.parametrize("data", [{"password": PASSWORD}, {"understood": "y"},
                                  {"password": "x" * 200, "understood": "y"}],
                         ids=["unticked", "no-password", "too-long"])
def test_an_incomplete_form_is_refused_with_a_message(app, world, client, db, data):
    client.login(world["resident_a"].email)
    response = client.post("/account/data/delete", data=data)
    assert response.status_code == 422
    assert 'class="error-summary"' in response.get_data(as_text=True)
    assert db.get(User, world["resident_a"].id).erased_at is None


def test_the_delete_page_explains_what_happens(app, world, client):
    client.login(world["resident_a"].email)
    page = client.get("/account/data/delete").get_data(as_text=True)
    for words in ("You can no longer sign in", "Former resident", "stay counted",
                  "anonymous key", 'autocomplete="current-password"'):
        assert words in page


@pytest.fixture
def card_user(world, make_member, db):
    """A resident of centre A with no e-mail, only an access card (and a PIN)."""
    user = db.add(User(display_name="Halina Kartowa", email=None, password_hash="pin-hash",
                       registered_by_id=world["animator_a"].id,
                       consent_noted_at=datetime(2026, 3, 1, tzinfo=UTC)))
    make_member(user, world["a"])
    db.add(AccessCard(user_id=user.id, centre_id=world["a"].id, code_hash="c" * 64,
                      issued_by_id=world["animator_a"].id))
    return user


def _sign_in_as(app, client, user: User) -> None:
    """Card users sign in with their card (built elsewhere); here the session is set directly."""
    with client.session_transaction() as session:
        session["_user_id"] = user.session_token
        session["_fresh"] = True


def test_a_card_only_resident_is_told_to_ask_an_animator(app, client, card_user, db):
    _sign_in_as(app, client, card_user)
    page = client.get("/account/data/delete")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "Ask an animator at your centre to confirm" in text and "Centre A" in text
    assert 'type="password"' not in text
    response = client.post("/account/data/delete", data={"password": "1234", "understood": "y"})
    assert response.status_code == 403
    assert db.get(User, card_user.id).erased_at is None


def test_the_animator_of_the_centre_confirms_a_card_residents_erasure(app, world, client,
                                                                      card_user, db):
    client.login(world["animator_a"].email)
    url = f"/c/centre-a/manage/members/{card_user.id}/erase"
    page = client.get(url).get_data(as_text=True)
    assert "Halina Kartowa" in page and "The resident asked for this in person" in page
    response = client.post(url, data={})  # the box is not ticked
    assert response.status_code == 422
    assert db.get(User, card_user.id).erased_at is None
    response = client.post(url, data={"asked_in_person": "y"})
    assert response.status_code == 303
    erased = db.get(User, card_user.id)
    assert erased.is_erased and erased.password_hash is None and erased.registered_by_id is None
    assert db.count(AccessCard, AccessCard.user_id == card_user.id,
                    AccessCard.revoked_at.is_(None)) == 0
    assert db.count(Membership, Membership.user_id == card_user.id) == 0
    assert "The account is deleted" in client.get(response.headers["Location"]).get_data(
        as_text=True)
    assert client.get(url).status_code == 404  # no longer a member: nothing to show


def test_an_animator_of_another_centre_cannot_erase(app, world, client, card_user, db):
    client.login(world["animator_b"].email)
    assert client.post(f"/c/centre-a/manage/members/{card_user.id}/erase",
                       data={"asked_in_person": "y"}).status_code == 403
    assert client.post(f"/c/centre-b/manage/members/{card_user.id}/erase",
                       data={"asked_in_person": "y"}).status_code == 404
    assert db.get(User, card_user.id).erased_at is None
    with app.app_context(), pytest.raises(NotAllowed):  # the service refuses too
        privacy.erase_user(db_.session.get(User, card_user.id),
                           by=db_.session.get(User, world["animator_b"].id))


def test_animators_are_not_erased_at_the_desk(app, world, client, db):
    client.login(world["admin"].email)
    response = client.post(f"/c/centre-a/manage/members/{world['animator_a'].id}/erase",
                           data={"asked_in_person": "y"})
    assert response.status_code == 409
    assert db.get(User, world["animator_a"].id).erased_at is None


def test_a_second_erasure_changes_nothing(app, world):
    with app.app_context():
        user = db_.session.get(User, world["resident_a"].id)
        assert privacy.erase_user(user) is True
        db_.session.commit()
        token, erased_at = user.session_token, user.erased_at
        assert privacy.erase_user(user) is False
        assert (user.session_token, user.erased_at) == (token, erased_at)


def test_the_last_platform_admin_cannot_be_erased(app, world, make_user, client, db):
    with app.app_context(), pytest.raises(Conflict):
        privacy.erase_user(db_.session.get(User, world["admin"].id))
    client.login(world["admin"].email)
    response = client.post("/account/data/delete",
                           data={"password": PASSWORD, "understood": "y"})
    assert response.status_code == 409
    assert "only administrator" in response.get_data(as_text=True)
    assert db.get(User, world["admin"].id).erased_at is None
    make_user("second-admin@example.org", is_admin=True)
    response = client.post("/account/data/delete",
                           data={"password": PASSWORD, "understood": "y"})
    assert response.status_code == 303
    assert db.get(User, world["admin"].id).is_erased
