"""The animators' screens of a centre: queue, moderation actions, reports, log, settings.

Registered under ``/c/<slug>/manage``. Every view needs a signed-in manager of ``g.centre``;
the services check the same again, so a view never decides a permission on its own.

Action endpoints (status, answer, assisted support, paper votes) are plain form POSTs: on
success they flash and redirect (303) to ``next``; input the person can fix (a missing reason,
a bad number) shows the form again with its message (422); any other refusal (403, 404, 409)
goes to the app's translated error page.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from flask import Blueprint, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user, login_required
from sqlalchemy import Select, func, select

from ..centres.routes import load_centre
from ..centres.service import members_of
from ..errors import Conflict, DomainError, Invalid
from ..extensions import db
from ..members import service as members
from ..models import (
    AUTHOR_TRANSITIONS,
    TRANSITIONS,
    Proposal,
    ProposalStatus,
    User,
)
from ..proposals import service as proposals
from ..proposals.forms import REPORT_REASONS
from ..security import is_safe_redirect
from . import service
from .forms import (
    AnswerForm,
    ArchiveCategoryForm,
    AssistedSupportForm,
    CategoryForm,
    PaperVotesForm,
    ResolveReportsForm,
    SettingsForm,
    StatusForm,
)

LOG_PER_PAGE = 50

bp = Blueprint("moderation", __name__)
bp.url_value_preprocessor(load_centre)


@bp.before_request
@login_required
def require_manager():
    """Anonymous people are sent to sign in; everyone but the centre's managers gets 403."""
    proposals.ensure_manager(current_user, g.centre)


# --- Helpers the proposal page can use too -------------------------------------------------


def manager_targets(proposal: Proposal) -> list[ProposalStatus]:
    """Statuses an animator can move the proposal to (the author's own moves left out)."""
    allowed = TRANSITIONS[proposal.status]
    return [status for status in ProposalStatus
            if status in allowed and (proposal.status, status) not in AUTHOR_TRANSITIONS]


def proposal_panel_context(proposal: Proposal, next_url: str,
                           totals: proposals.SupportTotals) -> dict[str, Any]:
    """Everything ``moderation/_proposal_panel.html`` expects, beside the page's own totals."""
    return {
        "proposal": proposal,
        "totals": totals,
        "members": members_of(proposal.centre),
        "next_url": next_url,
        "status_labels": proposals.STATUS_LABELS,
        "allowed_targets": manager_targets(proposal),
    }


def _proposal(proposal_id: int) -> Proposal:
    return proposals.visible_proposal(current_user, g.centre, proposal_id)


def _next_url(form, proposal: Proposal) -> str:
    """Back where the animator came from (a path on this site), else the proposal page."""
    target = form.next.data
    if is_safe_redirect(target):
        return target
    return url_for("proposals.show", slug=g.centre.slug, proposal_id=proposal.id)


def _action_page(form, proposal: Proposal, *, heading: str, submit: str, endpoint: str,
                 status: int = 422):
    """The one form again, with its messages, for a correction without JavaScript."""
    return render_template(
        "moderation/action.html",
        form=form,
        proposal=proposal,
        heading=heading,
        submit=submit,
        action=url_for(endpoint, slug=g.centre.slug, proposal_id=proposal.id),
        back=_next_url(form, proposal),
    ), status


def _add_error(form, field_name: str, error: DomainError) -> None:
    """A service's refusal shown on the field it is about, or above the form."""
    if field_name and field_name in form:
        form[field_name].errors = [*form[field_name].errors, error.message]
    else:
        form.form_errors.append(error.message)


# --- Queue ---------------------------------------------------------------------------------


@bp.get("/")
@login_required
def queue():
    centre = g.centre
    waiting = service.queue(current_user, centre)
    reported = service.open_reports(current_user, centre)
    return render_template(
        "moderation/queue.html",
        centre=centre,
        proposals=waiting,
        reported_count=len(reported),
        report_count=sum(len(item.reports) for item in reported),
        category_label=proposals.category_label,
    )


