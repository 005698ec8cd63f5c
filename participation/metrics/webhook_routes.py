"""The animators' screen for the daily webhook: its address, its secret, its delivery log."""

from __future__ import annotations

from flask import Blueprint

from ..centres.routes import load_centre

bp = Blueprint("webhook", __name__)
bp.url_value_preprocessor(load_centre)
