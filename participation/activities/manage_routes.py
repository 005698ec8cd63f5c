"""The animators' activity screens: create and edit (also weekly series), publish, cancel,
the attendee list at the door, walk-ins and guests, signing members up, check-in links from
tickets, and volunteers' hours.

Registered under ``/c/<slug>/manage/activities`` (``manage_activities``). Every view needs a
signed-in manager of ``g.centre``; the services check the same again.

As on the moderation screens: input the animator can fix (a bad date, a full activity at the
door) shows the page again with its message (422, or 409 for a clash with the current state);
other refusals (403, 404) go to the app's translated error page. Plain posts redirect (303);
htmx posts on the door list get back just the changed row and the counts.
"""

from __future__ import annotations

import dataclasses
from datetime import datetime
from zoneinfo import ZoneInfo

from flask import Blueprint, flash, g, redirect, render_template, request, url_for
from flask_babel import format_decimal, ngettext
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from sqlalchemy import select

from ..centres.routes import load_centre
from ..centres.service import members_of
from ..errors import Conflict, DomainError, Invalid, NotFound
from ..extensions import db, htmx
from ..forms import requested_page
from ..members import service as members
from ..models import (
    PUBLIC_STATUSES,
    Activity,
    ActivityStatus,
    Proposal,
    Signup,
    SignupStatus,
    User,
    VolunteerStatus,
)
from ..proposals import service as proposals
from ..security import is_safe_redirect
from . import service
from .manage_forms import (
    ActivityForm,
    CancelActivityForm,
    CheckInForm,
    GuestsForm,
    HoursForm,
    MemberForm,
    OfferDecisionForm,
)

PER_PAGE = 30

ACTIVITY_STATUS_LABELS = {
    ActivityStatus.DRAFT: _l("Draft"),
    ActivityStatus.PUBLISHED: _l("Published"),
    ActivityStatus.CANCELLED: _l("Cancelled"),
}
VOLUNTEER_STATUS_LABELS = {
    VolunteerStatus.OFFERED: _l("Offered to help"),
    VolunteerStatus.CONFIRMED: _l("Accepted"),
    VolunteerStatus.DECLINED: _l("Declined"),
}

bp = Blueprint("manage_activities", __name__)
bp.url_value_preprocessor(load_centre)


@bp.before_request
@login_required
def require_manager():
    """Anonymous people are sent to sign in; everyone but the centre's managers gets 403."""
    service.ensure_manager(current_user, g.centre)


@bp.app_template_global()
def hours_text(minutes: int | None) -> str:
    """Recorded volunteer minutes as hours in the reader's number format, e.g. "2,5"."""
    return "" if minutes is None else format_decimal(minutes / 60, format="#,##0.##")


# --- Helpers --------------------------------------------------------------------------------


def _activity(activity_id: int) -> Activity:
    return service.visible_activity(current_user, g.centre, activity_id)


def _zone() -> ZoneInfo:
    return ZoneInfo(g.centre.timezone)


def _show_url(activity: Activity) -> str:
    return url_for("activities.show", slug=g.centre.slug, activity_id=activity.id)


def _attendees_url(activity: Activity, q: str = "") -> str:
    return url_for("manage_activities.attendees", slug=g.centre.slug, activity_id=activity.id,
                   q=q or None)


def _next_or(fallback: str) -> str:
    target = request.form.get("next")
    return target if is_safe_redirect(target) else fallback


def _public_proposals() -> list[Proposal]:
    return list(db.session.scalars(
        select(Proposal).where(Proposal.centre_id == g.centre.id,
                               Proposal.status.in_(PUBLIC_STATUSES))
        .order_by(Proposal.created_at.desc(), Proposal.id.desc()).limit(300)))


def _prepared(form: ActivityForm) -> ActivityForm:
    form.set_choices(proposals.categories_of(g.centre), _public_proposals(),
                     proposals.category_label)
    zone_hint = _("Times are in the centre's time zone (%(zone)s).", zone=g.centre.timezone)
    form.start_time.description = zone_hint
    return form


def _details(form: ActivityForm) -> service.ActivityDetails:
    starts_at, ends_at, deadline = form.moments(_zone())
    return service.ActivityDetails(
        title=form.title.data or "",
        description=form.description.data or "",
        place=form.place.data or "",
        starts_at=starts_at,
        ends_at=ends_at,
        signup_deadline=deadline,
        capacity=form.capacity.data,
        category_id=form.category_id.data,
        proposal_id=form.proposal_id.data,
        volunteers_needed=form.volunteers_needed.data or 0,
    )


def _form_page(form: ActivityForm, activity: Activity | None, status: int = 200):
    return render_template("manage_activities/form.html", centre=g.centre, form=form,
                           activity=activity, status_labels=ACTIVITY_STATUS_LABELS), status


