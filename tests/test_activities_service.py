"""Activities: creating (weekly series across a DST change), capacity and the waitlist, refusals
that write nothing, tickets and check-in, walk-ins and guests, volunteers, cancelling, and
invariant 2 of DESIGN.md (never more confirmed than places; a cancellation promotes the first on
the waitlist; nobody lost or counted twice) under simultaneous requests, on SQLite and PostgreSQL.

Every service call runs as a request would: in its own app context (so its own session) and the
caller commits (``unit_of_work``). ``refused_here`` proves a refused call wrote nothing to the
activity tables either, counted inside the failing transaction before the rollback.
"""

from __future__ import annotations

import contextlib
import dataclasses
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from flask_babel import force_locale
from itsdangerous import URLSafeSerializer
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError, OperationalError

from participation.activities import service
from participation.errors import Conflict, DomainError, Invalid, NotAllowed, NotFound
from participation.events import actor_key
from participation.extensions import db as db_
from participation.models import (
    MAX_CAPACITY,
    Activity,
    ActivityStatus,
    Notification,
    NotificationKind,
    OutboxMessage,
    ParticipationEvent,
    ProposalStatus,
    Signup,
    SignupChannel,
    SignupStatus,
    User,
    VolunteerOffer,
    VolunteerStatus,
)

from .proposals_fixtures import add_members, centre, make_proposal, refused, unit_of_work, user
from .support import uses_postgresql

A = ActivityStatus
WARSAW = ZoneInfo("Europe/Warsaw")
TITLE = "Warsztaty ceramiczne"


def now() -> datetime:
    return datetime.now(UTC)


# --- Arranging and reading rows -------------------------------------------------------------


def make_activity(app, centre_id: int, *, capacity: int | None = None,
                  status: ActivityStatus = A.PUBLISHED, starts_in: timedelta = timedelta(days=7),
                  hours: int = 2, **fields) -> int:
    """An activity put straight into the database (no service): the setup for a service call.

    ``starts_in`` may be negative: an activity that has already started.
    """
    starts_at = now() + starts_in
    fields.setdefault("title", TITLE)
    with app.app_context():
        row = Activity(centre_id=centre_id, starts_at=starts_at,
                       ends_at=starts_at + timedelta(hours=hours), capacity=capacity,
                       status=status, **fields)
        db_.session.add(row)
        db_.session.commit()
        return row.id


def activity(activity_id: int) -> Activity:
    return db_.session.get(Activity, activity_id)


def signup_row(app, activity_id: int, user_id: int) -> Signup | None:
    with app.app_context():
        return db_.session.scalar(select(Signup).where(Signup.activity_id == activity_id,
                                                       Signup.user_id == user_id))


def activity_row(app, activity_id: int) -> Activity:
    with app.app_context():
        return db_.session.get(Activity, activity_id)


@dataclasses.dataclass(frozen=True)
class Placed:
    """What a sign-up call left, read before its commit expired the row."""

    id: int
    status: SignupStatus
    waitlist_position: int | None
    ticket_secret: str


def _placed(signup: Signup) -> Placed:
    return Placed(signup.id, signup.status, signup.waitlist_position, signup.ticket_secret)


def sign_up(app, member_id: int, activity_id: int) -> Placed:
    with unit_of_work(app):
        return _placed(service.sign_up(user(member_id), activity(activity_id)))


def cancel(app, member_id: int, activity_id: int) -> Placed:
    with unit_of_work(app):
        return _placed(service.cancel_signup(user(member_id), activity(activity_id)))


def events(db, kind: str, activity_id: int | None = None) -> list[ParticipationEvent]:
    """Events of a kind, oldest first; for sign-up events, only those of one activity."""
    query = select(ParticipationEvent).where(ParticipationEvent.kind == kind)
    if activity_id is not None:
        query = query.where(ParticipationEvent.subject_type == "signup",
                            ParticipationEvent.subject_id.in_(
                                select(Signup.id).where(Signup.activity_id == activity_id)))
    return db.scalars(query.order_by(ParticipationEvent.id))


def notices(db, kind: NotificationKind) -> list[Notification]:
    return db.scalars(select(Notification).where(Notification.kind == kind)
                      .order_by(Notification.id))


def waitlist_positions(db, activity_id: int) -> list[int]:
    return db.scalars(select(Signup.waitlist_position).where(
        Signup.activity_id == activity_id, Signup.status == SignupStatus.WAITLISTED)
        .order_by(Signup.waitlist_position))


def statuses(db, activity_id: int) -> dict[int, SignupStatus]:
    rows = db.scalars(select(Signup).where(Signup.activity_id == activity_id))
    return {row.user_id: row.status for row in rows}


ACTIVITY_TABLES = (Activity, Signup, ParticipationEvent, Notification, VolunteerOffer,
                   OutboxMessage)


def _activity_state() -> tuple:
    """Rows per activity table, and every column a failed call could change in place."""
    counts = tuple(db_.session.scalar(select(func.count()).select_from(model))
                   for model in ACTIVITY_TABLES)
    activities = sorted(db_.session.execute(select(
        Activity.id, Activity.status, Activity.capacity, Activity.confirmed_count,
        Activity.waitlist_issued, Activity.guest_count, Activity.starts_at, Activity.title,
        Activity.cancel_reason)).all())
    signups = sorted(db_.session.execute(select(
        Signup.id, Signup.status, Signup.waitlist_position, Signup.ticket_secret,
        Signup.checked_in_at, Signup.channel)).all())
    offers = sorted(db_.session.execute(select(
        VolunteerOffer.id, VolunteerOffer.status, VolunteerOffer.minutes)).all())
    return counts, activities, signups, offers


def refused_here(app, error: type[DomainError], action: Callable[[], object]) -> DomainError:
    """``refused`` (which checks the proposal tables), and nothing changed in the activity
    tables, as seen inside the failing transaction itself."""
    seen = {}

    def checked():
        seen["before"] = _activity_state()
        try:
            return action()
        finally:
            seen["after"] = _activity_state()

    caught = refused(app, error, checked)
    assert seen["after"] == seen["before"], "the refused call changed the activity tables"
    return caught


def in_english(action: Callable[[], object]) -> Callable[[], object]:
    """The action with its messages in English (the centre's default language is Polish)."""
    def run():
        with force_locale("en"):
            return action()
    return run


