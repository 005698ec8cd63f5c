"""Rules for event kiosks: opening one for an activity or a proposal, finding it again from
the tablet's token, and what a card's code does there.

A kiosk acts with the rights of the animator who opened it: every check-in, walk-in and
support it records names that animator (as ``checked_in_by`` / ``recorded_by``) and goes
through the same services as the animators' own screens, so every rule (places, voting
window, verified-only supports) holds here too. A kiosk whose opener is no longer a manager
of the centre stops working.

Functions take plain arguments, check rights, enforce rules and flush; the request commits.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from ..activities import service as activities
from ..cards.codes import normalise_code
from ..cards.service import active_card, find_member_by_code
from ..centres.service import can_manage_centre, ensure_manager
from ..errors import Conflict, DomainError, Invalid, NotFound
from ..extensions import db
from ..models import (
    SUPPORTABLE_STATUSES,
    Activity,
    ActivityStatus,
    Centre,
    Kiosk,
    Proposal,
    SignupStatus,
    User,
    utcnow,
)
from ..proposals import service as proposals

# How far ahead the opening form offers activities, and how many of each kind at most.
CHOICES_DAYS_AHEAD = 60
MAX_CHOICES = 100
# People may check in this long before the start (they come early), and until the end.
CHECK_IN_OPENS_BEFORE = timedelta(hours=2)


def hash_token(token: str) -> str:
    """What the database keeps of a kiosk's token: its SHA-256."""
    return hashlib.sha256(token.encode()).hexdigest()


# --- Opening and closing (the animators' screen) --------------------------------------------


def activity_choices(centre: Centre, now: datetime | None = None) -> list[Activity]:
    """Published activities of the centre that have not ended and start within 60 days."""
    now = now or utcnow()
    return list(db.session.scalars(
        select(Activity).where(Activity.centre_id == centre.id,
                               Activity.status == ActivityStatus.PUBLISHED,
                               Activity.ends_at > now,
                               Activity.starts_at < now + timedelta(days=CHOICES_DAYS_AHEAD))
        .order_by(Activity.starts_at, Activity.id).limit(MAX_CHOICES)))


def proposal_choices(centre: Centre) -> list[Proposal]:
    """The centre's proposals open for support, newest first."""
    return list(db.session.scalars(
        select(Proposal).where(Proposal.centre_id == centre.id,
                               Proposal.status.in_(SUPPORTABLE_STATUSES))
        .order_by(Proposal.created_at.desc(), Proposal.id.desc()).limit(MAX_CHOICES)))


def open_kiosks(animator: User, centre: Centre) -> list[Kiosk]:
    """The centre's kiosks still working (not closed, not expired), newest first."""
    ensure_manager(animator, centre)
    return list(db.session.scalars(
        select(Kiosk).where(Kiosk.centre_id == centre.id, Kiosk.closed_at.is_(None),
                            Kiosk.expires_at > utcnow())
        .options(joinedload(Kiosk.activity), joinedload(Kiosk.proposal),
                 joinedload(Kiosk.opened_by))
        .order_by(Kiosk.opened_at.desc(), Kiosk.id.desc())))


def open_kiosk(animator: User, centre: Centre, *, hours: int, activity_id: int | None = None,
               proposal_id: int | None = None) -> tuple[Kiosk, str]:
    """Open a kiosk for one activity or one proposal. Returns it and its token, which only
    the tablet's cookie will hold (the database keeps the hash)."""
    ensure_manager(animator, centre)
    if (activity_id is None) == (proposal_id is None):
        raise Invalid(_("Choose one activity or one proposal for the kiosk."))
    if activity_id is not None:
        if activity_id not in {activity.id for activity in activity_choices(centre)}:
            raise Invalid(_("Choose one of the centre's published activities that has not "
                            "ended yet."))
    elif proposal_id not in {proposal.id for proposal in proposal_choices(centre)}:
        raise Invalid(_("Choose one of the centre's proposals that is open for support."))
    token = secrets.token_urlsafe(32)
    now = utcnow()
    kiosk = Kiosk(centre_id=centre.id, token_hash=hash_token(token), activity_id=activity_id,
                  proposal_id=proposal_id, opened_by_id=animator.id, opened_at=now,
                  expires_at=now + timedelta(hours=max(1, hours)))
    db.session.add(kiosk)
    db.session.flush()
    return kiosk, token


