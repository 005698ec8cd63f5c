"""Password rules: long enough, not a well-known password, not the person's own name or e-mail."""

from __future__ import annotations

import gzip
from functools import cache
from pathlib import Path

from flask_babel import gettext as _
from flask_babel import ngettext

MIN_LENGTH = 8
MAX_LENGTH = 128  # hashing has a cost; an endless password must not become a denial of service

# The 20,000 most common passwords, as shipped by Django (BSD licence; list by Royce Williams).
COMMON_PASSWORDS_FILE = Path(__file__).with_name("common-passwords.txt.gz")


@cache
def common_passwords() -> frozenset[str]:
    """Loaded on first use and kept: it is only needed when someone sets a password."""
    with gzip.open(COMMON_PASSWORDS_FILE, "rt", encoding="utf-8") as handle:
        return frozenset(line.strip() for line in handle if line.strip())


def password_problem(
    password: str, *, email: str | None = None, name: str | None = None
) -> str | None:
    """Why this password is refused, in the person's language; ``None`` when it is fine."""
    if len(password) < MIN_LENGTH:
        return ngettext(
            "The password must have at least %(num)d character.",
            "The password must have at least %(num)d characters.",
            MIN_LENGTH,
        )
    if len(password) > MAX_LENGTH:
        return ngettext(
            "The password can have at most %(num)d character.",
            "The password can have at most %(num)d characters.",
            MAX_LENGTH,
        )
    lowered = password.strip().lower()
    if lowered in common_passwords():
        return _("This password is one of the most common ones and is easy to guess. "
                 "Choose a different one, for example three unrelated words.")
    personal = {(email or "").lower(), (email or "").lower().split("@")[0], (name or "").lower()}
    if lowered in personal - {""}:
        return _("The password must not be your name or e-mail address.")
    return None