def details_of(activity_id: int, **changes) -> service.ActivityDetails:
    """The activity's current details, with ``changes``: what the edit form would send."""
    row = activity(activity_id)
    current = {field.name: getattr(row, field.name)
               for field in dataclasses.fields(service.ActivityDetails)}
    return service.ActivityDetails(**{**current, **changes})


def future_details(**changes) -> service.ActivityDetails:
    starts = (now() + timedelta(days=10)).astimezone(WARSAW).replace(
        hour=18, minute=0, second=0, microsecond=0)
    details = service.ActivityDetails(title=TITLE, starts_at=starts,
                                      ends_at=starts + timedelta(hours=2), capacity=12)
    return dataclasses.replace(details, **changes)


def run_concurrently(app, calls: list, act: Callable[[object], object], workers: int
                     ) -> tuple[list, list[str]]:
    """Each call as its own request (thread, app context, session, commit); a barrier releases
    them in waves of ``workers``. A domain error is returned, not raised. SQLite may answer
    "database is locked" when a writer waits too long: that call is retried (as the person
    would tap again) and counted; on PostgreSQL nothing is retried."""
    assert len(calls) % workers == 0
    barrier = threading.Barrier(workers, timeout=60)
    retries: list[str] = []

    def run(argument):
        try:
            barrier.wait()
            while True:
                try:
                    with app.app_context():
                        try:
                            result = act(argument)
                        except DomainError as error:
                            db_.session.rollback()
                            return error
                        db_.session.commit()
                        return result
                except OperationalError as error:
                    if (uses_postgresql() or "database is locked" not in str(error)
                            or len(retries) > 2000):
                        raise
                    retries.append(str(error.orig))
        except BaseException:
            barrier.abort()  # an unexpected error: the rest of its wave need not wait
            raise

    with ThreadPoolExecutor(max_workers=workers) as pool:
        futures = [pool.submit(run, argument) for argument in calls]
    errors = [f.exception() for f in futures if f.exception() is not None]
    if errors:  # the first real error, not the broken barrier it left behind
        raise next((e for e in errors if not isinstance(e, threading.BrokenBarrierError)),
                   errors[0])
    return [f.result() for f in futures], retries


# --- 1. Invariant 2 under simultaneous requests ---------------------------------------------

MEMBERS = 200
SEATS = 20
WAVE = 50
CANCELLING = 5


def test_simultaneous_signups_never_overfill_and_cancellations_promote_in_order(app, db, scene):
    """200 members tap "sign up" at once (waves of 50) for 20 places; then 5 confirmed members
    cancel at once: the first 5 on the waitlist move up, in their order."""
    members = add_members(app, scene.a, MEMBERS)
    activity_id = make_activity(app, scene.a, capacity=SEATS)

    def tap(member_id):
        signup = service.sign_up(user(member_id), activity(activity_id))
        return signup.status, signup.waitlist_position

    results, retries = run_concurrently(app, members, tap, WAVE)

    assert not [r for r in results if isinstance(r, DomainError)]
    assert [s for s, _ in results].count(SignupStatus.CONFIRMED) == SEATS
    assert [s for s, _ in results].count(SignupStatus.WAITLISTED) == MEMBERS - SEATS
    assert db.count(Signup, Signup.activity_id == activity_id) == MEMBERS
    assert sorted(db.scalars(select(Signup.user_id))) == sorted(members)
    assert list(statuses(db, activity_id).values()).count(SignupStatus.CONFIRMED) == SEATS
    assert waitlist_positions(db, activity_id) == list(range(1, MEMBERS - SEATS + 1))
    row = activity_row(app, activity_id)
    assert (row.confirmed_count, row.waitlist_issued) == (SEATS, MEMBERS - SEATS)
    assert len(events(db, "signup_confirmed", activity_id)) == SEATS
    assert len(events(db, "signup_waitlisted", activity_id)) == MEMBERS - SEATS
    with app.app_context():
        assert sorted(e.actor_key for e in events(db, "signup_confirmed")) == sorted(
            actor_key(m) for m, (s, _) in zip(members, results, strict=True)
            if s is SignupStatus.CONFIRMED)
    print(f"sign-up retries after 'database is locked': {len(retries)}")

    # Five confirmed members cancel at once.
    waiting = {s.id: (s.user_id, s.waitlist_position) for s in db.scalars(
        select(Signup).where(Signup.status == SignupStatus.WAITLISTED))}
    leaving = [m for m, status in statuses(db, activity_id).items()
               if status is SignupStatus.CONFIRMED][:CANCELLING]
    cancelled, retries = run_concurrently(
        app, leaving,
        lambda member_id: service.cancel_signup(user(member_id), activity(activity_id)).status,
        CANCELLING)
    assert cancelled == [SignupStatus.CANCELLED] * CANCELLING

    promoted = events(db, "waitlist_promoted", activity_id)
    assert [waiting[e.subject_id][1] for e in promoted] == list(range(1, CANCELLING + 1))
    promoted_users = [waiting[e.subject_id][0] for e in promoted]
    with app.app_context():
        assert [e.actor_key for e in promoted] == [actor_key(m) for m in promoted_users]
    by_confirmation = db.scalars(select(Signup.user_id).where(Signup.id.in_(
        [e.subject_id for e in promoted])).order_by(Signup.confirmed_at, Signup.id))
    assert by_confirmation == promoted_users
    now_statuses = statuses(db, activity_id)
    assert all(now_statuses[m] is SignupStatus.CONFIRMED for m in promoted_users)
    assert all(now_statuses[m] is SignupStatus.CANCELLED for m in leaving)
    assert list(now_statuses.values()).count(SignupStatus.CONFIRMED) == SEATS
    assert waitlist_positions(db, activity_id) == list(range(CANCELLING + 1,
                                                             MEMBERS - SEATS + 1))
    assert activity_row(app, activity_id).confirmed_count == SEATS
    assert len(events(db, "signup_cancelled", activity_id)) == CANCELLING
    assert sorted(n.user_id for n in notices(db, NotificationKind.WAITLIST_PROMOTED)) == sorted(
        promoted_users)
    assert sorted(db.scalars(select(OutboxMessage.recipient))) == sorted(
        db.scalars(select(User.email).where(User.id.in_(promoted_users))))
    with app.app_context():
        next_in_line = db_.session.scalar(select(Signup).where(
            Signup.activity_id == activity_id, Signup.waitlist_position == CANCELLING + 1))
        last_in_line = db_.session.scalar(select(Signup).where(
            Signup.activity_id == activity_id, Signup.waitlist_position == MEMBERS - SEATS))
        assert service.waitlist_place(next_in_line) == 1
        assert service.waitlist_place(last_in_line) == MEMBERS - SEATS - CANCELLING
    print(f"cancellation retries after 'database is locked': {len(retries)}")


