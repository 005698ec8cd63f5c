"""Activity views for everyone: the list, an activity's page, signing up, the ticket, the
calendar files, offers of help, and "My activities".

Registered under ``/c/<slug>/activities`` (``activities``) and ``/account/activities``
(``my_activities``). The animators' screens are in ``manage_routes.py``.
"""

from __future__ import annotations

import re
from datetime import timedelta

import segno
from flask import Blueprint, current_app, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from wtforms.fields.choices import SelectChoice

from ..centres.routes import load_centre
from ..centres.service import can_manage_centre, membership_of
from ..errors import Invalid, NotFound
from ..extensions import db, htmx
from ..forms import requested_page
from ..models import Activity, ActivityStatus, SignupStatus, VolunteerStatus, utcnow
from ..proposals.service import categories_of, category_label
from . import calendar, service
from .forms import ActivityFilterForm, SignupForm, VolunteerForm

bp = Blueprint("activities", __name__)
bp.url_value_preprocessor(load_centre)

my_bp = Blueprint("my_activities", __name__)

PER_PAGE = 20
# The centre's calendar feed: what happened lately and everything ahead, within reason.
FEED_PAST = timedelta(days=30)
FEED_LIMIT = 500


def _show_url(activity: Activity, **kwargs) -> str:
    return url_for("activities.show", slug=g.centre.slug, activity_id=activity.id, **kwargs)


# --- The list -------------------------------------------------------------------------------


def _filter_form() -> ActivityFilterForm:
    form = ActivityFilterForm(request.args)
    form.category.choices = [SelectChoice("", _("All categories"))] + [
        SelectChoice(str(category.id), category_label(category))
        for category in categories_of(g.centre, include_archived=True)]
    return form


@bp.get("/")
def index():
    form = _filter_form()
    valid = form.validate()
    chosen = form.data if valid else {}  # invalid filters: show the upcoming ones, say why (422)
    when = chosen.get("when") or "upcoming"
    page = requested_page()
    activities = list(db.session.scalars(
        service.activities_query(
            g.centre, when=when,
            category_id=int(chosen["category"]) if chosen.get("category") else None,
            date_from=chosen.get("date_from"), date_to=chosen.get("date_to"),
        ).limit(PER_PAGE + 1).offset((page - 1) * PER_PAGE)
    ))
    query_args = {key: value for key, value in request.args.items() if key != "page"}
    context = {
        "form": form,
        "when": when,
        "activities": activities[:PER_PAGE],
        "page": page,
        "next_page": page + 1 if len(activities) > PER_PAGE else None,
        "query_args": query_args,
        "tab_args": {key: value for key, value in query_args.items() if key != "when"},
        "centre": g.centre,
    }
    status = 200 if valid else 422
    if htmx and htmx.target == "activity-results":
        return render_template("activities/_results.html", **context), status
    return render_template("activities/index.html", **context), status


# --- An activity's page ---------------------------------------------------------------------


def _closed_reason(activity: Activity) -> str:
    """Why nobody can sign up now, in a sentence."""
    if activity.status is ActivityStatus.CANCELLED:
        return _("This activity is cancelled.")
    if activity.status is ActivityStatus.DRAFT:
        return _("Sign-up opens when the activity is published.")
    if service.has_ended(activity):
        return _("This activity is over.")
    if service.has_started(activity):
        return _("Sign-up is closed: the activity has already started.")
    return _("Sign-up is closed: the deadline has passed.")


def _signup_context(activity: Activity) -> dict:
    signup = service.signup_of(current_user, activity)
    if signup is not None and signup.status is SignupStatus.CANCELLED:
        signup = None
    waitlisted = signup is not None and signup.status is SignupStatus.WAITLISTED
    is_open = service.signup_open(activity)
    return {
        "activity": activity,
        "centre": g.centre,
        "membership": membership_of(current_user, g.centre),
        "signup": signup,
        "waitlist_place": service.waitlist_place(signup) if waitlisted else None,
        "signup_is_open": is_open,
        "closed_reason": None if is_open else _closed_reason(activity),
        "can_cancel": (activity.status is ActivityStatus.PUBLISHED
                       and not service.has_started(activity)),
        "signup_form": SignupForm(),
    }


def _volunteer_context(activity: Activity) -> dict:
    offer = service.offer_of(current_user, activity)
    if offer is not None and offer.status is VolunteerStatus.DECLINED:
        offer = None
    return {
        "activity": activity,
        "centre": g.centre,
        "membership": membership_of(current_user, g.centre),
        "offer": offer,
        "helpers": service.confirmed_volunteers(activity),
        "takes_offers": (activity.status is ActivityStatus.PUBLISHED
                         and not service.has_ended(activity)),
        "volunteer_form": VolunteerForm(),
    }


