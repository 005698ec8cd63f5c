"""Rules for activities: creating and publishing, signing up with a waitlist, check-in at the
door, walk-ins and guests, volunteer helpers.

Functions take plain arguments, check rights, enforce rules and flush; the request commits.
Every act writes its ParticipationEvent in the same transaction.

Invariant 2 (DESIGN.md): every change to who is confirmed or waitlisted happens under the
activity's row lock (``SELECT … FOR UPDATE`` on PostgreSQL; on SQLite a no-op UPDATE that
makes the transaction a writer at once, so writers queue), and reads the activity again after
taking it. ``Activity.confirmed_count`` and the CHECK constraint on it, and the unique
waitlist position, are the database's guarantee behind the lock.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from flask import current_app
from flask_babel import gettext as _
from flask_babel import ngettext
from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy import Select, func, select
from sqlalchemy.orm import joinedload

from ..centres.service import (
    can_manage_centre,
    ensure_manager,
    ensure_member,
    membership_of,
)
from ..dbutil import lock_row
from ..errors import Conflict, Invalid, NotFound
from ..events import record_event
from ..extensions import db
from ..models import (
    MAX_CAPACITY,
    PUBLIC_STATUSES,
    Activity,
    ActivityStatus,
    Category,
    Centre,
    NotificationKind,
    Proposal,
    Signup,
    SignupChannel,
    SignupStatus,
    User,
    VolunteerOffer,
    VolunteerStatus,
    utcnow,
)
from ..models.activities import new_ticket_secret
from ..notifications.service import notify
from ..search import matching_all_words

A = ActivityStatus
ACTIVE_SIGNUP = (SignupStatus.CONFIRMED, SignupStatus.WAITLISTED)
MAX_SERIES = 52  # a year of weekly meetings
MAX_VOLUNTEERS = 100
MAX_MINUTES = 24 * 60


# --- Who may do what ------------------------------------------------------------------------


def can_view(user: User | None, activity: Activity) -> bool:
    """Published and cancelled activities are public; drafts only for the centre's managers."""
    return activity.status is not A.DRAFT or can_manage_centre(user, activity.centre)


def visible_activity(user: User | None, centre: Centre, activity_id: int) -> Activity:
    """The activity, if it belongs to this centre and this person may see it; else 404."""
    activity = db.session.scalar(
        select(Activity).where(Activity.id == activity_id, Activity.centre_id == centre.id)
        .options(joinedload(Activity.category), joinedload(Activity.proposal))
    )
    if activity is None or not can_view(user, activity):
        raise NotFound(_("There is no such activity here."))
    return activity


def has_started(activity: Activity, now: datetime | None = None) -> bool:
    return (now or utcnow()) >= activity.starts_at


def has_ended(activity: Activity, now: datetime | None = None) -> bool:
    return (now or utcnow()) >= activity.ends_at


def signup_open(activity: Activity, now: datetime | None = None) -> bool:
    """Published, not yet started, and before the sign-up deadline (if there is one)."""
    now = now or utcnow()
    if activity.status is not A.PUBLISHED or has_started(activity, now):
        return False
    return activity.signup_deadline is None or now < activity.signup_deadline


def _locked(activity: Activity) -> Activity:
    """Take the activity's row lock and reread it: sign-ups decide one after another.

    Its sign-ups read before the lock are reread too: the view looked at the person's sign-up
    to choose join or cancel, and another request may have promoted or cancelled it since
    (a stale "waitlisted" made a cancellation forget to free the confirmed place)."""
    lock_row(Activity, activity.id)
    db.session.refresh(activity)
    for stale in [row for row in db.session.identity_map.values()
                  if isinstance(row, Signup) and row.activity_id == activity.id
                  and row not in db.session.dirty]:
        db.session.expire(stale)
    return activity


# --- Creating, editing, publishing, cancelling ----------------------------------------------


@dataclass(frozen=True)
class ActivityDetails:
    """What an animator enters for an activity; times are aware (any zone), stored in UTC."""

    title: str
    starts_at: datetime
    ends_at: datetime
    description: str = ""
    place: str = ""
    capacity: int | None = None
    signup_deadline: datetime | None = None
    category_id: int | None = None
    proposal_id: int | None = None
    volunteers_needed: int = 0


