"""Centre views: the searchable list, a centre's home, joining and leaving."""

from __future__ import annotations

from flask import Blueprint, current_app, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from ..activities.service import next_activities
from ..extensions import db, htmx
from ..forms import requested_page
from ..proposals.service import proposals_query
from . import service
from .forms import CentreSearchForm, MembershipForm

bp = Blueprint("centres", __name__)


def load_centre(endpoint: str | None, values: dict | None) -> None:
    """Every ``/c/<slug>/…`` view gets its centre as ``g.centre`` (404 if unknown)."""
    if values and "slug" in values:
        g.centre = service.centre_by_slug(values.pop("slug"))


bp.url_value_preprocessor(load_centre)


@bp.get("/")
def index():
    form = CentreSearchForm(request.args)
    search = (form.q.data or "") if form.validate() else ""
    page = db.paginate(
        service.centres_query(search),
        page=requested_page(),
        per_page=current_app.config["CENTRES_PER_PAGE"],
        error_out=False,
    )
    context = {"form": form, "page": page, "search": search}
    if htmx and htmx.target == "centre-results":
        return render_template("centres/_results.html", **context)
    return render_template("centres/index.html", **context), 200 if not form.errors else 422


def _membership_response(status: int = 200):
    centre = g.centre
    context = {
        "centre": centre,
        "membership": service.membership_of(current_user, centre),
        "member_count": service.member_count(centre),
        "membership_form": MembershipForm(),
    }
    if htmx:
        return render_template("centres/_membership.html", **context), status
    return redirect(url_for("centres.home", slug=centre.slug), code=303)


@bp.get("/c/<slug>/")
def home():
    centre = g.centre
    return render_template(
        "centres/home.html",
        centre=centre,
        membership=service.membership_of(current_user, centre),
        member_count=service.member_count(centre),
        animators=service.animators_of(centre),
        can_manage=service.can_manage_centre(current_user, centre),
        membership_form=MembershipForm(),
        open_proposals=db.session.execute(
            proposals_query(centre, status="published").limit(5)
        ).all(),
        next_activities=next_activities(centre),
    )


@bp.post("/c/<slug>/join")
@login_required
def join():
    service.join_centre(current_user, g.centre)
    flash(_("You are now a member of %(centre)s.", centre=g.centre.name), "success")
    return _membership_response()


@bp.post("/c/<slug>/leave")
@login_required
def leave():
    service.leave_centre(current_user, g.centre)
    flash(_("You have left %(centre)s.", centre=g.centre.name), "success")
    return _membership_response()
