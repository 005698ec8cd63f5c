"""A person's own data: everything we hold about them, and erasing them without breaking counts.

``collect_personal_data`` builds the one description of "my data" that both the readable page
and the JSON download show. ``erase_user`` anonymises an account in place. Functions flush;
the request commits.

What the export holds about other people, on purpose:
- Nobody else's e-mail address or account id, ever. A proposal is named by its id only
  (not its title) wherever it may be someone else's: supports, comments, reports,
  notifications. So the export never copies another person's text.
- The display name of the animator who acted *for* this person (registered them, entered
  their proposal, support or sign-up, cancelled their place). That act is part of the
  person's own record: they already see it in their history and notifications, the animator
  acts in their role as the centre's staff, and it is what a person asking "who did this in
  my name?" (RODO art. 15: the source of the data) needs. Names of the people an *animator*
  acted for are never in the animator's export: those acts are the residents' data.
"""

from __future__ import annotations

import enum
import json
from collections.abc import Iterable
from datetime import date, datetime
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, or_, select

from ..activities import service as activities
from ..centres.service import can_manage_centre, membership_of
from ..errors import Conflict, NotAllowed, NotFound
from ..events import actor_key
from ..extensions import db
from ..models import (
    AccessCard,
    Activity,
    ActivityStatus,
    ApiToken,
    Centre,
    Comment,
    EmailFrequency,
    Kiosk,
    Membership,
    Notification,
    OutboxMessage,
    PaperTally,
    ParticipationEvent,
    Proposal,
    Report,
    Role,
    Signup,
    SignupStatus,
    StatusChange,
    Support,
    User,
    VolunteerOffer,
    utcnow,
)

FORMAT = "participation-my-data/1"

# The sections of the export, in the order shown, with what each holds.
SECTIONS: tuple[tuple[str, Any, Any], ...] = (
    ("account", _l("Your account"),
     _l("What you told us and what we noted when you registered. We never keep your "
        "password or PIN in readable form.")),
    ("memberships", _l("Your centres"), _l("The centres you belong to, and your role there.")),
    ("proposals", _l("Proposals you wrote"),
     _l("With the number of supports, never who gave them.")),
    ("comments", _l("Your comments"), None),
    ("supports", _l("Your supports"), _l("Proposals you supported, by their number.")),
    ("reports", _l("Reports you filed"), None),
    ("signups", _l("Your sign-ups for activities"), None),
    ("volunteer_offers", _l("Your offers to help"), None),
    ("notifications", _l("Your notifications"),
     _l("What each was about, by the number of the proposal or activity.")),
    ("access_cards", _l("Your access cards"),
     _l("When each card was issued and used. The code printed on it and your PIN are never "
        "stored in readable form.")),
    ("status_changes", _l("Status changes you made"),
     _l("Moves of proposals you made, as their author or as an animator.")),
    ("answers", _l("Official answers you gave"), None),
    ("reports_resolved", _l("Reports you reviewed"), None),
    ("paper_tallies", _l("Paper votes you entered"), None),
    ("activities_created", _l("Activities you created"), None),
    ("kiosks", _l("Event kiosks you opened"), None),
    ("api_tokens", _l("API tokens you made or revoked"),
     _l("Names and dates only; the tokens themselves are never stored in readable form.")),
    ("emails", _l("E-mails to your address"), _l("Messages we sent or are about to send you.")),
    ("participation_events", _l("Your entries in the participation log"),
     _l("The log behind the centre's figures. It never holds your name or account number, "
        "only an anonymous key; these are the entries with your key.")),
)
SECTION_KEYS = tuple(key for key, _title, _note in SECTIONS)

