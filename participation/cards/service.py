"""Access cards: issuing, signing in with them, and finding a card's holder.

Functions flush; the request commits.
"""

from __future__ import annotations

from sqlalchemy import select

from ..extensions import db
from ..models import AccessCard, Centre, Membership, User
from .codes import hash_code, normalise_code


def active_card(user: User) -> AccessCard | None:
    """The person's card in force (not revoked), if they have one."""
    return db.session.scalar(
        select(AccessCard).where(AccessCard.user_id == user.id, AccessCard.revoked_at.is_(None))
    )


def card_for_code(typed: str) -> AccessCard | None:
    """The card in force that ``typed`` (a code or a scanned address) names, or None."""
    code = normalise_code(typed)
    if code is None:
        return None
    return db.session.scalar(
        select(AccessCard).where(AccessCard.code_hash == hash_code(code),
                                 AccessCard.revoked_at.is_(None))
    )


def find_member_by_code(centre: Centre, typed: str) -> User | None:
    """The member of ``centre`` holding the card ``typed`` names; None for anyone else's card."""
    card = card_for_code(typed)
    if card is None:
        return None
    is_member = db.session.scalar(
        select(Membership.id).where(Membership.user_id == card.user_id,
                                    Membership.centre_id == centre.id)
    )
    user = db.session.get(User, card.user_id)
    return user if is_member is not None and user is not None and not user.is_erased else None
