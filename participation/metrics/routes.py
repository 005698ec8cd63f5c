"""The dashboard and the annual report (``metrics``), and the admin's side-by-side view.

``metrics`` is registered under ``/c/<slug>/manage/figures`` for the centre's animators and
platform admins: the dashboard shows exact figures (their own screen); the annual report is
handed on, so it hides small cells ("<5"). ``admin_figures`` (``/admin/figures``) shows every
centre's main figures, small cells hidden, to platform admins only.

Every view takes the same GET period picker (``PeriodForm``): ``period`` (month, quarter, year,
custom), ``year``, ``month``, ``quarter``, ``start``, ``end``. Input that makes no period shows
the current month instead, says why, and answers 422.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

from babel.dates import get_month_names
from flask import Blueprint, abort, g, render_template, request
from flask_babel import format_date, format_decimal, format_percent, get_locale, ngettext
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from markupsafe import Markup, escape
from sqlalchemy import select
from wtforms.fields.choices import SelectChoice

from ..accounts.forms import AGE_BRACKET_LABELS
from ..centres.routes import load_centre
from ..centres.service import ensure_manager
from ..config import DEFAULT_TIMEZONE
from ..errors import Invalid
from ..extensions import db, htmx
from ..forms import FIRST_YEAR, LAST_YEAR
from ..models import Centre, utcnow
from . import charts, service
from .forms import PeriodForm, chosen_period
from .periods import (
    Period,
    local_today,
    month_period,
    quarter_period,
    trailing_months,
    year_period,
)

bp = Blueprint("metrics", __name__)
bp.url_value_preprocessor(load_centre)
admin_bp = Blueprint("admin_figures", __name__)

GROUPS = (
    ("people", _l("People")),
    ("proposals", _l("Proposals and supports")),
    ("activities", _l("Activities")),
)
# The attendance chart draws at most this many activities (the best attended); a year of a
# busy centre would otherwise make a chart nobody can read.
CHART_LIMIT = 30
TREND_MONTHS = 12
# The admin's side-by-side table: the figures a city compares centres by.
ADMIN_FIGURES = ("active_residents", "new_residents", "returning_residents",
                 "proposals_submitted", "activities_held", "attendance", "attendance_rate",
                 "volunteers", "volunteer_hours", "realised_initiatives")
FIGURES_BY_KEY = {figure.key: figure for figure in service.FIGURES}
NO_DATA = Markup('<span aria-hidden="true">–</span><span class="visually-hidden">{}</span>')


# --- Who may look --------------------------------------------------------------------------


@bp.before_request
@login_required
def require_manager():
    """Anonymous people are sent to sign in; everyone but the centre's managers gets 403."""
    ensure_manager(current_user, g.centre)


@admin_bp.before_request
@login_required
def require_admin():
    """Anonymous people are sent to sign in; signed-in people who are not admins get 403."""
    if not current_user.is_admin:
        abort(403)


# --- Showing numbers -----------------------------------------------------------------------


def figure_value(value: int | float | str | None, unit: str) -> Markup:
    """A figure as shown: numbers in the reader's language, rates in per cent, hours to one
    decimal, "<5" for a hidden small cell, and "–" (read as "no data") for a rate with
    nothing to divide by."""
    if value is None:
        return NO_DATA.format(_("no data"))
    if isinstance(value, str):  # service.SUPPRESSED
        return escape(value)
    if unit == "rate":
        return escape(format_percent(value))
    if unit == "hours":
        return escape(format_decimal(value, format="#,##0.0"))
    return escape(format_decimal(value))


def _signed(value: float, pattern: str) -> str:
    if value == 0:
        return format_decimal(0, format=pattern)
    sign = "+" if value > 0 else "\u2212"  # a real minus sign, read as "minus"
    return sign + format_decimal(abs(value), format=pattern)


