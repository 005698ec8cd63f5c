"""The append-only log behind every figure the centre sees."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db
from .base import UTCDateTime, utcnow


class ParticipationEvent(db.Model):
    """One act of participation. Written in the same transaction as the act it records.

    ``actor_key`` is a keyed hash of the person (never the user id), so figures can count
    distinct people without naming them. ``quantity`` is 1 except for tallies (paper votes).
    """

    __tablename__ = "participation_event"
    __table_args__ = (
        Index("ix_participation_event_centre_time", "centre_id", "occurred_at"),
        # Every figure reads one centre's rows of a few kinds (bench/metrics.py times them).
        # All the columns they use are here, so the index answers alone: a year of a busy
        # centre is a range of this index, never a lookup per row in the table.
        Index("ix_participation_event_centre_kind", "centre_id", "kind", "occurred_at",
              "actor_key", "subject_type", "subject_id", "channel", "quantity", "age_bracket"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    centre_id: Mapped[int] = mapped_column(ForeignKey("centre.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(40), index=True)
    subject_type: Mapped[str] = mapped_column(String(20))
    subject_id: Mapped[int] = mapped_column(Integer)
    actor_key: Mapped[str | None] = mapped_column(String(64), index=True)
    channel: Mapped[str] = mapped_column(String(20), default="online")
    quantity: Mapped[int] = mapped_column(Integer, default=1, server_default="1")
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # The person's age bracket as they gave it when they acted (None: not given). With the
    # pseudonymous key it lets figures break down by age without joining to accounts.
    age_bracket: Mapped[str | None] = mapped_column(String(10))
