"""Forms residents use with activities: signing up, offering help, filtering the list."""

from __future__ import annotations

from datetime import date

from flask_babel import lazy_gettext as _l
from wtforms import HiddenField, SelectField
from wtforms.validators import AnyOf, Optional, ValidationError

from ..forms import Form, LocalDateField, strip

WHEN_CHOICES = ("upcoming", "past")


class SignupForm(Form):
    """The button sends the state the person asked for, so repeated taps cannot flip it back."""

    intent = HiddenField(validators=[AnyOf(["join", "cancel"], message=_l("Unknown action."))])


class VolunteerForm(Form):
    intent = HiddenField(validators=[AnyOf(["offer", "withdraw"],
                                           message=_l("Unknown action."))])


DATE_MESSAGE = _l("Enter a date as year-month-day, for example 2026-05-31.")


class ActivityFilterForm(Form):
    """Read-only GET form: no CSRF token."""

    class Meta:
        csrf = False

    when = HiddenField(validators=[Optional(), AnyOf(WHEN_CHOICES,
                                                     message=_l("Unknown list."))])
    category = SelectField(_l("Category"), filters=[strip], validators=[Optional()],
                           description=_l("Show only one kind of activity, or all of them."),
                           invalid_choice_message=_l("Choose one of the centre's categories."))
    date_from = LocalDateField(_l("From"), validators=[Optional()],
                               description=_l("Optional. The first day to show."),
                               invalid_message=DATE_MESSAGE)
    date_to = LocalDateField(_l("To"), validators=[Optional()],
                             description=_l("Optional. The last day to show."),
                             invalid_message=DATE_MESSAGE)

    def validate_date_to(self, field) -> None:
        start: date | None = self.date_from.data
        if field.data is not None and start is not None and field.data < start:
            raise ValidationError(_l("The end date must not be before the start date."))