def _checked(centre: Centre, details: ActivityDetails) -> ActivityDetails:
    """Refuse what breaks a rule, with a message the animator can act on."""
    title, description, place = (details.title.strip(), details.description.strip(),
                                 details.place.strip())
    if not 3 <= len(title) <= 120:
        raise Invalid(_("The title must have from 3 to 120 characters."))
    if len(description) > 5000:
        raise Invalid(_("The description can have at most 5,000 characters."))
    if len(place) > 200:
        raise Invalid(_("The place can have at most 200 characters."))
    for moment in (details.starts_at, details.ends_at, details.signup_deadline):
        if moment is not None and moment.tzinfo is None:
            raise Invalid(_("Enter the date and time in the centre's time zone."))
    if details.ends_at <= details.starts_at:
        raise Invalid(_("The activity must end after it starts."))
    if details.ends_at - details.starts_at > timedelta(days=14):
        raise Invalid(_("An activity can last at most 14 days. Make a series for longer ones."))
    if details.capacity is not None and not 1 <= details.capacity <= MAX_CAPACITY:
        raise Invalid(_("The number of places must be from 1 to %(max)d, or empty for no "
                        "limit.", max=MAX_CAPACITY))
    if details.signup_deadline is not None and details.signup_deadline > details.starts_at:
        raise Invalid(_("The sign-up deadline cannot be after the start."))
    if not 0 <= details.volunteers_needed <= MAX_VOLUNTEERS:
        raise Invalid(_("The number of volunteers must be from 0 to %(max)d.",
                        max=MAX_VOLUNTEERS))
    if details.category_id is not None:
        category = db.session.get(Category, details.category_id)
        if category is None or category.centre_id != centre.id or category.archived:
            raise Invalid(_("Choose one of the centre's categories."))
    if details.proposal_id is not None:
        proposal = db.session.get(Proposal, details.proposal_id)
        if (proposal is None or proposal.centre_id != centre.id
                or proposal.status not in PUBLIC_STATUSES):
            raise Invalid(_("Choose one of the centre's published proposals."))
    return ActivityDetails(
        title=title, description=description, place=place,
        starts_at=details.starts_at.astimezone(UTC), ends_at=details.ends_at.astimezone(UTC),
        signup_deadline=(details.signup_deadline.astimezone(UTC)
                         if details.signup_deadline else None),
        capacity=details.capacity, category_id=details.category_id,
        proposal_id=details.proposal_id, volunteers_needed=details.volunteers_needed,
    )


def _weeks_later(moment: datetime, weeks: int, zone: ZoneInfo) -> datetime:
    """The same local wall-clock time ``weeks`` later, across a DST change, in UTC."""
    local = moment.astimezone(zone).replace(tzinfo=None) + timedelta(weeks=weeks)
    return local.replace(tzinfo=zone).astimezone(UTC)


def _weekly_count(start: datetime, until: date, zone: ZoneInfo) -> int:
    """How many weekly occurrences from ``start`` fall on or before the local day ``until``."""
    return (until - start.astimezone(zone).date()).days // 7 + 1


def create_activities(actor: User, centre: Centre, details: ActivityDetails,
                      repeat_weekly_until: date | None = None,
                      publish: bool = False) -> list[Activity]:
    """One activity, or a weekly series of separate ones; drafts unless ``publish``."""
    ensure_manager(actor, centre)
    details = _checked(centre, details)
    if details.starts_at <= utcnow():
        raise Invalid(_("A new activity must start in the future."))
    zone = ZoneInfo(centre.timezone)
    count = 1
    if repeat_weekly_until is not None:
        if repeat_weekly_until <= details.starts_at.astimezone(zone).date():
            raise Invalid(_("“Repeat weekly until” must be a date after the first activity."))
        count = _weekly_count(details.starts_at, repeat_weekly_until, zone)
        if count > MAX_SERIES:
            raise Invalid(ngettext("A series can have at most %(num)d activity.",
                                   "A series can have at most %(num)d activities.", MAX_SERIES))
    series_key = uuid.uuid4().hex if count > 1 else None
    activities = []
    for week in range(count):
        deadline = details.signup_deadline
        activity = Activity(
            centre_id=centre.id, title=details.title, description=details.description,
            place=details.place, starts_at=_weeks_later(details.starts_at, week, zone),
            ends_at=_weeks_later(details.ends_at, week, zone),
            signup_deadline=_weeks_later(deadline, week, zone) if deadline else None,
            capacity=details.capacity, category_id=details.category_id,
            proposal_id=details.proposal_id, volunteers_needed=details.volunteers_needed,
            series_key=series_key, status=A.DRAFT, created_by_id=actor.id,
        )
        db.session.add(activity)
        activities.append(activity)
    db.session.flush()
    if publish:
        for activity in activities:
            _publish(activity, actor)
    db.session.flush()
    return activities


