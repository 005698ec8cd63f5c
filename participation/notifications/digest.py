"""The daily digest: one e-mail a day for people who chose "once a day".

``flask send-digests`` (cron, e.g. every morning at 07:00) calls ``send_digests``. For each person
with ``email_frequency = daily``, an e-mail address and an account not erased, whose last digest
was before today, it gathers every notification not mailed yet (``mailed_at IS NULL``: everything
since the last digest, however many days that is) and queues ONE mail listing them, oldest
first, each with its link. Those notifications get ``mailed_at`` and the person gets
``last_digest_on = today``.

The rule: at most one digest per person per local day ("today" in ``DIGEST_TIMEZONE``, else
``BABEL_DEFAULT_TIMEZONE``: Europe/Warsaw), holding everything not mailed before. Nothing to
tell, no mail, and the day is not used up: a later run that day sends what arrived meanwhile.
Running it twice the same day sends nothing the second time.

Each person is one transaction: the claim of the day (a conditional UPDATE of
``last_digest_on``), the mail and the ``mailed_at`` marks commit together, so a run that dies
half-way never sends anyone's digest twice, and two runs at once cannot both send one (the
second run's UPDATE waits for the first's commit and then matches no row).
"""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from flask import current_app
from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy import exists, or_, select, update
from sqlalchemy.orm import joinedload

from ..extensions import db
from ..mail import queue_mail
from ..models import Activity, EmailFrequency, Notification, Proposal, User, utcnow
from .mails import external_url, in_language_of, settings_url, target_url

# A long absence can leave many notifications: the mail lists the newest ones and links to the
# page with all of them (all are marked mailed: the page is where to read the rest).
LISTED_AT_MOST = 50


def digest_timezone() -> str:
    config = current_app.config
    return config.get("DIGEST_TIMEZONE") or config.get("BABEL_DEFAULT_TIMEZONE") or "Europe/Warsaw"


def local_today(now: datetime) -> date:
    return now.astimezone(ZoneInfo(digest_timezone())).date()


def send_digests(now: datetime | None = None) -> int:
    """Queue today's digest for everyone due one; return how many were queued.

    Commits once per person (meant for the command, not for a request's transaction).
    """
    now = now or utcnow()
    if now.tzinfo is None:
        raise ValueError("send_digests needs an aware datetime")
    today = local_today(now)
    people = db.session.scalars(_due(today)).all()
    db.session.commit()
    queued = 0
    for user_id in people:
        queued += _digest_for(user_id, today, now)
    return queued


def _not_yet_today(today: date):
    return or_(User.last_digest_on.is_(None), User.last_digest_on < today)


def _mailable_daily():
    return (User.email_frequency == EmailFrequency.DAILY, User.email.is_not(None),
            User.email != "", User.erased_at.is_(None))


def _due(today: date):
    """Ids of people who chose a daily digest, have not had today's and have something new."""
    unmailed = exists().where(Notification.user_id == User.id, Notification.mailed_at.is_(None))
    return (select(User.id).where(*_mailable_daily(), _not_yet_today(today), unmailed)
            .order_by(User.id))


def _digest_for(user_id: int, today: date, now: datetime) -> int:
    """One person's digest in its own transaction; 1 when it was queued."""
    claimed = db.session.execute(
        update(User)
        .where(User.id == user_id, *_mailable_daily(), _not_yet_today(today))
        .values(last_digest_on=today)
        .execution_options(synchronize_session=False)
    ).rowcount
    if claimed != 1:  # another run sent it, or the person changed their choice meanwhile
        db.session.rollback()
        return 0
    notifications = list(db.session.scalars(
        select(Notification)
        .where(Notification.user_id == user_id, Notification.mailed_at.is_(None),
               Notification.created_at <= now)
        .options(joinedload(Notification.proposal).joinedload(Proposal.centre),
                 joinedload(Notification.activity).joinedload(Activity.centre),
                 joinedload(Notification.actor))
        .order_by(Notification.created_at, Notification.id)
    ))
    if not notifications:  # nothing after all: keep the day free for a later run
        db.session.rollback()
        return 0
    user = db.session.get(User, user_id)
    subject, body = compose(user, notifications)
    queue_mail(user.email, subject, body)
    db.session.execute(
        update(Notification)
        .where(Notification.id.in_([n.id for n in notifications]),
               Notification.mailed_at.is_(None))
        .values(mailed_at=now)
        .execution_options(synchronize_session=False)
    )
    db.session.commit()
    return 1


def compose(user: User, notifications: list[Notification]) -> tuple[str, str]:
    """The digest's subject and body in the reader's language."""
    from .service import message

    count = len(notifications)
    listed = notifications[-LISTED_AT_MOST:]
    with in_language_of(user):
        subject = ngettext("Your day in short: %(num)d new notification",
                           "Your day in short: %(num)d new notifications", count)
        lines = [_("Hello %(name)s,", name=user.display_name), "",
                 _("Here is what happened since our last e-mail:"), ""]
        for notification in listed:
            lines.append(f"* {message(notification)}")
            lines += [f"  {line}" for line in notification.reason.splitlines()]
            lines += [f"  {target_url(notification)}", ""]
        if count > len(listed):
            more = count - len(listed)
            lines += [ngettext("…and %(num)d earlier notification.",
                               "…and %(num)d earlier notifications.", more), ""]
        lines += [
            _("All your notifications: %(url)s", url=external_url("notifications.index")), "",
            _("You get this summary once a day because you chose so. To get an e-mail for "
              "each notification instead, or none, change it here: %(url)s", url=settings_url()),
        ]
    return subject, "\n".join(lines)
