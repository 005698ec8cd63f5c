"""Acting for a resident: every assisted act (propose, support, sign up, cancel) is the
resident's act, entered by the animator.

For each act, through the animators' member page: the row belongs to the resident (author or
user), carries channel ``assisted`` and names the animator (``recorded_by`` / ``cancelled_by``);
its ParticipationEvent has channel ``assisted`` and the resident's pseudonymous key; the
resident gets an ACTED_FOR_YOU notification naming the animator; and the resident's own
history page shows the act with the animator's name. An animator of another centre cannot act
for this centre's residents, and nothing is written when they try.

``make_members_scene`` is shared with the other members tests.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from participation.activities import service as activities
from participation.errors import Conflict, NotAllowed, NotFound
from participation.events import actor_key
from participation.extensions import db as db_
from participation.members import service
from participation.models import (
    Activity,
    Membership,
    Notification,
    NotificationKind,
    ParticipationEvent,
    Proposal,
    Signup,
    SignupChannel,
    SignupStatus,
    StatusChange,
    Support,
    SupportChannel,
    User,
)

from .proposals_fixtures import centre, make_proposal, unit_of_work, user

BASE = "/c/centre-a/manage/members"
WRITTEN = (Proposal, StatusChange, Support, Signup, ParticipationEvent, Notification)
ANIMATOR_NAME = "Anna Animatorka"
RESIDENT_NAME = "Łucja Kowalska"


@dataclass(frozen=True)
class MembersScene:
    """Ids: the resident acted for (card-only Łucja of centre A, signed up for ``booked``), an
    open proposal and activities of A (``full`` has its one place taken), and B's."""

    resident: int
    animator: int
    proposal: int
    activity: int
    booked: int
    full: int
    proposal_b: int
    activity_b: int
    category: int


def _upcoming(days: int) -> datetime:
    return (datetime.now(UTC) + timedelta(days=days)).replace(microsecond=0)


def make_members_scene(app, scene, world, make_user, make_member, db) -> MembersScene:
    """Centre A's card-only resident, an animator with a known name, and things to act on."""
    with app.app_context():
        animator = db_.session.get(User, scene.animator)
        animator.display_name = ANIMATOR_NAME
        db_.session.commit()
    resident = make_user(name=RESIDENT_NAME)
    with app.app_context():  # a resident registered at the desk: no e-mail, no password
        row = db_.session.get(User, resident.id)
        row.email, row.password_hash = None, None
        db_.session.commit()
    make_member(resident, world["a"])
    proposal_id = make_proposal(app, scene, title="Ławki na skwerze")
    proposal_b = make_proposal(app, scene, centre_id=scene.b, author=scene.resident_b,
                               title="Mural w Głogowie")

    def create(actor: int, centre_id: int, title: str, days: int, capacity=None) -> int:
        [made] = activities.create_activities(
            user(actor), centre(centre_id),
            activities.ActivityDetails(title=title, starts_at=_upcoming(days),
                                       ends_at=_upcoming(days) + timedelta(hours=2),
                                       capacity=capacity),
            publish=True)
        return made.id

    with unit_of_work(app):
        activity = create(scene.animator, scene.a, "Warsztaty ceramiki", 5, capacity=10)
        booked = create(scene.animator, scene.a, "Gra w szachy", 6)
        full = create(scene.animator, scene.a, "Wycieczka do lasu", 7, capacity=1)
        activity_b = create(scene.animator_b, scene.b, "Piknik w Głogowie", 5)
    with unit_of_work(app):
        activities.sign_up(user(resident.id), db_.session.get(Activity, booked))
        activities.sign_up(user(scene.resident), db_.session.get(Activity, full))
    return MembersScene(resident=resident.id, animator=scene.animator, proposal=proposal_id,
                        activity=activity, booked=booked, full=full, proposal_b=proposal_b,
                        activity_b=activity_b, category=scene.category)


@pytest.fixture
def ms(app, scene, world, make_user, make_member, db) -> MembersScene:
    return make_members_scene(app, scene, world, make_user, make_member, db)


def sign_in_as(client, app, user_id: int) -> None:
    """Sign a card-only resident in (they have no e-mail for the login form): what the card's
    one-time link does, put straight into the session."""
    with app.app_context():
        token = db_.session.get(User, user_id).session_token
    with client.session_transaction() as session:
        session["_user_id"] = token
        session["_fresh"] = True