def close_kiosk(animator: User, centre: Centre, kiosk_id: int) -> bool:
    """Close one of the centre's kiosks; the tablet is refused from its next request.
    Returns False if it was already closed or had expired."""
    ensure_manager(animator, centre)
    kiosk = db.session.scalar(
        select(Kiosk).where(Kiosk.id == kiosk_id, Kiosk.centre_id == centre.id))
    if kiosk is None:
        raise NotFound(_("There is no such kiosk here."))
    if kiosk.closed_at is not None or kiosk.expires_at <= utcnow():
        return False
    kiosk.closed_at = utcnow()
    db.session.flush()
    return True


# --- The tablet ----------------------------------------------------------------------------


def kiosk_for_token(token: str | None) -> Kiosk | None:
    """The working kiosk the tablet's token names: not closed, not expired, its subject still
    there, and its opener still a manager of the centre. None otherwise."""
    if not token or len(token) > 200:
        return None
    kiosk = db.session.scalar(
        select(Kiosk).where(Kiosk.token_hash == hash_token(token))
        .options(joinedload(Kiosk.centre), joinedload(Kiosk.activity),
                 joinedload(Kiosk.proposal), joinedload(Kiosk.opened_by)))
    if kiosk is None or kiosk.closed_at is not None or kiosk.expires_at <= utcnow():
        return None
    if kiosk.activity is None and kiosk.proposal is None:
        return None
    if kiosk.opened_by is None or not can_manage_centre(kiosk.opened_by, kiosk.centre):
        return None
    return kiosk


@dataclass(frozen=True)
class KioskResult:
    """What the result screen shows: only the person's own name and what happened.

    ``outcome`` is one of: checked_in, already_checked_in, walk_in, supported,
    already_supported (successes); or a problem: empty, malformed, unknown, refused.
    """

    outcome: str
    status: int = 200
    name: str | None = None
    message: str = ""

    @property
    def ok(self) -> bool:
        return self.status < 400


def enter_code(kiosk: Kiosk, typed: str | None) -> KioskResult:
    """Someone typed (or scanned) their card's code: check them in, or record their support.

    Unknown codes, revoked cards and other centres' cards all get the same answer, so the
    kiosk tells nobody whether a code exists.
    """
    typed = (typed or "").strip()
    if not typed:
        return KioskResult("empty", 422)
    if normalise_code(typed) is None:
        return KioskResult("malformed", 422)
    member = find_member_by_code(kiosk.centre, typed)
    if member is None:
        return KioskResult("unknown", 404)
    try:
        if kiosk.activity is not None:
            outcome = _check_in(kiosk, kiosk.activity, member)
        else:
            outcome = _support(kiosk, kiosk.proposal, member)
    except DomainError as error:
        # A refusal answers with its 4xx status, so the request rolls everything back.
        return KioskResult("refused", error.status, name=member.display_name,
                           message=error.message)
    card = active_card(member)
    if card is not None:
        card.last_used_at = utcnow()
    db.session.flush()
    return KioskResult(outcome, 200, name=member.display_name)


def _check_in(kiosk: Kiosk, activity: Activity, member: User) -> str:
    now = utcnow()
    if activity.status is not ActivityStatus.PUBLISHED:
        raise Conflict(_("This activity is not taking place."))
    if now < activity.starts_at - CHECK_IN_OPENS_BEFORE:
        raise Conflict(_("Check-in opens two hours before the activity starts."))
    if now >= activity.ends_at:
        raise Conflict(_("This activity is over; check-in is closed."))
    signup = activities.signup_of(member, activity)
    if signup is not None and signup.status is SignupStatus.CONFIRMED:
        changed = activities.check_in(kiosk.opened_by, signup)
        return "checked_in" if changed else "already_checked_in"
    try:
        activities.add_walk_in(kiosk.opened_by, activity, member.id)
    except Conflict as error:
        if activity.is_full:  # the service's message speaks to an animator
            raise Conflict(_("There are no free places left.")) from error
        raise
    return "walk_in"


def _support(kiosk: Kiosk, proposal: Proposal, member: User) -> str:
    added = proposals.record_assisted_support(kiosk.opened_by, proposal, member.id)
    return "supported" if added else "already_supported"
