"""Notifications: every event that concerns a person makes exactly one, for the right people,
with the right words; and each is e-mailed at once only to people who chose that.

The daily digest has its own file (``test_digests.py``).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from participation.activities import service as activities
from participation.activities.reminders import send_reminders
from participation.extensions import db as db_
from participation.models import (
    Activity,
    ActivityStatus,
    EmailFrequency,
    Notification,
    NotificationKind,
    OutboxMessage,
    ProposalStatus,
    Role,
    Signup,
    SignupStatus,
    User,
    utcnow,
)
from participation.notifications import service as notifications
from participation.proposals import service as proposals

from .proposals_fixtures import (
    TITLE,
    add_members,
    centre,
    make_proposal,
    proposal,
    set_centre,
    unit_of_work,
    user,
)
from .support import translate

K = NotificationKind
S = ProposalStatus
BASE_URL = "https://cal.example.org"
ACTIVITY = "Warsztaty rowerowe"
# An activity at 18:00 in Warsaw, and a reminder run on the morning of the day before.
IN_2030 = datetime(2030, 3, 12, 17, 0, tzinfo=UTC)
DAY_BEFORE_2030 = datetime(2030, 3, 11, 8, 0, tzinfo=UTC)


# --- Arranging -------------------------------------------------------------------------------


def make_activity(app, centre_id: int, *, capacity: int | None = None,
                  start: datetime | None = None, **fields) -> int:
    start = start or datetime.now(UTC) + timedelta(days=3)
    with app.app_context():
        row = Activity(centre_id=centre_id, title=ACTIVITY, place="Sala 1", starts_at=start,
                       ends_at=start + timedelta(hours=2), capacity=capacity,
                       status=ActivityStatus.PUBLISHED, **fields)
        db_.session.add(row)
        db_.session.commit()
        return row.id


def activity(activity_id: int) -> Activity:
    return db_.session.get(Activity, activity_id)


def set_user(app, user_id: int, **fields) -> None:
    with app.app_context():
        row = db_.session.get(User, user_id)
        for name, value in fields.items():
            setattr(row, name, value)
        db_.session.commit()


def card_only_member(app, centre_id: int) -> int:
    """A resident registered at the desk: no e-mail, no password."""
    [member] = add_members(app, centre_id, 1)
    set_user(app, member, email=None, password_hash=None)
    return member


def rows(db, kind: NotificationKind | None = None) -> list[Notification]:
    query = select(Notification).order_by(Notification.id)
    if kind is not None:
        query = query.where(Notification.kind == kind)
    return db.scalars(query)


def outbox(db) -> list[OutboxMessage]:
    return db.scalars(select(OutboxMessage).order_by(OutboxMessage.id))


def english_text(app, notification_id: int) -> str:
    with app.test_request_context(headers={"Accept-Language": "en"}):
        return notifications.message(db_.session.get(Notification, notification_id))


# --- Every event, one notification each ------------------------------------------------------
# Each trigger does the act through the services and returns who should hear of it and what
# the English text is: {kind: (recipient ids, text)}.


def _status(app, scene):
    proposal_id = make_proposal(app, scene, S.SUBMITTED)
    with unit_of_work(app):
        proposals.change_status(user(scene.animator), proposal(proposal_id), S.PUBLISHED)
    return {K.PROPOSAL_STATUS: ([scene.resident],
                                f"Your proposal “{TITLE}” is now open for support.")}


def _answered(app, scene):
    proposal_id = make_proposal(app, scene, S.UNDER_REVIEW)
    with unit_of_work(app):
        proposals.answer(user(scene.animator), proposal(proposal_id), "Zrobimy to wiosną.")
    return {K.PROPOSAL_ANSWERED: ([scene.resident],
                                  f"The centre has answered your proposal “{TITLE}”.")}


def _submitted(app, scene):
    with unit_of_work(app):
        proposals.propose(user(scene.resident), centre(scene.a), TITLE,
                          "Trzy ławki przy placu zabaw.", scene.category)
    return {K.PROPOSAL_SUBMITTED: ([scene.animator],
                                   f"A new proposal awaits moderation: “{TITLE}”.")}


def _threshold(app, scene):
    set_centre(app, scene.a, support_threshold=2)
    proposal_id = make_proposal(app, scene)
    for member in add_members(app, scene.a, 2):
        with unit_of_work(app):
            proposals.give_support(user(member), proposal(proposal_id))
    return {
        K.THRESHOLD_REACHED: ([scene.animator],
                              f"“{TITLE}” has enough supports and awaits your review."),
        K.SUPPORTS_REACHED: ([scene.resident], f"Your proposal “{TITLE}” has enough supports. "
                                               "The centre will now review it."),
    }


def _hidden(app, scene):
    set_centre(app, scene.a, report_threshold=1)
    proposal_id = make_proposal(app, scene)
    [reporter] = add_members(app, scene.a, 1)
    with unit_of_work(app):
        proposals.file_report(user(reporter), proposal(proposal_id), "spam")
    return {
        K.CONTENT_HIDDEN: ([scene.animator],
                           f"Reports have hidden content of “{TITLE}”. Please review it."),
        K.PROPOSAL_STATUS: ([scene.resident], f"Your proposal “{TITLE}” is now hidden."),
    }


def _cancelled(app, scene):
    members = add_members(app, scene.a, 2)
    activity_id = make_activity(app, scene.a)
    for member in members:
        with unit_of_work(app):
            activities.sign_up(user(member), activity(activity_id))
    with unit_of_work(app):
        activities.cancel_activity(user(scene.animator), activity(activity_id), "Awaria.")
    return {K.ACTIVITY_CANCELLED: (members,
                                   f"“{ACTIVITY}” is cancelled. Sorry for the change of plans.")}


def _promoted(app, scene):
    first, waiting = add_members(app, scene.a, 2)
    activity_id = make_activity(app, scene.a, capacity=1)
    for member in (first, waiting):
        with unit_of_work(app):
            activities.sign_up(user(member), activity(activity_id))
    with unit_of_work(app):
        activities.cancel_signup(user(first), activity(activity_id))
    return {K.WAITLIST_PROMOTED: (
        [waiting], f"A place has freed up: you are now signed up for “{ACTIVITY}”.")}


def _volunteer(app, scene):
    [helper] = add_members(app, scene.a, 1)
    activity_id = make_activity(app, scene.a, volunteers_needed=2)
    with unit_of_work(app):
        offer = activities.offer_help(user(helper), activity(activity_id))
        offer_id = offer.id
    with unit_of_work(app):
        activities.decide_offer(user(scene.animator), activity(activity_id), offer_id, True)
    return {K.VOLUNTEER_CONFIRMED: (
        [helper], f"Thank you! Your offer to help with “{ACTIVITY}” is accepted.")}


def _reminder(app, scene):
    members = add_members(app, scene.a, 2)
    activity_id = make_activity(app, scene.a, start=IN_2030)
    for member in members:
        with unit_of_work(app):
            activities.sign_up(user(member), activity(activity_id))
    with unit_of_work(app):
        assert send_reminders(DAY_BEFORE_2030) == 2
    return {K.ACTIVITY_REMINDER: (
        members, f"Reminder: you have a place at “{ACTIVITY}” tomorrow.")}


TRIGGERS: dict[str, Callable] = {
    "moderation result": _status, "official answer": _answered, "submitted": _submitted,
    "threshold reached": _threshold, "content hidden": _hidden,
    "activity cancelled": _cancelled, "waitlist promotion": _promoted,
    "volunteer confirmed": _volunteer, "day-before reminder": _reminder,
}


@pytest.mark.parametrize("event", TRIGGERS)
def test_each_event_makes_one_notification_for_each_person_concerned(app, db, scene, event):
    set_centre(app, scene.a, proposals_need_approval=True)
    expected = TRIGGERS[event](app, scene)

    made = rows(db)
    assert sorted({n.kind for n in made}) == sorted(expected)
    for kind, (recipients, text) in expected.items():
        of_kind = [n for n in made if n.kind is kind]
        assert sorted(n.user_id for n in of_kind) == sorted(recipients)  # once each
        assert all(english_text(app, n.id) == text for n in of_kind)
    # Everyone here chose e-mails at once (the default): each notification is mailed once.
    assert all(n.mailed_at is not None for n in made)
    assert len(outbox(db)) == len(made)


# --- "An animator did this for you" ----------------------------------------------------------


@pytest.mark.parametrize(("act", "on_activity", "text"), [
    ("proposed", False, "Ewa (animator) submitted your proposal “Ławki na skwerze” for you at "
                        "the centre."),
    ("supported", False, "Ewa (animator) supported “Ławki na skwerze” for you at the centre."),
    ("signed_up", True, "Ewa (animator) signed you up for “Warsztaty rowerowe” at the centre."),
    ("cancelled", True, "Ewa (animator) cancelled your place at “Warsztaty rowerowe” at the "
                        "centre."),
])
def test_acted_for_you_names_the_animator_the_act_and_the_title(app, db, scene, act,
                                                                on_activity, text):
    set_user(app, scene.animator, display_name="Ewa")
    proposal_id = make_proposal(app, scene)
    activity_id = make_activity(app, scene.a)
    with unit_of_work(app):
        notifications.notify(scene.resident, K.ACTED_FOR_YOU,
                             None if on_activity else proposal(proposal_id), status=act,
                             activity=activity(activity_id) if on_activity else None,
                             actor=user(scene.animator))
    [notice] = rows(db)
    assert (notice.user_id, notice.actor_id) == (scene.resident, scene.animator)
    assert english_text(app, notice.id) == text


def test_acted_for_you_by_a_deleted_animator_reads_an_animator(app, db, scene):
    [helper] = add_members(app, scene.a, 1, role=Role.ANIMATOR)
    proposal_id = make_proposal(app, scene)
    with unit_of_work(app):
        notifications.notify(scene.resident, K.ACTED_FOR_YOU, proposal(proposal_id),
                             status="supported", actor=user(helper))
    with app.app_context():
        db_.session.delete(user(helper))
        db_.session.commit()
    [notice] = rows(db)
    assert notice.actor_id is None
    assert english_text(app, notice.id) == (
        f"An animator supported “{TITLE}” for you at the centre.")


def test_the_notifications_page_shows_the_acted_for_you_text(client, app, db, scene):
    set_user(app, scene.animator, display_name="Ewa")
    activity_id = make_activity(app, scene.a)
    with unit_of_work(app):
        notifications.notify(scene.resident, K.ACTED_FOR_YOU, None, status="signed_up",
                             activity=activity(activity_id), actor=user(scene.animator))
    client.login(db.get(User, scene.resident).email)
    page = client.get("/account/notifications/").get_data(as_text=True)
    assert f"Ewa (animator) signed you up for “{ACTIVITY}” at the centre." in page
    assert f"/c/centre-a/activities/{activity_id}" in page


# --- E-mail by the person's choice -----------------------------------------------------------


@pytest.mark.parametrize(("frequency", "mailed"), [
    (EmailFrequency.IMMEDIATELY, True),
    (EmailFrequency.DAILY, False),  # the digest carries it
    (EmailFrequency.NEVER, False),
])
def test_only_immediately_mails_at_once(app, db, scene, frequency, mailed):
    set_user(app, scene.resident, email_frequency=frequency)
    _answered(app, scene)  # the plain mail
    _promote(app, scene, scene.resident)  # a rich activity mail

    made = rows(db)
    assert len(made) == 2
    assert all((n.mailed_at is not None) is mailed for n in made)
    assert len(outbox(db)) == (2 if mailed else 0)


def _promote(app, scene, member: int) -> None:
    [first] = add_members(app, scene.a, 1)
    activity_id = make_activity(app, scene.a, capacity=1)
    for person in (first, member):
        with unit_of_work(app):
            activities.sign_up(user(person), activity(activity_id))
    with unit_of_work(app):
        activities.cancel_signup(user(first), activity(activity_id))


@pytest.mark.parametrize("who", ["card only", "erased"])
def test_nobody_without_an_address_or_erased_is_mailed(app, db, scene, who):
    if who == "card only":
        set_user(app, scene.resident, email=None)
    else:
        set_user(app, scene.resident, erased_at=utcnow())
    _answered(app, scene)
    [notice] = rows(db)
    assert notice.user_id == scene.resident and notice.mailed_at is None
    assert outbox(db) == []


@pytest.mark.app_config(BASE_URL=BASE_URL)
def test_the_plain_mail_links_to_the_thing_and_the_setting_in_the_readers_language(
        app, db, scene):
    set_user(app, scene.resident, locale="uk")
    proposal_id = make_proposal(app, scene, S.UNDER_REVIEW)
    with unit_of_work(app):  # outside a request, as a command would: links use BASE_URL
        proposals.answer(user(scene.animator), proposal(proposal_id), "Zrobimy to wiosną.")

    [mail] = outbox(db)
    text = translate("The centre has answered your proposal “%(title)s”.", "uk") % {
        "title": TITLE}
    assert mail.recipient == db.get(User, scene.resident).email
    assert mail.subject == text and text in mail.body
    assert f"{BASE_URL}/c/centre-a/proposals/{proposal_id}" in mail.body
    assert f"{BASE_URL}/account/profile#email_frequency" in mail.body


def test_a_cancelled_activity_is_mailed_once_with_its_reason(app, db, scene):
    """The rich mail is the immediate mail of that notification: not a second one."""
    _cancelled(app, scene)
    mails = outbox(db)
    assert len(mails) == 2 == len(rows(db))
    subject = translate("Cancelled: %(title)s", "pl") % {"title": ACTIVITY}  # no language saved
    assert all(mail.subject == subject for mail in mails)
    assert all("Awaria." in mail.body and "/account/profile#email_frequency" in mail.body
               for mail in mails)


def test_a_mail_goes_only_with_its_act(app, db, scene):
    """The mail is written in the act's transaction: an act rolled back leaves neither."""
    proposal_id = make_proposal(app, scene, S.UNDER_REVIEW)
    with app.app_context():
        proposals.answer(user(scene.animator), proposal(proposal_id), "Tak.")
        db_.session.flush()
        assert len(db_.session.scalars(select(OutboxMessage)).all()) == 1
        db_.session.rollback()
    assert rows(db) == [] and outbox(db) == []