@pytest.mark.parametrize("full", [False, True], ids=["place-free", "full"])
def test_one_member_tapping_ten_times_at_once_gets_one_row(app, db, scene, full):
    taps = 10
    activity_id = make_activity(app, scene.a, capacity=1)
    if full:
        sign_up(app, add_members(app, scene.a, 1)[0], activity_id)
    member = add_members(app, scene.a, 1)[0]

    results, _ = run_concurrently(
        app, [member] * taps,
        lambda member_id: service.sign_up(user(member_id), activity(activity_id)).id, taps)

    errors = [r for r in results if isinstance(r, DomainError)]
    assert len(errors) == taps - 1 and all(isinstance(e, Conflict) for e in errors)
    assert db.count(Signup, Signup.user_id == member) == 1
    expected = "signup_waitlisted" if full else "signup_confirmed"
    key = actor_key_in(app, member)
    assert db.scalars(select(ParticipationEvent.kind).where(
        ParticipationEvent.actor_key == key)) == [expected]
    row = activity_row(app, activity_id)
    assert row.confirmed_count == 1
    assert row.waitlist_issued == (1 if full else 0)


def actor_key_in(app, member_id: int) -> str:
    with app.app_context():
        return actor_key(member_id)


# --- 2. Capacity changes --------------------------------------------------------------------


def test_raising_the_capacity_promotes_the_waitlist_in_order(app, db, scene):
    confirmed = add_members(app, scene.a, 2)
    waiting = add_members(app, scene.a, 5)
    activity_id = make_activity(app, scene.a, capacity=len(confirmed))
    for member in confirmed + waiting:
        sign_up(app, member, activity_id)
    assert waitlist_positions(db, activity_id) == [1, 2, 3, 4, 5]

    with unit_of_work(app):
        promoted = service.update_activity(user(scene.animator), activity(activity_id),
                                           details_of(activity_id, capacity=4))
        assert [s.user_id for s in promoted] == waiting[:2]
    assert activity_row(app, activity_id).confirmed_count == 4
    assert [n.user_id for n in notices(db, NotificationKind.WAITLIST_PROMOTED)] == waiting[:2]
    assert [e.subject_id for e in events(db, "waitlist_promoted")] == [
        signup_row(app, activity_id, m).id for m in waiting[:2]]
    assert waitlist_positions(db, activity_id) == [3, 4, 5]

    # Below the confirmed count: refused, nothing changed.
    error = refused_here(app, Invalid, lambda: service.update_activity(
        user(scene.animator), activity(activity_id), details_of(activity_id, capacity=3)))
    assert "4" in error.message

    # No limit: everyone waiting moves up.
    with unit_of_work(app):
        promoted = service.update_activity(user(scene.animator), activity(activity_id),
                                           details_of(activity_id, capacity=None))
        assert [s.user_id for s in promoted] == waiting[2:]
    assert waitlist_positions(db, activity_id) == []
    row = activity_row(app, activity_id)
    assert (row.capacity, row.confirmed_count) == (None, len(confirmed + waiting))
    assert [n.user_id for n in notices(db, NotificationKind.WAITLIST_PROMOTED)] == waiting
    assert len(events(db, "waitlist_promoted")) == len(waiting)


def test_lowering_the_capacity_to_exactly_the_confirmed_count(app, db, scene):
    members = add_members(app, scene.a, 4)
    activity_id = make_activity(app, scene.a, capacity=10)
    for member in members[:3]:
        sign_up(app, member, activity_id)
    with unit_of_work(app):
        assert service.update_activity(user(scene.animator), activity(activity_id),
                                       details_of(activity_id, capacity=3)) == []
    row = activity_row(app, activity_id)
    assert (row.capacity, row.confirmed_count, row.is_full) == (3, 3, True)
    # The next one waits.
    assert sign_up(app, members[3], activity_id).status is SignupStatus.WAITLISTED
    assert waitlist_positions(db, activity_id) == [1]


# --- 3. Refusals that write nothing ---------------------------------------------------------


@pytest.mark.parametrize(
    ("setup", "error"),
    [
        (dict(signup_deadline=timedelta(minutes=-1)), Conflict),
        (dict(starts_in=timedelta(minutes=-5)), Conflict),
        (dict(status=A.CANCELLED), Conflict),
        (dict(status=A.DRAFT), Conflict),
    ],
    ids=["after-deadline", "after-start", "cancelled", "draft"],
)
def test_sign_up_is_refused_when_closed(app, scene, setup, error):
    setup = dict(setup)
    if "signup_deadline" in setup:
        setup["signup_deadline"] = now() + setup["signup_deadline"]
    activity_id = make_activity(app, scene.a, capacity=10, **setup)
    refused_here(app, error, lambda: service.sign_up(user(scene.resident),
                                                     activity(activity_id)))


@pytest.mark.parametrize("who", ["outsider", "resident_b", "animator_b"])
def test_only_members_of_the_centre_sign_up(app, scene, who):
    activity_id = make_activity(app, scene.a, capacity=10)
    refused_here(app, NotAllowed, lambda: service.sign_up(user(getattr(scene, who)),
                                                          activity(activity_id)))


def test_signing_up_twice_is_refused(app, db, scene):
    first, second = add_members(app, scene.a, 2)
    activity_id = make_activity(app, scene.a, capacity=1)
    sign_up(app, first, activity_id)
    error = refused_here(app, Conflict, in_english(lambda: service.sign_up(
        user(first), activity(activity_id))))
    assert "already signed up" in error.message
    assert sign_up(app, second, activity_id).status is SignupStatus.WAITLISTED
    error = refused_here(app, Conflict, in_english(lambda: service.sign_up(
        user(second), activity(activity_id))))
    assert "already on the waitlist" in error.message
    assert db.count(Signup) == 2