# Every column that points at an account, and the section listing the rows it marks as this
# person's. tests/test_my_data.py walks the tables and holds the list of columns left out.
COVERAGE: dict[tuple[str, str], str] = {
    ("membership", "user_id"): "memberships",
    ("proposal", "author_id"): "proposals",
    ("proposal", "answered_by_id"): "answers",
    ("comment", "author_id"): "comments",
    ("support", "user_id"): "supports",
    ("report", "reporter_id"): "reports",
    ("report", "resolved_by_id"): "reports_resolved",
    ("signup", "user_id"): "signups",
    ("volunteer_offer", "user_id"): "volunteer_offers",
    ("notification", "user_id"): "notifications",
    ("access_card", "user_id"): "access_cards",
    ("status_change", "actor_id"): "status_changes",
    ("paper_tally", "recorded_by_id"): "paper_tallies",
    ("activity", "created_by_id"): "activities_created",
    ("kiosk", "opened_by_id"): "kiosks",
    ("api_token", "created_by_id"): "api_tokens",
    ("api_token", "revoked_by_id"): "api_tokens",
}

# Labels of the fields shown on the readable page.
FIELD_LABELS: dict[str, Any] = {
    "id": _l("Number"),
    "display_name": _l("Name"),
    "email": _l("E-mail address"),
    "locale": _l("Language"),
    "age_bracket": _l("Age"),
    "is_admin": _l("Platform administrator"),
    "has_password": _l("Has a password or PIN"),
    "created_at": _l("Created"),
    "last_login_at": _l("Last signed in"),
    "email_frequency": _l("E-mails about notifications"),
    "last_digest_on": _l("Last daily digest"),
    "registered_at_desk": _l("Registered at the centre's desk"),
    "registered_by": _l("Registered by"),
    "consent_noted_at": _l("Consent noted"),
    "centre": _l("Centre"),
    "role": _l("Role"),
    "verified": _l("Verified in person"),
    "joined_at": _l("Joined"),
    "title": _l("Title"),
    "body": _l("Text"),
    "place": _l("Place"),
    "category": _l("Category"),
    "status": _l("Status"),
    "channel": _l("How it was entered"),
    "recorded_by": _l("Entered for you by"),
    "published_at": _l("Published"),
    "official_answer": _l("Official answer"),
    "answered_at": _l("Answered"),
    "supports": _l("Supports"),
    "proposal_id": _l("Proposal number"),
    "activity_id": _l("Activity number"),
    "hidden": _l("Hidden"),
    "target_type": _l("Reported item"),
    "target_id": _l("Item number"),
    "reason": _l("Reason"),
    "details": _l("Details"),
    "resolved_at": _l("Reviewed"),
    "upheld": _l("Report upheld"),
    "activity": _l("Activity"),
    "starts_at": _l("Starts"),
    "waitlist_position": _l("Waitlist position"),
    "confirmed_at": _l("Confirmed"),
    "cancelled_at": _l("Cancelled"),
    "cancelled_by": _l("Cancelled for you by"),
    "checked_in_at": _l("Checked in"),
    "minutes": _l("Minutes helped"),
    "hours_recorded_at": _l("Hours recorded"),
    "kind": _l("Kind"),
    "text": _l("Message"),
    "acted_by": _l("Done by"),
    "read_at": _l("Read"),
    "mailed_at": _l("Sent by e-mail"),
    "issued_at": _l("Issued"),
    "signed_in_at": _l("Sign-in link used"),
    "last_used_at": _l("Last used"),
    "revoked_at": _l("Revoked"),
    "locked_until": _l("Locked until"),
    "from_status": _l("From"),
    "to_status": _l("To"),
    "votes": _l("Votes"),
    "note": _l("Note"),
    "subject": _l("For"),
    "opened_at": _l("Opened"),
    "expires_at": _l("Expires"),
    "closed_at": _l("Closed"),
    "name": _l("Name"),
    "made_by_you": _l("Made by you"),
    "revoked_by_you": _l("Revoked by you"),
    "subject_line": _l("Subject"),
    "sent_at": _l("Sent"),
    "subject_type": _l("About"),
    "subject_id": _l("Item number"),
    "quantity": _l("Quantity"),
    "occurred_at": _l("When"),
}


def _value(value: Any) -> Any:
    return value.value if isinstance(value, enum.Enum) else value


def _row(**fields: Any) -> dict[str, Any]:
    return {key: _value(value) for key, value in fields.items()}


