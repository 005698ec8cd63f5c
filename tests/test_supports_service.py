"""Supports: online, assisted and paper; the voting window; the review threshold; and
invariant 1 of DESIGN.md (one support per member and proposal, and the count equals the rows)
under simultaneous clicks, on SQLite and on PostgreSQL.
"""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.exc import OperationalError

from participation.errors import Conflict, Invalid, NotAllowed
from participation.events import actor_key
from participation.extensions import db as db_
from participation.models import (
    SUPPORTABLE_STATUSES,
    Membership,
    Notification,
    NotificationKind,
    PaperTally,
    ParticipationEvent,
    ProposalStatus,
    Role,
    StatusChange,
    Support,
    SupportChannel,
)
from participation.proposals import service

from .proposals_fixtures import (
    add_members,
    make_proposal,
    proposal,
    refused,
    set_centre,
    status_of,
    unit_of_work,
    user,
)

S = ProposalStatus
NOW = datetime.now(UTC)


def totals(app, proposal_id) -> service.SupportTotals:
    with app.app_context():
        return service.support_totals([proposal_id])[proposal_id]


def events(db, kind):
    return db.scalars(select(ParticipationEvent).where(ParticipationEvent.kind == kind)
                      .order_by(ParticipationEvent.id))


def give(app, member_id, proposal_id) -> bool:
    with unit_of_work(app):
        return service.give_support(user(member_id), proposal(proposal_id))


# --- Giving and withdrawing -----------------------------------------------------------------


@pytest.mark.parametrize("status", sorted(SUPPORTABLE_STATUSES))
def test_supporting_twice_counts_once(app, db, scene, status):
    proposal_id = make_proposal(app, scene, status)
    assert give(app, scene.resident, proposal_id) is True
    assert give(app, scene.resident, proposal_id) is False

    [support] = db.scalars(select(Support))
    assert (support.proposal_id, support.user_id, support.channel, support.recorded_by_id) == (
        proposal_id, scene.resident, SupportChannel.ONLINE, None)
    with app.app_context():
        assert service.has_supported(user(scene.resident), proposal(proposal_id))
        key = actor_key(scene.resident)
    [event] = events(db, "support_given")
    assert (event.subject_type, event.subject_id, event.channel, event.actor_key,
            event.centre_id) == ("proposal", proposal_id, "online", key, scene.a)
    assert totals(app, proposal_id) == service.SupportTotals(online=1)


def test_withdrawing_support(app, db, scene):
    proposal_id = make_proposal(app, scene)
    give(app, scene.resident, proposal_id)
    with unit_of_work(app):
        assert service.withdraw_support(user(scene.resident), proposal(proposal_id)) is True
    with unit_of_work(app):
        assert service.withdraw_support(user(scene.resident), proposal(proposal_id)) is False
    assert db.count(Support) == 0
    assert totals(app, proposal_id).total == 0
    assert [e.channel for e in events(db, "support_withdrawn")] == ["online"]
    # Given again after a withdrawal, it counts again.
    assert give(app, scene.resident, proposal_id) is True
    assert totals(app, proposal_id).total == 1


@pytest.mark.parametrize("status", sorted(set(S) - SUPPORTABLE_STATUSES))
def test_only_open_proposals_can_be_supported(app, scene, status):
    proposal_id = make_proposal(app, scene, status)
    refused(app, Conflict, lambda: service.give_support(user(scene.resident),
                                                        proposal(proposal_id)))
    refused(app, Conflict, lambda: service.withdraw_support(user(scene.resident),
                                                            proposal(proposal_id)))


@pytest.mark.parametrize(
    ("opens", "closes", "open_now"),
    [
        (NOW + timedelta(days=1), None, False),  # not open yet
        (None, NOW - timedelta(minutes=1), False),  # already closed
        (NOW - timedelta(days=30), NOW - timedelta(days=1), False),
        (NOW - timedelta(days=1), NOW + timedelta(days=1), True),
        (None, NOW + timedelta(days=1), True),
    ],
    ids=["future", "closed", "window-past", "window-now", "closes-later"],
)
def test_supports_only_inside_the_voting_window(app, db, scene, opens, closes, open_now):
    set_centre(app, scene.a, voting_opens_at=opens, voting_closes_at=closes)
    proposal_id = make_proposal(app, scene)
    if open_now:
        assert give(app, scene.resident, proposal_id) is True
    else:
        refused(app, Conflict, lambda: service.give_support(user(scene.resident),
                                                            proposal(proposal_id)))


