"""``my_data`` (``/account/data``): download my data, delete my account.
``erasure`` (``/c/<slug>/manage/members``): an animator confirms the erasure of a card-only
resident who asks for it at the desk."""

from __future__ import annotations

from flask import Blueprint

from ..centres.routes import load_centre

bp = Blueprint("my_data", __name__)
manage_bp = Blueprint("erasure", __name__)
manage_bp.url_value_preprocessor(load_centre)
