"""Proposals of local initiatives, their supports, comments, reports and status history."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .base import UTCDateTime, str_enum, utcnow

if TYPE_CHECKING:
    from .accounts import User
    from .centres import Centre


class ProposalStatus(enum.StrEnum):
    SUBMITTED = "submitted"
    PUBLISHED = "published"
    REJECTED = "rejected"
    WITHDRAWN = "withdrawn"
    HIDDEN = "hidden"
    UNDER_REVIEW = "under_review"
    ACCEPTED = "accepted"
    DECLINED = "declined"
    IN_PROGRESS = "in_progress"
    COMPLETED = "completed"


S = ProposalStatus

# The status machine (DESIGN.md), plus withdrawing a proposal that still awaits moderation.
TRANSITIONS: dict[ProposalStatus, frozenset[ProposalStatus]] = {
    S.SUBMITTED: frozenset({S.PUBLISHED, S.REJECTED, S.WITHDRAWN}),
    S.PUBLISHED: frozenset({S.WITHDRAWN, S.HIDDEN, S.UNDER_REVIEW}),
    S.HIDDEN: frozenset({S.PUBLISHED}),
    S.UNDER_REVIEW: frozenset({S.ACCEPTED, S.DECLINED}),
    S.ACCEPTED: frozenset({S.IN_PROGRESS}),
    S.IN_PROGRESS: frozenset({S.COMPLETED}),
    S.REJECTED: frozenset(),
    S.WITHDRAWN: frozenset(),
    S.DECLINED: frozenset(),
    S.COMPLETED: frozenset(),
}
# Moves only the author makes; every other move is the animators'.
AUTHOR_TRANSITIONS = frozenset({(S.SUBMITTED, S.WITHDRAWN), (S.PUBLISHED, S.WITHDRAWN)})
# Statuses anyone may see; the rest only the author and the centre's animators.
PUBLIC_STATUSES = frozenset(
    {S.PUBLISHED, S.UNDER_REVIEW, S.ACCEPTED, S.DECLINED, S.IN_PROGRESS, S.COMPLETED}
)
# Statuses in which members may support (and withdraw support) while voting is open.
SUPPORTABLE_STATUSES = frozenset({S.PUBLISHED, S.UNDER_REVIEW})
# Steps of the history shown on the public timeline; moderation steps stay in the log.
PUBLIC_HISTORY = PUBLIC_STATUSES | {S.WITHDRAWN}


class SupportChannel(enum.StrEnum):
    ONLINE = "online"
    ASSISTED = "assisted"
    PAPER = "paper"


class ReportReason(enum.StrEnum):
    SPAM = "spam"
    OFFENSIVE = "offensive"
    PERSONAL_DATA = "personal_data"
    OTHER = "other"


class ReportTarget(enum.StrEnum):
    PROPOSAL = "proposal"
    COMMENT = "comment"


class Category(db.Model):
    """A centre's own list of proposal categories. Defaults carry a key and are translated."""

    __tablename__ = "category"
    __table_args__ = (UniqueConstraint("centre_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    centre_id: Mapped[int] = mapped_column(ForeignKey("centre.id", ondelete="CASCADE"), index=True)
    key: Mapped[str | None] = mapped_column(String(40))
    name: Mapped[str] = mapped_column(String(60))
    position: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    archived: Mapped[bool] = mapped_column(Boolean, default=False, server_default=text("false"))


class Proposal(db.Model):
    """A local initiative a member proposes to the centre."""

    __tablename__ = "proposal"
    __table_args__ = (Index("ix_proposal_centre_status", "centre_id", "status"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    centre_id: Mapped[int] = mapped_column(ForeignKey("centre.id", ondelete="CASCADE"), index=True)
    author_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL"), index=True
    )
    category_id: Mapped[int] = mapped_column(ForeignKey("category.id"), index=True)
    title: Mapped[str] = mapped_column(String(120))
    body: Mapped[str] = mapped_column(Text)
    place: Mapped[str] = mapped_column(String(200), default="", server_default="")
    status: Mapped[ProposalStatus] = mapped_column(
        str_enum(ProposalStatus, "proposal_status"), default=S.SUBMITTED
    )
    official_answer: Mapped[str] = mapped_column(Text, default="", server_default="")
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    answered_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # ``assisted``: an animator entered it for the author (who has no phone, or asked).
    channel: Mapped[SupportChannel] = mapped_column(
        str_enum(SupportChannel, "proposal_channel"), default=SupportChannel.ONLINE,
        server_default=SupportChannel.ONLINE.value,
    )
    recorded_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )

    author: Mapped[User | None] = relationship(foreign_keys=[author_id])
    recorded_by: Mapped[User | None] = relationship(foreign_keys=[recorded_by_id])
    category: Mapped[Category] = relationship()
    centre: Mapped[Centre] = relationship()

    def can_move_to(self, target: ProposalStatus) -> bool:
        return target in TRANSITIONS[self.status]

    @property
    def is_public(self) -> bool:
        """Public statuses, and a withdrawal of something that had been public."""
        return self.status in PUBLIC_STATUSES or (
            self.status is S.WITHDRAWN and self.published_at is not None
        )


class StatusChange(db.Model):
    """One step of a proposal's history: the audit trail of moderation and answers."""

    __tablename__ = "status_change"

    id: Mapped[int] = mapped_column(primary_key=True)
    proposal_id: Mapped[int] = mapped_column(
        ForeignKey("proposal.id", ondelete="CASCADE"), index=True
    )
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    from_status: Mapped[ProposalStatus | None] = mapped_column(
        str_enum(ProposalStatus, "status_change_from")
    )
    to_status: Mapped[ProposalStatus] = mapped_column(str_enum(ProposalStatus, "status_change_to"))
    reason: Mapped[str] = mapped_column(Text, default="", server_default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    actor: Mapped[User | None] = relationship()


class Support(db.Model):
    """One member's support of one proposal, given online or entered by an animator."""

    __tablename__ = "support"
    __table_args__ = (UniqueConstraint("proposal_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    proposal_id: Mapped[int] = mapped_column(
        ForeignKey("proposal.id", ondelete="CASCADE"), index=True
    )
    user_id: Mapped[int] = mapped_column(
        ForeignKey("user_account.id", ondelete="CASCADE"), index=True
    )
    channel: Mapped[SupportChannel] = mapped_column(
        str_enum(SupportChannel, "support_channel"), default=SupportChannel.ONLINE
    )
    recorded_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class PaperTally(db.Model):
    """Paper votes counted at an event. Corrections are counter-entries (negative counts)."""

    __tablename__ = "paper_tally"
    __table_args__ = (CheckConstraint("votes <> 0", name="votes_not_zero"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    proposal_id: Mapped[int] = mapped_column(
        ForeignKey("proposal.id", ondelete="CASCADE"), index=True
    )
    votes: Mapped[int] = mapped_column(Integer)
    note: Mapped[str] = mapped_column(String(500))
    recorded_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    recorded_by: Mapped[User | None] = relationship()


class Comment(db.Model):
    __tablename__ = "comment"

    id: Mapped[int] = mapped_column(primary_key=True)
    proposal_id: Mapped[int] = mapped_column(
        ForeignKey("proposal.id", ondelete="CASCADE"), index=True
    )
    author_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )
    body: Mapped[str] = mapped_column(Text)
    hidden: Mapped[bool] = mapped_column(Boolean, default=False, server_default=text("false"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    author: Mapped[User | None] = relationship()


class Report(db.Model):
    """Someone flags a proposal or comment; enough distinct reports hide it pending review."""

    __tablename__ = "report"
    __table_args__ = (UniqueConstraint("reporter_id", "target_type", "target_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    centre_id: Mapped[int] = mapped_column(ForeignKey("centre.id", ondelete="CASCADE"), index=True)
    reporter_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )
    target_type: Mapped[ReportTarget] = mapped_column(str_enum(ReportTarget, "report_target"))
    target_id: Mapped[int] = mapped_column(Integer)
    # The proposal concerned, also for a comment: links the report to its page.
    proposal_id: Mapped[int] = mapped_column(ForeignKey("proposal.id", ondelete="CASCADE"))
    reason: Mapped[ReportReason] = mapped_column(str_enum(ReportReason, "report_reason"))
    details: Mapped[str] = mapped_column(String(1000), default="", server_default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    resolved_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )
    # True: the content stays hidden (removed); False: it was fine and is shown again.
    upheld: Mapped[bool | None] = mapped_column(Boolean)

    proposal: Mapped[Proposal] = relationship()
