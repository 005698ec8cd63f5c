"""``/api/v1``: the centre's figures as JSON, for a bearer token of that centre."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("api", __name__)
