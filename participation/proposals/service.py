"""Rules for proposals: proposing, the status machine, supports, comments and reports.

Functions take plain arguments, check rights, enforce rules and flush; the request commits.
Each act writes its ParticipationEvent in the same transaction.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import Select, case, func, select, update
from sqlalchemy.orm import joinedload

from ..centres.service import (
    can_manage_centre,
    ensure_manager,
    ensure_member,
    membership_of,
)
from ..dbutil import insert_ignoring_duplicates, lock_row
from ..errors import Conflict, Invalid, NotAllowed, NotFound
from ..events import record_event
from ..extensions import db
from ..models import (
    AUTHOR_TRANSITIONS,
    PUBLIC_HISTORY,
    PUBLIC_STATUSES,
    SUPPORTABLE_STATUSES,
    Category,
    Centre,
    Comment,
    NotificationKind,
    PaperTally,
    Proposal,
    ProposalStatus,
    Report,
    ReportReason,
    ReportTarget,
    StatusChange,
    Support,
    SupportChannel,
    User,
    utcnow,
)
from ..notifications.service import notify, notify_animators
from ..search import matching_all_words

S = ProposalStatus

DEFAULT_CATEGORIES = {
    "neighbourhood": _l("Neighbourhood"),
    "culture": _l("Culture"),
    "seniors": _l("Seniors"),
    "children_youth": _l("Children and youth"),
    "green_spaces": _l("Green spaces"),
    "safety": _l("Safety"),
}
STATUS_LABELS = {
    S.SUBMITTED: _l("awaiting moderation"),
    S.PUBLISHED: _l("open for support"),
    S.REJECTED: _l("rejected"),
    S.WITHDRAWN: _l("withdrawn"),
    S.HIDDEN: _l("hidden"),
    S.UNDER_REVIEW: _l("under review"),
    S.ACCEPTED: _l("accepted"),
    S.DECLINED: _l("declined"),
    S.IN_PROGRESS: _l("in progress"),
    S.COMPLETED: _l("completed"),
}
# The event kind written for each move into a status.
EVENT_KINDS = {
    S.PUBLISHED: "proposal_published",
    S.REJECTED: "proposal_rejected",
    S.WITHDRAWN: "proposal_withdrawn",
    S.HIDDEN: "proposal_hidden",
    S.UNDER_REVIEW: "proposal_under_review",
    S.ACCEPTED: "proposal_accepted",
    S.DECLINED: "proposal_declined",
    S.IN_PROGRESS: "proposal_started",
    S.COMPLETED: "proposal_completed",
}
# Moves that need a reason the author (or the public) can read.
REASON_REQUIRED = frozenset({S.REJECTED, S.WITHDRAWN, S.HIDDEN, S.DECLINED})
SORTS = ("newest", "supported", "answered")


# --- Who may do what ------------------------------------------------------------------------


def is_member(user: User | None, centre: Centre) -> bool:
    return membership_of(user, centre) is not None


def can_view(user: User | None, proposal: Proposal) -> bool:
    """Public proposals for everyone; the rest for the author and the centre's animators."""
    if proposal.is_public:
        return True
    if user is None or not user.is_authenticated:
        return False
    return proposal.author_id == user.id or can_manage_centre(user, proposal.centre)


def visible_proposal(user: User | None, centre: Centre, proposal_id: int) -> Proposal:
    """The proposal, if it belongs to this centre and this person may see it; else 404."""
    proposal = db.session.scalar(
        select(Proposal)
        .where(Proposal.id == proposal_id, Proposal.centre_id == centre.id)
        .options(joinedload(Proposal.author), joinedload(Proposal.category))
    )
    if proposal is None or not can_view(user, proposal):
        raise NotFound(_("There is no such proposal here."))
    return proposal


# --- Categories -----------------------------------------------------------------------------