# --- Reminders -------------------------------------------------------------------------------


def test_reminders_notify_everyone_and_mail_only_those_who_chose_it(app, db, scene):
    card_only = card_only_member(app, scene.a)
    daily, immediately = add_members(app, scene.a, 2)
    set_user(app, daily, email_frequency=EmailFrequency.DAILY)
    now = datetime(2026, 3, 10, 10, 0, tzinfo=UTC)
    activity_id = make_activity(app, scene.a, start=datetime(2026, 3, 11, 17, 0, tzinfo=UTC))
    for member in (card_only, daily, immediately):
        db.add(Signup(activity_id=activity_id, user_id=member, status=SignupStatus.CONFIRMED))

    with app.test_request_context("/", base_url=BASE_URL):
        assert send_reminders(now) == 3
        db_.session.commit()
        assert send_reminders(now) == 0  # marked: idempotent
        db_.session.commit()

    reminders = rows(db, K.ACTIVITY_REMINDER)
    assert sorted(n.user_id for n in reminders) == sorted([card_only, daily, immediately])
    mailed = {n.user_id for n in reminders if n.mailed_at is not None}
    assert mailed == {immediately}
    [mail] = outbox(db)
    assert mail.recipient == db.get(User, immediately).email
    assert mail.subject == translate("Reminder: %(title)s tomorrow", "pl") % {"title": ACTIVITY}


