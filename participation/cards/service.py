"""Access cards: issuing, signing in with them, and finding a card's holder.

A card carries a short code (see ``codes``); only its hash is stored. The code works once as a
sign-in link (the QR code), and after that names the card for sign-in with a PIN or password,
or at an event kiosk. Reissuing revokes the card in force, so the old code stops working
everywhere at once.

Functions flush; the request commits.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy import select, update
from werkzeug.security import check_password_hash, generate_password_hash

from ..accounts.passwords import MAX_LENGTH, common_passwords, password_problem
from ..centres.service import ensure_manager, membership_of
from ..dbutil import lock_row
from ..errors import DomainError, Invalid, NotAllowed, NotFound
from ..extensions import db
from ..models import AccessCard, AgeBracket, Centre, Membership, Role, User, utcnow
from .codes import hash_code, new_code, normalise_code

PIN_LENGTHS = range(4, 9)  # 4 to 8 digits
_DIGITS = re.compile(r"[0-9]+")
# Checked when no card matches, so an unknown code takes as long as a wrong PIN.
_DUMMY_HASH = generate_password_hash("not-a-real-pin")


class CardLocked(DomainError):
    """Too many wrong PINs in a row: the card waits, even for the right PIN (429)."""

    status = 429


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


# --- Issuing ---------------------------------------------------------------------------------


def _issue(user: User, centre: Centre, issued_by: User) -> tuple[AccessCard, str]:
    """Revoke the person's card in force (if any) and make a new one; return it and its code.

    The person's row is locked first, so two animators reissuing at the same moment take
    turns: the second revokes the first's new card (the unique index on the card in force
    would refuse two).
    """
    lock_row(User, user.id)
    now = utcnow()
    db.session.execute(
        update(AccessCard)
        .where(AccessCard.user_id == user.id, AccessCard.revoked_at.is_(None))
        .values(revoked_at=now)
        .execution_options(synchronize_session="fetch")
    )
    code = new_code()
    card = AccessCard(user_id=user.id, centre_id=centre.id, code_hash=hash_code(code),
                      issued_at=now, issued_by_id=issued_by.id)
    db.session.add(card)
    db.session.flush()
    return card, code


def register_card_resident(animator: User, centre: Centre, display_name: str,
                           age_bracket: AgeBracket | None, consent_noted: bool
                           ) -> tuple[User, AccessCard, str]:
    """Register a resident without e-mail at the desk and issue their first card.

    The resident signed the paper consent form (``consent_noted``); the account has no e-mail
    and no password until the resident sets a PIN through the card's one-time link. The
    membership is verified: the animator met the person. Returns the person, the card and
    its code (printed now, never stored).
    """
    ensure_manager(animator, centre)
    if not consent_noted:
        raise Invalid(_("Tick the box once the resident has signed the consent form."))
    name = (display_name or "").strip()
    if not 2 <= len(name) <= 80:
        raise Invalid(_("The name must have from 2 to 80 characters."))
    now = utcnow()
    user = User(display_name=name, email=None, age_bracket=age_bracket,
                registered_by_id=animator.id, consent_noted_at=now, created_at=now)
    db.session.add(user)
    db.session.add(Membership(user=user, centre=centre, role=Role.RESIDENT, verified=True,
                              joined_at=now))
    db.session.flush()
    card, code = _issue(user, centre, animator)
    return user, card, code


def cardholder(centre: Centre, user_id: int) -> User:
    """A resident of ``centre`` who may be given a card; 404 for anyone not a member.

    Animators and platform admins get no card: a code and a short PIN must never open an
    account that can manage a centre.
    """
    user = db.session.get(User, user_id)
    membership = membership_of(user, centre) if user is not None else None
    if user is None or membership is None or user.is_erased:
        raise NotFound(_("This person is not a member of this centre."))
    if membership.is_animator or user.is_admin:
        raise NotAllowed(_("Access cards are for residents. Animators and administrators "
                           "sign in with their e-mail address and password."))
    return user


def reissue_card(animator: User, centre: Centre, user_id: int) -> tuple[User, AccessCard, str]:
    """Issue a card to a member, or a new one in place of the card in force.

    The old card stops working for everything at once (link, PIN sign-in, kiosk); the PIN
    the person set stays and works with the new code. The new card starts unlocked.
    """
    ensure_manager(animator, centre)
    user = cardholder(centre, user_id)
    card, code = _issue(user, centre, animator)
    return user, card, code


@dataclass(frozen=True)
class CardStatus:
    """What the member page shows about a card: never the code, never the PIN."""

    issued_at: datetime
    issued_by: str | None
    signed_in_at: datetime | None  # the one-time link was used then; None: still unused
    last_used_at: datetime | None
    locked_until: datetime | None  # set only while the card is locked
    has_pin: bool

    @property
    def is_locked(self) -> bool:
        return self.locked_until is not None

    @property
    def link_used(self) -> bool:
        return self.signed_in_at is not None


def card_status(user: User) -> CardStatus | None:
    """The person's card in force as the member page shows it, or None without a card."""
    card = active_card(user)
    if card is None:
        return None
    locked = card.locked_until if card.locked_until and card.locked_until > utcnow() else None
    return CardStatus(
        issued_at=card.issued_at,
        issued_by=card.issued_by.display_name if card.issued_by is not None else None,
        signed_in_at=card.signed_in_at, last_used_at=card.last_used_at, locked_until=locked,
        has_pin=user.password_hash is not None,
    )


# --- Signing in ------------------------------------------------------------------------------


def link_is_valid(typed: str) -> bool:
    """Whether the one-time link for this code would still sign someone in (reads only)."""
    card = card_for_code(typed)
    return card is not None and card.signed_in_at is None and not card.user.is_erased


