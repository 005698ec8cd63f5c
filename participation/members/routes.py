"""``members`` (``/c/<slug>/manage/members``): find a member by name or card code and act for
them. ``my_history`` (``/account/history``): a person's own acts, including those entered
for them.

Every ``members`` view needs a signed-in manager of ``g.centre`` (anonymous people are sent to
sign in, everyone else gets 403); a person who is not a member of the centre is 404. The
services check the same again. Actions are plain form POSTs answered with a 303 to the
member's page; a refusal re-renders that page with the message and a 4xx status.
"""

from __future__ import annotations

from flask import (
    Blueprint,
    current_app,
    flash,
    g,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_required

from ..activities.manage_routes import hours_text
from ..cards import service as cards
from ..cards.codes import normalise_code
from ..centres.routes import load_centre
from ..centres.service import ensure_manager
from ..errors import DomainError
from ..extensions import db, htmx
from ..forms import Form, requested_page
from ..i18n import local_datetime
from ..models import Activity, ProposalStatus, SignupStatus, User
from ..proposals import service as proposals
from . import service
from .forms import (
    CancelForMemberForm,
    MemberSearchForm,
    ProposeForMemberForm,
    SignUpForMemberForm,
    SupportForMemberForm,
)

bp = Blueprint("members", __name__)
bp.url_value_preprocessor(load_centre)
my_bp = Blueprint("my_history", __name__)

MEMBERS_PER_PAGE = 30
# Endpoints other parts of the platform provide; the page links to them when they exist.
LINKED_ENDPOINTS = ("manage_cards.new", "manage_cards.reissue", "erasure.confirm")


@bp.before_request
@login_required
def require_manager():
    """Anonymous people are sent to sign in; everyone but the centre's managers gets 403."""
    ensure_manager(current_user, g.centre)


def _links() -> dict[str, bool]:
    return {name: name in current_app.view_functions for name in LINKED_ENDPOINTS}


def _show_url(member: User) -> str:
    return url_for("members.show", slug=g.centre.slug, user_id=member.id)


# --- The list -------------------------------------------------------------------------------


@bp.get("/")
def index():
    form = MemberSearchForm(request.args)
    valid = form.validate()
    search = (form.q.data or "") if valid else ""
    not_found_code = False
    if search and not htmx:  # a typed or scanned card code goes straight to its holder
        holder = service.member_by_card(current_user, g.centre, search)
        if holder is not None:
            return redirect(_show_url(holder), code=303)
        not_found_code = normalise_code(search) is not None
    page = db.paginate(service.members_query(g.centre, search), page=requested_page(),
                       per_page=MEMBERS_PER_PAGE, error_out=False)
    if htmx and search and not page.total:  # live search: a complete code shows its holder
        holder = service.member_by_card(current_user, g.centre, search)
        if holder is not None:
            page = db.paginate(service.members_query(g.centre).where(User.id == holder.id),
                               page=1, per_page=1, error_out=False)
    context = {"centre": g.centre, "form": form, "page": page, "search": search,
               "not_found_code": not_found_code, "links": _links()}
    if htmx and htmx.target == "member-results":
        return render_template("members/_results.html", **context)
    return render_template("members/index.html", **context), 200 if valid else 422


# --- A member's page and the acts for them --------------------------------------------------


def _activity_label(activity: Activity) -> str:
    return _("%(title)s, %(when)s", title=activity.title,
             when=local_datetime(activity.starts_at, g.centre.timezone, "short"))


def _forms(member: User, **submitted) -> dict:
    """The four action forms with their choices; ``submitted`` replaces one with the form
    that was just sent (holding its errors)."""
    centre = g.centre
    propose = submitted.get("propose") or ProposeForMemberForm(formdata=None)
    propose.set_categories(proposals.categories_of(centre), proposals.category_label)
    support = submitted.get("support") or SupportForMemberForm(formdata=None)
    support.set_proposals(service.supportable_for(member, centre))
    sign_up = submitted.get("sign_up") or SignUpForMemberForm(formdata=None)
    sign_up.set_activities(service.open_activities_for(member, centre), _activity_label)
    cancel = submitted.get("cancel") or CancelForMemberForm(formdata=None)
    cancel.set_signups(service.cancellable_for(member, centre), _activity_label)
    return {"propose_form": propose, "support_form": support, "sign_up_form": sign_up,
            "cancel_form": cancel}


def _card_of(member: User):
    """What the page says about the member's access card. Uses ``card_status`` when the
    cards part offers it, else the card in force."""
    card_status = getattr(cards, "card_status", None)
    if card_status is not None:
        return card_status(member)
    return cards.active_card(member)


def _show_page(member: User, membership, status: int = 200, errors: list[str] | None = None,
               **submitted):
    context = {
        "centre": g.centre, "member": member, "membership": membership,
        "card": _card_of(member), "age_labels": service.AGE_LABELS,
        "history": service.history_of(member, g.centre),
        "is_self": member.id == current_user.id, "links": _links(),
        "button_form": Form(formdata=None), "errors": errors or [], "hours_text": hours_text,
        **_forms(member, **submitted),
    }
    return render_template("members/show.html", **context), status


@bp.get("/<int:user_id>")
def show(user_id: int):
    member, membership = service.member_of(current_user, g.centre, user_id)
    return _show_page(member, membership)


def _act(user_id: int, form_name: str, form, prepare, action):
    """Validate ``form`` (after ``prepare`` gives it its choices), run ``action``. Gives
    ``(member, result, None)``, or on a refusal (rolled back) ``(member, None, page)``: the
    member's page again with the message."""
    member, membership = service.member_of(current_user, g.centre, user_id)
    prepare(form, member)
    if not form.validate_on_submit():
        return member, None, _show_page(member, membership, 422, **{form_name: form})
    try:
        result = action(member, form)
    except DomainError as error:
        if error.status in (401, 403):
            raise
        db.session.rollback()
        member, membership = service.member_of(current_user, g.centre, user_id)
        form.form_errors.append(error.message)
        return member, None, _show_page(member, membership, error.status, **{form_name: form})
    return member, result, None


@bp.post("/<int:user_id>/propose")
def propose(user_id: int):
    member, result, refused = _act(
        user_id, "propose", ProposeForMemberForm(),
        lambda form, _member: form.set_categories(proposals.categories_of(g.centre),
                                                  proposals.category_label),
        lambda member, form: service.propose_for(
            current_user, g.centre, member.id, form.title.data, form.body.data,
            form.category_id.data, form.place.data or ""))
    if refused:
        return refused
    proposal = result
    if proposal.status is ProposalStatus.PUBLISHED:
        flash(_("The proposal of %(name)s is published.", name=member.display_name), "success")
    else:
        flash(_("The proposal of %(name)s is sent to moderation.", name=member.display_name),
              "success")
    return redirect(_show_url(member) + "#history", code=303)


@bp.post("/<int:user_id>/support")
def support(user_id: int):
    member, result, refused = _act(
        user_id, "support", SupportForMemberForm(),
        lambda form, member: form.set_proposals(service.supportable_for(member, g.centre)),
        lambda member, form: service.support_for(current_user, g.centre, member.id,
                                                 form.proposal_id.data))
    if refused:
        return refused
    proposal = result
    flash(_("The support of %(name)s for “%(title)s” is recorded.", name=member.display_name,
            title=proposal.title), "success")
    return redirect(_show_url(member) + "#history", code=303)


@bp.post("/<int:user_id>/sign-up")
def sign_up(user_id: int):
    member, result, refused = _act(
        user_id, "sign_up", SignUpForMemberForm(),
        lambda form, member: form.set_activities(service.open_activities_for(member, g.centre),
                                                 _activity_label),
        lambda member, form: service.sign_up_for(current_user, g.centre, member.id,
                                                 form.activity_id.data))
    if refused:
        return refused
    signup = result
    title = signup.activity.title
    if signup.status is SignupStatus.CONFIRMED:
        flash(_("%(name)s is signed up for “%(title)s”.", name=member.display_name,
                title=title), "success")
    else:
        flash(_("“%(title)s” is full: %(name)s is on the waitlist and will get a notification "
                "if a place frees up.", title=title, name=member.display_name), "info")
    return redirect(_show_url(member) + "#history", code=303)


@bp.post("/<int:user_id>/cancel")
def cancel_signup(user_id: int):
    member, result, refused = _act(
        user_id, "cancel", CancelForMemberForm(),
        lambda form, member: form.set_signups(service.cancellable_for(member, g.centre),
                                              _activity_label),
        lambda member, form: service.cancel_for(current_user, g.centre, member.id,
                                                form.activity_id.data))
    if refused:
        return refused
    signup = result
    flash(_("The place of %(name)s at “%(title)s” is cancelled.", name=member.display_name,
            title=signup.activity.title), "success")
    return redirect(_show_url(member) + "#history", code=303)


# --- A person's own history -----------------------------------------------------------------


@my_bp.get("/", endpoint="index")
@login_required
def my_history():
    return render_template("my_history/index.html", history=service.history_of(current_user),
                           hours_text=hours_text)