# --- The list -------------------------------------------------------------------------------


@bp.get("/")
@login_required
def index():
    when = "past" if request.args.get("when") == "past" else "upcoming"
    page = db.paginate(service.activities_query(g.centre, when=when, include_drafts=True),
                       page=requested_page(), per_page=PER_PAGE, error_out=False)
    return render_template(
        "manage_activities/index.html",
        centre=g.centre,
        page=page,
        when=when,
        waiting=service.waitlist_counts([activity.id for activity in page.items]),
        status_labels=ACTIVITY_STATUS_LABELS,
    )


# --- Creating and editing -------------------------------------------------------------------


@bp.route("/new", methods=["GET", "POST"])
@login_required
def new():
    form = _prepared(ActivityForm())
    if form.validate_on_submit():
        publish = request.form.get("action") == "publish"
        try:
            created = service.create_activities(current_user, g.centre, _details(form),
                                                repeat_weekly_until=form.repeat_until.data,
                                                publish=publish)
        except Invalid as error:
            db.session.rollback()
            form.form_errors.append(error.message)
        else:
            count = len(created)
            if publish:
                flash(ngettext("The activity is published.",
                               "%(num)d activities are published, one each week.", count),
                      "success")
            else:
                flash(ngettext("The activity is saved as a draft: only the centre's animators "
                               "can see it.",
                               "%(num)d activities are saved as drafts: only the centre's "
                               "animators can see them.", count), "success")
            return redirect(_show_url(created[0]), code=303)
    return _form_page(form, None, 422 if form.errors or form.form_errors else 200)


def _form_data(activity: Activity) -> dict:
    """What the edit form shows: the stored UTC moments as the centre's wall-clock time."""
    zone = _zone()
    starts, ends = activity.starts_at.astimezone(zone), activity.ends_at.astimezone(zone)
    deadline = activity.signup_deadline.astimezone(zone) if activity.signup_deadline else None
    return {
        "title": activity.title,
        "description": activity.description,
        "place": activity.place,
        "day": starts.date(),
        "start_time": starts.time().replace(second=0, microsecond=0),
        "end_time": ends.time().replace(second=0, microsecond=0),
        "end_day": ends.date() if ends.date() != starts.date() else None,
        "capacity": activity.capacity,
        "deadline_day": deadline.date() if deadline else None,
        "deadline_time": deadline.time().replace(second=0, microsecond=0) if deadline else None,
        "category_id": activity.category_id,
        "proposal_id": activity.proposal_id,
        "volunteers_needed": activity.volunteers_needed,
    }


def _same_minute(entered: datetime, stored: datetime) -> bool:
    return entered == stored.replace(second=0, microsecond=0)


@bp.route("/<int:activity_id>/edit", methods=["GET", "POST"])
@login_required
def edit(activity_id: int):
    activity = _activity(activity_id)
    form = _prepared(ActivityForm(data=_form_data(activity)))
    del form.repeat_until  # a series is made once; each of its activities is edited alone
    if form.validate_on_submit():
        details = _details(form)
        # The form shows whole minutes: an unchanged start must not count as "moved".
        if _same_minute(details.starts_at, activity.starts_at):
            details = dataclasses.replace(details, starts_at=activity.starts_at)
        try:
            promoted = service.update_activity(current_user, activity, details)
        except Invalid as error:
            db.session.rollback()
            form.form_errors.append(error.message)
        else:
            flash(_("The changes are saved."), "success")
            if promoted:
                flash(ngettext("%(num)d person moved from the waitlist to a confirmed place "
                               "and was notified.",
                               "%(num)d people moved from the waitlist to a confirmed place "
                               "and were notified.", len(promoted)), "success")
            return redirect(_show_url(activity), code=303)
    return _form_page(form, activity, 422 if form.errors or form.form_errors else 200)


@bp.post("/<int:activity_id>/publish")
@login_required
def publish(activity_id: int):
    activity = _activity(activity_id)
    service.publish_activity(current_user, activity)
    flash(_("“%(title)s” is published.", title=activity.title), "success")
    return redirect(_next_or(_show_url(activity)), code=303)


