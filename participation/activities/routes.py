"""Activity views for everyone: the list, an activity's page, signing up, the ticket, the
calendar files, offers of help, and "My activities".

Registered under ``/c/<slug>/activities`` (``activities``) and ``/account/activities``
(``my_activities``). The animators' screens are in ``manage_routes.py``.
"""

from __future__ import annotations

from flask import Blueprint

from ..centres.routes import load_centre

bp = Blueprint("activities", __name__)
bp.url_value_preprocessor(load_centre)

my_bp = Blueprint("my_activities", __name__)
