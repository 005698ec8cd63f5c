"""``members`` (``/c/<slug>/manage/members``): find a member by name or card code and act for
them. ``my_history`` (``/account/history``): a person's own acts, including those entered
for them."""

from __future__ import annotations

from flask import Blueprint

from ..centres.routes import load_centre

bp = Blueprint("members", __name__)
bp.url_value_preprocessor(load_centre)
my_bp = Blueprint("my_history", __name__)
