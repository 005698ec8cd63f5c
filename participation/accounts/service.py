"""Rules for accounts. Functions flush; the request commits."""

from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import select
from werkzeug.security import check_password_hash, generate_password_hash

from ..errors import Conflict, Invalid, NotAllowed
from ..extensions import db
from ..models import AgeBracket, User, utcnow
from .passwords import password_problem

# Checked when no account matches, so a wrong e-mail takes as long as a wrong password and the
# answer time does not reveal who has an account.
_DUMMY_HASH = generate_password_hash("not-a-real-password")


def normalise_email(email: str) -> str:
    return email.strip().lower()


def user_by_email(email: str) -> User | None:
    return db.session.scalar(select(User).where(User.email == normalise_email(email)))


def user_by_session_token(session_token: str) -> User | None:
    # An erased account's cookie never signs anyone in, even if the token were replayed.
    return db.session.scalar(select(User).where(User.session_token == session_token,
                                                User.erased_at.is_(None)))


def register(display_name: str, email: str, password: str, locale: str | None) -> User:
    """Create a self-registered account (16+). Raises Conflict for a known e-mail."""
    email = normalise_email(email)
    problem = password_problem(password, email=email, name=display_name)
    if problem:
        raise Invalid(problem)
    if user_by_email(email) is not None:
        raise Conflict(_("An account with this e-mail address already exists. Sign in instead, "
                         "or use a different address."))
    user = User(display_name=display_name.strip(), email=email, locale=locale)
    user.set_password(password)
    db.session.add(user)
    db.session.flush()
    return user


def authenticate(email: str, password: str) -> User:
    """The account for these credentials. One message for both mistakes, to reveal nothing."""
    user = user_by_email(email)
    if user is None or user.password_hash is None or user.erased_at is not None:
        check_password_hash(_DUMMY_HASH, password)
        raise Invalid(_("The e-mail address or password is not correct."))
    if not user.check_password(password):
        raise Invalid(_("The e-mail address or password is not correct."))
    user.last_login_at = utcnow()
    return user


def change_password(user: User, current_password: str, new_password: str) -> None:
    """Set a new password and end every other session of this person."""
    if not user.check_password(current_password):
        raise NotAllowed(_("The current password is not correct."))
    problem = password_problem(new_password, email=user.email, name=user.display_name)
    if problem:
        raise Invalid(problem)
    user.set_password(new_password)
    user.rotate_session_token()
    db.session.flush()


def update_profile(
    user: User, display_name: str, locale: str | None, age_bracket: AgeBracket | None
) -> None:
    user.display_name = display_name.strip()
    user.locale = locale
    user.age_bracket = age_bracket
    db.session.flush()