@bp.route("/<int:activity_id>/cancel", methods=["GET", "POST"])
@login_required
def cancel(activity_id: int):
    activity = _activity(activity_id)
    form = CancelActivityForm()
    if activity.status is ActivityStatus.CANCELLED:
        raise Conflict(_("This activity is already cancelled."))
    if form.validate_on_submit():
        try:
            told = service.cancel_activity(current_user, activity, form.reason.data)
        except Invalid as error:
            db.session.rollback()
            form.reason.errors = [*form.reason.errors, error.message]
        else:
            flash(_("“%(title)s” is cancelled.", title=activity.title), "success")
            flash(ngettext("%(num)d person was notified.", "%(num)d people were notified.",
                           told), "success")
            return redirect(_show_url(activity), code=303)
    signed_up = activity.confirmed_count + service.waitlist_count(activity)
    return render_template("manage_activities/cancel.html", centre=g.centre, form=form,
                           activity=activity, signed_up=signed_up), (
        422 if form.errors else 200)


# --- The door list --------------------------------------------------------------------------


def _search() -> str:
    return (request.values.get("q") or "").strip()[:100]


def _attendees_page(activity: Activity, *, errors: list[str] | None = None,
                    hours_form: tuple[int, HoursForm] | None = None, status: int = 200):
    q = _search()
    members = members_of(g.centre)
    walk_in_form, signup_form = MemberForm(formdata=None), MemberForm(formdata=None)
    for prefix, form in (("walk-in", walk_in_form), ("sign-up", signup_form)):
        form.set_members(members)
        form.member_id.id = form.member_id.label.field_id = f"{prefix}-member"
    offers = service.volunteer_offers(activity)
    hours_forms = {}
    for offer in offers:
        if hours_form and hours_form[0] == offer.id:
            form = hours_form[1]
        else:
            form = HoursForm(formdata=None, data={"hours": offer.minutes})
        form.hours.id = form.hours.label.field_id = f"hours-{offer.id}"
        form.hours.label.text = _("Hours helped by %(name)s", name=offer.user.display_name)
        hours_forms[offer.id] = form
    context = {
        "centre": g.centre,
        "activity": activity,
        "q": q,
        "people": service.attendance(current_user, activity, q),
        "errors": errors or [],
        "walk_in_form": walk_in_form,
        "signup_form": signup_form,
        "offers": offers,
        "hours_forms": hours_forms,
        "started": service.has_started(activity),
        "open_for_attendance": activity.status is ActivityStatus.PUBLISHED,
        "signup_open": service.signup_open(activity),
        "status_labels": ACTIVITY_STATUS_LABELS,
        "offer_labels": VOLUNTEER_STATUS_LABELS,
        "VolunteerStatus": VolunteerStatus,
    }
    if htmx and htmx.target == "attendee-list" and request.method == "GET":
        return render_template("manage_activities/_attendee_list.html", **context)
    return render_template("manage_activities/attendees.html", **context), status


@bp.get("/<int:activity_id>/attendees")
@login_required
def attendees(activity_id: int):
    return _attendees_page(_activity(activity_id))


def _signup_in(activity: Activity, signup_id: int) -> Signup:
    signup = db.session.get(Signup, signup_id)
    if signup is None or signup.activity_id != activity.id:
        raise NotFound(_("There is no such sign-up here."))
    return signup


@bp.post("/<int:activity_id>/attendees/<int:signup_id>")
@login_required
def check_in(activity_id: int, signup_id: int):
    activity = _activity(activity_id)
    signup = _signup_in(activity, signup_id)
    form = CheckInForm()
    if not form.validate():
        raise Invalid(_("Choose what to do."))
    name = signup.user.display_name
    if form.intent.data == "present":
        service.check_in(current_user, signup)
        flash(_("%(name)s is checked in.", name=name), "success")
    else:
        service.undo_check_in(current_user, signup)
        flash(_("The check-in of %(name)s is taken back.", name=name), "success")
    if htmx:
        return render_template("manage_activities/_attendee_row.html", centre=g.centre,
                               activity=activity, signup=signup, q=form.q.data or "",
                               present=service.present_count(activity), oob=True)
    return redirect(_attendees_url(activity, form.q.data or "") + f"#signup-{signup.id}",
                    code=303)


@bp.post("/<int:activity_id>/attendees/<int:signup_id>/cancel")
@login_required
def cancel_signup(activity_id: int, signup_id: int):
    activity = _activity(activity_id)
    signup = _signup_in(activity, signup_id)
    try:
        service.cancel_signup(current_user, activity, member_id=signup.user_id)
    except Conflict as error:
        db.session.rollback()
        return _attendees_page(activity, errors=[error.message], status=error.status)
    flash(_("The sign-up of %(name)s is cancelled.", name=signup.user.display_name), "success")
    return redirect(_attendees_url(activity), code=303)


def _member_action(activity: Activity, action) -> tuple[User | None, DomainError | None]:
    """Run ``action(member_id)`` for a member chosen in a MemberForm; a fixable refusal is
    returned, not raised, so the door list can show it."""
    form = MemberForm()
    form.set_members([])
    if not form.validate():
        return None, Invalid(next(iter(form.errors.values()))[0])
    try:
        action(form.member_id.data)
    except (Invalid, Conflict) as error:
        db.session.rollback()
        return None, error
    return db.session.get(User, form.member_id.data), None