def test_cancelling_is_refused_without_a_sign_up_or_after_the_start(app, db, scene):
    activity_id = make_activity(app, scene.a, capacity=10)
    refused_here(app, Conflict, lambda: service.cancel_signup(user(scene.resident),
                                                              activity(activity_id)))
    sign_up(app, scene.resident, activity_id)
    cancel(app, scene.resident, activity_id)
    refused_here(app, Conflict, lambda: service.cancel_signup(user(scene.resident),
                                                              activity(activity_id)))

    started = make_activity(app, scene.a, capacity=10, starts_in=timedelta(minutes=-10),
                            confirmed_count=1)
    db.add(Signup(activity_id=started, user_id=scene.resident, status=SignupStatus.CONFIRMED))
    refused_here(app, Conflict, lambda: service.cancel_signup(user(scene.resident),
                                                              activity(started)))
    assert signup_row(app, started, scene.resident).status is SignupStatus.CONFIRMED


def test_a_place_already_checked_in_is_not_cancelled(app, db, scene):
    # Check-in opens before the start; cancelling afterwards would leave a cancelled row
    # marked present (the CHECK constraint refuses it): both are refused with a message.
    activity_id = make_activity(app, scene.a, capacity=10)
    placed = sign_up(app, scene.resident, activity_id)
    with unit_of_work(app):
        service.check_in(user(scene.animator), db_.session.get(Signup, placed.id))
    mine = refused_here(app, Conflict, in_english(lambda: service.cancel_signup(
        user(scene.resident), activity(activity_id))))
    assert "already checked in" in mine.message
    theirs = refused_here(app, Conflict, in_english(lambda: service.cancel_signup(
        user(scene.animator), activity(activity_id), scene.resident)))
    assert "undo the check-in first" in theirs.message
    row = signup_row(app, activity_id, scene.resident)
    assert row.status is SignupStatus.CONFIRMED and row.checked_in_at is not None


def test_a_cancellation_sees_a_promotion_made_after_the_page_read_the_place(app, db, scene):
    # The sign-up view reads the person's place to choose join or cancel, before the lock.
    # Found by tests/test_killed_worker.py on PostgreSQL: a place promoted in between was still
    # "waitlisted" in the request's memory, so cancelling it did not free the confirmed place.
    first, waiting = add_members(app, scene.a, 2)
    activity_id = make_activity(app, scene.a, capacity=1)
    sign_up(app, first, activity_id)
    sign_up(app, waiting, activity_id)
    with app.app_context():
        member, row = user(waiting), activity(activity_id)
        place = service.signup_of(member, row)  # held, as the view holds it
        assert place.status is SignupStatus.WAITLISTED
        cancel(app, first, activity_id)  # another request, in its own session: promotes
        service.cancel_signup(member, row)
        db_.session.commit()
    assert activity_row(app, activity_id).confirmed_count == 0
    assert set(statuses(db, activity_id).values()) == {SignupStatus.CANCELLED}


# --- 4. Signing up again after cancelling ---------------------------------------------------


def test_signing_up_again_reuses_the_row_with_a_new_ticket_and_a_new_position(app, db, scene):
    again, other, third = add_members(app, scene.a, 3)
    activity_id = make_activity(app, scene.a, capacity=1)
    first = sign_up(app, again, activity_id)
    assert first.status is SignupStatus.CONFIRMED
    with app.app_context():
        old_token = service.ticket_token(db_.session.get(Signup, first.id))
    cancel(app, again, activity_id)
    assert sign_up(app, other, activity_id).status is SignupStatus.CONFIRMED

    second = sign_up(app, again, activity_id)  # full now: the waitlist
    assert second.id == first.id
    assert second.ticket_secret != first.ticket_secret
    assert (second.status, second.waitlist_position) == (SignupStatus.WAITLISTED, 1)
    refused_here(app, NotFound, lambda: service.signup_from_ticket(
        user(scene.animator), centre(scene.a), old_token))
    with app.app_context():
        new_token = service.ticket_token(db_.session.get(Signup, second.id))
        assert service.signup_from_ticket(user(scene.animator), centre(scene.a),
                                          new_token).id == first.id

    assert sign_up(app, third, activity_id).waitlist_position == 2
    cancel(app, again, activity_id)  # leaves the waitlist
    third_time = sign_up(app, again, activity_id)
    assert third_time.id == first.id
    assert third_time.waitlist_position == 3  # not 1 again: positions never repeat
    assert waitlist_positions(db, activity_id) == [2, 3]
    with app.app_context():
        assert service.waitlist_place(db_.session.get(Signup, first.id)) == 2
    assert db.count(Signup, Signup.user_id == again) == 1
    assert [e.subject_id for e in events(db, "signup_cancelled")] == [first.id, first.id]


# --- 5. Creating activities -----------------------------------------------------------------


def _bad_details(scene_ids: dict) -> dict[str, tuple[service.ActivityDetails, date | None]]:
    base = future_details()
    start = base.starts_at
    return {
        "end-before-start": (dataclasses.replace(base, ends_at=start - timedelta(hours=1)), None),
        "end-equals-start": (dataclasses.replace(base, ends_at=start), None),
        "capacity-0": (dataclasses.replace(base, capacity=0), None),
        "capacity-negative": (dataclasses.replace(base, capacity=-1), None),
        "capacity-too-big": (dataclasses.replace(base, capacity=MAX_CAPACITY + 1), None),
        "start-in-past": (dataclasses.replace(base, starts_at=now() - timedelta(hours=1),
                                              ends_at=now() + timedelta(hours=1)), None),
        "deadline-after-start": (dataclasses.replace(
            base, signup_deadline=start + timedelta(minutes=1)), None),
        "title-too-short": (dataclasses.replace(base, title="  ab "), None),
        "repeat-until-before-start": (base, start.astimezone(WARSAW).date()
                                      - timedelta(days=1)),
        "repeat-until-the-start-day": (base, start.astimezone(WARSAW).date()),
        "series-over-52": (base, start.astimezone(WARSAW).date() + timedelta(weeks=52)),
        "category-of-another-centre": (
            dataclasses.replace(base, category_id=scene_ids["category_b"]), None),
        "proposal-of-another-centre": (
            dataclasses.replace(base, proposal_id=scene_ids["proposal_b"]), None),
        "proposal-not-public": (
            dataclasses.replace(base, proposal_id=scene_ids["proposal_submitted"]), None),
        "naive-start": (dataclasses.replace(base, starts_at=start.replace(tzinfo=None)), None),
        "naive-deadline": (dataclasses.replace(
            base, signup_deadline=(start - timedelta(days=1)).replace(tzinfo=None)), None),
    }


BAD_CASES = list(_bad_details({"category_b": 0, "proposal_b": 0, "proposal_submitted": 0}))


