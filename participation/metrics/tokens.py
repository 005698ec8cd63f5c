"""API tokens: a centre's animators make one for a reporting tool, the API checks it.

A token is ``pt_`` and 43 random URL-safe characters (256 bits). Only its SHA-256 is stored,
so a copy of the database opens no API; the first characters stay readable (``prefix``) so
animators can tell their tokens apart. The token itself is shown once, when it is made.

A token reads the figures of its own centre and nothing else. Revoking is final: a revoked
token is refused from the next request on, and the row stays for the record.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy import func, or_, select, update

from ..centres.service import ensure_manager
from ..errors import Conflict, DomainError, Invalid, NotFound
from ..extensions import db
from ..models import ApiToken, Centre, User, utcnow

TOKEN_PREFIX = "pt_"  # noqa: S105  (a visible marker, not a secret)
PREFIX_LENGTH = 10  # "pt_" and 7 random characters: enough to tell tokens apart, useless alone
MAX_NAME_LENGTH = 80
# A centre needs a few (one per reporting tool); a cap keeps a stuck script from making
# thousands.
MAX_ACTIVE_TOKENS = 20
# last_used_at is written at most this often, so a busy client does not write once per read.
USED_AT_RESOLUTION = timedelta(minutes=1)


class NotAuthenticated(DomainError):
    """No usable token (401). ``error`` is the RFC 6750 code for ``WWW-Authenticate``:
    empty when no token was sent at all, ``invalid_token`` when one was sent but is no good."""

    status = 401

    def __init__(self, message: str, error: str = "invalid_token") -> None:
        super().__init__(message)
        self.error = error


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def create_token(animator: User, centre: Centre, name: str) -> tuple[ApiToken, str]:
    """Make a token for the centre. Returns the row and the token itself: show it once, it
    cannot be recovered."""
    ensure_manager(animator, centre)
    name = (name or "").strip()
    if not name:
        raise Invalid(_("Give the token a name, e.g. the tool that will use it."))
    if len(name) > MAX_NAME_LENGTH:
        raise Invalid(ngettext("The name can have at most %(num)d character.",
                               "The name can have at most %(num)d characters.", MAX_NAME_LENGTH))
    active = db.session.scalar(
        select(func.count()).select_from(ApiToken)
        .where(ApiToken.centre_id == centre.id, ApiToken.revoked_at.is_(None)))
    if active >= MAX_ACTIVE_TOKENS:
        raise Conflict(ngettext(
            "The centre already has %(num)d active token. Revoke it first if you no longer "
            "use it.",
            "The centre already has %(num)d active tokens. Revoke one you no longer use first.",
            MAX_ACTIVE_TOKENS))
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(centre_id=centre.id, name=name, prefix=secret[:PREFIX_LENGTH],
                     token_hash=hash_token(secret), created_by_id=animator.id,
                     created_at=utcnow())
    db.session.add(token)
    db.session.flush()
    return token, secret


def revoke_token(animator: User, centre: Centre, token_id: int) -> bool:
    """Revoke one of the centre's tokens. Returns False if it already was revoked.

    Another centre's token is "not found" (404): its existence is none of this centre's
    business.
    """
    ensure_manager(animator, centre)
    token = db.session.get(ApiToken, token_id)
    if token is None or token.centre_id != centre.id:
        raise NotFound(_("There is no such token at this centre."))
    if token.revoked_at is not None:
        return False
    token.revoked_at, token.revoked_by_id = utcnow(), animator.id
    db.session.flush()
    return True


def tokens_of(centre: Centre) -> list[ApiToken]:
    """The centre's tokens: active ones first, newest first within each group."""
    return list(db.session.scalars(
        select(ApiToken).where(ApiToken.centre_id == centre.id)
        .order_by(ApiToken.revoked_at.is_not(None), ApiToken.created_at.desc(),
                  ApiToken.id.desc())))


def bearer_token(header_value: str | None) -> str:
    """The token in an ``Authorization: Bearer …`` header; refuses anything else (401)."""
    if not header_value:
        raise NotAuthenticated(_("Send an API token: Authorization: Bearer <token>."), error="")
    scheme, _space, token = header_value.strip().partition(" ")
    token = token.strip()
    if scheme.lower() != "bearer" or not token or " " in token:
        raise NotAuthenticated(_("The Authorization header must be: Bearer <token>."),
                               error="invalid_request")
    return token


def authenticate(header_value: str | None) -> ApiToken:
    """The active token the header carries, else ``NotAuthenticated`` (401).

    The lookup is by the token's hash, so it reveals nothing through timing: finding a hash
    that matches would mean knowing the token.
    """
    token = bearer_token(header_value)
    if not token.startswith(TOKEN_PREFIX) or len(token) > 100:
        raise NotAuthenticated(_("This API token is not valid."))
    row = db.session.scalar(select(ApiToken).where(ApiToken.token_hash == hash_token(token)))
    if row is None:
        raise NotAuthenticated(_("This API token is not valid."))
    if row.revoked_at is not None:
        raise NotAuthenticated(_("This API token has been revoked."))
    return row


def mark_used(token: ApiToken, now: datetime | None = None) -> None:
    """Note when the token was last used, at most once a minute.

    One conditional UPDATE: concurrent reads never write the row more than once a minute,
    and never move the time backwards.
    """
    now = now or utcnow()
    db.session.execute(
        update(ApiToken)
        .where(ApiToken.id == token.id,
               or_(ApiToken.last_used_at.is_(None),
                   ApiToken.last_used_at <= now - USED_AT_RESOLUTION))
        .values(last_used_at=now)
        .execution_options(synchronize_session=False))