def category_label(category: Category) -> str:
    """Default categories speak the reader's language; a centre's own keep their name."""
    return str(DEFAULT_CATEGORIES[category.key]) if category.key in DEFAULT_CATEGORIES else (
        category.name
    )


def ensure_default_categories(centre: Centre) -> None:
    if db.session.scalar(select(Category.id).where(Category.centre_id == centre.id).limit(1)):
        return
    for position, (key, label) in enumerate(DEFAULT_CATEGORIES.items()):
        db.session.add(Category(centre_id=centre.id, key=key, name=str(label), position=position))
    db.session.flush()


def categories_of(centre: Centre, include_archived: bool = False) -> list[Category]:
    query = select(Category).where(Category.centre_id == centre.id)
    if not include_archived:
        query = query.where(Category.archived.is_(False))
    return list(db.session.scalars(query.order_by(Category.position, Category.id)))


def _category_for(centre: Centre, category_id: int | None) -> Category:
    category = db.session.get(Category, category_id) if category_id else None
    if category is None or category.centre_id != centre.id or category.archived:
        raise Invalid(_("Choose one of the centre's categories."))
    return category


# --- Proposing ------------------------------------------------------------------------------


def _check_texts(title: str, body: str, place: str) -> tuple[str, str, str]:
    title, body, place = title.strip(), body.strip(), place.strip()
    if not 5 <= len(title) <= 120:
        raise Invalid(_("The title must have from 5 to 120 characters."))
    if not 20 <= len(body) <= 5000:
        raise Invalid(_("The description must have from 20 to 5,000 characters."))
    if len(place) > 200:
        raise Invalid(_("The place can have at most 200 characters."))
    return title, body, place


def propose(
    author: User, centre: Centre, title: str, body: str, category_id: int | None, place: str = "",
    *, recorded_by: User | None = None,
) -> Proposal:
    """A member proposes; it waits for moderation or is published at once, as the centre says.

    With ``recorded_by`` an animator of the centre enters it for the author (channel
    ``assisted``): the proposal and its event are the author's, the row names the animator."""
    if recorded_by is not None:
        ensure_manager(recorded_by, centre)
    ensure_member(author, centre)
    title, body, place = _check_texts(title, body, place)
    category = _category_for(centre, category_id)
    channel = SupportChannel.ONLINE if recorded_by is None else SupportChannel.ASSISTED
    proposal = Proposal(centre_id=centre.id, author_id=author.id, category_id=category.id,
                        title=title, body=body, place=place, status=S.SUBMITTED,
                        channel=channel, recorded_by_id=getattr(recorded_by, "id", None))
    db.session.add(proposal)
    db.session.flush()
    db.session.add(StatusChange(proposal_id=proposal.id, actor_id=author.id, from_status=None,
                                to_status=S.SUBMITTED))
    record_event(centre.id, "proposal_submitted", proposal, author, channel=channel.value)
    if centre.proposals_need_approval:
        notify_animators(centre, NotificationKind.PROPOSAL_SUBMITTED, proposal)
    else:
        _move(proposal, S.PUBLISHED, actor=None, notify_author=False)  # they see it at once
    db.session.flush()
    return proposal


def edit_proposal(
    author: User, proposal: Proposal, title: str, body: str, category_id: int | None, place: str
) -> None:
    """The author may change the text only while it awaits moderation."""
    if proposal.author_id != getattr(author, "id", None):
        raise NotAllowed(_("Only the author can edit this proposal."))
    if proposal.status is not S.SUBMITTED:
        raise Conflict(_("The proposal can be edited only while it awaits moderation."))
    texts = _check_texts(title, body, place)
    category = _category_for(proposal.centre, category_id)  # check all before changing any
    proposal.title, proposal.body, proposal.place = texts
    proposal.category_id = category.id
    db.session.flush()


# --- The status machine ---------------------------------------------------------------------


