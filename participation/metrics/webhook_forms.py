"""Forms of the webhook screen. The service checks the address again (``webhook.check_url``):
scheme, server name, and that it does not lead into a private network."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_babel import lazy_ngettext
from wtforms import URLField
from wtforms.validators import DataRequired, Length

from ..forms import Form, strip
from .webhook import MAX_URL_LENGTH


class WebhookForm(Form):
    """The address the daily figures are sent to."""

    url = URLField(
        _l("Address of the receiver"),
        filters=[strip],
        description=_l("A web address starting with https://, given by whoever receives the "
                       "figures, e.g. https://raporty.example.org/cal/participation."),
        validators=[
            DataRequired(_l("Enter the address the figures should be sent to.")),
            Length(max=MAX_URL_LENGTH,
                   message=lazy_ngettext("The address can have at most %(num)d character.",
                                         "The address can have at most %(num)d characters.",
                                         MAX_URL_LENGTH)),
        ],
    )


class WebhookActionForm(Form):
    """Make a new secret, or remove the webhook: nothing but the CSRF token."""
