"""Forms of the animators' activity screens: the activity itself, cancelling it, and the
small forms of the door list (walk-ins, guests, sign-ups on a member's behalf, volunteers).

Like the moderation forms, these check only the shape of the input (a real date, a whole
number in range); the rules (the start in the future, places not below the confirmed count)
live in ``service.py``, whose refusals the views show above the form.
"""

from __future__ import annotations

from datetime import date, datetime, time
from decimal import Decimal, InvalidOperation
from zoneinfo import ZoneInfo

from flask_babel import lazy_gettext as _l
from wtforms import Field, HiddenField, SelectField, StringField, TextAreaField, TimeField
from wtforms.validators import (
    AnyOf,
    InputRequired,
    Length,
    Optional,
    ValidationError,
)
from wtforms.widgets import TextInput

from ..forms import Form, LocalDateField, strip
from ..models import MAX_CAPACITY
from ..moderation.forms import WholeNumberField, _id_or_none

MAX_VOLUNTEERS = 100
MAX_HOURS = 24

class LocalTimeField(TimeField):
    """A wall-clock time in the centre's zone: ``<input type="time">``; typed by hand also
    "18:30", "18.30" or with seconds (some browsers send them)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("format", ["%H:%M", "%H:%M:%S", "%H.%M"])
        super().__init__(*args, **kwargs)

    def process_formdata(self, valuelist):
        if valuelist:
            valuelist = [value.strip() for value in valuelist]
        try:
            super().process_formdata(valuelist)
        except ValueError:
            raise ValueError(str(_l("Enter a time in the form 18:30."))) from None


def _in_range(low: int, high: int, message):
    """NumberRange, but silent when the text was no number at all (that has its message)."""

    def check(_form, field) -> None:
        if field.data is not None and not low <= field.data <= high:
            raise ValidationError(message)

    return check


def local_moment(day: date, moment: time, zone: ZoneInfo) -> datetime:
    """An aware datetime for a date and wall-clock time in ``zone``.

    A time that does not exist (the hour skipped in spring) or exists twice (autumn) is
    resolved by ``zoneinfo``'s fold rules: the first reading, which is what people expect.
    """
    return datetime.combine(day, moment, tzinfo=zone)


class IdSelectField(SelectField):
    """A choice of a row by id. Any well-formed id reaches the service, which answers an
    unknown one with a clear message; a malformed one gets ``invalid_message``."""

    def __init__(self, *args, invalid_message=None, **kwargs):
        kwargs.setdefault("coerce", _id_or_none)
        kwargs.setdefault("validate_choice", False)
        super().__init__(*args, **kwargs)
        self.invalid_message = invalid_message or _l("Choose one of the options.")

    def process_formdata(self, valuelist):
        try:
            super().process_formdata(valuelist)
        except ValueError:
            self.data = None
            raise ValueError(str(self.invalid_message)) from None


def _optional_select(label, description=None, invalid_message=None):
    return IdSelectField(label, description=description, invalid_message=invalid_message,
                         validators=[Optional()])


class ActivityForm(Form):
    title = StringField(
        _l("Title"),
        description=_l("A few words people will recognise, e.g. “Clay workshop for adults”."),
        filters=[strip],
        validators=[InputRequired(_l("Enter a title.")),
                    Length(min=3, max=120,
                           message=_l("The title must have from 3 to 120 characters."))],
    )
    description = TextAreaField(
        _l("Description (optional)"),
        description=_l("What will happen, for whom, what to bring."),
        filters=[strip],
        validators=[Length(max=5000,
                           message=_l("The description can have at most 5,000 characters."))],
    )
    place = StringField(
        _l("Place (optional)"),
        description=_l("For example: the big room on the ground floor."),
        filters=[strip],
        validators=[Length(max=200, message=_l("The place can have at most 200 characters."))],
    )
    day = LocalDateField(
        _l("Date"),
        description=_l("The day it takes place, in the centre's time zone."),
        validators=[InputRequired(_l("Enter the date, e.g. 2026-05-31."))],
    )
    start_time = LocalTimeField(
        _l("Starts at"), description=_l("Hours and minutes, e.g. 17:00."),
        validators=[InputRequired(_l("Enter the time it starts, e.g. 17:00."))])
    end_time = LocalTimeField(
        _l("Ends at"), description=_l("Hours and minutes, e.g. 19:00."),
        validators=[InputRequired(_l("Enter the time it ends, e.g. 19:00."))])
    end_day = LocalDateField(
        _l("Ends on another day (optional)"),
        description=_l("Leave empty when it ends on the same day."),
        validators=[Optional()],
    )
    capacity = WholeNumberField(
        _l("Number of places (optional)"),
        description=_l("Leave empty for no limit. When the places are taken, people can join "
                       "the waitlist."),
        validators=[Optional(),
                    _in_range(1, MAX_CAPACITY, _l(
                        "The number of places must be from 1 to %(max)d, or empty for no "
                        "limit.", max=MAX_CAPACITY))],
    )
    deadline_day = LocalDateField(
        _l("Sign-up closes on (optional)"),
        description=_l("Without a deadline, sign-up is open until the start."),
        validators=[Optional()],
    )
    deadline_time = LocalTimeField(
        _l("Sign-up closes at (optional)"),
        description=_l("Give it together with the date above, e.g. 12:00."),
        validators=[Optional()])
    category_id = _optional_select(
        _l("Category (optional)"),
        description=_l("Helps residents filter the list of activities."),
        invalid_message=_l("Choose one of the centre's categories."))
    proposal_id = _optional_select(
        _l("Proposal it realises (optional)"),
        description=_l("The proposal's page will link to this activity."),
        invalid_message=_l("Choose one of the centre's published proposals."))
    volunteers_needed = WholeNumberField(
        _l("Volunteers needed"),
        default=0,
        description=_l("0 if you do not need help. Members can offer to help."),
        validators=[Optional(),
                    _in_range(0, MAX_VOLUNTEERS, _l(
                        "The number of volunteers must be from 0 to %(max)d.",
                        max=MAX_VOLUNTEERS))],
    )
    repeat_until = LocalDateField(
        _l("Repeat weekly until (optional)"),
        description=_l("Creates a separate activity every week on the same day and time, "
                       "up to this date."),
        validators=[Optional()],
    )

    def validate_end_time(self, field) -> None:
        start, day = self.start_time.data, self.day.data
        if field.data is None or start is None or day is None:
            return
        end_day = self.end_day.data or day
        if (end_day, field.data) <= (day, start):
            raise ValidationError(_l("The activity must end after it starts."))

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        # Checked here, not inline: Optional() stops a field's own validators when empty.
        day, moment = self.deadline_day, self.deadline_time
        if (day.data is None) != (moment.data is None) and not (day.errors or moment.errors):
            moment.errors = [*moment.errors, _l("Enter both the date and the time sign-up "
                                                "closes, or neither.")]
            valid = False
        return valid

    def set_choices(self, categories, proposals, category_label) -> None:
        self.category_id.choices = [("", _l("No category"))] + [
            (category.id, category_label(category)) for category in categories]
        self.proposal_id.choices = [("", _l("None"))] + [
            (proposal.id, proposal.title) for proposal in proposals]

    def moments(self, zone: ZoneInfo) -> tuple[datetime, datetime, datetime | None]:
        """Start, end and sign-up deadline as aware datetimes in the centre's zone."""
        day = self.day.data
        start = local_moment(day, self.start_time.data, zone)
        end = local_moment(self.end_day.data or day, self.end_time.data, zone)
        deadline = (local_moment(self.deadline_day.data, self.deadline_time.data, zone)
                    if self.deadline_day.data and self.deadline_time.data else None)
        return start, end, deadline


