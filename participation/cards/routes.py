"""Access cards. ``cards`` (``/account/card``): signing in with a card, setting a PIN.
``manage_cards`` (``/c/<slug>/manage/cards``): animators register residents and issue cards.

A card's code is a secret shown once: the page that answers the POST which issued it holds
the printable card, sent with ``Cache-Control: no-store`` and never through a redirect (a
flash message would keep the code in the session cookie). Reloading it shows nothing again.

The QR code's address (``cards.link``) answers GET with a page and a button only: link
previews, scanners and prefetching must not spend the one-time sign-in.
"""

from __future__ import annotations

import segno
from flask import (
    Blueprint,
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
from flask_login import current_user, login_required

from ..accounts.routes import _start_session
from ..centres.routes import load_centre
from ..centres.service import ensure_manager, memberships_of
from ..errors import DomainError
from ..extensions import db, limiter
from ..models import AgeBracket
from . import service
from .codes import display_code, normalise_code
from .forms import CardSignInForm, NewCardForm, SetPinForm

bp = Blueprint("cards", __name__)
manage_bp = Blueprint("manage_cards", __name__)
manage_bp.url_value_preprocessor(load_centre)

# Set in the session by the one-time link: the PIN may then be set without a current one.
FRESH_FROM_LINK = "card_link_sign_in"
NO_STORE = {"Cache-Control": "no-store"}


def _card_key() -> str:
    """Rate-limit key for the card being tried, whoever tries it and from wherever."""
    typed = request.form.get("code", "")
    return "card:" + (normalise_code(typed) or "invalid")


def _card_ip_limit() -> str:
    return current_app.config["RATELIMIT_CARD_IP"]


# --- Residents: the link, the PIN, signing in ---------------------------------------------


@bp.route("/", methods=["GET", "POST"])
@limiter.limit(_card_ip_limit, methods=["POST"])
@limiter.limit(lambda: current_app.config["RATELIMIT_CARD_CODE"], methods=["POST"],
               key_func=_card_key, scope="card-code")
def sign_in():
    if current_user.is_authenticated:
        return redirect(url_for("centres.index"), code=303)
    form = CardSignInForm()
    status = 200
    if form.validate_on_submit():
        try:
            user = service.sign_in_with_pin(
                form.code.data, form.secret.data,
                max_failed=current_app.config["CARD_MAX_FAILED_ATTEMPTS"],
                lock_minutes=current_app.config["CARD_LOCK_MINUTES"])
        except DomainError as error:
            # The wrong PIN was counted (and maybe the card locked): keep that, although the
            # 4xx answer rolls the rest of the request back. Nothing else was written.
            db.session.commit()
            form.form_errors.append(error.message)
            status = error.status
        else:
            _start_session(user, remember=form.remember.data)
            flash(_("You are signed in."), "success")
            return redirect(_home_of(user), code=303)
    elif form.errors:
        status = 422
    return render_template("cards/sign_in.html", form=form), status, NO_STORE


@bp.route("/<code>", methods=["GET", "POST"])
@limiter.limit(_card_ip_limit)
def link(code: str):
    if request.method == "GET":
        valid = service.link_is_valid(code)
        return (render_template("cards/link.html", code=code, valid=valid),
                200 if valid else 404, NO_STORE)
    try:
        user = service.sign_in_with_link(code)
    except DomainError as error:
        return (render_template("cards/link.html", code=code, valid=False,
                                message=error.message), 404, NO_STORE)
    _start_session(user, remember=False)
    session[FRESH_FROM_LINK] = True
    flash(_("Welcome, %(name)s! You are signed in.", name=user.display_name), "success")
    return redirect(url_for("cards.set_pin"), code=303)


def _home_of(user) -> str:
    """The centre's page for a member of one centre, else the list of centres."""
    memberships = memberships_of(user)
    if len(memberships) == 1:
        return url_for("centres.home", slug=memberships[0].centre.slug)
    return url_for("centres.index")


@bp.route("/pin", methods=["GET", "POST"])
@login_required
def set_pin():
    user = current_user._get_current_object()
    # Right after the card's link, or before any PIN exists, no current one is asked for;
    # otherwise a phone left signed in must not let someone else change it.
    needs_current = user.password_hash is not None and not session.get(FRESH_FROM_LINK)
    form = SetPinForm()
    if form.validate_on_submit():
        if needs_current and not user.check_password(form.current.data or ""):
            form.current.errors.append(
                _("This is not your current PIN or password. Type it again, or ask at your "
                  "centre for a new card."))
        else:
            try:
                service.set_pin(user, form.secret.data)
            except DomainError as error:
                form.secret.errors.append(error.message)
            else:
                session.pop(FRESH_FROM_LINK, None)
                if user.has_card_only:
                    flash(_("Your PIN is saved. Next time, sign in with the code on your card "
                            "and this PIN."), "success")
                else:
                    flash(_("Your new password is saved."), "success")
                return redirect(_home_of(user), code=303)
    return (render_template("cards/set_pin.html", form=form, needs_current=needs_current,
                            home=_home_of(user)),
            422 if form.errors else 200, NO_STORE)


# --- Animators: registering residents, issuing cards --------------------------------------


@manage_bp.before_request
@login_required
def require_manager():
    """Anonymous people are sent to sign in; everyone but the centre's managers gets 403."""
    ensure_manager(current_user, g.centre)


def _card_page(user, code: str, status: int, reissued: bool):
    link_url = url_for("cards.link", code=code, _external=True)
    qr = segno.make(link_url, error="m")
    scale = 4
    return render_template(
        "cards/card.html", centre=g.centre, holder=user, reissued=reissued,
        link_url=link_url, code=display_code(code),
        sign_in_url=url_for("cards.sign_in", _external=True),
        qr_size=qr.symbol_size(scale=scale)[0],
        qr_uri=qr.svg_data_uri(scale=scale, dark="#000", light="#fff"),
    ), status, NO_STORE


@manage_bp.route("/new", methods=["GET", "POST"])
def new():
    form = NewCardForm()
    if form.validate_on_submit():
        try:
            user, _card, code = service.register_card_resident(
                current_user, g.centre, form.display_name.data,
                AgeBracket(form.age_bracket.data) if form.age_bracket.data else None,
                form.consent_noted.data)
        except DomainError as error:
            if error.status != 422:
                raise
            form.form_errors.append(error.message)
        else:
            return _card_page(user, code, 201, reissued=False)
    return (render_template("cards/new.html", centre=g.centre, form=form),
            422 if form.errors else 200)


@manage_bp.post("/<int:user_id>/reissue")
def reissue(user_id: int):
    # The global CSRF check has already run: the form has nothing else to validate.
    user, _card, code = service.reissue_card(current_user, g.centre, user_id)
    return _card_page(user, code, 201, reissued=True)
