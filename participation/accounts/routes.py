"""Account views: parse the form, call the service, render or redirect."""

from __future__ import annotations

from flask import (
    Blueprint,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user

from ..centres.service import memberships_of
from ..errors import DomainError
from ..extensions import limiter
from ..models import AgeBracket, EmailFrequency
from ..notifications.service import set_email_frequency
from ..security import safe_next
from . import service
from .forms import ChangePasswordForm, LoginForm, ProfileForm, RegisterForm

bp = Blueprint("accounts", __name__)


def _account_key() -> str:
    """Rate-limit key for the account being tried, whoever tries it and from wherever."""
    return "account:" + service.normalise_email(request.form.get("email", ""))[:254]


def _start_session(user, remember: bool) -> None:
    """Sign in on a fresh session, so nothing planted in the old one survives (fixation)."""
    locale = session.get("locale")
    session.clear()
    if locale:
        session["locale"] = locale
    login_user(user, remember=remember)


def _redirect_after_sign_in():
    target = safe_next(request.args.get("next"), url_for("centres.index"))
    return redirect(target, code=303)


@bp.route("/register", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["RATELIMIT_REGISTER_IP"], methods=["POST"])
def register():
    if current_user.is_authenticated:
        return redirect(url_for("centres.index"))
    form = RegisterForm()
    if form.validate_on_submit():
        try:
            user = service.register(
                form.display_name.data, form.email.data, form.password.data,
                locale=session.get("locale") or request.accept_languages.best_match(
                    current_app.config["LANGUAGES"]),
            )
        except DomainError as error:
            field = form.email if error.status == 409 else form.password
            field.errors.append(error.message)
        else:
            _start_session(user, remember=False)
            flash(_("Welcome, %(name)s! Your account is ready.", name=user.display_name),
                  "success")
            return _redirect_after_sign_in()
    return render_template("accounts/register.html", form=form), 422 if form.errors else 200


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["RATELIMIT_LOGIN_IP"], methods=["POST"])
@limiter.limit(
    lambda: current_app.config["RATELIMIT_LOGIN_ACCOUNT"], methods=["POST"],
    key_func=_account_key, scope="login-account",
)
def login():
    if current_user.is_authenticated:
        return _redirect_after_sign_in()
    form = LoginForm()
    if form.validate_on_submit():
        try:
            user = service.authenticate(form.email.data, form.password.data)
        except DomainError as error:
            form.form_errors.append(error.message)
        else:
            _start_session(user, remember=form.remember.data)
            flash(_("You are signed in."), "success")
            return _redirect_after_sign_in()
    return render_template("accounts/login.html", form=form), 422 if form.errors else 200


@bp.post("/logout")
def logout():
    locale = session.get("locale")
    logout_user()
    session.clear()
    # logout_user asked (in the session) for the remember cookie to be deleted; clearing the
    # session dropped that request, and the cookie would sign the person straight back in.
    if current_app.config.get("REMEMBER_COOKIE_NAME", "remember_token") in request.cookies:
        session["_remember"] = "clear"
    if locale:
        session["locale"] = locale
    flash(_("You are signed out."), "success")
    return redirect(url_for("centres.index"), code=303)


@bp.route("/profile", methods=["GET", "POST"])
@login_required
def profile():
    form = ProfileForm(obj=current_user)
    if not current_user.email:  # nothing to mail to: notifications are shown on the site only
        del form.email_frequency
    if request.method == "GET":
        form.age_bracket.data = current_user.age_bracket.value if current_user.age_bracket else ""
        form.locale.data = current_user.locale or session.get("locale") or "pl"
        if "email_frequency" in form:
            form.email_frequency.data = current_user.email_frequency.value
    if form.validate_on_submit():
        service.update_profile(
            current_user, form.display_name.data, form.locale.data,
            AgeBracket(form.age_bracket.data) if form.age_bracket.data else None,
        )
        if "email_frequency" in form and form.email_frequency.data:
            set_email_frequency(current_user, EmailFrequency(form.email_frequency.data))
        session["locale"] = form.locale.data
        flash(_("Your profile is saved."), "success")
        return redirect(url_for("accounts.profile"), code=303)
    return (render_template("accounts/profile.html", form=form,
                            memberships=memberships_of(current_user)),
            422 if form.errors else 200)


@bp.route("/password", methods=["GET", "POST"])
@login_required
def change_password():
    form = ChangePasswordForm()
    if form.validate_on_submit():
        try:
            service.change_password(current_user, form.current_password.data,
                                    form.new_password.data)
        except DomainError as error:
            field = form.current_password if error.status == 403 else form.new_password
            field.errors.append(error.message)
        else:
            # The token changed, so this session is renewed too; others end.
            _start_session(current_user._get_current_object(), remember=False)
            flash(_("Your password is changed. You were signed out on other devices."),
                  "success")
            return redirect(url_for("accounts.profile"), code=303)
    return render_template("accounts/password.html", form=form), 422 if form.errors else 200
