"""The two e-mails besides the reminder: a place freed up from the waitlist, and a cancelled
activity. Each goes to people with an address, in their own language, in the act's own
transaction (a refused act leaves no mail), with an absolute link built outside a request too.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from participation.activities import service
from participation.errors import Conflict
from participation.extensions import db as db_
from participation.models import Activity, ActivityStatus, OutboxMessage, Signup, User

from .proposals_fixtures import add_members, refused, unit_of_work, user
from .support import translate


@pytest.fixture
def activity_id(app, db, scene) -> int:
    start = datetime.now(UTC) + timedelta(days=3)
    return db.add(Activity(centre_id=scene.a, title="Warsztaty rowerowe", place="Sala 1",
                           starts_at=start, ends_at=start + timedelta(hours=2), capacity=1,
                           status=ActivityStatus.PUBLISHED)).id


def sign_up(app, member_id, activity_id) -> None:
    with unit_of_work(app):
        service.sign_up(user(member_id), db_.session.get(Activity, activity_id))


def mails(db) -> list[OutboxMessage]:
    return db.scalars(select(OutboxMessage).order_by(OutboxMessage.id))


@pytest.mark.app_config(BASE_URL="https://cal.example.org")
def test_the_person_promoted_from_the_waitlist_gets_an_email_in_their_language(
        app, db, scene, activity_id):
    first, waiting = add_members(app, scene.a, 2)
    with app.app_context():
        user(waiting).locale = "uk"
        db_.session.commit()
    sign_up(app, first, activity_id)
    sign_up(app, waiting, activity_id)
    assert mails(db) == []  # signing up and joining the waitlist send nothing

    with unit_of_work(app):  # outside any request, as a command or the demo would
        service.cancel_signup(user(first), db_.session.get(Activity, activity_id))

    [mail] = mails(db)
    assert mail.recipient == db.get(User, waiting).email
    assert mail.subject == translate("You have a place: %(title)s", "uk") % {
        "title": "Warsztaty rowerowe"}
    assert f"https://cal.example.org/c/centre-a/activities/{activity_id}" in mail.body
    assert "Sala 1" in mail.body


def test_cancelling_an_activity_mails_everyone_with_an_address_once(app, db, scene,
                                                                    activity_id):
    confirmed, waiting, no_address = add_members(app, scene.a, 3)
    with app.app_context():
        user(no_address).email = None
        db_.session.commit()
    for member in (confirmed, waiting):
        sign_up(app, member, activity_id)
    db.add(Signup(activity_id=activity_id, user_id=no_address, status="waitlisted",
                  waitlist_position=99))

    with unit_of_work(app):
        told = service.cancel_activity(user(scene.animator), db_.session.get(Activity, activity_id),
                                       "Awaria ogrzewania w sali.")

    assert told == 3
    sent = mails(db)
    assert sorted(mail.recipient for mail in sent) == sorted(
        db.get(User, member).email for member in (confirmed, waiting))
    assert all("Awaria ogrzewania w sali." in mail.body for mail in sent)


def test_a_refused_act_leaves_no_mail(app, db, scene, activity_id):
    first, waiting = add_members(app, scene.a, 2)
    sign_up(app, first, activity_id)
    sign_up(app, waiting, activity_id)
    with app.app_context():
        db_.session.get(Activity, activity_id).status = ActivityStatus.CANCELLED
        db_.session.commit()
    refused(app, Conflict, lambda: service.cancel_signup(
        user(first), db_.session.get(Activity, activity_id)))
    assert mails(db) == []
