"""Which language and time zone a request is served in."""

from __future__ import annotations

import os

from flask import current_app, g, has_request_context, request, session
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
