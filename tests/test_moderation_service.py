"""Comments, reports and the animators' side: resolving reports, settings, categories, queue."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.exc import OperationalError

from participation.errors import Conflict, Invalid, NotAllowed, NotFound
from participation.events import actor_key
from participation.extensions import db as db_
from participation.models import (
    Category,
    Centre,
    Comment,
    Notification,
    NotificationKind,
    ParticipationEvent,
    ProposalStatus,
    Report,
    ReportReason,
    ReportTarget,
    StatusChange,
)
from participation.moderation import service as moderation
from participation.proposals import service

from .proposals_fixtures import (
    add_members,
    centre,
    make_proposal,
    proposal,
    refused,
    set_centre,
    status_of,
    unit_of_work,
    user,
)

S = ProposalStatus


def comment_on(app, member_id, proposal_id, body="Świetny pomysł, popieram!") -> int:
    with unit_of_work(app):
        return service.post_comment(user(member_id), proposal(proposal_id), body).id


def report(app, reporter_id, proposal_id, comment_id=None, reason=ReportReason.SPAM,
           details=""):
    with unit_of_work(app):
        comment = db_.session.get(Comment, comment_id) if comment_id else None
        return service.file_report(user(reporter_id), proposal(proposal_id), reason, details,
                                   comment=comment).id


def events(db, kind):
    return db.scalars(select(ParticipationEvent).where(ParticipationEvent.kind == kind)
                      .order_by(ParticipationEvent.id))


# --- 6. Comments ----------------------------------------------------------------------------


@pytest.mark.parametrize("status", [S.PUBLISHED, S.UNDER_REVIEW, S.COMPLETED])
def test_members_comment_on_public_proposals(app, db, scene, status):
    proposal_id = make_proposal(app, scene, status)
    neighbour = add_members(app, scene.a, 1)[0]
    comment_id = comment_on(app, neighbour, proposal_id, "  Mogę pomóc przy montażu.  ")
    comment = db.get(Comment, comment_id)
    assert (comment.proposal_id, comment.author_id, comment.body, comment.hidden) == (
        proposal_id, neighbour, "Mogę pomóc przy montażu.", False)
    [event] = events(db, "comment_posted")
    with app.app_context():
        assert (event.subject_type, event.subject_id, event.actor_key, event.centre_id) == (
            "comment", comment_id, actor_key(neighbour), scene.a)
        assert [c.id for c in service.comments_of(proposal(proposal_id), False)] == [comment_id]


@pytest.mark.parametrize("who", ["outsider", "resident_b", "animator_b"])
def test_only_members_comment(app, scene, who):
    proposal_id = make_proposal(app, scene)
    refused(app, NotAllowed, lambda: service.post_comment(
        user(getattr(scene, who)), proposal(proposal_id), "Popieram!"))


@pytest.mark.parametrize("body", ["", "   \n  ", "k" * 2001])
def test_comments_need_from_1_to_2000_characters(app, db, scene, body):
    proposal_id = make_proposal(app, scene)
    refused(app, Invalid, lambda: service.post_comment(
        user(scene.resident), proposal(proposal_id), body))
    comment_on(app, scene.resident, proposal_id, "k" * 2000)
    assert db.count(Comment) == 1


@pytest.mark.parametrize("status", [S.SUBMITTED, S.HIDDEN, S.REJECTED, S.WITHDRAWN])
def test_no_comments_on_proposals_that_are_not_public(app, scene, status):
    proposal_id = make_proposal(app, scene, status)
    refused(app, Conflict, lambda: service.post_comment(
        user(scene.resident), proposal(proposal_id), "Popieram!"))


# --- 5. Reports -----------------------------------------------------------------------------


def test_reporting_the_same_thing_twice_is_a_conflict(app, db, scene):
    proposal_id = make_proposal(app, scene)
    comment_id = comment_on(app, scene.resident, proposal_id)
    report(app, scene.animator, proposal_id)
    report(app, scene.animator, proposal_id, comment_id)  # the comment is another thing
    refused(app, Conflict, lambda: service.file_report(
        user(scene.animator), proposal(proposal_id), ReportReason.OFFENSIVE))
    refused(app, Conflict, lambda: service.file_report(
        user(scene.animator), proposal(proposal_id), ReportReason.SPAM,
        comment=db_.session.get(Comment, comment_id)))
    assert db.count(Report) == 2
    with app.app_context():
        key = actor_key(scene.animator)
    assert [(e.subject_type, e.actor_key) for e in events(db, "report_filed")] == [
        ("report", key), ("report", key)]


@pytest.mark.parametrize(
    ("reason", "details", "error"),
    [
        (ReportReason.OTHER, "", Invalid),
        (ReportReason.OTHER, "    ", Invalid),
        (ReportReason.SPAM, "d" * 1001, Invalid),
        ("insult", "", Invalid),
    ],
)
def test_reports_need_a_known_reason_and_details_for_other(app, scene, reason, details, error):
    proposal_id = make_proposal(app, scene)
    refused(app, error, lambda: service.file_report(
        user(scene.resident), proposal(proposal_id), reason, details))


def test_anonymous_people_cannot_report(app, scene):
    proposal_id = make_proposal(app, scene)
    refused(app, NotAllowed, lambda: service.file_report(None, proposal(proposal_id), "spam"))


def test_other_with_details_is_a_valid_report(app, db, scene):
    proposal_id = make_proposal(app, scene)
    report(app, scene.resident_b, proposal_id, reason="other", details=" Podany numer telefonu ")
    [row] = db.scalars(select(Report))
    assert (row.reason, row.details, row.target_type, row.target_id, row.centre_id,
            row.proposal_id, row.resolved_at) == (
        ReportReason.OTHER, "Podany numer telefonu", ReportTarget.PROPOSAL, proposal_id, scene.a,
        proposal_id, None)


def test_authors_cannot_report_their_own_proposal(app, db, scene):
    proposal_id = make_proposal(app, scene)  # written by scene.resident
    with pytest.raises(NotAllowed), app.app_context():
        service.file_report(user(scene.resident), proposal(proposal_id), ReportReason.SPAM)
    assert db.count(Report) == 0


def test_enough_reports_hide_a_proposal_until_review(app, db, scene):
    reporters = add_members(app, scene.a, 4)
    proposal_id = make_proposal(app, scene)
    report(app, reporters[0], proposal_id)
    report(app, reporters[1], proposal_id, reason=ReportReason.OFFENSIVE)
    assert status_of(app, proposal_id) is S.PUBLISHED

    report(app, reporters[2], proposal_id)
    assert status_of(app, proposal_id) is S.HIDDEN
    [change] = db.scalars(select(StatusChange))
    assert (change.from_status, change.to_status, change.actor_id) == (S.PUBLISHED, S.HIDDEN,
                                                                      None)
    # No reason frozen in the last reporter's language: the page explains it to each reader.
    assert change.reason == ""
    assert [e.actor_key for e in events(db, "proposal_hidden")] == [None]
    assert len(events(db, "report_filed")) == 3
    notices = sorted((n.user_id, n.kind) for n in db.scalars(select(Notification)))
    assert notices == sorted([(scene.animator, NotificationKind.CONTENT_HIDDEN),
                              (scene.resident, NotificationKind.PROPOSAL_STATUS)])

    report(app, reporters[3], proposal_id)  # more reports change nothing more
    assert db.count(StatusChange) == 1
    assert db.count(Notification) == 2
    with app.app_context():
        assert moderation.pending_count(centre(scene.a)) == 1


def test_enough_reports_hide_a_comment(app, db, scene):
    reporters = add_members(app, scene.a, 3)
    proposal_id = make_proposal(app, scene)
    comment_id = comment_on(app, scene.resident, proposal_id)
    for reporter in reporters[:2]:
        report(app, reporter, proposal_id, comment_id)
    assert db.get(Comment, comment_id).hidden is False
    report(app, reporters[2], proposal_id, comment_id)
    assert db.get(Comment, comment_id).hidden is True
    assert status_of(app, proposal_id) is S.PUBLISHED  # the proposal itself stays
    assert db.count(StatusChange) == 0
    assert [(n.user_id, n.kind) for n in db.scalars(select(Notification))] == [
        (scene.animator, NotificationKind.CONTENT_HIDDEN)]
    with app.app_context():
        assert service.comments_of(proposal(proposal_id), include_hidden=False) == []
        assert len(service.comments_of(proposal(proposal_id), include_hidden=True)) == 1


def test_the_report_threshold_is_the_centres(app, scene):
    set_centre(app, scene.a, report_threshold=1)
    proposal_id = make_proposal(app, scene)
    report(app, scene.resident_b, proposal_id)  # anyone signed in may report what they see
    assert status_of(app, proposal_id) is S.HIDDEN


def hide_by_reports(app, scene, proposal_id, comment_id=None) -> list[int]:
    reporters = add_members(app, scene.a, 3)
    for reporter in reporters:
        report(app, reporter, proposal_id, comment_id)
    return reporters


@pytest.mark.parametrize("upheld", [False, True])
def test_resolving_reports_about_a_proposal(app, db, scene, upheld):
    proposal_id = make_proposal(app, scene)
    hide_by_reports(app, scene, proposal_id)
    with unit_of_work(app):
        assert moderation.resolve_reports(user(scene.animator), centre(scene.a), "proposal",
                                          proposal_id, upheld) == 3

    assert status_of(app, proposal_id) is (S.HIDDEN if upheld else S.PUBLISHED)
    reports = db.scalars(select(Report))
    assert {(r.upheld, r.resolved_by_id, r.resolved_at is not None) for r in reports} == {
        (upheld, scene.animator, True)}
    history = [(c.from_status, c.to_status, c.actor_id) for c in
               db.scalars(select(StatusChange).order_by(StatusChange.id))]
    expected = [(S.PUBLISHED, S.HIDDEN, None)]
    if not upheld:
        expected.append((S.HIDDEN, S.PUBLISHED, scene.animator))
    assert history == expected
    assert len(events(db, "report_resolved")) == 3
    with app.app_context():
        assert moderation.pending_count(centre(scene.a)) == 0
        assert moderation.open_reports(user(scene.animator), centre(scene.a)) == []
    refused(app, NotFound, lambda: moderation.resolve_reports(
        user(scene.animator), centre(scene.a), "proposal", proposal_id, True))


@pytest.mark.parametrize("upheld", [False, True])
def test_resolving_reports_about_a_comment(app, db, scene, upheld):
    proposal_id = make_proposal(app, scene)
    comment_id = comment_on(app, scene.resident, proposal_id)
    hide_by_reports(app, scene, proposal_id, comment_id)
    with app.app_context():
        [item] = moderation.open_reports(user(scene.animator), centre(scene.a))
        assert (item.target_type, item.target_id, item.proposal.id, item.comment.id,
                len(item.reports)) == (ReportTarget.COMMENT, comment_id, proposal_id,
                                       comment_id, 3)
    with unit_of_work(app):
        moderation.resolve_reports(user(scene.animator), centre(scene.a), ReportTarget.COMMENT,
                                   comment_id, upheld)
    assert db.get(Comment, comment_id).hidden is upheld
    assert status_of(app, proposal_id) is S.PUBLISHED
    assert db.count(Report, Report.upheld.is_(upheld)) == 3


def test_upholding_a_report_below_the_threshold_hides_the_proposal(app, db, scene):
    proposal_id = make_proposal(app, scene)
    report(app, scene.resident_b, proposal_id, reason=ReportReason.PERSONAL_DATA)
    with unit_of_work(app):
        moderation.resolve_reports(user(scene.animator), centre(scene.a), "proposal",
                                   proposal_id, True, "Podano nazwisko sąsiada.")
    assert status_of(app, proposal_id) is S.HIDDEN
    [change] = db.scalars(select(StatusChange))
    assert (change.to_status, change.actor_id, change.reason) == (
        S.HIDDEN, scene.animator, "Podano nazwisko sąsiada.")


@pytest.mark.parametrize(
    ("who", "target_type", "error"),
    [("resident", "proposal", NotAllowed), ("animator_b", "proposal", NotAllowed),
     ("animator", "poll", Invalid)],
)
def test_resolving_reports_is_refused(app, scene, who, target_type, error):
    proposal_id = make_proposal(app, scene)
    hide_by_reports(app, scene, proposal_id)
    refused(app, error, lambda: moderation.resolve_reports(
        user(getattr(scene, who)), centre(scene.a), target_type, proposal_id, False))
    assert status_of(app, proposal_id) is S.HIDDEN


def test_simultaneous_reports_hide_a_proposal_exactly_once(app, db, scene):
    """Ten people report at the same moment; the third report hides it, and only once."""
    reporters = add_members(app, scene.a, 10)
    proposal_id = make_proposal(app, scene)
    barrier = threading.Barrier(len(reporters), timeout=60)
    retries: list[str] = []

    def file(reporter_id: int) -> None:
        barrier.wait()
        while True:
            try:
                report(app, reporter_id, proposal_id)
                return
            except OperationalError as error:
                if "database is locked" not in str(error) or len(retries) > 100:
                    raise
                retries.append(str(error.orig))

    with ThreadPoolExecutor(max_workers=len(reporters)) as pool:
        list(pool.map(file, reporters))

    assert db.count(Report) == 10
    assert status_of(app, proposal_id) is S.HIDDEN
    assert [(c.from_status, c.to_status) for c in db.scalars(select(StatusChange))] == [
        (S.PUBLISHED, S.HIDDEN)]
    assert db.count(Notification, Notification.kind == NotificationKind.CONTENT_HIDDEN) == 1


# --- 9. The animators' side -----------------------------------------------------------------


def settings(**changes):
    values = {"proposals_need_approval": False, "support_threshold": 20,
              "only_verified_support": True, "report_threshold": 5,
              "voting_opens_at": datetime(2026, 3, 1, 8, tzinfo=UTC),
              "voting_closes_at": datetime(2026, 3, 31, 20, tzinfo=UTC)}
    return {**values, **changes}


def centre_settings(db, centre_id):
    row = db.get(Centre, centre_id)
    return {name: getattr(row, name) for name in settings()}


def test_update_settings(app, db, scene):
    with unit_of_work(app):
        moderation.update_settings(user(scene.animator), centre(scene.a), **settings())
    assert centre_settings(db, scene.a) == settings()
    with unit_of_work(app):  # an open-ended window is fine
        moderation.update_settings(user(scene.animator), centre(scene.a),
                                   **settings(voting_opens_at=None, voting_closes_at=None))
    assert centre_settings(db, scene.a) == settings(voting_opens_at=None, voting_closes_at=None)


@pytest.mark.parametrize(
    ("who", "changes", "error"),
    [
        ("animator", {"support_threshold": 0}, Invalid),
        ("animator", {"support_threshold": 100_001}, Invalid),
        ("animator", {"report_threshold": 0}, Invalid),
        ("animator", {"report_threshold": 101}, Invalid),
        ("animator", {"voting_closes_at": datetime(2026, 2, 1, tzinfo=UTC)}, Invalid),
        ("animator", {"voting_closes_at": datetime(2026, 3, 1, 8, tzinfo=UTC)}, Invalid),
        ("resident", {}, NotAllowed),
        ("animator_b", {}, NotAllowed),
    ],
    ids=["support-0", "support-too-many", "reports-0", "reports-101", "closes-before-opens",
         "closes-when-opens", "resident", "other-centre"],
)
def test_update_settings_is_refused(app, db, scene, who, changes, error):
    before = centre_settings(db, scene.a)
    refused(app, error, lambda: moderation.update_settings(
        user(getattr(scene, who)), centre(scene.a), **settings(**changes)))
    assert centre_settings(db, scene.a) == before


def category_names(db, centre_id):
    return [(c.name, c.key, c.archived) for c in db.scalars(
        select(Category).where(Category.centre_id == centre_id).order_by(Category.position))]


def test_categories_are_added_renamed_and_archived(app, db, scene):
    defaults = category_names(db, scene.a)
    assert len(defaults) == 6
    with unit_of_work(app):
        added = moderation.add_category(user(scene.animator), centre(scene.a), " Sport ").id
    assert category_names(db, scene.a)[-1] == ("Sport", None, False)
    with unit_of_work(app):  # the same name may exist in another centre
        moderation.add_category(user(scene.animator_b), centre(scene.b), "Sport")

    refused(app, Conflict, lambda: moderation.add_category(
        user(scene.animator), centre(scene.a), "SPORT"))
    refused(app, Conflict, lambda: moderation.add_category(
        user(scene.animator), centre(scene.a), defaults[0][0]))
    refused(app, Invalid, lambda: moderation.add_category(
        user(scene.animator), centre(scene.a), "S"))
    refused(app, Invalid, lambda: moderation.add_category(
        user(scene.animator), centre(scene.a), "S" * 61))

    with unit_of_work(app):  # a renamed default becomes the centre's own name
        moderation.rename_category(user(scene.animator), centre(scene.a), scene.category,
                                   "Nasze podwórko")
    assert category_names(db, scene.a)[0] == ("Nasze podwórko", None, False)
    with unit_of_work(app):  # changing only the case of its own name is no clash
        moderation.rename_category(user(scene.animator), centre(scene.a), added, "SPORT")
    refused(app, Conflict, lambda: moderation.rename_category(
        user(scene.animator), centre(scene.a), added, "nasze PODWÓRKO"))
    refused(app, NotFound, lambda: moderation.rename_category(
        user(scene.animator), centre(scene.a), scene.category_b, "Cudze"))

    with unit_of_work(app):
        moderation.set_category_archived(user(scene.animator), centre(scene.a), added, True)
    with app.app_context():
        live = [c.id for c in service.categories_of(centre(scene.a))]
        every = [c.id for c in service.categories_of(centre(scene.a), include_archived=True)]
    assert added not in live and added in every
    with unit_of_work(app):
        moderation.set_category_archived(user(scene.animator), centre(scene.a), added, False)
    assert category_names(db, scene.a)[-1] == ("SPORT", None, False)


@pytest.mark.parametrize("who", ["resident", "animator_b"])
def test_only_the_centres_animators_manage_categories(app, scene, who):
    actor = getattr(scene, who)
    refused(app, NotAllowed, lambda: moderation.add_category(
        user(actor), centre(scene.a), "Sport"))
    refused(app, NotAllowed, lambda: moderation.rename_category(
        user(actor), centre(scene.a), scene.category, "Sport"))
    refused(app, NotAllowed, lambda: moderation.set_category_archived(
        user(actor), centre(scene.a), scene.category, True))


def test_pending_count_counts_waiting_proposals_and_reported_items(app, scene):
    reporters = add_members(app, scene.a, 2)
    waiting = [make_proposal(app, scene, S.SUBMITTED) for _ in range(2)]
    make_proposal(app, scene, S.SUBMITTED, centre_id=scene.b)  # another centre's
    reported = make_proposal(app, scene)
    comment_id = comment_on(app, scene.resident, reported)
    resolved = make_proposal(app, scene)
    for reporter in reporters:  # two reports, one item
        report(app, reporter, reported)
    report(app, reporters[0], reported, comment_id)
    report(app, reporters[0], resolved)
    with unit_of_work(app):
        moderation.resolve_reports(user(scene.animator), centre(scene.a), "proposal", resolved,
                                   False)
    with app.app_context():
        assert moderation.pending_count(centre(scene.a)) == 2 + 2
        assert moderation.pending_count(centre(scene.b)) == 1
        assert [p.id for p in moderation.queue(user(scene.animator), centre(scene.a))] == waiting
        items = moderation.open_reports(user(scene.animator), centre(scene.a))
        assert [(i.target_type, i.target_id, len(i.reports)) for i in items] == [
            (ReportTarget.PROPOSAL, reported, 2), (ReportTarget.COMMENT, comment_id, 1)]
    refused(app, NotAllowed, lambda: moderation.queue(user(scene.resident), centre(scene.a)))
    refused(app, NotAllowed, lambda: moderation.open_reports(user(scene.animator_b),
                                                             centre(scene.a)))


def test_the_moderation_log_lists_every_step_newest_first(app, scene):
    first = make_proposal(app, scene, S.SUBMITTED)
    second = make_proposal(app, scene, S.SUBMITTED)
    other_centre = make_proposal(app, scene, S.SUBMITTED, centre_id=scene.b)
    with unit_of_work(app):
        service.change_status(user(scene.animator), proposal(first), S.PUBLISHED)
        service.change_status(user(scene.animator), proposal(second), S.REJECTED, "Poza CAL.")
        service.change_status(user(scene.animator_b), proposal(other_centre), S.PUBLISHED)
    with app.app_context():
        rows = db_.session.execute(moderation.moderation_log(user(scene.animator),
                                                             centre(scene.a))).all()
        assert [(change.proposal_id, change.to_status, change.actor.id, change.reason)
                for change, _proposal in rows] == [
            (second, S.REJECTED, scene.animator, "Poza CAL."),
            (first, S.PUBLISHED, scene.animator, ""),
        ]
    refused(app, NotAllowed, lambda: moderation.moderation_log(user(scene.animator_b),
                                                               centre(scene.a)))


def test_a_window_in_the_past_closes_supports_set_through_the_settings(app, scene):
    proposal_id = make_proposal(app, scene)
    now = datetime.now(UTC)
    with unit_of_work(app):
        moderation.update_settings(user(scene.animator), centre(scene.a), **settings(
            only_verified_support=False, voting_opens_at=now - timedelta(days=10),
            voting_closes_at=now - timedelta(days=1)))
    refused(app, Conflict, lambda: service.give_support(user(scene.resident),
                                                        proposal(proposal_id)))
