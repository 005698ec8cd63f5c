"""Platform admin views. Every view needs an admin; the service checks again."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from ..centres.service import centre_by_slug
from ..errors import DomainError
from ..models import Centre
from . import service
from .forms import AnimatorForm, CentreForm, RemoveAnimatorForm

bp = Blueprint("admin", __name__)


@bp.before_request
@login_required
def require_admin():
    """Anonymous people are sent to sign in; signed-in people who are not admins get 403."""
    if not current_user.is_admin:
        abort(403)


def _centre_fields(form: CentreForm) -> dict[str, str]:
    return {name: (getattr(form, name).data or "").strip() for name in service.CENTRE_FIELDS}


@bp.get("/")
def index():
    return render_template("admin/index.html", rows=service.centres_overview(current_user))


@bp.route("/centres/new", methods=["GET", "POST"])
def create_centre():
    form = CentreForm(data={"timezone": "Europe/Warsaw"})
    if form.validate_on_submit():
        try:
            centre = service.create_centre(current_user, **_centre_fields(form))
        except DomainError as error:
            form.form_errors.append(error.message)
        else:
            flash(_("The centre %(name)s is created.", name=centre.name), "success")
            return redirect(url_for("admin.animators", slug=centre.slug), code=303)
    return (render_template("admin/centre_form.html", form=form, centre=None),
            422 if form.errors else 200)


@bp.route("/centres/<slug>/edit", methods=["GET", "POST"])
def edit_centre(slug: str):
    centre = centre_by_slug(slug)
    form = CentreForm(obj=centre)
    if form.validate_on_submit():
        try:
            service.update_centre(current_user, centre, **_centre_fields(form))
        except DomainError as error:
            form.form_errors.append(error.message)
        else:
            flash(_("The changes are saved."), "success")
            return redirect(url_for("admin.index"), code=303)
    return (render_template("admin/centre_form.html", form=form, centre=centre),
            422 if form.errors else 200)


def _animators_page(centre: Centre, form: AnimatorForm, status: int = 200):
    return render_template(
        "admin/animators.html",
        centre=centre,
        form=form,
        remove_form=RemoveAnimatorForm(),
        memberships=service.animator_memberships(current_user, centre),
    ), status


@bp.route("/centres/<slug>/animators", methods=["GET", "POST"])
def animators(slug: str):
    centre = centre_by_slug(slug)
    form = AnimatorForm()
    if form.validate_on_submit():
        try:
            membership = service.add_animator(current_user, centre, form.email.data)
        except DomainError as error:
            form.email.errors.append(error.message)
        else:
            flash(_("%(name)s is now an animator of %(centre)s.",
                    name=membership.user.display_name, centre=centre.name), "success")
            return redirect(url_for("admin.animators", slug=centre.slug), code=303)
    return _animators_page(centre, form, 422 if form.errors else 200)


@bp.post("/centres/<slug>/animators/<int:user_id>/remove")
def remove_animator(slug: str, user_id: int):
    centre = centre_by_slug(slug)
    membership = service.remove_animator(current_user, centre, user_id)
    flash(_("%(name)s is no longer an animator of %(centre)s.",
            name=membership.user.display_name, centre=centre.name), "success")
    return redirect(url_for("admin.animators", slug=centre.slug), code=303)