def update_activity(actor: User, activity: Activity, details: ActivityDetails) -> list[Signup]:
    """Change an activity. Lowering the capacity below the confirmed count is refused; raising
    it promotes people from the waitlist, in order. Returns the promoted sign-ups."""
    ensure_manager(actor, activity.centre)
    _locked(activity)
    if activity.status is A.CANCELLED:
        raise Conflict(_("A cancelled activity cannot be changed."))
    details = _checked(activity.centre, details)
    if details.starts_at != activity.starts_at and details.starts_at <= utcnow():
        raise Invalid(_("The new start must be in the future."))
    if details.capacity is not None and details.capacity < activity.confirmed_count:
        raise Invalid(ngettext(
            "%(num)d person is already confirmed: the number of places cannot be lower. "
            "Cancel sign-ups first.",
            "%(num)d people are already confirmed: the number of places cannot be lower. "
            "Cancel sign-ups first.",
            activity.confirmed_count))
    for name in ("title", "description", "place", "starts_at", "ends_at", "signup_deadline",
                 "capacity", "category_id", "proposal_id", "volunteers_needed"):
        setattr(activity, name, getattr(details, name))
    db.session.flush()
    promoted = _promote_from_waitlist(activity)
    db.session.flush()
    return promoted


def _publish(activity: Activity, actor: User) -> None:
    activity.status = A.PUBLISHED
    activity.published_at = utcnow()
    record_event(activity.centre_id, "activity_published", activity, actor)


def publish_activity(actor: User, activity: Activity) -> None:
    ensure_manager(actor, activity.centre)
    _locked(activity)
    if activity.status is not A.DRAFT:
        raise Conflict(_("Only a draft can be published."))
    if has_started(activity):
        raise Conflict(_("This activity has already started. Change its date first."))
    _publish(activity, actor)
    db.session.flush()


def cancel_activity(actor: User, activity: Activity, reason: str) -> int:
    """Cancel, and tell everyone signed up or waiting why. Returns how many were told."""
    ensure_manager(actor, activity.centre)
    _locked(activity)
    reason = reason.strip()
    if activity.status is A.CANCELLED:
        raise Conflict(_("This activity is already cancelled."))
    if has_ended(activity):
        raise Conflict(_("This activity is over; it cannot be cancelled."))
    if not 1 <= len(reason) <= 2000:
        raise Invalid(_("Give a reason from 1 to 2,000 characters: everyone signed up reads "
                        "it."))
    activity.status = A.CANCELLED
    activity.cancel_reason = reason
    activity.cancelled_at = utcnow()
    record_event(activity.centre_id, "activity_cancelled", activity, actor)
    people = list(db.session.scalars(
        select(User).join(Signup, Signup.user_id == User.id)
        .where(Signup.activity_id == activity.id, Signup.status.in_(ACTIVE_SIGNUP))))
    for person in people:
        # Mailed as the person chose (notify): the cancellation mail, or the daily digest.
        notify(person.id, NotificationKind.ACTIVITY_CANCELLED, None, reason=reason,
               activity=activity)
    db.session.flush()
    return len(people)


# --- Signing up -----------------------------------------------------------------------------


def signup_of(user: User | None, activity: Activity) -> Signup | None:
    """The person's row for this activity (any status), if any."""
    if user is None or not user.is_authenticated:
        return None
    return db.session.scalar(
        select(Signup).where(Signup.activity_id == activity.id, Signup.user_id == user.id))


def waitlist_place(signup: Signup) -> int:
    """Where the person stands now: 1 is next. Positions stored only grow; this counts."""
    return db.session.scalar(
        select(func.count()).select_from(Signup).where(
            Signup.activity_id == signup.activity_id,
            Signup.status == SignupStatus.WAITLISTED,
            Signup.waitlist_position <= signup.waitlist_position)
    ) or 0


