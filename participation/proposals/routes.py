"""Proposal views: list, propose (with preview), page, support, comment, report, withdraw."""

from __future__ import annotations

from types import SimpleNamespace

from flask import Blueprint, current_app, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from wtforms.fields.choices import SelectChoice

from ..activities.service import activities_realising
from ..centres.routes import load_centre
from ..centres.service import animator_ids, can_manage_centre, membership_of
from ..errors import Conflict, DomainError, Invalid, NotAllowed, NotFound
from ..extensions import db, htmx
from ..forms import requested_page
from ..models import Comment, ProposalStatus
from ..moderation.routes import proposal_panel_context
from . import service
from .forms import (
    CommentForm,
    ProposalFilterForm,
    ProposalForm,
    ReasonForm,
    ReportForm,
    SupportForm,
)

bp = Blueprint("proposals", __name__)
bp.url_value_preprocessor(load_centre)

# Filter order on the list page: from open to done.
LISTED_STATUSES = [ProposalStatus.PUBLISHED, ProposalStatus.UNDER_REVIEW,
                   ProposalStatus.ACCEPTED, ProposalStatus.IN_PROGRESS,
                   ProposalStatus.COMPLETED, ProposalStatus.DECLINED]


def _show_url(proposal) -> str:
    return url_for("proposals.show", slug=g.centre.slug, proposal_id=proposal.id)


# --- The list -------------------------------------------------------------------------------


def _filter_form() -> ProposalFilterForm:
    form = ProposalFilterForm(request.args)
    form.status.choices = [SelectChoice("", _("Open and answered"))] + [
        SelectChoice(status.value, service.STATUS_LABELS[status]) for status in LISTED_STATUSES]
    form.category.choices = [SelectChoice("", _("All categories"))] + [
        SelectChoice(str(category.id), service.category_label(category))
        for category in service.categories_of(g.centre, include_archived=True)]
    return form


@bp.get("/")
def index():
    form = _filter_form()
    valid = form.validate()
    chosen = form.data if valid else {}  # invalid filters: show everything, say why (422)
    filters = {
        "status": chosen.get("status") or "",
        "category_id": int(chosen["category"]) if chosen.get("category") else None,
        "sort": chosen.get("sort") or "newest",
        "search": chosen.get("q") or "",
    }
    page = requested_page()
    per_page = current_app.config["PROPOSALS_PER_PAGE"]
    rows = db.session.execute(
        service.proposals_query(g.centre, **filters).limit(per_page + 1)
        .offset((page - 1) * per_page)
    ).all()
    context = {
        "form": form,
        "rows": rows[:per_page],
        "next_page": page + 1 if len(rows) > per_page else None,
        "page": page,
        "query_args": {key: value for key, value in request.args.items() if key != "page"},
        "centre": g.centre,
    }
    if htmx and htmx.target == "proposal-list":  # "load more": only the next items
        return render_template("proposals/_items.html", **context)
    if htmx and htmx.target == "proposal-results":
        return render_template("proposals/_results.html", **context)
    return render_template("proposals/index.html", **context), 200 if valid else 422


# --- Proposing and editing ------------------------------------------------------------------


def _proposal_form(**kwargs) -> ProposalForm:
    form = ProposalForm(**kwargs)
    form.set_categories(service.categories_of(g.centre), service.category_label)
    return form


def _preview(form: ProposalForm) -> SimpleNamespace:
    labels = dict((choice.value, choice.label) for choice in form.category_id.choices)
    return SimpleNamespace(title=form.title.data, body=form.body.data, place=form.place.data,
                           category=labels.get(form.category_id.data, ""))


@bp.route("/new", methods=["GET", "POST"])
@login_required
def new():
    service.ensure_member(current_user, g.centre)
    form = _proposal_form()
    preview = None
    if form.validate_on_submit():
        if request.form.get("action") == "preview":
            preview = _preview(form)
        else:
            try:
                proposal = service.propose(current_user, g.centre, form.title.data,
                                           form.body.data, form.category_id.data,
                                           form.place.data or "")
            except DomainError as error:
                form.form_errors.append(error.message)
            else:
                if proposal.status is ProposalStatus.PUBLISHED:
                    flash(_("Your proposal is published. Tell your neighbours about it!"),
                          "success")
                else:
                    flash(_("Your proposal is sent. The centre's animators will look at it "
                            "soon; you will get a notification."), "success")
                return redirect(_show_url(proposal), code=303)
    return (render_template("proposals/form.html", form=form, preview=preview, proposal=None,
                            centre=g.centre),
            422 if form.errors else 200)


