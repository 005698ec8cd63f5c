"""Access for residents without e-mail: printed access cards, and event kiosks."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, Integer, String, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .accounts import User
from .activities import Activity
from .base import UTCDateTime, utcnow
from .centres import Centre
from .proposals import Proposal


class AccessCard(db.Model):
    """A printed card: the centre, the name, a QR code and a short code.

    Only a hash of the code is stored, so the card can be printed only when it is issued;
    reissuing revokes the old card and prints a new one. The code signs its holder in once
    (``signed_in_at``); after that it names the card at a kiosk or for sign-in with a PIN.
    """

    __tablename__ = "access_card"
    __table_args__ = (
        # One card in force per person: reissuing revokes the previous one first.
        Index("ux_access_card_user_active", "user_id", unique=True,
              sqlite_where=text("revoked_at IS NULL"),
              postgresql_where=text("revoked_at IS NULL")),
        CheckConstraint("failed_attempts >= 0", name="failed_attempts_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(
        ForeignKey("user_account.id", ondelete="CASCADE"), index=True
    )
    centre_id: Mapped[int] = mapped_column(ForeignKey("centre.id", ondelete="CASCADE"), index=True)
    # SHA-256 of the normalised short code (see participation.cards.codes).
    code_hash: Mapped[str] = mapped_column(String(64), unique=True)
    issued_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    issued_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )
    # The one-time sign-in link was used at this time; None while it still works.
    signed_in_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Wrong PINs in a row; at the limit the card is locked until ``locked_until``.
    failed_attempts: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime)

    user: Mapped[User] = relationship(foreign_keys=[user_id])
    centre: Mapped[Centre] = relationship()
    issued_by: Mapped[User | None] = relationship(foreign_keys=[issued_by_id])

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None


class Kiosk(db.Model):
    """A tablet at an event, opened by an animator for one activity or one proposal.

    The tablet holds only the kiosk's token (its hash is stored here), never an animator's
    session: people at the event can check in or support by typing their card's code, and
    can reach nothing else.
    """

    __tablename__ = "kiosk"
    __table_args__ = (
        CheckConstraint("(activity_id IS NULL) <> (proposal_id IS NULL)", name="one_subject"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    centre_id: Mapped[int] = mapped_column(ForeignKey("centre.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    activity_id: Mapped[int | None] = mapped_column(
        ForeignKey("activity.id", ondelete="CASCADE"), index=True
    )
    proposal_id: Mapped[int | None] = mapped_column(
        ForeignKey("proposal.id", ondelete="CASCADE"), index=True
    )
    opened_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )
    opened_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    centre: Mapped[Centre] = relationship()
    activity: Mapped[Activity | None] = relationship()
    proposal: Mapped[Proposal | None] = relationship()
    opened_by: Mapped[User | None] = relationship()