def _move(proposal: Proposal, target: ProposalStatus, actor: User | None, reason: str = "",
          notify_author: bool = True) -> None:
    """Apply one allowed step: status, history row, participation event, author's notice."""
    source = proposal.status
    proposal.status = target
    if target is S.PUBLISHED and proposal.published_at is None:
        proposal.published_at = utcnow()
    db.session.add(StatusChange(proposal_id=proposal.id, actor_id=getattr(actor, "id", None),
                                from_status=source, to_status=target, reason=reason))
    record_event(proposal.centre_id, EVENT_KINDS[target], proposal, actor)
    if notify_author and proposal.author_id and getattr(actor, "id", None) != proposal.author_id:
        notify(proposal.author_id, NotificationKind.PROPOSAL_STATUS, proposal,
               status=target.value, reason=reason)


def change_status(
    actor: User, proposal: Proposal, target: ProposalStatus | str, reason: str = ""
) -> None:
    """Move a proposal along the machine. Authors withdraw; animators do everything else."""
    try:
        target = ProposalStatus(target)
    except ValueError:
        raise Invalid(_("Unknown status.")) from None
    reason = reason.strip()
    _locked(proposal)
    if not proposal.can_move_to(target):
        raise Conflict(_("A proposal that is %(current)s cannot become %(target)s.",
                         current=STATUS_LABELS[proposal.status], target=STATUS_LABELS[target]))
    if (proposal.status, target) in AUTHOR_TRANSITIONS:
        if proposal.author_id != getattr(actor, "id", None):
            raise NotAllowed(_("Only the author can withdraw this proposal."))
    else:
        ensure_manager(actor, proposal.centre)
    if target in REASON_REQUIRED and not reason:
        raise Invalid(_("Give a reason: the author will read it."))
    if len(reason) > 2000:
        raise Invalid(_("The reason can have at most 2,000 characters."))
    _move(proposal, target, actor, reason)
    db.session.flush()


def answer(actor: User, proposal: Proposal, text: str) -> None:
    """The centre's official answer, shown on the proposal and sent to the author."""
    ensure_manager(actor, proposal.centre)
    text = text.strip()
    if not 1 <= len(text) <= 5000:
        raise Invalid(_("The answer must have from 1 to 5,000 characters."))
    if not proposal.is_public:
        raise Conflict(_("Only a published proposal can get an official answer."))
    proposal.official_answer = text
    proposal.answered_at = utcnow()
    proposal.answered_by_id = actor.id
    record_event(proposal.centre_id, "proposal_answered", proposal, actor)
    if proposal.author_id:
        notify(proposal.author_id, NotificationKind.PROPOSAL_ANSWERED, proposal)
    db.session.flush()


def history(proposal: Proposal, public_only: bool) -> list[StatusChange]:
    query = (select(StatusChange).where(StatusChange.proposal_id == proposal.id)
             .options(joinedload(StatusChange.actor)).order_by(StatusChange.id))
    if public_only:
        query = query.where(StatusChange.to_status.in_(PUBLIC_HISTORY))
    return list(db.session.scalars(query))


# --- Supports -------------------------------------------------------------------------------


@dataclass(frozen=True)
class SupportTotals:
    online: int = 0
    assisted: int = 0
    paper: int = 0

    @property
    def total(self) -> int:
        return self.online + self.assisted + self.paper


def support_totals(proposal_ids: list[int]) -> dict[int, SupportTotals]:
    """Supports per proposal and channel, in two grouped queries whatever the number."""
    counts: dict[int, dict[str, int]] = {pid: {} for pid in proposal_ids}
    if not proposal_ids:
        return {}
    rows = db.session.execute(
        select(Support.proposal_id, Support.channel, func.count())
        .where(Support.proposal_id.in_(proposal_ids))
        .group_by(Support.proposal_id, Support.channel)
    )
    for proposal_id, channel, count in rows:
        counts[proposal_id][channel.value] = count
    papers = db.session.execute(
        select(PaperTally.proposal_id, func.sum(PaperTally.votes))
        .where(PaperTally.proposal_id.in_(proposal_ids))
        .group_by(PaperTally.proposal_id)
    )
    for proposal_id, votes in papers:
        counts[proposal_id]["paper"] = int(votes or 0)
    return {pid: SupportTotals(**values) for pid, values in counts.items()}


