"""Forms of the animators' screens: moderation actions, reports, settings and categories.

The rules (which status may follow which, the allowed ranges) live in the services; these
forms only check that the input has the right shape, so a typo gets a message on its field.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    HiddenField,
    IntegerField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import AnyOf, InputRequired, Length, NumberRange, Optional
from wtforms.widgets import TextInput

from ..forms import Form, LocalDateField, at_most_characters, strip
from ..models import ReportTarget


class WholeNumberField(IntegerField):
    """A whole number typed into a text box (styled like every other input, any sign).

    WTForms' own "Not a valid integer value." is replaced by our translated message.
    """

    widget = TextInput()

    def __init__(self, *args, invalid_message=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.invalid_message = invalid_message or _l("Enter a whole number, e.g. 15.")

    def process_formdata(self, valuelist):
        if valuelist:
            valuelist = [value.strip().replace(" ", "").replace("\u00a0", "")
                         for value in valuelist]
        try:
            super().process_formdata(valuelist)
        except ValueError:
            raise ValueError(str(self.invalid_message)) from None


def _reason_field(label=None, description=None):
    return TextAreaField(
        label or _l("Reason"),
        description=description,
        filters=[strip],
        validators=[Optional(),
                    Length(max=2000, message=_l("The reason can have at most 2,000 characters."))],
    )


class StatusForm(Form):
    """Move a proposal to another status. The service decides whether the move is allowed."""

    # Choices are only for showing the form again; any value reaches the service, which
    # answers an impossible move with a clear 409 rather than a generic "not a valid choice".
    target = SelectField(_l("New status"), validate_choice=False,
                         description=_l("Only the moves allowed from the current status "
                                        "are listed. The author gets a notification."),
                         validators=[InputRequired(_l("Choose the new status."))])
    reason = _reason_field(description=_l(
        "Rejecting, hiding or declining needs a reason: the author reads it."))
    next = HiddenField()


class AnswerForm(Form):
    answer = TextAreaField(
        _l("Official answer of the centre"),
        description=_l("Shown on the proposal page. The author gets a notification."),
        filters=[strip],
        validators=[InputRequired(_l("Write the answer first.")),
                    Length(min=1, max=5000,
                           message=_l("The answer must have from 1 to 5,000 characters."))],
    )
    next = HiddenField()


# Row ids are 32-bit integers in the database; a larger number must not reach a query.
MAX_ID = 2**31 - 1


def _id_or_none(value):
    """``coerce`` for a select whose first option is the empty "Choose…" one."""
    if value in ("", None):
        return None
    number = int(value)
    if not 1 <= number <= MAX_ID:
        raise ValueError("id out of range")
    return number


class AssistedSupportForm(Form):
    member_id = SelectField(
        _l("Member"), coerce=_id_or_none, validate_choice=False,
        description=_l("For a member without a phone or internet who told you in person."),
        validators=[InputRequired(_l("Choose a member of this centre."))],
    )
    next = HiddenField()

    def set_members(self, members) -> None:
        self.member_id.choices = [("", _l("Choose a member"))] + [
            (member.id, member.display_name) for member in members
        ]


class PaperVotesForm(Form):
    votes = WholeNumberField(
        _l("Number of paper votes"),
        description=_l("A negative number corrects an earlier entry."),
        invalid_message=_l("Enter a whole number, e.g. 12 or -3."),
        validators=[InputRequired(_l("Enter the number of paper votes."))],
    )
    note = StringField(
        _l("Where do the votes come from?"),
        description=_l("For example: ballot box at the neighbours' picnic, 12 May."),
        filters=[strip],
        validators=[InputRequired(_l("Describe where the votes come from.")),
                    Length(max=500, message=at_most_characters(500))],
    )
    next = HiddenField()


class ResolveReportsForm(Form):
    """One reported item: keep it hidden (upheld=1) or show it again (upheld=0)."""

    target_type = HiddenField(validators=[AnyOf([t.value for t in ReportTarget],
                                                 message=_l("Unknown kind of reported content."))])
    target_id = WholeNumberField(
        validators=[InputRequired(_l("Unknown reported content.")),
                    NumberRange(1, MAX_ID, message=_l("Unknown reported content."))],
        invalid_message=_l("Unknown reported content."),
    )
    upheld = HiddenField(validators=[AnyOf(["1", "0"], message=_l("Choose what to do."))])
    reason = _reason_field(
        _l("Note (optional)"),
        description=_l("If the proposal is hidden, its author reads this note."),
    )


class SettingsForm(Form):
    proposals_need_approval = BooleanField(
        _l("New proposals wait for an animator's approval before they are published"),
        description=_l("Leave it ticked unless your animators read new proposals every day."))
    support_threshold = WholeNumberField(
        _l("Supports needed for a review"),
        description=_l("When a proposal reaches this number of supports, it goes to the "
                       "animators for review."),
        validators=[InputRequired(_l("Enter the number of supports."))],
    )
    only_verified_support = BooleanField(
        _l("Only residents verified in person may support proposals"),
        description=_l("While it is ticked, members not yet verified in person by an "
                       "animator cannot support."))
    report_threshold = WholeNumberField(
        _l("Reports that hide content"),
        description=_l("A proposal or comment reported by this many people is hidden until "
                       "an animator reviews it."),
        validators=[InputRequired(_l("Enter the number of reports."))],
    )
    voting_opens_at = LocalDateField(
        _l("Supporting opens on (optional)"),
        description=_l("A date in the centre's time zone, e.g. 2026-05-01."),
        validators=[Optional()],
    )
    voting_closes_at = LocalDateField(
        _l("Last day of supporting (optional)"),
        description=_l("Supporting ends at midnight after this day."),
        validators=[Optional()],
    )


class CategoryForm(Form):
    name = StringField(
        _l("Name of the category"),
        description=_l("Short and clear, e.g. Greenery or Culture."),
        filters=[strip],
        validators=[InputRequired(_l("Enter a name.")),
                    Length(min=2, max=60,
                           message=_l("The category name must have from 2 to 60 characters."))],
    )


class ArchiveCategoryForm(Form):
    archived = HiddenField(validators=[AnyOf(["1", "0"], message=_l("Choose what to do."))])
