"""Account forms. Messages are specific, so a person knows exactly what to fix."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, EmailField, PasswordField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Email, EqualTo, InputRequired, Length, Optional

from ..config import LANGUAGES
from ..forms import Form, strip
from ..i18n import LANGUAGE_NAMES
from ..models import AgeBracket
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


def _email_field(label):
    return EmailField(
        label,
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


def _repeat_field(other: str, label, missing_message):
    return PasswordField(
        label,
        validators=[
            DataRequired(missing_message),
            EqualTo(other, _l("The two passwords are not the same.")),
        ],
    )


class RegisterForm(Form):
    display_name = _display_name_field()
    email = _email_field(_l("E-mail address"))
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
    email = _email_field(_l("E-mail address"))
    password = PasswordField(
        _l("Password"),
        validators=[
            DataRequired(_l("Enter your password.")),
            Length(max=MAX_LENGTH, message=_l("The password is too long.")),
        ],
    )
    remember = BooleanField(_l("Keep me signed in on this device"))


class ChangePasswordForm(Form):
    current_password = PasswordField(
        _l("Current password"),
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


class ProfileForm(Form):
    display_name = _display_name_field()
    locale = SelectField(
        _l("Language"),
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
