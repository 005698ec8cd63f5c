"""Forms of "Delete my account" and of the animator's confirmation at the desk."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, PasswordField
from wtforms.validators import DataRequired, Length

from ..accounts.passwords import MAX_LENGTH
from ..forms import Form


class DeleteAccountForm(Form):
    password = PasswordField(
        _l("Your password"),
        description=_l("The password you sign in with. We ask for it so nobody else can "
                       "delete your account from a device you left signed in."),
        validators=[
            DataRequired(_l("Enter your password to delete your account.")),
            Length(max=MAX_LENGTH, message=_l("The password is too long. Enter the password "
                                              "you sign in with.")),
        ],
    )
    understood = BooleanField(
        _l("I understand that this cannot be undone"),
        description=_l("A deleted account cannot be restored, not even by the centre."),
        validators=[DataRequired(_l("Tick the box to confirm you want to delete your "
                                    "account for good."))],
    )


class ConfirmErasureForm(Form):
    asked_in_person = BooleanField(
        _l("The resident asked for this in person"),
        description=_l("Tick only if the resident is here, or asked you themselves, and you "
                       "know it is them."),
        validators=[DataRequired(_l("Tick the box to confirm the resident asked for this in "
                                    "person. If they did not, do not delete the account."))],
    )
