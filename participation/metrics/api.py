"""``/api/v1``: the centre's figures as JSON, for a bearer token of that centre.

``GET /api/v1/centres/<slug>/metrics?from=YYYY-MM-DD&to=YYYY-MM-DD&granularity=month``

* ``from``, ``to``: local days in the centre's time zone, both included. ``from`` defaults to
  the first day of the current month there, ``to`` to its last day: no parameters give the
  current month, ``from`` alone gives "from then to the end of this month". At most five years.
* ``granularity``: ``day``, ``month`` (default), ``quarter`` or ``year``; the range is cut into
  such parts (the first and last may be partial), at most 120 of them.

The answer holds the figures of each part and of the whole range, exactly as
``service.figures_for(...).public()`` gives them (counts of 1-4 people as ``"<5"``), so the
API, the CSV export and the dashboard agree.

Authentication is ``Authorization: Bearer <token>`` only; the session cookie is never read for
access. Every route is GET, so CSRF protection has nothing to guard and no exemption is needed.

Status codes, always with a JSON body ``{"error": "<message in the request's language>"}``:

* 401 (with ``WWW-Authenticate: Bearer``): no token, a malformed header, an unknown or a
  revoked token;
* 403: a valid token, but the slug is not its centre. An unknown slug is also 403, not 404,
  so a token cannot probe which centres exist;
* 400: bad parameters; 404: no such API address; 429: too many requests
  (``RATELIMIT_API`` per token, ``RATELIMIT_API_IP`` per address). A method other than GET
  is refused by the router (405) before the blueprint sees the request.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from flask import Blueprint, current_app, jsonify, request
from flask_babel import gettext as _
from flask_limiter.util import get_remote_address
from werkzeug.exceptions import NotFound

from ..errors import ERROR_TEXTS, DomainError, NotAllowed, json_error
from ..extensions import db, limiter
from ..models import Centre, utcnow
from . import tokens
from .periods import GRANULARITIES, Period, custom_period, local_today, month_period
from .service import SUPPRESSED, figures_for

bp = Blueprint("api", __name__)

DEFAULT_RATE = "60 per minute"
DEFAULT_IP_RATE = "300 per minute"
SMALL_CELL_RULE = f'cells of 1-4 people are shown as "{SUPPRESSED}"'
ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


class BadRequest(DomainError):
    """A parameter the API cannot use (400)."""

    status = 400


# --- Errors as JSON --------------------------------------------------------------------------


@bp.errorhandler(DomainError)
def domain_error(error: DomainError):
    db.session.rollback()
    headers = {}
    if isinstance(error, tokens.NotAuthenticated):
        challenge = 'Bearer realm="api"'
        if error.error:
            challenge += f', error="{error.error}"'
        headers["WWW-Authenticate"] = challenge
    return json_error(error.status, error.message, headers)


# Rate limits (429) and any other HTTP error under /api/ are answered in JSON by the app's
# handler (participation.errors), which also sees the errors raised while routing.
@bp.errorhandler(500)
def server_error(_error):
    db.session.rollback()
    return json_error(500, str(ERROR_TEXTS[500][1]))


# --- Rate limits -----------------------------------------------------------------------------


def _token_key() -> str:
    """One bucket per token sent (by its hash, never the token itself); the address when
    no token was sent."""
    header = request.headers.get("Authorization", "")
    if not header:
        return "ip:" + get_remote_address()
    return "token:" + tokens.hash_token(header)[:32]


def _rate() -> str:
    return current_app.config.get("RATELIMIT_API", DEFAULT_RATE)


def _ip_rate() -> str:
    return current_app.config.get("RATELIMIT_API_IP", DEFAULT_IP_RATE)


# --- Parameters ------------------------------------------------------------------------------


def _date_arg(name: str) -> date | None:
    value = request.args.get(name, "").strip()
    if not value:
        return None
    if not ISO_DATE.fullmatch(value):
        raise BadRequest(_("“%(name)s” must be a date in the form 2026-05-31.", name=name))
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise BadRequest(_("“%(name)s” must be a date in the form 2026-05-31.",
                           name=name)) from None


def requested_range(centre: Centre) -> tuple[Period, str, list[Period]]:
    """The range, the granularity and the parts the query string asks for (400 if bad)."""
    granularity = request.args.get("granularity", "").strip() or "month"
    if granularity not in GRANULARITIES:
        raise BadRequest(_("“granularity” must be one of: %(choices)s.",
                           choices=", ".join(GRANULARITIES)))
    this_month = month_period(local_today(centre.timezone, utcnow()))
    start = _date_arg("from") or this_month.start
    end = _date_arg("to") or this_month.end
    try:
        period = custom_period(start, end)
        parts = period.split(granularity)
    except DomainError as error:  # end before start, too long, too many parts, odd years
        raise BadRequest(error.message) from None
    return period, granularity, parts


# --- The endpoint ----------------------------------------------------------------------------


def _figures(centre: Centre, period: Period) -> dict[str, Any]:
    figures = figures_for(centre, period)
    return {"figures": figures.public(), "ages": figures.public_ages()}


@bp.get("/centres/<slug>/metrics")
@limiter.limit(_rate, key_func=_token_key, scope="api-token")
@limiter.limit(_ip_rate, key_func=get_remote_address, scope="api-ip")
def centre_metrics(slug: str):
    token = tokens.authenticate(request.headers.get("Authorization"))
    centre = db.session.get(Centre, token.centre_id)
    if centre is None or centre.slug != slug:
        # The same answer for another centre and for no centre at all: a token learns
        # nothing about slugs it cannot read.
        raise NotAllowed(_("This token can read only its own centre's figures."))
    period, granularity, parts = requested_range(centre)
    tokens.mark_used(token)
    body = {
        "centre": centre.slug,
        "timezone": centre.timezone,
        "from": period.start.isoformat(),
        "to": period.end.isoformat(),
        "granularity": granularity,
        "small_cell_rule": SMALL_CELL_RULE,
        "periods": [{"from": part.start.isoformat(), "to": part.end.isoformat(),
                     **_figures(centre, part)} for part in parts],
        "total": _figures(centre, period),
    }
    response = jsonify(body)
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.get("/", defaults={"rest": ""})
@bp.get("/<path:rest>")
def not_found(rest: str):
    """Any other address under /api/v1 answers 404 in JSON too, not with the HTML page.

    GET only: the API has no state-changing route at all, so it needs no CSRF exemption.
    Another method on an API address is refused by the router (405) before any view.
    """
    raise NotFound()