def voting_open(centre: Centre, now: datetime | None = None) -> bool:
    now = now or utcnow()
    if centre.voting_opens_at and now < centre.voting_opens_at:
        return False
    return not (centre.voting_closes_at and now >= centre.voting_closes_at)


def has_supported(user: User | None, proposal: Proposal) -> bool:
    if user is None or not user.is_authenticated:
        return False
    return db.session.scalar(
        select(Support.id).where(Support.proposal_id == proposal.id, Support.user_id == user.id)
    ) is not None


def _check_can_support(member: User, proposal: Proposal) -> None:
    membership = ensure_member(member, proposal.centre)
    if proposal.status not in SUPPORTABLE_STATUSES:
        raise Conflict(_("This proposal cannot be supported now."))
    if not voting_open(proposal.centre):
        raise Conflict(_("Supporting is closed: it is outside the centre's voting period."))
    if proposal.centre.only_verified_support and not membership.verified:
        raise NotAllowed(_("At this centre only residents verified in person can support. "
                           "An animator can verify you at the centre."))


def _locked(proposal: Proposal) -> Proposal:
    """Take the proposal's row lock and reread it, so simultaneous requests (supporters,
    reporters, moderators) decide one by one, each on what the previous one did."""
    lock_row(Proposal, proposal.id)
    db.session.refresh(proposal)
    return proposal


def _add_support(member: User, proposal: Proposal, channel: SupportChannel,
                 recorded_by: User | None) -> bool:
    _locked(proposal)
    _check_can_support(member, proposal)
    added = insert_ignoring_duplicates(
        Support, proposal_id=proposal.id, user_id=member.id, channel=channel,
        recorded_by_id=getattr(recorded_by, "id", None), created_at=utcnow(),
    )
    if added:
        record_event(proposal.centre_id, "support_given", proposal, member, channel=channel.value)
        _review_if_threshold_reached(proposal)
    db.session.flush()
    return added


def give_support(member: User, proposal: Proposal) -> bool:
    """Support online. Supporting twice changes nothing (and returns False)."""
    return _add_support(member, proposal, SupportChannel.ONLINE, recorded_by=None)


def withdraw_support(member: User, proposal: Proposal) -> bool:
    """Take one's support back while voting is open. Returns False if there was none."""
    _locked(proposal)
    _check_can_support(member, proposal)
    support = db.session.scalar(
        select(Support).where(Support.proposal_id == proposal.id, Support.user_id == member.id)
    )
    if support is None:
        return False
    db.session.delete(support)
    record_event(proposal.centre_id, "support_withdrawn", proposal, member,
                 channel=support.channel.value)
    db.session.flush()
    return True


def record_assisted_support(animator: User, proposal: Proposal, member_id: int) -> bool:
    """An animator enters the support of a member who has no phone (channel ``assisted``)."""
    ensure_manager(animator, proposal.centre)
    member = db.session.get(User, member_id)
    if member is None or membership_of(member, proposal.centre) is None:
        raise Invalid(_("Choose a member of this centre."))
    return _add_support(member, proposal, SupportChannel.ASSISTED, recorded_by=animator)