@pytest.mark.parametrize("case", BAD_CASES)
def test_bad_activity_details_are_refused(app, db, scene, case):
    ids = {
        "category_b": scene.category_b,
        "proposal_b": make_proposal(app, scene, centre_id=scene.b),
        "proposal_submitted": make_proposal(app, scene, ProposalStatus.SUBMITTED),
    }
    details, until = _bad_details(ids)[case]
    refused_here(app, Invalid, lambda: service.create_activities(
        user(scene.animator), centre(scene.a), details, repeat_weekly_until=until))
    assert db.count(Activity) == 0


def test_a_series_of_exactly_52_is_accepted(app, db, scene):
    details = future_details()
    until = details.starts_at.astimezone(WARSAW).date() + timedelta(weeks=51)
    with unit_of_work(app):
        made = service.create_activities(user(scene.animator), centre(scene.a), details,
                                         repeat_weekly_until=until)
        assert len(made) == service.MAX_SERIES
    assert db.count(Activity) == service.MAX_SERIES


def _next_spring_change(after: datetime) -> date:
    """The first last-Sunday-of-March (Warsaw moves to summer time) more than a week ahead."""
    year = after.year
    while True:
        day = date(year, 3, 31)
        day -= timedelta(days=(day.weekday() - 6) % 7)
        if datetime.combine(day - timedelta(weeks=1), time(18), tzinfo=WARSAW) > after:
            return day
        year += 1


def test_a_weekly_series_keeps_the_local_time_across_the_dst_change(app, db, scene):
    change = _next_spring_change(now())
    first_day, last_day = change - timedelta(weeks=1), change + timedelta(weeks=1)
    starts = datetime.combine(first_day, time(18), tzinfo=WARSAW)
    details = future_details(starts_at=starts, ends_at=starts + timedelta(hours=2),
                             signup_deadline=starts - timedelta(hours=3))
    with unit_of_work(app):
        made = service.create_activities(user(scene.animator), centre(scene.a), details,
                                         repeat_weekly_until=last_day, publish=True)
        ids = [a.id for a in made]
    rows = db.scalars(select(Activity).where(Activity.id.in_(ids)).order_by(Activity.starts_at))
    assert len(rows) == len(set(ids)) == 3
    days = [first_day + timedelta(weeks=n) for n in range(3)]
    assert [r.starts_at.astimezone(WARSAW).date() for r in rows] == days
    assert all(r.starts_at.astimezone(WARSAW).time() == time(18) for r in rows)
    assert all(r.ends_at.astimezone(WARSAW).time() == time(20) for r in rows)
    assert all(r.signup_deadline.astimezone(WARSAW).time() == time(15) for r in rows)
    utc_hours = [r.starts_at.astimezone(UTC).hour for r in rows]
    assert utc_hours[0] - utc_hours[1] == 1 and utc_hours[1] == utc_hours[2]
    assert len({r.series_key for r in rows}) == 1 and rows[0].series_key
    assert all(r.status is A.PUBLISHED and r.published_at for r in rows)
    assert sorted(e.subject_id for e in events(db, "activity_published")) == sorted(ids)


def test_a_series_deadline_days_before_keeps_its_local_time_across_the_dst_change(
        app, db, scene):
    """Start on the Monday after the change, deadline on the Saturday before it at noon: the
    second deadline falls before the change, its start after; both stay at local times."""
    change = _next_spring_change(now())
    starts = datetime.combine(change + timedelta(days=1) - timedelta(weeks=1), time(18),
                              tzinfo=WARSAW)
    deadline = datetime.combine(starts.date() - timedelta(days=2), time(12), tzinfo=WARSAW)
    details = future_details(starts_at=starts, ends_at=starts + timedelta(hours=2),
                             signup_deadline=deadline)
    with unit_of_work(app):
        ids = [a.id for a in service.create_activities(
            user(scene.animator), centre(scene.a), details,
            repeat_weekly_until=starts.date() + timedelta(weeks=1))]
    rows = db.scalars(select(Activity).where(Activity.id.in_(ids)).order_by(Activity.starts_at))
    assert [r.signup_deadline.astimezone(WARSAW).time() for r in rows] == [time(12)] * 2
    assert [r.starts_at.astimezone(WARSAW).time() for r in rows] == [time(18)] * 2
    assert rows[1].signup_deadline.astimezone(WARSAW).date() == change - timedelta(days=1)


def test_a_single_draft_has_no_series_and_no_event(app, db, scene):
    with unit_of_work(app):
        [made] = service.create_activities(user(scene.animator), centre(scene.a),
                                           future_details(title="  Spacer  "))
        made_id = made.id
    row = activity_row(app, made_id)
    assert (row.status, row.series_key, row.title, row.created_by_id) == (
        A.DRAFT, None, "Spacer", scene.animator)
    assert events(db, "activity_published") == []


# --- 6. Permissions -------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class Stage:
    """A centre A activity of every kind an animator acts on, and rows to act on."""

    draft: int
    future: int
    signup: int
    started: int
    offer: int


@pytest.fixture
def stage(app, db, scene) -> Stage:
    draft = make_activity(app, scene.a, status=A.DRAFT, capacity=10)
    future = make_activity(app, scene.a, capacity=10)
    member = add_members(app, scene.a, 1)[0]
    signup = sign_up(app, member, future).id
    started = make_activity(app, scene.a, starts_in=timedelta(hours=-1), hours=3,
                            volunteers_needed=2)
    offer = db.add(VolunteerOffer(activity_id=started, user_id=member,
                                  status=VolunteerStatus.CONFIRMED, confirmed_at=now())).id
    return Stage(draft, future, signup, started, offer)


def _signup(stage: Stage) -> Signup:
    return db_.session.get(Signup, stage.signup)


