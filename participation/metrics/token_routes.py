"""The animators' screen for API tokens: make one (shown once), see them, revoke one.

Registered under ``/c/<slug>/manage/api-tokens`` (``api_tokens``). Every view needs a signed-in
manager of ``g.centre`` (anonymous people are sent to sign in, everyone else gets 403); the
service checks the same again.

A new token is shown on the page that answers the POST, never through a redirect: putting it
in a flash message would store the secret in the session cookie. That page is sent with
``Cache-Control: no-store`` so neither the browser nor a proxy keeps a copy; reloading it
shows the list again without the token. Plain POSTs work without JavaScript.
"""

from __future__ import annotations

from flask import Blueprint, flash, g, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from ..centres.routes import load_centre
from ..centres.service import ensure_manager
from ..errors import DomainError
from . import tokens
from .token_forms import RevokeTokenForm, TokenForm

bp = Blueprint("api_tokens", __name__)
bp.url_value_preprocessor(load_centre)


@bp.before_request
@login_required
def require_manager():
    """Anonymous people are sent to sign in; everyone but the centre's managers gets 403."""
    ensure_manager(current_user, g.centre)


def _page(form: TokenForm, status: int = 200, new_token: str | None = None,
          created=None):
    response = render_template(
        "metrics/tokens.html", centre=g.centre, form=form, revoke_form=RevokeTokenForm(),
        tokens=tokens.tokens_of(g.centre), new_token=new_token, created=created)
    return response, status, {"Cache-Control": "no-store"}


@bp.get("/")
def index():
    return _page(TokenForm(formdata=None))


@bp.post("/")
def create():
    form = TokenForm()
    if not form.validate_on_submit():
        return _page(form, 422)
    try:
        token, secret = tokens.create_token(current_user, g.centre, form.name.data)
    except DomainError as error:
        if error.status not in (409, 422):  # refusals go to the error page
            raise
        form.name.errors = [*form.name.errors, error.message]
        return _page(form, error.status)
    # 201: the token now exists. The page holds the secret once; the empty form invites
    # nobody to send the name again.
    return _page(TokenForm(formdata=None), 201, new_token=secret, created=token)


@bp.post("/<int:token_id>/revoke")
def revoke(token_id: int):
    # The global CSRF check has already run: the form has nothing else to validate.
    if tokens.revoke_token(current_user, g.centre, token_id):
        flash(_("The token has been revoked. Tools using it can no longer read the figures."),
              "success")
    else:
        flash(_("This token was already revoked."), "info")
    return redirect(url_for("api_tokens.index", slug=g.centre.slug), code=303)
