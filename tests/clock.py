"""Replaying a history at chosen times: every ``utcnow()`` in the app returns the frozen time."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime

from participation.models import base


@contextmanager
def frozen_at(moment: datetime) -> Iterator[datetime]:
    """Within the block the app's clock stands at ``moment`` (an aware datetime)."""
    if moment.tzinfo is None:
        raise ValueError("frozen_at needs an aware datetime")
    previous = base.frozen_now
    base.frozen_now = moment.astimezone(UTC)
    try:
        yield base.frozen_now
    finally:
        base.frozen_now = previous
