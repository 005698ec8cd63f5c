"""Centres and who belongs to them."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..config import DEFAULT_TIMEZONE
from ..extensions import db
from .base import UTCDateTime, str_enum, utcnow

if TYPE_CHECKING:
    from .accounts import User


class Role(enum.StrEnum):
    RESIDENT = "resident"
    ANIMATOR = "animator"


class Centre(db.Model):
    """A local-activity centre: the space its residents and animators share."""

    __tablename__ = "centre"
    __table_args__ = (
        CheckConstraint("support_threshold > 0", name="support_threshold_positive"),
        CheckConstraint("report_threshold > 0", name="report_threshold_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(60), unique=True)
    name: Mapped[str] = mapped_column(String(160))
    operator: Mapped[str] = mapped_column(String(200), default="", server_default="")
    city: Mapped[str] = mapped_column(String(80), index=True)
    district: Mapped[str] = mapped_column(String(80), default="", server_default="")
    address: Mapped[str] = mapped_column(String(200), default="", server_default="")
    description: Mapped[str] = mapped_column(Text, default="", server_default="")
    contact_email: Mapped[str] = mapped_column(String(254), default="", server_default="")
    contact_phone: Mapped[str] = mapped_column(String(40), default="", server_default="")
    timezone: Mapped[str] = mapped_column(
        String(64), default=DEFAULT_TIMEZONE, server_default=DEFAULT_TIMEZONE
    )
    # Participation settings; the proposals issue gives them their screens and rules.
    proposals_need_approval: Mapped[bool] = mapped_column(
        Boolean, default=True, server_default=text("true")
    )
    support_threshold: Mapped[int] = mapped_column(Integer, default=15, server_default="15")
    only_verified_support: Mapped[bool] = mapped_column(
        Boolean, default=False, server_default=text("false")
    )
    # Supports are accepted only inside this window, when one is set.
    voting_opens_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    voting_closes_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # This many distinct reports hide a proposal or comment until an animator reviews it.
    report_threshold: Mapped[int] = mapped_column(Integer, default=3, server_default="3")
    # The centre's own parts of the accessibility statement and the privacy notice; the
    # rest of both ships with the platform.
    accessibility_contact_name: Mapped[str] = mapped_column(
        String(120), default="", server_default="")
    accessibility_contact_email: Mapped[str] = mapped_column(
        String(254), default="", server_default="")
    accessibility_contact_phone: Mapped[str] = mapped_column(
        String(40), default="", server_default="")
    building_accessibility: Mapped[str] = mapped_column(Text, default="", server_default="")
    communication_accessibility: Mapped[str] = mapped_column(Text, default="", server_default="")
    # The data controller is the operator above; its data protection officer's contact.
    dpo_contact: Mapped[str] = mapped_column(String(300), default="", server_default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    memberships: Mapped[list[Membership]] = relationship(
        back_populates="centre", cascade="all, delete-orphan"
    )

    def __repr__(self) -> str:
        return f"<Centre {self.slug}>"


class Membership(db.Model):
    """A person's place in a centre: resident or animator, verified in person or not."""

    __tablename__ = "membership"
    __table_args__ = (UniqueConstraint("user_id", "centre_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(
        ForeignKey("user_account.id", ondelete="CASCADE"), index=True
    )
    centre_id: Mapped[int] = mapped_column(ForeignKey("centre.id", ondelete="CASCADE"), index=True)
    role: Mapped[Role] = mapped_column(str_enum(Role, "membership_role"), default=Role.RESIDENT)
    verified: Mapped[bool] = mapped_column(Boolean, default=False, server_default=text("false"))
    joined_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    user: Mapped[User] = relationship(back_populates="memberships")
    centre: Mapped[Centre] = relationship(back_populates="memberships")

    @property
    def is_animator(self) -> bool:
        return self.role is Role.ANIMATOR

    def __repr__(self) -> str:
        return f"<Membership user={self.user_id} centre={self.centre_id} {self.role}>"
