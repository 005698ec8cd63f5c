"""Acting for a resident: finding a centre's members and doing things on their behalf, and
the history of what a person did (or had done for them).

One "on behalf of" flow: every act here checks that the actor manages the centre AND that the
member belongs to it, then calls the domain's own service (proposals, supports, sign-ups,
cancellations) with the animator as ``recorded_by``. Those services write the row with
channel ``assisted`` and the animator's id, and the ParticipationEvent attributed to the
resident with channel ``assisted``; here the resident also gets an in-app notification.

Functions take plain arguments, check rights, flush and never commit.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import Select, func, or_, select
from sqlalchemy.orm import contains_eager, joinedload

from ..activities import service as activities
from ..cards.codes import normalise_code
from ..cards.service import find_member_by_code
from ..centres.service import ensure_manager
from ..errors import Conflict, NotFound
from ..extensions import db
from ..models import (
    SUPPORTABLE_STATUSES,
    Activity,
    ActivityStatus,
    AgeBracket,
    Centre,
    Membership,
    NotificationKind,
    Proposal,
    Signup,
    SignupChannel,
    SignupStatus,
    Support,
    SupportChannel,
    User,
    VolunteerOffer,
    VolunteerStatus,
    utcnow,
)
from ..notifications.service import notify
from ..proposals import service as proposals
from ..search import matching_all_words

AGE_LABELS = {
    AgeBracket.UNDER_16: _l("under 16"),
    AgeBracket.FROM_16_TO_24: _l("16 to 24"),
    AgeBracket.FROM_25_TO_34: _l("25 to 34"),
    AgeBracket.FROM_35_TO_49: _l("35 to 49"),
    AgeBracket.FROM_50_TO_64: _l("50 to 64"),
    AgeBracket.FROM_65_TO_74: _l("65 to 74"),
    AgeBracket.FROM_75: _l("75 or older"),
}


# --- Finding members ------------------------------------------------------------------------


def members_query(centre: Centre, search: str = "") -> Select[tuple[Membership]]:
    """The centre's memberships with their people, by name; erased accounts never listed.
    Every word searched must appear in the name or the e-mail address."""
    query = (select(Membership).join(User, User.id == Membership.user_id)
             .where(Membership.centre_id == centre.id, User.erased_at.is_(None))
             .options(contains_eager(Membership.user)))
    query = query.where(*matching_all_words(search, User.display_name, User.email))
    return query.order_by(func.lower(User.display_name), User.id)


def member_by_card(actor: User, centre: Centre, typed: str) -> User | None:
    """The member holding the card whose code (or scanned address) was typed; None when the
    text is no code or names no card of a member of this centre."""
    ensure_manager(actor, centre)
    if normalise_code(typed) is None:
        return None
    return find_member_by_code(centre, typed)


def member_of(actor: User, centre: Centre, user_id: int) -> tuple[User, Membership]:
    """The member an animator acts for. 403 for anyone who does not manage the centre; 404
    for someone who is not a member of it (or whose account is erased), so the page tells
    nothing about people elsewhere."""
    ensure_manager(actor, centre)
    row = db.session.execute(
        select(User, Membership).join(Membership, Membership.user_id == User.id)
        .where(User.id == user_id, Membership.centre_id == centre.id)
    ).first() if 0 < user_id < 2**31 else None
    if row is None or row[0].is_erased:
        raise NotFound(_("There is no such member at this centre."))
    return row[0], row[1]


# --- What an animator can do for a member ---------------------------------------------------


def supportable_for(member: User, centre: Centre) -> list[Proposal]:
    """Proposals open for support at the centre that the member has not supported yet."""
    supported = select(Support.proposal_id).where(Support.user_id == member.id)
    return list(db.session.scalars(
        select(Proposal).where(Proposal.centre_id == centre.id,
                               Proposal.status.in_(SUPPORTABLE_STATUSES),
                               Proposal.id.not_in(supported))
        .order_by(Proposal.title, Proposal.id)))


def open_activities_for(member: User, centre: Centre) -> list[Activity]:
    """Published activities open for sign-up that the member holds no place for."""
    now = utcnow()
    taken = select(Signup.activity_id).where(Signup.user_id == member.id,
                                             Signup.status.in_(activities.ACTIVE_SIGNUP))
    rows = db.session.scalars(
        select(Activity).where(Activity.centre_id == centre.id,
                               Activity.status == ActivityStatus.PUBLISHED,
                               Activity.starts_at > now, Activity.id.not_in(taken),
                               or_(Activity.signup_deadline.is_(None),
                                   Activity.signup_deadline > now))
        .order_by(Activity.starts_at, Activity.id).limit(100))
    return list(rows)


def cancellable_for(member: User, centre: Centre) -> list[Signup]:
    """The member's places (confirmed or waiting) at the centre's activities still to come,
    not checked in: the ones that can be cancelled."""
    return list(db.session.scalars(
        select(Signup).join(Activity, Activity.id == Signup.activity_id)
        .where(Signup.user_id == member.id, Activity.centre_id == centre.id,
               Signup.status.in_(activities.ACTIVE_SIGNUP), Signup.checked_in_at.is_(None),
               Activity.status == ActivityStatus.PUBLISHED, Activity.starts_at > utcnow())
        .options(contains_eager(Signup.activity))
        .order_by(Activity.starts_at, Activity.id)))


def _proposal_in(centre: Centre, proposal_id: int | None) -> Proposal:
    proposal = (db.session.get(Proposal, proposal_id)
                if proposal_id and 0 < proposal_id < 2**31 else None)
    if proposal is None or proposal.centre_id != centre.id:
        raise NotFound(_("There is no such proposal here."))
    return proposal


def _activity_in(centre: Centre, activity_id: int | None) -> Activity:
    activity = (db.session.get(Activity, activity_id)
                if activity_id and 0 < activity_id < 2**31 else None)
    if activity is None or activity.centre_id != centre.id:
        raise NotFound(_("There is no such activity here."))
    return activity


def _acting_for(actor: User, centre: Centre, member_id: int) -> User:
    """The member, when the actor may act for them: not for oneself (one's own acts go
    through the ordinary pages, online)."""
    member, _membership = member_of(actor, centre, member_id)
    if member.id == actor.id:
        raise Conflict(_("This is your own account: use the ordinary pages to take part "
                         "yourself."))
    return member


def propose_for(actor: User, centre: Centre, member_id: int, title: str, body: str,
                category_id: int | None, place: str = "") -> Proposal:
    """Enter a proposal the member dictated: the member is its author, the animator recorded
    it (channel ``assisted``). The same rules as proposing online."""
    member = _acting_for(actor, centre, member_id)
    proposal = proposals.propose(member, centre, title, body, category_id, place,
                                 recorded_by=actor)
    notify(member.id, NotificationKind.ACTED_FOR_YOU, proposal, status="proposed", actor=actor)
    db.session.flush()
    return proposal


def support_for(actor: User, centre: Centre, member_id: int, proposal_id: int | None
                ) -> Proposal:
    """Enter the member's support of a proposal (channel ``assisted``)."""
    member = _acting_for(actor, centre, member_id)
    proposal = _proposal_in(centre, proposal_id)
    if not proposals.record_assisted_support(actor, proposal, member.id):
        raise Conflict(_("%(name)s already supports this proposal.", name=member.display_name))
    notify(member.id, NotificationKind.ACTED_FOR_YOU, proposal, status="supported", actor=actor)
    db.session.flush()
    return proposal