def _name(user: User | None) -> str | None:
    """An animator's name, for an act done for this person (see the module's docstring)."""
    return user.display_name if user is not None else None


def _centre_names(ids: Iterable[int]) -> dict[int, str]:
    ids = set(ids)
    if not ids:
        return {}
    return dict(db.session.execute(select(Centre.id, Centre.name).where(Centre.id.in_(ids))).all())


def _users(ids: Iterable[int | None]) -> dict[int, User]:
    ids = {user_id for user_id in ids if user_id is not None}
    if not ids:
        return {}
    return {user.id: user for user in db.session.scalars(select(User).where(User.id.in_(ids)))}


def collect_personal_data(user: User) -> dict[str, Any]:
    """Everything we hold about ``user``, section by section (see SECTIONS), and nothing about
    anyone else. Values are plain (str, int, bool, None, date, datetime): ``to_json`` writes it."""
    uid = user.id
    rows: dict[str, list[dict[str, Any]]] = {}
    helpers = _users([user.registered_by_id])

    rows["account"] = [_row(
        id=uid, display_name=user.display_name, email=user.email, locale=user.locale,
        age_bracket=user.age_bracket, is_admin=user.is_admin,
        has_password=user.password_hash is not None, created_at=user.created_at,
        last_login_at=user.last_login_at, email_frequency=user.email_frequency,
        last_digest_on=user.last_digest_on, registered_at_desk=user.registered_by_id is not None,
        registered_by=_name(helpers.get(user.registered_by_id)),
        consent_noted_at=user.consent_noted_at)]

    memberships = list(db.session.scalars(
        select(Membership).where(Membership.user_id == uid).order_by(Membership.id)))
    proposals = list(db.session.scalars(
        select(Proposal).where(Proposal.author_id == uid).order_by(Proposal.id)))
    answers = list(db.session.scalars(
        select(Proposal).where(Proposal.answered_by_id == uid).order_by(Proposal.id)))
    comments = list(db.session.scalars(
        select(Comment).where(Comment.author_id == uid).order_by(Comment.id)))
    supports = list(db.session.scalars(
        select(Support).where(Support.user_id == uid).order_by(Support.id)))
    reports = list(db.session.scalars(
        select(Report).where(Report.reporter_id == uid).order_by(Report.id)))
    resolved = list(db.session.scalars(
        select(Report).where(Report.resolved_by_id == uid).order_by(Report.id)))
    signups = list(db.session.scalars(
        select(Signup).where(Signup.user_id == uid).order_by(Signup.id)))
    offers = list(db.session.scalars(
        select(VolunteerOffer).where(VolunteerOffer.user_id == uid).order_by(VolunteerOffer.id)))
    notifications = list(db.session.scalars(
        select(Notification).where(Notification.user_id == uid).order_by(Notification.id)))
    cards = list(db.session.scalars(
        select(AccessCard).where(AccessCard.user_id == uid).order_by(AccessCard.id)))
    changes = list(db.session.scalars(
        select(StatusChange).where(StatusChange.actor_id == uid).order_by(StatusChange.id)))
    tallies = list(db.session.scalars(
        select(PaperTally).where(PaperTally.recorded_by_id == uid).order_by(PaperTally.id)))
    created = list(db.session.scalars(
        select(Activity).where(Activity.created_by_id == uid).order_by(Activity.id)))
    kiosks = list(db.session.scalars(
        select(Kiosk).where(Kiosk.opened_by_id == uid).order_by(Kiosk.id)))
    tokens = list(db.session.scalars(
        select(ApiToken).where(or_(ApiToken.created_by_id == uid, ApiToken.revoked_by_id == uid))
        .order_by(ApiToken.id)))
    emails = list(db.session.scalars(
        select(OutboxMessage).where(OutboxMessage.recipient == user.email)
        .order_by(OutboxMessage.id))) if user.email else []
    events = list(db.session.scalars(
        select(ParticipationEvent).where(ParticipationEvent.actor_key == actor_key(uid))
        .order_by(ParticipationEvent.id)))

    activity_ids = {s.activity_id for s in signups} | {o.activity_id for o in offers}
    activity_by_id = {a.id: a for a in db.session.scalars(
        select(Activity).where(Activity.id.in_(activity_ids)))} if activity_ids else {}
    centres = _centre_names(
        [m.centre_id for m in memberships] + [p.centre_id for p in proposals + answers]
        + [r.centre_id for r in reports + resolved] + [c.centre_id for c in cards]
        + [a.centre_id for a in created] + [a.centre_id for a in activity_by_id.values()]
        + [k.centre_id for k in kiosks] + [t.centre_id for t in tokens]
        + [e.centre_id for e in events])
    helpers = _users([p.recorded_by_id for p in proposals] + [s.recorded_by_id for s in supports]
                     + [s.recorded_by_id for s in signups]
                     + [s.cancelled_by_id for s in signups]
                     + [n.actor_id for n in notifications])
    support_counts = dict(db.session.execute(
        select(Support.proposal_id, func.count()).where(
            Support.proposal_id.in_([p.id for p in proposals]))
        .group_by(Support.proposal_id)).all()) if proposals else {}
    paper_counts = dict(db.session.execute(
        select(PaperTally.proposal_id, func.sum(PaperTally.votes)).where(
            PaperTally.proposal_id.in_([p.id for p in proposals]))
        .group_by(PaperTally.proposal_id)).all()) if proposals else {}

    rows["memberships"] = [_row(
        id=m.id, centre=centres.get(m.centre_id), role=m.role, verified=m.verified,
        joined_at=m.joined_at) for m in memberships]
    rows["proposals"] = [_row(
        id=p.id, centre=centres.get(p.centre_id), title=p.title, body=p.body, place=p.place,
        status=p.status, channel=p.channel, recorded_by=_name(helpers.get(p.recorded_by_id)),
        created_at=p.created_at, published_at=p.published_at, official_answer=p.official_answer,
        answered_at=p.answered_at,
        supports=support_counts.get(p.id, 0) + int(paper_counts.get(p.id) or 0))
        for p in proposals]
    rows["comments"] = [_row(
        id=c.id, proposal_id=c.proposal_id, body=c.body, hidden=c.hidden,
        created_at=c.created_at) for c in comments]
    rows["supports"] = [_row(
        id=s.id, proposal_id=s.proposal_id, channel=s.channel,
        recorded_by=_name(helpers.get(s.recorded_by_id)), created_at=s.created_at)
        for s in supports]
    rows["reports"] = [_row(
        id=r.id, centre=centres.get(r.centre_id), target_type=r.target_type,
        target_id=r.target_id, proposal_id=r.proposal_id, reason=r.reason, details=r.details,
        created_at=r.created_at, resolved_at=r.resolved_at, upheld=r.upheld) for r in reports]
    rows["signups"] = [_row(
        id=s.id, activity_id=s.activity_id, activity=activity_by_id[s.activity_id].title,
        centre=centres.get(activity_by_id[s.activity_id].centre_id),
        starts_at=activity_by_id[s.activity_id].starts_at, status=s.status,
        waitlist_position=s.waitlist_position, channel=s.channel,
        recorded_by=_name(helpers.get(s.recorded_by_id)), created_at=s.created_at,
        confirmed_at=s.confirmed_at, cancelled_at=s.cancelled_at,
        cancelled_by=_name(helpers.get(s.cancelled_by_id)), checked_in_at=s.checked_in_at)
        for s in signups]
    rows["volunteer_offers"] = [_row(
        id=o.id, activity_id=o.activity_id, activity=activity_by_id[o.activity_id].title,
        status=o.status, minutes=o.minutes, created_at=o.created_at, confirmed_at=o.confirmed_at,
        hours_recorded_at=o.hours_recorded_at) for o in offers]
    rows["notifications"] = [_row(
        id=n.id, kind=n.kind, status=n.status, proposal_id=n.proposal_id,
        activity_id=n.activity_id, acted_by=_name(helpers.get(n.actor_id)),
        created_at=n.created_at, read_at=n.read_at, mailed_at=n.mailed_at)
        for n in notifications]
    rows["access_cards"] = [_row(
        id=c.id, centre=centres.get(c.centre_id), issued_at=c.issued_at,
        signed_in_at=c.signed_in_at, last_used_at=c.last_used_at, revoked_at=c.revoked_at,
        locked_until=c.locked_until) for c in cards]
    rows["status_changes"] = [_row(
        id=c.id, proposal_id=c.proposal_id, from_status=c.from_status, to_status=c.to_status,
        reason=c.reason, created_at=c.created_at) for c in changes]
    rows["answers"] = [_row(
        id=p.id, centre=centres.get(p.centre_id), proposal_id=p.id,
        official_answer=p.official_answer, answered_at=p.answered_at) for p in answers]
    rows["reports_resolved"] = [_row(
        id=r.id, centre=centres.get(r.centre_id), target_type=r.target_type,
        target_id=r.target_id, proposal_id=r.proposal_id, resolved_at=r.resolved_at,
        upheld=r.upheld) for r in resolved]
    rows["paper_tallies"] = [_row(
        id=t.id, proposal_id=t.proposal_id, votes=t.votes, note=t.note,
        created_at=t.created_at) for t in tallies]
    rows["activities_created"] = [_row(
        id=a.id, centre=centres.get(a.centre_id), title=a.title, starts_at=a.starts_at,
        status=a.status, created_at=a.created_at) for a in created]
    rows["kiosks"] = [_row(
        id=k.id, centre=centres.get(k.centre_id),
        subject=(f"activity {k.activity_id}" if k.activity_id is not None
                 else f"proposal {k.proposal_id}"),
        opened_at=k.opened_at, expires_at=k.expires_at, closed_at=k.closed_at) for k in kiosks]
    rows["api_tokens"] = [_row(
        id=t.id, centre=centres.get(t.centre_id), name=t.name,
        made_by_you=t.created_by_id == uid, created_at=t.created_at,
        last_used_at=t.last_used_at, revoked_at=t.revoked_at,
        revoked_by_you=t.revoked_by_id == uid) for t in tokens]
    rows["emails"] = [_row(
        id=m.id, subject_line=m.subject, body=m.body, created_at=m.created_at, sent_at=m.sent_at)
        for m in emails]
    rows["participation_events"] = [_row(
        id=e.id, centre=centres.get(e.centre_id), kind=e.kind, subject_type=e.subject_type,
        subject_id=e.subject_id, channel=e.channel, quantity=e.quantity,
        age_bracket=e.age_bracket, occurred_at=e.occurred_at) for e in events]

    return {"format": FORMAT, "generated_at": utcnow(), "sections": rows}