def test_only_verified_members_support_when_the_centre_says_so(app, db, scene):
    set_centre(app, scene.a, only_verified_support=True)
    proposal_id = make_proposal(app, scene)
    refused(app, NotAllowed, lambda: service.give_support(user(scene.resident),
                                                          proposal(proposal_id)))
    with app.app_context():
        membership = db_.session.scalar(select(Membership).where(
            Membership.user_id == scene.resident, Membership.centre_id == scene.a))
        membership.verified = True
        db_.session.commit()
    assert give(app, scene.resident, proposal_id) is True


@pytest.mark.parametrize("who", ["outsider", "resident_b", "animator_b"])
def test_only_members_support(app, scene, who):
    proposal_id = make_proposal(app, scene)
    refused(app, NotAllowed, lambda: service.give_support(user(getattr(scene, who)),
                                                          proposal(proposal_id)))


# --- The review threshold -------------------------------------------------------------------


def test_the_threshold_sends_the_proposal_to_review_exactly_once(app, db, scene):
    set_centre(app, scene.a, support_threshold=3)
    second_animator = add_members(app, scene.a, 1, role=Role.ANIMATOR)[0]
    members = add_members(app, scene.a, 4)
    proposal_id = make_proposal(app, scene)

    for member in members[:2]:
        give(app, member, proposal_id)
    assert status_of(app, proposal_id) is S.PUBLISHED
    assert db.count(StatusChange) == 0

    give(app, members[2], proposal_id)
    assert status_of(app, proposal_id) is S.UNDER_REVIEW
    give(app, members[3], proposal_id)  # past the threshold: nothing more happens
    give(app, members[2], proposal_id)

    [change] = db.scalars(select(StatusChange))
    assert (change.from_status, change.to_status, change.actor_id) == (
        S.PUBLISHED, S.UNDER_REVIEW, None)
    [event] = events(db, "proposal_under_review")
    assert event.actor_key is None
    notices = sorted((n.user_id, n.kind, n.status) for n in db.scalars(select(Notification)))
    assert notices == sorted([
        (scene.animator, NotificationKind.THRESHOLD_REACHED, None),
        (second_animator, NotificationKind.THRESHOLD_REACHED, None),
        (scene.resident, NotificationKind.SUPPORTS_REACHED, "under_review"),
    ])  # centre B's animator hears nothing
    assert totals(app, proposal_id).total == 4


def test_paper_votes_count_toward_the_threshold(app, db, scene):
    set_centre(app, scene.a, support_threshold=3)
    proposal_id = make_proposal(app, scene)
    give(app, scene.resident, proposal_id)
    with unit_of_work(app):
        service.record_paper_tally(user(scene.animator), proposal(proposal_id), 1, "Festyn")
    assert status_of(app, proposal_id) is S.PUBLISHED
    with unit_of_work(app):
        service.record_paper_tally(user(scene.animator), proposal(proposal_id), 5, "Zebranie")
    assert status_of(app, proposal_id) is S.UNDER_REVIEW
    assert db.count(StatusChange, StatusChange.to_status == S.UNDER_REVIEW) == 1
    assert db.count(Notification, Notification.kind == NotificationKind.THRESHOLD_REACHED) == 1


def test_withdrawn_supports_do_not_reach_the_threshold(app, db, scene):
    set_centre(app, scene.a, support_threshold=2)
    proposal_id = make_proposal(app, scene)
    give(app, scene.resident, proposal_id)
    with unit_of_work(app):
        service.withdraw_support(user(scene.resident), proposal(proposal_id))
    give(app, scene.resident, proposal_id)
    assert status_of(app, proposal_id) is S.PUBLISHED


# --- Assisted supports ----------------------------------------------------------------------


