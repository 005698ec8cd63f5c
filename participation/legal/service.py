"""The legal pages: the accessibility statement and the privacy notice.

Most of both ships with the platform (the templates); what varies is read here: the platform's
operator, contact and dates from the configuration, and each centre's own parts (accessibility
contact, building, communication, data protection officer) from the ``centre`` row, which its
managers edit through ``update_statements``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from flask import current_app
from flask_babel import ngettext
from sqlalchemy import select

from ..centres.service import ensure_manager
from ..errors import Invalid
from ..extensions import db
from ..models import Centre, User

# The columns' limits (participation/models/centres.py); Text columns get a sensible cap so a
# statement stays readable and a pasted book is refused with a message, not stored.
LIMITS = {
    "accessibility_contact_name": 120,
    "accessibility_contact_email": 254,
    "accessibility_contact_phone": 40,
    "building_accessibility": 5000,
    "communication_accessibility": 5000,
    "dpo_contact": 300,
}


@dataclass(frozen=True)
class Platform:
    """Who runs the platform, and whom to contact about its accessibility and privacy."""

    operator: str
    address: str
    contact_name: str
    contact_email: str
    contact_phone: str
    dpo_contact: str
    published_on: date
    updated_on: date
    prepared_on: date

    @property
    def has_contact(self) -> bool:
        return bool(self.contact_name or self.contact_email or self.contact_phone)


def platform() -> Platform:
    """The platform's own details, from the settings (``PLATFORM_*``, ``ACCESSIBILITY_*``)."""
    config = current_app.config
    return Platform(
        operator=config.get("PLATFORM_OPERATOR", ""),
        address=config.get("PLATFORM_ADDRESS", ""),
        contact_name=config.get("PLATFORM_CONTACT_NAME", ""),
        contact_email=config.get("PLATFORM_CONTACT_EMAIL", ""),
        contact_phone=config.get("PLATFORM_CONTACT_PHONE", ""),
        dpo_contact=config.get("PLATFORM_DPO_CONTACT", ""),
        published_on=date.fromisoformat(config["ACCESSIBILITY_PUBLISHED_ON"]),
        updated_on=date.fromisoformat(config["ACCESSIBILITY_UPDATED_ON"]),
        prepared_on=date.fromisoformat(config["ACCESSIBILITY_PREPARED_ON"]),
    )


def centres_for_statements() -> list[Centre]:
    """Every centre, by town and name: the platform's pages link to each centre's own."""
    return list(db.session.scalars(select(Centre).order_by(Centre.city, Centre.name)))


def update_statements(actor: User, centre: Centre, *, accessibility_contact_name: str,
                      accessibility_contact_email: str, accessibility_contact_phone: str,
                      building_accessibility: str, communication_accessibility: str,
                      dpo_contact: str) -> None:
    """Save the centre's own parts of its accessibility statement and privacy notice.

    Only the centre's managers may; every text is trimmed and kept within its column's limit.
    """
    ensure_manager(actor, centre)
    values = {
        "accessibility_contact_name": accessibility_contact_name,
        "accessibility_contact_email": accessibility_contact_email,
        "accessibility_contact_phone": accessibility_contact_phone,
        "building_accessibility": building_accessibility,
        "communication_accessibility": communication_accessibility,
        "dpo_contact": dpo_contact,
    }
    for name, value in values.items():
        value = (value or "").strip()
        if len(value) > LIMITS[name]:
            raise Invalid(ngettext("A text is too long: at most %(num)d character.",
                                   "A text is too long: at most %(num)d characters.",
                                   LIMITS[name]))
        setattr(centre, name, value)
    db.session.flush()