def sign_in_with_link(typed: str) -> User:
    """Spend the card's one-time link and return its holder.

    Exactly once: the conditional UPDATE matches only while ``signed_in_at`` is empty, so of
    two requests at the same moment only one changes the row (the other waits for its lock,
    then finds nothing to change).
    """
    code = normalise_code(typed)
    refused = Invalid(_("This sign-in link does not work any more. It works only once, and "
                        "only for the newest card. If you have set a PIN, sign in with the "
                        "code on your card and your PIN. Otherwise ask at your centre for a "
                        "new card."))
    if code is None:
        raise refused
    now = utcnow()
    result = db.session.execute(
        update(AccessCard)
        .where(AccessCard.code_hash == hash_code(code), AccessCard.revoked_at.is_(None),
               AccessCard.signed_in_at.is_(None))
        .values(signed_in_at=now, last_used_at=now)
        .returning(AccessCard.user_id)
        .execution_options(synchronize_session=False)
    )
    holder_id = result.scalar()
    if holder_id is None:
        raise refused
    user = db.session.get(User, holder_id)
    if user.is_erased:
        raise refused
    user.last_login_at = now
    db.session.flush()
    return user


def _wrong() -> Invalid:
    return Invalid(_("The card code or the PIN is not correct. If you have not set a PIN "
                     "yet, scan the QR code on your card, or ask at your centre."))


def _locked_error(until: datetime) -> CardLocked:
    minutes = max(1, -(-int((until - utcnow()).total_seconds()) // 60))  # rounded up
    return CardLocked(ngettext(
        "This card is locked for %(num)d minute after too many wrong PINs. Try again later, "
        "or ask at your centre for help.",
        "This card is locked for %(num)d minutes after too many wrong PINs. Try again later, "
        "or ask at your centre for help.",
        minutes))


def sign_in_with_pin(typed: str, secret: str, *, max_failed: int,
                     lock_minutes: int) -> User:
    """The holder of the card ``typed`` names, if ``secret`` is their PIN or password.

    One message for an unknown code and a wrong PIN, so nobody can test which codes exist.
    After ``max_failed`` wrong PINs in a row the card is locked for ``lock_minutes``, even for
    the right PIN; a success resets the count. A wrong PIN is counted in the session (flushed)
    before the error is raised: the view commits it, since the error rolls the request back.
    """
    card = card_for_code(typed)
    user = card.user if card is not None else None
    if card is None or user is None or user.is_erased or user.password_hash is None:
        check_password_hash(_DUMMY_HASH, secret or "")
        raise _wrong()
    now = utcnow()
    if card.locked_until is not None and card.locked_until > now:
        raise _locked_error(card.locked_until)
    if not user.check_password(secret):
        # Counted in the database, not in Python, so parallel guesses each count.
        failures = db.session.execute(
            update(AccessCard).where(AccessCard.id == card.id)
            .values(failed_attempts=AccessCard.failed_attempts + 1)
            .returning(AccessCard.failed_attempts)
            .execution_options(synchronize_session=False)
        ).scalar_one()
        if failures >= max_failed:
            until = now + timedelta(minutes=lock_minutes)
            db.session.execute(
                update(AccessCard).where(AccessCard.id == card.id)
                .values(failed_attempts=0, locked_until=until)
                .execution_options(synchronize_session=False)
            )
            db.session.flush()
            raise _locked_error(until)
        db.session.flush()
        raise _wrong()
    card.failed_attempts = 0
    card.locked_until = None
    card.last_used_at = now
    user.last_login_at = now
    db.session.flush()
    return user


# --- PIN -------------------------------------------------------------------------------------


def pin_problem(secret: str, user: User) -> str | None:
    """Why this PIN or password is refused, in the person's language; None when it is fine.

    4 to 8 digits make a PIN; anything else is a password and follows the password rules.
    People who also sign in with an e-mail address need a password: a short PIN would
    weaken that sign-in, which has no card to lock.
    """
    secret = secret or ""
    if _DIGITS.fullmatch(secret) and len(secret) in PIN_LENGTHS and user.email is None:
        if _is_trivial_pin(secret):
            return _("This PIN is too easy to guess. Avoid repeated or consecutive digits "
                     "(like 1111 or 1234) and years (like 1960). Choose other digits.")
        return None
    if _DIGITS.fullmatch(secret) and len(secret) < min(PIN_LENGTHS):
        return _("A PIN has from 4 to 8 digits. Enter at least 4 digits.")
    if _DIGITS.fullmatch(secret) and user.email is None:
        return _("A PIN has from 4 to 8 digits. Enter at most 8 digits, or choose a password.")
    if len(secret) > MAX_LENGTH:
        return _("The password is too long.")
    if user.email is not None and _DIGITS.fullmatch(secret):
        return _("You also sign in with your e-mail address, so choose a password with "
                 "letters, not only digits: at least 8 characters.")
    return password_problem(secret, email=user.email, name=user.display_name)


def _is_trivial_pin(pin: str) -> bool:
    steps = {int(b) - int(a) for a, b in zip(pin, pin[1:], strict=False)}
    if len(steps) == 1 and steps <= {-1, 0, 1}:  # 0000, 1234, 9876
        return True
    if len(pin) % 2 == 0 and pin == pin[:2] * (len(pin) // 2):  # 1212
        return True
    if len(pin) == 4 and pin[:2] in ("19", "20"):  # a year: a birth year is easy to find
        return True
    return pin in common_passwords()


def set_pin(user: User, secret: str) -> None:
    """Store a new PIN or password for the person. Other sessions stay signed in."""
    problem = pin_problem(secret, user)
    if problem:
        raise Invalid(problem)
    user.set_password(secret)
    db.session.flush()