def rows(app) -> tuple:
    with app.app_context():
        return tuple(
            tuple(map(tuple, db_.session.execute(
                select(model.__table__).order_by(model.__table__.c.id)).all()))
            for model in WRITTEN)


def last_event(db, kind: str) -> ParticipationEvent:
    return db.scalars(select(ParticipationEvent).where(ParticipationEvent.kind == kind)
                      .order_by(ParticipationEvent.id.desc()))[0]


def acted_for_you(db, resident: int) -> list[Notification]:
    return db.scalars(select(Notification).where(
        Notification.user_id == resident,
        Notification.kind == NotificationKind.ACTED_FOR_YOU).order_by(Notification.id))


def resident_key(app, resident: int) -> str:
    with app.app_context():
        return actor_key(resident)


def history_page(app, new_client, resident: int) -> str:
    own = new_client()
    sign_in_as(own, app, resident)
    response = own.get("/account/history/")
    assert response.status_code == 200
    return response.get_data(as_text=True)


# --- Each act, end to end -------------------------------------------------------------------


def test_proposing_for_a_resident(app, client, new_client, db, ms):
    client.login("animator-a@example.org")
    response = client.post(f"{BASE}/{ms.resident}/propose", data={
        "propose-title": "Kącik czytelniczy dla seniorów",
        "propose-body": "Półka z książkami i dwa fotele w holu centrum, dla sąsiadów.",
        "propose-category_id": str(ms.category), "propose-place": "Hol centrum"})
    assert response.status_code == 303
    assert response.headers["Location"].endswith(f"{BASE}/{ms.resident}#history")
    proposal = db.scalar(select(Proposal).where(Proposal.title.like("Kącik%")))
    assert proposal.author_id == ms.resident
    assert proposal.channel is SupportChannel.ASSISTED
    assert proposal.recorded_by_id == ms.animator
    event = last_event(db, "proposal_submitted")
    assert (event.channel, event.actor_key) == ("assisted", resident_key(app, ms.resident))
    assert event.subject_id == proposal.id
    [note] = acted_for_you(db, ms.resident)
    assert (note.status, note.actor_id, note.proposal_id) == ("proposed", ms.animator,
                                                              proposal.id)
    page = history_page(app, new_client, ms.resident)
    assert "Kącik czytelniczy dla seniorów" in page
    assert f"Entered by {ANIMATOR_NAME} at Centre A" in page


def test_supporting_for_a_resident(app, client, new_client, db, ms):
    client.login("animator-a@example.org")
    response = client.post(f"{BASE}/{ms.resident}/support",
                           data={"support-proposal_id": str(ms.proposal)})
    assert response.status_code == 303
    support = db.scalar(select(Support).where(Support.proposal_id == ms.proposal))
    assert support.user_id == ms.resident
    assert support.channel is SupportChannel.ASSISTED
    assert support.recorded_by_id == ms.animator
    event = last_event(db, "support_given")
    assert (event.channel, event.actor_key) == ("assisted", resident_key(app, ms.resident))
    [note] = acted_for_you(db, ms.resident)
    assert (note.status, note.actor_id, note.proposal_id) == ("supported", ms.animator,
                                                              ms.proposal)
    followed = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "The support of Łucja Kowalska for “Ławki na skwerze” is recorded." in followed
    page = history_page(app, new_client, ms.resident)
    assert "Ławki na skwerze" in page and f"Entered by {ANIMATOR_NAME}" in page


def test_signing_up_for_a_resident(app, client, new_client, db, ms):
    client.login("animator-a@example.org")
    response = client.post(f"{BASE}/{ms.resident}/sign-up",
                           data={"signup-activity_id": str(ms.activity)})
    assert response.status_code == 303
    signup = db.scalar(select(Signup).where(Signup.activity_id == ms.activity))
    assert signup.user_id == ms.resident
    assert signup.status is SignupStatus.CONFIRMED
    assert signup.channel is SignupChannel.ASSISTED
    assert signup.recorded_by_id == ms.animator
    event = last_event(db, "signup_confirmed")
    assert (event.channel, event.actor_key) == ("assisted", resident_key(app, ms.resident))
    [note] = acted_for_you(db, ms.resident)
    assert (note.status, note.actor_id, note.activity_id) == ("signed_up", ms.animator,
                                                              ms.activity)
    page = history_page(app, new_client, ms.resident)
    assert "Warsztaty ceramiki" in page and f"Entered by {ANIMATOR_NAME}" in page