def test_a_card_only_resident_sees_the_reminder_in_the_app(client, app, db, scene):
    card_only = card_only_member(app, scene.a)
    with app.app_context():
        notifications.notify(card_only, K.ACTIVITY_REMINDER, None,
                             activity=activity(make_activity(app, scene.a)))
        db_.session.commit()
        token = user(card_only).session_token
    with client.session_transaction() as session:  # signed in as the card would do
        session["_user_id"] = token
        session["_fresh"] = True
    page = client.get("/account/notifications/").get_data(as_text=True)
    assert f"Reminder: you have a place at “{ACTIVITY}” tomorrow." in page
    assert "We have no e-mail address for you" in page
    profile = client.get("/account/profile").get_data(as_text=True)
    assert 'name="email_frequency"' not in profile
    assert client.post("/account/profile", data={
        "display_name": "Member", "locale": "pl", "email_frequency": "daily",
    }).status_code == 303  # ignored: no address to mail to
    assert db.get(User, card_only).email_frequency is EmailFrequency.IMMEDIATELY
    assert outbox(db) == []


# --- The setting -----------------------------------------------------------------------------


PROFILE = {"display_name": "Jan", "locale": "en", "age_bracket": ""}


@pytest.mark.parametrize("choice", list(EmailFrequency))
def test_the_profile_saves_the_email_choice(client, db, make_user, choice):
    person = make_user("jan@example.org", name="Jan")
    client.login(person.email)
    page = client.get("/account/profile").get_data(as_text=True)
    assert "E-mail me about notifications" in page
    assert _checked(page) == "immediately"  # the default
    response = client.post("/account/profile", data={**PROFILE, "email_frequency": choice.value})
    assert response.status_code == 303
    assert db.get(User, person.id).email_frequency is choice
    page = client.get("/account/profile").get_data(as_text=True)
    assert _checked(page) == choice.value


