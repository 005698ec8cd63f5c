"""``legal`` (``/c/<slug>``): a centre's accessibility statement and privacy notice.
``manage_legal`` (``/c/<slug>/manage/statements``): the centre edits its own parts of both.

Both public pages are readable by anyone, signed in or not. The edit screen is for the centre's
managers (animators and platform admins): anonymous people are sent to sign in, everyone else
gets 403; the service checks the same again.
"""

from __future__ import annotations

from flask import Blueprint, current_app, flash, g, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from ..centres.routes import load_centre
from ..centres.service import ensure_manager
from ..errors import DomainError
from ..extensions import db
from . import service
from .forms import StatementsForm

bp = Blueprint("legal", __name__)
bp.url_value_preprocessor(load_centre)
manage_bp = Blueprint("manage_legal", __name__)
manage_bp.url_value_preprocessor(load_centre)


@bp.app_template_global()
def endpoint_exists(endpoint: str) -> bool:
    """Whether the app has this endpoint: pages link to features only where they exist."""
    return endpoint in current_app.view_functions


@bp.get("/accessibility")
def accessibility():
    return render_template("legal/accessibility.html", centre=g.centre,
                           platform=service.platform())


@bp.get("/privacy")
def privacy():
    return render_template("legal/privacy.html", centre=g.centre, platform=service.platform())


@manage_bp.before_request
@login_required
def require_manager():
    """Anonymous people are sent to sign in; everyone but the centre's managers gets 403."""
    ensure_manager(current_user, g.centre)


@manage_bp.route("/", methods=["GET", "POST"])
def edit():
    centre = g.centre
    form = StatementsForm(obj=centre)
    if form.validate_on_submit():
        try:
            service.update_statements(
                current_user, centre,
                **{name: form[name].data or "" for name in service.LIMITS})
        except DomainError as error:
            if error.status != 422:
                raise
            db.session.rollback()
            form.form_errors.append(error.message)
        else:
            flash(_("Saved. The accessibility statement and the privacy notice show the "
                    "new text."), "success")
            return redirect(url_for("manage_legal.edit", slug=centre.slug), code=303)
    return (render_template("legal/edit.html", centre=centre, form=form),
            422 if form.errors else 200)
