"""Forms of the kiosk: opening one (animators), closing one, and the code typed at the tablet.

The service checks the chosen activity or proposal again (``service.open_kiosk``).
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import SelectField, StringField
from wtforms.validators import DataRequired, Length

from ..forms import Form, strip


class OpenKioskForm(Form):
    """Which activity or proposal the tablet is for: one select, grouped by kind.

    Values are ``activity-<id>`` or ``proposal-<id>``; ``set_choices`` fills the groups.
    """

    subject = SelectField(
        _l("What is the kiosk for?"),
        description=_l("Choose an activity to let people check in with their card, or a "
                       "proposal to let them support it. Only published activities that have "
                       "not ended and proposals open for support are listed."),
        validators=[DataRequired(_l("Choose an activity or a proposal from the list."))],
        validate_choice=True,
    )

    def set_choices(self, activities: list[tuple[int, str]],
                    proposals: list[tuple[int, str]]) -> OpenKioskForm:
        groups: dict[str, list[tuple[str, str]]] = {}
        if activities:
            groups[str(_l("Activities: check-in"))] = [
                (f"activity-{ident}", label) for ident, label in activities]
        if proposals:
            groups[str(_l("Proposals: support"))] = [
                (f"proposal-{ident}", label) for ident, label in proposals]
        self.subject.choices = groups
        return self

    def chosen(self) -> tuple[int | None, int | None]:
        """(activity_id, proposal_id) of a validated form: exactly one is set."""
        kind, _sep, ident = (self.subject.data or "").partition("-")
        number = int(ident)
        return (number, None) if kind == "activity" else (None, number)


class CloseKioskForm(Form):
    """Close one kiosk: nothing but the CSRF token."""


class CodeForm(Form):
    """The code printed under the QR code, typed or scanned (a reader types the whole address)."""

    code = StringField(
        _l("Type the code on your card"),
        filters=[strip],
        description=_l("The 10 letters and digits under the QR code, e.g. K7M2Q-9XDRB. "
                       "Then press “Go”."),
        validators=[Length(max=500, message=_l("This is too long for a card code. Type the "
                                               "10 letters and digits under the QR code, e.g. "
                                               "K7M2Q-9XDRB."))],
    )
