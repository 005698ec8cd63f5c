"""The animators' screen for the daily webhook: its address, its secret, its delivery log.

Registered under ``/c/<slug>/manage/webhook`` (``webhook``). Every view needs a signed-in
manager of ``g.centre`` (anonymous people are sent to sign in, everyone else gets 403); the
service checks the same again. A bad address shows the page again with its message (422);
the plain POSTs redirect (303) after success and work without JavaScript.

The page shows the secret (the receiver needs it to check signatures), so it is sent with
``Cache-Control: no-store``.
"""

from __future__ import annotations

from flask import Blueprint, flash, g, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required

from ..centres.routes import load_centre
from ..centres.service import ensure_manager
from ..errors import Invalid
from ..models import DeliveryStatus
from . import webhook
from .webhook_forms import WebhookActionForm, WebhookForm

bp = Blueprint("webhook", __name__)
bp.url_value_preprocessor(load_centre)

DELIVERY_STATUS_LABELS = {
    DeliveryStatus.PENDING: _l("waiting"),
    DeliveryStatus.DELIVERED: _l("delivered"),
    DeliveryStatus.FAILED: _l("failed"),
}
# Existing badge styles: green for delivered, red for failed, dashed for waiting.
DELIVERY_STATUS_CLASSES = {
    DeliveryStatus.PENDING: "status--draft",
    DeliveryStatus.DELIVERED: "status--accepted",
    DeliveryStatus.FAILED: "status--rejected",
}


@bp.before_request
@login_required
def require_manager():
    """Anonymous people are sent to sign in; everyone but the centre's managers gets 403."""
    ensure_manager(current_user, g.centre)


def _page(form: WebhookForm, status: int = 200):
    endpoint = webhook.webhook_of(g.centre)
    response = render_template(
        "metrics/webhook.html", centre=g.centre, form=form, endpoint=endpoint,
        action_form=WebhookActionForm(), deliveries=webhook.deliveries_of(g.centre),
        status_labels=DELIVERY_STATUS_LABELS, status_classes=DELIVERY_STATUS_CLASSES,
        error_label=webhook.error_label, max_attempts=webhook.MAX_ATTEMPTS,
        log_limit=webhook.LOG_LIMIT, signature_header=webhook.HEADER_SIGNATURE,
        timestamp_header=webhook.HEADER_TIMESTAMP, delivery_header=webhook.HEADER_DELIVERY)
    return response, status, {"Cache-Control": "no-store"}


def _back():
    return redirect(url_for("webhook.index", slug=g.centre.slug), code=303)


@bp.get("/")
def index():
    endpoint = webhook.webhook_of(g.centre)
    return _page(WebhookForm(formdata=None, url=endpoint.url if endpoint else None))


@bp.post("/")
def save():
    form = WebhookForm()
    if not form.validate_on_submit():
        return _page(form, 422)
    had_one = webhook.webhook_of(g.centre) is not None
    try:
        webhook.set_webhook(current_user, g.centre, form.url.data)
    except Invalid as error:
        form.url.errors = [*form.url.errors, error.message]
        return _page(form, error.status)
    if had_one:
        flash(_("The address has been saved."), "success")
    else:
        flash(_("The webhook is set: each day's figures will be sent to this address, "
                "starting with the next run. Give the receiver the secret shown below."),
              "success")
    return _back()


@bp.post("/secret")
def regenerate():
    # The global CSRF check has already run: the form has nothing else to validate.
    webhook.regenerate_secret(current_user, g.centre)
    flash(_("A new secret has been made. Give it to the receiver now: it will refuse "
            "deliveries signed with the new secret until it has it."), "success")
    return _back()


@bp.post("/remove")
def remove():
    webhook.remove_webhook(current_user, g.centre)
    flash(_("The webhook has been removed. No more figures will be sent."), "success")
    return _back()
