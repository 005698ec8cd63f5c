"""Downloads of the figures (CSV) and of the pseudonymous raw events (CSV, JSON Lines).

Registered under ``/c/<slug>/manage/figures/export`` (``metrics_export``), for the centre's
animators and platform admins (anonymous people are sent to sign in, everyone else gets 403).

Every download takes the period picker's GET arguments (``period=month|quarter|year|custom``,
``year``, ``month``, ``quarter``, ``start``, ``end``; see ``forms.PeriodForm``); the CSVs also
``sep=comma|semicolon``, the figures CSV ``header=keys|labels``. What the files hold is
described in ``exports.py``. Bad arguments end on the translated error page (422) before a
single byte is sent; the raw events are then streamed, a chunk of rows at a time.
"""

from __future__ import annotations

from flask import Blueprint, Response, g, request, stream_with_context
from flask_login import current_user, login_required

from ..centres.routes import load_centre
from ..centres.service import ensure_manager
from ..errors import Invalid
from ..models import utcnow
from . import exports
from .forms import PeriodForm, chosen_period
from .periods import Period, local_today

bp = Blueprint("metrics_export", __name__)
bp.url_value_preprocessor(load_centre)

CSV_TYPE = "text/csv; charset=utf-8"
JSONL_TYPE = "application/x-ndjson; charset=utf-8"


@bp.before_request
@login_required
def require_manager():
    """Anonymous people are sent to sign in; everyone but the centre's managers gets 403."""
    ensure_manager(current_user, g.centre)


def _period() -> Period:
    form = PeriodForm(request.args)
    if not form.validate():
        raise Invalid(next(iter(form.errors.values()))[0])
    return chosen_period(form, local_today(g.centre.timezone, utcnow()))


def _sep() -> str:
    return exports.check_choice(request.args.get("sep"), exports.SEPARATORS, "comma", "sep")


def _download(body, mimetype: str, name: str) -> Response:
    # content_type, not mimetype: werkzeug would add a second "; charset=utf-8" to text/csv
    response = Response(body, content_type=mimetype)
    response.headers.set("Content-Disposition", "attachment", filename=name)
    # Figures of people: no shared cache keeps a copy, and the browser does not either.
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.get("/figures.csv")
def figures_csv():
    period = _period()
    sep = _sep()
    header = exports.check_choice(request.args.get("header"), exports.HEADERS, "keys", "header")
    body = exports.figures_csv(g.centre, period, sep=sep, header=header)
    return _download(body, CSV_TYPE, exports.file_name(g.centre, "figures", period, "csv"))


@bp.get("/events.csv")
def events_csv():
    period, sep = _period(), _sep()
    lines = exports.EventExport.of(g.centre, period).csv_lines(sep)
    return _download(stream_with_context(lines), CSV_TYPE,
                     exports.file_name(g.centre, "events", period, "csv"))


@bp.get("/events.jsonl")
def events_jsonl():
    period = _period()
    lines = exports.EventExport.of(g.centre, period).jsonl_lines()
    return _download(stream_with_context(lines), JSONL_TYPE,
                     exports.file_name(g.centre, "events", period, "jsonl"))