MANAGER_ACTIONS: dict[str, Callable] = {
    "create": lambda who, st, sc: service.create_activities(who, centre(sc.a), future_details()),
    "update": lambda who, st, sc: service.update_activity(
        who, activity(st.future), details_of(st.future, title="Nowy tytuł")),
    "publish": lambda who, st, sc: service.publish_activity(who, activity(st.draft)),
    "cancel": lambda who, st, sc: service.cancel_activity(who, activity(st.future), "Ulewa"),
    "check-in": lambda who, st, sc: service.check_in(who, _signup(st)),
    "ticket": lambda who, st, sc: service.signup_from_ticket(
        who, centre(sc.a), service.ticket_token(_signup(st))),
    "sign-up-for": lambda who, st, sc: service.sign_up_for(who, activity(st.future),
                                                           sc.resident),
    "walk-in": lambda who, st, sc: service.add_walk_in(who, activity(st.future), sc.resident),
    "guests": lambda who, st, sc: service.change_guests(who, activity(st.future), 2),
    "attendance": lambda who, st, sc: service.attendance(who, activity(st.future)),
    "decide-offer": lambda who, st, sc: service.decide_offer(who, activity(st.started),
                                                             st.offer, False),
    "record-hours": lambda who, st, sc: service.record_hours(who, activity(st.started),
                                                             st.offer, 60),
}


@pytest.mark.parametrize("action", sorted(MANAGER_ACTIONS))
@pytest.mark.parametrize("who", ["resident", "animator_b", "outsider"])
def test_only_the_centres_animators_manage_its_activities(app, scene, stage, who, action):
    refused_here(app, NotAllowed, lambda: MANAGER_ACTIONS[action](
        user(getattr(scene, who)), stage, scene))


READ_ONLY = {"ticket", "attendance"}


@pytest.mark.parametrize("action", sorted(MANAGER_ACTIONS))
@pytest.mark.parametrize("who", ["animator", "admin"])
def test_animators_and_admins_manage_activities(app, scene, stage, who, action):
    with unit_of_work(app):
        before = _activity_state()
        MANAGER_ACTIONS[action](user(getattr(scene, who)), stage, scene)
        after = _activity_state()
    assert (after == before) is (action in READ_ONLY)


def test_an_animator_cannot_cancel_a_sign_up_in_another_centre(app, scene):
    member = add_members(app, scene.a, 1)[0]
    activity_id = make_activity(app, scene.a, capacity=10)
    sign_up(app, member, activity_id)
    for who in ("resident", "animator_b"):
        refused_here(app, NotAllowed, lambda who=who: service.cancel_signup(
            user(getattr(scene, who)), activity(activity_id), member))
    with unit_of_work(app):
        service.cancel_signup(user(scene.animator), activity(activity_id), member)
    assert signup_row(app, activity_id, member).status is SignupStatus.CANCELLED


# --- 7. Tickets and check-in ----------------------------------------------------------------


def _token(app, signup_id: int) -> str:
    with app.app_context():
        return service.ticket_token(db_.session.get(Signup, signup_id))


def test_a_ticket_checks_the_person_in_once_and_undo_writes_a_counter_entry(app, db, scene):
    activity_id = make_activity(app, scene.a, capacity=10)
    signup_id = sign_up(app, scene.resident, activity_id).id
    token = _token(app, signup_id)

    with unit_of_work(app):
        found = service.signup_from_ticket(user(scene.animator), centre(scene.a), token)
        assert found.id == signup_id
        assert service.check_in(user(scene.animator), found) is True
    with unit_of_work(app):
        found = service.signup_from_ticket(user(scene.animator), centre(scene.a), token)
        assert service.check_in(user(scene.animator), found) is False
    row = signup_row(app, activity_id, scene.resident)
    assert row.checked_in_at is not None and row.checked_in_by_id == scene.animator
    assert [e.quantity for e in events(db, "checked_in")] == [1]

    with unit_of_work(app):
        assert service.undo_check_in(user(scene.animator),
                                     db_.session.get(Signup, signup_id)) is True
    with unit_of_work(app):
        assert service.undo_check_in(user(scene.animator),
                                     db_.session.get(Signup, signup_id)) is False
    assert signup_row(app, activity_id, scene.resident).checked_in_at is None
    checked = events(db, "checked_in")
    assert [e.quantity for e in checked] == [1, -1]
    assert sum(e.quantity for e in checked) == 0
    assert {e.subject_id for e in checked} == {signup_id}


@pytest.mark.parametrize("who", ["resident", "animator_b", "outsider"])
def test_only_the_centres_animators_read_tickets(app, scene, who):
    activity_id = make_activity(app, scene.a, capacity=10)
    token = _token(app, sign_up(app, scene.resident, activity_id).id)
    refused_here(app, NotAllowed, lambda: service.signup_from_ticket(
        user(getattr(scene, who)), centre(scene.a), token))
    refused_here(app, NotAllowed, lambda: service.check_in(
        user(getattr(scene, who)), db_.session.scalar(select(Signup))))


def _flip(text: str, index: int) -> str:
    return text[:index] + ("A" if text[index] != "A" else "B") + text[index + 1:]


def test_forged_and_foreign_tickets_are_not_found(app, scene):
    activity_id = make_activity(app, scene.a, capacity=10)
    signup = sign_up(app, scene.resident, activity_id)
    token = _token(app, signup.id)
    payload, _, signature = token.rpartition(".")
    elsewhere = make_activity(app, scene.b, capacity=10)
    foreign = _token(app, sign_up(app, scene.resident_b, elsewhere).id)
    forged = {
        "signature-flipped": _flip(token, len(payload) + 1),
        "payload-flipped": _flip(token, 1),
        "other-secret-key": URLSafeSerializer("another-secret", salt="activity-check-in").dumps(
            [signup.id, signup.ticket_secret]),
        "other-salt": URLSafeSerializer(app.config["SECRET_KEY"], salt="other").dumps(
            [signup.id, signup.ticket_secret]),
        "no-signature": payload,
        "empty": "",
        "another-centres-signup": foreign,
    }
    signer = URLSafeSerializer(app.config["SECRET_KEY"], salt="activity-check-in")
    for odd in (None, "x", [signup.id], {"a": 1, "b": 2}, [signup.id, "wrong-secret"],
                [10**40, signup.ticket_secret], [-1, signup.ticket_secret],
                [[1], signup.ticket_secret], ["one", signup.ticket_secret]):
        forged[f"signed-{odd!r}"] = signer.dumps(odd)
    for name, bad in forged.items():
        assert bad != token, name
        refused_here(app, NotFound, lambda bad=bad: service.signup_from_ticket(
            user(scene.animator), centre(scene.a), bad))
    # The proper one still works, and the other centre's animator reads their own ticket.
    with app.app_context():
        assert service.signup_from_ticket(user(scene.animator), centre(scene.a),
                                          token).id == signup.id
        assert service.signup_from_ticket(user(scene.animator_b), centre(scene.b),
                                          foreign).activity_id == elsewhere