@bp.get("/<int:activity_id>")
def show(activity_id: int):
    activity = service.visible_activity(current_user, g.centre, activity_id)
    context = _signup_context(activity)
    context.update(
        manager=can_manage_centre(current_user, g.centre),
        waitlist=service.waitlist_count(activity) if activity.capacity is not None else 0,
        ended=service.has_ended(activity),
    )
    if activity.volunteers_needed:
        context.update(_volunteer_context(activity))
    return render_template("activities/show.html", **context)


@bp.post("/<int:activity_id>/signup")
@login_required
def signup(activity_id: int):
    activity = service.visible_activity(current_user, g.centre, activity_id)
    form = SignupForm()
    if not form.validate():
        raise Invalid(_("Unknown action."))
    current = service.signup_of(current_user, activity)
    active = current is not None and current.status is not SignupStatus.CANCELLED
    if form.intent.data == "join":
        if active:  # a repeated tap: the place (or waitlist number) is already theirs
            flash(_("You are already signed up."), "info")
        else:
            placed = service.sign_up(current_user, activity)
            if placed.status is SignupStatus.CONFIRMED:
                flash(_("You have a place. See you there!"), "success")
            else:
                flash(_("The activity is full: you are number %(num)d on the waitlist. We will "
                        "let you know if a place frees up.",
                        num=service.waitlist_place(placed)), "success")
    elif not active:
        flash(_("You are not signed up for this activity."), "info")
    else:
        was_waiting = current.status is SignupStatus.WAITLISTED
        service.cancel_signup(current_user, activity)
        flash(_("You have left the waitlist.") if was_waiting
              else _("Your place is cancelled."), "success")
    if htmx:
        return render_template("activities/_signup.html", **_signup_context(activity))
    return redirect(_show_url(activity), code=303)


@bp.post("/<int:activity_id>/volunteer")
@login_required
def volunteer(activity_id: int):
    activity = service.visible_activity(current_user, g.centre, activity_id)
    form = VolunteerForm()
    if not form.validate():
        raise Invalid(_("Unknown action."))
    if form.intent.data == "offer":
        service.offer_help(current_user, activity)
        flash(_("Thank you for offering to help! The centre's animators will confirm."),
              "success")
    else:
        service.withdraw_help(current_user, activity)
        flash(_("Your offer of help is withdrawn."), "success")
    if htmx:
        return render_template("activities/_volunteer.html", **_volunteer_context(activity))
    return redirect(_show_url(activity), code=303)


# --- The ticket -----------------------------------------------------------------------------


@bp.get("/<int:activity_id>/ticket")
@login_required
def ticket(activity_id: int):
    activity = service.visible_activity(current_user, g.centre, activity_id)
    signup = service.signup_of(current_user, activity)
    if signup is None or signup.status is not SignupStatus.CONFIRMED:
        raise NotFound(_("You have no ticket for this activity."))
    check_in_url = url_for("manage_activities.ticket_check_in", slug=g.centre.slug,
                           token=service.ticket_token(signup), _external=True)
    code = segno.make(check_in_url, error="m")
    scale = 4
    response = current_app.make_response(render_template(
        "activities/ticket.html", activity=activity, centre=g.centre, signup=signup,
        check_in_url=check_in_url, location=calendar.activity_location(activity),
        qr_size=code.symbol_size(scale=scale)[0],
        qr_uri=code.svg_data_uri(scale=scale, dark="#000", light="#fff"),
    ))
    response.headers["Cache-Control"] = "private"  # personal: no shared cache may keep it
    return response


# --- Calendar files -------------------------------------------------------------------------


def _safe_name(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:60] or "calendar"


def _calendar_response(body: bytes, filename: str):
    response = current_app.response_class(body, mimetype="text/calendar")
    response.headers["Content-Type"] = "text/calendar; charset=utf-8"
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@bp.get("/<int:activity_id>/calendar.ics")
def ics(activity_id: int):
    activity = service.visible_activity(current_user, g.centre, activity_id)
    if activity.status is ActivityStatus.DRAFT:  # calendar files are for what is announced
        raise NotFound(_("There is no such activity here."))
    body = calendar.activity_calendar(activity, _show_url(activity, _external=True))
    return _calendar_response(body, f"{_safe_name(g.centre.slug)}-{activity.id}.ics")


@bp.get("/calendar.ics")
def feed():
    activities = db.session.scalars(
        service.activities_query(g.centre, when="all")
        .where(Activity.ends_at >= utcnow() - FEED_PAST).limit(FEED_LIMIT))
    body = calendar.centre_feed(
        g.centre, [(activity, _show_url(activity, _external=True)) for activity in activities])
    return _calendar_response(body, f"{_safe_name(g.centre.slug)}.ics")


# --- My activities --------------------------------------------------------------------------


@my_bp.get("/", endpoint="index")
@login_required
def my_index():
    mine = service.my_signups(current_user)
    places = {signup.id: service.waitlist_place(signup)
              for signup in mine.upcoming if signup.status is SignupStatus.WAITLISTED}
    return render_template("my_activities/index.html", upcoming=mine.upcoming, past=mine.past,
                           waitlist_places=places)
