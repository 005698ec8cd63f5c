"""Forms of the API-token screen. The service checks the name again (``tokens.create_token``)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_babel import lazy_ngettext
from wtforms import StringField
from wtforms.validators import DataRequired, Length

from ..forms import Form, strip
from .tokens import MAX_NAME_LENGTH


class TokenForm(Form):
    """Make a token: only its name, so animators know later which tool holds it."""

    name = StringField(
        _l("Name of the token"),
        filters=[strip],
        description=_l("For example the tool or the person that will use it: "
                       "“City report spreadsheet”."),
        validators=[
            DataRequired(_l("Give the token a name, e.g. the tool that will use it.")),
            Length(max=MAX_NAME_LENGTH,
                   message=lazy_ngettext("The name can have at most %(num)d character.",
                                         "The name can have at most %(num)d characters.",
                                         MAX_NAME_LENGTH)),
        ],
    )


class RevokeTokenForm(Form):
    """Revoke one token: nothing but the CSRF token."""
