"""Small pieces shared by every domain's forms."""

from __future__ import annotations

from flask import request
from flask_babel import lazy_gettext as _l
from flask_babel import lazy_ngettext
from flask_wtf import FlaskForm
from wtforms import DateField

# Dates outside these years are typing mistakes; refusing them also keeps local-day arithmetic
# far from datetime's limits (year 1 in a zone east of Greenwich cannot be moved to UTC).
FIRST_YEAR, LAST_YEAR = 2000, 2100
# No list is browsed this deep; the cap keeps OFFSET (page × page size) inside a 64-bit integer.
MAX_PAGE = 10_000


class Form(FlaskForm):
    """Base of every form: hidden fields get no id, so many forms can share one page."""

    class Meta(FlaskForm.Meta):
        def render_field(self, field, render_kw):
            if field.type in ("CSRFTokenField", "HiddenField"):
                render_kw = {"id": False, **render_kw}
            return super().render_field(field, render_kw)


def at_most_characters(limit: int):
    """The message of a Length(max=limit) validator, with the plural form the limit needs."""
    return lazy_ngettext("Enter at most %(num)d character.", "Enter at most %(num)d characters.",
                         limit)


def strip(value: str | None) -> str | None:
    """WTForms filter: drop the spaces phones and copy-paste leave around typed text."""
    return value.strip() if isinstance(value, str) else value


def requested_page() -> int:
    """The list page asked for in ``?page=``: 1 when missing or malformed, at most MAX_PAGE."""
    page = request.args.get("page", 1, type=int) or 1
    return min(max(page, 1), MAX_PAGE)


class LocalDateField(DateField):
    """A calendar date, which the view turns into a moment in the centre's time zone.

    WTForms' own "Not a valid date value." becomes ``invalid_message``; a year outside
    FIRST_YEAR..LAST_YEAR is refused here, so no view can overflow converting it.
    """

    def __init__(self, *args, invalid_message=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.invalid_message = invalid_message or _l("Enter a date in the form 2026-05-31.")

    def process_formdata(self, valuelist):
        try:
            super().process_formdata(valuelist)
        except ValueError:
            raise ValueError(str(self.invalid_message)) from None
        if self.data is not None and not FIRST_YEAR <= self.data.year <= LAST_YEAR:
            self.data = None
            raise ValueError(str(_l("Enter a date between the years %(first)d and %(last)d.",
                                    first=FIRST_YEAR, last=LAST_YEAR)))