# --- Actions on one proposal ---------------------------------------------------------------


@bp.post("/proposals/<int:proposal_id>/status")
@login_required
def change_status(proposal_id: int):
    proposal = _proposal(proposal_id)
    form = StatusForm()
    form.target.choices = [(s.value, proposals.STATUS_LABELS[s]) for s in manager_targets(proposal)]
    page = {"heading": _("Change the status of “%(title)s”", title=proposal.title),
            "submit": _("Change the status"), "endpoint": "moderation.change_status"}
    if not form.validate():
        return _action_page(form, proposal, **page)
    try:
        proposals.change_status(current_user, proposal, form.target.data, form.reason.data or "")
    except Invalid as error:
        db.session.rollback()
        # "Unknown status" is about the target; every other refusal is about the reason.
        known = form.target.data in {status.value for status in ProposalStatus}
        _add_error(form, "reason" if known else "target", error)
        return _action_page(form, proposal, **page)
    flash(_("“%(title)s” is now: %(status)s.", title=proposal.title,
            status=proposals.STATUS_LABELS[proposal.status]), "success")
    return redirect(_next_url(form, proposal), code=303)


@bp.post("/proposals/<int:proposal_id>/answer")
@login_required
def answer(proposal_id: int):
    proposal = _proposal(proposal_id)
    form = AnswerForm()
    page = {"heading": _("Official answer to “%(title)s”", title=proposal.title),
            "submit": _("Publish the answer"), "endpoint": "moderation.answer"}
    if not form.validate():
        return _action_page(form, proposal, **page)
    try:
        proposals.answer(current_user, proposal, form.answer.data)
    except Invalid as error:
        db.session.rollback()
        _add_error(form, "answer", error)
        return _action_page(form, proposal, **page)
    flash(_("The official answer is published."), "success")
    return redirect(_next_url(form, proposal), code=303)


@bp.post("/proposals/<int:proposal_id>/assisted")
@login_required
def assisted_support(proposal_id: int):
    proposal = _proposal(proposal_id)
    form = AssistedSupportForm()
    form.set_members(members_of(g.centre))
    page = {"heading": _("Support given in person for “%(title)s”", title=proposal.title),
            "submit": _("Record the support"), "endpoint": "moderation.assisted_support"}
    if not form.validate():
        return _action_page(form, proposal, **page)
    # The members' service, like the member page: the same rules, and the resident is told.
    try:
        members.support_for(current_user, g.centre, form.member_id.data, proposal.id)
    except Invalid as error:
        db.session.rollback()
        _add_error(form, "member_id", error)
        return _action_page(form, proposal, **page)
    except Conflict as error:  # already supports, or the animator's own account
        db.session.rollback()
        flash(error.message, "info")
        return redirect(_next_url(form, proposal), code=303)
    member = db.session.get(User, form.member_id.data)
    flash(_("The support of %(name)s is recorded.", name=member.display_name), "success")
    return redirect(_next_url(form, proposal), code=303)


@bp.post("/proposals/<int:proposal_id>/paper")
@login_required
def paper_votes(proposal_id: int):
    proposal = _proposal(proposal_id)
    form = PaperVotesForm()
    page = {"heading": _("Paper votes for “%(title)s”", title=proposal.title),
            "submit": _("Record the paper votes"), "endpoint": "moderation.paper_votes"}
    if not form.validate():
        return _action_page(form, proposal, **page)
    try:
        tally = proposals.record_paper_tally(current_user, proposal, form.votes.data,
                                             form.note.data)
    except Invalid as error:
        db.session.rollback()
        _add_error(form, "votes" if form.note.data else "note", error)
        return _action_page(form, proposal, **page)
    if tally.votes > 0:
        flash(ngettext("%(num)d paper vote is recorded.", "%(num)d paper votes are recorded.",
                       tally.votes), "success")
    else:
        flash(ngettext("The correction is recorded: %(num)d paper vote less.",
                       "The correction is recorded: %(num)d paper votes less.",
                       -tally.votes), "success")
    return redirect(_next_url(form, proposal), code=303)


