"""Forms for finding a member and acting on their behalf.

Each action form has its own prefix, so the four of them share the member's page without
clashing ids. Proposing for a member reuses the proposal form: the same fields and rules as
proposing online.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import SearchField, SelectField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length, Optional

from ..forms import Form, strip
from ..proposals.forms import ProposalForm


class MemberSearchForm(Form):
    """Read-only GET form: no CSRF token."""

    class Meta:
        csrf = False

    q = SearchField(
        _l("Name, e-mail or card code"),
        description=_l("Type part of the name, e.g. “Nowak”, or the code printed on the "
                       "access card, e.g. K7M2Q-9XDRB. A barcode reader can scan the card."),
        filters=[strip],
        validators=[Optional(), Length(max=200, message=_l("Enter at most 200 characters: part "
                                                           "of a name or one card code."))],
    )


class ProposeForMemberForm(ProposalForm):
    """The proposal form, as the animator fills it in with the member."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, prefix="propose", **kwargs)
        self.title.description = _l("The member's idea in a few words, e.g. “Benches in the "
                                    "square”.")
        self.body.description = _l("Write down what the member tells you: what should happen, "
                                   "why, and who would benefit. At least 20 characters.")
        self.category_id.description = _l("The topic closest to the idea.")
        self.place.description = _l("Where it should happen, if the member says, e.g. a "
                                    "street or a courtyard.")


def _choice_field(label, description, missing):
    return SelectField(
        label, coerce=int, description=description,
        validators=[InputRequired(missing)],
        invalid_value_message=missing, invalid_choice_message=missing,
    )


class SupportForMemberForm(Form):
    proposal_id = _choice_field(
        _l("Proposal to support"),
        _l("Only proposals open for support that the member has not supported yet are listed."),
        _l("Choose one of the proposals in the list."),
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, prefix="support", **kwargs)

    def set_proposals(self, proposals) -> None:
        self.proposal_id.choices = [SelectChoice(p.id, p.title) for p in proposals]


class SignUpForMemberForm(Form):
    activity_id = _choice_field(
        _l("Activity"),
        _l("Upcoming activities open for sign-up. If the activity is full, the member joins "
           "the waitlist."),
        _l("Choose one of the activities in the list."),
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, prefix="signup", **kwargs)

    def set_activities(self, activities, label) -> None:
        self.activity_id.choices = [SelectChoice(a.id, label(a)) for a in activities]


class CancelForMemberForm(Form):
    activity_id = _choice_field(
        _l("Place to cancel"),
        _l("The member's places at activities still to come. A freed place goes to the first "
           "person on the waitlist."),
        _l("Choose one of the member's places in the list."),
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, prefix="cancel", **kwargs)

    def set_signups(self, signups, label) -> None:
        self.activity_id.choices = [SelectChoice(s.activity_id, label(s.activity))
                                    for s in signups]
