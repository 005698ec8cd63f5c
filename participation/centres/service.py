"""Rules for centres and membership. Functions flush; the request commits."""

from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import Select, func, select
from sqlalchemy.orm import joinedload

from ..errors import Conflict, NotAllowed, NotFound
from ..extensions import db
from ..models import Centre, Membership, Role, User
from ..search import matching_all_words


def centres_query(search: str = "") -> Select[tuple[Centre]]:
    """Centres whose name, city or district contains the words searched, in name order."""
    return (select(Centre).order_by(Centre.city, Centre.name)
            .where(*matching_all_words(search, Centre.name, Centre.city, Centre.district)))


def centre_by_slug(slug: str) -> Centre:
    centre = db.session.scalar(select(Centre).where(Centre.slug == slug))
    if centre is None:
        raise NotFound(_("There is no centre at this address."))
    return centre


def membership_of(user: User | None, centre: Centre) -> Membership | None:
    if user is None or not user.is_authenticated:
        return None
    return db.session.scalar(
        select(Membership).where(Membership.user_id == user.id, Membership.centre_id == centre.id)
    )


def memberships_of(user: User) -> list[Membership]:
    """The person's centres, with each centre loaded in the same query."""
    return list(
        db.session.scalars(
            select(Membership)
            .where(Membership.user_id == user.id)
            .options(joinedload(Membership.centre))
            .order_by(Membership.joined_at)
        )
    )


def member_count(centre: Centre) -> int:
    return db.session.scalar(
        select(func.count()).select_from(Membership).where(Membership.centre_id == centre.id)
    ) or 0


def animator_ids(centre: Centre) -> set[int]:
    """Ids of the centre's animators: to mark their comments and to notify them."""
    return set(db.session.scalars(
        select(Membership.user_id).where(Membership.centre_id == centre.id,
                                         Membership.role == Role.ANIMATOR)
    ))


def members_of(centre: Centre) -> list[User]:
    """Everyone who belongs to the centre, by name: the choice when an animator acts for a
    member (assisted support, sign-up on their behalf, a walk-in)."""
    return list(db.session.scalars(
        select(User).join(Membership, Membership.user_id == User.id)
        .where(Membership.centre_id == centre.id)
        .order_by(User.display_name, User.id)
    ))


def animators_of(centre: Centre) -> list[User]:
    return list(
        db.session.scalars(
            select(User)
            .join(Membership)
            .where(Membership.centre_id == centre.id, Membership.role == Role.ANIMATOR)
            .order_by(User.display_name)
        )
    )


def can_manage_centre(user: User | None, centre: Centre) -> bool:
    """Animators of this centre and platform admins manage it; nobody else."""
    if user is None or not user.is_authenticated:
        return False
    if user.is_admin:
        return True
    membership = membership_of(user, centre)
    return membership is not None and membership.is_animator


def ensure_manager(user: User | None, centre: Centre) -> None:
    """Refuse (403) anyone but the centre's animators and platform admins."""
    if not can_manage_centre(user, centre):
        raise NotAllowed(_("Only the centre's animators can do this."))


def ensure_member(user: User | None, centre: Centre) -> Membership:
    """The person's membership; refuse (403) people who have not joined the centre."""
    membership = membership_of(user, centre)
    if membership is None:
        raise NotAllowed(_("Join the centre first to take part."))
    return membership


def join_centre(user: User, centre: Centre) -> Membership:
    """Make the person a resident member. Joining twice changes nothing."""
    if not user.is_authenticated:
        raise NotAllowed(_("Sign in to join a centre."))
    existing = membership_of(user, centre)
    if existing is not None:
        return existing
    membership = Membership(user=user, centre=centre, role=Role.RESIDENT)
    db.session.add(membership)
    db.session.flush()
    return membership


def leave_centre(user: User, centre: Centre) -> None:
    """End the person's membership. Animators are removed from the role by a platform admin."""
    membership = membership_of(user, centre)
    if membership is None:
        raise Conflict(_("You are not a member of this centre."))
    if membership.is_animator:
        raise Conflict(_("Animators cannot leave the centre here. Ask the platform "
                         "administrator to remove your animator role first."))
    db.session.delete(membership)
    db.session.flush()
