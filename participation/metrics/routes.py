"""The dashboard and the annual report (``metrics``), and the admin's side-by-side view."""

from __future__ import annotations

from flask import Blueprint

from ..centres.routes import load_centre

bp = Blueprint("metrics", __name__)
bp.url_value_preprocessor(load_centre)
admin_bp = Blueprint("admin_figures", __name__)