def sign_up_for(actor: User, centre: Centre, member_id: int, activity_id: int | None
                ) -> Signup:
    """Give the member a place, or the next place on the waitlist (channel ``assisted``)."""
    member = _acting_for(actor, centre, member_id)
    activity = _activity_in(centre, activity_id)
    if activity.status is ActivityStatus.DRAFT:
        raise NotFound(_("There is no such activity here."))
    signup = activities.sign_up_for(actor, activity, member.id)
    notify(member.id, NotificationKind.ACTED_FOR_YOU, None, status="signed_up",
           activity=activity, actor=actor)
    db.session.flush()
    return signup


def cancel_for(actor: User, centre: Centre, member_id: int, activity_id: int | None) -> Signup:
    """Give up the member's place; the sign-up names the animator who cancelled it."""
    member = _acting_for(actor, centre, member_id)
    activity = _activity_in(centre, activity_id)
    signup = activities.cancel_signup(actor, activity, member_id=member.id)
    notify(member.id, NotificationKind.ACTED_FOR_YOU, None, status="cancelled",
           activity=activity, actor=actor)
    db.session.flush()
    return signup


# --- History --------------------------------------------------------------------------------


@dataclass(frozen=True)
class HistoryEntry:
    """One act in a person's history: what, when, where, and who entered it for them."""

    kind: str  # proposed, supported, signed_up, waitlisted, walked_in, checked_in, cancelled,
    # offered_help, helped
    at: datetime
    centre: Centre
    proposal: Proposal | None = None
    activity: Activity | None = None
    entered_by: User | None = None  # the animator, when someone else entered the act
    minutes: int | None = None  # volunteering time