def test_an_animator_records_the_support_of_a_member_without_a_phone(app, db, scene):
    senior = add_members(app, scene.a, 1)[0]
    proposal_id = make_proposal(app, scene)
    with unit_of_work(app):
        assert service.record_assisted_support(user(scene.animator), proposal(proposal_id),
                                               senior) is True
    with unit_of_work(app):  # entered twice by mistake: still one
        assert service.record_assisted_support(user(scene.animator), proposal(proposal_id),
                                               senior) is False
    [support] = db.scalars(select(Support))
    assert (support.user_id, support.channel, support.recorded_by_id) == (
        senior, SupportChannel.ASSISTED, scene.animator)
    [event] = events(db, "support_given")
    with app.app_context():
        assert (event.channel, event.actor_key) == ("assisted", actor_key(senior))
    assert totals(app, proposal_id) == service.SupportTotals(assisted=1)
    # The member's own click later changes nothing.
    assert give(app, senior, proposal_id) is False


@pytest.mark.parametrize(
    ("who", "member", "error"),
    [
        ("resident", "senior", NotAllowed),
        ("animator_b", "senior", NotAllowed),
        ("animator", "outsider", Invalid),
        ("animator", "resident_b", Invalid),
        ("animator", "missing", Invalid),
    ],
)
def test_assisted_support_is_refused(app, scene, who, member, error):
    senior = add_members(app, scene.a, 1)[0]
    member_id = {"senior": senior, "missing": 999_999}.get(member) or getattr(scene, member)
    proposal_id = make_proposal(app, scene)
    refused(app, error, lambda: service.record_assisted_support(
        user(getattr(scene, who)), proposal(proposal_id), member_id))


# --- Paper tallies --------------------------------------------------------------------------


def test_paper_tallies_add_up_and_corrections_subtract(app, db, scene):
    online, assisted = add_members(app, scene.a, 2)
    proposal_id = make_proposal(app, scene)
    give(app, online, proposal_id)
    with unit_of_work(app):
        service.record_assisted_support(user(scene.animator), proposal(proposal_id), assisted)
        service.record_paper_tally(user(scene.animator), proposal(proposal_id), 10,
                                   " Festyn sąsiedzki ")
    assert totals(app, proposal_id) == service.SupportTotals(online=1, assisted=1, paper=10)
    assert totals(app, proposal_id).total == 12

    with unit_of_work(app):
        service.record_paper_tally(user(scene.animator), proposal(proposal_id), -3,
                                   "Korekta: trzy karty podwójne")
    assert totals(app, proposal_id) == service.SupportTotals(online=1, assisted=1, paper=7)
    assert totals(app, proposal_id).total == 9

    refused(app, Invalid, lambda: service.record_paper_tally(
        user(scene.animator), proposal(proposal_id), -8, "Za duża korekta"))
    refused(app, Invalid, lambda: service.record_paper_tally(
        user(scene.animator), proposal(proposal_id), 0, "Nic"))
    with unit_of_work(app):  # down to exactly zero is a valid correction
        service.record_paper_tally(user(scene.animator), proposal(proposal_id), -7, "Unieważnione")
    assert totals(app, proposal_id) == service.SupportTotals(online=1, assisted=1, paper=0)

    tallies = db.scalars(select(PaperTally).order_by(PaperTally.id))
    assert [(t.votes, t.note, t.recorded_by_id) for t in tallies] == [
        (10, "Festyn sąsiedzki", scene.animator),
        (-3, "Korekta: trzy karty podwójne", scene.animator),
        (-7, "Unieważnione", scene.animator),
    ]
    paper_events = events(db, "paper_votes_recorded")
    assert [(e.quantity, e.channel, e.subject_type) for e in paper_events] == [
        (10, "paper", "paper_tally"), (-3, "paper", "paper_tally"), (-7, "paper", "paper_tally")]
    assert sum(e.quantity for e in paper_events) == totals(app, proposal_id).paper


@pytest.mark.parametrize(
    ("who", "status", "votes", "note", "error"),
    [
        ("resident", S.PUBLISHED, 5, "Festyn", NotAllowed),
        ("animator_b", S.PUBLISHED, 5, "Festyn", NotAllowed),
        ("animator", S.PUBLISHED, 5, "   ", Invalid),
        ("animator", S.PUBLISHED, 5, "n" * 501, Invalid),
        ("animator", S.PUBLISHED, 100_001, "Festyn", Invalid),
        ("animator", S.PUBLISHED, -1, "Korekta bez wpisu", Invalid),
        ("animator", S.SUBMITTED, 5, "Festyn", Conflict),
        ("animator", S.COMPLETED, 5, "Festyn", Conflict),
    ],
)
def test_paper_tallies_are_refused(app, scene, who, status, votes, note, error):
    proposal_id = make_proposal(app, scene, status)
    refused(app, error, lambda: service.record_paper_tally(
        user(getattr(scene, who)), proposal(proposal_id), votes, note))


