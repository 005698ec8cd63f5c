"""Access cards. ``cards`` (``/account/card``): signing in with a card, setting a PIN.
``manage_cards`` (``/c/<slug>/manage/cards``): animators register residents and issue cards."""

from __future__ import annotations

from flask import Blueprint

from ..centres.routes import load_centre

bp = Blueprint("cards", __name__)
manage_bp = Blueprint("manage_cards", __name__)
manage_bp.url_value_preprocessor(load_centre)
