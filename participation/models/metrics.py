"""What the centre hands on: API tokens for its figures, and the daily webhook with its log."""

from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import (
    CheckConstraint,
    Date,
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


class ApiToken(db.Model):
    """A key that reads one centre's figures through the API. Only its hash is stored: the
    token itself is shown once, when it is made."""

    __tablename__ = "api_token"

    id: Mapped[int] = mapped_column(primary_key=True)
    centre_id: Mapped[int] = mapped_column(ForeignKey("centre.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(80))
    # The first characters of the token, so animators can tell their tokens apart.
    prefix: Mapped[str] = mapped_column(String(16))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL"))

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None


class WebhookEndpoint(db.Model):
    """Where a centre wants its daily figures sent, and the secret that signs them."""

    __tablename__ = "webhook_endpoint"

    id: Mapped[int] = mapped_column(primary_key=True)
    centre_id: Mapped[int] = mapped_column(
        ForeignKey("centre.id", ondelete="CASCADE"), unique=True)
    url: Mapped[str] = mapped_column(String(500))
    # The receiver checks the HMAC-SHA256 signature with it, so it is kept readable.
    secret: Mapped[str] = mapped_column(String(80))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class DeliveryStatus(enum.StrEnum):
    PENDING = "pending"  # not yet sent, or failed and waiting for its next try
    DELIVERED = "delivered"
    FAILED = "failed"  # every try failed; no more tries


class WebhookDelivery(db.Model):
    """One day's figures for one centre. Unique per (centre, day), so a day that was
    delivered is never sent again."""

    __tablename__ = "webhook_delivery"
    __table_args__ = (
        UniqueConstraint("centre_id", "day"),
        CheckConstraint("attempts >= 0", name="attempts_not_negative"),
        Index("ix_webhook_delivery_status_next", "status", "next_attempt_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    centre_id: Mapped[int] = mapped_column(ForeignKey("centre.id", ondelete="CASCADE"))
    day: Mapped[date] = mapped_column(Date)
    status: Mapped[DeliveryStatus] = mapped_column(
        str_enum(DeliveryStatus, "delivery_status"), default=DeliveryStatus.PENDING)
    attempts: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    next_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    delivered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    attempts_log: Mapped[list[WebhookAttempt]] = relationship(
        back_populates="delivery", cascade="all, delete-orphan",
        order_by="WebhookAttempt.attempted_at")


class WebhookAttempt(db.Model):
    """Every try to deliver, with what the receiver answered: the log animators see."""

    __tablename__ = "webhook_attempt"

    id: Mapped[int] = mapped_column(primary_key=True)
    delivery_id: Mapped[int] = mapped_column(
        ForeignKey("webhook_delivery.id", ondelete="CASCADE"), index=True)
    url: Mapped[str] = mapped_column(String(500))
    attempted_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    response_status: Mapped[int | None] = mapped_column(Integer)
    error: Mapped[str] = mapped_column(Text, default="", server_default="")
    succeeded: Mapped[bool] = mapped_column(default=False)

    delivery: Mapped[WebhookDelivery] = relationship(back_populates="attempts_log")
