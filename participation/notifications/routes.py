"""The person's notifications: a list, and one button to mark them read."""

from __future__ import annotations

from flask import Blueprint, redirect, render_template, url_for
from flask_login import current_user, login_required

from ..forms import Form
from . import service

bp = Blueprint("notifications", __name__)


class MarkReadForm(Form):
    """No fields: the button carries only the CSRF token."""


@bp.get("/")
@login_required
def index():
    return render_template(
        "notifications/index.html",
        notifications=service.latest(current_user),
        message=service.message,
        form=MarkReadForm(),
        frequency_line=service.frequency_line(current_user),
    )


@bp.post("/read")
@login_required
def mark_read():
    service.mark_all_read(current_user)
    return redirect(url_for("notifications.index"), code=303)
