"""The proposal rules: the status machine, answers and notifications, the event log.

Each service call runs in its own app context, as a request would, and the test commits
where the request would. Failing calls go through ``refused``, which proves they wrote nothing.
"""

from __future__ import annotations

import itertools
import re

import pytest
from sqlalchemy import select

from participation.errors import Conflict, Invalid, NotAllowed
from participation.events import actor_key
from participation.extensions import db as db_
from participation.models import (
    AUTHOR_TRANSITIONS,
    TRANSITIONS,
    Notification,
    NotificationKind,
    ParticipationEvent,
    Proposal,
    ProposalStatus,
    StatusChange,
)
from participation.notifications import service as notifications
from participation.proposals import service
from participation.proposals.service import EVENT_KINDS, REASON_REQUIRED

from .proposals_fixtures import (
    BODY,
    TITLE,
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
ALL_PAIRS = list(itertools.product(ProposalStatus, repeat=2))
ALLOWED_PAIRS = [(source, target) for source, target in ALL_PAIRS if target in TRANSITIONS[source]]
REASON = "Decyzja zespołu CAL po spotkaniu z mieszkańcami."


def pair_id(pair) -> str:
    return f"{pair[0].value}->{pair[1].value}"


def test_the_machine_has_the_designed_moves():
    """The table the tests below walk: DESIGN.md's machine plus withdrawing while awaiting."""
    assert sorted(map(pair_id, ALLOWED_PAIRS)) == sorted([
        "submitted->published", "submitted->rejected", "submitted->withdrawn",
        "published->withdrawn", "published->hidden", "published->under_review",
        "hidden->published", "under_review->accepted", "under_review->declined",
        "accepted->in_progress", "in_progress->completed",
    ])
    assert set(ALLOWED_PAIRS) >= AUTHOR_TRANSITIONS
    assert set(EVENT_KINDS) == {target for _source, target in ALLOWED_PAIRS}


# --- 1. The status machine ------------------------------------------------------------------


@pytest.mark.parametrize(("source", "target"), ALL_PAIRS, ids=map(pair_id, ALL_PAIRS))
def test_status_machine_allows_exactly_its_moves(app, db, scene, source, target):
    proposal_id = make_proposal(app, scene, source)
    by_author = (source, target) in AUTHOR_TRANSITIONS
    actor = scene.resident if by_author else scene.animator

    if target not in TRANSITIONS[source]:
        # Whoever asks, a move outside the machine is a conflict and leaves no trace.
        for someone in (scene.animator, scene.resident, scene.admin):
            refused(app, Conflict, lambda who=someone: service.change_status(
                user(who), proposal(proposal_id), target, REASON))
        assert status_of(app, proposal_id) is source
        return

    # The history row and the event belong to the move's own transaction: a rollback takes
    # the move, its history row and its event away together.
    with app.app_context():
        service.change_status(user(actor), proposal(proposal_id), target, REASON)
        assert db_.session.scalar(select(Proposal.status).where(Proposal.id == proposal_id)) \
            is target
        assert len(db_.session.scalars(select(StatusChange)).all()) == 1
        assert len(db_.session.scalars(select(ParticipationEvent)).all()) == 1
        db_.session.rollback()
    assert status_of(app, proposal_id) is source
    assert db.count(StatusChange) == db.count(ParticipationEvent) == db.count(Notification) == 0

    with unit_of_work(app):
        service.change_status(user(actor), proposal(proposal_id), target.value, f"  {REASON} ")
        key = actor_key(actor)

    moved = db.get(Proposal, proposal_id)
    assert moved.status is target
    if target is S.PUBLISHED:
        assert moved.published_at is not None
    [change] = db.scalars(select(StatusChange))
    assert (change.proposal_id, change.from_status, change.to_status, change.actor_id,
            change.reason) == (proposal_id, source, target, actor, REASON)
    [event] = db.scalars(select(ParticipationEvent))
    assert (event.kind, event.centre_id, event.subject_type, event.subject_id, event.actor_key) \
        == (EVENT_KINDS[target], scene.a, "proposal", proposal_id, key)
    notices = db.scalars(select(Notification))
    if by_author:
        assert notices == []  # nobody needs telling what they did themselves
    else:
        assert [(n.user_id, n.kind, n.status, n.reason) for n in notices] == [
            (scene.resident, NotificationKind.PROPOSAL_STATUS, target.value, REASON)]


@pytest.mark.parametrize(
    ("who", "source", "target"),
    [
        ("resident", S.UNDER_REVIEW, S.ACCEPTED),  # the author cannot accept their own idea
        ("resident", S.SUBMITTED, S.PUBLISHED),
        ("resident", S.PUBLISHED, S.HIDDEN),
        ("other_resident", S.PUBLISHED, S.WITHDRAWN),  # only the author withdraws
        ("animator", S.PUBLISHED, S.WITHDRAWN),
        ("animator", S.SUBMITTED, S.WITHDRAWN),
        ("admin", S.PUBLISHED, S.WITHDRAWN),
        ("animator_b", S.SUBMITTED, S.PUBLISHED),  # an animator of B cannot touch A
        ("animator_b", S.PUBLISHED, S.HIDDEN),
        ("animator_b", S.UNDER_REVIEW, S.ACCEPTED),
        ("outsider", S.SUBMITTED, S.REJECTED),
    ],
)
def test_wrong_actor_for_an_allowed_move_is_not_allowed(app, scene, who, source, target):
    proposal_id = make_proposal(app, scene, source)
    actor = add_members(app, scene.a, 1)[0] if who == "other_resident" else getattr(scene, who)
    refused(app, NotAllowed, lambda: service.change_status(
        user(actor), proposal(proposal_id), target, REASON))
    assert status_of(app, proposal_id) is source


def test_a_platform_admin_may_moderate_any_centre(app, db, scene):
    proposal_id = make_proposal(app, scene, S.SUBMITTED)
    with unit_of_work(app):
        service.change_status(user(scene.admin), proposal(proposal_id), S.PUBLISHED)
    assert status_of(app, proposal_id) is S.PUBLISHED
    assert db.scalar(select(StatusChange.actor_id)) == scene.admin


REASONED_PAIRS = [pair for pair in ALLOWED_PAIRS if pair[1] in REASON_REQUIRED]


@pytest.mark.parametrize(("source", "target"), REASONED_PAIRS, ids=map(pair_id, REASONED_PAIRS))
@pytest.mark.parametrize("reason", ["", "   \n "])
def test_moves_that_need_a_reason_refuse_none(app, scene, source, target, reason):
    proposal_id = make_proposal(app, scene, source)
    actor = scene.resident if (source, target) in AUTHOR_TRANSITIONS else scene.animator
    refused(app, Invalid, lambda: service.change_status(
        user(actor), proposal(proposal_id), target, reason))


def test_reasons_are_optional_elsewhere_and_limited_in_length(app, db, scene):
    assert {S.PUBLISHED, S.UNDER_REVIEW, S.ACCEPTED}.isdisjoint(REASON_REQUIRED)
    proposal_id = make_proposal(app, scene, S.SUBMITTED)
    refused(app, Invalid, lambda: service.change_status(
        user(scene.animator), proposal(proposal_id), S.PUBLISHED, "x" * 2001))
    refused(app, Invalid, lambda: service.change_status(
        user(scene.animator), proposal(proposal_id), "archived"))
    with unit_of_work(app):
        service.change_status(user(scene.animator), proposal(proposal_id), S.PUBLISHED)
    assert db.scalar(select(StatusChange.reason)) == ""


# --- 8. Answers and notifications -----------------------------------------------------------


def test_an_official_answer_is_stored_logged_and_sent_to_the_author(app, db, scene):
    proposal_id = make_proposal(app, scene, S.UNDER_REVIEW)
    with unit_of_work(app):
        service.answer(user(scene.animator), proposal(proposal_id), "  Zrobimy to wiosną.  ")
        key = actor_key(scene.animator)
    row = db.get(Proposal, proposal_id)
    assert row.official_answer == "Zrobimy to wiosną."
    assert row.answered_at is not None and row.answered_at.tzinfo is not None
    assert row.answered_by_id == scene.animator
    assert [(n.user_id, n.kind, n.proposal_id) for n in db.scalars(select(Notification))] == [
        (scene.resident, NotificationKind.PROPOSAL_ANSWERED, proposal_id)]
    [event] = db.scalars(select(ParticipationEvent))
    assert (event.kind, event.actor_key) == ("proposal_answered", key)


@pytest.mark.parametrize(
    ("who", "status", "text", "error"),
    [
        ("resident", S.PUBLISHED, "Odpowiedź", NotAllowed),
        ("animator_b", S.PUBLISHED, "Odpowiedź", NotAllowed),
        ("animator", S.PUBLISHED, "   ", Invalid),
        ("animator", S.PUBLISHED, "x" * 5001, Invalid),
        ("animator", S.SUBMITTED, "Odpowiedź", Conflict),
        ("animator", S.REJECTED, "Odpowiedź", Conflict),
        ("animator", S.HIDDEN, "Odpowiedź", Conflict),
    ],
)
def test_answer_is_refused(app, scene, who, status, text, error):
    proposal_id = make_proposal(app, scene, status)
    refused(app, error, lambda: service.answer(
        user(getattr(scene, who)), proposal(proposal_id), text))


def test_status_moves_tell_the_author_unless_the_author_moved_it(app, db, scene):
    proposal_id = make_proposal(app, scene, S.SUBMITTED)
    with unit_of_work(app):
        service.change_status(user(scene.animator), proposal(proposal_id), S.PUBLISHED)
    with unit_of_work(app):
        service.change_status(user(scene.resident), proposal(proposal_id), S.WITHDRAWN,
                              "Zrobimy to sami z sąsiadami.")
    notices = db.scalars(select(Notification).order_by(Notification.id))
    assert [(n.user_id, n.kind, n.status) for n in notices] == [
        (scene.resident, NotificationKind.PROPOSAL_STATUS, "published")]
    with app.test_request_context(headers={"Accept-Language": "en"}):
        author = user(scene.resident)
        assert notifications.unread_count(author) == 1
        [notice] = notifications.latest(author)
        assert notifications.message(notice) == (
            f"Your proposal “{TITLE}” is now open for support.")
        assert notifications.mark_all_read(author) == 1
        db_.session.commit()
        assert notifications.unread_count(author) == 0


# --- 7. The participation log ---------------------------------------------------------------


def test_event_actor_keys_are_stable_pseudonyms(app, db, scene):
    set_centre(app, scene.a, proposals_need_approval=False)
    neighbour = add_members(app, scene.a, 1)[0]
    with unit_of_work(app):
        proposal_id = service.propose(user(scene.resident), centre(scene.a), TITLE, BODY,
                                      scene.category).id
    with unit_of_work(app):
        service.give_support(user(neighbour), proposal(proposal_id))
        service.post_comment(user(neighbour), proposal(proposal_id), "Popieram, świetny pomysł!")
        service.post_comment(user(scene.resident), proposal(proposal_id), "Dziękuję!")
        service.answer(user(scene.animator), proposal(proposal_id), "Zajmiemy się tym.")
        service.change_status(user(scene.animator), proposal(proposal_id), S.UNDER_REVIEW)
        keys = {person: actor_key(person) for person in (scene.resident, neighbour,
                                                         scene.animator)}

    events = db.scalars(select(ParticipationEvent).order_by(ParticipationEvent.id))
    by_person: dict[str | None, set[str]] = {}
    for event in events:
        by_person.setdefault(event.actor_key, set()).add(event.kind)
    assert by_person == {
        keys[scene.resident]: {"proposal_submitted", "comment_posted"},
        None: {"proposal_published"},  # published by the centre's rule, not by a person
        keys[neighbour]: {"support_given", "comment_posted"},
        keys[scene.animator]: {"proposal_answered", "proposal_under_review"},
    }
    assert len(set(keys.values())) == 3
    for person, key in keys.items():
        assert re.fullmatch(r"[0-9a-f]{32}", key)
        assert key != str(person)
    # The pseudonym is keyed: another installation (another key) gives other pseudonyms.
    with app.app_context():
        app.config["PSEUDONYM_KEY"], saved = "another-key", app.config["PSEUDONYM_KEY"]
        try:
            assert actor_key(scene.resident) != keys[scene.resident]
        finally:
            app.config["PSEUDONYM_KEY"] = saved
        assert actor_key(scene.resident) == keys[scene.resident]


# --- Decisions are taken on the current row, not on what a request loaded earlier ----------


def test_a_move_decided_on_a_stale_page_is_refused(app, db, scene):
    """Two animators act on the same proposal: the second decides on what the first did."""
    proposal_id = make_proposal(app, scene, S.UNDER_REVIEW)
    with app.app_context():
        seen = proposal(proposal_id)
        assert seen.status is S.UNDER_REVIEW  # this request loaded the proposal first
        with unit_of_work(app):  # meanwhile another request accepts it
            service.change_status(user(scene.admin), proposal(proposal_id), S.ACCEPTED)
        with pytest.raises(Conflict):
            service.change_status(user(scene.animator), seen, S.DECLINED, REASON)
        db_.session.rollback()
    assert status_of(app, proposal_id) is S.ACCEPTED
    assert [(c.from_status, c.to_status) for c in db.scalars(select(StatusChange))] == [
        (S.UNDER_REVIEW, S.ACCEPTED)]
