"""In-app notifications: what happened that concerns a person."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import ForeignKey, Index, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .accounts import User
from .activities import Activity
from .base import UTCDateTime, str_enum, utcnow
from .proposals import Proposal


class NotificationKind(enum.StrEnum):
    PROPOSAL_STATUS = "proposal_status"  # the author's proposal moved (published, rejected…)
    PROPOSAL_ANSWERED = "proposal_answered"  # the author's proposal got an official answer
    THRESHOLD_REACHED = "threshold_reached"  # to animators: a proposal has enough supports
    PROPOSAL_SUBMITTED = "proposal_submitted"  # to animators: a proposal awaits moderation
    CONTENT_HIDDEN = "content_hidden"  # to animators: reports hid something
    ACTIVITY_CANCELLED = "activity_cancelled"  # to everyone signed up
    WAITLIST_PROMOTED = "waitlist_promoted"  # a place freed up: the member is now confirmed
    VOLUNTEER_CONFIRMED = "volunteer_confirmed"  # the animator accepted the offer to help
    ACTIVITY_REMINDER = "activity_reminder"  # the day before an activity the member signed up for
    SUPPORTS_REACHED = "supports_reached"  # to the author: their proposal has enough supports
    # To the resident: an animator acted for them (``status`` names the act: proposed,
    # supported, signed_up, cancelled; ``actor`` is the animator).
    ACTED_FOR_YOU = "acted_for_you"


class Notification(db.Model):
    """Rendered in the reader's language when shown: only the kind and the facts are stored."""

    __tablename__ = "notification"
    __table_args__ = (
        Index("ix_notification_user_read", "user_id", "read_at"),
        Index("ix_notification_user_mailed", "user_id", "mailed_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"))
    kind: Mapped[NotificationKind] = mapped_column(str_enum(NotificationKind, "notification_kind"))
    proposal_id: Mapped[int | None] = mapped_column(
        ForeignKey("proposal.id", ondelete="CASCADE")
    )
    activity_id: Mapped[int | None] = mapped_column(
        ForeignKey("activity.id", ondelete="CASCADE"), index=True
    )
    status: Mapped[str | None] = mapped_column(Text)  # the new status, for PROPOSAL_STATUS
    reason: Mapped[str] = mapped_column(Text, default="", server_default="")  # or activity note
    # Who did what the notification tells of, when it is not the reader (an animator).
    actor_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    read_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Sent by e-mail (at once, or in a daily digest); None: not mailed (yet, or never).
    mailed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    user: Mapped[User] = relationship(foreign_keys=[user_id])
    actor: Mapped[User | None] = relationship(foreign_keys=[actor_id])
    proposal: Mapped[Proposal | None] = relationship()
    activity: Mapped[Activity | None] = relationship()