class CancelActivityForm(Form):
    reason = TextAreaField(
        _l("Reason"),
        description=_l("Everyone signed up gets a notification with this reason."),
        filters=[strip],
        validators=[InputRequired(_l("Write the reason.")),
                    Length(max=2000, message=_l("The reason can have at most 2,000 characters."))],
    )


class MemberForm(Form):
    """A member of the centre chosen from a list: a walk-in, or a sign-up on their behalf."""

    member_id = IdSelectField(
        _l("Member"), invalid_message=_l("Choose a member of this centre."),
        description=_l("The list shows the members of this centre by name."),
        validators=[InputRequired(_l("Choose a member of this centre."))],
    )

    def set_members(self, members) -> None:
        self.member_id.choices = [("", _l("Choose a member"))] + [
            (member.id, member.display_name) for member in members]


class CheckInForm(Form):
    intent = HiddenField(validators=[AnyOf(["present", "undo"],
                                           message=_l("Choose what to do."))])
    q = HiddenField()


class GuestsForm(Form):
    change = HiddenField(validators=[AnyOf(["1", "-1"], message=_l("Choose what to do."))])


class OfferDecisionForm(Form):
    decision = HiddenField(validators=[AnyOf(["accept", "decline"],
                                             message=_l("Choose what to do."))])


class HoursField(Field):
    """Hours as a decimal number, "2,5" or "2.5"; ``data`` is whole minutes."""

    widget = TextInput()

    def _value(self) -> str:
        if self.raw_data:
            return self.raw_data[0]
        if self.data is None:
            return ""
        return f"{Decimal(self.data) / 60:.2f}".rstrip("0").rstrip(".")

    def process_formdata(self, valuelist):
        if not valuelist:
            return
        text = valuelist[0].strip().replace(" ", "").replace(",", ".")
        if not text:  # only spaces: InputRequired saw text, so refuse it here
            self.data = None
            raise ValueError(str(_l("Enter the hours, e.g. 2,5.")))
        try:
            hours = Decimal(text)
        except InvalidOperation:
            self.data = None
            raise ValueError(str(_l("Enter the hours as a number, e.g. 2,5."))) from None
        if not hours.is_finite() or not 0 <= hours <= MAX_HOURS:
            self.data = None
            raise ValueError(str(_l("Enter from 0 to 24 hours.")))
        self.data = int((hours * 60).to_integral_value())


class HoursForm(Form):
    hours = HoursField(
        _l("Hours helped"),
        description=_l("Hours as a number, e.g. 2,5 for two and a half hours."),
        validators=[InputRequired(_l("Enter the hours, e.g. 2,5."))],
    )