def _check_can_sign_up(activity: Activity) -> None:
    if activity.status is A.CANCELLED:
        raise Conflict(_("This activity is cancelled."))
    if activity.status is not A.PUBLISHED:
        raise Conflict(_("This activity is not open for sign-up."))
    if has_started(activity):
        raise Conflict(_("Sign-up is closed: the activity has already started."))
    if activity.signup_deadline is not None and utcnow() >= activity.signup_deadline:
        raise Conflict(_("Sign-up is closed: the deadline has passed."))


def _place(activity: Activity, member: User, channel: SignupChannel,
           recorded_by: User | None) -> Signup:
    """Confirm or waitlist the member; the caller holds the lock and checked the rules."""
    signup = signup_of(member, activity)
    if signup is not None and signup.status is SignupStatus.CONFIRMED:
        raise Conflict(_("You are already signed up for this activity.")
                       if recorded_by is None else
                       _("%(name)s is already signed up.", name=member.display_name))
    if signup is not None and signup.status is SignupStatus.WAITLISTED:
        raise Conflict(_("You are already on the waitlist for this activity.")
                       if recorded_by is None else
                       _("%(name)s is already on the waitlist.", name=member.display_name))
    if signup is None:
        signup = Signup(activity_id=activity.id, user_id=member.id)
        db.session.add(signup)
    else:  # signing up again after cancelling: the old ticket must not work any more
        signup.ticket_secret = new_ticket_secret()
    signup.channel = channel
    signup.recorded_by_id = getattr(recorded_by, "id", None)
    signup.created_at = utcnow()
    signup.cancelled_at = signup.checked_in_at = signup.reminder_sent_at = None
    signup.cancelled_by_id = None
    if not activity.is_full:
        activity.confirmed_count += 1
        signup.status, signup.waitlist_position = SignupStatus.CONFIRMED, None
        signup.confirmed_at = utcnow()
        kind = "signup_confirmed"
    else:
        activity.waitlist_issued += 1
        signup.status = SignupStatus.WAITLISTED
        signup.waitlist_position = activity.waitlist_issued
        signup.confirmed_at = None
        kind = "signup_waitlisted"
    db.session.flush()
    record_event(activity.centre_id, kind, signup, member, channel=channel.value)
    return signup


def sign_up(member: User, activity: Activity) -> Signup:
    """The member takes a place, or the next place on the waitlist when the activity is full."""
    _locked(activity)
    ensure_member(member, activity.centre)
    _check_can_sign_up(activity)
    signup = _place(activity, member, SignupChannel.ONLINE, recorded_by=None)
    db.session.flush()
    return signup


def sign_up_for(animator: User, activity: Activity, member_id: int | None) -> Signup:
    """An animator signs a member up on their behalf (channel ``assisted``)."""
    ensure_manager(animator, activity.centre)
    _locked(activity)
    member = _member_of_centre(activity.centre, member_id)
    _check_can_sign_up(activity)
    signup = _place(activity, member, SignupChannel.ASSISTED, recorded_by=animator)
    db.session.flush()
    return signup


def _member_of_centre(centre: Centre, member_id: int | None) -> User:
    member = db.session.get(User, member_id) if member_id else None
    if member is None or membership_of(member, centre) is None:
        raise Invalid(_("Choose a member of this centre."))
    return member


