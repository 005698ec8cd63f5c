"""Forms of the platform admin area."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import EmailField, StringField, TextAreaField
from wtforms.validators import DataRequired, Email, Length, Optional, Regexp

from ..forms import Form, at_most_characters, strip
from .service import SLUG_PATTERN


def _text(label, max_length, required=False, description=None):
    validators = [Length(max=max_length, message=at_most_characters(max_length))]
    validators.insert(0, DataRequired(_l("This field is required.")) if required else Optional())
    return StringField(label, validators=validators, description=description, filters=[strip])


class CentreForm(Form):
    name = _text(_l("Name"), 160, required=True,
                 description=_l("As residents know it, e.g. “CAL Paca 40”."))
    slug = StringField(
        _l("Address name"),
        filters=[strip],
        description=_l("Used in the centre's web address, e.g. paca-40 gives /c/paca-40/."),
        validators=[
            DataRequired(_l("This field is required.")),
            Length(max=60, message=at_most_characters(60)),
            Regexp(SLUG_PATTERN, message=_l("Use only small letters without accents, digits and "
                                            "single hyphens, e.g. paca-40.")),
        ],
    )
    operator = _text(_l("Run by"), 200,
                     description=_l("The institution or organisation that runs the centre."))
    city = _text(_l("Town"), 80, required=True,
                 description=_l("Residents search for their centre by town, e.g. Warszawa."))
    district = _text(_l("District or neighbourhood"), 80,
                     description=_l("Optional, e.g. Grochów."))
    address = _text(_l("Address"), 200,
                    description=_l("Street and number, e.g. ul. Paca 40, 04-386 Warszawa."))
    description = TextAreaField(
        _l("Description"),
        description=_l("A few sentences for residents: what the centre does and for whom."),
        filters=[strip],
        validators=[Optional(), Length(max=5000, message=at_most_characters(5000))],
    )
    contact_email = EmailField(
        _l("Contact e-mail of the centre"),
        description=_l("Shown on the centre's page, e.g. cal@example.org."),
        filters=[strip],
        validators=[Optional(), Length(max=254, message=at_most_characters(254)),
                    Email(_l("Enter an e-mail address in the form name@example.com."),
                          check_deliverability=False)],
    )
    contact_phone = _text(_l("Contact phone of the centre"), 40,
                          description=_l("Shown on the centre's page, e.g. 22 123 45 67."))
    timezone = _text(_l("Time zone"), 64, required=True,
                     description=_l("A name from the time zone database, e.g. Europe/Warsaw."))


class AnimatorForm(Form):
    email = EmailField(
        _l("E-mail address of the person"),
        filters=[strip],
        description=_l("The person must already have an account."),
        validators=[
            DataRequired(_l("Enter an e-mail address.")),
            Length(max=254, message=at_most_characters(254)),
            Email(_l("Enter an e-mail address in the form name@example.com."),
                  check_deliverability=False),
        ],
    )


class RemoveAnimatorForm(Form):
    """No fields: the button's form carries only the CSRF token."""
