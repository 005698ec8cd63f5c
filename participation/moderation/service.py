"""The animators' side: queue, moderation log, reports, centre settings and categories.

Every function checks that the actor manages the centre (its animators, or a platform admin).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from ..errors import Conflict, Invalid, NotFound
from ..events import record_event
from ..extensions import db
from ..models import (
    Category,
    Centre,
    Comment,
    Proposal,
    ProposalStatus,
    Report,
    ReportTarget,
    StatusChange,
    User,
    utcnow,
)
from ..proposals.service import _move, ensure_manager

S = ProposalStatus


def pending_count(centre: Centre) -> int:
    """Proposals awaiting moderation plus open reports: the number shown in the header."""
    proposals = db.session.scalar(
        select(func.count()).select_from(Proposal)
        .where(Proposal.centre_id == centre.id, Proposal.status == S.SUBMITTED)
    ) or 0
    reported_items = (
        select(Report.target_type, Report.target_id)
        .where(Report.centre_id == centre.id, Report.resolved_at.is_(None))
        .distinct().subquery()
    )
    reports = db.session.scalar(select(func.count()).select_from(reported_items)) or 0
    return proposals + reports


def queue(actor: User, centre: Centre) -> list[Proposal]:
    ensure_manager(actor, centre)
    return list(db.session.scalars(
        select(Proposal).where(Proposal.centre_id == centre.id, Proposal.status == S.SUBMITTED)
        .options(joinedload(Proposal.author), joinedload(Proposal.category))
        .order_by(Proposal.created_at)
    ))


def moderation_log(actor: User, centre: Centre):
    """Every step of every proposal of the centre, newest first: who, what, when, why."""
    ensure_manager(actor, centre)
    return (
        select(StatusChange, Proposal)
        .join(Proposal, StatusChange.proposal_id == Proposal.id)
        .where(Proposal.centre_id == centre.id)
        .options(joinedload(StatusChange.actor))
        .order_by(StatusChange.id.desc())
    )


@dataclass(frozen=True)
class ReportedItem:
    """Open reports about one proposal or comment, grouped."""

    target_type: ReportTarget
    target_id: int
    proposal: Proposal
    comment: Comment | None
    reports: list[Report]


def open_reports(actor: User, centre: Centre) -> list[ReportedItem]:
    ensure_manager(actor, centre)
    reports = list(db.session.scalars(
        select(Report).where(Report.centre_id == centre.id, Report.resolved_at.is_(None))
        .options(joinedload(Report.proposal)).order_by(Report.id)
    ))
    comment_ids = [r.target_id for r in reports if r.target_type is ReportTarget.COMMENT]
    comments = {c.id: c for c in db.session.scalars(
        select(Comment).where(Comment.id.in_(comment_ids)).options(joinedload(Comment.author))
    )} if comment_ids else {}
    grouped: dict[tuple[ReportTarget, int], list[Report]] = {}
    for report in reports:
        grouped.setdefault((report.target_type, report.target_id), []).append(report)
    return [
        ReportedItem(target_type, target_id, items[0].proposal,
                     comments.get(target_id) if target_type is ReportTarget.COMMENT else None,
                     items)
        for (target_type, target_id), items in grouped.items()
    ]


def resolve_reports(actor: User, centre: Centre, target_type: ReportTarget | str,
                    target_id: int, upheld: bool, reason: str = "") -> int:
    """Close the open reports about one item: keep it hidden (upheld) or show it again."""
    ensure_manager(actor, centre)
    try:
        target_type = ReportTarget(target_type)
    except ValueError:
        raise Invalid(_("Unknown kind of reported content.")) from None
    reports = list(db.session.scalars(
        select(Report).where(Report.centre_id == centre.id, Report.target_type == target_type,
                             Report.target_id == target_id, Report.resolved_at.is_(None))
    ))
    if not reports:
        raise NotFound(_("There are no open reports about this."))
    proposal = reports[0].proposal
    now = utcnow()
    for report in reports:
        report.resolved_at, report.resolved_by_id, report.upheld = now, actor.id, upheld
        record_event(centre.id, "report_resolved", report, actor)
    if target_type is ReportTarget.COMMENT:
        comment = db.session.get(Comment, target_id)
        comment.hidden = upheld
    elif upheld and proposal.status is S.PUBLISHED:
        _move(proposal, S.HIDDEN, actor, reason or _("Hidden after review of reports."))
    elif not upheld and proposal.status is S.HIDDEN:
        _move(proposal, S.PUBLISHED, actor, reason)
    db.session.flush()
    return len(reports)


# --- Settings and categories ----------------------------------------------------------------


def update_settings(
    actor: User, centre: Centre, *, proposals_need_approval: bool, support_threshold: int,
    only_verified_support: bool, report_threshold: int,
    voting_opens_at: datetime | None, voting_closes_at: datetime | None,
) -> None:
    ensure_manager(actor, centre)
    if not 1 <= support_threshold <= 100_000:
        raise Invalid(_("The support threshold must be a number from 1 to 100,000."))
    if not 1 <= report_threshold <= 100:
        raise Invalid(_("The number of reports must be from 1 to 100."))
    if voting_opens_at and voting_closes_at and voting_closes_at <= voting_opens_at:
        raise Invalid(_("The voting period must end after it starts."))
    centre.proposals_need_approval = proposals_need_approval
    centre.support_threshold = support_threshold
    centre.only_verified_support = only_verified_support
    centre.report_threshold = report_threshold
    centre.voting_opens_at = voting_opens_at
    centre.voting_closes_at = voting_closes_at
    db.session.flush()


def _check_category_name(centre: Centre, name: str, category: Category | None) -> str:
    name = name.strip()
    if not 2 <= len(name) <= 60:
        raise Invalid(_("The category name must have from 2 to 60 characters."))
    clash = db.session.scalar(select(Category.id).where(
        Category.centre_id == centre.id, func.lower(Category.name) == name.lower()))
    if clash is not None and (category is None or clash != category.id):
        raise Conflict(_("The centre already has a category with this name."))
    return name


def add_category(actor: User, centre: Centre, name: str) -> Category:
    ensure_manager(actor, centre)
    name = _check_category_name(centre, name, None)
    last = db.session.scalar(select(func.max(Category.position))
                             .where(Category.centre_id == centre.id)) or 0
    category = Category(centre_id=centre.id, name=name, position=last + 1)
    db.session.add(category)
    db.session.flush()
    return category


def category_of(centre: Centre, category_id: int) -> Category:
    category = db.session.get(Category, category_id)
    if category is None or category.centre_id != centre.id:
        raise NotFound(_("There is no such category here."))
    return category


def rename_category(actor: User, centre: Centre, category_id: int, name: str) -> None:
    """A renamed default category stops following the reader's language: it is the centre's."""
    ensure_manager(actor, centre)
    category = category_of(centre, category_id)
    category.name = _check_category_name(centre, name, category)
    category.key = None
    db.session.flush()


def set_category_archived(actor: User, centre: Centre, category_id: int, archived: bool) -> None:
    """Archived categories keep their proposals but are no longer offered for new ones."""
    ensure_manager(actor, centre)
    category_of(centre, category_id).archived = archived
    db.session.flush()
