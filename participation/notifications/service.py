"""Creating, counting and reading notifications. Functions flush; the request commits.

``notify`` is the one way a notification is made: it also queues the e-mail when the reader
chose e-mails at once (see ``mails``); the daily digest is ``digest.send_digests``.
"""

from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import func, select, update
from sqlalchemy.orm import joinedload

from ..centres.service import animator_ids
from ..extensions import db
from ..models import (
    Activity,
    Centre,
    EmailFrequency,
    Notification,
    NotificationKind,
    Proposal,
    User,
    utcnow,
)
from . import mails


def notify(user_id: int, kind: NotificationKind, proposal: Proposal | None,
           status: str | None = None, reason: str = "", activity: Activity | None = None,
           actor: User | None = None) -> Notification:
    """Tell a person of something that concerns them: in the app always, by e-mail at once if
    they chose so (then ``mailed_at`` is set; one notification, at most one mail)."""
    # A view may pass ``current_user``: the relationship needs the row behind the proxy.
    if hasattr(actor, "_get_current_object"):
        actor = actor._get_current_object()
    notification = Notification(user_id=user_id, kind=kind, proposal=proposal,
                                activity=activity, status=status, reason=reason, actor=actor)
    db.session.add(notification)
    person = db.session.get(User, user_id)
    if person is not None and mails.wants_immediate_mail(person):
        mails.queue_immediate(person, notification)
        notification.mailed_at = utcnow()
    return notification


def notify_animators(centre: Centre, kind: NotificationKind, proposal: Proposal | None) -> None:
    for user_id in animator_ids(centre):
        notify(user_id, kind, proposal)


def set_email_frequency(user: User, frequency: EmailFrequency) -> None:
    """The person's choice of e-mails about their notifications."""
    user.email_frequency = EmailFrequency(frequency)
    db.session.flush()


def frequency_line(user: User) -> str:
    """One sentence on the notifications page: how this person gets them by e-mail."""
    frequency = user.email_frequency or EmailFrequency.IMMEDIATELY
    if frequency is EmailFrequency.DAILY:
        return _("We e-mail you once a day with everything new.")
    if frequency is EmailFrequency.NEVER:
        return _("We do not e-mail you about notifications.")
    return _("We e-mail you about each notification at once.")


def unread_count(user: User) -> int:
    return db.session.scalar(
        select(func.count()).select_from(Notification)
        .where(Notification.user_id == user.id, Notification.read_at.is_(None))
    ) or 0


def latest(user: User, limit: int = 50) -> list[Notification]:
    return list(db.session.scalars(
        select(Notification).where(Notification.user_id == user.id)
        .options(joinedload(Notification.proposal).joinedload(Proposal.centre),
                 joinedload(Notification.activity).joinedload(Activity.centre),
                 joinedload(Notification.actor))
        .order_by(Notification.id.desc()).limit(limit)
    ))


def mark_all_read(user: User) -> int:
    return db.session.execute(
        update(Notification)
        .where(Notification.user_id == user.id, Notification.read_at.is_(None))
        .values(read_at=utcnow())
    ).rowcount


def message(notification: Notification) -> str:
    """The notification in the reader's language."""
    from ..models import ProposalStatus
    from ..proposals.service import STATUS_LABELS

    title = notification.proposal.title if notification.proposal else ""
    if notification.activity is not None:
        title = notification.activity.title
    kind = notification.kind
    if kind is NotificationKind.ACTIVITY_CANCELLED:
        return _("“%(title)s” is cancelled. Sorry for the change of plans.", title=title)
    if kind is NotificationKind.WAITLIST_PROMOTED:
        return _("A place has freed up: you are now signed up for “%(title)s”.", title=title)
    if kind is NotificationKind.VOLUNTEER_CONFIRMED:
        return _("Thank you! Your offer to help with “%(title)s” is accepted.", title=title)
    if kind is NotificationKind.PROPOSAL_STATUS:
        status = STATUS_LABELS[ProposalStatus(notification.status)]
        return _("Your proposal “%(title)s” is now %(status)s.", title=title, status=status)
    if kind is NotificationKind.PROPOSAL_ANSWERED:
        return _("The centre has answered your proposal “%(title)s”.", title=title)
    if kind is NotificationKind.THRESHOLD_REACHED:
        return _("“%(title)s” has enough supports and awaits your review.", title=title)
    if kind is NotificationKind.PROPOSAL_SUBMITTED:
        return _("A new proposal awaits moderation: “%(title)s”.", title=title)
    if kind is NotificationKind.SUPPORTS_REACHED:
        return _("Your proposal “%(title)s” has enough supports. The centre will now review it.",
                 title=title)
    if kind is NotificationKind.ACTIVITY_REMINDER:
        return _("Reminder: you have a place at “%(title)s” tomorrow.", title=title)
    if kind is NotificationKind.ACTED_FOR_YOU:
        return _acted_for_you(notification, title)
    return _("Reports have hidden content of “%(title)s”. Please review it.", title=title)


def _acted_for_you(notification: Notification, title: str) -> str:
    """What an animator did for the reader at the centre; "An animator" once the account is
    gone. Whole sentences per act, so each language can order its words."""
    actor = notification.actor
    act = notification.status
    if actor is None:
        if act == "proposed":
            return _("An animator submitted your proposal “%(title)s” for you at the centre.",
                     title=title)
        if act == "supported":
            return _("An animator supported “%(title)s” for you at the centre.", title=title)
        if act == "signed_up":
            return _("An animator signed you up for “%(title)s” at the centre.", title=title)
        if act == "cancelled":
            return _("An animator cancelled your place at “%(title)s” at the centre.",
                     title=title)
        return _("An animator acted for you on “%(title)s” at the centre.", title=title)
    name = actor.display_name
    if act == "proposed":
        return _("%(name)s (animator) submitted your proposal “%(title)s” for you at the centre.",
                 name=name, title=title)
    if act == "supported":
        return _("%(name)s (animator) supported “%(title)s” for you at the centre.",
                 name=name, title=title)
    if act == "signed_up":
        return _("%(name)s (animator) signed you up for “%(title)s” at the centre.",
                 name=name, title=title)
    if act == "cancelled":
        return _("%(name)s (animator) cancelled your place at “%(title)s” at the centre.",
                 name=name, title=title)
    return _("%(name)s (animator) acted for you on “%(title)s” at the centre.",
             name=name, title=title)
