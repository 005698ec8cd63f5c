"""Which language and time zone a request is served in."""

from __future__ import annotations

import os
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from babel import dates
from flask import current_app, g, has_request_context, request, session
from flask_babel import get_locale, get_timezone
from flask_login import current_user

from .config import DEFAULT_TIMEZONE

# Each language named in itself, so a person can find their own in any interface language.
LANGUAGE_NAMES = {"pl": "Polski", "uk": "Українська", "en": "English"}


def select_locale() -> str:
    """The person's saved choice, else this browser session's choice, else Accept-Language.

    Outside a request (``flask`` commands) the operator's system language is used.
    """
    languages = current_app.config["LANGUAGES"]
    if not has_request_context():
        return _system_locale(languages) or current_app.config["BABEL_DEFAULT_LOCALE"]
    if current_user.is_authenticated and current_user.locale in languages:
        return current_user.locale
    chosen = session.get("locale")
    if chosen in languages:
        return chosen
    return request.accept_languages.best_match(languages) or current_app.config[
        "BABEL_DEFAULT_LOCALE"
    ]


def _system_locale(languages: tuple[str, ...]) -> str | None:
    for variable in ("LC_ALL", "LC_MESSAGES", "LANG"):
        language = os.environ.get(variable, "")[:2].lower()
        if language in languages:
            return language
    return None


def select_timezone() -> str:
    """The zone of the centre the page is about; Warsaw's when the page has no centre."""
    centre = getattr(g, "centre", None)
    return centre.timezone if centre is not None else DEFAULT_TIMEZONE


def _local(value: datetime, tz_name: str | None) -> tuple[datetime, Any]:
    zone = ZoneInfo(tz_name) if tz_name else get_timezone()
    return value.astimezone(zone), get_locale()


def local_datetime(value: datetime | None, tz_name: str | None = None,
                   format: str = "medium") -> str:
    """A date with its time (hours and minutes) in the named zone (else the request's), in the
    person's language: for times at a centre other than the page's, e.g. on "My activities"."""
    if value is None:
        return ""
    local, locale = _local(value, tz_name)
    return (dates.get_datetime_format(format, locale=locale).replace("'", "")
            .replace("{0}", dates.format_time(local, "short", locale=locale))
            .replace("{1}", dates.format_date(local, format, locale=locale)))


def local_range(start: datetime, end: datetime, tz_name: str | None = None,
                format: str = "full") -> str:
    """Like “Tuesday, 12 May 2026, 17:00–19:00”; both full moments when it spans days."""
    local_end, locale = _local(end, tz_name)
    if _local(start, tz_name)[0].date() == local_end.date():
        return f"{local_datetime(start, tz_name, format)}–" + dates.format_time(
            local_end, "short", locale=locale)
    return f"{local_datetime(start, tz_name, format)} – {local_datetime(end, tz_name, format)}"


def machine_time(moment: date | datetime) -> str:
    """A ``<time datetime>`` value: HTML allows at most milliseconds, so whole seconds here."""
    if isinstance(moment, datetime):
        return moment.isoformat(timespec="seconds")
    return moment.isoformat()