def figure_change(value: int | float | None, unit: str) -> Markup:
    """The difference from the previous period, with its sign; rates in percentage points."""
    if value is None:
        return NO_DATA.format(_("no data"))
    if unit == "rate":
        points = round(value * 100)
        signed = _signed(points, "#,##0")
        return Markup('<span aria-hidden="true">{}</span><span class="visually-hidden">{}'
                      "</span>").format(_("%(points)s pp", points=signed),
                                        ngettext("%(points)s percentage point",
                                                 "%(points)s percentage points", abs(points),
                                                 points=signed))
    pattern = "#,##0.0" if unit == "hours" else "#,##0"
    return escape(_signed(round(value, 1) if unit == "hours" else value, pattern))


def _helpers() -> dict[str, Callable[..., Any]]:
    return {"figure_value": figure_value, "figure_change": figure_change,
            "period_args": period_args}


bp.context_processor(_helpers)
admin_bp.context_processor(_helpers)


# --- The period picker ---------------------------------------------------------------------


def period_args(period: Period) -> dict[str, str | int]:
    """The picker's query arguments for a period: links to it, its exports, its neighbours."""
    if period.kind == "month":
        return {"period": "month", "year": period.start.year, "month": period.start.month}
    if period.kind == "quarter":
        return {"period": "quarter", "year": period.start.year,
                "quarter": (period.start.month - 1) // 3 + 1}
    if period.kind == "year":
        return {"period": "year", "year": period.start.year}
    return {"period": "custom", "start": period.start.isoformat(),
            "end": period.end.isoformat()}


def _period_form() -> PeriodForm:
    form = PeriodForm(request.args)
    names = get_month_names("wide", "stand-alone", locale=get_locale())
    form.month.choices = [SelectChoice(number, names[number]) for number in range(1, 13)]
    form.quarter.choices = [SelectChoice(number, _("Quarter %(number)d", number=number))
                            for number in range(1, 5)]
    return form


def _chosen(form: PeriodForm, today: date) -> tuple[Period, bool]:
    """The period asked for, or this month and False when the input makes no period (the
    form then carries the reason, and keeps what was typed so it can be corrected)."""
    if form.validate():
        try:
            period = chosen_period(form, today)
        except Invalid as error:
            form.form_errors.append(error.message)
        else:
            _show_in(form, period)
            return period, True
    for field in (form.start, form.end):
        if field.errors:  # a date input cannot hold "31.12.2025": empty it, the message stays
            field.raw_data = []
    return month_period(today), False


def _show_in(form: PeriodForm, period: Period) -> None:
    """The picker shows the period on screen, also where the request left fields empty
    ("the current one"); its own dates are filled in, ready to be changed."""
    form.period.data = period.kind
    form.year.data = period.start.year
    form.month.data = period.start.month
    form.quarter.data = (period.start.month - 1) // 3 + 1
    form.start.data, form.end.data = period.start, period.end
    for field in (form.year, form.start, form.end):
        field.raw_data = []  # shown from ``data``, not from what the request sent


def _previous(period: Period) -> Period | None:
    """The period before; None before the first year the app accepts."""
    try:
        return period.previous()
    except Invalid:
        return None


def _next(period: Period, today: date) -> Period | None:
    """The period after, if it has begun (there is nothing to count in the future)."""
    day = period.end + timedelta(days=1)
    if day > today or day.year > LAST_YEAR:
        return None
    if period.kind == "month":
        return month_period(day)
    if period.kind == "quarter":
        return quarter_period(day)
    if period.kind == "year":
        return year_period(day.year)
    end = day + timedelta(days=period.days - 1)
    return Period(day, end, "custom") if end.year <= LAST_YEAR else None


def _trend_months(period: Period) -> list[Period]:
    try:
        return trailing_months(period, TREND_MONTHS)
    except Invalid:  # the trend would reach back before the first year: start there
        months = [month_period(period.end)]
        while len(months) < TREND_MONTHS and months[0].start > date(FIRST_YEAR, 1, 1):
            months.insert(0, month_period(months[0].start - timedelta(days=1)))
        return months


# --- Charts --------------------------------------------------------------------------------


def _trend(centre: Centre, period: Period, today: date) -> dict[str, Any]:
    """Active and new residents month by month, up to the period's last month or this month,
    whichever is earlier: months still ahead would show a fall that is not there (one query)."""
    months = _trend_months(period if period.end <= today or period.start > today
                           else month_period(today))
    counts = service.people_counts(centre, months)
    short = get_month_names("abbreviated", "stand-alone", locale=get_locale())
    labels = [short[month.start.month] for month in months]
    # The year under each January, and under the first month unless a January follows it at
    # once (the two years would overlap on a phone).
    years = [str(month.start.year)
             if month.start.month == 1 or index == 0 and month.start.month != 12 else ""
             for index, month in enumerate(months)]
    active = [count["active_residents"] for count in counts]
    new = [count["new_residents"] for count in counts]
    first, last = months[0].label(), months[-1].label()
    lines = [charts.Line(_("Active residents"), active), charts.Line(_("New residents"), new)]
    title = _("Active and new residents, month by month")
    description = _(
        "From %(first)s to %(last)s. Active residents each month: from %(active_min)s to "
        "%(active_max)s. New residents each month: from %(new_min)s to %(new_max)s. "
        "The table below gives every month.",
        first=first, last=last,
        active_min=format_decimal(min(active)), active_max=format_decimal(max(active)),
        new_min=format_decimal(min(new)), new_max=format_decimal(max(new)))
    svg = charts.line_chart("trend-chart", title, description, labels, lines,
                            sublabels=years, number=format_decimal)
    rows = [(month.label(), count["active_residents"], count["new_residents"])
            for month, count in zip(months, counts, strict=True)]
    legend = [(charts.legend_swatch(index), line.name) for index, line in enumerate(lines)]
    return {"svg": svg, "title": title, "rows": rows, "legend": legend}


def _activity_label(row: service.ActivityRow) -> str:
    return _("%(date)s · %(title)s", date=format_date(row.starts_at, "short"), title=row.title)


def _attendance(period: Period, rows: list[service.ActivityRow]) -> dict[str, Any]:
    """Attendance per held activity as bars: the best attended ``CHART_LIMIT``, by date."""
    shown = rows
    if len(rows) > CHART_LIMIT:
        best = sorted(rows, key=lambda row: (-row.attendance, row.starts_at, row.id))
        kept = {row.id for row in best[:CHART_LIMIT]}
        shown = [row for row in rows if row.id in kept]
    bars = [charts.Bar(_activity_label(row), row.attendance,
                       _("%(came)s of %(places)s", came=format_decimal(row.attendance),
                         places=format_decimal(row.capacity))
                       if row.capacity else format_decimal(row.attendance), row.capacity)
            for row in shown]
    title = _("Attendance per activity")
    if shown:
        least = min(row.attendance for row in shown)
        most = max(row.attendance for row in shown)
        if len(shown) == 1:
            description = ngettext(
                "One activity held in %(period)s, attended by %(num)d person. A dashed "
                "outline marks the places offered. The table below gives the value.",
                "One activity held in %(period)s, attended by %(num)d people. A dashed "
                "outline marks the places offered. The table below gives the value.",
                most, period=period.label())
        else:
            description = ngettext(
                "%(num)d activity held in %(period)s, attended by %(least)s to %(most)s "
                "people each. A dashed outline marks the places offered. The table below "
                "gives every value.",
                "%(num)d activities held in %(period)s, attended by %(least)s to %(most)s "
                "people each. A dashed outline marks the places offered. The table below "
                "gives every value.",
                len(shown), period=period.label(), least=format_decimal(least),
                most=format_decimal(most))
    else:
        description = _("No activity was held in %(period)s.", period=period.label())
    svg = charts.bar_chart("attendance-chart", title, description, bars) if shown else None
    return {"svg": svg, "title": title, "rows": shown, "total": len(rows),
            "capped": len(shown) < len(rows), "limit": CHART_LIMIT}


# --- The dashboard -------------------------------------------------------------------------


def _grouped(current: service.Figures, previous: service.Figures | None
             ) -> list[tuple[str, Any, list[dict[str, Any]]]]:
    groups = []
    for key, label in GROUPS:
        lines = []
        for figure in service.FIGURES:
            if figure.group != key:
                continue
            value = current.values[figure.key]
            before = previous.values[figure.key] if previous is not None else None
            lines.append({"figure": figure, "value": value, "previous": before,
                          "change": service.change(value, before)})
        groups.append((key, label, lines))
    return groups


def _age_rows(ages: dict[str, Any]) -> list[tuple[Any, Any]]:
    labels = {bracket.value: label for bracket, label in AGE_BRACKET_LABELS.items()}
    labels["unknown"] = _l("Not given")
    return [(labels.get(key, key), ages[key]) for key in service.AGE_KEYS if key in ages]


@bp.get("/")
def dashboard():
    """The centre's figures for a period, beside the previous period's, with two charts."""
    centre = g.centre
    today = local_today(centre.timezone, utcnow())
    form = _period_form()
    period, valid = _chosen(form, today)
    previous_period = _previous(period)
    current = service.figures_for(centre, period)
    previous = service.figures_for(centre, previous_period) if previous_period else None
    context = {
        "centre": centre,
        "form": form,
        "valid": valid,
        "period": period,
        "previous_period": previous_period,
        "next_period": _next(period, today),
        "groups": _grouped(current, previous),
        "ages": _age_rows(current.ages),
        "trend": _trend(centre, period, today),
        "attendance": _attendance(period, service.activity_rows(centre, period)),
        "report_years": [year for year in (period.end.year, period.end.year - 1)
                         if FIRST_YEAR <= year <= LAST_YEAR],
    }
    status = 200 if valid else 422
    if htmx and htmx.target == "figures":
        return render_template("metrics/_figures.html", **context), status
    return render_template("metrics/dashboard.html", **context), status


# --- The annual report ---------------------------------------------------------------------


@bp.get("/report/<int:year>")
def report(year: int):
    """A year on one printable page, for the CAL certificate: small cells hidden."""
    if not FIRST_YEAR <= year <= LAST_YEAR:
        abort(404)
    centre = g.centre
    period = year_period(year)
    figures = service.figures_for(centre, period)
    public = figures.public()
    groups = [(key, label, [{"figure": figure, "value": public[figure.key]}
                            for figure in service.FIGURES if figure.group == key])
              for key, label in GROUPS]
    activities = [{"row": row, "attendance": service.suppress(row.attendance)}
                  for row in service.activity_rows(centre, period)]
    return render_template(
        "metrics/report.html", centre=centre, year=year, period=period, groups=groups,
        public=public, ages=_age_rows(figures.public_ages()),
        realised=service.realised_list(centre, period), activities=activities,
        prepared_on=local_today(centre.timezone, utcnow()))


# --- Every centre side by side, for the platform admin ---------------------------------------


@admin_bp.get("/")
def index():
    """Each centre's main figures for one period, small cells hidden.

    ``figures_for`` runs a fixed number of queries per centre (about a dozen), so the page
    costs that many times the number of centres: fine for the 20 to 100 centres of a city.
    """
    today = local_today(DEFAULT_TIMEZONE, utcnow())
    form = _period_form()
    period, valid = _chosen(form, today)
    centres = db.session.scalars(select(Centre).order_by(Centre.city, Centre.name)).all()
    rows = [(centre, service.figures_for(centre, period).public()) for centre in centres]
    return render_template(
        "metrics/admin.html", form=form, valid=valid, period=period, rows=rows,
        figures=[FIGURES_BY_KEY[key] for key in ADMIN_FIGURES],
    ), 200 if valid else 422
