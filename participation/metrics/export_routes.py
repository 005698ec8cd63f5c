"""Downloads of the figures (CSV) and of the pseudonymous raw events (CSV, JSON Lines)."""

from __future__ import annotations

from flask import Blueprint

from ..centres.routes import load_centre

bp = Blueprint("metrics_export", __name__)
bp.url_value_preprocessor(load_centre)
