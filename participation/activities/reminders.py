"""The day-before reminder: an e-mail to everyone with a confirmed place at tomorrow's activity.

"Tomorrow" is the next calendar day in the activity's centre's time zone. Each sign-up is marked
with a conditional UPDATE before its mail is queued, so two runs at once never remind twice.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from babel.dates import format_date, format_time
from flask import current_app, has_request_context, request, url_for
from flask_babel import force_locale, get_locale
from flask_babel import gettext as _
from sqlalchemy import select, update
from werkzeug.routing import BuildError

from ..extensions import db
from ..mail import queue_mail
from ..models import Activity, ActivityStatus, Centre, Signup, SignupStatus, User, utcnow
from .calendar import activity_location


def activity_url(activity: Activity) -> str:
    """The absolute address of the activity's page, for links in e-mails."""
    slug = activity.centre.slug
    try:
        return url_for("activities.show", slug=slug, activity_id=activity.id, _external=True)
    except BuildError:
        path = f"/c/{slug}/activities/{activity.id}"
        return request.url_root.rstrip("/") + path if has_request_context() else path


def send_reminders(now: datetime | None = None) -> int:
    """Queue a reminder for each confirmed place at an activity starting tomorrow, locally.

    Flushes; the caller commits (the mails are written in the same transaction as the marks).
    Returns how many reminders were queued.
    """
    now = now or utcnow()
    if now.tzinfo is None:
        raise ValueError("send_reminders needs an aware datetime")
    queued = 0
    for signup, activity, centre, user in _candidates(now):
        if _local_date(activity.starts_at, centre) != _local_date(now, centre) + timedelta(days=1):
            continue
        if _mark_reminded(signup.id, now):
            _queue_reminder(user, activity, centre)
            queued += 1
    return queued


def _candidates(now: datetime) -> list[tuple[Signup, Activity, Centre, User]]:
    """Unreminded confirmed places with an e-mail, at published activities in the next 48 hours.

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
            User.email.is_not(None),
            User.email != "",
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


def _queue_reminder(user: User, activity: Activity, centre: Centre) -> None:
    """Write the reminder in the person's own language."""
    languages = current_app.config["LANGUAGES"]
    language = user.locale if user.locale in languages else current_app.config[
        "BABEL_DEFAULT_LOCALE"]
    with force_locale(language):
        subject = _("Reminder: %(title)s tomorrow", title=activity.title)
        body = _reminder_body(user, activity, centre)
    queue_mail(user.email, subject, body)


def _reminder_body(user: User, activity: Activity, centre: Centre) -> str:
    zone = ZoneInfo(centre.timezone)
    locale = get_locale()
    starts = activity.starts_at.astimezone(zone)
    ends = activity.ends_at.astimezone(zone)
    end = format_time(ends, "short", tzinfo=zone, locale=locale)
    if ends.date() != starts.date():
        end = f"{format_date(ends, 'full', locale=locale)}, {end}"
    lines = [
        _("Hello %(name)s,", name=user.display_name),
        "",
        _("This is a reminder that you have a place at “%(title)s” tomorrow.",
          title=activity.title),
        "",
        _("When: %(date)s, %(start)s–%(end)s",
          date=format_date(starts, "full", locale=locale),
          start=format_time(starts, "short", tzinfo=zone, locale=locale), end=end),
        _("Where: %(place)s", place=activity_location(activity)),
        _("Details: %(url)s", url=activity_url(activity)),
        "",
        _("If you cannot come, cancel your place on the page so someone from the waitlist can "
          "go."),
        "",
        centre.name,
    ]
    return "\n".join(lines)
