"""Activities a centre runs, who signs up (confirmed or on the waitlist), who helps, who came.

Invariant 2 of DESIGN.md lives here as much as in the service: ``Activity.confirmed_count``
is kept beside the rows under the activity's row lock, and CHECK constraints refuse a count
above the capacity; a waitlist position is unique within its activity.
"""

from __future__ import annotations

import enum
import secrets
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import (
    CheckConstraint,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .base import UTCDateTime, str_enum, utcnow

if TYPE_CHECKING:
    from .accounts import User
    from .centres import Centre
    from .proposals import Category, Proposal

# The largest capacity an animator may set: a neighbourhood event, not a stadium.
MAX_CAPACITY = 10_000


class ActivityStatus(enum.StrEnum):
    DRAFT = "draft"  # only the centre's animators see it
    PUBLISHED = "published"
    CANCELLED = "cancelled"


class SignupStatus(enum.StrEnum):
    CONFIRMED = "confirmed"
    WAITLISTED = "waitlisted"
    CANCELLED = "cancelled"


class SignupChannel(enum.StrEnum):
    ONLINE = "online"  # the member, on their phone or computer
    ASSISTED = "assisted"  # an animator signed the member up
    WALK_IN = "walk_in"  # came without signing up; the animator added them at the door


class VolunteerStatus(enum.StrEnum):
    OFFERED = "offered"
    CONFIRMED = "confirmed"
    DECLINED = "declined"  # the animator did not need them, or they withdrew


def new_ticket_secret() -> str:
    return secrets.token_urlsafe(18)


class Activity(db.Model):
    """Something that happens at a given time: a workshop, a meeting, a neighbours' picnic."""

    __tablename__ = "activity"
    __table_args__ = (
        CheckConstraint("ends_at > starts_at", name="ends_after_start"),
        CheckConstraint(f"capacity IS NULL OR (capacity > 0 AND capacity <= {MAX_CAPACITY})",
                        name="capacity_range"),
        CheckConstraint("confirmed_count >= 0", name="confirmed_count_not_negative"),
        CheckConstraint("capacity IS NULL OR confirmed_count <= capacity",
                        name="confirmed_within_capacity"),
        CheckConstraint("waitlist_issued >= 0", name="waitlist_issued_not_negative"),
        CheckConstraint("guest_count >= 0", name="guest_count_not_negative"),
        CheckConstraint("volunteers_needed >= 0", name="volunteers_needed_not_negative"),
        Index("ix_activity_centre_starts", "centre_id", "starts_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    centre_id: Mapped[int] = mapped_column(ForeignKey("centre.id", ondelete="CASCADE"))
    category_id: Mapped[int | None] = mapped_column(ForeignKey("category.id"), index=True)
    # The proposal this activity realises, if any: the proposal page links here.
    proposal_id: Mapped[int | None] = mapped_column(
        ForeignKey("proposal.id", ondelete="SET NULL"), index=True
    )
    # Activities made together by "repeat weekly" share this key; each is its own activity.
    series_key: Mapped[str | None] = mapped_column(String(32), index=True)
    title: Mapped[str] = mapped_column(String(120))
    description: Mapped[str] = mapped_column(Text, default="", server_default="")
    place: Mapped[str] = mapped_column(String(200), default="", server_default="")
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime)
    signup_deadline: Mapped[datetime | None] = mapped_column(UTCDateTime)
    capacity: Mapped[int | None] = mapped_column(Integer)  # None: as many as come
    status: Mapped[ActivityStatus] = mapped_column(
        str_enum(ActivityStatus, "activity_status"), default=ActivityStatus.DRAFT
    )
    cancel_reason: Mapped[str] = mapped_column(Text, default="", server_default="")
    # Kept by the service under the row lock; the CHECK above is the database's last word.
    confirmed_count: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    # The last waitlist position handed out: positions only grow, so they never repeat.
    waitlist_issued: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    guest_count: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    volunteers_needed: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    created_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    centre: Mapped[Centre] = relationship()
    category: Mapped[Category | None] = relationship()
    proposal: Mapped[Proposal | None] = relationship()

    @property
    def is_full(self) -> bool:
        return self.capacity is not None and self.confirmed_count >= self.capacity

    @property
    def places_left(self) -> int | None:
        return None if self.capacity is None else max(self.capacity - self.confirmed_count, 0)

    def __repr__(self) -> str:
        return f"<Activity {self.id} {self.title!r}>"


class Signup(db.Model):
    """One member's place at one activity. Cancelling and signing up again reuse the row."""

    __tablename__ = "signup"
    __table_args__ = (
        UniqueConstraint("activity_id", "user_id"),
        UniqueConstraint("activity_id", "waitlist_position"),
        CheckConstraint("(status = 'waitlisted') = (waitlist_position IS NOT NULL)",
                        name="position_only_on_waitlist"),
        CheckConstraint("checked_in_at IS NULL OR status = 'confirmed'",
                        name="checked_in_only_confirmed"),
        # Covers the per-activity counts of the figures (who came, how they signed up) and
        # the sign-up ids of a set of activities (``id`` last: PostgreSQL then needs no table
        # lookup; SQLite keeps the row id in every index anyway).
        Index("ix_signup_activity_status", "activity_id", "status", "channel", "checked_in_at",
              "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    activity_id: Mapped[int] = mapped_column(ForeignKey("activity.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(
        ForeignKey("user_account.id", ondelete="CASCADE"), index=True
    )
    status: Mapped[SignupStatus] = mapped_column(str_enum(SignupStatus, "signup_status"))
    waitlist_position: Mapped[int | None] = mapped_column(Integer)
    channel: Mapped[SignupChannel] = mapped_column(
        str_enum(SignupChannel, "signup_channel"), default=SignupChannel.ONLINE
    )
    recorded_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )
    # Part of the signed check-in link: a link stays valid only for this very sign-up.
    ticket_secret: Mapped[str] = mapped_column(String(32), default=new_ticket_secret)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The animator who cancelled the place for the member; None when they cancelled it.
    cancelled_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )
    checked_in_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    checked_in_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )
    reminder_sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    activity: Mapped[Activity] = relationship()
    user: Mapped[User] = relationship(foreign_keys=[user_id])

    def __repr__(self) -> str:
        return f"<Signup {self.id} activity={self.activity_id} user={self.user_id} {self.status}>"


class VolunteerOffer(db.Model):
    """A member offers to help run an activity; the animator confirms and records the hours."""

    __tablename__ = "volunteer_offer"
    __table_args__ = (
        UniqueConstraint("activity_id", "user_id"),
        CheckConstraint("minutes IS NULL OR (minutes >= 0 AND minutes <= 1440)",
                        name="minutes_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    activity_id: Mapped[int] = mapped_column(
        ForeignKey("activity.id", ondelete="CASCADE"), index=True
    )
    user_id: Mapped[int] = mapped_column(
        ForeignKey("user_account.id", ondelete="CASCADE"), index=True
    )
    status: Mapped[VolunteerStatus] = mapped_column(
        str_enum(VolunteerStatus, "volunteer_status"), default=VolunteerStatus.OFFERED
    )
    # Volunteer time in minutes (hours × 60), recorded by an animator after the activity.
    minutes: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    hours_recorded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    hours_recorded_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )

    user: Mapped[User] = relationship(foreign_keys=[user_id])


class OutboxMessage(db.Model):
    """An e-mail waiting to go out. Written in the transaction that decided to send it."""

    __tablename__ = "outbox_message"

    id: Mapped[int] = mapped_column(primary_key=True)
    recipient: Mapped[str] = mapped_column(String(254))
    subject: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    last_error: Mapped[str] = mapped_column(Text, default="", server_default="")
