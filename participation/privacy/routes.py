"""``my_data`` (``/account/data``): download my data, delete my account.
``erasure`` (``/c/<slug>/manage/members``): an animator confirms the erasure of a card-only
resident who asks for it at the desk.

Every ``my_data`` view needs a signed-in person (anonymous people are sent to sign in) and
shows only that person's own data. Pages holding personal data are sent with
``Cache-Control: private, no-store``: a shared computer's browser must not keep a copy.
``erasure`` needs a manager of ``g.centre`` (everybody else 403), and the member must belong
to the centre (404 otherwise: whether someone is a member is private).
"""

from __future__ import annotations

from flask import (
    Blueprint,
    Response,
    current_app,
    flash,
    g,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_required, logout_user

from ..cards.service import active_card
from ..centres.routes import load_centre
from ..centres.service import ensure_manager, memberships_of
from ..errors import DomainError
from ..extensions import limiter
from . import service
from .forms import ConfirmErasureForm, DeleteAccountForm

bp = Blueprint("my_data", __name__)
manage_bp = Blueprint("erasure", __name__)
manage_bp.url_value_preprocessor(load_centre)

NO_STORE = {"Cache-Control": "private, no-store"}


@bp.before_request
@login_required
def require_sign_in():
    """Anonymous people are sent to sign in."""


@bp.get("/")
def index():
    data = service.collect_personal_data(current_user)
    return render_template("privacy/my_data.html", data=data, sections=service.SECTIONS,
                           labels=service.FIELD_LABELS), 200, NO_STORE


@bp.get("/my-data.json")
def download():
    data = service.collect_personal_data(current_user)
    response = Response(service.to_json(data), content_type="application/json; charset=utf-8")
    response.headers.set("Content-Disposition", "attachment", filename="my-data.json")
    response.headers.update(NO_STORE)
    return response


def _delete_page(form: DeleteAccountForm, status: int = 200):
    return render_template("privacy/delete.html", form=form,
                           memberships=memberships_of(current_user)), status, NO_STORE


@bp.route("/delete", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["RATELIMIT_LOGIN_IP"], methods=["POST"])
def delete():
    form = DeleteAccountForm()
    if current_user.has_card_only:
        # No e-mail, perhaps only a PIN: the centre's animator confirms in person instead.
        return _delete_page(form, 403 if request.method == "POST" else 200)
    if not form.validate_on_submit():
        return _delete_page(form, 422 if form.errors else 200)
    try:
        service.delete_own_account(current_user, form.password.data)
    except DomainError as error:
        if error.status not in (403, 409, 422):
            raise
        (form.password.errors if error.status == 403 else form.form_errors).append(error.message)
        return _delete_page(form, 422 if error.status == 403 else error.status)
    locale = session.get("locale")
    logout_user()
    session.clear()
    if locale:
        session["locale"] = locale
    flash(_("Your account is deleted. Your name is gone from the platform; what you did "
            "still counts, without your name. Thank you for taking part."), "success")
    return redirect(url_for("centres.index"), code=303)


# --- The animator confirms at the desk -------------------------------------------------------


@manage_bp.before_request
@login_required
def require_manager():
    """Anonymous people are sent to sign in; everyone but the centre's managers gets 403."""
    ensure_manager(current_user, g.centre)


def _after_erasure_url() -> str:
    # The members' list belongs to another part of the app; until it exists, the centre's page.
    if "members.index" in current_app.view_functions:
        return url_for("members.index", slug=g.centre.slug)
    return url_for("centres.home", slug=g.centre.slug)


@manage_bp.route("/<int:user_id>/erase", methods=["GET", "POST"])
def confirm(user_id: int):
    member = service.erasable_member(current_user, g.centre, user_id)
    form = ConfirmErasureForm()
    if form.validate_on_submit():
        service.erase_member(current_user, g.centre, user_id)
        flash(_("The account is deleted. The resident's name is gone; what they did still "
                "counts, without their name."), "success")
        return redirect(_after_erasure_url(), code=303)
    return render_template(
        "privacy/confirm_erasure.html", centre=g.centre, member=member, form=form,
        card=active_card(member), back_url=_after_erasure_url(),
    ), 422 if form.errors else 200, NO_STORE
