"""The form of a centre's own parts of its accessibility statement and privacy notice.

Limits follow the columns (``service.LIMITS``); the service checks them again.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_babel import lazy_ngettext
from wtforms import EmailField, StringField, TextAreaField
from wtforms.validators import Email, Length, Optional, Regexp

from ..forms import Form, strip
from .service import LIMITS


def _length(name: str) -> Length:
    return Length(max=LIMITS[name], message=lazy_ngettext(
        "Shorten it to at most %(num)d character.", "Shorten it to at most %(num)d characters.",
        LIMITS[name]))


class StatementsForm(Form):
    accessibility_contact_name = StringField(
        _l("Name of the person to contact"),
        description=_l("The person who answers accessibility requests, e.g. Anna Kowalska. "
                       "A role is fine too: “the centre's coordinator”."),
        filters=[strip],
        validators=[Optional(), _length("accessibility_contact_name")],
    )
    accessibility_contact_email = EmailField(
        _l("Their e-mail address"),
        description=_l("An address that is read every working day, e.g. dostepnosc@example.org."),
        filters=[strip],
        validators=[
            Optional(),
            _length("accessibility_contact_email"),
            Email(_l("Enter an e-mail address in the form name@example.org."),
                  check_deliverability=False),
        ],
    )
    accessibility_contact_phone = StringField(
        _l("Their phone number"),
        description=_l("A phone of the centre, not a private one, e.g. 22 123 45 67."),
        filters=[strip],
        validators=[
            Optional(),
            _length("accessibility_contact_phone"),
            Regexp(r"^[0-9+()\-. /]*$",
                   message=_l("Use only digits, spaces and + ( ) - . /, e.g. +48 22 123 45 67.")),
        ],
    )
    building_accessibility = TextAreaField(
        _l("Accessibility of the building"),
        description=_l("Describe the entrance (steps, ramp, lift), the doors, the toilet, "
                       "parking for disabled people, whether an assistance dog may enter, and "
                       "where a visitor can ask for help."),
        filters=[strip],
        validators=[Optional(), _length("building_accessibility")],
    )
    communication_accessibility = TextAreaField(
        _l("Communication accessibility"),
        description=_l("For example: how to book a Polish Sign Language interpreter (how many "
                       "days ahead), an induction loop, contact by text message or e-mail for "
                       "deaf people, materials in large print."),
        filters=[strip],
        validators=[Optional(), _length("communication_accessibility")],
    )
    dpo_contact = StringField(
        _l("Contact of the data protection officer"),
        description=_l("The operator's data protection officer (inspektor ochrony danych), "
                       "e.g. iod@example.org or a postal address."),
        filters=[strip],
        validators=[Optional(), _length("dpo_contact")],
    )
