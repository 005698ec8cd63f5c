"""Creating, counting and reading notifications. Functions flush; the request commits."""

from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import func, select, update
from sqlalchemy.orm import joinedload

from ..centres.service import animator_ids
from ..extensions import db
from ..models import (
    Activity,
    Centre,
    Notification,
    NotificationKind,
    Proposal,
    User,
    utcnow,
)


def notify(user_id: int, kind: NotificationKind, proposal: Proposal | None,
           status: str | None = None, reason: str = "", activity: Activity | None = None,
           actor: User | None = None) -> None:
    db.session.add(Notification(user_id=user_id, kind=kind,
                                proposal_id=getattr(proposal, "id", None),
                                activity_id=getattr(activity, "id", None),
                                status=status, reason=reason,
                                actor_id=getattr(actor, "id", None)))


def notify_animators(centre: Centre, kind: NotificationKind, proposal: Proposal | None) -> None:
    for user_id in animator_ids(centre):
        notify(user_id, kind, proposal)


def unread_count(user: User) -> int:
    return db.session.scalar(
        select(func.count()).select_from(Notification)
        .where(Notification.user_id == user.id, Notification.read_at.is_(None))
    ) or 0


def latest(user: User, limit: int = 50) -> list[Notification]:
    return list(db.session.scalars(
        select(Notification).where(Notification.user_id == user.id)
        .options(joinedload(Notification.proposal).joinedload(Proposal.centre),
                 joinedload(Notification.activity).joinedload(Activity.centre))
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
    return _("Reports have hidden content of “%(title)s”. Please review it.", title=title)
