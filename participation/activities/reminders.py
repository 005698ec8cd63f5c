"""The day-before reminder to everyone with a confirmed place at tomorrow's activity.

Each reminder is an ``ACTIVITY_REMINDER`` notification, also for access-card residents without
e-mail (they see it in the app); it is mailed as its reader chose (at once: the reminder mail of
``mails.queue_reminder``; daily: in the digest; never: not at all).

"Tomorrow" is the next calendar day in the activity's centre's time zone. Each sign-up is marked
with a conditional UPDATE before it is reminded, so two runs at once never remind twice.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select, update

from ..extensions import db
from ..models import (
    Activity,
    ActivityStatus,
    Centre,
    NotificationKind,
    Signup,
    SignupStatus,
    User,
    utcnow,
)
from ..notifications.service import notify
from .mails import activity_url

__all__ = ["activity_url", "send_reminders"]


def send_reminders(now: datetime | None = None) -> int:
    """Remind each confirmed place at an activity starting tomorrow, locally.

    Flushes; the caller commits (notifications and mails are written in the same transaction as
    the marks). Returns how many people were reminded.
    """
    now = now or utcnow()
    if now.tzinfo is None:
        raise ValueError("send_reminders needs an aware datetime")
    queued = 0
    for signup, activity, centre, user in _candidates(now):
        if _local_date(activity.starts_at, centre) != _local_date(now, centre) + timedelta(days=1):
            continue
        if _mark_reminded(signup.id, now):
            notify(user.id, NotificationKind.ACTIVITY_REMINDER, None, activity=activity)
            queued += 1
    return queued


def _candidates(now: datetime) -> list[tuple[Signup, Activity, Centre, User]]:
    """Unreminded confirmed places of people not erased, at published activities in the next
    48 hours.

    Local "tomorrow" always lies within that window, whatever the centre's zone; the exact day
    is checked per centre by the caller.
    """
    rows = db.session.execute(
        select(Signup, Activity, Centre, User)
        .join(Activity, Signup.activity_id == Activity.id)
        .join(Centre, Activity.centre_id == Centre.id)
        .join(User, Signup.user_id == User.id)
        .where(
            Signup.status == SignupStatus.CONFIRMED,
            Signup.reminder_sent_at.is_(None),
            Activity.status == ActivityStatus.PUBLISHED,
            Activity.starts_at > now,
            Activity.starts_at < now + timedelta(days=2),
            User.erased_at.is_(None),
        )
        .order_by(Activity.starts_at, Signup.id)
    )
    return [tuple(row) for row in rows]


def _local_date(moment: datetime, centre: Centre) -> date:
    return moment.astimezone(ZoneInfo(centre.timezone)).date()


def _mark_reminded(signup_id: int, now: datetime) -> bool:
    """Claim the sign-up's reminder; False when another run got there first."""
    result = db.session.execute(
        update(Signup)
        .where(Signup.id == signup_id, Signup.reminder_sent_at.is_(None))
        .values(reminder_sent_at=now)
        .execution_options(synchronize_session=False)
    )
    return result.rowcount == 1
