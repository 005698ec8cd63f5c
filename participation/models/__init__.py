"""All tables, one module per domain; importing this package registers every model."""

from .accounts import AgeBracket, EmailFrequency, User
from .activities import (
    MAX_CAPACITY,
    Activity,
    ActivityStatus,
    OutboxMessage,
    Signup,
    SignupChannel,
    SignupStatus,
    VolunteerOffer,
    VolunteerStatus,
)
from .base import UTCDateTime, utcnow
from .cards import AccessCard, Kiosk
from .centres import Centre, Membership, Role
from .metrics import (
    ApiToken,
    DeliveryStatus,
    WebhookAttempt,
    WebhookDelivery,
    WebhookEndpoint,
)
from .notifications import Notification, NotificationKind
from .participation import ParticipationEvent
from .proposals import (
    AUTHOR_TRANSITIONS,
    PUBLIC_HISTORY,
    PUBLIC_STATUSES,
    SUPPORTABLE_STATUSES,
    TRANSITIONS,
    Category,
    Comment,
    PaperTally,
    Proposal,
    ProposalStatus,
    Report,
    ReportReason,
    ReportTarget,
    StatusChange,
    Support,
    SupportChannel,
)

__all__ = [
    "MAX_CAPACITY", "Activity", "ActivityStatus", "OutboxMessage", "Signup", "SignupChannel",
    "SignupStatus", "VolunteerOffer", "VolunteerStatus",
    "AUTHOR_TRANSITIONS", "PUBLIC_HISTORY", "PUBLIC_STATUSES", "SUPPORTABLE_STATUSES",
    "TRANSITIONS", "AccessCard", "AgeBracket", "EmailFrequency", "Kiosk", "ApiToken",
    "DeliveryStatus", "WebhookAttempt",
    "WebhookDelivery", "WebhookEndpoint", "Category", "Centre", "Comment", "Membership",
    "Notification",
    "NotificationKind", "PaperTally", "ParticipationEvent", "Proposal", "ProposalStatus",
    "Report", "ReportReason", "ReportTarget", "Role", "StatusChange", "Support",
    "SupportChannel", "UTCDateTime", "User", "utcnow",
]