def test_a_waitlisted_person_cannot_be_checked_in(app, db, scene):
    first, waiting = add_members(app, scene.a, 2)
    activity_id = make_activity(app, scene.a, capacity=1)
    sign_up(app, first, activity_id)
    signup_id = sign_up(app, waiting, activity_id).id
    refused_here(app, Conflict, lambda: service.check_in(user(scene.animator),
                                                         db_.session.get(Signup, signup_id)))
    assert events(db, "checked_in") == []


# --- 8. Walk-ins and guests -----------------------------------------------------------------


def test_a_walk_in_takes_a_free_place_and_is_checked_in(app, db, scene):
    activity_id = make_activity(app, scene.a, capacity=2)
    sign_up(app, add_members(app, scene.a, 1)[0], activity_id)
    before = activity_row(app, activity_id).confirmed_count
    with unit_of_work(app):
        signup_id = service.add_walk_in(user(scene.animator), activity(activity_id),
                                        scene.resident).id
    row = db.get(Signup, signup_id)
    assert (row.status, row.channel, row.recorded_by_id, row.checked_in_by_id) == (
        SignupStatus.CONFIRMED, SignupChannel.WALK_IN, scene.animator, scene.animator)
    assert row.checked_in_at is not None and row.waitlist_position is None
    assert activity_row(app, activity_id).confirmed_count == before + 1
    [walk_in] = events(db, "walk_in")
    assert (walk_in.subject_id, walk_in.channel, walk_in.quantity) == (signup_id, "walk_in", 1)
    assert walk_in.actor_key == actor_key_in(app, scene.resident)

    # Full now: the next walk-in is refused and nothing is written.
    other = add_members(app, scene.a, 1)[0]
    refused_here(app, Conflict, lambda: service.add_walk_in(
        user(scene.animator), activity(activity_id), other))
    assert signup_row(app, activity_id, other) is None


def test_a_walk_in_who_already_signed_up_is_just_checked_in(app, db, scene):
    activity_id = make_activity(app, scene.a, capacity=1)
    signup_id = sign_up(app, scene.resident, activity_id).id
    with unit_of_work(app):  # full, but the place is theirs
        assert service.add_walk_in(user(scene.animator), activity(activity_id),
                                   scene.resident).id == signup_id
    row = db.get(Signup, signup_id)
    assert row.checked_in_at is not None and row.channel is SignupChannel.ONLINE
    assert activity_row(app, activity_id).confirmed_count == 1
    assert [e.subject_id for e in events(db, "checked_in")] == [signup_id]
    assert events(db, "walk_in") == []


def test_a_walk_in_after_cancelling_does_not_revive_the_old_ticket(app, db, scene):
    activity_id = make_activity(app, scene.a, capacity=5)
    signup_id = sign_up(app, scene.resident, activity_id).id
    old_token = _token(app, signup_id)
    cancel(app, scene.resident, activity_id)
    with unit_of_work(app):
        assert service.add_walk_in(user(scene.animator), activity(activity_id),
                                   scene.resident).id == signup_id
    refused_here(app, NotFound, lambda: service.signup_from_ticket(
        user(scene.animator), centre(scene.a), old_token))


@pytest.mark.parametrize("member", ["outsider", "resident_b", "missing", "none"])
def test_a_walk_in_must_be_a_member(app, scene, member):
    member_id = {"missing": 999_999, "none": None}.get(member, getattr(scene, member, None))
    activity_id = make_activity(app, scene.a, capacity=5)
    refused_here(app, Invalid, lambda: service.add_walk_in(
        user(scene.animator), activity(activity_id), member_id))


def test_guests_are_counted_up_and_down_but_never_below_zero(app, db, scene):
    activity_id = make_activity(app, scene.a, capacity=5)
    with unit_of_work(app):
        assert service.change_guests(user(scene.animator), activity(activity_id), 3) == 3
    with unit_of_work(app):
        assert service.change_guests(user(scene.animator), activity(activity_id), -1) == 2
    assert activity_row(app, activity_id).guest_count == 2
    guests = events(db, "walk_in")
    assert [(e.quantity, e.channel, e.actor_key) for e in guests] == [(3, "guest", None),
                                                                     (-1, "guest", None)]
    assert sum(e.quantity for e in guests) == activity_row(app, activity_id).guest_count
    for change in (-3, 0, 501):
        refused_here(app, Invalid, lambda change=change: service.change_guests(
            user(scene.animator), activity(activity_id), change))
    assert activity_row(app, activity_id).guest_count == 2


# --- 9. Volunteers --------------------------------------------------------------------------


def test_offers_of_help_only_when_asked_and_once(app, db, scene):
    no_help = make_activity(app, scene.a, capacity=5)
    refused_here(app, Conflict, lambda: service.offer_help(user(scene.resident),
                                                           activity(no_help)))
    activity_id = make_activity(app, scene.a, capacity=5, volunteers_needed=2)
    refused_here(app, NotAllowed, lambda: service.offer_help(user(scene.resident_b),
                                                             activity(activity_id)))
    with unit_of_work(app):
        offer_id = service.offer_help(user(scene.resident), activity(activity_id)).id
    with unit_of_work(app):
        assert service.offer_help(user(scene.resident), activity(activity_id)).id == offer_id
    assert db.count(VolunteerOffer) == 1
    assert len(events(db, "volunteer_offered")) == 1

    with unit_of_work(app):
        service.decide_offer(user(scene.animator), activity(activity_id), offer_id, True)
    with unit_of_work(app):  # accepted twice: thanked once
        service.decide_offer(user(scene.animator), activity(activity_id), offer_id, True)
    assert db.get(VolunteerOffer, offer_id).status is VolunteerStatus.CONFIRMED
    [notice] = notices(db, NotificationKind.VOLUNTEER_CONFIRMED)
    assert (notice.user_id, notice.activity_id) == (scene.resident, activity_id)
    # Not before the activity has started.
    refused_here(app, Conflict, lambda: service.record_hours(
        user(scene.animator), activity(activity_id), offer_id, 60))
    # A cancelled activity has no helpers to accept or decline.
    with unit_of_work(app):
        service.cancel_activity(user(scene.animator), activity(activity_id), "Awaria")
    for accept in (True, False):
        refused_here(app, Conflict, lambda accept=accept: service.decide_offer(
            user(scene.animator), activity(activity_id), offer_id, accept))


