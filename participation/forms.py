"""Small pieces shared by every domain's forms."""

from __future__ import annotations


def strip(value: str | None) -> str | None:
    """WTForms filter: drop the spaces phones and copy-paste leave around typed text."""
    return value.strip() if isinstance(value, str) else value