def record_paper_tally(animator: User, proposal: Proposal, votes: int, note: str) -> PaperTally:
    """Paper votes from an event. A negative number corrects an earlier entry; never below 0."""
    ensure_manager(animator, proposal.centre)
    note = note.strip()
    if not note or len(note) > 500:
        raise Invalid(_("Describe where the votes come from (at most 500 characters)."))
    if votes == 0 or abs(votes) > 100_000:
        raise Invalid(_("Enter the number of paper votes (a negative number corrects an "
                        "earlier entry)."))
    _locked(proposal)
    if proposal.status not in SUPPORTABLE_STATUSES:
        raise Conflict(_("This proposal cannot be supported now."))
    paper = support_totals([proposal.id]).get(proposal.id, SupportTotals()).paper
    if paper + votes < 0:
        raise Invalid(_("A correction cannot take the paper votes below zero."))
    tally = PaperTally(proposal_id=proposal.id, votes=votes, note=note, recorded_by_id=animator.id)
    db.session.add(tally)
    db.session.flush()
    record_event(proposal.centre_id, "paper_votes_recorded", tally, animator,
                 channel=SupportChannel.PAPER.value, quantity=votes)
    _review_if_threshold_reached(proposal)
    db.session.flush()
    return tally


def _review_if_threshold_reached(proposal: Proposal) -> None:
    """Enough supports move a published proposal to review, exactly once, and tell animators
    and the author (one notification each: "has enough supports" says it is now reviewed)."""
    db.session.flush()
    total = support_totals([proposal.id])[proposal.id].total
    if total < proposal.centre.support_threshold:
        return
    moved = db.session.execute(
        update(Proposal)
        .where(Proposal.id == proposal.id, Proposal.status == S.PUBLISHED)
        .values(status=S.UNDER_REVIEW)
        .execution_options(synchronize_session=False)
    ).rowcount
    if moved != 1:
        return
    db.session.refresh(proposal)
    db.session.add(StatusChange(proposal_id=proposal.id, actor_id=None,
                                from_status=S.PUBLISHED, to_status=S.UNDER_REVIEW))
    record_event(proposal.centre_id, EVENT_KINDS[S.UNDER_REVIEW], proposal, None)
    notify_animators(proposal.centre, NotificationKind.THRESHOLD_REACHED, proposal)
    if proposal.author_id:
        notify(proposal.author_id, NotificationKind.SUPPORTS_REACHED, proposal,
               status=S.UNDER_REVIEW.value)


# --- Comments and reports -------------------------------------------------------------------


def post_comment(member: User, proposal: Proposal, body: str) -> Comment:
    ensure_member(member, proposal.centre)
    if proposal.status not in PUBLIC_STATUSES:
        raise Conflict(_("Comments are open only on published proposals."))
    body = body.strip()
    if not 1 <= len(body) <= 2000:
        raise Invalid(_("The comment must have from 1 to 2,000 characters."))
    comment = Comment(proposal_id=proposal.id, author_id=member.id, body=body)
    db.session.add(comment)
    db.session.flush()
    record_event(proposal.centre_id, "comment_posted", comment, member)
    return comment


def comments_of(proposal: Proposal, include_hidden: bool) -> list[Comment]:
    query = (select(Comment).where(Comment.proposal_id == proposal.id)
             .options(joinedload(Comment.author)).order_by(Comment.id))
    if not include_hidden:
        query = query.where(Comment.hidden.is_(False))
    return list(db.session.scalars(query))