def cancel_signup(actor: User, activity: Activity, member_id: int | None = None) -> Signup:
    """Give up one's place (or, for an animator, someone else's). A freed place goes to the
    first on the waitlist. Returns the cancelled sign-up."""
    _locked(activity)
    if member_id is not None and member_id != actor.id:
        ensure_manager(actor, activity.centre)
    member_id = member_id or actor.id
    signup = db.session.scalar(
        select(Signup).where(Signup.activity_id == activity.id, Signup.user_id == member_id))
    if signup is None or signup.status is SignupStatus.CANCELLED:
        raise Conflict(_("There is no sign-up to cancel."))
    if activity.status is A.CANCELLED:
        raise Conflict(_("This activity is cancelled."))
    if has_started(activity):
        raise Conflict(_("The activity has already started; the sign-up cannot be cancelled."))
    if signup.checked_in_at is not None:  # present at the door: the register says so
        raise Conflict(_("You are already checked in; ask an animator if this is a mistake.")
                       if member_id == actor.id else
                       _("This person is already checked in; undo the check-in first."))
    was_confirmed = signup.status is SignupStatus.CONFIRMED
    for_someone_else = member_id != actor.id  # an animator cancels for the member
    signup.status, signup.waitlist_position = SignupStatus.CANCELLED, None
    signup.cancelled_at = utcnow()
    signup.cancelled_by_id = actor.id if for_someone_else else None
    if was_confirmed:
        activity.confirmed_count -= 1
    db.session.flush()
    record_event(activity.centre_id, "signup_cancelled", signup, db.session.get(User, member_id),
                 channel=(SignupChannel.ASSISTED.value if for_someone_else
                          else signup.channel.value))
    if was_confirmed:
        _promote_from_waitlist(activity)
    db.session.flush()
    return signup


def _promote_from_waitlist(activity: Activity) -> list[Signup]:
    """Fill free places from the waitlist, first position first, and tell those promoted."""
    if activity.status is not A.PUBLISHED or has_started(activity):
        return []
    free = None if activity.capacity is None else activity.capacity - activity.confirmed_count
    query = (select(Signup).where(Signup.activity_id == activity.id,
                                  Signup.status == SignupStatus.WAITLISTED)
             .order_by(Signup.waitlist_position))
    if free is not None:
        if free <= 0:
            return []
        query = query.limit(free)
    promoted = list(db.session.scalars(query))
    for signup in promoted:
        signup.status, signup.waitlist_position = SignupStatus.CONFIRMED, None
        signup.confirmed_at = utcnow()
        activity.confirmed_count += 1
        person = db.session.get(User, signup.user_id)
        record_event(activity.centre_id, "waitlist_promoted", signup, person,
                     channel=signup.channel.value)
        # Mailed as the person chose (notify): the "you have a place" mail, or the digest.
        notify(signup.user_id, NotificationKind.WAITLIST_PROMOTED, None, activity=activity)
    db.session.flush()
    return promoted


# --- Tickets and check-in -------------------------------------------------------------------


def _ticket_serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt="activity-check-in")


def ticket_token(signup: Signup) -> str:
    """The signed part of the check-in link: which sign-up, and its own random secret."""
    return _ticket_serializer().dumps([signup.id, signup.ticket_secret])


def signup_from_ticket(animator: User, centre: Centre, token: str) -> Signup:
    """The sign-up a check-in link stands for: only the centre's animators may use it, and a
    forged, altered or outdated link (the person cancelled and signed up again) is refused."""
    ensure_manager(animator, centre)
    try:
        signup_id, secret = _ticket_serializer().loads(token)
        signup_id, secret = int(signup_id), str(secret)
    except (BadSignature, TypeError, ValueError):
        raise NotFound(_("This check-in link is not valid.")) from None
    signup = db.session.get(Signup, signup_id) if 0 < signup_id < 2**31 else None
    if (signup is None or signup.ticket_secret != secret
            or signup.activity.centre_id != centre.id):
        raise NotFound(_("This check-in link is not valid."))
    return signup


def _arrival_kind(signup: Signup) -> str:
    return "walk_in" if signup.channel is SignupChannel.WALK_IN else "checked_in"


def _check_attendance_open(activity: Activity) -> None:
    if activity.status is not A.PUBLISHED:
        raise Conflict(_("Attendance can be recorded only for a published activity."))


def check_in(animator: User, signup: Signup) -> bool:
    """Mark a confirmed person present. Returns False if they already were."""
    activity = signup.activity
    ensure_manager(animator, activity.centre)
    _locked(activity)
    db.session.refresh(signup)
    _check_attendance_open(activity)
    if signup.status is not SignupStatus.CONFIRMED:
        raise Conflict(_("Only confirmed people can be checked in."))
    if signup.checked_in_at is not None:
        return False
    signup.checked_in_at, signup.checked_in_by_id = utcnow(), animator.id
    record_event(activity.centre_id, _arrival_kind(signup), signup, signup.user,
                 channel=signup.channel.value)
    db.session.flush()
    return True


