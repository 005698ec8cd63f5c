"""The animators' activity screens: create and edit (also weekly series), publish, cancel,
the attendee list at the door, walk-ins and guests, signing members up, check-in links from
tickets, and volunteers' hours.

Registered under ``/c/<slug>/manage/activities`` (``manage_activities``). Every view needs a
signed-in manager of ``g.centre``; the services check the same again.
"""

from __future__ import annotations

from flask import Blueprint, g
from flask_login import current_user, login_required

from ..centres.routes import load_centre
from . import service

bp = Blueprint("manage_activities", __name__)
bp.url_value_preprocessor(load_centre)


@bp.before_request
@login_required
def require_manager():
    """Anonymous people are sent to sign in; everyone but the centre's managers gets 403."""
    service.ensure_manager(current_user, g.centre)