def history_of(person: User, centre: Centre | None = None, limit: int = 300
               ) -> list[HistoryEntry]:
    """The person's own acts, newest first, at every centre or at one. Each names the
    animator who entered it, when one did. Only rows of this person are read."""
    raw: list[tuple[dict, int | None]] = []

    def add(kind: str, at: datetime | None, by_id: int | None, **facts) -> None:
        if at is not None:
            raw.append(({"kind": kind, "at": at, **facts}, by_id))

    proposal_query = (select(Proposal).where(Proposal.author_id == person.id)
                      .options(joinedload(Proposal.centre)))
    support_query = (select(Support, Proposal).join(Proposal, Proposal.id == Support.proposal_id)
                     .where(Support.user_id == person.id).options(joinedload(Proposal.centre)))
    signup_query = (select(Signup).join(Activity, Activity.id == Signup.activity_id)
                    .where(Signup.user_id == person.id)
                    .options(contains_eager(Signup.activity).joinedload(Activity.centre)))
    offer_query = (select(VolunteerOffer, Activity)
                   .join(Activity, Activity.id == VolunteerOffer.activity_id)
                   .where(VolunteerOffer.user_id == person.id,
                          VolunteerOffer.status != VolunteerStatus.DECLINED)
                   .options(joinedload(Activity.centre)))
    if centre is not None:
        proposal_query = proposal_query.where(Proposal.centre_id == centre.id)
        support_query = support_query.where(Proposal.centre_id == centre.id)
        signup_query = signup_query.where(Activity.centre_id == centre.id)
        offer_query = offer_query.where(Activity.centre_id == centre.id)

    for proposal in db.session.scalars(proposal_query):
        by = proposal.recorded_by_id if proposal.channel is SupportChannel.ASSISTED else None
        add("proposed", proposal.created_at, by, centre=proposal.centre, proposal=proposal)
    for support, proposal in db.session.execute(support_query):
        add("supported", support.created_at, support.recorded_by_id, centre=proposal.centre,
            proposal=proposal)
    for signup in db.session.scalars(signup_query):
        activity = signup.activity
        facts = {"centre": activity.centre, "activity": activity}
        if signup.channel is SignupChannel.WALK_IN:
            add("walked_in", signup.checked_in_at or signup.confirmed_at, signup.recorded_by_id,
                **facts)
        else:
            kind = "waitlisted" if signup.status is SignupStatus.WAITLISTED else "signed_up"
            add(kind, signup.created_at, signup.recorded_by_id, **facts)
            add("checked_in", signup.checked_in_at, signup.checked_in_by_id, **facts)
        if signup.status is SignupStatus.CANCELLED:
            add("cancelled", signup.cancelled_at, signup.cancelled_by_id, **facts)
    for offer, activity in db.session.execute(offer_query):
        facts = {"centre": activity.centre, "activity": activity}
        add("offered_help", offer.created_at, None, **facts)
        if offer.minutes:
            add("helped", offer.hours_recorded_at, offer.hours_recorded_by_id,
                minutes=offer.minutes, **facts)

    # Who entered them, in one query; the person's own acts name nobody.
    others = {by_id for _facts, by_id in raw if by_id is not None and by_id != person.id}
    people = ({user.id: user for user in db.session.scalars(
        select(User).where(User.id.in_(others)))} if others else {})
    entries = [HistoryEntry(**facts, entered_by=people.get(by_id)) for facts, by_id in raw]
    entries.sort(key=lambda entry: entry.at, reverse=True)
    return entries[:limit]