def undo_check_in(animator: User, signup: Signup) -> bool:
    """Take a check-in back (a wrong tap). The log gets a counter-entry, never a deletion."""
    activity = signup.activity
    ensure_manager(animator, activity.centre)
    _locked(activity)
    db.session.refresh(signup)
    _check_attendance_open(activity)
    if signup.checked_in_at is None:
        return False
    signup.checked_in_at, signup.checked_in_by_id = None, None
    record_event(activity.centre_id, _arrival_kind(signup), signup, signup.user,
                 channel=signup.channel.value, quantity=-1)
    db.session.flush()
    return True


def add_walk_in(animator: User, activity: Activity, member_id: int | None) -> Signup:
    """A member came without signing up: confirm and check them in at once.

    They need a free place like anyone else: people on the waitlist asked first.
    """
    ensure_manager(animator, activity.centre)
    _locked(activity)
    _check_attendance_open(activity)
    member = _member_of_centre(activity.centre, member_id)
    signup = signup_of(member, activity)
    if signup is not None and signup.status is SignupStatus.CONFIRMED:
        check_in(animator, signup)
        return signup
    if activity.is_full:
        raise Conflict(_("No places are left. Raise the number of places first, or count "
                         "the person as a guest."))
    if signup is None:
        signup = Signup(activity_id=activity.id, user_id=member.id)
        db.session.add(signup)
    else:  # a cancelled or waiting row: any ticket printed for it before stops working
        signup.ticket_secret = new_ticket_secret()
    # Someone on the waitlist who comes while a place is free takes it, like a promotion.
    signup.status, signup.waitlist_position = SignupStatus.CONFIRMED, None
    signup.channel, signup.recorded_by_id = SignupChannel.WALK_IN, animator.id
    signup.confirmed_at = signup.checked_in_at = utcnow()
    signup.checked_in_by_id, signup.cancelled_at = animator.id, None
    activity.confirmed_count += 1
    db.session.flush()
    record_event(activity.centre_id, "walk_in", signup, member, channel="walk_in")
    db.session.flush()
    return signup


def change_guests(animator: User, activity: Activity, change: int) -> int:
    """Count guests who came without an account (+1 / -1). Returns the new count."""
    ensure_manager(animator, activity.centre)
    _locked(activity)
    _check_attendance_open(activity)
    if change == 0 or abs(change) > 500:
        raise Invalid(_("Enter a change from -500 to 500, other than 0."))
    if activity.guest_count + change < 0:
        raise Invalid(_("The number of guests cannot be below zero."))
    activity.guest_count += change
    record_event(activity.centre_id, "walk_in", activity, None, channel="guest",
                 quantity=change)
    db.session.flush()
    return activity.guest_count


# --- Volunteers -----------------------------------------------------------------------------


def offer_of(user: User | None, activity: Activity) -> VolunteerOffer | None:
    if user is None or not user.is_authenticated:
        return None
    return db.session.scalar(select(VolunteerOffer).where(
        VolunteerOffer.activity_id == activity.id, VolunteerOffer.user_id == user.id))


def offer_help(member: User, activity: Activity) -> VolunteerOffer:
    """A member offers to help; the animators confirm. Offering twice changes nothing."""
    ensure_member(member, activity.centre)
    _locked(activity)  # two taps at once: the second sees the first's offer
    if activity.status is not A.PUBLISHED or has_ended(activity):
        raise Conflict(_("This activity does not take offers of help now."))
    if activity.volunteers_needed == 0:
        raise Conflict(_("This activity does not ask for volunteers."))
    offer = offer_of(member, activity)
    if offer is not None and offer.status is not VolunteerStatus.DECLINED:
        return offer
    if offer is None:
        offer = VolunteerOffer(activity_id=activity.id, user_id=member.id)
        db.session.add(offer)
    offer.status, offer.confirmed_at, offer.created_at = VolunteerStatus.OFFERED, None, utcnow()
    db.session.flush()
    record_event(activity.centre_id, "volunteer_offered", offer, member)
    return offer


