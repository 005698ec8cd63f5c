"""People: accounts, their language and optional age bracket."""

from __future__ import annotations

import enum
import secrets
from datetime import date, datetime
from typing import TYPE_CHECKING

from flask_babel import gettext
from flask_login import UserMixin
from sqlalchemy import Boolean, Date, ForeignKey, String, text
from sqlalchemy.ext.hybrid import hybrid_property
from sqlalchemy.orm import Mapped, mapped_column, relationship
from werkzeug.security import check_password_hash, generate_password_hash

from ..extensions import db
from .base import UTCDateTime, str_enum, utcnow

if TYPE_CHECKING:
    from .centres import Membership


class AgeBracket(enum.StrEnum):
    """Coarse age groups: enough for the centre's reports, never a birth date."""

    UNDER_16 = "under_16"
    FROM_16_TO_24 = "16_24"
    FROM_25_TO_34 = "25_34"
    FROM_35_TO_49 = "35_49"
    FROM_50_TO_64 = "50_64"
    FROM_65_TO_74 = "65_74"
    FROM_75 = "75_plus"


class EmailFrequency(enum.StrEnum):
    """How a person wants their notifications by e-mail (they always see them in the app)."""

    IMMEDIATELY = "immediately"
    DAILY = "daily"  # one digest a day with everything since the last one
    NEVER = "never"


def new_session_token() -> str:
    return secrets.token_urlsafe(24)


class User(UserMixin, db.Model):
    """A person with an account. E-mail is optional: access-card residents have none."""

    __tablename__ = "user_account"

    id: Mapped[int] = mapped_column(primary_key=True)
    # Read and written through ``display_name`` below, which hides the name once erased.
    _display_name: Mapped[str] = mapped_column("display_name", String(80))
    email: Mapped[str | None] = mapped_column(String(254), unique=True)
    password_hash: Mapped[str | None] = mapped_column(String(256))
    locale: Mapped[str | None] = mapped_column(String(8))
    age_bracket: Mapped[AgeBracket | None] = mapped_column(str_enum(AgeBracket, "age_bracket"))
    is_admin: Mapped[bool] = mapped_column(Boolean, default=False, server_default=text("false"))
    # Part of the login cookie: replacing it signs the person out everywhere (password change).
    session_token: Mapped[str] = mapped_column(String(64), default=new_session_token, unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    email_frequency: Mapped[EmailFrequency] = mapped_column(
        str_enum(EmailFrequency, "email_frequency"), default=EmailFrequency.IMMEDIATELY,
        server_default=EmailFrequency.IMMEDIATELY.value,
    )
    # The local day of the last daily digest: at most one digest per person per day.
    last_digest_on: Mapped[date | None] = mapped_column(Date)
    # A resident without e-mail, registered at the desk: the animator who did it, and when
    # the animator noted the resident's consent (signed on paper at the centre).
    registered_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )
    consent_noted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Set by "Delete my account": the row stays (supports, sign-ups and the events keep
    # counting) but holds nothing that names the person.
    erased_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)

    memberships: Mapped[list[Membership]] = relationship(
        back_populates="user", cascade="all, delete-orphan"
    )

    @hybrid_property
    def display_name(self) -> str:
        """The name to show; an erased account shows "Former resident" in the reader's language.

        In queries (``User.display_name``) it is the stored column."""
        if self.erased_at is not None:
            return gettext("Former resident")
        return self._display_name

    @display_name.inplace.setter
    def _display_name_setter(self, value: str) -> None:
        self._display_name = value

    @display_name.inplace.expression
    @classmethod
    def _display_name_expression(cls):
        return cls._display_name

    @property
    def is_erased(self) -> bool:
        return self.erased_at is not None

    @property
    def has_card_only(self) -> bool:
        """No e-mail: signs in with an access card (and PIN), or acts through an animator."""
        return self.email is None

    def get_id(self) -> str:
        """Flask-Login stores this in the session and remember cookie instead of the row id."""
        return self.session_token

    def set_password(self, password: str) -> None:
        self.password_hash = generate_password_hash(password)

    def check_password(self, password: str) -> bool:
        return self.password_hash is not None and check_password_hash(self.password_hash, password)

    def rotate_session_token(self) -> None:
        self.session_token = new_session_token()

    def __repr__(self) -> str:
        return f"<User {self.id} {self.display_name!r}>"