def test_support_totals_of_many_proposals_at_once(app, scene):
    members = add_members(app, scene.a, 2)
    first, second, empty = (make_proposal(app, scene) for _ in range(3))
    for member in members:
        give(app, member, first)
    give(app, members[0], second)
    with unit_of_work(app):
        service.record_paper_tally(user(scene.animator), proposal(second), 4, "Festyn")
    with app.app_context():
        assert service.support_totals([first, second, empty]) == {
            first: service.SupportTotals(online=2),
            second: service.SupportTotals(online=1, paper=4),
            empty: service.SupportTotals(),
        }
        assert service.support_totals([]) == {}


# --- 4. Invariant 1 under simultaneous clicks -----------------------------------------------

MEMBERS = 50
CLICKS = 10
WORKERS = 50
THRESHOLD = 25


def test_simultaneous_supports_count_each_member_exactly_once(app, db, scene):
    """50 members click "support" 10 times each, 50 requests at a time: 50 supports, one move.

    Every call is its own request: its own thread, app context, session and commit. A barrier
    releases each wave of 50 together. The first half of the calls gives every member five
    simultaneous clicks in a wave of ten members (so the threshold is crossed while others are
    mid-flight); the second half repeats them all. SQLite may answer "database is locked" when a
    writer waits too long: that call is retried (as a user would click again) and counted.
    """
    set_centre(app, scene.a, support_threshold=THRESHOLD)
    members = add_members(app, scene.a, MEMBERS)
    proposal_id = make_proposal(app, scene)
    calls = [member for _ in range(2) for member in members for _ in range(CLICKS // 2)]
    assert len(calls) == MEMBERS * CLICKS and len(calls) % WORKERS == 0
    barrier = threading.Barrier(WORKERS, timeout=120)
    retries: list[str] = []

    def click(member_id: int) -> bool:
        barrier.wait()
        while True:
            try:
                with app.app_context():
                    added = service.give_support(user(member_id), proposal(proposal_id))
                    db_.session.commit()
                    return added
            except OperationalError as error:
                if "database is locked" not in str(error) or len(retries) > 500:
                    raise
                retries.append(str(error.orig))

    with ThreadPoolExecutor(max_workers=WORKERS) as pool:
        results = list(pool.map(click, calls))

    assert results.count(True) == MEMBERS
    assert results.count(False) == MEMBERS * CLICKS - MEMBERS
    assert db.count(Support) == MEMBERS
    assert sorted(db.scalars(select(Support.user_id))) == sorted(members)
    assert totals(app, proposal_id).total == MEMBERS
    given = events(db, "support_given")
    assert len(given) == MEMBERS
    with app.app_context():
        assert sorted(e.actor_key for e in given) == sorted(actor_key(m) for m in members)
    assert status_of(app, proposal_id) is S.UNDER_REVIEW
    assert db.count(StatusChange, StatusChange.to_status == S.UNDER_REVIEW) == 1
    assert len(events(db, "proposal_under_review")) == 1
    assert db.count(Notification, Notification.kind == NotificationKind.THRESHOLD_REACHED) == 1
    assert db.count(Notification, Notification.user_id == scene.resident) == 1
    # The count a visitor sees is the number of rows.
    page = app.test_client().get(f"/c/centre-a/proposals/{proposal_id}").get_data(as_text=True)
    assert f"{MEMBERS} of {THRESHOLD} supports needed" in page
    print(f"retries after 'database is locked': {len(retries)}")


def test_a_support_decided_on_a_stale_page_is_refused(app, db, scene):
    """The proposal was accepted after this request loaded it: supporting is over."""
    proposal_id = make_proposal(app, scene, S.UNDER_REVIEW)
    with app.app_context():
        seen = proposal(proposal_id)
        assert seen.status is S.UNDER_REVIEW
        with unit_of_work(app):
            service.change_status(user(scene.animator), proposal(proposal_id), S.ACCEPTED)
        with pytest.raises(Conflict):
            service.give_support(user(scene.resident), seen)
        db_.session.rollback()
    assert db.count(Support) == 0
