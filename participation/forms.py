"""Small pieces shared by every domain's forms."""

from __future__ import annotations

from flask_wtf import FlaskForm


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
