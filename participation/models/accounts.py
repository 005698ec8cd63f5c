"""People: accounts, their language and optional age bracket."""

from __future__ import annotations

import enum
import secrets
from datetime import datetime
from typing import TYPE_CHECKING

from flask_login import UserMixin
from sqlalchemy import Boolean, String, text
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


def new_session_token() -> str:
    return secrets.token_urlsafe(24)


class User(UserMixin, db.Model):
    """A person with an account. E-mail is optional: access-card residents have none."""

    __tablename__ = "user_account"

    id: Mapped[int] = mapped_column(primary_key=True)
    display_name: Mapped[str] = mapped_column(String(80))
    email: Mapped[str | None] = mapped_column(String(254), unique=True)
    password_hash: Mapped[str | None] = mapped_column(String(256))
    locale: Mapped[str | None] = mapped_column(String(8))
    age_bracket: Mapped[AgeBracket | None] = mapped_column(str_enum(AgeBracket, "age_bracket"))
    is_admin: Mapped[bool] = mapped_column(Boolean, default=False, server_default=text("false"))
    # Part of the login cookie: replacing it signs the person out everywhere (password change).
    session_token: Mapped[str] = mapped_column(String(64), default=new_session_token, unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    memberships: Mapped[list[Membership]] = relationship(
        back_populates="user", cascade="all, delete-orphan"
    )

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
