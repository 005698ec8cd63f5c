"""The period picker shared by the dashboard, the exports and the annual report (GET forms)."""

from __future__ import annotations

from datetime import date

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from wtforms import IntegerField, SelectField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import NumberRange, Optional

from ..errors import Invalid
from ..forms import FIRST_YEAR, LAST_YEAR, Form, LocalDateField
from .periods import Period, custom_period, month_period, quarter_period, year_period

PERIOD_KINDS = (
    SelectChoice("month", _l("Month")),
    SelectChoice("quarter", _l("Quarter")),
    SelectChoice("year", _l("Year")),
    SelectChoice("custom", _l("Your own dates")),
)
MONTH_NUMBERS = tuple(range(1, 13))


class PeriodForm(Form):
    """Which period to show: a month, a quarter or a year by number, or one's own dates.

    Read-only (GET): no CSRF token. Missing fields mean "the one we are in now".
    """

    class Meta:
        csrf = False

    period = SelectField(_l("Period"), choices=PERIOD_KINDS, default="month",
                         description=_l("A month, a quarter, a year or your own dates."))
    year = IntegerField(_l("Year"), description=_l("Four digits, e.g. 2026."), validators=[
        Optional(), NumberRange(FIRST_YEAR, LAST_YEAR, message=_l(
            "Enter a year from %(min)s to %(max)s."))])
    month = SelectField(_l("Month"), coerce=int, description=_l("1 is January."),
                        choices=[SelectChoice(n, str(n)) for n in MONTH_NUMBERS],
                        validators=[Optional()])
    quarter = SelectField(_l("Quarter"), coerce=int,
                          description=_l("1 is January to March."),
                          choices=[SelectChoice(n, str(n)) for n in range(1, 5)],
                          validators=[Optional()])
    start = LocalDateField(_l("From"), validators=[Optional()],
                           description=_l("For your own dates: the first day."))
    end = LocalDateField(_l("To"), validators=[Optional()],
                         description=_l("For your own dates: the last day."))


def chosen_period(form: PeriodForm, today: date) -> Period:
    """The period the (validated) form asks for; the current one where it says nothing.

    Raises ``Invalid`` with a message for dates that make no period (end before start,
    too long, a custom period without its dates).
    """
    kind = form.period.data or "month"
    year = form.year.data or today.year
    if kind == "year":
        return year_period(year)
    if kind == "quarter":
        quarter = form.quarter.data or (today.month - 1) // 3 + 1
        return quarter_period(date(year, quarter * 3, 1))
    if kind == "custom":
        if form.start.data is None or form.end.data is None:
            raise Invalid(_("Enter both dates of your own period."))
        return custom_period(form.start.data, form.end.data)
    return month_period(date(year, form.month.data or today.month, 1))
