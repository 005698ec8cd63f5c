"""The language switch: a plain form, so it works without JavaScript."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import HiddenField, SelectField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired

from ..config import LANGUAGES
from ..forms import Form
from ..i18n import LANGUAGE_NAMES


class LanguageForm(Form):
    locale = SelectField(
        _l("Language"),
        choices=[SelectChoice(code, LANGUAGE_NAMES[code]) for code in LANGUAGES],
        validators=[InputRequired(_l("Choose a language."))],
    )
    next = HiddenField()
