"""All tables, one module per domain; importing this package registers every model."""

from .accounts import AgeBracket, User
from .base import UTCDateTime, utcnow
from .centres import Centre, Membership, Role

__all__ = ["AgeBracket", "Centre", "Membership", "Role", "User", "UTCDateTime", "utcnow"]
