"""Settings read from the environment.

Every variable is documented in the README's "Configuration" section. Nothing secret lives in
the source: when ``SECRET_KEY`` is not set, one is generated once and kept in the instance folder.
"""

from __future__ import annotations

import os
import secrets
from datetime import date, timedelta
from pathlib import Path
from typing import Any

LANGUAGES = ("pl", "uk", "en")
DEFAULT_TIMEZONE = "Europe/Warsaw"


def _env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    return int(value) if value else default


def _env_date(name: str, default: str) -> str:
    """An ISO date (``2026-11-24``) from the environment; a malformed one stops the start."""
    value = (os.environ.get(name) or default).strip()
    try:
        date.fromisoformat(value)
    except ValueError:
        raise ValueError(f"{name} must be a date in the form 2026-11-24, not {value!r}") from None
    return value


def normalise_database_url(url: str) -> str:
    """Accept the ``postgres://`` and ``postgresql://`` forms hosting panels hand out.

    We ship psycopg 3, so a bare PostgreSQL URL is pointed at that driver instead of
    SQLAlchemy's default psycopg2, which is not installed.
    """
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def secret_key_from_instance(instance_path: str, name: str = "secret_key") -> str:
    """Return the key kept in ``instance/<name>``, creating it (mode 0600) the first time."""
    path = Path(instance_path) / name
    if path.exists():
        return path.read_text().strip()
    path.parent.mkdir(parents=True, exist_ok=True)
    key = secrets.token_hex(32)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(key)
    return key


