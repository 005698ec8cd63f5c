"""Notifications by e-mail, as each person chose: at once, in a daily digest, or never.

Every notification is shown in the app. Whether it is also mailed depends on the reader's
``email_frequency``: ``IMMEDIATELY`` (the default) queues one mail when the notification is
made, ``DAILY`` leaves it for ``flask send-digests``, ``NEVER`` never mails. People without an
e-mail address (access-card residents) and erased accounts are never mailed.

Three moments that change someone's plans keep their own, richer mail (where and when, the
centre's reason): the day-before reminder, a place freed up from the waitlist, and a cancelled
activity (``activities/mails.py``). Every other kind gets the plain mail below. Either way one
notification gives at most one immediate mail, and its ``mailed_at`` says it went.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from flask import current_app, has_request_context, url_for
from flask_babel import force_locale
from flask_babel import gettext as _

from ..mail import queue_mail
from ..models import EmailFrequency, Notification, NotificationKind, User


def can_be_mailed(user: User) -> bool:
    """An address to write to, and an account that still names someone."""
    return bool(user.email) and not user.is_erased


def wants_immediate_mail(user: User) -> bool:
    # A row not flushed yet has no default in the column: the default is "immediately".
    frequency = user.email_frequency or EmailFrequency.IMMEDIATELY
    return can_be_mailed(user) and frequency is EmailFrequency.IMMEDIATELY


@contextmanager
def in_language_of(user: User) -> Iterator[None]:
    """Write in the reader's saved language (the platform's default when none is saved)."""
    languages = current_app.config["LANGUAGES"]
    language = user.locale if user.locale in languages else current_app.config[
        "BABEL_DEFAULT_LOCALE"]
    with force_locale(language):
        yield


def external_url(endpoint: str, **values) -> str:
    """An absolute address for a link in an e-mail.

    Outside a request (``flask`` commands, the demo loader) it is built on ``BASE_URL``.
    """
    values["_external"] = True
    if has_request_context():
        return url_for(endpoint, **values)
    base_url = current_app.config.get("BASE_URL") or "http://localhost:5000"
    with current_app.test_request_context("/", base_url=base_url):
        return url_for(endpoint, **values)


def settings_url() -> str:
    """Where a person chooses how often we e-mail them (the choice on their profile)."""
    return external_url("accounts.profile", _anchor="email_frequency")


def target_url(notification: Notification) -> str:
    """The page the notification is about (the activity's, else the proposal's), else the list."""
    if notification.activity is not None:
        return external_url("activities.show", slug=notification.activity.centre.slug,
                            activity_id=notification.activity.id)
    if notification.proposal is not None:
        return external_url("proposals.show", slug=notification.proposal.centre.slug,
                            proposal_id=notification.proposal.id)
    return external_url("notifications.index")


def immediate_footer() -> list[str]:
    """Why this mail came, and where to get fewer: in every immediate mail."""
    return [
        _("You get an e-mail for each notification. To get one e-mail a day instead, or none, "
          "change it here: %(url)s", url=settings_url()),
    ]


def queue_immediate(user: User, notification: Notification) -> None:
    """Queue the one mail for this notification now, in the reader's language."""
    from ..activities import mails as activity_mails  # activities import this module's users

    rich = {
        NotificationKind.ACTIVITY_REMINDER: activity_mails.queue_reminder,
        NotificationKind.WAITLIST_PROMOTED: activity_mails.queue_promotion,
        NotificationKind.ACTIVITY_CANCELLED: activity_mails.queue_cancellation,
    }.get(notification.kind)
    if rich is not None and notification.activity is not None:
        rich(user, notification.activity)
        return
    from .service import message

    with in_language_of(user):
        text = message(notification)
        lines = [_("Hello %(name)s,", name=user.display_name), "", text, ""]
        if notification.reason:
            lines += [notification.reason, ""]
        lines += [_("See it here: %(url)s", url=target_url(notification)), "",
                  *immediate_footer()]
        queue_mail(user.email, text, "\n".join(lines))
