"""The animators' screen for API tokens: make one (shown once), see them, revoke one."""

from __future__ import annotations

from flask import Blueprint

from ..centres.routes import load_centre

bp = Blueprint("api_tokens", __name__)
bp.url_value_preprocessor(load_centre)
