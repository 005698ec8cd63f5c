"""Small pieces shared by every domain's forms."""

from __future__ import annotations

from flask import request
from flask_wtf import FlaskForm

# No list is browsed this deep; the cap keeps OFFSET (page × page size) inside a 64-bit integer.
MAX_PAGE = 10_000


class Form(FlaskForm):
    """Base of every form: hidden fields get no id, so many forms can share one page."""

    class Meta(FlaskForm.Meta):
        def render_field(self, field, render_kw):
            if field.type in ("CSRFTokenField", "HiddenField"):
                render_kw = {"id": False, **render_kw}
            return super().render_field(field, render_kw)


def strip(value: str | None) -> str | None:
    """WTForms filter: drop the spaces phones and copy-paste leave around typed text."""
    return value.strip() if isinstance(value, str) else value


def requested_page() -> int:
    """The list page asked for in ``?page=``: 1 when missing or malformed, at most MAX_PAGE."""
    page = request.args.get("page", 1, type=int) or 1
    return min(max(page, 1), MAX_PAGE)
