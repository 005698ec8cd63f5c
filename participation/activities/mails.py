"""The rich e-mails of three activity notifications, each in its reader's language.

The day-before reminder, a place freed up from the waitlist and a cancelled activity each change
someone's plans, so their mail says where and when (and the centre's reason). These functions
are called only by ``notifications.mails.queue_immediate``, for people who chose e-mails at
once; those who chose a daily digest find the same news in it, those who chose never, in the app.
"""

from __future__ import annotations

from flask_babel import gettext as _

from ..i18n import local_range
from ..mail import queue_mail
from ..models import Activity, User
from ..notifications.mails import external_url, immediate_footer, in_language_of
from .calendar import activity_location


def activity_url(activity: Activity) -> str:
    """The absolute address of the activity's page, for links in e-mails.

    Outside a request (``flask send-reminders``, the demo loader) the address is built on
    ``BASE_URL``.
    """
    return external_url("activities.show", slug=activity.centre.slug, activity_id=activity.id)


def _when(activity: Activity) -> str:
    """"When: Wednesday, 2 December 2026, 18:00–20:00", in the centre's zone, as on its page."""
    return _("When: %(time)s", time=local_range(activity.starts_at, activity.ends_at,
                                                 activity.centre.timezone))


def _queue(user: User, activity: Activity, subject: str, paragraphs: list[str]) -> None:
    lines = [_("Hello %(name)s,", name=user.display_name), "", *paragraphs, "",
             _when(activity), _("Where: %(place)s", place=activity_location(activity)),
             _("Details: %(url)s", url=activity_url(activity)), "", activity.centre.name, "",
             *immediate_footer()]
    queue_mail(user.email, subject, "\n".join(lines))


def queue_reminder(user: User, activity: Activity) -> None:
    """Tomorrow's activity: where and when, and how to give the place to someone waiting."""
    with in_language_of(user):
        _queue(user, activity, _("Reminder: %(title)s tomorrow", title=activity.title), [
            _("This is a reminder that you have a place at “%(title)s” tomorrow.",
              title=activity.title),
            _("If you cannot come, cancel your place on the page so someone from the "
              "waitlist can go."),
        ])


def queue_promotion(user: User, activity: Activity) -> None:
    """A place freed up and the person on the waitlist now has it."""
    with in_language_of(user):
        _queue(user, activity, _("You have a place: %(title)s", title=activity.title), [
            _("A place has freed up: you are now signed up for “%(title)s”.",
              title=activity.title),
            _("If you cannot come, cancel your place on the page so someone from the "
              "waitlist can go."),
        ])


def queue_cancellation(user: User, activity: Activity) -> None:
    """The activity will not take place; the animators' reason is quoted."""
    with in_language_of(user):
        _queue(user, activity, _("Cancelled: %(title)s", title=activity.title), [
            _("“%(title)s” is cancelled. Sorry for the change of plans.", title=activity.title),
            _("The centre's reason: %(reason)s", reason=activity.cancel_reason),
        ])