def withdraw_help(member: User, activity: Activity) -> None:
    _locked(activity)
    offer = offer_of(member, activity)
    if offer is None or offer.status is VolunteerStatus.DECLINED:
        raise Conflict(_("There is no offer of help to withdraw."))
    if offer.minutes is not None:
        raise Conflict(_("Your hours are already recorded; ask an animator to change them."))
    offer.status = VolunteerStatus.DECLINED
    db.session.flush()


def _offer_in(centre: Centre, activity: Activity, offer_id: int) -> VolunteerOffer:
    offer = db.session.get(VolunteerOffer, offer_id)
    if offer is None or offer.activity_id != activity.id or activity.centre_id != centre.id:
        raise NotFound(_("There is no such offer of help here."))
    return offer


def _check_helpers_open(activity: Activity) -> None:
    """A cancelled activity had no helpers to thank and no hours to count."""
    if activity.status is not A.PUBLISHED:
        raise Conflict(_("Helpers are managed only for a published activity."))


def decide_offer(animator: User, activity: Activity, offer_id: int, accept: bool
                 ) -> VolunteerOffer:
    """Accept (and thank) or decline an offer of help."""
    ensure_manager(animator, activity.centre)
    _locked(activity)  # two animators accepting at once thank the helper once
    offer = _offer_in(activity.centre, activity, offer_id)
    db.session.refresh(offer)
    _check_helpers_open(activity)
    if offer.minutes is not None and not accept:
        raise Conflict(_("Hours are recorded for this person; set them to 0 first."))
    target = VolunteerStatus.CONFIRMED if accept else VolunteerStatus.DECLINED
    if offer.status is target:
        return offer
    offer.status = target
    offer.confirmed_at = utcnow() if accept else None
    if accept:
        notify(offer.user_id, NotificationKind.VOLUNTEER_CONFIRMED, None, activity=activity)
    db.session.flush()
    return offer


def record_hours(animator: User, activity: Activity, offer_id: int, minutes: int
                 ) -> VolunteerOffer:
    """Record (or correct) a helper's time after the activity has started. The log gets the
    difference, so its sum is always the recorded total."""
    ensure_manager(animator, activity.centre)
    _locked(activity)  # corrections in a row: each difference is taken from the last one
    offer = _offer_in(activity.centre, activity, offer_id)
    db.session.refresh(offer)
    _check_helpers_open(activity)
    if offer.status is not VolunteerStatus.CONFIRMED:
        raise Conflict(_("Accept the offer of help before recording hours."))
    if not has_started(activity):
        raise Conflict(_("Hours can be recorded once the activity has started."))
    if not 0 <= minutes <= MAX_MINUTES:
        raise Invalid(_("Enter from 0 to 24 hours."))
    change = minutes - (offer.minutes or 0)
    # "Recorded at" is when the hours last changed (the log's latest entry for them), so
    # saving the same hours again does not move the figures to another day.
    if change or offer.minutes is None:
        offer.hours_recorded_at, offer.hours_recorded_by_id = utcnow(), animator.id
    offer.minutes = minutes
    if change:
        record_event(activity.centre_id, "volunteer_hours", offer, offer.user,
                     quantity=change)
    db.session.flush()
    return offer


def volunteer_offers(activity: Activity) -> list[VolunteerOffer]:
    return list(db.session.scalars(
        select(VolunteerOffer).where(VolunteerOffer.activity_id == activity.id)
        .options(joinedload(VolunteerOffer.user))
        .order_by(VolunteerOffer.created_at, VolunteerOffer.id)))


def confirmed_volunteers(activity: Activity) -> int:
    return db.session.scalar(select(func.count()).select_from(VolunteerOffer).where(
        VolunteerOffer.activity_id == activity.id,
        VolunteerOffer.status == VolunteerStatus.CONFIRMED)) or 0


# --- Lists ----------------------------------------------------------------------------------


def local_day_bounds(day: date, zone: ZoneInfo) -> tuple[datetime, datetime]:
    """The UTC instants where a local calendar day starts and the next one starts."""
    start = datetime.combine(day, time(0), tzinfo=zone).astimezone(UTC)
    end = datetime.combine(day + timedelta(days=1), time(0), tzinfo=zone).astimezone(UTC)
    return start, end