def _checked(page: str) -> str:
    """The value of the checked radio button of the e-mail choice."""
    radios = [tag for tag in re.findall(r"<input[^>]*>", page) if 'name="email_frequency"' in tag]
    assert len(radios) == len(EmailFrequency)
    [value] = [re.search(r'value="([^"]+)"', tag).group(1) for tag in radios if "checked" in tag]
    return value


@pytest.mark.parametrize("value", ["weekly", "IMMEDIATELY", "x" * 300])
def test_the_profile_refuses_an_unknown_email_choice(client, db, make_user, value):
    person = make_user("jan@example.org", name="Jan")
    client.login(person.email)
    response = client.post("/account/profile", data={**PROFILE, "email_frequency": value})
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "Choose how often we e-mail you: immediately, once a day or never." in page
    assert 'aria-invalid="true"' in page
    saved = db.get(User, person.id)
    assert (saved.email_frequency, saved.locale) == (EmailFrequency.IMMEDIATELY, None)


def test_the_notifications_page_links_to_the_setting(client, db, make_user):
    person = make_user("jan@example.org")
    client.login(person.email)
    page = client.get("/account/notifications/").get_data(as_text=True)
    assert "We e-mail you about each notification at once." in page
    assert 'href="/account/profile#email_frequency"' in page
    client.post("/account/profile", data={**PROFILE, "email_frequency": "daily"})
    page = client.get("/account/notifications/").get_data(as_text=True)
    assert "We e-mail you once a day with everything new." in page
