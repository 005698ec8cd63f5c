"""Site-wide pages."""

from __future__ import annotations

from flask import Blueprint, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import text

from ..errors import render_error
from ..extensions import db
from ..legal import service as legal
from ..security import safe_next
from .forms import LanguageForm

bp = Blueprint("site", __name__)


@bp.post("/language")
def set_language():
    """Remember the chosen language for this browser, and for the account when signed in."""
    form = LanguageForm()
    if not form.validate_on_submit():
        return render_error(400, _("Choose one of the languages offered."))
    session["locale"] = form.locale.data
    if current_user.is_authenticated:
        current_user.locale = form.locale.data
    return redirect(safe_next(form.next.data, url_for("centres.index")), code=303)


@bp.get("/accessibility")
def accessibility():
    """The platform's accessibility statement; it links to each centre's own statement."""
    return render_template("site/accessibility.html", platform=legal.platform(),
                           centres=legal.centres_for_statements())


@bp.get("/privacy")
def privacy():
    """The platform's privacy notice; it links to each centre's own notice."""
    return render_template("site/privacy.html", platform=legal.platform(),
                           centres=legal.centres_for_statements())


@bp.get("/help")
def help():
    """“How it works”: taking part in a few short steps, in plain language, with pictures."""
    return render_template("site/help.html")


@bp.get("/healthz")
def health():
    """For load balancers and monitoring: the app answers and reaches its database."""
    db.session.execute(text("SELECT 1"))
    return {"status": "ok"}


@bp.app_context_processor
def language_form():
    """Every page carries the language switch, pointing back to the page it was on."""
    form = LanguageForm(formdata=None, locale=None)
    form.next.data = request.full_path.rstrip("?") if request else "/"
    return {"language_form": form}
