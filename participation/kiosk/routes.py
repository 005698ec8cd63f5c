"""``manage_kiosk`` (``/c/<slug>/manage/kiosk``): animators open and close kiosks.
``kiosk`` (``/kiosk``): the tablet's screens, reachable only with the kiosk's own token."""

from __future__ import annotations

from flask import Blueprint

from ..centres.routes import load_centre

manage_bp = Blueprint("manage_kiosk", __name__)
manage_bp.url_value_preprocessor(load_centre)
bp = Blueprint("kiosk", __name__)