def test_cancelling_for_a_resident(app, client, new_client, db, ms):
    client.login("animator-a@example.org")
    response = client.post(f"{BASE}/{ms.resident}/cancel",
                           data={"cancel-activity_id": str(ms.booked)})
    assert response.status_code == 303
    signup = db.scalar(select(Signup).where(Signup.activity_id == ms.booked))
    assert signup.user_id == ms.resident
    assert signup.status is SignupStatus.CANCELLED
    assert signup.cancelled_by_id == ms.animator
    assert signup.channel is SignupChannel.ONLINE  # she signed up herself; the cancel was assisted
    event = last_event(db, "signup_cancelled")
    assert (event.channel, event.actor_key) == ("assisted", resident_key(app, ms.resident))
    [note] = acted_for_you(db, ms.resident)
    assert (note.status, note.actor_id, note.activity_id) == ("cancelled", ms.animator,
                                                              ms.booked)
    assert db.get(Activity, ms.booked).confirmed_count == 0
    page = history_page(app, new_client, ms.resident)
    assert "Place cancelled at" in page and f"Entered by {ANIMATOR_NAME}" in page
    # Her own sign-up for that activity, made online, names nobody.
    assert page.count("Entered by") == 1


def test_a_resident_cancelling_herself_names_nobody(app, db, ms):
    with unit_of_work(app):
        activities.cancel_signup(user(ms.resident), db_.session.get(Activity, ms.booked))
    signup = db.scalar(select(Signup).where(Signup.activity_id == ms.booked))
    assert signup.cancelled_by_id is None
    assert last_event(db, "signup_cancelled").channel == "online"


def test_signing_up_again_forgets_who_cancelled_before(app, db, ms):
    with unit_of_work(app):
        service.cancel_for(user(ms.animator), centre(db.get(Activity, ms.booked).centre_id),
                           ms.resident, ms.booked)
    with unit_of_work(app):
        activities.sign_up(user(ms.resident), db_.session.get(Activity, ms.booked))
    signup = db.scalar(select(Signup).where(Signup.activity_id == ms.booked))
    assert (signup.status, signup.cancelled_by_id) == (SignupStatus.CONFIRMED, None)


def test_the_platform_admin_can_act_for_a_resident(app, client, db, ms):
    client.login("admin@example.org")
    response = client.post(f"{BASE}/{ms.resident}/support",
                           data={"support-proposal_id": str(ms.proposal)})
    assert response.status_code == 303
    support = db.scalar(select(Support).where(Support.proposal_id == ms.proposal))
    admin = db.scalar(select(User.id).where(User.email == "admin@example.org"))
    assert (support.user_id, support.recorded_by_id) == (ms.resident, admin)


def test_the_existing_manage_endpoints_still_work(app, client, db, ms):
    """The older entry points (moderation's assisted support, the door list's sign-up) keep
    working, write the same kind of rows and tell the resident, naming the animator."""
    client.login("animator-a@example.org")
    response = client.post(f"/c/centre-a/manage/proposals/{ms.proposal}/assisted",
                           data={"member_id": str(ms.resident)})
    assert response.status_code == 303
    assert db.scalar(select(Support.recorded_by_id).where(
        Support.proposal_id == ms.proposal)) == ms.animator
    response = client.post(f"/c/centre-a/manage/activities/{ms.activity}/sign-up",
                           data={"member_id": str(ms.resident)})
    assert response.status_code == 303
    assert db.scalar(select(Signup.channel).where(
        Signup.activity_id == ms.activity)) is SignupChannel.ASSISTED
    told = {(row.proposal_id, row.activity_id, row.actor_id) for row in db.scalars(
        select(Notification).where(Notification.user_id == ms.resident,
                                   Notification.kind == NotificationKind.ACTED_FOR_YOU))}
    assert told == {(ms.proposal, None, ms.animator), (None, ms.activity, ms.animator)}


def test_the_older_support_entry_point_says_when_the_support_is_there_already(app, client, db,
                                                                              ms):
    client.login("animator-a@example.org")
    url = f"/c/centre-a/manage/proposals/{ms.proposal}/assisted"
    assert client.post(url, data={"member_id": str(ms.resident)}).status_code == 303
    response = client.post(url, data={"member_id": str(ms.resident)}, follow_redirects=True)
    assert "already supports this proposal" in response.get_data(as_text=True)
    assert db.count(Support) == 1
    assert db.count(Notification, Notification.kind == NotificationKind.ACTED_FOR_YOU) == 1