def settings_from_environment(instance_path: str, debug: bool) -> dict[str, Any]:
    """Build the Flask config mapping from environment variables and safe defaults."""
    sqlite_path = Path(instance_path) / "participation.sqlite3"
    database_url = os.environ.get("DATABASE_URL") or f"sqlite:///{sqlite_path}"
    return {
        "SITE_NAME": os.environ.get("SITE_NAME", ""),
        "SQLALCHEMY_DATABASE_URI": normalise_database_url(database_url),
        "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True},
        "SECRET_KEY": os.environ.get("SECRET_KEY") or None,
        # Keys the hash that stands for a person in the participation log. Keep it stable:
        # a new key makes every returning resident look new in the figures.
        "PSEUDONYM_KEY": os.environ.get("PSEUDONYM_KEY") or None,
        # Mail (used from the activities issue on: reminders and notifications).
        "MAIL_SERVER": os.environ.get("MAIL_SERVER", ""),
        "MAIL_PORT": _env_int("MAIL_PORT", 587),
        "MAIL_USERNAME": os.environ.get("MAIL_USERNAME", ""),
        "MAIL_PASSWORD": os.environ.get("MAIL_PASSWORD", ""),
        "MAIL_USE_TLS": _env_bool("MAIL_USE_TLS", True),
        "MAIL_DEFAULT_SENDER": os.environ.get("MAIL_DEFAULT_SENDER", "participation@localhost"),
        # The site's public address (e.g. https://cal.example.org), for links in e-mails that
        # commands such as ``flask send-reminders`` write outside any request.
        "BASE_URL": os.environ.get("BASE_URL", ""),
        # Rate limits: memory is right for one process; several servers share Redis.
        "RATELIMIT_STORAGE_URI": os.environ.get("RATELIMIT_STORAGE_URI", "memory://"),
        "RATELIMIT_ENABLED": _env_bool("RATELIMIT_ENABLED", True),
        "RATELIMIT_HEADERS_ENABLED": True,
        "RATELIMIT_LOGIN_IP": os.environ.get("RATELIMIT_LOGIN_IP", "30 per minute;200 per hour"),
        "RATELIMIT_LOGIN_ACCOUNT": os.environ.get(
            "RATELIMIT_LOGIN_ACCOUNT", "5 per minute;30 per hour"
        ),
        "RATELIMIT_REGISTER_IP": os.environ.get("RATELIMIT_REGISTER_IP", "30 per hour"),
        # Access cards: sign-in with a card's code and PIN (and the card's one-time link) per
        # client address, and per card code from anywhere. Besides these limits, a card is
        # locked for CARD_LOCK_MINUTES after CARD_MAX_FAILED_ATTEMPTS wrong PINs in a row.
        "RATELIMIT_CARD_IP": os.environ.get("RATELIMIT_CARD_IP", "30 per minute;200 per hour"),
        "RATELIMIT_CARD_CODE": os.environ.get("RATELIMIT_CARD_CODE", "5 per minute;30 per hour"),
        "CARD_MAX_FAILED_ATTEMPTS": _env_int("CARD_MAX_FAILED_ATTEMPTS", 5),
        "CARD_LOCK_MINUTES": _env_int("CARD_LOCK_MINUTES", 15),
        "RATELIMIT_API": os.environ.get("RATELIMIT_API", "60 per minute"),
        "RATELIMIT_API_IP": os.environ.get("RATELIMIT_API_IP", "300 per minute"),
        # Codes typed at one event kiosk (a queue at the door is one person every few seconds).
        "RATELIMIT_KIOSK": os.environ.get("RATELIMIT_KIOSK", "30 per minute;600 per hour"),
        # How long an event kiosk stays open unless an animator closes it first.
        "KIOSK_HOURS": _env_int("KIOSK_HOURS", 12),
        # The day a daily digest belongs to (empty: BABEL_DEFAULT_TIMEZONE, Europe/Warsaw).
        "DIGEST_TIMEZONE": os.environ.get("DIGEST_TIMEZONE", ""),
        # Number of trusted reverse proxies in front of the app (0: none).
        "PROXY_FIX_X_FOR": _env_int("PROXY_FIX_X_FOR", 0),
        "MAX_CONTENT_LENGTH": _env_int("MAX_CONTENT_LENGTH", 1024 * 1024),
        # Compress text responses (gzip, brotli, zstd); false when the reverse proxy does it.
        "COMPRESS_RESPONSES": _env_bool("COMPRESS_RESPONSES", True),
        # Cookies: HttpOnly and SameSite=Lax always; Secure everywhere but a debug server.
        "SESSION_COOKIE_SECURE": _env_bool("SESSION_COOKIE_SECURE", not debug),
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "REMEMBER_COOKIE_SECURE": _env_bool("SESSION_COOKIE_SECURE", not debug),
        "REMEMBER_COOKIE_HTTPONLY": True,
        "REMEMBER_COOKIE_SAMESITE": "Lax",
        "REMEMBER_COOKIE_DURATION": timedelta(days=30),
        "PERMANENT_SESSION_LIFETIME": timedelta(days=14),
        "PREFERRED_URL_SCHEME": os.environ.get("PREFERRED_URL_SCHEME", "https"),
        "WTF_CSRF_TIME_LIMIT": None,  # the token lives as long as the session
        "BABEL_DEFAULT_LOCALE": "pl",
        "BABEL_DEFAULT_TIMEZONE": DEFAULT_TIMEZONE,
        "LANGUAGES": LANGUAGES,
        # The daily webhook (``flask push-metrics``): seconds to wait for the receiver, and
        # whether addresses in private or local networks may be used (off: a webhook must not
        # reach into the city's internal network; on only for a receiver inside it).
        "WEBHOOK_TIMEOUT": _env_int("WEBHOOK_TIMEOUT", 10),
        "WEBHOOK_ALLOW_PRIVATE_HOSTS": _env_bool("WEBHOOK_ALLOW_PRIVATE_HOSTS", False),
        # The accessibility statement and the privacy notice of the platform itself (each
        # centre adds its own parts on its screen). The operator is the public body or
        # association that runs the site; the contact answers accessibility requests.
        "PLATFORM_OPERATOR": os.environ.get("PLATFORM_OPERATOR", ""),
        "PLATFORM_ADDRESS": os.environ.get("PLATFORM_ADDRESS", ""),
        "PLATFORM_CONTACT_NAME": os.environ.get("PLATFORM_CONTACT_NAME", ""),
        "PLATFORM_CONTACT_EMAIL": os.environ.get("PLATFORM_CONTACT_EMAIL", ""),
        "PLATFORM_CONTACT_PHONE": os.environ.get("PLATFORM_CONTACT_PHONE", ""),
        "PLATFORM_DPO_CONTACT": os.environ.get("PLATFORM_DPO_CONTACT", ""),
        # Dates the statement must show: the site's publication, its last significant update,
        # and when the statement was prepared (last reviewed). ISO dates.
        "ACCESSIBILITY_PUBLISHED_ON": _env_date("ACCESSIBILITY_PUBLISHED_ON", "2026-11-23"),
        "ACCESSIBILITY_UPDATED_ON": _env_date("ACCESSIBILITY_UPDATED_ON", "2026-11-24"),
        "ACCESSIBILITY_PREPARED_ON": _env_date("ACCESSIBILITY_PREPARED_ON", "2026-11-24"),
        "CENTRES_PER_PAGE": 20,
        "PROPOSALS_PER_PAGE": 20,
    }