def test_volunteer_hours_are_recorded_and_corrected_by_their_difference(app, db, scene):
    activity_id = make_activity(app, scene.a, starts_in=timedelta(hours=-2), hours=4,
                                volunteers_needed=3)
    helper, unconfirmed = add_members(app, scene.a, 2)
    with unit_of_work(app):
        offer_id = service.offer_help(user(helper), activity(activity_id)).id
        other_id = service.offer_help(user(unconfirmed), activity(activity_id)).id
    refused_here(app, Conflict, lambda: service.record_hours(
        user(scene.animator), activity(activity_id), other_id, 60))
    with unit_of_work(app):
        service.decide_offer(user(scene.animator), activity(activity_id), offer_id, True)
    for minutes in (1441, -1):
        refused_here(app, Invalid, lambda minutes=minutes: service.record_hours(
            user(scene.animator), activity(activity_id), offer_id, minutes))

    for minutes in (150, 90, 90):
        with unit_of_work(app):
            service.record_hours(user(scene.animator), activity(activity_id), offer_id,
                                 minutes)
    offer = db.get(VolunteerOffer, offer_id)
    assert (offer.minutes, offer.hours_recorded_by_id) == (90, scene.animator)
    hours = events(db, "volunteer_hours")
    assert [e.quantity for e in hours] == [150, 90 - 150]  # the same 90 again: no entry
    assert sum(e.quantity for e in hours) == offer.minutes
    assert {e.actor_key for e in hours} == {actor_key_in(app, helper)}
    # Hours recorded: declining now would lose them.
    refused_here(app, Conflict, lambda: service.decide_offer(
        user(scene.animator), activity(activity_id), offer_id, False))


def test_two_simultaneous_offers_of_help_keep_one_row(app, db, scene, monkeypatch):
    """Both requests read before either writes (a double tap): still one offer, no error."""
    activity_id = make_activity(app, scene.a, capacity=5, volunteers_needed=2)
    both_read = threading.Barrier(2, timeout=2)
    read_offer = service.offer_of

    def offer_of_then_wait(member, row):
        offer = read_offer(member, row)
        # A service that locks first makes the other request wait: then go on alone.
        with contextlib.suppress(threading.BrokenBarrierError):
            both_read.wait()
        return offer

    monkeypatch.setattr(service, "offer_of", offer_of_then_wait)
    results, _ = run_concurrently(
        app, [scene.resident] * 2,
        lambda member_id: service.offer_help(user(member_id), activity(activity_id)).id, 2)
    assert not [r for r in results if isinstance(r, DomainError) and not isinstance(r, Conflict)]
    assert db.count(VolunteerOffer) == 1
    assert len(events(db, "volunteer_offered")) == 1


# --- 10. Cancelling an activity -------------------------------------------------------------


def test_cancelling_an_activity_tells_everyone_signed_up_or_waiting_once(app, db, scene):
    confirmed = add_members(app, scene.a, 2)
    waiting = add_members(app, scene.a, 2)
    gone = add_members(app, scene.a, 1)
    activity_id = make_activity(app, scene.a, capacity=3)
    for member in gone + confirmed + waiting:
        sign_up(app, member, activity_id)
    cancel(app, gone[0], activity_id)  # waiting[0] moves up
    expected = sorted(confirmed + waiting)

    for reason in ("", "   "):
        refused_here(app, Invalid, lambda reason=reason: service.cancel_activity(
            user(scene.animator), activity(activity_id), reason))
    with unit_of_work(app):
        told = service.cancel_activity(user(scene.animator), activity(activity_id),
                                       "  Awaria ogrzewania  ")
    assert told == len(expected)
    cancelled = notices(db, NotificationKind.ACTIVITY_CANCELLED)
    assert sorted(n.user_id for n in cancelled) == expected
    assert {(n.activity_id, n.reason) for n in cancelled} == {
        (activity_id, "Awaria ogrzewania")}
    # One e-mail each too (besides the one that told waiting[0] of the freed place).
    emails = {u.id: u.email for u in db.scalars(select(User))}
    assert sorted(db.scalars(select(OutboxMessage.recipient))) == sorted(
        emails[m] for m in expected + waiting[:1])
    row = activity_row(app, activity_id)
    assert (row.status, row.cancel_reason) == (A.CANCELLED, "Awaria ogrzewania")
    assert row.cancelled_at is not None
    assert len(events(db, "activity_cancelled")) == 1

    refused_here(app, Conflict, lambda: service.sign_up(user(scene.resident),
                                                        activity(activity_id)))
    refused_here(app, Conflict, lambda: service.cancel_activity(
        user(scene.animator), activity(activity_id), "Jeszcze raz"))
    refused_here(app, Conflict, lambda: service.cancel_signup(user(confirmed[0]),
                                                              activity(activity_id)))


# --- 11. The database's own guarantees ------------------------------------------------------


def test_the_database_refuses_more_confirmed_than_places(app, db, scene):
    activity_id = make_activity(app, scene.a, capacity=2)
    with app.app_context():
        row = db_.session.get(Activity, activity_id)
        row.confirmed_count = 3
        with pytest.raises(IntegrityError):
            db_.session.flush()
        db_.session.rollback()
    with app.app_context():
        start = now() + timedelta(days=1)
        db_.session.add(Activity(centre_id=scene.a, title=TITLE, starts_at=start,
                                 ends_at=start + timedelta(hours=1), capacity=1,
                                 confirmed_count=2))
        with pytest.raises(IntegrityError):
            db_.session.flush()
        db_.session.rollback()
    assert db.count(Activity) == 1
    assert activity_row(app, activity_id).confirmed_count == 0


def test_the_database_refuses_a_repeated_waitlist_position(app, db, scene):
    first, second = add_members(app, scene.a, 2)
    activity_id = make_activity(app, scene.a, capacity=1)
    with app.app_context():
        db_.session.add_all([
            Signup(activity_id=activity_id, user_id=member, status=SignupStatus.WAITLISTED,
                   waitlist_position=1) for member in (first, second)])
        with pytest.raises(IntegrityError):
            db_.session.flush()
        db_.session.rollback()
    with app.app_context():  # and a position only on the waitlist
        db_.session.add(Signup(activity_id=activity_id, user_id=first,
                               status=SignupStatus.CONFIRMED, waitlist_position=4))
        with pytest.raises(IntegrityError):
            db_.session.flush()
        db_.session.rollback()
    assert db.count(Signup) == 0