@bp.route("/<int:proposal_id>/edit", methods=["GET", "POST"])
@login_required
def edit(proposal_id: int):
    proposal = service.visible_proposal(current_user, g.centre, proposal_id)
    if proposal.author_id != current_user.id:
        raise NotAllowed(_("Only the author can edit this proposal."))
    if proposal.status is not ProposalStatus.SUBMITTED:  # refuse before offering a form
        raise Conflict(_("The proposal can be edited only while it awaits moderation."))
    form = _proposal_form(obj=proposal)
    preview = None
    if form.validate_on_submit():
        if request.form.get("action") == "preview":
            preview = _preview(form)
        else:
            service.edit_proposal(current_user, proposal, form.title.data, form.body.data,
                                  form.category_id.data, form.place.data or "")
            flash(_("Your changes are saved."), "success")
            return redirect(_show_url(proposal), code=303)
    return (render_template("proposals/form.html", form=form, preview=preview,
                            proposal=proposal, centre=g.centre),
            422 if form.errors else 200)


@bp.post("/<int:proposal_id>/withdraw")
@login_required
def withdraw(proposal_id: int):
    proposal = service.visible_proposal(current_user, g.centre, proposal_id)
    form = ReasonForm()
    if not form.validate():
        raise Invalid(" ".join(map(str, form.reason.errors)))
    service.change_status(current_user, proposal, ProposalStatus.WITHDRAWN, form.reason.data)
    flash(_("Your proposal is withdrawn."), "success")
    return redirect(_show_url(proposal), code=303)


# --- The proposal page ----------------------------------------------------------------------


def _support_context(proposal) -> dict:
    totals = service.support_totals([proposal.id]).get(proposal.id, service.SupportTotals())
    membership = membership_of(current_user, g.centre)
    return {
        "proposal": proposal,
        "totals": totals,
        "threshold": g.centre.support_threshold,
        "supported": service.has_supported(current_user, proposal),
        "membership": membership,
        "can_support": (proposal.status in service.SUPPORTABLE_STATUSES
                        and service.voting_open(g.centre)),
        "support_form": SupportForm(),
        "centre": g.centre,
    }


@bp.get("/<int:proposal_id>")
def show(proposal_id: int):
    proposal = service.visible_proposal(current_user, g.centre, proposal_id)
    manager = can_manage_centre(current_user, g.centre)
    is_author = current_user.is_authenticated and proposal.author_id == current_user.id
    context = _support_context(proposal)
    context.update(
        manager=manager,
        is_author=is_author,
        history=service.history(proposal, public_only=not (manager or is_author)),
        comments=service.comments_of(proposal, include_hidden=manager),
        animator_ids=animator_ids(g.centre),
        comment_form=CommentForm(),
        reason_form=ReasonForm(),
        category=service.category_label(proposal.category),
        realised_by=activities_realising(proposal),
    )
    if manager:
        context.update(proposal_panel_context(proposal, _show_url(proposal), context["totals"]))
    return render_template("proposals/show.html", **context)


@bp.post("/<int:proposal_id>/support")
@login_required
def support(proposal_id: int):
    proposal = service.visible_proposal(current_user, g.centre, proposal_id)
    form = SupportForm()
    if not form.validate():
        raise Invalid(_("Unknown action."))
    if form.intent.data == "support":
        service.give_support(current_user, proposal)
        flash(_("Your support is recorded. Thank you!"), "success")
    else:
        service.withdraw_support(current_user, proposal)
        flash(_("Your support is withdrawn."), "success")
    if htmx:
        return render_template("proposals/_support.html", **_support_context(proposal))
    return redirect(_show_url(proposal), code=303)


@bp.post("/<int:proposal_id>/comments")
@login_required
def comment(proposal_id: int):
    proposal = service.visible_proposal(current_user, g.centre, proposal_id)
    form = CommentForm()
    if not form.validate():
        raise Invalid(" ".join(map(str, form.body.errors)))
    new_comment = service.post_comment(current_user, proposal, form.body.data)
    flash(_("Your comment is published."), "success")
    return redirect(_show_url(proposal) + f"#comment-{new_comment.id}", code=303)


def _report(proposal, comment=None):
    form = ReportForm()
    status = 200
    if form.validate_on_submit():
        try:
            service.file_report(current_user, proposal, form.reason.data,
                                form.details.data or "", comment=comment)
        except DomainError as error:  # already reported (409), own content (403), …
            form.form_errors.append(error.message)
            status = error.status
        else:
            flash(_("Thank you. The centre's animators will look at your report."), "success")
            return redirect(_show_url(proposal), code=303)
    elif form.errors:
        status = 422
    return (render_template("proposals/report.html", form=form, proposal=proposal,
                            comment=comment, centre=g.centre), status)


@bp.route("/<int:proposal_id>/report", methods=["GET", "POST"])
@login_required
def report(proposal_id: int):
    return _report(service.visible_proposal(current_user, g.centre, proposal_id))


@bp.route("/<int:proposal_id>/comments/<int:comment_id>/report", methods=["GET", "POST"])
@login_required
def report_comment(proposal_id: int, comment_id: int):
    proposal = service.visible_proposal(current_user, g.centre, proposal_id)
    target = db.session.get(Comment, comment_id)
    if target is None or target.proposal_id != proposal.id or (
        target.hidden and not can_manage_centre(current_user, g.centre)
    ):
        raise NotFound(_("There is no such comment here."))
    return _report(proposal, comment=target)
