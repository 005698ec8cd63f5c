"""``legal`` (``/c/<slug>``): a centre's accessibility statement and privacy notice.
``manage_legal`` (``/c/<slug>/manage/statements``): the centre edits its own parts of both."""

from __future__ import annotations

from flask import Blueprint

from ..centres.routes import load_centre

bp = Blueprint("legal", __name__)
bp.url_value_preprocessor(load_centre)
manage_bp = Blueprint("manage_legal", __name__)
manage_bp.url_value_preprocessor(load_centre)
