"""Account forms. Messages are specific, so a person knows exactly what to fix."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, EmailField, PasswordField, RadioField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import (
    AnyOf,
    DataRequired,
    Email,
    EqualTo,
    InputRequired,
    Length,
    Optional,
)

from ..config import LANGUAGES
from ..forms import Form, strip
from ..i18n import LANGUAGE_NAMES
from ..models import AgeBracket, EmailFrequency
from .passwords import MAX_LENGTH

AGE_BRACKET_LABELS = {
    AgeBracket.UNDER_16: _l("under 16"),
    AgeBracket.FROM_16_TO_24: _l("16–24"),
    AgeBracket.FROM_25_TO_34: _l("25–34"),
    AgeBracket.FROM_35_TO_49: _l("35–49"),
    AgeBracket.FROM_50_TO_64: _l("50–64"),
    AgeBracket.FROM_65_TO_74: _l("65–74"),
    AgeBracket.FROM_75: _l("75 or older"),
}


def _email_field(label, description=None):
    return EmailField(
        label,
        description=description,
        filters=[strip],
        validators=[
            DataRequired(_l("Enter your e-mail address.")),
            Length(max=254, message=_l("The e-mail address is too long.")),
            Email(_l("Enter an e-mail address in the form name@example.com."),
                  check_deliverability=False),
        ],
    )


def _display_name_field():
    return StringField(
        _l("Your name"),
        description=_l("Shown next to what you write. A first name is enough."),
        filters=[strip],
        validators=[
            DataRequired(_l("Enter your name.")),
            Length(min=2, max=80, message=_l("The name must have from 2 to 80 characters.")),
        ],
    )


def _password_field(label, description=None):
    return PasswordField(
        label,
        description=description,
        validators=[
            DataRequired(_l("Enter a password.")),
            Length(max=MAX_LENGTH, message=_l("The password is too long.")),
        ],
    )


def _repeat_field(other: str, label, missing_message, description=None):
    return PasswordField(
        label,
        description=description or _l("Type the same password again, to be sure there is no typo."),
        validators=[
            DataRequired(missing_message),
            EqualTo(other, _l("The two passwords are not the same.")),
        ],
    )


class RegisterForm(Form):
    display_name = _display_name_field()
    email = _email_field(
        _l("E-mail address"),
        _l("We send you only what you choose in your profile, e.g. name@example.com."),
    )
    password = _password_field(
        _l("Password"),
        _l("At least 8 characters. Not a common password such as 12345678."),
    )
    confirm = _repeat_field("password", _l("Repeat the password"), _l("Repeat the password."))
    age_confirmed = BooleanField(
        _l("I am 16 or older"),
        description=_l("Younger residents take part with the help of an animator at the centre."),
        validators=[DataRequired(_l("You can register yourself only if you are 16 or older."))],
    )


class LoginForm(Form):
    email = _email_field(
        _l("E-mail address"),
        _l("The address you registered with, e.g. name@example.com."),
    )
    password = PasswordField(
        _l("Password"),
        description=_l("Forgot it, or have only an access card? Ask an animator at your centre."),
        validators=[
            DataRequired(_l("Enter your password.")),
            Length(max=MAX_LENGTH, message=_l("The password is too long.")),
        ],
    )
    remember = BooleanField(
        _l("Keep me signed in on this device"),
        description=_l("Leave this empty on a shared or public computer."),
    )


class ChangePasswordForm(Form):
    current_password = PasswordField(
        _l("Current password"),
        description=_l("The password you use to sign in now."),
        validators=[
            DataRequired(_l("Enter your current password.")),
            Length(max=MAX_LENGTH, message=_l("The password is too long.")),
        ],
    )
    new_password = _password_field(
        _l("New password"),
        _l("At least 8 characters. Not a common password such as 12345678."),
    )
    confirm = _repeat_field(
        "new_password", _l("Repeat the new password"), _l("Repeat the new password.")
    )


EMAIL_FREQUENCY_LABELS = {
    EmailFrequency.IMMEDIATELY: _l("Immediately: one e-mail for each notification"),
    EmailFrequency.DAILY: _l("Once a day: one e-mail with everything new"),
    EmailFrequency.NEVER: _l("Never: I read them here, on the site"),
}
_CHOOSE_FREQUENCY = _l("Choose how often we e-mail you: immediately, once a day or never.")


class ProfileForm(Form):
    display_name = _display_name_field()
    locale = SelectField(
        _l("Language"),
        description=_l("The language of the pages and of the e-mails we send you."),
        choices=[SelectChoice(code, LANGUAGE_NAMES[code]) for code in LANGUAGES],
        validators=[InputRequired(_l("Choose a language."))],
    )
    age_bracket = SelectField(
        _l("Age (optional)"),
        description=_l("Used only in the centre's statistics, never together with your name."),
        choices=[SelectChoice("", _l("I prefer not to say"))]
        + [SelectChoice(bracket.value, label) for bracket, label in AGE_BRACKET_LABELS.items()
           if bracket is not AgeBracket.UNDER_16],
        validators=[Optional()],
    )
    # Shown only to people with an e-mail: the view removes it for the others. Left out of
    # the post, the saved choice stays.
    email_frequency = RadioField(
        _l("E-mail me about notifications"),
        description=_l("You always see your notifications on the site. This only decides the "
                       "e-mails: the reply to your proposal, a freed place, a reminder."),
        choices=[SelectChoice(frequency.value, label)
                 for frequency, label in EMAIL_FREQUENCY_LABELS.items()],
        validate_choice=False,  # AnyOf says what to do instead of "Not a valid choice"
        validators=[Optional(), AnyOf([frequency.value for frequency in EmailFrequency],
                                      message=_CHOOSE_FREQUENCY)],
    )