@bp.post("/<int:activity_id>/walk-in")
@login_required
def walk_in(activity_id: int):
    activity = _activity(activity_id)
    member, error = _member_action(
        activity, lambda member_id: service.add_walk_in(current_user, activity, member_id))
    if error:
        return _attendees_page(activity, errors=[error.message], status=error.status)
    flash(_("%(name)s is added and checked in.", name=member.display_name), "success")
    return redirect(_attendees_url(activity), code=303)


@bp.post("/<int:activity_id>/sign-up")
@login_required
def assisted_signup(activity_id: int):
    activity = _activity(activity_id)
    result = {}

    def sign_up(member_id):
        # The members' service, like the member page: the same rules, and the resident is told.
        try:
            result["signup"] = members.sign_up_for(current_user, g.centre, member_id,
                                                   activity.id)
        except NotFound as error:  # not a member here: a choice to correct on the door list
            raise Invalid(error.message) from error

    member, error = _member_action(activity, sign_up)
    if error:
        return _attendees_page(activity, errors=[error.message], status=error.status)
    if result["signup"].status is SignupStatus.CONFIRMED:
        flash(_("%(name)s is signed up.", name=member.display_name), "success")
    else:
        flash(_("The activity is full: %(name)s is on the waitlist.", name=member.display_name),
              "info")
    return redirect(_attendees_url(activity), code=303)


@bp.post("/<int:activity_id>/guests")
@login_required
def guests(activity_id: int):
    activity = _activity(activity_id)
    form = GuestsForm()
    if not form.validate():
        return _attendees_page(activity, errors=[_("Choose what to do.")], status=422)
    try:
        count = service.change_guests(current_user, activity, int(form.change.data))
    except (Invalid, Conflict) as error:
        db.session.rollback()
        return _attendees_page(activity, errors=[error.message], status=error.status)
    flash(ngettext("%(num)d guest without an account.", "%(num)d guests without an account.",
                   count), "success")
    return redirect(_attendees_url(activity) + "#guests", code=303)


# --- Volunteers -----------------------------------------------------------------------------


@bp.post("/<int:activity_id>/volunteers/<int:offer_id>")
@login_required
def decide_offer(activity_id: int, offer_id: int):
    activity = _activity(activity_id)
    form = OfferDecisionForm()
    if not form.validate():
        return _attendees_page(activity, errors=[_("Choose what to do.")], status=422)
    accept = form.decision.data == "accept"
    try:
        offer = service.decide_offer(current_user, activity, offer_id, accept)
    except Conflict as error:
        db.session.rollback()
        return _attendees_page(activity, errors=[error.message], status=error.status)
    name = offer.user.display_name
    flash(_("%(name)s will help. They got a notification.", name=name) if accept
          else _("The offer of %(name)s is declined.", name=name), "success")
    return redirect(_attendees_url(activity) + "#volunteers", code=303)


@bp.post("/<int:activity_id>/volunteers/<int:offer_id>/hours")
@login_required
def record_hours(activity_id: int, offer_id: int):
    activity = _activity(activity_id)
    form = HoursForm()
    if form.validate():
        try:
            offer = service.record_hours(current_user, activity, offer_id, form.hours.data)
        except (Invalid, Conflict) as error:
            db.session.rollback()
            form.hours.errors = [*form.hours.errors, error.message]
        else:
            flash(_("%(hours)s h recorded for %(name)s.", hours=hours_text(offer.minutes),
                    name=offer.user.display_name), "success")
            return redirect(_attendees_url(activity) + "#volunteers", code=303)
    errors = [str(message) for message in form.hours.errors] or [_("Choose what to do.")]
    return _attendees_page(activity, errors=errors, hours_form=(offer_id, form), status=422)


# --- Check-in link from a ticket ------------------------------------------------------------


@bp.route("/check-in/<token>", methods=["GET", "POST"])
@login_required
def ticket_check_in(token: str):
    signup = service.signup_from_ticket(current_user, g.centre, token)
    activity = signup.activity
    if request.method == "POST":
        name = signup.user.display_name
        if service.check_in(current_user, signup):
            flash(_("%(name)s is checked in.", name=name), "success")
        else:
            flash(_("%(name)s was already checked in.", name=name), "info")
        return redirect(_attendees_url(activity) + f"#signup-{signup.id}", code=303)
    return render_template("manage_activities/ticket.html", centre=g.centre, signup=signup,
                           activity=activity, status_labels=ACTIVITY_STATUS_LABELS,
                           token=token)
