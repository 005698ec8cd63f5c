"""Forms for proposing, supporting, commenting and reporting."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import HiddenField, SearchField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import AnyOf, DataRequired, InputRequired, Length, Optional

from ..forms import Form, strip
from ..models import ReportReason

REPORT_REASONS = {
    ReportReason.SPAM: _l("Spam or advertising"),
    ReportReason.OFFENSIVE: _l("Offensive or hateful"),
    ReportReason.PERSONAL_DATA: _l("Reveals someone's personal data"),
    ReportReason.OTHER: _l("Something else"),
}
SORT_LABELS = {
    "newest": _l("Newest"),
    "supported": _l("Most supported"),
    "answered": _l("Recently answered"),
}


class ProposalForm(Form):
    title = StringField(
        _l("Title"),
        description=_l("Say in a few words what you propose, e.g. “Benches in the square”."),
        filters=[strip],
        validators=[DataRequired(_l("Enter a title.")),
                    Length(min=5, max=120, message=_l("The title must have from 5 to 120 "
                                                      "characters."))],
    )
    body = TextAreaField(
        _l("Description"),
        description=_l("What should happen, why, and who would benefit? Links are allowed."),
        filters=[strip],
        validators=[DataRequired(_l("Describe your proposal.")),
                    Length(min=20, max=5000, message=_l("The description must have from 20 to "
                                                        "5,000 characters."))],
    )
    category_id = SelectField(
        _l("Category"), coerce=int,
        description=_l("Choose the closest one. An animator can change it later."),
        validators=[InputRequired(_l("Choose one of the centre's categories."))],
        invalid_value_message=_l("Choose one of the centre's categories."),
        invalid_choice_message=_l("Choose one of the centre's categories."),
    )
    place = StringField(
        _l("Place (optional)"),
        description=_l("For example a street, a courtyard or a room at the centre."),
        filters=[strip],
        validators=[Optional(), Length(max=200, message=_l("The place can have at most 200 "
                                                           "characters."))],
    )

    def set_categories(self, categories, label) -> None:
        self.category_id.choices = [SelectChoice(c.id, label(c)) for c in categories]


class ReasonForm(Form):
    reason = TextAreaField(
        _l("Reason"),
        description=_l("One or two sentences. Residents who supported it will read it."),
        filters=[strip],
        validators=[DataRequired(_l("Give a reason, e.g. “We found another place.”")),
                    Length(max=2000, message=_l("The reason can have at most 2,000 characters."))],
    )


class SupportForm(Form):
    """The button sends the state the person asked for, so repeated taps cannot flip it back."""

    intent = HiddenField(validators=[AnyOf(["support", "withdraw"],
                                           message=_l("Unknown action."))])


class CommentForm(Form):
    body = TextAreaField(
        _l("Your comment"),
        description=_l("Be kind and stay on the topic. Everyone can read comments."),
        filters=[strip],
        validators=[DataRequired(_l("Write a comment first.")),
                    Length(max=2000, message=_l("The comment can have at most 2,000 "
                                                "characters."))],
    )


class ReportForm(Form):
    reason = SelectField(
        _l("What is wrong?"),
        description=_l("An animator will look at it. The author is not told who reported."),
        choices=[SelectChoice(reason.value, label) for reason, label in REPORT_REASONS.items()],
        validators=[InputRequired(_l("Choose why you are reporting this."))],
    )
    details = TextAreaField(
        _l("Details (needed for “Something else”)"),
        description=_l("Say briefly what is wrong, e.g. “It gives a private phone number.”"),
        filters=[strip],
        validators=[Optional(), Length(max=1000, message=_l("The details can have at most "
                                                            "1,000 characters."))],
    )


class ProposalFilterForm(Form):
    """Read-only GET form: no CSRF token."""

    class Meta:
        csrf = False

    q = SearchField(_l("Search words"), filters=[strip],
                    description=_l("Words from the title or description, e.g. bench."),
                    validators=[Optional(), Length(max=100, message=_l("Enter at most 100 "
                                                                       "characters."))])
    status = SelectField(_l("Status"), validators=[Optional()],
                         description=_l("Where the proposal is on its way, e.g. accepted."))
    category = SelectField(_l("Category"), filters=[strip], validators=[Optional()],
                           description=_l("Show only one kind of proposal, or all of them."))
    sort = SelectField(_l("Sort by"), description=_l("Which proposals come first."),
                       choices=[SelectChoice(key, label) for key, label in SORT_LABELS.items()],
                       validators=[Optional()])
