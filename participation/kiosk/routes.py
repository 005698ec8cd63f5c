"""``manage_kiosk`` (``/c/<slug>/manage/kiosk``): animators open and close kiosks.
``kiosk`` (``/kiosk``): the tablet's screens, reachable only with the kiosk's own token.

Opening a kiosk turns the animator's browser into the kiosk: the animator is signed out on
this device (the session is emptied) and the browser gets a cookie holding the kiosk's token,
HttpOnly, SameSite=Strict, Secure over HTTPS, sent only to ``/kiosk``. The tablet thus never
holds a personal session, and the token opens nothing but the kiosk's two screens.

The kiosk's screens use their own layout: no navigation, no script, no flash messages, no
other person's data. Every response is ``Cache-Control: no-store``. The start screen reloads
itself every minute (``<meta http-equiv="refresh">``), the result screen goes back to the
start after five seconds. Anyone without a working kiosk cookie gets 403, signed in or not;
so does a kiosk device where someone has signed in since.
"""

from __future__ import annotations

import hashlib

from flask import (
    Blueprint,
    current_app,
    flash,
    g,
    make_response,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_limiter.util import get_remote_address
from flask_login import current_user, login_required, logout_user
from flask_login.config import COOKIE_NAME as REMEMBER_COOKIE_DEFAULT
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import TooManyRequests

from ..centres.routes import load_centre
from ..centres.service import ensure_manager
from ..errors import CSRF_TEXT, DomainError
from ..extensions import limiter
from ..i18n import local_range
from ..models import utcnow
from . import service
from .forms import CloseKioskForm, CodeForm, OpenKioskForm

COOKIE_NAME = "kiosk"

manage_bp = Blueprint("manage_kiosk", __name__)
manage_bp.url_value_preprocessor(load_centre)
bp = Blueprint("kiosk", __name__)


# --- The animators' screen -----------------------------------------------------------------


@manage_bp.before_request
@login_required
def require_manager():
    """Anonymous people are sent to sign in; everyone but the centre's managers gets 403."""
    ensure_manager(current_user, g.centre)


def _prepared(form: OpenKioskForm) -> OpenKioskForm:
    activities = [
        (activity.id, f"{activity.title} "
                      f"({local_range(activity.starts_at, activity.ends_at, format='medium')})")
        for activity in service.activity_choices(g.centre)]
    proposals = [(proposal.id, proposal.title) for proposal in service.proposal_choices(g.centre)]
    return form.set_choices(activities, proposals)


def _manage_page(form: OpenKioskForm, status: int = 200):
    return render_template(
        "kiosk/manage.html", centre=g.centre, form=form, close_form=CloseKioskForm(),
        kiosks=service.open_kiosks(current_user, g.centre),
        hours=current_app.config["KIOSK_HOURS"]), status


def _kiosk_path() -> str:
    """The cookie's path: the kiosk's URLs and nothing else ("/kiosk")."""
    return url_for("kiosk.start").rstrip("/") or "/"


@manage_bp.route("/", methods=["GET", "POST"])
def index():
    if request.method == "GET":
        return _manage_page(_prepared(OpenKioskForm(formdata=None)))
    form = _prepared(OpenKioskForm())
    if not form.validate_on_submit():
        return _manage_page(form, 422)
    activity_id, proposal_id = form.chosen()
    try:
        kiosk, token = service.open_kiosk(
            current_user, g.centre, hours=current_app.config["KIOSK_HOURS"],
            activity_id=activity_id, proposal_id=proposal_id)
    except DomainError as error:
        if error.status != 422:
            raise
        form.subject.errors = [*form.subject.errors, error.message]
        return _manage_page(form, error.status)
    # This device becomes the kiosk: sign the animator out here, keep only the language.
    locale = str(get_locale())
    had_remember_cookie = _remember_cookie_name() in request.cookies
    logout_user()
    session.clear()
    session["locale"] = locale
    if had_remember_cookie:  # clearing the session dropped flask-login's own "clear" mark
        session["_remember"] = "clear"
    response = redirect(url_for("kiosk.start"), code=303)
    response.set_cookie(
        COOKIE_NAME, token, max_age=int((kiosk.expires_at - utcnow()).total_seconds()),
        path=_kiosk_path(), httponly=True, samesite="Strict",
        # Secure like the session cookie: behind a proxy that ends TLS the request looks plain.
        secure=request.is_secure or current_app.config["SESSION_COOKIE_SECURE"])
    return response


def _remember_cookie_name() -> str:
    return current_app.config.get("REMEMBER_COOKIE_NAME", REMEMBER_COOKIE_DEFAULT)


@manage_bp.post("/<int:kiosk_id>/close")
def close(kiosk_id: int):
    # The global CSRF check has already run: the form has nothing else to validate.
    if service.close_kiosk(current_user, g.centre, kiosk_id):
        flash(_("The kiosk is closed. The tablet shows “ask an animator” from its next "
                "request."), "success")
    else:
        flash(_("This kiosk was already closed."), "info")
    return redirect(url_for("manage_kiosk.index", slug=g.centre.slug), code=303)


# --- The tablet ----------------------------------------------------------------------------


def _kiosk_rate_key() -> str:
    """Each kiosk has its own budget of codes (a hash of its token), else the address."""
    token = request.cookies.get(COOKIE_NAME)
    if token:
        return "kiosk:" + hashlib.sha256(token.encode()).hexdigest()
    return "kiosk-ip:" + get_remote_address()


def _refused(reason: str):
    response = make_response(render_template("kiosk/refused.html", reason=reason), 403)
    if reason == "closed" and COOKIE_NAME in request.cookies:
        response.delete_cookie(COOKIE_NAME, path=_kiosk_path())
    return response


@bp.before_request
def require_kiosk():
    """Only a browser holding a working kiosk's token, and no personal session, gets in."""
    g.kiosk = service.kiosk_for_token(request.cookies.get(COOKIE_NAME))
    if g.kiosk is None:
        return _refused("closed")
    if current_user.is_authenticated:
        return _refused("signed_in")
    g.centre = g.kiosk.centre  # dates on the kiosk show in the centre's time zone
    return None


@bp.after_request
def never_store(response):
    """The screens name the person who just used the tablet: nothing may keep a copy."""
    response.headers["Cache-Control"] = "no-store"
    return response


def _subject(kiosk):
    """The activity or the proposal the kiosk is for (None before the kiosk is known)."""
    return None if kiosk is None else (kiosk.activity or kiosk.proposal)


def _result_page(result: service.KioskResult):
    subject = _subject(g.get("kiosk"))
    return render_template("kiosk/result.html", kiosk=g.get("kiosk"), result=result,
                           title=subject.title if subject else ""), result.status


def _problem(outcome: str, status: int, message: str = ""):
    return _result_page(service.KioskResult(outcome, status, message=message))


@bp.errorhandler(CSRFError)
def kiosk_form_expired(_error: CSRFError):
    return _problem("expired", 400, str(CSRF_TEXT))


@bp.errorhandler(TooManyRequests)
def kiosk_too_many(_error: TooManyRequests):
    return _problem("too_many", 429)


@bp.get("/")
def start():
    return render_template("kiosk/start.html", kiosk=g.kiosk, subject=_subject(g.kiosk),
                           form=CodeForm(formdata=None))


@bp.post("/")
@limiter.limit(lambda: current_app.config["RATELIMIT_KIOSK"], key_func=_kiosk_rate_key,
               scope="kiosk")
def enter():
    form = CodeForm()
    if form.validate():
        result = service.enter_code(g.kiosk, form.code.data)
    else:  # too long to be a code
        result = service.KioskResult("malformed", 422)
    return _result_page(result)
