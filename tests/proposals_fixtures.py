"""Fixtures and helpers for the proposal and moderation service tests.

Services run as a request would run them: inside an app context of their own (so a session of
their own), and the caller commits. ``unit_of_work`` is that request edge; ``refused`` runs a
call that must fail and proves it left nothing behind, not even flushed rows in its own
transaction.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime

import pytest
from flask import Flask
from sqlalchemy import func, select

from participation.errors import DomainError
from participation.extensions import db as db_
from participation.models import (
    Category,
    Centre,
    Comment,
    Membership,
    Notification,
    PaperTally,
    ParticipationEvent,
    Proposal,
    ProposalStatus,
    Report,
    Role,
    StatusChange,
    Support,
    User,
)
from participation.proposals.service import ensure_default_categories

S = ProposalStatus
# Statuses a proposal only reaches after having been published.
AFTER_PUBLISHING = frozenset({S.PUBLISHED, S.HIDDEN, S.UNDER_REVIEW, S.ACCEPTED, S.DECLINED,
                              S.IN_PROGRESS, S.COMPLETED})
# Every table a proposal service may write to.
WRITTEN_TABLES = (Proposal, StatusChange, ParticipationEvent, Notification, Support, PaperTally,
                  Comment, Report, Category)
TITLE = "Ławki na skwerze"
BODY = "Prosimy o trzy ławki przy placu zabaw na Grochowie."
_numbers = itertools.count(1)


@dataclass(frozen=True)
class Scene:
    """Ids of the `world` fixture's people and centres, plus a category of each centre."""

    a: int
    b: int
    resident: int
    animator: int
    resident_b: int
    animator_b: int
    admin: int
    outsider: int
    category: int
    category_b: int


@pytest.fixture(name="scene")
def scene_fixture(app: Flask, world) -> Scene:
    with app.app_context():
        categories = []
        for key in ("a", "b"):
            centre = db_.session.get(Centre, world[key].id)
            ensure_default_categories(centre)
            categories.append(db_.session.scalar(
                select(Category.id).where(Category.centre_id == centre.id)
                .order_by(Category.position)))
        db_.session.commit()
    return Scene(
        a=world["a"].id, b=world["b"].id,
        resident=world["resident_a"].id, animator=world["animator_a"].id,
        resident_b=world["resident_b"].id, animator_b=world["animator_b"].id,
        admin=world["admin"].id, outsider=world["outsider"].id,
        category=categories[0], category_b=categories[1],
    )


# --- Running services -----------------------------------------------------------------------


@contextmanager
def unit_of_work(app: Flask) -> Iterator[None]:
    """What a request does around a service call: commit at the end, roll back on error."""
    with app.app_context():
        try:
            yield
        except BaseException:
            db_.session.rollback()
            raise
        db_.session.commit()


def user(user_id: int) -> User:
    return db_.session.get(User, user_id)


def proposal(proposal_id: int) -> Proposal:
    return db_.session.get(Proposal, proposal_id)


def centre(centre_id: int) -> Centre:
    return db_.session.get(Centre, centre_id)


def row_counts() -> dict[str, int]:
    """Rows per table as the current transaction sees them (pending objects are flushed)."""
    return {model.__tablename__: db_.session.scalar(select(func.count()).select_from(model))
            for model in WRITTEN_TABLES}


def _state() -> tuple:
    """What a failed call could have changed in place: statuses, hidden flags, answers."""
    return (
        sorted(db_.session.execute(select(Proposal.id, Proposal.status, Proposal.title,
                                          Proposal.official_answer)).all()),
        sorted(db_.session.execute(select(Comment.id, Comment.hidden)).all()),
        sorted(db_.session.execute(select(Category.id, Category.name, Category.archived)).all()),
    )


def refused(app: Flask, error: type[DomainError], action: Callable[[], object]) -> DomainError:
    """Run ``action`` in a fresh app context; it must raise ``error`` having written nothing.

    The rows are counted inside the failing transaction itself, before the rollback the request
    edge would do, so a service that flushed half an act and then raised is caught too.
    """
    with app.app_context():
        before, state_before = row_counts(), _state()
        with pytest.raises(error) as caught:
            action()
        after, state_after = row_counts(), _state()
        db_.session.rollback()
    assert after == before, "the refused call wrote rows"
    assert state_after == state_before, "the refused call changed rows"
    assert isinstance(caught.value.message, str) and caught.value.message.strip()
    return caught.value


# --- Arranging rows directly ----------------------------------------------------------------


def add_members(app: Flask, centre_id: int, count: int, *, role: Role = Role.RESIDENT,
                verified: bool = False) -> list[int]:
    """``count`` new people who belong to the centre, in one transaction; their ids."""
    with app.app_context():
        users = []
        for _ in range(count):
            number = next(_numbers)
            users.append(User(display_name=f"Member {number}",
                              email=f"member{number}@example.org"))
        db_.session.add_all(users)
        db_.session.flush()
        db_.session.add_all(Membership(user_id=u.id, centre_id=centre_id, role=role,
                                       verified=verified) for u in users)
        db_.session.commit()
        return [u.id for u in users]


def make_proposal(app: Flask, scene: Scene, status: ProposalStatus = S.PUBLISHED, *,
                  author: int | None = None, centre_id: int | None = None,
                  category: int | None = None, title: str = TITLE) -> int:
    """A proposal put straight into ``status`` (no history): the setup for a service call."""
    centre_id = centre_id or scene.a
    if category is None:
        category = scene.category if centre_id == scene.a else scene.category_b
    with app.app_context():
        row = Proposal(centre_id=centre_id, author_id=author or scene.resident,
                       category_id=category, title=title, body=BODY, status=status,
                       published_at=datetime.now(UTC) if status in AFTER_PUBLISHING else None)
        db_.session.add(row)
        db_.session.commit()
        return row.id


def set_centre(app: Flask, centre_id: int, **fields) -> None:
    with app.app_context():
        row = db_.session.get(Centre, centre_id)
        for name, value in fields.items():
            setattr(row, name, value)
        db_.session.commit()


def status_of(app: Flask, proposal_id: int) -> ProposalStatus:
    with app.app_context():
        return db_.session.scalar(select(Proposal.status).where(Proposal.id == proposal_id))