def file_report(
    reporter: User, proposal: Proposal, reason: ReportReason | str, details: str = "",
    comment: Comment | None = None,
) -> Report:
    """Report a proposal or one of its comments, once per person; N reports hide it."""
    if reporter is None or not reporter.is_authenticated:
        raise NotAllowed(_("Sign in to report content."))
    try:
        reason = ReportReason(reason)
    except ValueError:
        raise Invalid(_("Choose why you are reporting this.")) from None
    details = details.strip()
    if len(details) > 1000:
        raise Invalid(_("The details can have at most 1,000 characters."))
    if reason is ReportReason.OTHER and not details:
        raise Invalid(_("Describe the problem in a few words."))
    content_author = comment.author_id if comment is not None else proposal.author_id
    if content_author == reporter.id:
        raise NotAllowed(_("You cannot report what you wrote yourself."))
    target_type = ReportTarget.COMMENT if comment is not None else ReportTarget.PROPOSAL
    target_id = comment.id if comment is not None else proposal.id
    _locked(proposal)  # simultaneous reports are counted one by one: one of them hides it
    if comment is not None:
        db.session.refresh(comment)
    added = insert_ignoring_duplicates(
        Report, centre_id=proposal.centre_id, reporter_id=reporter.id, target_type=target_type,
        target_id=target_id, proposal_id=proposal.id, reason=reason, details=details,
        created_at=utcnow(),
    )
    if not added:
        raise Conflict(_("You have already reported this. The animators will look at it."))
    report = db.session.scalar(select(Report).where(
        Report.reporter_id == reporter.id, Report.target_type == target_type,
        Report.target_id == target_id))
    record_event(proposal.centre_id, "report_filed", report, reporter)
    _hide_if_reported_enough(proposal, comment, target_type, target_id)
    db.session.flush()
    return report


def _hide_if_reported_enough(proposal: Proposal, comment: Comment | None,
                             target_type: ReportTarget, target_id: int) -> None:
    open_reports = db.session.scalar(
        select(func.count()).select_from(Report).where(
            Report.target_type == target_type, Report.target_id == target_id,
            Report.resolved_at.is_(None))
    )
    if open_reports < proposal.centre.report_threshold:
        return
    if comment is not None:
        if not comment.hidden:
            comment.hidden = True
            notify_animators(proposal.centre, NotificationKind.CONTENT_HIDDEN, proposal)
    elif proposal.status is S.PUBLISHED:
        _move(proposal, S.HIDDEN, actor=None)  # the page explains automatic steps
        notify_animators(proposal.centre, NotificationKind.CONTENT_HIDDEN, proposal)


# --- Finding proposals ----------------------------------------------------------------------


def _supports_column():
    """Total supports of each proposal (rows plus paper votes), as a correlated subquery."""
    rows = (select(func.count()).where(Support.proposal_id == Proposal.id)
            .correlate(Proposal).scalar_subquery())
    paper = (select(func.coalesce(func.sum(PaperTally.votes), 0))
             .where(PaperTally.proposal_id == Proposal.id).correlate(Proposal).scalar_subquery())
    return (rows + paper).label("supports")


def proposals_query(
    centre: Centre, *, status: str = "", category_id: int | None = None, sort: str = "newest",
    search: str = "",
) -> Select:
    """Public proposals of a centre with their support totals, filtered and sorted."""
    supports = _supports_column()
    query = (select(Proposal, supports).where(Proposal.centre_id == centre.id)
             .options(joinedload(Proposal.author), joinedload(Proposal.category)))
    statuses = [s for s in PUBLIC_STATUSES if s.value == status] if status else PUBLIC_STATUSES
    query = query.where(Proposal.status.in_(statuses))
    if category_id:
        query = query.where(Proposal.category_id == category_id)
    query = query.where(*matching_all_words(search, Proposal.title, Proposal.body))
    order = {
        "supported": (supports.desc(), Proposal.id.desc()),
        "answered": (case((Proposal.answered_at.is_(None), 1), else_=0),
                     Proposal.answered_at.desc(), Proposal.id.desc()),
    }.get(sort, (Proposal.created_at.desc(), Proposal.id.desc()))
    return query.order_by(*order)


def own_proposals(user: User, centre: Centre) -> list[Proposal]:
    """The person's proposals that the public does not see (awaiting, rejected, hidden…)."""
    if user is None or not user.is_authenticated:
        return []
    return list(db.session.scalars(
        select(Proposal).where(Proposal.centre_id == centre.id, Proposal.author_id == user.id,
                               Proposal.status.not_in(PUBLIC_STATUSES))
        .order_by(Proposal.id.desc())
    ))