# --- Who may act for whom -------------------------------------------------------------------


ACTS = [
    ("propose", lambda ms: {"propose-title": "Kącik czytelniczy dla seniorów",
                            "propose-body": "Półka z książkami i dwa fotele w holu centrum.",
                            "propose-category_id": str(ms.category)}),
    ("support", lambda ms: {"support-proposal_id": str(ms.proposal)}),
    ("sign-up", lambda ms: {"signup-activity_id": str(ms.activity)}),
    ("cancel", lambda ms: {"cancel-activity_id": str(ms.booked)}),
]


@pytest.mark.parametrize(("act", "data"), ACTS, ids=[act for act, _ in ACTS])
def test_an_animator_of_another_centre_cannot_act_for_this_centres_residents(
        app, client, ms, act, data):
    client.login("animator-b@example.org")
    before = rows(app)
    # Through centre A's address: not a manager there.
    assert client.post(f"{BASE}/{ms.resident}/{act}", data=data(ms)).status_code == 403
    # Through centre B's address, which B's animator manages: A's resident is not found there.
    response = client.post(f"/c/centre-b/manage/members/{ms.resident}/{act}", data=data(ms))
    assert response.status_code == 404
    assert rows(app) == before


@pytest.mark.parametrize(("act", "data"), ACTS, ids=[act for act, _ in ACTS])
@pytest.mark.parametrize("who", ["resident-a@example.org", "resident-b@example.org", None])
def test_residents_and_anonymous_people_cannot_act(app, client, ms, act, data, who):
    if who:
        client.login(who)
    before = rows(app)
    response = client.post(f"{BASE}/{ms.resident}/{act}", data=data(ms))
    assert response.status_code == (403 if who else 302)
    assert rows(app) == before


@pytest.mark.parametrize(("act", "data"), ACTS, ids=[act for act, _ in ACTS])
def test_acting_for_someone_who_is_not_a_member_is_refused(app, client, world, ms, act, data):
    client.login("animator-a@example.org")
    before = rows(app)
    for stranger in (world["resident_b"].id, world["outsider"].id, 999_999):
        response = client.post(f"{BASE}/{stranger}/{act}", data=data(ms))
        assert response.status_code == 404, stranger
    assert rows(app) == before


def test_acting_for_an_erased_member_is_refused(app, client, ms):
    with app.app_context():
        db_.session.get(User, ms.resident).erased_at = datetime.now(UTC)
        db_.session.commit()
    client.login("animator-a@example.org")
    before = rows(app)
    assert client.get(f"{BASE}/{ms.resident}").status_code == 404
    assert client.post(f"{BASE}/{ms.resident}/support",
                       data={"support-proposal_id": str(ms.proposal)}).status_code == 404
    assert rows(app) == before


def test_the_services_check_the_same(app, scene, ms):
    """Called directly, the service refuses a manager of another centre (403) and a member of
    another centre (404), before anything is written."""
    with app.app_context():
        centre_a = centre(scene.a)
        with pytest.raises(NotAllowed):
            service.support_for(user(scene.animator_b), centre_a, ms.resident, ms.proposal)
        with pytest.raises(NotAllowed):
            service.sign_up_for(user(scene.resident), centre_a, ms.resident, ms.activity)
        with pytest.raises(NotFound):
            service.support_for(user(scene.animator), centre_a, scene.resident_b, ms.proposal)
        with pytest.raises(NotFound):  # B's proposal through A
            service.support_for(user(scene.animator), centre_a, ms.resident, ms.proposal_b)
        with pytest.raises(NotFound):  # B's activity through A
            service.sign_up_for(user(scene.animator), centre_a, ms.resident, ms.activity_b)
        with pytest.raises(Conflict):  # oneself: the ordinary pages
            service.support_for(user(scene.animator), centre_a, scene.animator, ms.proposal)
        assert db_.session.scalar(select(Support.id)) is None
        assert db_.session.scalar(select(Signup.id).where(
            Signup.activity_id == ms.activity)) is None
        db_.session.rollback()
    with app.app_context():
        assert db_.session.scalar(select(Membership.id).where(
            Membership.user_id == ms.resident)) is not None