def _json_default(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    raise TypeError(f"cannot write {type(value).__name__} to JSON")


def to_json(data: dict[str, Any]) -> str:
    """The export as a UTF-8 JSON document, times in ISO 8601 (UTC)."""
    return json.dumps(data, ensure_ascii=False, indent=2, default=_json_default)


# --- Erasure ---------------------------------------------------------------------------------


def _is_last_admin(user: User) -> bool:
    if not user.is_admin:
        return False
    others = db.session.scalar(
        select(func.count()).select_from(User).where(
            User.is_admin.is_(True), User.erased_at.is_(None), User.id != user.id)) or 0
    return others == 0


def can_erase(actor: User, user: User) -> bool:
    """The person themselves; a platform admin; an animator of a centre the person belongs to."""
    if actor.id == user.id or actor.is_admin:
        return True
    centres = db.session.scalars(
        select(Centre).join(Membership, Membership.centre_id == Centre.id)
        .where(Membership.user_id == user.id))
    return any(can_manage_centre(actor, centre) for centre in centres)


def _cancel_future_places(user: User) -> None:
    """Give up places at activities that have not started, through the activities service, so
    the waitlist moves up. Places at past activities (and check-ins) stay: they were used."""
    now = utcnow()
    upcoming = db.session.scalars(
        select(Activity).join(Signup, Signup.activity_id == Activity.id).where(
            Signup.user_id == user.id,
            Signup.status.in_((SignupStatus.CONFIRMED, SignupStatus.WAITLISTED)),
            Signup.checked_in_at.is_(None), Activity.status == ActivityStatus.PUBLISHED,
            Activity.starts_at > now)
        .order_by(Activity.id)).all()
    for activity in upcoming:
        activities.cancel_signup(user, activity)


def erase_user(user: User, *, by: User | None = None) -> bool:
    """Anonymise ``user`` in place: the row stays (supports, sign-ups and the log keep
    counting) but holds nothing that names the person, and can never sign in again.

    ``by`` is who asks (None: the person themselves). Returns False when the account was
    already erased (nothing to do). Raises NotAllowed for someone without the right and
    Conflict for the platform's last administrator.
    """
    if by is not None and not can_erase(by, user):
        raise NotAllowed(_("Only the person, an animator of their centre or a platform "
                           "administrator can delete this account."))
    if user.erased_at is not None:
        return False
    if _is_last_admin(user):
        raise Conflict(_("This is the platform's only administrator. Make another person an "
                         "administrator first, then delete this account."))
    # First, while the account still is the person's: the cancellations are logged with
    # their pseudonymous key and age bracket, like every other act of theirs.
    _cancel_future_places(user)
    now = utcnow()
    for card in db.session.scalars(
            select(AccessCard).where(AccessCard.user_id == user.id,
                                     AccessCard.revoked_at.is_(None))):
        card.revoked_at = now
    for notification in db.session.scalars(
            select(Notification).where(Notification.user_id == user.id)):
        db.session.delete(notification)
    for membership in db.session.scalars(select(Membership).where(Membership.user_id == user.id)):
        db.session.delete(membership)
    if user.email:  # e-mails to the address (sent or waiting) would name the person
        for mail in db.session.scalars(
                select(OutboxMessage).where(OutboxMessage.recipient == user.email)):
            db.session.delete(mail)
    user.display_name = ""
    user.email = None
    user.password_hash = None
    user.locale = None
    user.age_bracket = None
    user.is_admin = False
    user.email_frequency = EmailFrequency.NEVER
    user.last_digest_on = None
    user.last_login_at = None
    user.registered_by_id = None
    user.consent_noted_at = None
    user.rotate_session_token()  # every session and remember-me cookie ends
    user.erased_at = now
    db.session.flush()
    return True


def delete_own_account(user: User, password: str) -> None:
    """"Delete my account": the person confirms with their password (NotAllowed if wrong).

    Card-only residents have no password to type here (perhaps a PIN); an animator of their
    centre confirms for them (``erase_member``)."""
    if user.has_card_only:
        raise NotAllowed(_("Ask an animator at your centre to confirm the deletion."))
    if not user.check_password(password):
        raise NotAllowed(_("The password is not correct. Enter the password you sign in "
                           "with."))
    erase_user(user)


def erasable_member(actor: User, centre: Centre, user_id: int) -> User:
    """A resident of ``centre`` whose erasure the centre's animator may confirm at the desk.

    404 for anyone not a member (their existence is private); animators' accounts are not
    erased at the desk (409): they delete their own, or the platform admin removes the role.
    """
    if not can_manage_centre(actor, centre):
        raise NotAllowed(_("Only the centre's animators can do this."))
    member = db.session.get(User, user_id)
    membership = membership_of(member, centre) if member is not None else None
    if member is None or membership is None or member.is_erased:
        raise NotFound(_("This person is not a member of this centre."))
    if membership.role is Role.ANIMATOR or member.is_admin or member.id == actor.id:
        raise Conflict(_("An animator's or administrator's account cannot be deleted here. "
                         "They can delete it themselves under “My data”."))
    return member


def erase_member(actor: User, centre: Centre, user_id: int) -> User:
    """An animator confirms, in person, the erasure a resident asked for at the desk."""
    member = erasable_member(actor, centre, user_id)
    erase_user(member, by=actor)
    return member