# --- Reports -------------------------------------------------------------------------------


def _reports_page(form: ResolveReportsForm, status: int = 200):
    items = service.open_reports(current_user, g.centre)
    # Each item has its own copy of the form, so messages are listed above them all.
    errors = [error for field_errors in form.errors.values() for error in field_errors]
    return render_template(
        "moderation/reports.html",
        centre=g.centre,
        items=items,
        form=form,
        errors=errors,
        reason_labels=REPORT_REASONS,
        status_labels=proposals.STATUS_LABELS,
    ), status


@bp.get("/reports")
@login_required
def reports():
    return _reports_page(ResolveReportsForm(formdata=None))


@bp.post("/reports/resolve")
@login_required
def resolve_reports():
    form = ResolveReportsForm()
    if not form.validate():
        return _reports_page(form, 422)
    upheld = form.upheld.data == "1"
    try:
        count = service.resolve_reports(current_user, g.centre, form.target_type.data,
                                        form.target_id.data, upheld, form.reason.data or "")
    except Invalid as error:
        db.session.rollback()
        form.form_errors.append(error.message)
        return _reports_page(form, 422)
    if upheld:
        message = ngettext("%(num)d report is closed. The content stays hidden.",
                           "%(num)d reports are closed. The content stays hidden.", count)
    else:
        message = ngettext("%(num)d report is closed. The content is shown again.",
                           "%(num)d reports are closed. The content is shown again.", count)
    flash(message, "success")
    return redirect(url_for("moderation.reports", slug=g.centre.slug), code=303)


# --- Moderation log ------------------------------------------------------------------------