def activities_query(centre: Centre, *, when: str = "upcoming", category_id: int | None = None,
                     date_from: date | None = None, date_to: date | None = None,
                     include_drafts: bool = False, now: datetime | None = None) -> Select:
    """A centre's activities: upcoming (not yet ended, soonest first) or past (latest first),
    by category and local dates. Drafts only for the animators' list."""
    now = now or utcnow()
    zone = ZoneInfo(centre.timezone)
    query = (select(Activity).where(Activity.centre_id == centre.id)
             .options(joinedload(Activity.category)))
    if not include_drafts:
        query = query.where(Activity.status != A.DRAFT)
    if category_id:
        query = query.where(Activity.category_id == category_id)
    if date_from:
        query = query.where(Activity.ends_at > local_day_bounds(date_from, zone)[0])
    if date_to:
        query = query.where(Activity.starts_at < local_day_bounds(date_to, zone)[1])
    if when == "past":
        return query.where(Activity.ends_at <= now).order_by(Activity.starts_at.desc(),
                                                             Activity.id.desc())
    if when == "upcoming":
        query = query.where(Activity.ends_at > now)
    return query.order_by(Activity.starts_at, Activity.id)


def next_activities(centre: Centre, limit: int = 3) -> list[Activity]:
    """What is coming at the centre, for its home page (cancelled ones left out)."""
    return list(db.session.scalars(
        activities_query(centre).where(Activity.status == A.PUBLISHED).limit(limit)))


def activities_realising(proposal: Proposal) -> list[Activity]:
    """Public activities that realise a proposal, for the proposal's page."""
    return list(db.session.scalars(
        select(Activity).where(Activity.proposal_id == proposal.id, Activity.status != A.DRAFT)
        .order_by(Activity.starts_at)))


@dataclass(frozen=True)
class MySignups:
    upcoming: list[Signup]
    past: list[Signup]


def my_signups(user: User, now: datetime | None = None) -> MySignups:
    """The person's confirmed and waitlisted places, at every centre, soonest first."""
    now = now or utcnow()
    rows = list(db.session.scalars(
        select(Signup).join(Activity, Activity.id == Signup.activity_id)
        .where(Signup.user_id == user.id, Signup.status.in_(ACTIVE_SIGNUP))
        .options(joinedload(Signup.activity).joinedload(Activity.centre))
        .order_by(Activity.starts_at)))
    upcoming = [row for row in rows if row.activity.ends_at > now]
    past = [row for row in reversed(rows) if row.activity.ends_at <= now]
    return MySignups(upcoming=upcoming, past=past)


@dataclass(frozen=True)
class Attendance:
    confirmed: list[Signup]
    waitlisted: list[Signup]
    present: int
    guests: int


def attendance(animator: User, activity: Activity, search: str = "") -> Attendance:
    """The door list: confirmed people by name (optionally searched), then the waitlist."""
    ensure_manager(animator, activity.centre)
    query = (select(Signup).join(User, User.id == Signup.user_id)
             .where(Signup.activity_id == activity.id)
             .options(joinedload(Signup.user)))
    query = query.where(*matching_all_words(search, User.display_name, User.email))
    confirmed = list(db.session.scalars(
        query.where(Signup.status == SignupStatus.CONFIRMED).order_by(User.display_name,
                                                                      Signup.id)))
    waitlisted = list(db.session.scalars(
        query.where(Signup.status == SignupStatus.WAITLISTED)
        .order_by(Signup.waitlist_position)))
    return Attendance(confirmed=confirmed, waitlisted=waitlisted,
                      present=present_count(activity), guests=activity.guest_count)


def present_count(activity: Activity) -> int:
    """People checked in (walk-ins included; anonymous guests are counted apart)."""
    return db.session.scalar(select(func.count()).select_from(Signup).where(
        Signup.activity_id == activity.id, Signup.checked_in_at.is_not(None))) or 0


def waitlist_count(activity: Activity) -> int:
    return waitlist_counts([activity.id]).get(activity.id, 0)


def waitlist_counts(activity_ids: list[int]) -> dict[int, int]:
    """People waiting per activity, for a whole list in one query (no N+1)."""
    if not activity_ids:
        return {}
    rows = db.session.execute(
        select(Signup.activity_id, func.count()).where(
            Signup.activity_id.in_(activity_ids), Signup.status == SignupStatus.WAITLISTED)
        .group_by(Signup.activity_id))
    return dict(rows.all())
