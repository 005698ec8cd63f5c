"""Access-card forms. Every field has a hint; every message says what to do."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, PasswordField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, EqualTo, Length, Optional, ValidationError

from ..accounts.forms import AGE_BRACKET_LABELS
from ..accounts.passwords import MAX_LENGTH
from ..forms import Form, strip
from .codes import normalise_code

CODE_EXAMPLE = "K7M2Q-9XDRB"


class NewCardForm(Form):
    """An animator registers a resident who has no e-mail address."""

    display_name = StringField(
        _l("Resident's name"),
        description=_l("As the resident wants to be shown to others, e.g. “Halina W.”. "
                       "It is printed on the card."),
        filters=[strip],
        validators=[
            DataRequired(_l("Enter the resident's name.")),
            Length(min=2, max=80, message=_l("The name must have from 2 to 80 characters.")),
        ],
    )
    age_bracket = SelectField(
        _l("Age (optional)"),
        description=_l("Only for the centre's statistics. Residents under 16 take part "
                       "through an animator."),
        choices=[SelectChoice("", _l("Not given"))]
        + [SelectChoice(bracket.value, label) for bracket, label in AGE_BRACKET_LABELS.items()],
        validators=[Optional()],
    )
    consent_noted = BooleanField(
        _l("The resident has signed the consent form"),
        description=_l("The paper form on taking part and on how we use their data. "
                       "Keep it at the centre. We never ask for PESEL, address or phone."),
        validators=[DataRequired(_l("Tick the box once the resident has signed the consent "
                                    "form. Without it we cannot register them."))],
    )


def _valid_code(_form, field) -> None:
    code = normalise_code(field.data or "")
    if code is None:
        raise ValidationError(str(_l(
            "Enter the code printed under the QR code on your card, e.g. %(example)s.",
            example=CODE_EXAMPLE)))
    field.data = code


class CardSignInForm(Form):
    code = StringField(
        _l("Card code"),
        description=_l("The 10 letters and digits under the QR code, e.g. %(example)s. "
                       "Dashes and spaces do not matter.", example=CODE_EXAMPLE),
        filters=[strip],
        validators=[DataRequired(_l("Enter the code printed under the QR code on your card, "
                                    "e.g. %(example)s.", example=CODE_EXAMPLE)),
                    Length(max=200, message=_l("Enter only the code from your card, e.g. "
                                               "%(example)s.", example=CODE_EXAMPLE)),
                    _valid_code],
    )
    secret = PasswordField(
        _l("PIN or password"),
        description=_l("The PIN or password you chose after scanning your card."),
        validators=[DataRequired(_l("Enter your PIN or password.")),
                    Length(max=MAX_LENGTH, message=_l("The password is too long."))],
    )
    remember = BooleanField(
        _l("Keep me signed in on this device"),
        description=_l("Only on your own phone or computer, not on a shared one."),
    )


class SetPinForm(Form):
    current = PasswordField(
        _l("Your current PIN or password"),
        description=_l("To make sure it is you. Forgot it? Ask at your centre for a new card."),
        validators=[Optional(), Length(max=MAX_LENGTH, message=_l("The password is too long."))],
    )
    secret = PasswordField(
        _l("New PIN or password"),
        description=_l("A PIN: 4 to 8 digits, not easy to guess like 1234 or a year. "
                       "Or a password of at least 8 characters."),
        validators=[DataRequired(_l("Enter a PIN of 4 to 8 digits, or a password.")),
                    Length(max=MAX_LENGTH, message=_l("The password is too long."))],
    )
    confirm = PasswordField(
        _l("Repeat the new PIN or password"),
        description=_l("Type it once more, to be sure there is no typing mistake."),
        validators=[DataRequired(_l("Type the new PIN or password once more.")),
                    EqualTo("secret", _l("The two entries are not the same. Type them "
                                         "again."))],
    )
