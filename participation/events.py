"""Writing the participation log: one row per act, in the act's own transaction."""

from __future__ import annotations

import hashlib
import hmac

from flask import current_app

from .extensions import db
from .models import ParticipationEvent, User


def actor_key(user_id: int) -> str:
    """A stable pseudonym for a person: a keyed hash, so the log never holds the user id."""
    key = current_app.config["PSEUDONYM_KEY"].encode()
    return hmac.new(key, f"user:{user_id}".encode(), hashlib.sha256).hexdigest()[:32]


def record_event(
    centre_id: int,
    kind: str,
    subject: db.Model,
    actor: User | None,
    channel: str = "online",
    quantity: int = 1,
) -> ParticipationEvent:
    """Add the event to the current transaction; it commits or rolls back with the act."""
    event = ParticipationEvent(
        centre_id=centre_id,
        kind=kind,
        subject_type=subject.__tablename__,
        subject_id=subject.id,
        actor_key=actor_key(actor.id) if actor is not None else None,
        channel=channel,
        quantity=quantity,
        age_bracket=actor.age_bracket.value if actor is not None and actor.age_bracket else None,
    )
    db.session.add(event)
    return event