@dataclass(frozen=True)
class Page:
    """Just what the ``pagination`` macro reads, for a query ``db.paginate`` cannot take."""

    items: list
    page: int
    pages: int
    total: int

    @property
    def has_prev(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        return self.page < self.pages

    @property
    def prev_num(self) -> int:
        return self.page - 1

    @property
    def next_num(self) -> int:
        return self.page + 1


def paginate_rows(query: Select, page: int, per_page: int) -> Page:
    """Rows (not scalars) of ``query``, one page of them; a page past the end shows the last."""
    total = db.session.scalar(
        select(func.count()).select_from(query.order_by(None).subquery())
    ) or 0
    pages = max(1, math.ceil(total / per_page))
    page = min(max(page, 1), pages)
    rows = list(db.session.execute(query.limit(per_page).offset((page - 1) * per_page)))
    return Page(items=rows, page=page, pages=pages, total=total)


@bp.get("/log")
@login_required
def log():
    requested = request.args.get("page", 1, type=int)
    page = paginate_rows(service.moderation_log(current_user, g.centre), requested, LOG_PER_PAGE)
    return render_template("moderation/log.html", centre=g.centre, page=page,
                           status_labels=proposals.STATUS_LABELS)


# --- Settings ------------------------------------------------------------------------------


def _local_midnight(day: date, zone: ZoneInfo) -> datetime:
    return datetime.combine(day, time(0), tzinfo=zone).astimezone(UTC)


def _local_day(moment: datetime | None, zone: ZoneInfo, *, end: bool = False) -> date | None:
    """The date shown for a stored moment; an end at midnight belongs to the day before."""
    if moment is None:
        return None
    local = moment.astimezone(zone)
    return (local - timedelta(microseconds=1)).date() if end else local.date()


@bp.route("/settings", methods=["GET", "POST"])
@login_required
def settings():
    centre = g.centre
    zone = ZoneInfo(centre.timezone)
    form = SettingsForm(data={
        "proposals_need_approval": centre.proposals_need_approval,
        "support_threshold": centre.support_threshold,
        "only_verified_support": centre.only_verified_support,
        "report_threshold": centre.report_threshold,
        "voting_opens_at": _local_day(centre.voting_opens_at, zone),
        "voting_closes_at": _local_day(centre.voting_closes_at, zone, end=True),
    })
    form.voting_opens_at.description = _(
        "A date in the centre's time zone (%(zone)s).", zone=centre.timezone)
    if form.validate_on_submit():
        opens, closes = form.voting_opens_at.data, form.voting_closes_at.data
        try:
            service.update_settings(
                current_user, centre,
                proposals_need_approval=form.proposals_need_approval.data,
                support_threshold=form.support_threshold.data,
                only_verified_support=form.only_verified_support.data,
                report_threshold=form.report_threshold.data,
                voting_opens_at=_local_midnight(opens, zone) if opens else None,
                voting_closes_at=(_local_midnight(closes + timedelta(days=1), zone)
                                  if closes else None),
            )
        except DomainError as error:
            db.session.rollback()
            form.form_errors.append(error.message)
        else:
            flash(_("The settings are saved."), "success")
            return redirect(url_for("moderation.settings", slug=centre.slug), code=303)
    return (render_template("moderation/settings.html", centre=centre, form=form),
            422 if form.errors else 200)


# --- Categories ----------------------------------------------------------------------------


def _categories_page(add_form: CategoryForm, rename_error: tuple[int, CategoryForm] | None = None,
                     status: int = 200):
    categories = proposals.categories_of(g.centre, include_archived=True)
    rename_forms = {}
    for category in categories:
        if rename_error and rename_error[0] == category.id:
            form = rename_error[1]
        else:
            form = CategoryForm(formdata=None, data={"name": proposals.category_label(category)})
        # Many rename forms on one page: each field needs its own id and a label naming it.
        form.name.id = form.name.label.field_id = f"category-{category.id}-name"
        form.name.label.text = _("New name of “%(name)s”",
                                 name=proposals.category_label(category))
        rename_forms[category.id] = form
    return render_template(
        "moderation/categories.html",
        centre=g.centre,
        categories=categories,
        form=add_form,
        rename_forms=rename_forms,
        category_label=proposals.category_label,
        archive_form=ArchiveCategoryForm(formdata=None),
    ), status


@bp.route("/categories", methods=["GET", "POST"])
@login_required
def categories():
    form = CategoryForm()
    if form.validate_on_submit():
        try:
            category = service.add_category(current_user, g.centre, form.name.data)
        except DomainError as error:
            db.session.rollback()
            form.name.errors = [*form.name.errors, error.message]
        else:
            flash(_("The category “%(name)s” is added.", name=category.name), "success")
            return redirect(url_for("moderation.categories", slug=g.centre.slug), code=303)
    return _categories_page(form, status=422 if form.errors else 200)


@bp.post("/categories/<int:category_id>/rename")
@login_required
def rename_category(category_id: int):
    service.category_of(g.centre, category_id)  # 404 for another centre's category
    form = CategoryForm()
    if form.validate():
        try:
            service.rename_category(current_user, g.centre, category_id, form.name.data)
        except DomainError as error:
            db.session.rollback()
            form.name.errors = [*form.name.errors, error.message]
        else:
            flash(_("The category is renamed to “%(name)s”.", name=form.name.data), "success")
            return redirect(url_for("moderation.categories", slug=g.centre.slug), code=303)
    return _categories_page(CategoryForm(formdata=None), (category_id, form), 422)


@bp.post("/categories/<int:category_id>/archive")
@login_required
def archive_category(category_id: int):
    form = ArchiveCategoryForm()
    if not form.validate():
        raise Invalid(next(iter(form.errors.values()))[0])
    archived = form.archived.data == "1"
    name = proposals.category_label(service.category_of(g.centre, category_id))
    service.set_category_archived(current_user, g.centre, category_id, archived)
    if archived:
        flash(_("The category “%(name)s” is archived: its proposals keep it, new proposals "
                "cannot choose it.", name=name), "success")
    else:
        flash(_("The category “%(name)s” can be chosen again.", name=name), "success")
    return redirect(url_for("moderation.categories", slug=g.centre.slug), code=303)
