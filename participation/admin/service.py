"""Rules for the platform admin's work. Functions check rights, flush, never commit."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any
from zoneinfo import available_timezones

from flask_babel import gettext as _
from sqlalchemy import case, func, select
from sqlalchemy.orm import contains_eager

from ..accounts.service import normalise_email, user_by_email
from ..errors import Conflict, Invalid, NotAllowed, NotFound
from ..extensions import db
from ..models import Centre, Membership, Role, User
from ..proposals.service import ensure_default_categories

SLUG_PATTERN = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
CENTRE_FIELDS = (
    "name", "slug", "operator", "city", "district", "address", "description",
    "contact_email", "contact_phone", "timezone",
)


class Console:
    """Whoever runs ``flask`` commands on the server: trusted, as they own the server."""

    is_admin = True
    is_authenticated = True
    display_name = "console"


CONSOLE = Console()


def ensure_admin(actor: User | Console | None) -> None:
    if actor is None or not actor.is_authenticated or not actor.is_admin:
        raise NotAllowed(_("Only a platform administrator can do this."))


@dataclass(frozen=True)
class CentreRow:
    centre: Centre
    members: int
    animators: int


def centres_overview(actor: User | Console) -> list[CentreRow]:
    """Every centre with its member and animator counts, in one query."""
    ensure_admin(actor)
    animators = func.count(case((Membership.role == Role.ANIMATOR, 1)))
    rows = db.session.execute(
        select(Centre, func.count(Membership.id), animators)
        .outerjoin(Membership)
        .group_by(Centre.id)
        .order_by(Centre.city, Centre.name)
    )
    return [CentreRow(centre, members, animator_count) for centre, members, animator_count in rows]


def _check_centre_fields(fields: dict[str, Any], centre: Centre | None) -> None:
    slug = fields.get("slug", "")
    if not SLUG_PATTERN.match(slug):
        raise Invalid(_("The address name may contain only small letters without accents, "
                        "digits and single hyphens, e.g. paca-40."))
    if fields.get("timezone") not in available_timezones():
        raise Invalid(_("Unknown time zone. Use a name such as Europe/Warsaw."))
    taken = db.session.scalar(select(Centre.id).where(Centre.slug == slug))
    if taken is not None and (centre is None or taken != centre.id):
        raise Conflict(_("Another centre already uses this address name."))


def create_centre(actor: User | Console, **fields: Any) -> Centre:
    ensure_admin(actor)
    fields = {name: value for name, value in fields.items() if name in CENTRE_FIELDS}
    fields.setdefault("timezone", "Europe/Warsaw")
    _check_centre_fields(fields, None)
    centre = Centre(**fields)
    db.session.add(centre)
    db.session.flush()
    ensure_default_categories(centre)
    return centre


def update_centre(actor: User | Console, centre: Centre, **fields: Any) -> Centre:
    ensure_admin(actor)
    fields = {name: value for name, value in fields.items() if name in CENTRE_FIELDS}
    _check_centre_fields({"slug": centre.slug, "timezone": centre.timezone, **fields}, centre)
    for name, value in fields.items():
        setattr(centre, name, value)
    db.session.flush()
    return centre


def add_animator(actor: User | Console, centre: Centre, email: str) -> Membership:
    """Give an existing account the animator role at this centre (joining it if needed)."""
    ensure_admin(actor)
    user = user_by_email(normalise_email(email))
    if user is None:
        raise NotFound(_("No account uses this e-mail address. Ask the person to register "
                         "first, then name them here."))
    membership = db.session.scalar(
        select(Membership).where(Membership.user_id == user.id, Membership.centre_id == centre.id)
    )
    if membership is None:
        membership = Membership(user=user, centre=centre)
        db.session.add(membership)
    membership.role = Role.ANIMATOR
    db.session.flush()
    return membership


def remove_animator(actor: User | Console, centre: Centre, user_id: int) -> Membership:
    """Take the animator role away; the person stays a resident member."""
    ensure_admin(actor)
    membership = db.session.scalar(
        select(Membership).where(Membership.user_id == user_id, Membership.centre_id == centre.id)
    )
    if membership is None or not membership.is_animator:
        raise NotFound(_("This person is not an animator of this centre."))
    membership.role = Role.RESIDENT
    db.session.flush()
    return membership


def animator_memberships(actor: User | Console, centre: Centre) -> list[Membership]:
    ensure_admin(actor)
    return list(
        db.session.scalars(
            select(Membership)
            .join(User)
            .where(Membership.centre_id == centre.id, Membership.role == Role.ANIMATOR)
            .options(contains_eager(Membership.user))
            .order_by(User.display_name)
        )
    )


def make_admin(actor: User | Console, user: User) -> None:
    ensure_admin(actor)
    user.is_admin = True
    db.session.flush()
